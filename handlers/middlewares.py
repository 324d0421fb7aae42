"""Per-update context: a database session, the current person, their locale, one log line."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, cast

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.fsm.context import FSMContext
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.methods import Response, SendChatAction, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject, Update, User
from aiogram.utils.i18n import I18nMiddleware
from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.reachability import mark_reachable
from bot.domain.clock import Clock
from bot.services.people import person_for_user
from handlers.ui.context import Handler, update_locale
from storage.db import (
    SessionMaker,
    StatementCount,
    counting_statements,
    in_update_session,
    update_session,
)
from storage.fsm import SQLStorage, person_with_conversation, remember_conversation
from storage.models.processed_update import ProcessedUpdate

log = logging.getLogger("qingfeng.updates")
# Citizens' public screens and the feedback flow are logged without the person (anonymity).
REDACTED_HANDLERS = (
    "handlers.public.",
    "handlers.common.start.start_with_feedback_link",
)


PENDING_UPDATE = "qingfeng_pending_update"  # session.info: the update id not yet recorded
_RECORD_UPDATE = insert(cast(Table, ProcessedUpdate.__table__))  # the table, not the class


class AlreadyHandled(Exception):
    """This update's id is recorded already: a redelivered copy, dropped unanswered."""


async def commit_update(session: AsyncSession) -> None:
    """Commit the update's unit of work; the first commit records the update id with it.

    The record goes in last, just before the commit, so on SQLite the write lock is held
    for that INSERT and the COMMIT only, not while the handler reads and renders."""
    pending = session.info.pop(PENDING_UPDATE, None)
    if pending is not None:
        await session.flush()  # the handler's own writes fail as themselves
        try:  # a plain INSERT: the ORM's unit of work costs more than the statement
            await session.execute(_RECORD_UPDATE, {"update_id": pending[0], "seen_at": pending[1]})
        except IntegrityError as error:
            raise AlreadyHandled(pending[0]) from error
    await session.commit()


class CommitBeforeSpeaking(BaseRequestMiddleware):
    """Commits the update's unit of work before the bot calls Telegram while handling it.

    What a person is shown is then already saved: a crash (or a kill) right after a reply
    never undoes what the reply announced. Whatever the handler does after speaking is
    committed at the end (or rolled back) by `DbContextMiddleware`, as before.
    """

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        session = update_session()
        # A chat action ("typing…", "sending a file…") announces nothing, and aiogram's
        # ChatActionSender sends it from its own task while the handler uses the session.
        if (
            session is not None
            and not isinstance(method, SendChatAction)
            and (session.in_transaction() or PENDING_UPDATE in session.info)
        ):
            await commit_update(session)
        return await make_request(bot, method)


def _commit_before_speaking(bot: Bot) -> None:
    """Install `CommitBeforeSpeaking` on the bot's session once (the first update does)."""
    manager = bot.session.middleware
    if not any(isinstance(each, CommitBeforeSpeaking) for each in manager):
        manager(CommitBeforeSpeaking())


class DbContextMiddleware(BaseMiddleware):
    """One session and one transaction per update, with the person who sent it.

    Given aiogram's FSM middleware (`fsm`, taken out of the chain by the wiring), this one
    does its work too: it takes the conversation's lock first, then reads the person, their
    roles, unit and post and (SQL storage) the conversation state in one statement, and
    hands the handler `state` and `raw_state` as aiogram would.

    Each update id is recorded in the same transaction as the handler's work (written just
    before the first commit): Telegram redelivers an update after a crash or a slow webhook
    answer, and a second copy then finds the id taken and is dropped unanswered. A first
    contact is created in that transaction too.

    The update is one unit of work: services only flush, and this middleware commits when
    the handler succeeded, or rolls back on any exception (a refusal included) and re-raises
    it for `handlers.errors`, which answers in the person's language. The work is also
    committed just before the bot first speaks (`CommitBeforeSpeaking`), so what a reply
    announces is saved. Outbox rows ride in the same transaction, and so does the
    conversation state when it is kept in the database; the sender is woken after the
    commit. The locale is resolved now, as a plain string, so error handlers can still use
    it after a rollback.
    """

    def __init__(self, fsm: FSMContextMiddleware | None = None) -> None:
        self.fsm = fsm

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        fsm = self.fsm
        if fsm is None:
            return await self._handle(handler, event, data, None)
        data["fsm_storage"] = fsm.storage
        context = fsm.resolve_event_context(data["bot"], data)
        if context is None:
            return await self._handle(handler, event, data, None)
        # As aiogram's FSM middleware: the state is read only once the lock is held.
        async with fsm.events_isolation.lock(key=context.key):
            return await self._handle(handler, event, data, context)

    async def _handle(
        self,
        handler: Handler,
        event: TelegramObject,
        data: dict[str, Any],
        context: FSMContext | None,
    ) -> Any:
        sessionmaker: SessionMaker = data["sessionmaker"]
        clock: Clock = data["clock"]
        user: User | None = data.get("event_from_user")
        storage = data.get("fsm_storage")
        record_key = (
            storage.record_key(context.key)
            if context is not None and isinstance(storage, SQLStorage)
            else None
        )
        async with sessionmaker() as session:
            person = None
            if user is not None and not user.is_bot:
                known, conversation = await person_with_conversation(session, user.id, record_key)
                if record_key is not None and known is not None:
                    remember_conversation(session, record_key, conversation)
                person = await person_for_user(
                    session,
                    clock,
                    telegram_id=user.id,
                    full_name=user.full_name,
                    language_code=user.language_code,
                    known=known,
                )
                if person.unreachable:
                    # They write again, so they unblocked us: notices may flow again.
                    await mark_reachable(session, user.id)
                    person.unreachable = False
            if isinstance(event, Update):
                session.info[PENDING_UPDATE] = (event.update_id, clock.now())
            data["session"] = session
            data["person"] = person
            data["person_id"] = person.id if person else None
            data["locale"] = update_locale(data)
            bot: Bot | None = data.get("bot")
            if bot is not None:
                _commit_before_speaking(bot)
            try:
                with in_update_session(session):  # the FSM (SQL storage) reads and writes in it
                    if context is not None:
                        data["state"] = context
                        data["raw_state"] = await context.get_state()
                    result = await handler(event, data)
                    await commit_update(session)
            except AlreadyHandled as dropped:
                await session.rollback()
                log.info("update %s was already handled; dropped", dropped.args[0])
                return UNHANDLED
            except BaseException:
                await session.rollback()
                raise
            return result


class PersonLocaleMiddleware(I18nMiddleware):
    """aiogram's i18n, fed with the locale the context middleware resolved."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        return str(data.get("locale") or self.i18n.default_locale)


class UpdateLogMiddleware(BaseMiddleware):
    """One structured line per update: type, handler, person, outcome, time taken.

    Registered twice: outer on `update` (times and logs) and inner on messages and callback
    queries (notes which handler ran). Message text is never logged. `observe`, when given,
    hears the same facts (type, handler, outcome, seconds): the app's metrics.
    """

    def __init__(self, observe: Callable[[str, str, str, float], None] | None = None) -> None:
        self.observe = observe

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            note = data.get("trace")
            if note is not None and "handler" in data:
                callback = data["handler"].callback
                note["handler"] = f"{callback.__module__}.{callback.__qualname__}"
            return await handler(event, data)
        trace: dict[str, Any] = {}
        count = StatementCount()
        data["trace"] = trace
        started = time.perf_counter()
        outcome = "error"
        try:
            with counting_statements() as count:
                result = await handler(event, data)
            outcome = "unhandled" if result is UNHANDLED else "ok"
            return result
        finally:
            seconds = time.perf_counter() - started
            handler_name = trace.get("handler", "-")
            fields = {
                "event": "update",
                "type": event.event_type,
                "handler": handler_name,
                # Citizens' feedback: the log must not tie a person to what they sent.
                "person": (
                    "-" if handler_name.startswith(REDACTED_HANDLERS) else data.get("person_id")
                ),
                "outcome": outcome,
                "ms": round(seconds * 1000, 1),
                "sql": count.statements,
                "conns": count.connections,
            }
            log.info(
                "update type=%s handler=%s person=%s outcome=%s ms=%.1f",
                *(fields[k] for k in ("type", "handler", "person", "outcome", "ms")),
                extra={"fields": fields},
            )
            if self.observe is not None:
                self.observe(event.event_type, fields["handler"], outcome, seconds)
