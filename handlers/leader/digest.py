"""/digest: subscribe to the leaders' digest (daily, weekly or monthly, at an hour), pause and
resume it; the commission also subscribes every leader of a unit at once. One message,
edited in place; the services check authority and move the subscription's state."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.digest_rules import HOURS_OFFERED, Frequency, SubscriptionAction
from bot.domain.roles import Role
from bot.services.stats import subscriptions
from bot.services.stats.scope import may_see_overview
from handlers.callbacks import DigestAction, DigestCb
from handlers.ui.query import message_of
from storage.models.org import Person

FREQUENCIES = tuple(Frequency)
FREQUENCY_KEYS = {
    Frequency.DAILY: "digest.freq.daily",
    Frequency.WEEKLY: "digest.freq.weekly",
    Frequency.MONTHLY: "digest.freq.monthly",
}
UNITS_PER_PAGE = 8


def _button(key: str, action: DigestAction, value: int = 0, hour: int = 0) -> InlineKeyboardButton:
    data = DigestCb(action=action, value=value, hour=hour).pack()
    return InlineKeyboardButton(text=_(key), callback_data=data)


async def _screen(session: AsyncSession, person: Person) -> tuple[str, InlineKeyboardMarkup]:
    sub = await subscriptions.subscription_of(session, person)
    if sub is None:
        text = _("digest.status.none")
    else:
        when = _(FREQUENCY_KEYS[Frequency(sub.frequency)])
        key = "digest.status.paused" if sub.state == "paused" else "digest.status.active"
        text = _(key).format(frequency=when, hour=sub.hour)
    rows = [
        [
            _button(FREQUENCY_KEYS[f], DigestAction.FREQUENCY, index)
            for index, f in enumerate(FREQUENCIES)
        ]
    ]
    if sub is not None and sub.state == "active":
        rows.append([_button("digest.btn.pause", DigestAction.PAUSE)])
    elif sub is not None:
        rows.append([_button("digest.btn.resume", DigestAction.RESUME)])
    if person.has_role(Role.ADMIN):
        rows.append([_button("digest.btn.unit_leaders", DigestAction.UNITS)])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


async def show(message: Message, session: AsyncSession, person: Person | None) -> None:
    if person is None or not may_see_overview(person):
        await message.answer(_("overview.not_allowed"))
        return
    text, keyboard = await _screen(session, person)
    await message.answer(text, reply_markup=keyboard)


async def ask_hour(query: CallbackQuery, callback_data: DigestCb) -> None:
    if not 0 <= callback_data.value < len(FREQUENCIES):
        await query.answer(_("fallback.stale_button"), show_alert=True)
        return
    when = _(FREQUENCY_KEYS[FREQUENCIES[callback_data.value]])
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
    rows.append([_button("digest.btn.back", DigestAction.BACK)])
    await query.answer()
    await message_of(query).edit_text(
        _("digest.ask_hour").format(frequency=when),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
    )


async def choose_hour(
    query: CallbackQuery,
    callback_data: DigestCb,
    session: AsyncSession,
    person: Person | None,
    clock: Clock,
) -> None:
    index = callback_data.value if 0 <= callback_data.value < len(FREQUENCIES) else -1
    frequency = FREQUENCIES[index].value if index >= 0 else ""
    sub = await subscriptions.subscribe(session, clock, person, frequency, callback_data.hour)
    assert person is not None
    text, keyboard = await _screen(session, person)
    when = _(FREQUENCY_KEYS[Frequency(sub.frequency)])
    await query.answer(_("digest.saved").format(frequency=when, hour=sub.hour))
    await message_of(query).edit_text(text, reply_markup=keyboard)


async def pause_or_resume(
    query: CallbackQuery,
    callback_data: DigestCb,
    session: AsyncSession,
    person: Person | None,
    clock: Clock,
) -> None:
    action = (
        SubscriptionAction.PAUSE
        if callback_data.action is DigestAction.PAUSE
        else SubscriptionAction.RESUME
    )
    await subscriptions.move(session, clock, person, action)
    assert person is not None
    text, keyboard = await _screen(session, person)
    await query.answer()
    await message_of(query).edit_text(text, reply_markup=keyboard)


async def back(query: CallbackQuery, session: AsyncSession, person: Person | None) -> None:
    if person is None or not may_see_overview(person):
        await query.answer(_("overview.not_allowed"), show_alert=True)
        return
    text, keyboard = await _screen(session, person)
    await query.answer()
    await message_of(query).edit_text(text, reply_markup=keyboard)


async def unit_page(
    query: CallbackQuery, callback_data: DigestCb, session: AsyncSession, person: Person | None
) -> None:
    offset = max(0, callback_data.value)
    units, total = await subscriptions.units_with_leaders(session, person, offset, UNITS_PER_PAGE)
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
        turns.append(_button("overview.btn.prev", DigestAction.UNITS, offset - UNITS_PER_PAGE))
    if offset + UNITS_PER_PAGE < total:
        turns.append(_button("overview.btn.next", DigestAction.UNITS, offset + UNITS_PER_PAGE))
    if turns:
        rows.append(turns)
    rows.append([_button("digest.btn.back", DigestAction.BACK)])
    key = "digest.pick_unit" if total else "digest.no_leaders"
    await query.answer()
    await message_of(query).edit_text(
        _(key), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


async def subscribe_unit(
    query: CallbackQuery,
    callback_data: DigestCb,
    session: AsyncSession,
    person: Person | None,
    clock: Clock,
) -> None:
    added = await subscriptions.subscribe_unit_leaders(session, clock, person, callback_data.value)
    names = "、".join(p.name for p in added) or "—"
    await query.answer()
    await message_of(query).edit_text(
        _("digest.unit_done").format(n=len(added), names=escape(names)),
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[_button("digest.btn.back", DigestAction.BACK)]]
        ),
    )


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
