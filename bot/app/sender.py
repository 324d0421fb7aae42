"""The outbox sender: claims due rows under a lease, sends them through the Bot, records outcomes.

Wiring (the app does this once, at start-up)::

    pacer = Pacer.from_settings(settings)
    install_pacing(bot, pacer)            # every send of this Bot now shares the budget
    sender = OutboxSender(bot, sessionmaker, settings, pacer=pacer, clock=clock)
    await sender.start()                  # dp.startup
    ...
    await sender.stop()                   # dp.shutdown: finishes and records in-flight sends

A commit of a session that enqueued something wakes every running sender of the process
(`bot.app.outbox_wake`); other processes' rows are found by polling every
`delivery_poll_seconds`. The claim and lease statements are in `bot.delivery.lease`.

Crash safety: a row is claimed (status ``sending``, ``lease_until`` = now + lease) before it
is sent, and its outcome is written right after Telegram answers. After a crash, rows whose
lease expired are claimed again and sent, so nothing is lost. Only rows that were in flight
at the crash (sent, but outcome not yet written) can be sent twice: **at most
`delivery_concurrency` rows per crashed sender process**, since a sender works on at most that
many chats at once, with one request per chat on the wire, and records each outcome before
the chat's next send. Claimed rows still waiting for their turn were never sent. A row is
only sent while its lease has more than the request timeout left (else it goes back to the
queue), so a live sender never loses a lease mid-send and nothing else duplicates a message.

Several sender processes may run on PostgreSQL: the claim skips rows another claim has
locked (FOR UPDATE SKIP LOCKED). SQLite has one writer at a time, so claims never overlap.

Outcomes:
- sent: ``sent_at`` and ``telegram_message_id`` recorded;
- 429: paused as told (the chat, or all sends) and re-queued after ``retry_after``; not a
  failed attempt until `delivery_max_throttles` 429s, then each counts as one;
- 5xx, timeout, dropped connection (and other unexpected answers): retried with exponential
  backoff and jitter, ``failed`` with the reason after `delivery_max_attempts`;
- 403: the person is marked unreachable, this row fails, their other unsent rows are cancelled;
- 400 / 404: failed at once with Telegram's description.
Non-urgent retries wait out quiet hours; during quiet hours only urgent rows are claimed.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.types import BufferedInputFile
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import metrics
from bot.app.outbox_wake import add_waker, discard_waker
from bot.app.pacing import Pacer
from bot.app.pacing_middleware import bulk_sending
from bot.app.send_methods import build_method
from bot.delivery.lease import Claimed, claim_due, record_outcome
from bot.delivery.outbox import FILE_REF, UNREACHABLE_REASON
from bot.delivery.reachability import mark_unreachable
from bot.domain.clock import Clock
from bot.domain.quiet_hours import QuietHours
from bot.settings import Settings
from storage.db import SessionMaker
from storage.models.digest import OutboxFile
from storage.models.outbox import OutboxStatus

log = logging.getLogger(__name__)

# A claimed row whose chat is paused longer than this goes back to the queue, unsent.
_HOLD_AT_MOST = 2.0


class OutboxSender:
    """Sends the outbox; one per process (`start()`/`stop()`, or `run(stop_event)`)."""

    def __init__(
        self,
        bot: Bot,
        sessionmaker: SessionMaker,
        settings: Settings,
        *,
        pacer: Pacer,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.bot = bot
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.pacer = pacer
        self.clock = clock or Clock()
        self.rng = rng or random.Random()
        self.quiet_hours = QuietHours.from_settings(settings)
        self.concurrency = settings.delivery_concurrency
        self.lease = timedelta(seconds=settings.delivery_lease_seconds)
        if settings.delivery_lease_seconds < settings.delivery_request_timeout + 2 * _HOLD_AT_MOST:
            raise ValueError("DELIVERY_LEASE_SECONDS must exceed DELIVERY_REQUEST_TIMEOUT + 4")
        self._wakeup = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # One task per chat, each with at most one request on the wire at a time.
        self._in_flight: set[asyncio.Task[None]] = set()
        self._busy_chats: set[int] = set()  # one task per chat keeps a chat's order
        self._dead_chats: set[int] = set()  # answered 403 during this run

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Run in the background until `stop()`."""
        if self._task is None or self._task.done():
            self._stopping.clear()
            self._task = asyncio.create_task(self.run(self._stopping), name="outbox-sender")

    async def stop(self) -> None:
        """Stop claiming, let in-flight sends finish and be recorded, then return."""
        self._stopping.set()
        self.wake()
        if self._task is not None:
            await self._task
            self._task = None

    def wake(self) -> None:
        """Look for due rows now (called after a commit that enqueued something)."""
        self._wakeup.set()

    async def run(self, stop: asyncio.Event) -> None:
        """The loop: keep up to `delivery_concurrency` rows in flight until `stop` is set."""
        add_waker(self.wake)
        try:
            while not stop.is_set():
                try:
                    await self._step(stop)
                except Exception:
                    # The database may be briefly unavailable: log, wait, go on.
                    log.exception("outbox sender step failed")
                    await self._idle(stop, self.settings.delivery_poll_seconds)
        finally:
            discard_waker(self.wake)
            if self._in_flight:
                await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def _step(self, stop: asyncio.Event) -> None:
        pause = self.pacer.global_pause()
        if pause > 0:
            await self._idle(stop, pause)
            return
        free = self.concurrency - len(self._in_flight)
        # Claim in batches (half the slots at least): fewer claim transactions at full speed.
        if self._in_flight and free < max(1, self.concurrency // 2):
            await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
            return
        claimed = await self.claim(free, skip_chats=self._busy_chats)
        for chat_id, rows in _by_chat(claimed).items():
            self._busy_chats.add(chat_id)
            task = asyncio.create_task(self.deliver_chat(rows))
            self._in_flight.add(task)
            task.add_done_callback(functools.partial(self._done, chat_id))
        if claimed:
            return
        if self._in_flight:
            # Something finished or a commit woke us; either may free or add work.
            waker = asyncio.create_task(self._wakeup.wait())
            await asyncio.wait(
                {waker, *self._in_flight},
                timeout=self.settings.delivery_poll_seconds,
                return_when=asyncio.FIRST_COMPLETED,
            )
            waker.cancel()
            self._wakeup.clear()
        else:
            await self._idle(stop, self.settings.delivery_poll_seconds)

    def _done(self, chat_id: int, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._busy_chats.discard(chat_id)

    async def _idle(self, stop: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), seconds)
        self._wakeup.clear()

    async def process_due(self) -> int:
        """Claim and send what is due right now (up to the concurrency), wait for the outcomes.

        For tests and one-shot use; returns the number of rows handled.
        """
        claimed = await self.claim(self.concurrency)
        await asyncio.gather(*(self.deliver_chat(rows) for rows in _by_chat(claimed).values()))
        return len(claimed)

    async def drain(self, max_rounds: int = 10_000) -> int:
        """`process_due()` until nothing is due (now); returns the rows handled."""
        total = 0
        for _ in range(max_rounds):
            handled = await self.process_due()
            if not handled:
                break
            total += handled
        return total

    # --- claiming --------------------------------------------------------------------------

    async def claim(self, limit: int, skip_chats: Collection[int] = ()) -> list[Claimed]:
        """Lease up to `limit` due rows, best priority first; recovers expired leases.

        Rows to `skip_chats` (being sent to right now) wait, so a chat's messages keep order.
        """
        now = self.clock.now()
        async with self.sessionmaker() as session, session.begin():
            return await claim_due(
                session,
                now=now,
                lease_until=now + self.lease,
                limit=limit,
                urgent_only=self.quiet_hours.is_quiet(now),
                skip_chats=skip_chats,
                dead_chats=self._dead_chats,
            )

    # --- sending ---------------------------------------------------------------------------

    async def deliver_chat(self, rows: list[Claimed]) -> None:
        """Send one chat's claimed rows in order; once one is held back, so are the rest."""
        held_until: datetime | None = None
        for row in rows:
            try:
                if held_until is not None:
                    await self._finish(
                        row, status=OutboxStatus.PENDING, next_attempt_at=held_until
                    )
                else:
                    held_until = await self._deliver(row)
            except Exception:
                # Recording failed (database down?): the lease expires and the row is retried.
                log.exception("outbox row %s: could not record the outcome", row.id)

    async def deliver(self, row: Claimed) -> None:
        """Send one claimed row and record what happened."""
        await self.deliver_chat([row])

    async def _deliver(self, row: Claimed) -> datetime | None:
        """Send and record; returns when it is due again if it went back to the queue."""
        if row.chat_id in self._dead_chats:
            await self._finish(row, status=OutboxStatus.CANCELLED, last_error=UNREACHABLE_REASON)
            return None
        margin = timedelta(seconds=self.settings.delivery_request_timeout + _HOLD_AT_MOST)
        if self.clock.now() + margin > row.lease_until:
            # Too little lease left to send safely (a slow chat ahead of it): back to the queue.
            due = self.clock.now()
            await self._finish(row, status=OutboxStatus.PENDING, next_attempt_at=due)
            return due
        held = self.pacer.chat_wait(row.chat_id)
        if held > _HOLD_AT_MOST:
            # The chat is paused (a 429): give the slot to others, come back when it's free.
            due = self.clock.now() + timedelta(seconds=held)
            await self._finish(row, status=OutboxStatus.PENDING, next_attempt_at=due)
            return due
        try:
            method = build_method(row.chat_id, await self._with_files(row.payload))
        except (KeyError, ValidationError) as e:
            await self._finish(row, status=OutboxStatus.FAILED, last_error=f"bad payload: {e}")
            return None
        try:
            with bulk_sending():
                message = await self.bot(
                    method, request_timeout=self.settings.delivery_request_timeout
                )
        except TelegramRetryAfter as e:
            return await self._throttled(row, e)
        except TelegramForbiddenError as e:
            await self._forbidden(row, e)
            return None
        except TelegramMigrateToChat as e:
            await self._migrated(row, e)
            return None
        except (TelegramBadRequest, TelegramNotFound) as e:
            await self._finish(row, status=OutboxStatus.FAILED, last_error=_describe(e))
            return None
        except TelegramAPIError as e:
            # 5xx, network errors and timeouts, and anything else Telegram might answer.
            return await self._transient(row, _describe(e))
        await self._finish(
            row,
            status=OutboxStatus.SENT,
            sent_at=self.clock.now(),
            telegram_message_id=getattr(message, "message_id", None),
            last_error=None,
        )
        return None

    async def _with_files(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The payload with a stored file's bytes in place of its reference (a chart)."""
        photo = payload.get("photo")
        if not isinstance(photo, dict) or FILE_REF not in photo:
            return payload
        async with self.sessionmaker() as session:
            stored = await session.get(OutboxFile, photo[FILE_REF])
        if stored is None:
            raise KeyError(f"outbox file {photo[FILE_REF]} is gone")
        return {**payload, "photo": BufferedInputFile(stored.data, stored.file_name)}

    async def _throttled(self, row: Claimed, error: TelegramRetryAfter) -> datetime | None:
        metrics.count_message("throttled")
        throttled = row.throttled + 1
        if throttled > self.settings.delivery_max_throttles:
            return await self._transient(
                row, _describe(error), throttled=throttled, at_least=error.retry_after
            )
        due = self._not_quiet(row, self.clock.now() + timedelta(seconds=error.retry_after))
        await self._finish(
            row,
            status=OutboxStatus.PENDING,
            next_attempt_at=due,
            throttled=throttled,
            last_error=_describe(error),
        )
        return due

    async def _transient(
        self, row: Claimed, reason: str, *, throttled: int | None = None, at_least: float = 0.0
    ) -> datetime | None:
        """A failed attempt: retried later (returns when), or failed for good (None)."""
        attempts = row.attempts + 1
        values: dict[str, Any] = {"attempts": attempts, "last_error": reason}
        if throttled is not None:
            values["throttled"] = throttled
        if attempts >= self.settings.delivery_max_attempts:
            log.warning("outbox row %s failed after %s attempts: %s", row.id, attempts, reason)
            await self._finish(row, status=OutboxStatus.FAILED, **values)
            return None
        delay = max(self.backoff(attempts), at_least)
        due = self._not_quiet(row, self.clock.now() + timedelta(seconds=delay))
        await self._finish(row, status=OutboxStatus.PENDING, next_attempt_at=due, **values)
        return due

    def backoff(self, attempts: int) -> float:
        """Seconds before retry number `attempts`: doubling from the base, capped, ±50% jitter."""
        base = self.settings.delivery_retry_base_seconds * 2 ** (attempts - 1)
        return min(base, self.settings.delivery_retry_max_seconds) * self.rng.uniform(0.5, 1.5)

    async def _forbidden(self, row: Claimed, error: TelegramForbiddenError) -> None:
        self._dead_chats.add(row.chat_id)
        reason = _describe(error)
        async with self.sessionmaker() as session, session.begin():
            if not await self._write(session, row, status=OutboxStatus.FAILED, last_error=reason):
                return
            cancelled = await mark_unreachable(session, row.chat_id, reason, self.clock.now())
        log.info(
            "chat %s unreachable (%s); %s unsent rows cancelled", row.chat_id, reason, cancelled
        )

    async def _migrated(self, row: Claimed, error: TelegramMigrateToChat) -> None:
        """A group became a supergroup: send there instead (not a failed attempt)."""
        async with self.sessionmaker() as session, session.begin():
            await self._write(
                session,
                row,
                status=OutboxStatus.PENDING,
                chat_id=error.migrate_to_chat_id,
                next_attempt_at=self.clock.now(),
                last_error=_describe(error),
            )

    def _not_quiet(self, row: Claimed, due: datetime) -> datetime:
        return due if row.urgent else self.quiet_hours.next_allowed(due)

    async def _finish(self, row: Claimed, **values: Any) -> None:
        async with self.sessionmaker() as session, session.begin():
            await self._write(session, row, **values)

    async def _write(self, session: AsyncSession, row: Claimed, **values: Any) -> bool:
        """Record an outcome if we still hold the lease (else another sender took the row)."""
        if await record_outcome(session, row, **values):
            if values["status"] in (OutboxStatus.SENT, OutboxStatus.FAILED):
                metrics.count_message(str(values["status"]))
            return True
        log.warning("outbox row %s: lease lost before recording %s", row.id, values["status"])
        return False


def _describe(error: TelegramAPIError) -> str:
    return f"{type(error).__name__}: {error.message}"[:1000]


def _by_chat(rows: list[Claimed]) -> dict[int, list[Claimed]]:
    """Claimed rows grouped by chat, each group in send order."""
    groups: dict[int, list[Claimed]] = {}
    for row in rows:
        groups.setdefault(row.chat_id, []).append(row)
    return groups
