"""The self-editing progress message: edits only on change, throttled, 'not modified' taken
as success, a final report once nothing is pending, and a restarted updater carries on."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from aiogram.exceptions import TelegramBadRequest, TelegramServerError
from aiogram.methods import EditMessageText
from sqlalchemy import update

from bot.delivery.outbox import Outgoing, enqueue_many
from bot.delivery.progress_updater import ProgressUpdater
from bot.delivery.reachability import mark_unreachable
from bot.domain.clock import FakeClock
from bot.services.broadcast_progress import track
from bot.settings import Settings
from storage.db import SessionMaker
from storage.models.broadcast import BroadcastProgress
from storage.models.org import Person
from storage.models.outbox import OutboxMessage, OutboxStatus
from tests.kit.uow import unit_of_work

BATCH = "b1"
ADMIN_CHAT, PROGRESS_MESSAGE = 42, 7
METHOD = EditMessageText(text="x", chat_id=ADMIN_CHAT, message_id=PROGRESS_MESSAGE)


@dataclass
class FakeBot:
    """Records edits; raises the queued errors first."""

    edits: list[dict[str, Any]] = field(default_factory=list)
    errors: list[Exception] = field(default_factory=list)

    async def edit_message_text(self, **kwargs: Any) -> None:
        if self.errors:
            raise self.errors.pop(0)
        self.edits.append(kwargs)


def keyboard(batch_id: str, locale: str, finished: bool) -> Any:
    return None if finished else {"batch": batch_id}


@pytest.fixture
async def batch(sessionmaker: SessionMaker, settings: Settings, clock: FakeClock) -> None:
    """Three recipients, one pending row each, and the admin's progress message."""
    async with sessionmaker() as session, session.begin():
        await enqueue_many(
            session, [Outgoing(chat_id=c, text="x") for c in (1, 2, 3)], kind="broadcast",
            batch_id=BATCH, settings=settings, clock=clock,
        )  # fmt: skip
        track(
            session, batch_id=BATCH, chat_id=ADMIN_CHAT, message_id=PROGRESS_MESSAGE,
            locale="en",
        )  # fmt: skip


def updater(bot: FakeBot, sessionmaker: SessionMaker, settings: Settings, clock: FakeClock):  # type: ignore[no-untyped-def]
    tuned = settings.model_copy(update={"broadcast_progress_seconds": 5.0})
    return ProgressUpdater(bot, sessionmaker, tuned, keyboard, clock=clock)  # type: ignore[arg-type]


Watch = Callable[..., tuple[FakeBot, ProgressUpdater]]


@pytest.fixture
def watch(sessionmaker: SessionMaker, settings: Settings, clock: FakeClock) -> Watch:
    """`bot, progress = watch(*errors)`: an updater editing through a fake bot that raises
    `errors` first."""

    def start(*errors: Exception) -> tuple[FakeBot, ProgressUpdater]:
        bot = FakeBot(errors=list(errors))
        return bot, updater(bot, sessionmaker, settings, clock)

    return start


async def _set(sessionmaker: SessionMaker, chat_id: int, status: str, error: str | None = None):  # type: ignore[no-untyped-def]
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.chat_id == chat_id)
            .values(status=status, last_error=error)
        )


@pytest.mark.usefixtures("batch")
async def test_edits_only_when_counts_move_and_at_most_once_per_interval(
    sessionmaker: SessionMaker, clock: FakeClock, watch: Watch
) -> None:
    bot, progress = watch()
    assert await progress.run_once() == 1  # first pass shows the counts
    assert bot.edits[0]["chat_id"] == ADMIN_CHAT
    assert bot.edits[0]["message_id"] == PROGRESS_MESSAGE
    assert "sent 0 · pending 3" in bot.edits[0]["text"]
    assert bot.edits[0]["reply_markup"] == {"batch": BATCH}
    clock.advance(timedelta(seconds=10))
    assert await progress.run_once() == 0  # nothing moved: no edit
    await _set(sessionmaker, 1, OutboxStatus.SENT)
    clock.advance(timedelta(seconds=1))
    assert await progress.run_once() == 1
    await _set(sessionmaker, 2, OutboxStatus.SENT)
    clock.advance(timedelta(seconds=2))
    assert await progress.run_once() == 0  # moved, but the last edit is 2 s old
    clock.advance(timedelta(seconds=3))
    assert await progress.run_once() == 1
    assert "sent 2 · pending 1" in bot.edits[-1]["text"]


@pytest.mark.usefixtures("batch")
async def test_final_report_groups_failures_counts_unreachable_and_ends_the_updates(
    sessionmaker: SessionMaker, clock: FakeClock, watch: Watch
) -> None:
    bot, progress = watch()
    await progress.run_once()
    async with sessionmaker() as session, session.begin():
        session.add(Person(telegram_id=2, name="Gone"))
    await _set(sessionmaker, 1, OutboxStatus.SENT)
    await _set(sessionmaker, 3, OutboxStatus.FAILED, "Bad Request: chat not found")
    await _set(sessionmaker, 2, OutboxStatus.FAILED, "Forbidden: bot was blocked")
    async with sessionmaker() as session, session.begin():
        await mark_unreachable(session, 2, "Forbidden: bot was blocked", clock.now())
    # Right after the last progress edit: the final report is never held back.
    assert await progress.run_once() == 1
    report = bot.edits[-1]
    assert "Broadcast report" in report["text"]
    assert "sent 1 · failed 2 · cancelled 0" in report["text"]
    assert "unreachable (blocked or deactivated the bot): 1" in report["text"]
    assert "· Bad Request: chat not found: 1" in report["text"]
    assert "· Forbidden: bot was blocked: 1" in report["text"]
    assert report["reply_markup"] is None
    async with unit_of_work(sessionmaker) as session:
        row = await session.get(BroadcastProgress, BATCH)
    assert row is not None and row.finished_at == clock.now()
    clock.advance(timedelta(minutes=1))
    assert await progress.run_once() == 0 and len(bot.edits) == 2


@pytest.mark.usefixtures("batch")
async def test_not_modified_counts_as_shown_and_a_transient_error_is_retried(
    sessionmaker: SessionMaker, clock: FakeClock, watch: Watch
) -> None:
    bot, progress = watch(
        TelegramServerError(METHOD, "Internal Server Error"),
        TelegramBadRequest(METHOD, "Bad Request: message is not modified"),
    )
    assert await progress.run_once() == 0  # 5xx: nothing recorded, the next pass retries
    async with unit_of_work(sessionmaker) as session:
        row = await session.get(BroadcastProgress, BATCH)
    assert row is not None and row.shown is None
    await progress.run_once()  # "not modified": a Refresh tap had shown it already
    async with unit_of_work(sessionmaker) as session:
        row = await session.get(BroadcastProgress, BATCH)
    assert row is not None and row.shown == "0/3/0/0" and row.finished_at is None
    clock.advance(timedelta(seconds=10))
    assert await progress.run_once() == 0 and bot.edits == []  # nothing new to show


@pytest.mark.usefixtures("batch")
async def test_a_message_that_cannot_be_edited_is_given_up(
    sessionmaker: SessionMaker, watch: Watch
) -> None:
    _, progress = watch(TelegramBadRequest(METHOD, "Bad Request: message to edit not found"))
    await progress.run_once()
    async with unit_of_work(sessionmaker) as session:
        row = await session.get(BroadcastProgress, BATCH)
    assert row is not None and row.finished_at is not None


@pytest.mark.usefixtures("batch")
async def test_a_restarted_updater_keeps_editing_the_same_message(
    sessionmaker: SessionMaker, settings: Settings, clock: FakeClock
) -> None:
    before = FakeBot()
    await updater(before, sessionmaker, settings, clock).run_once()
    for chat in (1, 2, 3):
        await _set(sessionmaker, chat, OutboxStatus.SENT)
    after = FakeBot()  # a new process: only the database remembers the message
    assert await updater(after, sessionmaker, settings, clock).run_once() == 1
    assert (after.edits[0]["chat_id"], after.edits[0]["message_id"]) == (
        ADMIN_CHAT,
        PROGRESS_MESSAGE,
    )
    assert "Broadcast report" in after.edits[0]["text"]


async def test_the_loop_runs_passes_until_stopped(
    sessionmaker: SessionMaker, settings: Settings, clock: FakeClock, batch: None
) -> None:
    bot = FakeBot()
    tuned = settings.model_copy(update={"broadcast_progress_seconds": 0.01})
    progress = ProgressUpdater(bot, sessionmaker, tuned, keyboard, clock=clock)  # type: ignore[arg-type]
    await progress.start()
    for chat in (1, 2, 3):
        await _set(sessionmaker, chat, OutboxStatus.SENT)
    for _ in range(200):
        if any("Broadcast report" in e["text"] for e in bot.edits):
            break
        await asyncio.sleep(0.01)
    await progress.stop()
    assert any("Broadcast report" in e["text"] for e in bot.edits)
