"""What the leading replica runs: the outbox sender, the broadcast progress updater, and the
scheduler's ticks (the scheduler runs in every replica; its tick does nothing unless this
replica leads, and a replica that takes the lead ticks at once, making up missed runs)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

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


@dataclass(frozen=True)
class DeliveryParts:
    """What the leader's loops are built from, taken once at start-up: the Bot they speak
    through (its sends paced by `pacer`), the database, the settings, the clock."""

    bot: Bot
    sessionmaker: SessionMaker
    settings: Settings
    pacer: Pacer
    clock: Clock

    def sender(self) -> OutboxSender:
        return OutboxSender(
            self.bot, self.sessionmaker, self.settings, pacer=self.pacer, clock=self.clock
        )

    def updater(self, keyboard: KeyboardFactory) -> ProgressUpdater:
        return ProgressUpdater(
            self.bot, self.sessionmaker, self.settings, keyboard, clock=self.clock
        )


class LeaderDuties:
    """`start()` when this replica takes the lead, `stop()` when it loses it (or shuts down):
    a fresh sender and progress updater from `parts` each time, and the scheduler's tick."""

    def __init__(
        self, parts: DeliveryParts, *, keyboard: KeyboardFactory, runner: JobRunner | None = None
    ) -> None:
        self.parts = parts
        self.keyboard = keyboard
        self.runner = runner
        self.sender: OutboxSender | None = None
        self.updater: ProgressUpdater | None = None
        self._tick: asyncio.Task[list[str]] | None = None

    async def start(self) -> None:
        self.sender = self.parts.sender()
        await self.sender.start()
        self.updater = self.parts.updater(self.keyboard)
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
