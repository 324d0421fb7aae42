"""/overview: the seed's table for the person's scope, with the chart, drilling into a unit
(edited in place) and the ranking of units. The service decides the scope (leaders, reviewers,
the commission) and refuses everyone else with a clear message."""

from __future__ import annotations

import asyncio

from aiogram import F, Router
from aiogram.enums import ChatAction
from aiogram.filters import Command
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import gettext as _

from bot.i18n import N_
from bot.services.stats.chart import has_data, render_chart
from bot.services.stats.overview import Overview
from bot.services.stats.render import overview_text, ranking_text, scope_title
from bot.services.stats.scope import overview_for
from handlers.callbacks import OverviewAction, OverviewCb
from handlers.ui.context import Ctx
from handlers.ui.query import bot_of, message_of

UNITS_PER_PAGE = 12


def overview_keyboard(ov: Overview, unit_id: int | None, page: int = 0) -> InlineKeyboardMarkup:
    """A button per unit under the one shown (paged), the ranking, the chart, and back up."""
    children = ov.children(unit_id)
    shown = children[page * UNITS_PER_PAGE : (page + 1) * UNITS_PER_PAGE]
    here = unit_id or 0
    buttons = [
        InlineKeyboardButton(
            text=row.name,
            callback_data=OverviewCb(action=OverviewAction.UNIT, unit_id=row.unit_id).pack(),
        )
        for row in shown
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    turns = []
    if page > 0:
        turns.append(_page_button(N_("overview.btn.prev"), here, page - 1))
    if (page + 1) * UNITS_PER_PAGE < len(children):
        turns.append(_page_button(N_("overview.btn.next"), here, page + 1))
    if turns:
        rows.append(turns)
    tools = []
    if children:
        tools.append(
            InlineKeyboardButton(
                text=_("overview.btn.ranking"),
                callback_data=OverviewCb(action=OverviewAction.RANK, unit_id=here).pack(),
            )
        )
    tools.append(
        InlineKeyboardButton(
            text=_("overview.btn.chart"),
            callback_data=OverviewCb(action=OverviewAction.CHART, unit_id=here).pack(),
        )
    )
    rows.append(tools)
    if unit_id is not None:
        rows.append([_up_button(ov, unit_id)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _page_button(key: str, unit_id: int, page: int) -> InlineKeyboardButton:
    data = OverviewCb(action=OverviewAction.UNIT, unit_id=unit_id, page=page).pack()
    return InlineKeyboardButton(text=_(key), callback_data=data)


def _up_button(ov: Overview, unit_id: int) -> InlineKeyboardButton:
    row = ov.row(unit_id)
    parent = row.parent_id if row is not None else None
    # The person's own top: back to the whole scope (unit 0).
    target = parent if parent is not None and ov.scope.covers(parent) else 0
    data = OverviewCb(action=OverviewAction.UNIT, unit_id=target).pack()
    return InlineKeyboardButton(text=_("overview.btn.up"), callback_data=data)


async def _load(ctx: Ctx, unit_id: int) -> Overview:
    return await overview_for(
        ctx.session,
        ctx.person,
        unit_id or None,
        today=ctx.today(),
        review_limit_days=ctx.settings.review_reminder_days,
        answer_days=ctx.settings.feedback_answer_days,
    )


async def show_overview(message: Message, ctx: Ctx, locale: str) -> None:
    ov = await _load(ctx, 0)
    await send_chart(message, ov, None, locale)
    text = overview_text(ov, None, locale, review_limit_days=ctx.settings.review_reminder_days)
    await message.answer(text, reply_markup=overview_keyboard(ov, None))


async def send_chart(message: Message, ov: Overview, unit_id: int | None, locale: str) -> None:
    """The chart as a photo, drawn in a worker thread (it takes a few hundred ms)."""
    await bot_of(message).send_chat_action(message.chat.id, ChatAction.UPLOAD_PHOTO)
    if not has_data(ov, unit_id):
        # Nothing to draw: say so in words rather than send blank axes.
        await message.answer(_("chart.empty_text").format(unit=scope_title(ov, unit_id, locale)))
        return
    png = await asyncio.to_thread(render_chart, ov, unit_id, locale)
    caption = _("chart.caption").format(unit=scope_title(ov, unit_id, locale))
    await message.answer_photo(BufferedInputFile(png, "overview.png"), caption=caption)


async def chart(query: CallbackQuery, callback_data: OverviewCb, ctx: Ctx, locale: str) -> None:
    ov = await _load(ctx, callback_data.unit_id)
    await query.answer()
    await send_chart(message_of(query), ov, callback_data.unit_id or None, locale)


async def drill(query: CallbackQuery, callback_data: OverviewCb, ctx: Ctx, locale: str) -> None:
    ov = await _load(ctx, callback_data.unit_id)
    unit_id = callback_data.unit_id or None
    days = ctx.settings.review_reminder_days
    text = overview_text(ov, unit_id, locale, review_limit_days=days)
    await query.answer()
    await message_of(query).edit_text(
        text, reply_markup=overview_keyboard(ov, unit_id, callback_data.page)
    )


async def ranking(query: CallbackQuery, callback_data: OverviewCb, ctx: Ctx, locale: str) -> None:
    ov = await _load(ctx, callback_data.unit_id)
    unit_id = callback_data.unit_id or None
    back = OverviewCb(action=OverviewAction.UNIT, unit_id=callback_data.unit_id).pack()
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=_("overview.btn.back"), callback_data=back)]]
    )
    await query.answer()
    await message_of(query).edit_text(ranking_text(ov, unit_id, locale), reply_markup=keyboard)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_overview, Command("overview"))
    router.callback_query.register(drill, OverviewCb.filter(F.action == OverviewAction.UNIT))
    router.callback_query.register(ranking, OverviewCb.filter(F.action == OverviewAction.RANK))
    router.callback_query.register(chart, OverviewCb.filter(F.action == OverviewAction.CHART))
    return router
