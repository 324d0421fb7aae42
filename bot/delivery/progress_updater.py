"""A broadcast's progress message, edited in place while it runs, then its final report.

Driven by `ProgressUpdater`, one small loop per bot process rather than a scheduler job or a
hook in the sender: the job runner ticks once a minute (too coarse), and a sender hook fires per
sent row (it would spam, and never fires for a batch that is cancelled or waits out quiet hours).
The loop reads each unfinished batch's counts every `broadcast_progress_seconds` and edits only
when they changed, so an admin's chat gets at most one edit per interval. The edit is a direct
Bot call, not an outbox row, so it can't starve behind the broadcast's own bulk rows. Where the
message is lives in `broadcast_progress`, so a restarted bot keeps editing the same message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from sqlalchemy import select, update

from bot.domain.clock import Clock
from bot.services.broadcast_progress import KeyboardFactory, screen
from bot.settings import Settings
from storage.db import SessionMaker
from storage.models.broadcast import BroadcastProgress

log = logging.getLogger(__name__)


class ProgressUpdater:
    """Edits every unfinished broadcast's progress message; `start()`/`stop()` with the bot."""

    def __init__(
        self,
        bot: Bot,
        sessionmaker: SessionMaker,
        settings: Settings,
        keyboard: KeyboardFactory,
        clock: Clock | None = None,
    ) -> None:
        self.bot = bot
        self.sessionmaker = sessionmaker
        self.clock = clock or Clock()
        self.keyboard = keyboard
        self.interval = settings.broadcast_progress_seconds
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None or self._task.done():
            self._stopping.clear()
            self._task = asyncio.create_task(self._run(), name="broadcast-progress")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.run_once()
            except Exception:  # a broken cycle must not end the loop; the next one retries
                log.exception("broadcast progress update failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.interval)

    async def run_once(self) -> int:
        """One pass over unfinished broadcasts; returns how many messages were edited."""
        now = self.clock.now()
        async with self.sessionmaker() as session:
            tracked = (
                await session.scalars(
                    select(BroadcastProgress).where(BroadcastProgress.finished_at.is_(None))
                )
            ).all()
        edited = 0
        for row in tracked:
            edited += await self._update(row, now)
        return edited

    async def _update(self, row: BroadcastProgress, now: datetime) -> int:
        async with self.sessionmaker() as session:
            view = await screen(session, row.batch_id, row.locale)
        if view.shown == row.shown:
            return 0
        recent = row.edited_at is not None and now - row.edited_at < timedelta(
            seconds=self.interval
        )
        if recent and not view.finished:  # the final report is never held back
            return 0
        give_up = False
        try:
            await self.bot.edit_message_text(
                text=view.text,
                chat_id=row.chat_id,
                message_id=row.message_id,
                reply_markup=self.keyboard(row.batch_id, row.locale, view.finished),
            )
        except TelegramBadRequest as error:
            # Identical content (a Refresh tap showed it already) is success; anything else
            # (message deleted, too old to edit) will not get better: stop trying.
            give_up = "not modified" not in error.message
            if give_up:
                log.warning("progress of %s can't be edited: %s", row.batch_id, error.message)
        except TelegramForbiddenError:
            give_up = True  # the admin blocked the bot
        except (TelegramRetryAfter, TelegramServerError, TelegramNetworkError) as error:
            log.info("progress of %s not edited now (%s); next pass retries", row.batch_id, error)
            return 0
        async with self.sessionmaker() as session, session.begin():
            await session.execute(
                update(BroadcastProgress)
                .where(BroadcastProgress.batch_id == row.batch_id)
                .values(
                    shown=view.shown,
                    edited_at=now,
                    finished_at=now if view.finished or give_up else None,
                )
            )
        return 0 if give_up else 1
