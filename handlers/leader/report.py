"""/report (leaders and the commission, their scope): choose a period by buttons, receive the
one-page PDF and the XLSX workbook as documents, with an upload indicator while they are made."""

from __future__ import annotations

import asyncio

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.chat_action import ChatActionSender
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.clock import Clock
from bot.domain.register_rules import local_today
from bot.domain.report_period import Period, month_to_date, quarter_to_date, year_period
from bot.i18n import N_
from bot.services.reports.build import caption, render_files, report_for
from bot.services.stats.scope import scope_of
from bot.settings import Settings
from handlers.callbacks import ReportCb, ReportPeriod
from handlers.ui.context import Ctx
from handlers.ui.query import message_of

LABELS = {
    ReportPeriod.YEAR: N_("report.btn.year"),
    ReportPeriod.LAST_YEAR: N_("report.btn.last_year"),
    ReportPeriod.QUARTER: N_("report.btn.quarter"),
    ReportPeriod.MONTH: N_("report.btn.month"),
}


def _chooser() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("report.btn.year"), callback_data=ReportCb(period=ReportPeriod.YEAR))
    builder.button(
        text=_("report.btn.last_year"), callback_data=ReportCb(period=ReportPeriod.LAST_YEAR)
    )
    builder.button(
        text=_("report.btn.quarter"), callback_data=ReportCb(period=ReportPeriod.QUARTER)
    )
    builder.button(text=_("report.btn.month"), callback_data=ReportCb(period=ReportPeriod.MONTH))
    builder.adjust(2)
    return builder.as_markup()


async def ask_period(message: Message, ctx: Ctx) -> None:
    await scope_of(ctx.session, ctx.person)  # refuses before asking anything
    await message.answer(_("report.ask_period"), reply_markup=_chooser())


def period_for(choice: ReportPeriod, clock: Clock, settings: Settings) -> Period:
    today = local_today(clock.now(), settings.timezone)
    if choice is ReportPeriod.LAST_YEAR:
        return year_period(today.year - 1, today)
    if choice is ReportPeriod.QUARTER:
        return quarter_to_date(today)
    if choice is ReportPeriod.MONTH:
        return month_to_date(today)
    return year_period(today.year, today)


async def send_report(
    query: CallbackQuery,
    callback_data: ReportCb,
    bot: Bot,
    ctx: Ctx,
    locale: str,
) -> None:
    scope = await scope_of(ctx.session, ctx.person)
    period = period_for(callback_data.period, ctx.clock, ctx.settings)
    await query.answer()
    chat_id = query.from_user.id
    await message_of(query).edit_text(_("report.making"))
    # "sending a file…" shows (renewed every few seconds) while the report is made and sent.
    async with ChatActionSender.upload_document(bot=bot, chat_id=chat_id):
        data = await report_for(
            ctx.session, scope, period, locale=locale, now=ctx.clock.now(), settings=ctx.settings
        )
        files = await asyncio.to_thread(render_files, data, period, locale)
        text = caption(data, locale)
        await bot.send_document(
            chat_id, BufferedInputFile(files.pdf, f"{files.stem}.pdf"), caption=text
        )
        await bot.send_document(chat_id, BufferedInputFile(files.xlsx, f"{files.stem}.xlsx"))
    await message_of(query).edit_text(
        _("report.sent").format(period=_(LABELS[callback_data.period]))
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(ask_period, Command("report"))
    router.callback_query.register(send_report, ReportCb.filter())
    return router
