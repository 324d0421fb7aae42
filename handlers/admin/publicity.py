"""/publicity for the commission: open a round (scope → which risks → start → preview →
confirm); each pressed step writes its answer into its question and asks the next below
(`handlers/ui/trail.py`), a typed date stays as the admin's message; answers live in FSM data.
Also a way into the citizens' view. Stale or forged buttons, and a sticker where a date is
asked, change nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import F, Router, html
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import ServiceError
from bot.domain.publicity import DATE_STARTS_AT, RoundState, parse_start_date
from bot.services.publicity import rounds, scope
from bot.services.publicity.config import PublicityConfig
from bot.services.publicity.scope import Preview
from handlers.callbacks import RoundWizardAction as A
from handlers.callbacks import RoundWizardCb
from handlers.public.texts import level_counts, when
from handlers.register_ui import Question, ask
from handlers.ui.context import Ctx
from handlers.ui.once import create_once
from handlers.ui.pickers import PAGE_SIZE, button, page_nav, unit_names
from handlers.ui.query import edit_in_place
from handlers.ui.routes import Presses, presses
from handlers.ui.steps import asking_again, chosen_index, end_flow, next_step
from handlers.ui.trail import answer_choice, ask_below
from storage.models.publicity import PublicityRound

PREVIEW_UNITS = 25  # units listed by name in the preview; the rest are summed


PRESSES = Presses(RoundWizardCb)


def _kb(*rows: list[tuple[str, RoundWizardCb]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for row in rows:
        builder.row(*[button(text, data) for text, data in row])
    return builder.as_markup()


def _abort() -> tuple[str, RoundWizardCb]:
    return _("publicity.wizard.abort"), RoundWizardCb(action=A.ABORT)


async def menu(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await state.clear()
    current = await rounds.rounds_in(ctx.session, RoundState.OPEN, RoundState.SCHEDULED)
    lines = [
        _("publicity.admin.round_line").format(
            id=rnd.id,
            state=_("publicity.state.open")
            if rnd.status == RoundState.OPEN.value
            else _("publicity.state.scheduled"),
            start=when(rnd.starts_at, ctx.settings.timezone),
            end=when(rnd.ends_at, ctx.settings.timezone),
        )
        for rnd in current[:10]
    ]
    text = _("publicity.admin.menu").format(
        rounds="\n".join(lines) if lines else _("publicity.admin.no_rounds")
    )
    keyboard = _kb(
        [(_("publicity.admin.new"), RoundWizardCb(action=A.NEW))],
        [(_("publicity.admin.browse"), RoundWizardCb(action=A.BROWSE))],
    )
    await message.answer(text, reply_markup=keyboard)


def _scope_keyboard(_data: dict[str, Any]) -> InlineKeyboardMarkup:
    return _kb(
        [(_("publicity.scope_all"), RoundWizardCb(action=A.SCOPE_ALL))],
        [(_("publicity.scope_pick"), RoundWizardCb(action=A.SCOPE_PICK))],
        [_abort()],
    )


def _active_keyboard(_data: dict[str, Any]) -> InlineKeyboardMarkup:
    return _kb(
        [(_("publicity.active_no"), RoundWizardCb(action=A.ACTIVE, value=0))],
        [(_("publicity.active_yes"), RoundWizardCb(action=A.ACTIVE, value=1))],
        [_abort()],
    )


def _start_keyboard(_data: dict[str, Any]) -> InlineKeyboardMarkup:
    return _kb(
        [(_("publicity.start_now"), RoundWizardCb(action=A.START_NOW))],
        [(_("publicity.start_date"), RoundWizardCb(action=A.START_DATE))],
        [_abort()],
    )


class RoundFlow(StatesGroup):
    scope = Question("publicity.ask_scope", _scope_keyboard)
    units = State()
    active = Question("publicity.ask_active", _active_keyboard)
    start = Question("publicity.ask_start", _start_keyboard)
    date = Question("publicity.ask_date", lambda _data: _kb([_abort()]))
    preview = State()


@PRESSES.on(A.NEW)
async def new(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await next_step(query, state, RoundFlow.scope)


async def _units_keyboard(
    session: AsyncSession, chosen: list[int], offset: int
) -> InlineKeyboardMarkup:
    units, total = await scope.top_units(session, offset, PAGE_SIZE)
    builder = InlineKeyboardBuilder()
    for unit in units:
        mark = "✅" if unit.id in chosen else "▫️"
        data = RoundWizardCb(action=A.TOGGLE, value=unit.id)
        builder.row(button(f"{mark} {unit.name}"[:60], data))
    page_nav(builder, offset, total, lambda at: RoundWizardCb(action=A.PAGE, value=at))
    builder.row(
        button(_("publicity.units_done"), RoundWizardCb(action=A.UNITS_DONE)),
        button(*_abort()),
    )
    return builder.as_markup()


async def _show_units(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, offset: int
) -> None:
    data = await state.get_data()
    chosen = list(data.get("units", []))
    await state.update_data(offset=offset)
    keyboard = await _units_keyboard(session, chosen, offset)
    await edit_in_place(query, _("publicity.ask_units").format(count=len(chosen)), keyboard)


@PRESSES.on(A.SCOPE_ALL, RoundFlow.scope)
async def scope_all(query: CallbackQuery, state: FSMContext) -> None:
    await next_step(query, state, RoundFlow.active, all_units=True, units=[])


@PRESSES.on(A.SCOPE_PICK, RoundFlow.scope)
async def scope_pick(query: CallbackQuery, state: FSMContext, session: AsyncSession) -> None:
    await state.update_data(all_units=False, units=[], offset=0)
    await state.set_state(RoundFlow.units)
    message = await answer_choice(query)
    keyboard = await _units_keyboard(session, [], 0)
    await ask_below(message, state, _("publicity.ask_units").format(count=0), keyboard)


@PRESSES.on(A.TOGGLE, RoundFlow.units)
async def toggle(
    query: CallbackQuery, callback_data: RoundWizardCb, state: FSMContext, session: AsyncSession
) -> None:
    data = await state.get_data()
    chosen = list(data.get("units", []))
    unit_id = callback_data.value
    if unit_id in chosen:
        chosen.remove(unit_id)
    elif not await scope.known_unit_ids(session, [unit_id]):
        raise ServiceError("publicity.stale")
    else:
        chosen.append(unit_id)
    await state.update_data(units=chosen)
    await query.answer()
    await _show_units(query, state, session, int(data.get("offset", 0)))


@PRESSES.on(A.PAGE, RoundFlow.units)
async def page(
    query: CallbackQuery, callback_data: RoundWizardCb, state: FSMContext, session: AsyncSession
) -> None:
    await query.answer()
    await _show_units(query, state, session, max(0, callback_data.value))


@PRESSES.on(A.UNITS_DONE, RoundFlow.units)
async def units_done(query: CallbackQuery, state: FSMContext, session: AsyncSession) -> None:
    units = (await state.get_data()).get("units")
    if not units:
        raise ServiceError("publicity.no_units")
    names = await unit_names(session, units)
    await next_step(query, state, RoundFlow.active, chosen=names)


@PRESSES.on(A.ACTIVE, RoundFlow.active)
async def active(query: CallbackQuery, callback_data: RoundWizardCb, state: FSMContext) -> None:
    value = chosen_index(callback_data.value, (False, True))
    await next_step(query, state, RoundFlow.start, include_active=value == 1)


@PRESSES.on(A.START_DATE, RoundFlow.start)
async def start_date(query: CallbackQuery, state: FSMContext) -> None:
    await next_step(query, state, RoundFlow.date)


def _draft(data: dict) -> rounds.Draft:
    starts = data.get("starts_at")
    return rounds.Draft(
        all_units=bool(data.get("all_units")),
        unit_ids=tuple(data.get("units", [])),
        include_active=bool(data.get("include_active")),
        starts_at=datetime.fromisoformat(starts) if starts else None,
    )


async def _preview_text(ctx: Ctx, data: dict) -> str:
    draft = _draft(data)
    found: Preview = await rounds.preview(ctx.session, ctx.person, draft)
    lines = [
        _("publicity.preview.unit").format(
            unit=html.quote(u.name), levels=level_counts(u.by_level)
        )
        for u in found.units[:PREVIEW_UNITS]
    ]
    if len(found.units) > PREVIEW_UNITS:
        rest = found.units[PREVIEW_UNITS:]
        lines.append(
            _("publicity.preview.more").format(units=len(rest), risks=sum(u.total for u in rest))
        )
    starts = draft.starts_at or ctx.clock.now()
    ends = starts + PublicityConfig.from_settings(ctx.settings).length
    return _("publicity.preview").format(
        scope=_("publicity.scope_all")
        if draft.all_units
        else _("publicity.preview.chosen").format(count=len(draft.unit_ids)),
        total=found.total,
        units="\n".join(lines) if lines else _("publicity.preview.none"),
        start=_("publicity.start_now")
        if draft.starts_at is None
        else when(starts, ctx.settings.timezone),
        end=when(ends, ctx.settings.timezone),
        days=ctx.settings.publicity_days,
        subscribers=found.subscribers,
    )


def _confirm_keyboard() -> InlineKeyboardMarkup:
    return _kb([(_("publicity.confirm"), RoundWizardCb(action=A.CONFIRM))], [_abort()])


async def _ask_confirm(message: Message, state: FSMContext, ctx: Ctx) -> None:
    """The preview, with its confirm button, below the answer that completed it."""
    await state.set_state(RoundFlow.preview)
    text = await _preview_text(ctx, await state.get_data())
    await ask_below(message, state, text, _confirm_keyboard())


@PRESSES.on(A.START_NOW, RoundFlow.start)
async def start_now(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    await state.update_data(starts_at=None)
    await _ask_confirm(await answer_choice(query), state, ctx)


async def enter_date(message: Message, state: FSMContext, ctx: Ctx) -> None:
    zone = ZoneInfo(ctx.settings.timezone)
    today = ctx.clock.now().astimezone(zone).date()
    async with asking_again():  # a date that cannot be read: why, and the same question
        chosen = parse_start_date(message.text, today)
    starts = None if chosen == today else datetime.combine(chosen, DATE_STARTS_AT, zone)
    await state.update_data(starts_at=starts.isoformat() if starts else None)
    await _ask_confirm(message, state, ctx)


async def date_not_text(message: Message, state: FSMContext) -> None:
    await ask(message, state, prefix=_("publicity.need_text"))


@PRESSES.on(A.CONFIRM, RoundFlow.preview)
async def confirm(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    draft = _draft(await state.get_data())
    config = PublicityConfig.from_settings(ctx.settings)
    rnd = await create_once(state, ctx, PublicityRound, lambda: rounds.create_round(
        ctx.session, ctx.clock, config, actor=ctx.person, draft=draft
    ))  # fmt: skip
    if rnd.status == RoundState.SCHEDULED.value and rnd.starts_at <= ctx.clock.now():
        text = _("publicity.created_opening").format(id=rnd.id)
    elif rnd.status == RoundState.OPEN.value:
        text = _("publicity.created_open").format(
            id=rnd.id, end=when(rnd.ends_at, ctx.settings.timezone)
        )
    else:
        text = _("publicity.created_scheduled").format(
            id=rnd.id,
            start=when(rnd.starts_at, ctx.settings.timezone),
            end=when(rnd.ends_at, ctx.settings.timezone),
        )
    await end_flow(query, state, text)


@PRESSES.on(A.ABORT, StateFilter(RoundFlow))
async def abort(query: CallbackQuery, state: FSMContext) -> None:
    await end_flow(query, state, _("publicity.wizard.cancelled"))


async def stale(query: CallbackQuery) -> None:
    """A wizard button from another step, an old message, or forged: nothing happens."""
    raise ServiceError("publicity.stale")


def create_router() -> Router:
    from handlers.public.browse import rounds_view  # the citizens' view, for admins too

    router = Router(name=__name__)
    router.message.register(menu, Command("publicity"))
    PRESSES.register(router)
    presses(router, RoundWizardCb, (rounds_view, A.BROWSE))
    router.callback_query.register(stale, RoundWizardCb.filter())
    router.message.register(enter_date, RoundFlow.date, F.text)
    router.message.register(date_not_text, RoundFlow.date)
    return router
