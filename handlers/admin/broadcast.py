"""/broadcast: audience → unit → message → preview → confirm; then progress with refresh / cancel.

Each pressed step writes its answer into its question and asks the next below
(`handlers/ui/trail.py`); the typed message stays as the admin's own. The confirmed preview
becomes the progress report the updater keeps editing (its place is fixed when sending starts).

The parent router admits admins only; the service checks again (a forged button changes nothing).
"""

from __future__ import annotations

import uuid
from typing import Any

from aiogram import F, Router, html
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import ServiceError
from bot.i18n import translate
from bot.services import broadcast as service
from bot.services import broadcast_progress as progress_service
from bot.services.broadcast import Audience
from handlers.callbacks import BroadcastAction, BroadcastCb
from handlers.register_ui import Question, ask
from handlers.ui.context import Ctx
from handlers.ui.labels import AUDIENCE, label
from handlers.ui.pickers import UnitPicker
from handlers.ui.query import edit_in_place, message_of
from handlers.ui.refusals import step_data
from handlers.ui.steps import abort_flow, asking_again, chosen_index, ends_step, next_step
from handlers.ui.trail import answer_choice, ask_below
from storage.models.org import Unit

AUDIENCES: tuple[Audience, ...] = tuple(Audience)


def audience_label(audience: Audience) -> str:
    return label(AUDIENCE, audience)


def _audience_keyboard(_data: dict[str, Any]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for index, audience in enumerate(AUDIENCES):
        builder.button(
            text=audience_label(audience),
            callback_data=BroadcastCb(action=BroadcastAction.AUDIENCE, value=index),
        )
    builder.button(
        text=_("broadcast.abort"), callback_data=BroadcastCb(action=BroadcastAction.ABORT)
    )
    builder.adjust(2, 2, 1)
    return builder.as_markup()


class BroadcastFlow(StatesGroup):
    audience = Question("broadcast.ask_audience", _audience_keyboard)
    unit = State()
    text = Question("broadcast.ask_text", values={"limit": service.TEXT_MAX})
    confirm = State()


async def start(message: Message, state: FSMContext) -> None:
    await state.clear()
    await state.set_state(BroadcastFlow.audience)
    # The batch id is fixed now: confirming twice (a double press) enqueues once.
    await state.update_data(batch=uuid.uuid4().hex)
    await ask(message, state)


UNITS = UnitPicker(BroadcastCb, BroadcastAction.UNIT, BroadcastAction.PAGE)


async def _unit_keyboard(session: AsyncSession, offset: int) -> InlineKeyboardMarkup:
    everyone = BroadcastCb(action=BroadcastAction.UNIT, value=0)  # unit 0: all units
    return await UNITS.keyboard(session, offset, [(_("broadcast.all_units"), everyone)])


async def choose_audience(
    query: CallbackQuery, callback_data: BroadcastCb, state: FSMContext, session: AsyncSession
) -> None:
    index = chosen_index(callback_data.value, AUDIENCES)
    await state.update_data(audience=AUDIENCES[index].value)
    await state.set_state(BroadcastFlow.unit)
    message = await answer_choice(query)
    await ask_below(message, state, _("broadcast.ask_unit"), await _unit_keyboard(session, 0))


async def unit_page(
    query: CallbackQuery, callback_data: BroadcastCb, session: AsyncSession
) -> None:
    await query.answer()
    await message_of(query).edit_reply_markup(
        reply_markup=await _unit_keyboard(session, max(0, callback_data.value))
    )


async def choose_unit(
    query: CallbackQuery, callback_data: BroadcastCb, state: FSMContext, session: AsyncSession
) -> None:
    if callback_data.value and await session.get(Unit, callback_data.value) is None:
        raise ServiceError("fallback.stale_button")
    await next_step(query, state, BroadcastFlow.text, unit_id=callback_data.value or None)


async def enter_text(message: Message, state: FSMContext, session: AsyncSession) -> None:
    async with asking_again():  # a refused text: why, and the same question
        body = service.check_text(message.text)
    data = await step_data(state)
    audience = Audience(data["audience"])
    people = await service.recipients(session, audience, data.get("unit_id"))
    if not people:
        await message.answer(_("broadcast.nobody"))
        return
    unit = await session.get(Unit, data["unit_id"]) if data.get("unit_id") else None
    await state.update_data(text=message.text)
    await state.set_state(BroadcastFlow.confirm)
    await message.answer(body)  # exactly what recipients will read
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("broadcast.send"), callback_data=BroadcastCb(action=BroadcastAction.SEND)
    )
    builder.button(
        text=_("broadcast.abort"), callback_data=BroadcastCb(action=BroadcastAction.ABORT)
    )
    preview = _("broadcast.preview").format(
        audience=audience_label(audience),
        unit=html.quote(unit.path) if unit else _("broadcast.all_units"),
        count=len(people),
    )
    await ask_below(message, state, preview, builder.as_markup())


async def not_text(message: Message, state: FSMContext) -> None:
    await ask(message, state, prefix=_("broadcast.need_text"))


async def abort(query: CallbackQuery, state: FSMContext) -> None:
    await abort_flow(query, state)


def progress_keyboard(batch_id: str, locale: str, finished: bool) -> InlineKeyboardMarkup | None:
    """Refresh / Stop while the broadcast runs; nothing under the final report."""
    if finished:
        return None
    builder = InlineKeyboardBuilder()
    builder.button(
        text=translate("broadcast.refresh", locale),
        callback_data=BroadcastCb(action=BroadcastAction.REFRESH, batch=batch_id),
    )
    builder.button(
        text=translate("broadcast.stop", locale),
        callback_data=BroadcastCb(action=BroadcastAction.STOP, batch=batch_id),
    )
    return builder.as_markup()


async def _progress_view(
    session: AsyncSession, batch_id: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The same screen the progress updater shows (so a Refresh never flips it back)."""
    locale = get_i18n().current_locale
    view = await progress_service.screen(session, batch_id, locale)
    return view.text, progress_keyboard(batch_id, locale, view.finished)


async def send(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    data = await step_data(state)
    async with ends_step(state):  # sent or refused, the flow is over
        try:
            batch_id, _count = await service.start_broadcast(
                ctx.session,
                ctx.clock,
                ctx.settings,
                actor=ctx.person,
                audience=Audience(data["audience"]),
                unit_id=data.get("unit_id"),
                text=data["text"],
                batch_id=data["batch"],
                # This very message becomes the progress message the updater keeps editing.
                progress_at=(query.message.chat.id, query.message.message_id)
                if query.message
                else None,
                locale=get_i18n().current_locale,
            )
        except (KeyError, ValueError):
            raise ServiceError("fallback.stale_button") from None
    await state.clear()
    await query.answer()
    text, keyboard = await _progress_view(ctx.session, batch_id)
    await message_of(query).edit_text(text, reply_markup=keyboard)


async def refresh(query: CallbackQuery, callback_data: BroadcastCb, ctx: Ctx) -> None:
    await service.progress(ctx.session, ctx.person, callback_data.batch)
    await query.answer()
    text, keyboard = await _progress_view(ctx.session, callback_data.batch)
    await edit_in_place(query, text, keyboard)


async def stop(query: CallbackQuery, callback_data: BroadcastCb, ctx: Ctx) -> None:
    await service.progress(ctx.session, ctx.person, callback_data.batch)
    cancelled = await service.cancel_broadcast(
        ctx.session, ctx.clock, actor=ctx.person, batch_id=callback_data.batch
    )
    await query.answer(_("broadcast.stopped").format(count=cancelled))
    text, keyboard = await _progress_view(ctx.session, callback_data.batch)
    await edit_in_place(query, text, keyboard)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start, Command("broadcast"))
    router.callback_query.register(
        choose_audience,
        BroadcastFlow.audience,
        BroadcastCb.filter(F.action == BroadcastAction.AUDIENCE),
    )
    router.callback_query.register(
        unit_page, BroadcastFlow.unit, BroadcastCb.filter(F.action == BroadcastAction.PAGE)
    )
    router.callback_query.register(
        choose_unit, BroadcastFlow.unit, BroadcastCb.filter(F.action == BroadcastAction.UNIT)
    )
    router.message.register(enter_text, BroadcastFlow.text, F.text)
    router.message.register(not_text, BroadcastFlow.text)
    router.callback_query.register(
        abort, StateFilter(BroadcastFlow), BroadcastCb.filter(F.action == BroadcastAction.ABORT)
    )
    router.callback_query.register(
        send, BroadcastFlow.confirm, BroadcastCb.filter(F.action == BroadcastAction.SEND)
    )
    router.callback_query.register(
        refresh, BroadcastCb.filter(F.action == BroadcastAction.REFRESH)
    )
    router.callback_query.register(stop, BroadcastCb.filter(F.action == BroadcastAction.STOP))
    return router
