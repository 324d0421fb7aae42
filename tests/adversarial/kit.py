"""The adversarial suite's kit: who writes what (committed writes only), what each input got
back, and the counts printed at the end of the run.

`WriteWatch` listens on the engine: every INSERT / UPDATE / DELETE of a domain table is noted on
its connection and kept only if that connection commits (a refusal's rolled-back flush is no
write). `Tally` counts inputs tried, refused correctly, tracebacks, unintended writes and
messages lost; each test records its tally in `COUNTS_DIR`, and the run's total is printed by
`tests/conftest.py` (`summarise`) at the end (under pytest-xdist too).
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from aiogram import Dispatcher
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendDocument, SendMessage
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.i18n import translate
from storage.base import Base
from tests.kit.mocked_bot import MockedBot, callback_update, message_update, user

COUNTS_DIR = Path(__file__).resolve().parents[2] / "build" / "adversarial"
# Bookkeeping of the machinery, not the record: conversation state, seen update ids, contacts.
NOT_A_WRITE = {"fsm_records", "processed_updates", "job_states", "people"}
_WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)
UNEXPECTED = {translate("errors.unexpected", locale) for locale in ("zh", "en")}


class WriteWatch:
    """Committed writes to domain tables, as (table, statement) pairs."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.committed: list[tuple[str, str]] = []
        self.engine = engine.sync_engine
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)
        event.listen(self.engine, "rollback", self._rollback)

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._commit)
        event.remove(self.engine, "rollback", self._rollback)

    def _statement(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        found = _WRITE.match(statement)
        if found and found.group(2).lower() not in NOT_A_WRITE:
            conn.info.setdefault("qf_writes", []).append((found.group(2), statement[:80]))

    def _commit(self, conn: Any) -> None:
        self.committed += conn.info.pop("qf_writes", [])

    def _rollback(self, conn: Any) -> None:
        conn.info.pop("qf_writes", None)

    def take(self) -> list[tuple[str, str]]:
        taken, self.committed = self.committed, []
        return taken


@dataclass
class Tally:
    tried: int = 0
    refused: int = 0
    tracebacks: int = 0
    unintended_writes: int = 0
    lost: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, what: str) -> None:
        if len(self.problems) < 30:
            self.problems.append(what)

    def judge(self, what: str, *, crashed: bool, wrote: bool, answered: bool) -> None:
        """Count one input: a traceback, a write, no clear answer, or refused correctly."""
        self.tried += 1
        if crashed:
            self.tracebacks += 1
            self.problem(f"{what}: traceback")
        elif wrote:
            self.unintended_writes += 1
            self.problem(f"{what}: wrote")
        elif not answered:
            self.lost += 1
            self.problem(f"{what}: no clear answer")
        else:
            self.refused += 1

    def kept(
        self, what: str, typed: str, stored: str | None, texts: list[str], *, crashed: bool,
        echoes: bool = False,
    ) -> None:  # fmt: skip
        """Count one valid input: it must be stored exactly as typed, and what was sent back
        must parse as Telegram's HTML, never show it raw (unescaped) and, if the step
        `echoes` it, show it escaped."""
        self.tried += 1
        shown = html.escape(typed, quote=False)
        if crashed:
            self.tracebacks += 1
            self.problem(f"{what}: traceback")
        elif (
            stored != typed
            or not all(parses_as_html(said) for said in texts)
            or (echoes and not any(shown in said for said in texts))
            or (typed != shown and any(typed in said for said in texts))
        ):
            self.lost += 1
            self.problem(f"{what}: stored {stored!r}, shown {texts}")
        else:
            self.refused += 1

    def save(self, name: str) -> None:
        COUNTS_DIR.mkdir(parents=True, exist_ok=True)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        safe = re.sub(r"[^\w.-]+", "_", name)[:150]
        counts = {k: v for k, v in asdict(self).items() if k != "problems"}
        (COUNTS_DIR / f"{worker}-{safe}.json").write_text(json.dumps(counts))

    def assert_clean(self) -> None:
        assert (self.tracebacks, self.unintended_writes, self.lost) == (0, 0, 0), self.problems


class Tracebacks(logging.Handler):
    """Every log record carrying an exception: an input that crashed somewhere."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.levelno >= logging.ERROR:
            self.records.append(record)

    def take(self) -> list[logging.LogRecord]:
        taken, self.records = self.records, []
        return taken


@dataclass(frozen=True)
class Reply:
    """What one input got back: answers to the press, and texts sent or edited."""

    answers: list[str]
    texts: list[str]

    @property
    def any(self) -> bool:
        return bool(self.answers or self.texts)

    @property
    def unexpected(self) -> bool:
        return any(text in UNEXPECTED for text in [*self.answers, *self.texts])


def since(bot: MockedBot, start: int, chat_id: int) -> Reply:
    answers: list[str] = []
    texts: list[str] = []
    for method in bot.recording.requests[start:]:
        if isinstance(method, AnswerCallbackQuery):
            answers.append(method.text or "")
        elif isinstance(method, SendMessage | EditMessageText | SendDocument) and (
            int(getattr(method, "chat_id", 0) or 0) == chat_id
        ):
            texts.append(str(getattr(method, "text", None) or getattr(method, "caption", "")))
    return Reply(answers, texts)


async def press(dp: Dispatcher, bot: MockedBot, telegram_id: int, data: str) -> Reply:
    start = len(bot.recording.requests)
    await dp.feed_update(bot, callback_update(user(telegram_id), data))
    return since(bot, start, telegram_id)


async def say(dp: Dispatcher, bot: MockedBot, telegram_id: int, text: str) -> Reply:
    start = len(bot.recording.requests)
    await dp.feed_update(bot, message_update(user(telegram_id), text))  # type: ignore[arg-type]
    return since(bot, start, telegram_id)


COUNTS = ("tried", "refused", "tracebacks", "unintended_writes", "lost")


def summarise(terminalreporter: Any) -> None:
    """The run's counts, one line, from every worker's files (then removed for the next run)."""
    if not COUNTS_DIR.is_dir():
        return
    total = dict.fromkeys(COUNTS, 0)
    for path in COUNTS_DIR.glob("*.json"):
        for name, value in json.loads(path.read_text()).items():
            total[name] = total.get(name, 0) + value
    shutil.rmtree(COUNTS_DIR, ignore_errors=True)
    line = ", ".join(f"{name.replace('_', ' ')} {total[name]}" for name in COUNTS)
    clean = not any(total[name] for name in COUNTS[2:])  # only the first two may be non-zero
    terminalreporter.write_sep("-", f"adversarial: {line}", green=clean, red=not clean)


async def tap(dp: Dispatcher, bot: MockedBot, telegram_id: int, label: str) -> Reply:
    """Press the newest button captioned `label` in this chat, as a person would."""
    for method in reversed(bot.sent(telegram_id)):
        markup = getattr(method, "reply_markup", None)
        for row in getattr(markup, "inline_keyboard", None) or []:
            for button in row:
                if button.text == label and button.callback_data:
                    return await press(dp, bot, telegram_id, button.callback_data)
    raise AssertionError(f"no button {label!r} for {telegram_id}")


# One thing a person does: ("say", text), ("tap", a button's caption), ("first", "") for the
# first button of the newest keyboard, ("press", callback data, or a function of the world
# giving it), ("do", an async function of the world: what the world does meanwhile).
Action = tuple[str, Any]


async def act(
    dp: Dispatcher, bot: MockedBot, telegram_id: int, actions: Any, world: Any = None
) -> Reply:
    """Do `actions` (a sequence of `Action`) in turn; what they got back, together."""
    start = len(bot.recording.requests)
    for verb, value in actions:
        if verb == "say":
            await say(dp, bot, telegram_id, value)
        elif verb == "tap":
            await tap(dp, bot, telegram_id, value)
        elif verb == "first":
            await tap_first(dp, bot, telegram_id)
        elif verb == "do":
            await value(world)
        else:
            data = value(world) if callable(value) else value
            await press(dp, bot, telegram_id, data if isinstance(data, str) else data.pack())
    return since(bot, start, telegram_id)


async def tap_first(dp: Dispatcher, bot: MockedBot, telegram_id: int) -> Reply:
    """Press the first button of the newest keyboard in this chat."""
    for method in reversed(bot.sent(telegram_id)):
        rows = getattr(getattr(method, "reply_markup", None), "inline_keyboard", None) or []
        for row in rows:
            for button in row:
                if button.callback_data:
                    return await press(dp, bot, telegram_id, button.callback_data)
    raise AssertionError(f"no button for {telegram_id}")


class Killed(BaseException):
    """The process dies here: not an Exception, so no handler or error router catches it."""


class KillAt:
    """Raise `Killed` at the `n`th data-changing statement (or at the commit after the last)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine.sync_engine
        self.n = 0
        self.seen = 0
        self.fired = False
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)

    def arm(self, n: int) -> None:
        self.n, self.seen, self.fired = n, 0, False

    def _tick(self) -> None:
        if self.n and not self.fired:
            self.seen += 1
            if self.seen == self.n:
                self.fired = True
                raise Killed()

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            self._tick()

    def _commit(self, _conn: Any) -> None:
        self._tick()

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._commit)


@contextlib.contextmanager
def crash_watch(
    engine: AsyncEngine, request: Any, label: str
) -> Iterator[tuple[Tally, KillAt, Tracebacks]]:
    """A crash test's tally and fault hook; tracebacks logged meanwhile are counted, and the
    tally is saved and printed at the end. Usage::

        with crash_watch(engine, request, "review crashes") as (tally, kill, crashes): ...
    """
    kill, crashes = KillAt(engine), Tracebacks()
    with _tallied(request, label, crashes, kill.close) as tally:
        yield tally, kill, crashes


@contextlib.contextmanager
def watching(
    engine: AsyncEngine, request: Any, label: str
) -> Iterator[tuple[Tally, Tracebacks, WriteWatch]]:
    """An input test's tally, traceback log and write watch; saved and printed at the end."""
    crashes, watch = Tracebacks(), WriteWatch(engine)
    with _tallied(request, label, crashes, watch.close) as tally:
        yield tally, crashes, watch


@contextlib.contextmanager
def _tallied(
    request: Any, label: str, crashes: Tracebacks, close: Callable[[], None]
) -> Iterator[Tally]:
    """A tally with tracebacks counted meanwhile; `close` the hook, save and print at the end."""
    tally = Tally()
    logging.getLogger().addHandler(crashes)
    try:
        yield tally
    finally:
        logging.getLogger().removeHandler(crashes)
        close()
        tally.save(request.node.nodeid)
        print(f"{label}: {tally}")


async def tables_digest(engine: AsyncEngine) -> str:
    """Every committed row of every domain table, hashed: equal before and after an input
    means it changed nothing (the machinery's bookkeeping, `NOT_A_WRITE`, left out)."""
    digest = hashlib.sha256()
    async with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in NOT_A_WRITE:
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            rows = await connection.execute(select(table).order_by(*order))
            for row in rows:
                digest.update(repr((table.name, tuple(row))).encode())
    return digest.hexdigest()


# The tags Telegram's HTML parse mode knows (https://core.telegram.org/bots/api#html-style).
TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                 "span", "tg-spoiler", "tg-emoji", "blockquote"}  # fmt: skip
_ENTITY = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")


_TAG = re.compile(r"<(/?)([a-z-]+)(?:\s[^<>]*)?>")


def parses_as_html(text: str) -> bool:
    """Whether Telegram would take `text` in HTML parse mode (known tags, each closed in
    order, no other `<`, every & an entity), rather than answer "can't parse entities"."""
    open_tags: list[str] = []
    for closing, tag in _TAG.findall(text):
        if tag not in TELEGRAM_TAGS or (closing and (not open_tags or open_tags.pop() != tag)):
            return False
        if not closing:
            open_tags.append(tag)
    return not (open_tags or "<" in _TAG.sub("", text) or _ENTITY.search(text))
