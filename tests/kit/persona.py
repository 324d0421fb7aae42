"""Personas for end-to-end tests: people who talk to the bot through the sandbox's control API.

    async with SandboxClient(base_url) as kit:
        staff = await kit.persona("王芳", lang="zh-hans")
        await staff.send("/start")
        msg = await staff.expect("已提交")      # waits (long poll) for a new bot message or edit
        await staff.press("提交")
        await staff.expect_nothing(seconds=1)

Each persona keeps a cursor (a world ``seq``): ``expect`` looks only at bot messages whose latest
change is after it, and moves it to the message it matched. Waiting uses the server's long poll.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

Pattern = str | re.Pattern[str]


class SandboxError(RuntimeError):
    """The control API answered an error."""


@dataclass
class BotMessage:
    """A message in a chat as the control API shows it (bot's or persona's)."""

    message_id: int
    seq: int
    text: str
    from_bot: bool
    kind: str = "text"
    edited: bool = False
    deleted: bool = False
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> BotMessage:
        return cls(
            message_id=view["message_id"],
            seq=view["seq"],
            text=view.get("text") or "",
            from_bot=view["from_bot"],
            kind=view.get("kind", "text"),
            edited=view.get("edited", False),
            deleted=view.get("deleted", False),
            entities=view.get("entities") or [],
            reply_markup=view.get("reply_markup"),
            raw=view,
        )

    @property
    def inline_buttons(self) -> list[dict[str, Any]]:
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    @property
    def buttons(self) -> list[str]:
        """Texts of the inline buttons, row by row."""
        return [b["text"] for b in self.inline_buttons]

    @property
    def keyboard(self) -> list[str]:
        """Texts of a reply keyboard sent with this message."""
        rows = (self.reply_markup or {}).get("keyboard") or []
        return [b["text"] for row in rows for b in row]

    def button(self, label: str) -> dict[str, Any] | None:
        """The inline button whose text equals the label, else the first that contains it."""
        buttons = self.inline_buttons
        exact = [b for b in buttons if b["text"] == label]
        near = [b for b in buttons if label in b["text"]]
        return (exact or near or [None])[0]

    def callback_data_for(self, label: str) -> str:
        button = self.button(label)
        if button is None or "callback_data" not in button:
            raise AssertionError(f"no callback button {label!r} on message: {self.buttons}")
        return str(button["callback_data"])

    def matches(self, pattern: Pattern) -> bool:
        if isinstance(pattern, re.Pattern):
            return pattern.search(self.text) is not None
        return pattern in self.text

    def line(self, name: str) -> str:
        who = "bot" if self.from_bot else name
        arrow = "←" if self.from_bot else "→"
        body = self.text if self.kind == "text" else f"[{self.kind}] {self.text}".rstrip()
        extras = []
        if self.buttons:
            extras.append("buttons: " + " | ".join(self.buttons))
        if self.keyboard:
            extras.append("keyboard: " + " | ".join(self.keyboard))
        if self.edited:
            extras.append("edited")
        if self.deleted:
            extras.append("deleted")
        suffix = f"  ({'; '.join(extras)})" if extras else ""
        return f"{arrow} #{self.message_id} s{self.seq} {who}: {body}{suffix}"


class SandboxClient:
    """The control API of a running sandbox (its base URL, e.g. ``http://127.0.0.1:8080``)."""

    def __init__(self, base_url: str, *, session: aiohttp.ClientSession | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = session
        self._own_session = session is None
        self._closed = False

    async def __aenter__(self) -> SandboxClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        self._closed = True
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        data: Any = None,
        wait: float = 0,
    ) -> Any:
        """One control-API call; raises SandboxError on an error answer."""
        if self._closed:  # a session opened now would never be closed
            raise SandboxError(f"{method} {path}: the sandbox client is already closed")
        if self._session is None:
            self._session = aiohttp.ClientSession()
        timeout = aiohttp.ClientTimeout(total=wait + 30)
        async with self._session.request(
            method, self.base_url + path, json=json, params=params, data=data, timeout=timeout
        ) as resp:
            body = await resp.json(content_type=None)
            if resp.status >= 400:
                raise SandboxError(f"{method} {path} → {resp.status}: {body}")
            return body

    async def persona(self, name: str, lang: str = "zh-hans", **options: Any) -> Persona:
        """Create a persona (a fresh user id unless `user_id` is given); the sandbox's other
        options (`username`, `title`, `last_name`) pass through as they are."""
        body = {"name": name, "language_code": lang, **options}
        info = await self.request("POST", "/api/personas", json=body)
        return Persona(self, info)

    async def persona_for(self, user_id: int) -> Persona:
        """Adopt a persona that already exists (e.g. one of the demo's)."""
        return Persona(self, await self.request("GET", f"/api/personas/{user_id}"))

    async def personas_for(self, *user_ids: int) -> list[Persona]:
        """Adopt several existing personas at once, in the order given."""
        return [await self.persona_for(user_id) for user_id in user_ids]

    async def personas(self) -> list[dict[str, Any]]:
        return list((await self.request("GET", "/api/personas"))["personas"])

    async def status(self) -> dict[str, Any]:
        return dict(await self.request("GET", "/api/status"))

    async def wait_bot_alive(self, timeout: float = 10) -> dict[str, Any]:
        """Wait until the bot polls (or has a webhook); AssertionError after timeout."""
        deadline = time.monotonic() + timeout
        while True:
            status = await self.status()
            if status["alive"]:
                return status
            if time.monotonic() > deadline:
                raise AssertionError(f"the bot is not alive after {timeout}s: {status}")
            await asyncio.sleep(0.05)

    async def channel_posts(self, after_seq: int = 0, wait: float = 0) -> list[BotMessage]:
        view = await self.request(
            "GET", "/api/channel", params={"after_seq": after_seq, "wait": wait}, wait=wait
        )
        return [BotMessage.from_view(m) for m in view["messages"] if not m["deleted"]]

    async def expect_channel_post(self, pattern: Pattern, timeout: float = 10) -> BotMessage:
        """Wait for a channel post (new or edited) whose text matches."""
        deadline = time.monotonic() + timeout
        after = 0
        while True:
            view = await self.request(
                "GET",
                "/api/channel",
                params={"after_seq": after, "wait": max(deadline - time.monotonic(), 0)},
                wait=timeout,
            )
            for post in view["messages"]:
                message = BotMessage.from_view(post)
                if not message.deleted and message.matches(pattern):
                    return message
            after = view["seq"]
            if time.monotonic() >= deadline:
                raise AssertionError(f"no channel post matching {pattern!r} within {timeout}s")

    async def faults(self) -> dict[str, Any]:
        return dict(await self.request("GET", "/api/faults"))

    async def set_faults(self, **settings: Any) -> dict[str, Any]:
        """Partial update, e.g. ``set_faults(error_rate=0.2, flood={"enabled": True})``."""
        return dict(await self.request("PUT", "/api/faults", json=settings))

    async def stats(self) -> dict[str, Any]:
        return dict(await self.request("GET", "/api/stats"))

    async def deliveries(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        params = {"chat_id": chat_id} if chat_id is not None else None
        return list((await self.request("GET", "/api/deliveries", params=params))["deliveries"])

    async def reset(self, *, commands: bool = False, webhook: bool = False) -> None:
        await self.request("POST", "/api/reset", json={"commands": commands, "webhook": webhook})


class Persona:
    """One person in the sandbox, with a cursor over what the bot said to them."""

    def __init__(self, kit: SandboxClient, info: dict[str, Any]) -> None:
        self.kit = kit
        self.user_id: int = info["user_id"]
        self.name: str = info["name"]
        self.language_code: str = info["language_code"]
        self.cursor: int = info["seq"]  # bot output up to here is considered seen
        self._notice_cursor: int = info["seq"]
        self._seen_seq = 0  # how far the local copy of the chat is up to date
        self._messages: dict[int, BotMessage] = {}
        self._notices: list[dict[str, Any]] = []
        self.reply_keyboard: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"<Persona {self.user_id} {self.name}>"

    @property
    def path(self) -> str:
        return f"/api/personas/{self.user_id}"

    async def _post(self, suffix: str, **kwargs: Any) -> Any:
        result = await self.kit.request("POST", self.path + suffix, **kwargs)
        if "message" in result:
            self._merge([result["message"]])
        return result

    # -- acting -------------------------------------------------------------------------

    async def send(self, text: str, *, reply_to: int | None = None) -> BotMessage:
        """Send a text (a leading /command is marked as bot_command, as Telegram does)."""
        body = {"text": text, "reply_to_message_id": reply_to}
        return BotMessage.from_view((await self._post("/messages", json=body))["message"])

    async def send_sticker(self, emoji: str = "👍") -> BotMessage:
        result = await self._post("/stickers", json={"emoji": emoji})
        return BotMessage.from_view(result["message"])

    async def send_photo(
        self, data: bytes | None = None, caption: str | None = None
    ) -> BotMessage:
        if data is None:
            result = await self._post("/photos", json={"caption": caption})
        else:
            form = aiohttp.FormData(quote_fields=False)
            form.add_field("file", data, filename="photo.jpg", content_type="image/jpeg")
            if caption:
                form.add_field("caption", caption)
            result = await self._post("/photos", data=form)
        return BotMessage.from_view(result["message"])

    async def send_contact(self, phone_number: str | None = None) -> BotMessage:
        """Share the persona's own phone number (a request_contact button's press)."""
        result = await self._post("/contacts", json={"phone_number": phone_number})
        return BotMessage.from_view(result["message"])

    async def send_voice(self, duration: int = 3) -> BotMessage:
        result = await self._post("/voices", json={"duration": duration})
        return BotMessage.from_view(result["message"])

    async def send_document(
        self,
        content: bytes | str = b"sandbox document\n",
        file_name: str = "document.txt",
        mime_type: str = "text/plain",
        caption: str | None = None,
    ) -> BotMessage:
        form = aiohttp.FormData(quote_fields=False)
        data = content.encode() if isinstance(content, str) else content
        form.add_field("file", data, filename=file_name, content_type=mime_type)
        if caption:
            form.add_field("caption", caption)
        result = await self._post("/documents", data=form)
        return BotMessage.from_view(result["message"])

    async def press_data(self, message_id: int, callback_data: str) -> str:
        """Press with any data on a bot message (forged buttons too); returns the query id."""
        body = {"message_id": message_id, "callback_data": callback_data}
        return str((await self._post("/press", json=body))["callback_query_id"])

    async def press(self, label: str) -> str:
        """Press the inline button labelled ``label`` (exact text, else containing it) on the
        most recent bot message that has one."""
        await self.refresh()
        live = [m for m in self._messages.values() if m.from_bot and not m.deleted]
        for message in sorted(live, key=lambda m: m.message_id, reverse=True):
            exact = any(b["text"] == label for b in message.inline_buttons)
            if exact:
                return await self.press_data(message.message_id, message.callback_data_for(label))
        for message in sorted(live, key=lambda m: m.message_id, reverse=True):
            if message.button(label) is not None:
                return await self.press_data(message.message_id, message.callback_data_for(label))
        raise AssertionError(f"{self.name}: no button {label!r} to press\n{self.transcript()}")

    async def open_url(self, url: str) -> BotMessage:
        """Tap a URL button to this bot (``t.me/<bot>?start=…``): the persona's ``/start …``."""
        result = await self._post("/open_url", json={"url": url})
        return BotMessage.from_view(result["message"])

    async def block(self, blocked: bool = True) -> None:
        """Block (or unblock) the bot, as a Telegram user can."""
        await self.kit.request("POST", self.path + "/block", json={"blocked": blocked})

    # -- reading ------------------------------------------------------------------------

    def _merge(self, views: list[dict[str, Any]]) -> None:
        for view in views:
            self._messages[view["message_id"]] = BotMessage.from_view(view)

    async def _poll(self, wait: float) -> None:
        view = await self.kit.request(
            "GET",
            self.path + "/chat",
            params={"after_seq": self._seen_seq, "wait": max(wait, 0)},
            wait=wait,
        )
        self._merge(view["messages"])
        known = {n["seq"] for n in self._notices}
        self._notices.extend(n for n in view["notices"] if n["seq"] not in known)
        self.reply_keyboard = view["reply_keyboard"]
        self._seen_seq = max(self._seen_seq, view["seq"])

    async def refresh(self) -> None:
        """Bring the local copy of the chat up to date (no waiting)."""
        await self._poll(0)

    def _unseen(self) -> list[BotMessage]:
        fresh = [
            m
            for m in self._messages.values()
            if m.from_bot and not m.deleted and m.seq > self.cursor
        ]
        return sorted(fresh, key=lambda m: m.seq)

    async def expect(self, pattern: Pattern, timeout: float = 10) -> BotMessage:
        """Wait for a new bot message or edit (after the cursor) whose text contains ``pattern``
        (or matches a compiled regex); move the cursor to it and return it."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self._unseen():
                if message.matches(pattern):
                    self.cursor = message.seq
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                await self.refresh()
                raise AssertionError(
                    f"{self.name}: no bot message matching {pattern!r} within {timeout}s\n"
                    + self.transcript()
                )
            await self._poll(remaining)

    async def expect_message(self, timeout: float = 10) -> BotMessage:
        """The next new bot message or edit, whatever it says."""
        return await self.expect(re.compile(""), timeout)

    async def expect_nothing(self, seconds: float = 1) -> None:
        """Assert the bot sends or edits nothing after the cursor for ``seconds``."""
        deadline = time.monotonic() + seconds
        while True:
            unseen = self._unseen()
            if unseen:
                lines = "\n".join(m.line(self.name) for m in unseen)
                raise AssertionError(
                    f"{self.name}: expected nothing from the bot, got:\n{lines}\n"
                    + self.transcript()
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            await self._poll(remaining)

    async def expect_notice(self, pattern: Pattern | None = None, timeout: float = 10) -> dict:
        """Wait for the bot's answer to a button press (answerCallbackQuery): text, show_alert."""
        deadline = time.monotonic() + timeout
        while True:
            for notice in self._notices:
                if notice["seq"] <= self._notice_cursor:
                    continue
                text = notice.get("text") or ""
                if (
                    pattern is None
                    or (isinstance(pattern, re.Pattern) and pattern.search(text))
                    or (isinstance(pattern, str) and pattern in text)
                ):
                    self._notice_cursor = notice["seq"]
                    return notice
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"{self.name}: no callback answer matching {pattern!r} within {timeout}s\n"
                    + self.transcript()
                )
            await self._poll(remaining)

    async def messages(self) -> list[BotMessage]:
        """The whole chat, both directions, oldest first (deleted messages left out)."""
        await self.refresh()
        live = [m for m in self._messages.values() if not m.deleted]
        return sorted(live, key=lambda m: m.message_id)

    async def last_bot_message(self) -> BotMessage:
        bot_messages = [m for m in await self.messages() if m.from_bot]
        if not bot_messages:
            raise AssertionError(f"{self.name}: the bot has said nothing")
        return bot_messages[-1]

    async def commands(self) -> list[dict[str, str]]:
        """The command menu the bot set for this persona (scope and language resolved)."""
        return list((await self.kit.request("GET", self.path + "/commands"))["commands"])

    def transcript(self, limit: int = 20) -> str:
        """The last lines of the chat as known locally, for failure messages."""
        ordered = sorted(self._messages.values(), key=lambda m: m.message_id)[-limit:]
        lines = [m.line(self.name) for m in ordered]
        lines += [
            f"  [answer s{n['seq']}] {n.get('text') or '(no text)'}"
            + (" (alert)" if n.get("show_alert") else "")
            for n in self._notices[-5:]
        ]
        header = f"--- chat of {self.name} ({self.user_id}), cursor s{self.cursor} ---"
        return "\n".join([header, *lines]) if lines else header + "\n(empty)"
