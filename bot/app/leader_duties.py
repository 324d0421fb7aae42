"""What the leading replica runs: the outbox sender, the broadcast progress updater, and the
scheduler's ticks (the scheduler runs in every replica; its tick does nothing unless this
replica leads, and a replica that takes the lead ticks at once, making up missed runs)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot

from bot.app.pacing import Pacer
from bot.app.sender import OutboxSender
from bot.delivery.progress_updater import ProgressUpdater
from bot.domain.clock import Clock
from bot.scheduling.runner import JobRunner
from bot.services.broadcast_progress import KeyboardFactory
from bot.settings import Settings
from storage.db import SessionMaker

log = logging.getLogger(__name__)


class LeaderDuties:
    """`start()` when this replica takes the lead, `stop()` when it loses it (or shuts down)."""

    def __init__(
        self,
        bot: Bot,
        sessionmaker: SessionMaker,
        settings: Settings,
        *,
        pacer: Pacer,
        clock: Clock,
        keyboard: KeyboardFactory,
        runner: JobRunner | None = None,
    ) -> None:
        self.bot = bot
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.pacer = pacer
        self.clock = clock
        self.keyboard = keyboard
        self.runner = runner
        self.sender: OutboxSender | None = None
        self.updater: ProgressUpdater | None = None
        self._tick: asyncio.Task[list[str]] | None = None

    async def start(self) -> None:
        self.sender = OutboxSender(
            self.bot, self.sessionmaker, self.settings, pacer=self.pacer, clock=self.clock
        )
        await self.sender.start()
        self.updater = ProgressUpdater(
            self.bot, self.sessionmaker, self.settings, self.keyboard, clock=self.clock
        )
        await self.updater.start()
        if self.runner is not None:
            self._tick = asyncio.create_task(self.runner.tick(), name="leader-first-tick")

    async def first_tick(self) -> None:
        """Wait for the tick started with the lead (start-up waits for it, as it always did)."""
        if self._tick is not None:
            with contextlib.suppress(Exception):  # the runner logs a failed job itself
                await asyncio.shield(self._tick)

    async def stop(self) -> None:
        if self._tick is not None:
            self._tick.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._tick
            self._tick = None
        updater, self.updater = self.updater, None
        if updater is not None:
            await updater.stop()
        sender, self.sender = self.sender, None
        if sender is not None:
            await sender.stop()
