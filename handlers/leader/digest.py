"""/digest: subscribe to the leaders' digest (daily, weekly or monthly, at an hour), pause and
resume it; the commission also subscribes every leader of a unit at once. One message,
edited in place; the services check authority and move the subscription's state."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.domain.digest_rules import HOURS_OFFERED, Frequency, SubscriptionAction
from bot.domain.errors import NotAllowed
from bot.domain.roles import Role
from bot.i18n import N_
from bot.services.stats import subscriptions
from bot.services.stats.scope import may_see_overview
from handlers.callbacks import DigestAction, DigestCb
from handlers.ui.context import Ctx
from handlers.ui.pager import Page
from handlers.ui.query import show_page
from handlers.ui.steps import chosen_index

FREQUENCIES = tuple(Frequency)
FREQUENCY_KEYS = {
    Frequency.DAILY: N_("digest.freq.daily"),
    Frequency.WEEKLY: N_("digest.freq.weekly"),
    Frequency.MONTHLY: N_("digest.freq.monthly"),
}
UNITS_PER_PAGE = 8


def _button(key: str, action: DigestAction, value: int = 0, hour: int = 0) -> InlineKeyboardButton:
    data = DigestCb(action=action, value=value, hour=hour).pack()
    return InlineKeyboardButton(text=_(key), callback_data=data)


async def _screen(ctx: Ctx) -> Page:
    sub = await subscriptions.subscription_of(ctx.session, ctx.person)
    if sub is None:
        text = _("digest.status.none")
    else:
        when = _(FREQUENCY_KEYS[Frequency(sub.frequency)])
        key = N_("digest.status.paused") if sub.state == "paused" else N_("digest.status.active")
        text = _(key).format(frequency=when, hour=sub.hour)
    rows = [
        [
            _button(FREQUENCY_KEYS[f], DigestAction.FREQUENCY, index)
            for index, f in enumerate(FREQUENCIES)
        ]
    ]
    if sub is not None and sub.state == "active":
        rows.append([_button(N_("digest.btn.pause"), DigestAction.PAUSE)])
    elif sub is not None:
        rows.append([_button(N_("digest.btn.resume"), DigestAction.RESUME)])
    if ctx.person.has_role(Role.ADMIN):
        rows.append([_button(N_("digest.btn.unit_leaders"), DigestAction.UNITS)])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


async def _edit(query: CallbackQuery, text: str, *rows: list[InlineKeyboardButton]) -> None:
    """Answer the press and edit its message to `text` with `rows` of buttons."""
    await show_page(query, text, InlineKeyboardMarkup(inline_keyboard=list(rows)))


async def _show_screen(query: CallbackQuery, ctx: Ctx, said: str | None = None) -> None:
    """The subscription screen in the pressed message; `said`, the press's answer."""
    await show_page(query, *await _screen(ctx), said=said)


async def show(message: Message, ctx: Ctx) -> None:
    if not may_see_overview(ctx.person):
        raise NotAllowed("overview.not_allowed")
    text, keyboard = await _screen(ctx)
    await message.answer(text, reply_markup=keyboard)


async def ask_hour(query: CallbackQuery, callback_data: DigestCb) -> None:
    when = _(FREQUENCY_KEYS[FREQUENCIES[chosen_index(callback_data.value, FREQUENCIES)]])
    buttons = [
        InlineKeyboardButton(
            text=f"{hour}:00",
            callback_data=DigestCb(
                action=DigestAction.HOUR, value=callback_data.value, hour=hour
            ).pack(),
        )
        for hour in HOURS_OFFERED
    ]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    await _edit(query, _("digest.ask_hour").format(frequency=when), *rows, [_back()])


async def choose_hour(query: CallbackQuery, callback_data: DigestCb, ctx: Ctx) -> None:
    index = callback_data.value if 0 <= callback_data.value < len(FREQUENCIES) else -1
    frequency = FREQUENCIES[index].value if index >= 0 else ""
    sub = await subscriptions.subscribe(
        ctx.session, ctx.clock, ctx.person, frequency, callback_data.hour
    )
    when = _(FREQUENCY_KEYS[Frequency(sub.frequency)])
    await _show_screen(query, ctx, _("digest.saved").format(frequency=when, hour=sub.hour))


MOVES = {
    DigestAction.PAUSE: SubscriptionAction.PAUSE,
    DigestAction.RESUME: SubscriptionAction.RESUME,
}


async def pause_or_resume(query: CallbackQuery, callback_data: DigestCb, ctx: Ctx) -> None:
    await subscriptions.move(ctx.session, ctx.clock, ctx.person, MOVES[callback_data.action])
    await _show_screen(query, ctx)


async def back(query: CallbackQuery, ctx: Ctx) -> None:
    if not may_see_overview(ctx.person):
        raise NotAllowed("overview.not_allowed")
    await _show_screen(query, ctx)


def _back() -> InlineKeyboardButton:
    return _button(N_("digest.btn.back"), DigestAction.BACK)


async def unit_page(query: CallbackQuery, callback_data: DigestCb, ctx: Ctx) -> None:
    offset = max(0, callback_data.value)
    units, total = await subscriptions.units_with_leaders(
        ctx.session, ctx.person, offset, UNITS_PER_PAGE
    )
    rows = [
        [
            InlineKeyboardButton(
                text=_("digest.unit_button").format(unit=unit.path, n=unit.leaders),
                callback_data=DigestCb(action=DigestAction.UNIT, value=unit.unit_id).pack(),
            )
        ]
        for unit in units
    ]
    turns = []
    if offset > 0:
        turns.append(_button(N_("overview.btn.prev"), DigestAction.UNITS, offset - UNITS_PER_PAGE))
    if offset + UNITS_PER_PAGE < total:
        turns.append(_button(N_("overview.btn.next"), DigestAction.UNITS, offset + UNITS_PER_PAGE))
    if turns:
        rows.append(turns)
    key = N_("digest.pick_unit") if total else N_("digest.no_leaders")
    await _edit(query, _(key), *rows, [_back()])


async def subscribe_unit(query: CallbackQuery, callback_data: DigestCb, ctx: Ctx) -> None:
    added = await subscriptions.subscribe_unit_leaders(
        ctx.session, ctx.clock, ctx.person, callback_data.value
    )
    names = "、".join(p.name for p in added) or "—"
    await _edit(query, _("digest.unit_done").format(n=len(added), names=escape(names)), [_back()])


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show, Command("digest"))
    on = router.callback_query.register
    on(ask_hour, DigestCb.filter(F.action == DigestAction.FREQUENCY))
    on(choose_hour, DigestCb.filter(F.action == DigestAction.HOUR))
    on(pause_or_resume, DigestCb.filter(F.action.in_({DigestAction.PAUSE, DigestAction.RESUME})))
    on(back, DigestCb.filter(F.action == DigestAction.BACK))
    on(unit_page, DigestCb.filter(F.action == DigestAction.UNITS))
    on(subscribe_unit, DigestCb.filter(F.action == DigestAction.UNIT))
    return router
