"""/campaign's wizard: name → units → requirement → deadline → preview → confirm. Answers live
in FSM data (persistent), so a restart mid-way resumes where the admin was."""

from __future__ import annotations

from datetime import date, timedelta

from aiogram import html
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.campaign_rules import NAME_MAX, Requirement
from bot.domain.errors import ServiceError
from bot.services import campaigns as service
from handlers.admin.campaign_card import card_view
from handlers.admin.campaign_ui import (
    QUICK_DAYS,
    REQUIREMENTS,
    CampaignFlow,
    button,
    edit,
    requirement_label,
)
from handlers.callbacks import CampaignAction, CampaignCb
from handlers.register_ui import refusal
from handlers.ui.context import Ctx
from handlers.ui.once import create_once
from handlers.ui.pickers import PAGE_SIZE, choices
from handlers.ui.query import message_of
from handlers.ui.steps import ends_step
from storage.models.campaign import Campaign

# --- the wizard ---------------------------------------------------------------------------------


async def new(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    await state.clear()
    await state.set_state(CampaignFlow.name)
    await edit(query, _("campaign.ask_name").format(limit=NAME_MAX), None)


async def enter_name(message: Message, state: FSMContext, ctx: Ctx) -> None:
    try:
        name = service.check_name(message.text)
    except ServiceError as error:
        await message.answer(
            refusal(error) + "\n\n" + _("campaign.ask_name").format(limit=NAME_MAX)
        )
        return
    await state.update_data(name=name, units=[])
    await state.set_state(CampaignFlow.units)
    async with ends_step(state):
        keyboard = await _units_keyboard(ctx, [], 0)
    await message.answer(_("campaign.ask_units").format(count=0), reply_markup=keyboard)


async def name_not_text(message: Message) -> None:
    await message.answer(
        _("campaign.need_text") + "\n\n" + _("campaign.ask_name").format(limit=NAME_MAX)
    )


async def _units_keyboard(ctx: Ctx, chosen: list[int], offset: int) -> InlineKeyboardMarkup:
    """The units of the admin's scope, a page at a time, each a toggle (✅ chosen)."""
    units, total = await service.pickable_units(ctx.session, ctx.person, offset, PAGE_SIZE)
    builder = InlineKeyboardBuilder()
    for unit in units:
        mark = "✅" if unit.id in chosen else "▫️"
        # `cid` carries the page, so the toggled page is shown again.
        data = CampaignCb(action=CampaignAction.TOGGLE, value=unit.id, cid=offset)
        builder.row(button(f"{mark} {unit.path}"[:60], data))
    nav = []
    if offset > 0:
        previous = CampaignCb(action=CampaignAction.PAGE, value=max(0, offset - PAGE_SIZE))
        nav.append(button(_("nav.previous"), previous))
    if offset + PAGE_SIZE < total:
        nav.append(
            button(_("nav.next"), CampaignCb(action=CampaignAction.PAGE, value=offset + PAGE_SIZE))
        )
    if nav:
        builder.row(*nav)
    builder.row(button(_("campaign.all_in_scope"), CampaignCb(action=CampaignAction.ALL)))
    builder.row(
        button(_("campaign.units_done"), CampaignCb(action=CampaignAction.UNITS_DONE)),
        button(_("campaign.abort"), CampaignCb(action=CampaignAction.ABORT)),
    )
    return builder.as_markup()


async def _show_units(query: CallbackQuery, ctx: Ctx, chosen: list[int], offset: int) -> None:
    keyboard = await _units_keyboard(ctx, chosen, offset)
    await edit(query, _("campaign.ask_units").format(count=len(chosen)), keyboard)


async def toggle_unit(
    query: CallbackQuery,
    callback_data: CampaignCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    chosen: list[int] = list((await state.get_data()).get("units", []))
    unit_id = callback_data.value
    if unit_id in chosen:
        chosen.remove(unit_id)
    else:
        # Checked now, not only at creation: a forged unit is refused at once.
        await service.check_units(ctx.session, ctx.person, [unit_id])
        chosen.append(unit_id)
    await state.update_data(units=chosen)
    await query.answer()
    await _show_units(query, ctx, chosen, max(0, callback_data.cid))


async def units_page(
    query: CallbackQuery,
    callback_data: CampaignCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    chosen = list((await state.get_data()).get("units", []))
    await _show_units(query, ctx, chosen, max(0, callback_data.value))
    await query.answer()


def _requirement_keyboard() -> InlineKeyboardMarkup:
    return choices(
        [requirement_label(requirement) for requirement in REQUIREMENTS],
        lambda index: CampaignCb(action=CampaignAction.REQ, value=index),
        extra=[(_("campaign.abort"), CampaignCb(action=CampaignAction.ABORT))],
    )


async def _units_chosen(
    query: CallbackQuery,
    state: FSMContext,
    ctx: Ctx,
    units: list[int],
) -> None:
    await service.check_units(ctx.session, ctx.person, units)
    await query.answer()
    await state.update_data(units=units)
    await state.set_state(CampaignFlow.requirement)
    await edit(query, _("campaign.ask_requirement"), _requirement_keyboard())


async def all_units(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    units = await service.top_units_in_scope(ctx.session, ctx.person)
    await _units_chosen(query, state, ctx, units)


async def units_done(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    units = list((await state.get_data()).get("units", []))
    await _units_chosen(query, state, ctx, units)


def _deadline_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for days in QUICK_DAYS:
        builder.button(
            text=_("campaign.in_days").format(days=days),
            callback_data=CampaignCb(action=CampaignAction.DAYS, value=days),
        )
    builder.button(text=_("campaign.abort"), callback_data=CampaignCb(action=CampaignAction.ABORT))
    builder.adjust(len(QUICK_DAYS), 1)
    return builder.as_markup()


async def choose_requirement(
    query: CallbackQuery, callback_data: CampaignCb, state: FSMContext
) -> None:
    if not 0 <= callback_data.value < len(REQUIREMENTS):
        await query.answer(_("fallback.stale_button"), show_alert=True)
        return
    await query.answer()
    await state.update_data(requirement=REQUIREMENTS[callback_data.value].value)
    await state.set_state(CampaignFlow.deadline)
    await edit(query, _("campaign.ask_deadline"), _deadline_keyboard())


async def _to_preview(message: Message, state: FSMContext, ctx: Ctx, deadline: date) -> str | None:
    """Store the deadline and answer with the preview; a refusal's text when it is refused."""
    data = await state.get_data()
    try:
        shown = await service.preview(
            ctx.session,
            ctx.settings,
            ctx.clock,
            actor=ctx.person,
            unit_ids=data.get("units", []),
            requirement=data.get("requirement", ""),
            deadline=deadline,
        )
    except ServiceError as error:
        return refusal(error)
    await state.update_data(deadline=deadline.isoformat())
    await state.set_state(CampaignFlow.confirm)
    if shown.first is not None:
        first = _("campaign.first_now")
    elif shown.next_on is not None:
        first = _("campaign.first_later").format(date=shown.next_on.isoformat())
    else:
        first = ""
    text = _("campaign.preview").format(
        name=html.quote(data.get("name", "")),
        requirement=requirement_label(Requirement(data["requirement"])),
        deadline=deadline.isoformat(),
        units=len(data.get("units", [])),
        posts=shown.posts,
        done=shown.done,
        missing=shown.posts - shown.done,
        people=shown.to_remind,
        first=first,
    )
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("campaign.create"), callback_data=CampaignCb(action=CampaignAction.CREATE)
    )
    builder.button(text=_("campaign.abort"), callback_data=CampaignCb(action=CampaignAction.ABORT))
    await message.answer(text, reply_markup=builder.as_markup())
    return None


async def enter_deadline(message: Message, state: FSMContext, ctx: Ctx) -> None:
    try:
        deadline = service.check_deadline(message.text, service.today_of(ctx.clock, ctx.settings))
    except ServiceError as error:
        await message.answer(refusal(error), reply_markup=_deadline_keyboard())
        return
    problem = await _to_preview(message, state, ctx, deadline)
    if problem is not None:
        await message.answer(problem, reply_markup=_deadline_keyboard())


async def deadline_not_text(message: Message) -> None:
    await message.answer(
        _("campaign.need_text") + "\n\n" + _("campaign.ask_deadline"),
        reply_markup=_deadline_keyboard(),
    )


async def quick_deadline(
    query: CallbackQuery,
    callback_data: CampaignCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    if callback_data.value not in QUICK_DAYS:
        await query.answer(_("fallback.stale_button"), show_alert=True)
        return
    deadline = service.today_of(ctx.clock, ctx.settings) + timedelta(days=callback_data.value)
    problem = await _to_preview(message_of(query), state, ctx, deadline)
    if problem is not None:
        await query.answer(problem, show_alert=True)
        return
    await query.answer()


async def abort(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await edit(query, _("cancel.done"), None)


async def create(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    data = await state.get_data()
    try:
        campaign = await create_once(state, ctx, Campaign, lambda: service.create_campaign(
            ctx.session, ctx.clock, ctx.settings, actor=ctx.person, name=data["name"],
            unit_ids=data["units"], requirement=data["requirement"],
            deadline=date.fromisoformat(data["deadline"]),
        ))  # fmt: skip
    except (KeyError, ValueError):
        await state.clear()
        await query.answer(_("fallback.stale_button"), show_alert=True)
        return
    # Cleared only now: a second press of "create" meets no state and changes nothing.
    await state.clear()
    await query.answer(_("campaign.created"))
    text, keyboard = await card_view(ctx.session, campaign)
    await edit(query, text, keyboard)
