"""/powers, a power's card: edit one field (typed, or a category from the unit's list), or
withdraw it. The service re-checks who may, and that the power is still open."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.domain.register_rules import NAME_MAX
from bot.services import powers as power_service
from handlers.callbacks import PowerAction, PowerCb
from handlers.register_ui import (
    ask,
    quote,
    reask,
)
from handlers.staff.powers import EDIT_FIELDS, LIMITS, PowerEdit, card
from handlers.ui.context import Ctx
from handlers.ui.labels import POWER_FIELD, label
from handlers.ui.query import message_of
from handlers.ui.refusals import step_data
from handlers.ui.steps import chosen_index, ends_step, finish_step, typed
from storage.models.register import Power

# --- editing and withdrawing ------------------------------------------------------------------


async def start_edit(
    query: CallbackQuery,
    callback_data: PowerCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    field = EDIT_FIELDS[chosen_index(callback_data.value, EDIT_FIELDS)]
    power = await power_service.get_visible(ctx.session, ctx.person, callback_data.id)
    await query.answer()
    await state.clear()
    await state.update_data(
        power_id=power.id,
        field=field,
        _prompt_values={"field": label(POWER_FIELD, field)},
    )
    if field == "category":
        categories = await power_service.categories_for(ctx.session, power.unit_id, power.scope)
        await state.update_data(categories=categories)
        await state.set_state(PowerEdit.category)
    else:
        await state.set_state(PowerEdit.value)
    await ask(message_of(query), state)


async def _apply_edit(data: dict[str, Any], ctx: Ctx, value: str) -> Power:
    return await power_service.edit_power(
        ctx.session, ctx.clock, actor=ctx.person, power_id=data["power_id"], field=data["field"],
        value=value, settings=ctx.settings,
    )  # fmt: skip


async def enter_new_value(message: Message, state: FSMContext, ctx: Ctx) -> None:
    data = await step_data(state)
    value = typed(message.text, LIMITS.get(data["field"], NAME_MAX))
    async with ends_step(state, mend=("register.text_",)):
        power = await _apply_edit(data, ctx, value)
    await state.clear()
    await message.answer(_("powers.edited") + "\n\n" + card(power))


async def edit_category(
    query: CallbackQuery,
    callback_data: PowerCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    data = await step_data(state)
    categories = data["categories"]
    category = categories[chosen_index(callback_data.value, categories)]
    power = await finish_step(state, _apply_edit(data, ctx, category))
    await query.answer()
    await message_of(query).answer(_("powers.edited") + "\n\n" + card(power))


async def withdraw(query: CallbackQuery, callback_data: PowerCb, ctx: Ctx) -> None:
    power = await power_service.withdraw_power(
        ctx.session, ctx.clock, actor=ctx.person, power_id=callback_data.id
    )
    await query.answer()
    await message_of(query).edit_text(_("powers.withdrawn").format(name=quote(power.name)))


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(start_edit, PowerCb.filter(F.action == PowerAction.EDIT))
    router.callback_query.register(
        edit_category, PowerEdit.category, PowerCb.filter(F.action == PowerAction.CAT)
    )
    router.callback_query.register(withdraw, PowerCb.filter(F.action == PowerAction.WITHDRAW))
    router.message.register(enter_new_value, PowerEdit.value, F.text, ~F.text.startswith("/"))
    router.message.register(reask, PowerEdit.value, ~F.text)
    # The category step takes a button: typed text gets the question (and its buttons) again.
    router.message.register(reask, PowerEdit.category, ~F.text.startswith("/") | ~F.text)
    return router
