"""/campaign: the list of campaigns with progress; a new one by name → units → requirement →
deadline → preview → confirm; a campaign's card (done / missing per unit, names on demand,
refresh, close) edits itself in place.

The parent router admits admins only; the service checks the actor and their scope again on
every step (a forged or stale button changes nothing). The wizard's answers live in FSM data,
which is persistent, so a restart mid-way resumes where the admin was.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date, timedelta

from aiogram import F, Router, html
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.campaign_rules import NAME_MAX, CampaignStatus, Requirement, percent
from bot.clock import Clock
from bot.services import campaigns as service
from bot.services.errors import ServiceError
from bot.settings import Settings
from handlers.keyboards import PAGE_SIZE
from handlers.register_ui import refusal
from storage.models.campaign import Campaign
from storage.models.org import Person

REQUIREMENTS: tuple[Requirement, ...] = tuple(Requirement)
QUICK_DAYS = (7, 14, 30)
NAME_BUTTONS = 8  # "names" buttons on a card (units with posts missing, the first ones)
CARD_UNITS = 30  # unit lines on a card (a message holds 4096 characters)
NAMES_LISTED = 60  # missing posts listed for one unit


class CampaignFlow(StatesGroup):
    name = State()
    units = State()
    requirement = State()
    deadline = State()
    confirm = State()


class CampaignCb(CallbackData, prefix="cp"):
    # list / new / toggle / all / page / units_done / req / days / create / abort /
    # open / refresh / names / close / close_yes
    action: str
    value: int = 0
    cid: int = 0


def requirement_label(requirement: Requirement) -> str:
    labels = {
        Requirement.POWERS: _("campaign.req.powers"),
        Requirement.RISKS: _("campaign.req.risks"),
        Requirement.MEASURES: _("campaign.req.measures"),
        Requirement.REGRADING: _("campaign.req.regrading"),
    }
    return labels[requirement]


async def _alert(query: CallbackQuery, error: ServiceError) -> None:
    await query.answer(refusal(error), show_alert=True)


async def _edit(query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    with suppress(TelegramBadRequest):  # "message is not modified" when nothing moved
        await query.message.edit_text(text, reply_markup=keyboard)  # type: ignore[union-attr]


# --- the list -----------------------------------------------------------------------------------


async def _list_view(session: AsyncSession, person: Person) -> tuple[str, InlineKeyboardMarkup]:
    found = await service.campaigns_for(session, person)
    builder = InlineKeyboardBuilder()
    for campaign in found:
        progress = await service.progress_of(session, campaign)
        mark = "🟢" if campaign.status == CampaignStatus.ACTIVE.value else "⚪️"
        label = f"{mark} {campaign.name} · {percent(progress.done, progress.total)}%"
        builder.button(text=label[:60], callback_data=CampaignCb(action="open", cid=campaign.id))
    builder.button(text=_("campaign.new"), callback_data=CampaignCb(action="new"))
    builder.adjust(1)
    text = _("campaign.list_title") if found else _("campaign.list_empty")
    return text, builder.as_markup()


async def start(
    message: Message, state: FSMContext, session: AsyncSession, person: Person
) -> None:
    await state.clear()
    try:
        text, keyboard = await _list_view(session, person)
    except ServiceError as error:
        await message.answer(refusal(error))
        return
    await message.answer(text, reply_markup=keyboard)


async def show_list(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, person: Person
) -> None:
    try:
        text, keyboard = await _list_view(session, person)
    except ServiceError as error:
        await _alert(query, error)
        return
    await state.clear()
    await query.answer()
    await _edit(query, text, keyboard)


# --- the wizard ---------------------------------------------------------------------------------


async def new(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    await state.clear()
    await state.set_state(CampaignFlow.name)
    await _edit(query, _("campaign.ask_name").format(limit=NAME_MAX), None)


async def enter_name(
    message: Message, state: FSMContext, session: AsyncSession, person: Person
) -> None:
    try:
        name = service.check_name(message.text)
    except ServiceError as error:
        await message.answer(
            refusal(error) + "\n\n" + _("campaign.ask_name").format(limit=NAME_MAX)
        )
        return
    await state.update_data(name=name, units=[])
    await state.set_state(CampaignFlow.units)
    try:
        keyboard = await _units_keyboard(session, person, [], 0)
    except ServiceError as error:
        await state.clear()
        await message.answer(refusal(error))
        return
    await message.answer(_("campaign.ask_units").format(count=0), reply_markup=keyboard)


async def name_not_text(message: Message) -> None:
    await message.answer(
        _("campaign.need_text") + "\n\n" + _("campaign.ask_name").format(limit=NAME_MAX)
    )


async def _units_keyboard(
    session: AsyncSession, person: Person, chosen: list[int], offset: int
) -> InlineKeyboardMarkup:
    """The units of the admin's scope, a page at a time, each a toggle (✅ chosen)."""
    units, total = await service.pickable_units(session, person, offset, PAGE_SIZE)
    builder = InlineKeyboardBuilder()
    for unit in units:
        mark = "✅" if unit.id in chosen else "▫️"
        # `cid` carries the page, so the toggled page is shown again.
        data = CampaignCb(action="toggle", value=unit.id, cid=offset)
        builder.row(_button(f"{mark} {unit.path}"[:60], data))
    nav = []
    if offset > 0:
        previous = CampaignCb(action="page", value=max(0, offset - PAGE_SIZE))
        nav.append(_button(_("nav.previous"), previous))
    if offset + PAGE_SIZE < total:
        nav.append(_button(_("nav.next"), CampaignCb(action="page", value=offset + PAGE_SIZE)))
    if nav:
        builder.row(*nav)
    builder.row(_button(_("campaign.all_in_scope"), CampaignCb(action="all")))
    builder.row(
        _button(_("campaign.units_done"), CampaignCb(action="units_done")),
        _button(_("campaign.abort"), CampaignCb(action="abort")),
    )
    return builder.as_markup()


def _button(text: str, data: CampaignCb) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


async def _show_units(
    query: CallbackQuery, session: AsyncSession, person: Person, chosen: list[int], offset: int
) -> None:
    keyboard = await _units_keyboard(session, person, chosen, offset)
    await _edit(query, _("campaign.ask_units").format(count=len(chosen)), keyboard)


async def toggle_unit(
    query: CallbackQuery,
    callback_data: CampaignCb,
    state: FSMContext,
    session: AsyncSession,
    person: Person,
) -> None:
    chosen: list[int] = list((await state.get_data()).get("units", []))
    unit_id = callback_data.value
    try:
        if unit_id in chosen:
            chosen.remove(unit_id)
        else:
            # Checked now, not only at creation: a forged unit is refused at once.
            await service.check_units(session, person, [unit_id])
            chosen.append(unit_id)
        await state.update_data(units=chosen)
        await query.answer()
        await _show_units(query, session, person, chosen, max(0, callback_data.cid))
    except ServiceError as error:
        await _alert(query, error)


async def units_page(
    query: CallbackQuery,
    callback_data: CampaignCb,
    state: FSMContext,
    session: AsyncSession,
    person: Person,
) -> None:
    chosen = list((await state.get_data()).get("units", []))
    try:
        await _show_units(query, session, person, chosen, max(0, callback_data.value))
    except ServiceError as error:
        await _alert(query, error)
        return
    await query.answer()


def _requirement_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for index, requirement in enumerate(REQUIREMENTS):
        builder.button(
            text=requirement_label(requirement),
            callback_data=CampaignCb(action="req", value=index),
        )
    builder.button(text=_("campaign.abort"), callback_data=CampaignCb(action="abort"))
    builder.adjust(1)
    return builder.as_markup()


async def _units_chosen(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    person: Person,
    units: list[int],
) -> None:
    try:
        await service.check_units(session, person, units)
    except ServiceError as error:
        await _alert(query, error)
        return
    await query.answer()
    await state.update_data(units=units)
    await state.set_state(CampaignFlow.requirement)
    await _edit(query, _("campaign.ask_requirement"), _requirement_keyboard())


async def all_units(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, person: Person
) -> None:
    try:
        units = await service.top_units_in_scope(session, person)
    except ServiceError as error:
        await _alert(query, error)
        return
    await _units_chosen(query, state, session, person, units)


async def units_done(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, person: Person
) -> None:
    units = list((await state.get_data()).get("units", []))
    await _units_chosen(query, state, session, person, units)


def _deadline_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for days in QUICK_DAYS:
        builder.button(
            text=_("campaign.in_days").format(days=days),
            callback_data=CampaignCb(action="days", value=days),
        )
    builder.button(text=_("campaign.abort"), callback_data=CampaignCb(action="abort"))
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
    await _edit(query, _("campaign.ask_deadline"), _deadline_keyboard())


async def _to_preview(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    person: Person,
    deadline: date,
) -> str | None:
    """Store the deadline and answer with the preview; a refusal's text when it is refused."""
    data = await state.get_data()
    try:
        shown = await service.preview(
            session,
            settings,
            clock,
            actor=person,
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
    builder.button(text=_("campaign.create"), callback_data=CampaignCb(action="create"))
    builder.button(text=_("campaign.abort"), callback_data=CampaignCb(action="abort"))
    await message.answer(text, reply_markup=builder.as_markup())
    return None


async def enter_deadline(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    person: Person,
) -> None:
    try:
        deadline = service.check_deadline(message.text, service.today_of(clock, settings))
    except ServiceError as error:
        await message.answer(refusal(error), reply_markup=_deadline_keyboard())
        return
    problem = await _to_preview(message, state, session, clock, settings, person, deadline)
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
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    person: Person,
) -> None:
    if callback_data.value not in QUICK_DAYS:
        await query.answer(_("fallback.stale_button"), show_alert=True)
        return
    deadline = service.today_of(clock, settings) + timedelta(days=callback_data.value)
    problem = await _to_preview(
        query.message,
        state,
        session,
        clock,
        settings,
        person,
        deadline,  # type: ignore[arg-type]
    )
    if problem is not None:
        await query.answer(problem, show_alert=True)
        return
    await query.answer()


async def abort(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await _edit(query, _("cancel.done"), None)


async def create(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    person: Person,
) -> None:
    data = await state.get_data()
    try:
        campaign = await service.create_campaign(
            session,
            clock,
            settings,
            actor=person,
            name=data["name"],
            unit_ids=data["units"],
            requirement=data["requirement"],
            deadline=date.fromisoformat(data["deadline"]),
        )
    except ServiceError as error:
        await _alert(query, error)
        return
    except (KeyError, ValueError):
        await state.clear()
        await query.answer(_("fallback.stale_button"), show_alert=True)
        return
    # Cleared only now: a second press of "create" meets no state and changes nothing.
    await state.clear()
    await query.answer(_("campaign.created"))
    text, keyboard = await _card(session, campaign)
    await _edit(query, text, keyboard)


# --- the card -----------------------------------------------------------------------------------


async def _card(session: AsyncSession, campaign: Campaign) -> tuple[str, InlineKeyboardMarkup]:
    progress = await service.progress_of(session, campaign)
    active = campaign.status == CampaignStatus.ACTIVE.value
    lines = [
        _("campaign.card").format(
            name=html.quote(campaign.name),
            requirement=requirement_label(Requirement(campaign.requirement)),
            deadline=campaign.deadline.isoformat(),
            status=_("campaign.status_active") if active else _("campaign.status_closed"),
            done=progress.done,
            total=progress.total,
            percent=percent(progress.done, progress.total),
        )
    ]
    for unit in progress.units[:CARD_UNITS]:
        lines.append(
            _("campaign.card_unit").format(
                unit=html.quote(unit.unit.path),
                done=unit.done,
                total=len(unit.posts),
                missing=len(unit.missing),
                percent=percent(unit.done, len(unit.posts)),
            )
        )
    if len(progress.units) > CARD_UNITS:
        lines.append("…")
    if not progress.units:
        lines.append(_("campaign.no_posts"))
    builder = InlineKeyboardBuilder()
    lagging = [unit for unit in progress.units if unit.missing][:NAME_BUTTONS]
    for unit in lagging:
        label = _("campaign.names").format(unit=unit.unit.name)[:60]
        builder.row(
            _button(label, CampaignCb(action="names", cid=campaign.id, value=unit.unit.id))
        )
    refresh = CampaignCb(action="open", cid=campaign.id, value=1)
    controls = [_button(_("campaign.refresh"), refresh)]
    if active:
        controls.append(_button(_("campaign.close"), CampaignCb(action="close", cid=campaign.id)))
    builder.row(*controls)
    builder.row(_button(_("campaign.back"), CampaignCb(action="list")))
    return "\n".join(lines), builder.as_markup()


async def open_card(
    query: CallbackQuery, callback_data: CampaignCb, session: AsyncSession, person: Person
) -> None:
    try:
        campaign = await service.get_for(session, person, callback_data.cid)
    except ServiceError as error:
        await _alert(query, error)
        return
    await query.answer(_("campaign.refreshed") if callback_data.value else None)
    text, keyboard = await _card(session, campaign)
    await _edit(query, text, keyboard)


async def names(
    query: CallbackQuery, callback_data: CampaignCb, session: AsyncSession, person: Person
) -> None:
    try:
        campaign = await service.get_for(session, person, callback_data.cid)
    except ServiceError as error:
        await _alert(query, error)
        return
    progress = await service.progress_of(session, campaign)
    unit = next((u for u in progress.units if u.unit.id == callback_data.value), None)
    if unit is None:
        await query.answer(_("fallback.stale_button"), show_alert=True)
        return
    await query.answer()
    lines = [
        _("campaign.names_title").format(
            name=html.quote(campaign.name), unit=html.quote(unit.unit.path)
        )
    ]
    for post in unit.missing[:NAMES_LISTED]:
        holders = "、".join(html.quote(p.name) for p in post.holders) or _("campaign.vacant")
        lines.append(
            _("campaign.names_line").format(post=html.quote(post.post.name), holders=holders)
        )
    if len(unit.missing) > NAMES_LISTED:
        lines.append("…")
    if not unit.missing:
        lines.append(_("campaign.names_none"))
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("campaign.back"), callback_data=CampaignCb(action="open", cid=campaign.id)
    )
    await _edit(query, "\n".join(lines), builder.as_markup())


async def ask_close(
    query: CallbackQuery, callback_data: CampaignCb, session: AsyncSession, person: Person
) -> None:
    try:
        campaign = await service.get_for(session, person, callback_data.cid)
        if campaign.status != CampaignStatus.ACTIVE.value:
            raise ServiceError("campaign.already_closed")
    except ServiceError as error:
        await _alert(query, error)
        return
    await query.answer()
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("campaign.close_yes"), callback_data=CampaignCb(action="close_yes", cid=campaign.id)
    )
    builder.button(
        text=_("campaign.close_no"), callback_data=CampaignCb(action="open", cid=campaign.id)
    )
    await _edit(
        query,
        _("campaign.close_confirm").format(name=html.quote(campaign.name)),
        builder.as_markup(),
    )


async def close(
    query: CallbackQuery,
    callback_data: CampaignCb,
    session: AsyncSession,
    clock: Clock,
    person: Person,
) -> None:
    try:
        campaign = await service.close_campaign(
            session, clock, actor=person, campaign_id=callback_data.cid
        )
    except ServiceError as error:
        await _alert(query, error)
        return
    await query.answer(_("campaign.closed"))
    text, keyboard = await _card(session, campaign)
    await _edit(query, text, keyboard)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start, Command("campaign"))
    router.callback_query.register(show_list, CampaignCb.filter(F.action == "list"))
    router.callback_query.register(new, CampaignCb.filter(F.action == "new"))
    router.message.register(enter_name, CampaignFlow.name, F.text)
    router.message.register(name_not_text, CampaignFlow.name)
    router.callback_query.register(
        toggle_unit, CampaignFlow.units, CampaignCb.filter(F.action == "toggle")
    )
    router.callback_query.register(
        units_page, CampaignFlow.units, CampaignCb.filter(F.action == "page")
    )
    router.callback_query.register(
        all_units, CampaignFlow.units, CampaignCb.filter(F.action == "all")
    )
    router.callback_query.register(
        units_done, CampaignFlow.units, CampaignCb.filter(F.action == "units_done")
    )
    router.callback_query.register(
        choose_requirement, CampaignFlow.requirement, CampaignCb.filter(F.action == "req")
    )
    router.message.register(enter_deadline, CampaignFlow.deadline, F.text)
    router.message.register(deadline_not_text, CampaignFlow.deadline)
    router.callback_query.register(
        quick_deadline, CampaignFlow.deadline, CampaignCb.filter(F.action == "days")
    )
    router.callback_query.register(
        create, CampaignFlow.confirm, CampaignCb.filter(F.action == "create")
    )
    router.callback_query.register(
        abort, StateFilter(CampaignFlow), CampaignCb.filter(F.action == "abort")
    )
    router.callback_query.register(open_card, CampaignCb.filter(F.action == "open"))
    router.callback_query.register(names, CampaignCb.filter(F.action == "names"))
    router.callback_query.register(ask_close, CampaignCb.filter(F.action == "close"))
    router.callback_query.register(close, CampaignCb.filter(F.action == "close_yes"))
    return router
