"""Wiring: the Bot, the Dispatcher and the long-lived services handed to handlers."""

from __future__ import annotations

import functools
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.fsm.strategy import FSMStrategy

from bot.app import metrics
from bot.app.leader import Leadership
from bot.app.leader_duties import DeliveryParts, LeaderDuties
from bot.app.pacing_middleware import install_pacing
from bot.app.pacing_shared import make_pacer
from bot.app.telegram_session import TelegramSession
from bot.delivery.outbox import use_button_packer
from bot.domain.clock import Clock
from bot.i18n import get_i18n
from bot.scheduling.jobs import all_jobs
from bot.scheduling.runner import JobRunner
from bot.scheduling.scheduler import attach_scheduler
from bot.settings import Settings
from handlers.admin.broadcast import progress_keyboard
from handlers.command_menu import MenuKeeper, set_default_menus
from handlers.in_flight import InFlightUpdates
from handlers.middlewares import DbContextMiddleware, PersonLocaleMiddleware, UpdateLogMiddleware
from handlers.notice_buttons import pack_button
from handlers.setup import build_router
from storage.db import SessionMaker
from storage.fsm import FullKeyBuilder, SQLStorage

log = logging.getLogger(__name__)

# How long shutdown waits for the updates in hand (within docker's default 10 s stop timeout).
UPDATE_GRACE_SECONDS = 8.0


class MissingToken(RuntimeError):
    """BOT_TOKEN is not set: said in one line, never a traceback."""


def create_bot(settings: Settings) -> Bot:
    if settings.bot_token is None or not settings.bot_token.get_secret_value():
        raise MissingToken("BOT_TOKEN is not set: put it in the environment or in .env")
    session = TelegramSession()
    if settings.telegram_api_base:
        session = TelegramSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
    return Bot(
        settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def create_fsm_storage(settings: Settings, sessionmaker: SessionMaker) -> BaseStorage:
    """Redis when REDIS_URL is set (several bot processes), else our own database."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(
            settings.redis_url,
            key_builder=FullKeyBuilder(prefix=settings.redis_prefix),
        )
    return SQLStorage(sessionmaker)


def create_dispatcher(
    settings: Settings,
    sessionmaker: SessionMaker,
    *,
    clock: Clock | None = None,
    storage: BaseStorage | None = None,
    background: SessionMaker | None = None,
    **workflow_data: Any,
) -> Dispatcher:
    """A dispatcher with every router, middleware and long-lived dependency in place.

    `background`: the sessions of the work that is not an update (the outbox sender, the
    scheduled jobs, leadership; `storage.db.background_engine`), else `sessionmaker`'s."""
    # Buttons services describe are packed by the handlers' callback data classes.
    use_button_packer(pack_button)
    dp = Dispatcher(
        storage=storage or create_fsm_storage(settings, sessionmaker),
        events_isolation=SimpleEventIsolation(),
        fsm_strategy=FSMStrategy.USER_IN_CHAT,
        settings=settings,
        sessionmaker=sessionmaker,
        background_sessionmaker=background or sessionmaker,
        clock=clock or Clock(),
        **workflow_data,
    )
    in_flight = InFlightUpdates()
    dp["in_flight"] = in_flight
    dp.update.outer_middleware(in_flight)
    update_log = UpdateLogMiddleware(observe=metrics.observe_update)
    dp.update.outer_middleware(update_log)
    # aiogram's FSM middleware reads the state in a call of its own, before the update's
    # session exists: the context middleware takes its place (same lock, same `state`) and
    # reads the state with the person, in the update's one transaction.
    dp.update.outer_middleware.unregister(dp.fsm)
    dp.update.outer_middleware(DbContextMiddleware(fsm=dp.fsm))
    dp.message.middleware(update_log)
    dp.callback_query.middleware(update_log)
    menus = MenuKeeper()
    dp.message.middleware(menus)
    dp.callback_query.middleware(menus)
    PersonLocaleMiddleware(get_i18n()).setup(dp)
    dp.include_router(build_router())
    dp.startup.register(_on_startup)
    dp.startup.register(_start_delivery)
    # Shutdown hooks run in this order: the updates in hand finish, then delivery stops.
    dp.shutdown.register(_finish_updates)
    dp.shutdown.register(_stop_delivery)
    jobs = [metrics.instrument_job(job) for job in all_jobs(settings)]
    runner = JobRunner(jobs, background or sessionmaker, dp["clock"], settings)
    attach_scheduler(dp, runner, settings.timezone, leading=functools.partial(_leads, dp))
    return dp


def _leads(dp: Dispatcher) -> bool:
    """Whether this replica leads now (before start-up: not yet)."""
    leadership: Leadership | None = dp.workflow_data.get("leadership")
    return leadership is not None and leadership.leading


async def _on_startup(bot: Bot, settings: Settings) -> None:
    await set_default_menus(bot)
    if not settings.bot_username:
        # The channel's deep links need it; BOT_USERNAME spares this call.
        settings.bot_username = (await bot.get_me()).username


async def _start_delivery(
    bot: Bot,
    dispatcher: Dispatcher,
    settings: Settings,
    background_sessionmaker: SessionMaker,
    clock: Clock,
) -> None:
    """Pace every send of this bot on one budget (shared through Redis when REDIS_URL is set),
    and take part in leadership: the leading replica drains the outbox, edits broadcast
    progress and runs the scheduler's jobs (`bot.app.leader`)."""
    pacer = make_pacer(settings)
    install_pacing(bot, pacer)
    duties = LeaderDuties(
        DeliveryParts(bot, background_sessionmaker, settings, pacer, clock),
        keyboard=progress_keyboard,
        runner=dispatcher.workflow_data.get("job_runner"),
    )
    dispatcher["leader_duties"] = duties
    leadership = Leadership(
        background_sessionmaker.kw["bind"], duties, check_seconds=settings.leader_check_seconds
    )
    dispatcher["leadership"] = leadership
    await leadership.start()
    await duties.first_tick()


async def _finish_updates(in_flight: InFlightUpdates) -> None:
    """aiogram stops taking updates but neither waits for nor stops the ones it is handling:
    let them finish before delivery stops and the bot's session closes."""
    await in_flight.finish(UPDATE_GRACE_SECONDS)


async def _stop_delivery(dispatcher: Dispatcher) -> None:
    leadership: Leadership | None = dispatcher.workflow_data.pop("leadership", None)
    if leadership is not None:
        await leadership.stop()
