"""/subscribe: follow publicity rounds of all units or of chosen ones (paged toggles); the
same command shows the choice and changes it. Pending toggles live in FSM data until saved."""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import ServiceError
from bot.i18n import N_
from bot.services.publicity import scope, subscriptions
from bot.services.publicity.subscriptions import Choice
from handlers.callbacks import SubscribeAction as A
from handlers.callbacks import SubscribeCb
from handlers.ui.context import Ctx
from handlers.ui.pickers import PAGE_SIZE, page_nav
from handlers.ui.query import edit_in_place
from storage.models.org import Unit

DATA_KEY = "subscribe"  # FSM data: {"all": bool, "units": [ids], "offset": int}
NAMES_SHOWN = 10


def _b(text: str, data: SubscribeCb) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text[:60], callback_data=data.pack())


async def _pending(state: FSMContext, ctx: Ctx) -> dict:
    data = (await state.get_data()).get(DATA_KEY)
    if data is None:  # a button from before a restart of the choice: start from what is saved
        saved = await subscriptions.choice_of(ctx.session, ctx.person)
        data = {"all": saved.all_units, "units": list(saved.unit_ids), "offset": 0}
    return data


async def _describe(session: AsyncSession, choice: Choice) -> str:
    if choice.all_units:
        return _("subscribe.current_all")
    if not choice.unit_ids:
        return _("subscribe.current_none")
    names = list(
        await session.scalars(
            select(Unit.name).where(Unit.id.in_(list(choice.unit_ids))).order_by(Unit.path)
        )
    )
    shown = "、".join(html.quote(n) for n in names[:NAMES_SHOWN])
    if len(names) > NAMES_SHOWN:
        shown += _("subscribe.and_more").format(count=len(names) - NAMES_SHOWN)
    return _("subscribe.current_units").format(units=shown)


async def _view(session: AsyncSession, data: dict) -> tuple[str, InlineKeyboardMarkup]:
    offset = int(data.get("offset", 0))
    units, total = await scope.top_units(session, offset, PAGE_SIZE)
    chosen = set(data.get("units", []))
    builder = InlineKeyboardBuilder()
    mark_all = "✅" if data.get("all") else "▫️"
    builder.row(_b(f"{mark_all} " + _("subscribe.all_units"), SubscribeCb(action=A.ALL)))
    for unit in units:
        mark = "✅" if data.get("all") or unit.id in chosen else "▫️"
        builder.row(_b(f"{mark} {unit.name}", SubscribeCb(action=A.TOGGLE, value=unit.id)))
    page_nav(builder, offset, total, lambda at: SubscribeCb(action=A.PAGE, value=at))
    builder.row(
        _b(_("subscribe.save"), SubscribeCb(action=A.SAVE)),
        _b(_("subscribe.off"), SubscribeCb(action=A.OFF)),
    )
    pending = Choice(bool(data.get("all")), tuple(sorted(chosen)))
    text = _("subscribe.ask").format(choice=await _describe(session, pending))
    return text, builder.as_markup()


async def command(message: Message, state: FSMContext, ctx: Ctx) -> None:
    saved = await subscriptions.choice_of(ctx.session, ctx.person)
    data = {"all": saved.all_units, "units": list(saved.unit_ids), "offset": 0}
    await state.update_data({DATA_KEY: data})
    text, keyboard = await _view(ctx.session, data)
    current = _("subscribe.saved_now").format(choice=await _describe(ctx.session, saved))
    await message.answer(current + "\n\n" + text, reply_markup=keyboard)


async def change(
    query: CallbackQuery,
    callback_data: SubscribeCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    data = await _pending(state, ctx)
    if callback_data.action is A.ALL:
        data["all"] = not data.get("all")
    elif callback_data.action is A.PAGE:
        data["offset"] = max(0, callback_data.value)
    else:
        unit_id = callback_data.value
        units = list(data.get("units", []))
        if data.get("all"):
            data["all"] = False
        if unit_id in units:
            units.remove(unit_id)
        elif await scope.known_unit_ids(ctx.session, [unit_id]):
            units.append(unit_id)
        else:
            raise ServiceError("publicity.stale")
        data["units"] = units
    await state.update_data({DATA_KEY: data})
    text, keyboard = await _view(ctx.session, data)
    await query.answer()
    await edit_in_place(query, text, keyboard)


async def save(
    query: CallbackQuery,
    callback_data: SubscribeCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    if callback_data.action is A.OFF:
        choice = NONE
    else:  # the pending toggles (those saved, when a restart lost them)
        data = await _pending(state, ctx)
        choice = Choice(bool(data.get("all")), tuple(data.get("units", [])))
    await state.update_data({DATA_KEY: None})
    saved = await subscriptions.save(ctx.session, ctx.clock, ctx.person, choice)
    key = N_("subscribe.done_off") if saved.empty else N_("subscribe.done")
    await query.answer()
    await edit_in_place(query, _(key).format(choice=await _describe(ctx.session, saved)), None)


NONE = subscriptions.NONE


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(command, Command("subscribe"))
    cb = SubscribeCb.filter
    router.callback_query.register(change, cb(F.action.in_({A.ALL, A.TOGGLE, A.PAGE})))
    router.callback_query.register(save, cb(F.action.in_({A.SAVE, A.OFF})))
    return router
