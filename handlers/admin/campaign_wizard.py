"""/campaign's wizard: name → units → requirement → deadline → preview → confirm. Answers live
in FSM data (persistent), so a restart mid-way resumes where the admin was.

Each pressed step writes its answer into its own message (`handlers/ui/trail.py`) and asks the
next question below; the units' toggles and pages edit the units question in place until the
choice is made; a typed name or deadline stays as the admin's own message.
"""

from __future__ import annotations

from datetime import date, timedelta

from aiogram import html
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.campaign_rules import Requirement
from bot.domain.errors import ServiceError
from bot.services import campaigns as service
from handlers.admin.campaign_card import card_view
from handlers.admin.campaign_ui import (
    QUICK_DAYS,
    REQUIREMENTS,
    CampaignFlow,
    abort_button,
    requirement_label,
)
from handlers.callbacks import CampaignAction, CampaignCb
from handlers.register_ui import ask
from handlers.ui.context import Ctx
from handlers.ui.once import create_once
from handlers.ui.pickers import PAGE_SIZE, button, unit_names
from handlers.ui.query import edit_in_place
from handlers.ui.routes import Presses
from handlers.ui.steps import (
    StepOver,
    abort_flow,
    asking_again,
    chosen_index,
    end_flow,
    ends_step,
    next_step,
)
from handlers.ui.trail import answer_choice, ask_below
from storage.models.campaign import Campaign

# --- the wizard ---------------------------------------------------------------------------------


PRESSES = Presses(CampaignCb)


@PRESSES.on(CampaignAction.NEW)
async def new(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await next_step(query, state, CampaignFlow.name)


async def enter_name(message: Message, state: FSMContext, ctx: Ctx) -> None:
    async with asking_again():  # a refused name: why, and the same question
        name = service.check_name(message.text)
    await state.update_data(name=name, units=[])
    await state.set_state(CampaignFlow.units)
    async with ends_step(state):
        keyboard = await _units_keyboard(ctx, [], 0)
    await ask_below(message, state, _("campaign.ask_units").format(count=0), keyboard)


async def not_text(message: Message, state: FSMContext) -> None:
    """A sticker or photo where a name or a date is typed: the hint, the same question."""
    await ask(message, state, prefix=_("campaign.need_text"))


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
        button(*abort_button()),
    )
    return builder.as_markup()


async def _show_units(query: CallbackQuery, ctx: Ctx, chosen: list[int], offset: int) -> None:
    keyboard = await _units_keyboard(ctx, chosen, offset)
    await edit_in_place(query, _("campaign.ask_units").format(count=len(chosen)), keyboard)


@PRESSES.on(CampaignAction.TOGGLE, CampaignFlow.units)
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


@PRESSES.on(CampaignAction.PAGE, CampaignFlow.units)
async def units_page(
    query: CallbackQuery,
    callback_data: CampaignCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    chosen = list((await state.get_data()).get("units", []))
    await _show_units(query, ctx, chosen, max(0, callback_data.value))
    await query.answer()


async def _units_chosen(
    query: CallbackQuery, state: FSMContext, ctx: Ctx, units: list[int], chosen: str | None
) -> None:
    """The units' answer written into their question (`chosen`, else the pressed button)."""
    await service.check_units(ctx.session, ctx.person, units)
    await next_step(query, state, CampaignFlow.requirement, chosen=chosen, units=units)


@PRESSES.on(CampaignAction.ALL, CampaignFlow.units)
async def all_units(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    units = await service.top_units_in_scope(ctx.session, ctx.person)
    await _units_chosen(query, state, ctx, units, None)


@PRESSES.on(CampaignAction.UNITS_DONE, CampaignFlow.units)
async def units_done(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    units = list((await state.get_data()).get("units", []))
    names = await unit_names(ctx.session, units) if units else ""
    await _units_chosen(query, state, ctx, units, names)


@PRESSES.on(CampaignAction.REQ, CampaignFlow.requirement)
async def choose_requirement(
    query: CallbackQuery, callback_data: CampaignCb, state: FSMContext
) -> None:
    index = chosen_index(callback_data.value, REQUIREMENTS)
    await next_step(query, state, CampaignFlow.deadline, requirement=REQUIREMENTS[index].value)


async def _preview(
    state: FSMContext, ctx: Ctx, deadline: date
) -> tuple[str, InlineKeyboardMarkup]:
    """Keep the deadline and build the preview with its buttons; refused as the service says."""
    data = await state.get_data()
    shown = await service.preview(
        ctx.session,
        ctx.settings,
        ctx.clock,
        actor=ctx.person,
        unit_ids=data.get("units", []),
        requirement=data.get("requirement", ""),
        deadline=deadline,
    )
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
    builder.button(text=_("campaign.abort"), callback_data=abort_button()[1])
    return text, builder.as_markup()


async def enter_deadline(message: Message, state: FSMContext, ctx: Ctx) -> None:
    async with asking_again():  # a refused date: why, and the same question with its buttons
        deadline = service.check_deadline(message.text, ctx.today())
        text, keyboard = await _preview(state, ctx, deadline)
    await ask_below(message, state, text, keyboard)


@PRESSES.on(CampaignAction.DAYS, CampaignFlow.deadline)
async def quick_deadline(
    query: CallbackQuery,
    callback_data: CampaignCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    if callback_data.value not in QUICK_DAYS:
        raise ServiceError("fallback.stale_button")
    deadline = ctx.today() + timedelta(days=callback_data.value)
    text, keyboard = await _preview(state, ctx, deadline)  # a refusal: an alert, step kept
    await ask_below(await answer_choice(query), state, text, keyboard)


@PRESSES.on(CampaignAction.ABORT, StateFilter(CampaignFlow))
async def abort(query: CallbackQuery, state: FSMContext) -> None:
    await abort_flow(query, state)


@PRESSES.on(CampaignAction.CREATE, CampaignFlow.confirm)
async def create(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    data = await state.get_data()
    async with ends_step(state):  # created or refused, the wizard is over
        try:
            campaign = await create_once(state, ctx, Campaign, lambda: service.create_campaign(
                ctx.session, ctx.clock, ctx.settings, actor=ctx.person, name=data["name"],
                unit_ids=data["units"], requirement=data["requirement"],
                deadline=date.fromisoformat(data["deadline"]),
            ))  # fmt: skip
        except (KeyError, ValueError):
            raise StepOver("fallback.stale_button") from None
    text, keyboard = await card_view(ctx.session, campaign)
    await end_flow(query, state, text, keyboard)
