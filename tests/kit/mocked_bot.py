"""A Bot whose session records every request and answers like Telegram would (no network).

Dispatcher-level tests feed updates with `dp.feed_update(bot, update)` and read `bot.sent`.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import CallbackQuery, Chat, InlineKeyboardMarkup, Message, Update, User

BOT_USER = User(id=42, is_bot=True, first_name="清风", username="qingfeng_bot")


class RecordingSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []
        self.refused: list[TelegramMethod[Any]] = []
        self._ids = itertools.count(1000)
        self._answered: set[str] = set()

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        if isinstance(method, AnswerCallbackQuery):
            # Like Telegram: a button press takes one answer; a second is refused.
            if method.callback_query_id in self._answered:
                self.refused.append(method)
                raise TelegramBadRequest(
                    method, "Bad Request: query is too old or already answered"
                )
            self._answered.add(method.callback_query_id)
        self.requests.append(method)
        return self._answer(method)  # type: ignore[return-value]

    def _answer(self, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, GetMe):
            return BOT_USER
        if isinstance(method, SendMessage | SendPhoto | SendDocument):
            return Message(
                message_id=next(self._ids),
                date=datetime.now(UTC),
                chat=Chat(id=int(method.chat_id), type="private"),
                from_user=BOT_USER,
                text=getattr(method, "text", None),
                reply_markup=_inline_only(method.reply_markup),
            )
        if isinstance(method, EditMessageText | EditMessageReplyMarkup):
            return Message(
                message_id=int(method.message_id or 0),
                date=datetime.now(UTC),
                chat=Chat(id=int(method.chat_id or 0), type="private"),
                from_user=BOT_USER,
                text=getattr(method, "text", None),
                reply_markup=method.reply_markup,
            )
        return True

    async def close(self) -> None:
        pass

    async def stream_content(  # pragma: no cover - never downloads
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""


def _inline_only(markup: object) -> InlineKeyboardMarkup | None:
    """A sent message carries only an inline keyboard; reply keyboards are not echoed back."""
    return markup if isinstance(markup, InlineKeyboardMarkup) else None


class MockedBot(Bot):
    def __init__(self) -> None:
        super().__init__(
            "42:TEST",
            session=RecordingSession(),
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )
        self._me = BOT_USER

    @property
    def recording(self) -> RecordingSession:
        return self.session  # type: ignore[return-value]

    def sent(self, chat_id: int | None = None) -> list[TelegramMethod[Any]]:
        """Messages sent or edited (optionally to one chat), oldest first."""
        kinds = (SendMessage, SendPhoto, SendDocument, EditMessageText, EditMessageReplyMarkup)
        return [
            m
            for m in self.recording.requests
            if isinstance(m, kinds)
            and (chat_id is None or int(getattr(m, "chat_id", 0) or 0) == chat_id)
        ]

    def last_sent(self, chat_id: int, kind: Any = SendMessage) -> Any:
        """The last message of `kind` (a method class, or a union of them) sent to the chat."""
        sent = [m for m in self.sent(chat_id) if isinstance(m, kind)]
        assert sent, f"nothing was sent to {chat_id}"
        return sent[-1]

    def last_text(self, chat_id: int) -> str:
        for method in reversed(self.sent(chat_id)):
            text = getattr(method, "text", None)
            if text:
                return str(text)
        raise AssertionError(f"nothing was sent to {chat_id}")

    def clear(self) -> None:
        self.recording.requests.clear()


_update_ids = itertools.count(1)


def user(user_id: int, *, language_code: str | None = "zh-hans", name: str = "测试") -> User:
    return User(id=user_id, is_bot=False, first_name=name, language_code=language_code)


def message_update(
    from_user: User,
    text: str | None = None,
    *,
    sticker: bool = False,
    message_id: int = 1,
    group: bool = False,
) -> Update:
    """A message from `from_user` in their private chat (or in a group, `group=True`)."""
    extra: dict[str, Any] = {}
    if sticker:
        extra["sticker"] = {
            "file_id": "sticker-1",
            "file_unique_id": "s1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    if text and text.startswith("/"):
        extra["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return Update(
        update_id=next(_update_ids),
        message=Message(
            message_id=message_id,
            date=datetime.now(UTC),
            chat=Chat(id=-from_user.id, type="group")
            if group
            else Chat(id=from_user.id, type="private"),
            from_user=from_user,
            text=text,
            **extra,
        ),
    )


def callback_update(from_user: User, data: str, *, message_id: int = 1000) -> Update:
    return Update(
        update_id=next(_update_ids),
        callback_query=CallbackQuery(
            id=str(next(_update_ids)),
            from_user=from_user,
            chat_instance="ci",
            data=data,
            message=Message(
                message_id=message_id,
                date=datetime.now(UTC),
                chat=Chat(id=from_user.id, type="private"),
                from_user=BOT_USER,
                text="…",
            ),
        ),
    )
