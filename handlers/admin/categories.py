"""/categories: the commission sets a unit's power categories (one per line); "defaults" goes
back to DOMAIN.md's lists. Departments inherit their bureau's list."""

from __future__ import annotations

import re

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import powers as power_service
from handlers.callbacks import CategoryAction, CategoryCb
from handlers.register_ui import Question, ask, quote, reask, scope_label
from handlers.ui.context import Ctx
from handlers.ui.pickers import UnitPicker, buttons
from handlers.ui.query import message_of, pressed_record, show_choices
from handlers.ui.refusals import step_data
from handlers.ui.routes import presses
from handlers.ui.steps import asking_again, chosen_index
from storage.models.org import Unit

SCOPES = ("external", "internal")
SEPARATORS = re.compile(r"[\n,，、;；]+")


def _reset_keyboard(_data: dict[str, object]) -> InlineKeyboardMarkup:
    return buttons((_("categories.reset"), CategoryCb(action=CategoryAction.RESET)))


class CategoryFlow(StatesGroup):
    unit = State()
    scope = State()
    names = Question("categories.ask_names", _reset_keyboard)


UNITS = UnitPicker(CategoryCb, CategoryAction.UNIT, CategoryAction.PAGE, field="id")


async def start(message: Message, state: FSMContext, session: AsyncSession) -> None:
    await state.clear()
    await state.set_state(CategoryFlow.unit)
    await message.answer(_("categories.ask_unit"), reply_markup=await UNITS.keyboard(session, 0))


async def unit_page(
    query: CallbackQuery, callback_data: CategoryCb, session: AsyncSession
) -> None:
    await show_choices(query, await UNITS.keyboard(session, max(0, callback_data.id)))


async def choose_unit(
    query: CallbackQuery, callback_data: CategoryCb, state: FSMContext, session: AsyncSession
) -> None:
    unit = await pressed_record(session, Unit, callback_data.id)
    await query.answer()
    await state.update_data(unit_id=unit.id)
    await state.set_state(CategoryFlow.scope)
    builder = InlineKeyboardBuilder()
    for index, scope in enumerate(SCOPES):
        builder.button(
            text=scope_label(scope),
            callback_data=CategoryCb(action=CategoryAction.SCOPE, value=index),
        )
    await message_of(query).answer(
        _("categories.ask_scope").format(unit=quote(unit.path)), reply_markup=builder.as_markup()
    )


async def choose_scope(
    query: CallbackQuery, callback_data: CategoryCb, state: FSMContext, session: AsyncSession
) -> None:
    scope = SCOPES[chosen_index(callback_data.value, SCOPES)]
    data = await step_data(state)
    current = await power_service.categories_for(session, data["unit_id"], scope)
    await query.answer()
    await state.update_data(scope=scope, _prompt_values={"current": "、".join(current)})
    await state.set_state(CategoryFlow.names)
    await ask(message_of(query), state)


async def _save(state: FSMContext, ctx: Ctx, names: list[str]) -> list[str]:
    data = await step_data(state)
    return await power_service.set_categories(
        ctx.session, ctx.clock, actor=ctx.person, unit_id=data["unit_id"], scope=data["scope"],
        names=names,
    )  # fmt: skip


async def enter_names(message: Message, state: FSMContext, ctx: Ctx) -> None:
    names = [part.strip() for part in SEPARATORS.split(message.text or "") if part.strip()]
    if not names:
        await ask(message, state, prefix=_("register.text_empty").format(limit=0))
        return
    async with asking_again():
        saved = await _save(state, ctx, names)
    await state.clear()
    await message.answer(_("categories.saved").format(names=quote("、".join(saved))))


async def reset(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    saved = await _save(state, ctx, [])
    await state.clear()
    await query.answer()
    await message_of(query).answer(_("categories.saved").format(names=quote("、".join(saved))))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start, Command("categories"))
    presses(
        router,
        CategoryCb,
        (unit_page, CategoryAction.PAGE, CategoryFlow.unit),
        (choose_unit, CategoryAction.UNIT, CategoryFlow.unit),
        (choose_scope, CategoryAction.SCOPE, CategoryFlow.scope),
        (reset, CategoryAction.RESET, CategoryFlow.names),
    )
    router.message.register(enter_names, CategoryFlow.names, F.text, ~F.text.startswith("/"))
    router.message.register(reask, CategoryFlow.names, ~F.text)
    return router
