"""/track CODE and /mine: a sender's own feedback, its status and answer, and the rating.

A wrong code and someone else's code read the same "not found"; after too many wrong codes
the person is told how many minutes to wait (the service counts them).
"""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain import feedback as rules
from bot.domain import local_time
from bot.domain.errors import ServiceError
from bot.domain.feedback import KIND_KEYS, RATING_KEYS, STATE_KEYS, Kind, Rating, State
from bot.i18n import N_
from bot.services.feedback import tracking
from bot.services.feedback.config import FeedbackConfig
from bot.services.feedback.tracking import OwnView
from bot.settings import Settings
from handlers.callbacks import TrackAction, TrackCb
from handlers.ui.context import Ctx
from handlers.ui.query import message_of

RATINGS = list(Rating)
TEXT_SHOWN = 500


def _short(text: str, limit: int = TEXT_SHOWN) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(view: OwnView, settings: Settings) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        _("feedback.track.card").format(
            code=view.code,
            kind=_(KIND_KEYS[Kind(view.kind)]),
            state=_(STATE_KEYS[State(view.state)]),
            at=local_time.minute(view.created_at, settings.timezone),
            unit=html.quote(view.unit_name),
            post=html.quote(view.post_title),
            text=html.quote(_short(view.text)),
        )
    ]
    if view.first_answer:
        first = html.quote(_short(view.first_answer))
        lines.append(_("feedback.track.first_answer").format(answer=first))
    if view.answer:
        lines.append(_("feedback.track.answer").format(answer=html.quote(view.answer)))
    if view.hidden_reason and view.state == State.HIDDEN.value:
        lines.append(_("feedback.track.hidden").format(reason=html.quote(view.hidden_reason)))
    if view.rating:
        lines.append(_("feedback.track.rated").format(rating=_(RATING_KEYS[Rating(view.rating)])))
    builder = InlineKeyboardBuilder()
    if view.can_rate:
        lines.append(_("feedback.track.ask_rating"))
        for position, rating in enumerate(RATINGS):
            builder.button(
                text=_(RATING_KEYS[rating]),
                callback_data=TrackCb(
                    action=TrackAction.RATE,
                    feedback_id=view.feedback_id,
                    value=position,
                    version=view.version,
                ),
            )
    builder.button(text=_("feedback.btn.mine"), callback_data=TrackCb(action=TrackAction.LIST))
    builder.adjust(3, 1)
    return "\n".join(lines), builder.as_markup()


async def track(message: Message, command: CommandObject, ctx: Ctx) -> None:
    typed = (command.args or "").strip()
    if not typed:
        await message.answer(_("feedback.track.usage"))
        return
    found = await tracking.track(ctx.session, ctx.clock, ctx.person, typed)
    if found.wait is not None:
        minutes = rules.minutes_to_wait(found.wait)
        await message.answer(_("feedback.track.wait").format(minutes=minutes))
    elif found.view is None:
        await message.answer(_("feedback.track.not_found"))
    else:
        text, keyboard = render(found.view, ctx.settings)
        await message.answer(text, reply_markup=keyboard)


async def _mine(ctx: Ctx, offset: int) -> tuple[str, InlineKeyboardMarkup]:
    views, total = await tracking.mine(ctx.session, ctx.person, offset)
    builder = InlineKeyboardBuilder()
    if not total:
        return _("feedback.mine.empty"), builder.as_markup()
    lines = [_("feedback.mine.title").format(n=total)]
    for view in views:
        lines.append(
            _("feedback.mine.line").format(
                code=view.code,
                kind=_(KIND_KEYS[Kind(view.kind)]),
                state=_(STATE_KEYS[State(view.state)]),
                at=local_time.day(view.created_at, ctx.settings.timezone),
            )
        )
        builder.button(
            text=view.code,
            callback_data=TrackCb(action=TrackAction.OPEN, feedback_id=view.feedback_id),
        )
    builder.adjust(1)
    nav = InlineKeyboardBuilder()
    if offset > 0:
        back = max(0, offset - tracking.MINE_PAGE)
        nav.button(
            text=_("nav.previous"), callback_data=TrackCb(action=TrackAction.LIST, value=back)
        )
    if offset + tracking.MINE_PAGE < total:
        ahead = offset + tracking.MINE_PAGE
        nav.button(text=_("nav.next"), callback_data=TrackCb(action=TrackAction.LIST, value=ahead))
    builder.attach(nav)
    return "\n".join(lines), builder.as_markup()


async def mine(message: Message, ctx: Ctx) -> None:
    text, keyboard = await _mine(ctx, 0)
    await message.answer(text, reply_markup=keyboard)


async def page(query: CallbackQuery, callback_data: TrackCb, ctx: Ctx) -> None:
    text, keyboard = await _mine(ctx, max(0, callback_data.value))
    await query.answer()
    await message_of(query).edit_text(text, reply_markup=keyboard)


async def open_own(query: CallbackQuery, callback_data: TrackCb, ctx: Ctx) -> None:
    view = await tracking.own_view(ctx.session, ctx.person, callback_data.feedback_id)
    text, keyboard = render(view, ctx.settings)
    await query.answer()
    await message_of(query).edit_text(text, reply_markup=keyboard)


async def rate(query: CallbackQuery, callback_data: TrackCb, ctx: Ctx) -> None:
    if not 0 <= callback_data.value < len(RATINGS):
        raise ServiceError("feedback.flow.stale")
    rating = RATINGS[callback_data.value]
    view = await tracking.rate(
        ctx.session, ctx.clock, FeedbackConfig.from_settings(ctx.settings), ctx.person,
        feedback_id=callback_data.feedback_id, rating=rating,
        expected_version=callback_data.version,
    )  # fmt: skip
    key = (
        N_("feedback.track.appealed")
        if view.state == State.RECEIVED.value
        else N_("feedback.track.thanks")
    )
    text, keyboard = render(view, ctx.settings)
    await query.answer(_(key))
    await message_of(query).edit_text(f"{_(key)}\n\n{text}", reply_markup=keyboard)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(track, Command("track"))
    router.message.register(mine, Command("mine"))
    router.callback_query.register(page, TrackCb.filter(F.action == TrackAction.LIST))
    router.callback_query.register(open_own, TrackCb.filter(F.action == TrackAction.OPEN))
    router.callback_query.register(rate, TrackCb.filter(F.action == TrackAction.RATE))
    return router
