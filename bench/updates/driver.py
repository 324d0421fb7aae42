"""The load: personas doing the same steps through the sandbox, at a fixed rate or closed loop.

Any number of bot processes may poll the sandbox behind it (one bot, the echo bot, two
replicas): the driver only talks to the sandbox's control API, sends a step and waits (long
poll) for the bot's answer in that persona's chat.

    driver = Driver(http, api_url, user_ids)
    phase = await driver.fixed_rate(rate=200, seconds=10)
    phase = await driver.closed_loop(seconds=10)

Each phase waits for every step it started to be answered (the backlog drains): a step is
failed only when the bot answered with its failure text, or never answered at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

STEPS = ("start", "help", "risks", "page")
TEXTS = {"start": "/start", "help": "/help", "risks": "/risks"}
# errors.unexpected in both languages: the person was told their step was lost.
FAILURE_TEXTS = ("出了点问题", "Something went wrong")
# Past what the machine can do, updates wait in the sandbox's queue: a step is given this long
# before it counts as never answered (lost), so a slow answer is measured, not failed.
REPLY_TIMEOUT = 300.0
NO_ANSWER = "no answer"


@dataclass(frozen=True)
class Sample:
    kind: str
    started: float
    seconds: float
    ok: bool
    # Why it failed: NO_ANSWER (none within REPLY_TIMEOUT) or the failure text the bot showed.
    reason: str = ""

    @property
    def answered(self) -> float:
        return self.started + self.seconds


@dataclass
class Persona:
    user_id: int
    step_index: int = 0
    # The /risks answer and its page button, pressed by the next "page" step.
    list_message: int | None = None
    page_data: str | None = None
    busy: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def next_kind(self) -> str:
        kind = STEPS[self.step_index % len(STEPS)]
        self.step_index += 1
        # A list of one page shows no page button, and a person cannot press one that is not
        # there (pressing the page shown changes nothing, and nothing comes back).
        if kind == "page" and (self.list_message is None or self.page_data is None):
            return "risks"
        return kind


@dataclass(frozen=True)
class Phase:
    samples: list[Sample]
    # Seconds the fixed schedule slipped at most (no persona free to take the next step).
    slip_s: float
    # Seconds from the last step offered (fixed rate) or the loop's end (closed loop) until
    # the last one was answered: how long the backlog took to drain.
    drain_s: float


def _page_button(view: dict[str, Any]) -> str | None:
    rows = (view.get("reply_markup") or {}).get("inline_keyboard") or []
    pages = [
        b["callback_data"]
        for row in rows
        for b in row
        if b.get("callback_data", "").startswith("pg:")
    ]
    return pages[-1] if pages else None


class Driver:
    def __init__(self, http: aiohttp.ClientSession, api: str, user_ids: list[int]) -> None:
        self.http = http
        self.api = api
        self.personas = [Persona(user_id) for user_id in user_ids]

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with self.http.post(f"{self.api}/api{path}", json=body) as resp:
            data: dict[str, Any] = await resp.json()
            if resp.status >= 400:
                raise RuntimeError(f"sandbox {path}: {data}")
            return data

    async def step(self, persona: Persona, kind: str | None = None) -> Sample:
        """One step of `persona` (its next in the mix unless `kind`), until the bot answers."""
        kind = kind or persona.next_kind()
        base = f"/personas/{persona.user_id}"
        started = time.monotonic()
        if kind == "page":
            if not (persona.list_message and persona.page_data):
                raise RuntimeError(f"persona {persona.user_id} has no page button to press")
            sent = await self._post(
                base + "/press",
                {"message_id": persona.list_message, "callback_data": persona.page_data},
            )
        else:
            sent = await self._post(base + "/messages", {"text": TEXTS[kind]})
        after = int(sent["seq"])
        ok, reason = False, NO_ANSWER
        deadline = started + REPLY_TIMEOUT
        while time.monotonic() < deadline:
            params = {"after_seq": after, "wait": max(0.0, deadline - time.monotonic())}
            async with self.http.get(f"{self.api}/api{base}/chat", params=params) as resp:
                view = await resp.json()
            # A refused press is answered with an alert (a notice), not a message.
            alerts = [n.get("text") or "" for n in view.get("notices", []) if n["seq"] > after]
            failed = [t for t in alerts if any(mark in t for mark in FAILURE_TEXTS)]
            if failed:
                reason = failed[-1][:60]
                break
            answers = [m for m in view["messages"] if m["from_bot"] and m["seq"] > after]
            if answers:
                answer = answers[-1]
                text = answer.get("text") or ""
                ok = not any(mark in text for mark in FAILURE_TEXTS)
                reason = "" if ok else text[:60]
                if kind == "risks":
                    persona.list_message = answer["message_id"]
                if kind in ("risks", "page"):
                    # The next press turns on from the page shown (never to the same page).
                    persona.page_data = _page_button(answer)
                break
            after = max(after, int(view["seq"]))
        return Sample(kind, started, time.monotonic() - started, ok, reason)

    async def one_at_a_time(self, kinds: tuple[str, ...] = STEPS) -> list[Sample]:
        """Each kind once, for the first persona, nothing else going on."""
        persona = self.personas[0]
        return [await self.step(persona, kind) for kind in kinds]

    async def fixed_rate(self, rate: float, seconds: float) -> Phase:
        """Steps started at `rate` a second, each by a persona not waiting for an answer."""
        samples: list[Sample] = []
        free: asyncio.Queue[Persona] = asyncio.Queue()
        for persona in self.personas:
            free.put_nowait(persona)
        tasks: set[asyncio.Task[None]] = set()
        slip = 0.0

        async def run(persona: Persona) -> None:
            try:
                samples.append(await self.step(persona))
            finally:
                free.put_nowait(persona)

        begin = time.monotonic()
        count = int(rate * seconds)
        for i in range(count):
            due = begin + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            persona = await free.get()
            slip = max(slip, time.monotonic() - due)
            task = asyncio.create_task(run(persona))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        offered = time.monotonic()
        if tasks:
            await asyncio.gather(*tasks)
        return Phase(samples, slip, time.monotonic() - offered)

    async def closed_loop(self, seconds: float) -> Phase:
        """Every persona steps again as soon as it is answered, for `seconds`."""
        samples: list[Sample] = []
        stop_at = time.monotonic() + seconds

        async def loop(persona: Persona) -> None:
            while time.monotonic() < stop_at:
                samples.append(await self.step(persona))

        await asyncio.gather(*(loop(p) for p in self.personas))
        return Phase(samples, 0.0, max(0.0, time.monotonic() - stop_at))


PROBE_USER = 9_000_000_001


async def wait_first_answer(
    http: aiohttp.ClientSession, api: str, since: float, timeout: float = 120
) -> float:
    """Seconds from `since` (monotonic) until a freshly started bot answered a message that
    was waiting for it (a probe persona's /help): its start-up, to the first answer."""
    probe = {"name": "Probe", "user_id": PROBE_USER, "lang": "zh-hans"}
    async with http.post(f"{api}/api/personas", json=probe) as resp:
        await resp.read()
    body = {"text": "/help"}
    async with http.post(f"{api}/api/personas/{PROBE_USER}/messages", json=body) as resp:
        after = int((await resp.json())["seq"])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        params = {"after_seq": after, "wait": 1}
        with contextlib.suppress(aiohttp.ClientError):
            async with http.get(f"{api}/api/personas/{PROBE_USER}/chat", params=params) as resp:
                view = await resp.json()
            if any(m["from_bot"] for m in view["messages"]):
                return time.monotonic() - since
    raise RuntimeError(f"no bot answered within {timeout}s")
