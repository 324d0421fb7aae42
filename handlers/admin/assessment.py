"""/assessment YEAR (强化考核, the commission): the ranking, each unit's card with its breakdown
and last year beside it, paged and edited in place; confirming freezes the year."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.assessment import AssessmentState
from bot.domain.errors import ServiceError
from bot.domain.ids import parse_id
from bot.services import assessment as service
from bot.services.assessment_text import card_text, ranking_text
from handlers.callbacks import AssessmentAction, AssessmentCb
from handlers.ui.context import Ctx
from handlers.ui.query import message_of
from handlers.ui.routes import Presses

PRESSES = Presses(AssessmentCb)


def tr(key: str, /, **values: Any) -> str:
    return _(key).format(**values) if values else _(key)


def parse_year(args: str | None, today: date) -> int:
    """`/assessment 2026`; no year: this year. Refused: not a year, or in the future."""
    text = (args or "").strip()
    if not text:
        return today.year
    year = parse_id(text)
    if year is None:
        raise ServiceError("assessment.bad_year", latest=today.year)
    return service.check_year(year, today)


async def _screen(ctx: Ctx, year: int, page: int) -> tuple[str, InlineKeyboardMarkup]:
    today = ctx.today()
    config = service.AssessmentConfig.from_settings(ctx.settings)
    service.check_year(year, today)
    this = await service.for_year(ctx.session, year, today=today, config=config)
    page = max(0, min(page, len(this.results)))
    if page == 0:
        text = ranking_text(this, tr, timezone=ctx.settings.timezone)
    else:
        result = this.results[page - 1]
        before = await service.confirmed(ctx.session, year - 1)
        previous = before.result(result.unit_id) if before else None
        text = card_text(this, result, previous, tr, timezone=ctx.settings.timezone)
    return text, _keyboard(this, page)


def _keyboard(this: service.YearAssessment, page: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    pages = len(this.results)
    nav = 0
    if page > 0:
        builder.button(
            text=_("nav.previous"),
            callback_data=AssessmentCb(
                action=AssessmentAction.PAGE, year=this.year, page=page - 1
            ),
        )
        nav += 1
    if page < pages:
        builder.button(
            text=_("nav.next"),
            callback_data=AssessmentCb(
                action=AssessmentAction.PAGE, year=this.year, page=page + 1
            ),
        )
        nav += 1
    rows = [nav] if nav else []
    if page > 0:
        builder.button(
            text=_("assessment.btn.ranking"),
            callback_data=AssessmentCb(action=AssessmentAction.PAGE, year=this.year),
        )
        rows.append(1)
    if this.state is AssessmentState.DRAFT and this.results:
        builder.button(
            text=_("assessment.btn.confirm"),
            callback_data=AssessmentCb(action=AssessmentAction.CONFIRM, year=this.year, page=page),
        )
        rows.append(1)
    builder.adjust(*rows)
    return builder.as_markup()


async def show(message: Message, command: CommandObject, ctx: Ctx) -> None:
    await service.require_commission(ctx.session, ctx.person)
    year = parse_year(command.args, ctx.today())
    text, keyboard = await _screen(ctx, year, 0)
    await message.answer(text, reply_markup=keyboard)


@PRESSES.on(AssessmentAction.PAGE)
async def turn_page(query: CallbackQuery, callback_data: AssessmentCb, ctx: Ctx) -> None:
    await service.require_commission(ctx.session, ctx.person)
    text, keyboard = await _screen(ctx, callback_data.year, callback_data.page)
    await query.answer()
    await message_of(query).edit_text(text, reply_markup=keyboard)


@PRESSES.on(AssessmentAction.CONFIRM)
async def ask_confirm(query: CallbackQuery, callback_data: AssessmentCb, ctx: Ctx) -> None:
    await service.require_commission(ctx.session, ctx.person)
    builder = InlineKeyboardBuilder()
    year, page = callback_data.year, callback_data.page
    builder.button(
        text=_("assessment.btn.confirm_yes"),
        callback_data=AssessmentCb(action=AssessmentAction.CONFIRM_YES, year=year, page=page),
    )
    builder.button(
        text=_("assessment.btn.cancel"),
        callback_data=AssessmentCb(action=AssessmentAction.PAGE, year=year, page=page),
    )
    builder.adjust(1)
    await query.answer()
    await message_of(query).edit_text(
        _("assessment.confirm_question").format(year=year), reply_markup=builder.as_markup()
    )


@PRESSES.on(AssessmentAction.CONFIRM_YES)
async def confirm(query: CallbackQuery, callback_data: AssessmentCb, ctx: Ctx) -> None:
    today = ctx.today()
    config = service.AssessmentConfig.from_settings(ctx.settings)
    await service.confirm(
        ctx.session,
        ctx.clock,
        actor=ctx.person,
        year=callback_data.year,
        today=today,
        config=config,
        settings=ctx.settings,
    )
    text, keyboard = await _screen(ctx, callback_data.year, 0)
    await query.answer(_("assessment.confirmed").format(year=callback_data.year))
    await message_of(query).edit_text(text, reply_markup=keyboard)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show, Command("assessment"))
    PRESSES.register(router)
    return router
