"""/publicity for citizens (and the commission's "browse"): open rounds → units → risk cards,
one message edited in place. `/start fb_<code>` from the channel opens the same card."""

from __future__ import annotations

from contextlib import suppress

from aiogram import Router, html
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import ServiceError
from bot.services.feedback.public import PublicCounts, public_counts
from bot.services.publicity import browse, lookup
from bot.services.publicity.lookup import PublicItem
from bot.services.publicity.texts import LEVEL_KEYS, RISK_TYPE_KEYS
from handlers.callbacks import BrowseAction, BrowseCb, FeedbackAction, FeedbackCb
from handlers.public.texts import when
from handlers.ui.context import Ctx
from handlers.ui.pickers import PAGE_SIZE, page_nav
from handlers.ui.query import message_of
from handlers.ui.routes import Presses

DESCRIPTION_MAX = 1500
MEASURE_MAX = 300
MEASURES_MAX = 10


PRESSES = Presses(BrowseCb)


def _b(text: str, data: BrowseCb | FeedbackCb) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text[:60], callback_data=data.pack())


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def _show(
    target: CallbackQuery | Message, text: str, keyboard: InlineKeyboardMarkup | None
) -> None:
    if isinstance(target, Message):
        await target.answer(text, reply_markup=keyboard)
        return
    message = message_of(target)
    await target.answer()
    with suppress(TelegramBadRequest):  # "message is not modified"
        await message.edit_text(text, reply_markup=keyboard)


async def _rounds(target: CallbackQuery | Message, ctx: Ctx) -> None:
    found = await browse.open_rounds(ctx.session)
    if not found:
        await _show(target, _("publicity.browse.none"), None)
        return
    builder = InlineKeyboardBuilder()
    for rnd in found:
        label = _("publicity.browse.round_button").format(
            id=rnd.id, risks=rnd.risks, end=when(rnd.ends_at, ctx.settings.timezone)
        )
        builder.row(_b(label, BrowseCb(action=BrowseAction.ROUND, round_id=rnd.id)))
    await _show(target, _("publicity.browse.rounds"), builder.as_markup())


async def command(message: Message, ctx: Ctx) -> None:
    await _rounds(message, ctx)


@PRESSES.on(BrowseAction.ROUNDS)
async def rounds_view(query: CallbackQuery, ctx: Ctx) -> None:
    await _rounds(query, ctx)


@PRESSES.on(BrowseAction.ROUND)
async def round_view(query: CallbackQuery, callback_data: BrowseCb, session: AsyncSession) -> None:
    offset = max(0, callback_data.page)
    units, total = await browse.round_units(session, callback_data.round_id, offset, PAGE_SIZE)
    builder = InlineKeyboardBuilder()
    for unit in units:
        data = BrowseCb(
            action=BrowseAction.UNIT, round_id=callback_data.round_id, unit_id=unit.unit_id
        )
        builder.row(_b(f"{unit.name} ({unit.risks})", data))
    round_id = callback_data.round_id
    page_nav(
        builder, offset, total,
        lambda at: BrowseCb(action=BrowseAction.ROUND, round_id=round_id, page=at),
    )  # fmt: skip
    builder.row(_b(_("publicity.browse.back_rounds"), BrowseCb(action=BrowseAction.ROUNDS)))
    text = _("publicity.browse.units").format(id=callback_data.round_id, units=total)
    await _show(query, text, builder.as_markup())


def card_text(
    item: PublicItem,
    index: int,
    total: int,
    timezone: str,
    feedback: PublicCounts | None = None,
) -> str:
    type_key = RISK_TYPE_KEYS.get(item.risk_type)
    level_key = LEVEL_KEYS.get(item.level or 0)
    measures = [html.quote(_cut(m, MEASURE_MAX)) for m in item.measures[:MEASURES_MAX]]
    lines = "\n".join(f"{n}. {m}" for n, m in enumerate(measures, 1))
    if len(item.measures) > MEASURES_MAX:
        lines += "\n" + _("publicity.more_measures").format(
            count=len(item.measures) - MEASURES_MAX
        )
    text = _("publicity.card").format(
        unit=html.quote(item.unit_name),
        post=html.quote(item.post_title),
        description=html.quote(_cut(item.description, DESCRIPTION_MAX)),
        type=_(type_key) if type_key else html.quote(item.risk_type),
        level=_(level_key) if level_key else _("register.level_none"),
        measures=lines or _("publicity.no_measures"),
        index=index + 1,
        total=total,
    )
    if feedback is not None and feedback.received:
        text += "\n" + _("feedback.public.counts").format(
            received=feedback.received, answered=feedback.answered
        )
    if item.is_open:
        return (
            text + "\n\n" + _("publicity.card.open_until").format(end=when(item.ends_at, timezone))
        )
    return text + "\n\n" + _("publicity.card.closed")


def card_keyboard(item: PublicItem, index: int, total: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if item.is_open:
        builder.row(
            _b(
                _("publicity.card.feedback"),
                FeedbackCb(action=FeedbackAction.START, item_id=item.item_id),
            )
        )
        nav = []
        at = BrowseCb(action=BrowseAction.UNIT, round_id=item.round_id, unit_id=item.unit_id)
        if index > 0:
            nav.append(_b(_("nav.previous"), at.model_copy(update={"page": index - 1})))
        if index + 1 < total:
            nav.append(_b(_("nav.next"), at.model_copy(update={"page": index + 1})))
        if nav:
            builder.row(*nav)
        units = BrowseCb(action=BrowseAction.ROUND, round_id=item.round_id)
        builder.row(_b(_("publicity.browse.back_units"), units))
    return builder.as_markup()


async def _card(
    target: CallbackQuery | Message,
    ctx: Ctx,
    round_id: int,
    unit_id: int,
    index: int,
) -> None:
    await browse.require_open(ctx.session, round_id)
    ids = await browse.unit_items(ctx.session, round_id, unit_id)
    if not ids:
        raise ServiceError("publicity.not_found")
    index = min(max(0, index), len(ids) - 1)
    item = await lookup.public_item_by_id(ctx.session, ids[index])
    if item is None:
        raise ServiceError("publicity.not_found")
    counts = (await public_counts(ctx.session, [item.item_id])).get(item.item_id)
    await _show(
        target,
        card_text(item, index, len(ids), ctx.settings.timezone, counts),
        card_keyboard(item, index, len(ids)),
    )


@PRESSES.on(BrowseAction.UNIT)
@PRESSES.on(BrowseAction.CARD)
async def unit_view(query: CallbackQuery, callback_data: BrowseCb, ctx: Ctx) -> None:
    await _card(query, ctx, callback_data.round_id, callback_data.unit_id, callback_data.page)


async def open_from_link(message: Message, ctx: Ctx, code: str) -> None:
    """`/start fb_<code>`: the card of that item (a closed round's card says it closed)."""
    item = await lookup.public_item(ctx.session, code)
    if item is None:
        await message.answer(_("publicity.not_found"))
        return
    ids = await browse.unit_items(ctx.session, item.round_id, item.unit_id)
    index = ids.index(item.item_id) if item.item_id in ids else 0
    counts = (await public_counts(ctx.session, [item.item_id])).get(item.item_id)
    await message.answer(
        card_text(item, index, len(ids), ctx.settings.timezone, counts),
        reply_markup=card_keyboard(item, index, len(ids)),
    )


def create_router() -> Router:
    """Everyone's /publicity (the commission's own /publicity is handled before this)."""
    router = Router(name=__name__)
    router.message.register(command, Command("publicity"))
    PRESSES.register(router)
    return router
