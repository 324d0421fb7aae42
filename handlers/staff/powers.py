"""/powers: the powers of my post (清权确权) — list with counts, add, open, edit, withdraw.

Adding: name → content → exercising subject (defaults to the post) → legal basis → scope
(对外 / 对内) → category (the unit's list) → confirm card → saved as submitted.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.domain.register_rules import CONTENT_MAX, LEGAL_BASIS_MAX, NAME_MAX, SUBJECT_MAX
from bot.services import powers as power_service
from bot.services.powers import PowerDraft, text_or_refuse
from bot.settings import Settings
from handlers.keyboards import PAGE_SIZE, paged_choices
from handlers.register_ui import (
    alert,
    ask,
    quote,
    reask,
    refusal,
    refuse_and_reask,
    register_prompt,
    scope_label,
    send_list,
    turn_list_page,
)
from storage.models.org import Person, Post
from storage.models.register import Power, PowerScope

SCOPES = (PowerScope.EXTERNAL.value, PowerScope.INTERNAL.value)
# Field order for the edit buttons; the index travels in the callback data, never the name.
EDIT_FIELDS = ("name", "content", "subject", "legal_basis", "category")
LIMITS = {
    "name": NAME_MAX,
    "content": CONTENT_MAX,
    "subject": SUBJECT_MAX,
    "legal_basis": LEGAL_BASIS_MAX,
}


class PowerFlow(StatesGroup):
    name = State()
    content = State()
    subject = State()
    legal_basis = State()
    scope = State()
    category = State()
    confirm = State()


class PowerEdit(StatesGroup):
    value = State()
    category = State()


class PowerCb(CallbackData, prefix="pw"):
    action: str  # page / open / add / subject_post / scope / cat / save / abort / edit / withdraw
    id: int = 0
    value: int = 0


def _scope_keyboard(_data: dict[str, Any]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for index, scope in enumerate(SCOPES):
        builder.button(text=scope_label(scope), callback_data=PowerCb(action="scope", value=index))
    builder.adjust(1)
    return builder.as_markup()


def _category_keyboard(data: dict[str, Any]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for index, name in enumerate(data.get("categories", [])):
        builder.button(text=name, callback_data=PowerCb(action="cat", value=index))
    builder.adjust(2)
    return builder.as_markup()


def _subject_keyboard(data: dict[str, Any]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("powers.subject_is_post").format(post=data.get("post_name", "")),
        callback_data=PowerCb(action="subject_post"),
    )
    return builder.as_markup()


register_prompt(PowerFlow.name.state, "powers.ask_name")
register_prompt(PowerFlow.content.state, "powers.ask_content")
register_prompt(PowerFlow.subject.state, "powers.ask_subject", _subject_keyboard)
register_prompt(PowerFlow.legal_basis.state, "powers.ask_legal_basis")
register_prompt(PowerFlow.scope.state, "powers.ask_scope", _scope_keyboard)
register_prompt(PowerFlow.category.state, "powers.ask_category", _category_keyboard)
register_prompt(PowerEdit.value.state, "powers.ask_new_value")
register_prompt(PowerEdit.category.state, "powers.ask_category", _category_keyboard)


# --- the list -------------------------------------------------------------------------------


async def _list_view(
    session: AsyncSession, person: Person, offset: int
) -> tuple[str, InlineKeyboardMarkup]:
    post = await session.get(Post, person.post_id) if person.post_id else None
    if post is None:
        raise ServiceError("register.no_post")
    items, total = await power_service.powers_of_post(
        session, post, offset=offset, limit=PAGE_SIZE
    )
    counts = await power_service.counts(session, post=post)
    lines = [
        _("powers.list_title").format(
            post=quote(post.name),
            total=counts.total,
            external=counts.by_scope.get("external", 0),
            internal=counts.by_scope.get("internal", 0),
        )
    ]
    for (scope, category), count in sorted(counts.by_category.items()):
        lines.append(
            _("powers.count_line").format(
                scope=scope_label(scope), category=quote(category), count=count
            )
        )
    if not total:
        lines.append(_("powers.empty"))
    keyboard = paged_choices(
        items,
        total,
        offset,
        label=lambda p: _("powers.item").format(
            name=p.name, status=_(f"powers.status.{p.status}")
        ),
        choose=lambda p: PowerCb(action="open", id=p.id),
        page=lambda at: PowerCb(action="page", id=at),
        extra=[(_("powers.add"), PowerCb(action="add"))],
    )
    return "\n".join(lines), keyboard


async def show_powers(
    message: Message, state: FSMContext, session: AsyncSession, person: Person
) -> None:
    await state.clear()
    await send_list(message, lambda offset: _list_view(session, person, offset))


async def page(
    query: CallbackQuery, callback_data: PowerCb, session: AsyncSession, person: Person
) -> None:
    await turn_list_page(
        query, lambda offset: _list_view(session, person, offset), callback_data.id
    )


def card(power: Power) -> str:
    lines = [
        _("powers.card").format(
            name=quote(power.name),
            status=_(f"powers.status.{power.status}"),
            scope=scope_label(power.scope),
            category=quote(power.category),
            content=quote(power.content),
            subject=quote(power.subject),
            legal_basis=quote(power.legal_basis),
        )
    ]
    if power.review_comment:
        lines.append(_("powers.card_comment").format(comment=quote(power.review_comment)))
    return "\n".join(lines)


async def open_power(
    query: CallbackQuery, callback_data: PowerCb, session: AsyncSession, person: Person
) -> None:
    try:
        power = await power_service.get_visible(session, person, callback_data.id)
    except ServiceError as error:
        await alert(query, error)
        return
    await query.answer()
    builder = InlineKeyboardBuilder()
    editable = power.status in power_service.OPEN_STATUSES and (
        power.created_by_id == person.id or power.post_id == person.post_id
    )
    if editable:
        for index, name in enumerate(EDIT_FIELDS):
            builder.button(
                text=_(f"powers.edit.{name}"),
                callback_data=PowerCb(action="edit", id=power.id, value=index),
            )
        builder.button(
            text=_("powers.withdraw"), callback_data=PowerCb(action="withdraw", id=power.id)
        )
        builder.adjust(2)
    await query.message.answer(card(power), reply_markup=builder.as_markup())  # type: ignore[union-attr]


# --- adding ---------------------------------------------------------------------------------


async def start_add(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, person: Person
) -> None:
    post = await session.get(Post, person.post_id) if person.post_id else None
    if post is None:
        await alert(query, ServiceError("register.no_post"))
        return
    await query.answer()
    await state.clear()
    await state.set_state(PowerFlow.name)
    await state.update_data(post_name=post.name, unit_id=post.unit_id)
    await ask(query.message, state)  # type: ignore[arg-type]


async def _take_text(
    message: Message, state: FSMContext, field: str, limit: int, following: State
) -> None:
    try:
        value = text_or_refuse(message.text, limit)
    except ServiceError as error:
        await refuse_and_reask(message, state, error)
        return
    await state.update_data({field: value})
    await state.set_state(following)
    await ask(message, state)


async def enter_name(message: Message, state: FSMContext) -> None:
    await _take_text(message, state, "name", NAME_MAX, PowerFlow.content)


async def enter_content(message: Message, state: FSMContext) -> None:
    await _take_text(message, state, "content", CONTENT_MAX, PowerFlow.subject)


async def enter_subject(message: Message, state: FSMContext) -> None:
    await _take_text(message, state, "subject", SUBJECT_MAX, PowerFlow.legal_basis)


async def subject_is_post(query: CallbackQuery, state: FSMContext) -> None:
    await state.update_data(subject=(await state.get_data()).get("post_name", ""))
    await query.answer()
    await state.set_state(PowerFlow.legal_basis)
    await ask(query.message, state)  # type: ignore[arg-type]


async def enter_legal_basis(message: Message, state: FSMContext) -> None:
    await _take_text(message, state, "legal_basis", LEGAL_BASIS_MAX, PowerFlow.scope)


async def choose_scope(
    query: CallbackQuery, callback_data: PowerCb, state: FSMContext, session: AsyncSession
) -> None:
    if not 0 <= callback_data.value < len(SCOPES):
        await query.answer(_("fallback.stale_button"), show_alert=True)
        return
    scope = SCOPES[callback_data.value]
    data = await state.get_data()
    categories = await power_service.categories_for(session, data["unit_id"], scope)
    await state.update_data(scope=scope, categories=categories)
    await state.set_state(PowerFlow.category)
    await query.answer()
    await ask(query.message, state)  # type: ignore[arg-type]


async def choose_category(query: CallbackQuery, callback_data: PowerCb, state: FSMContext) -> None:
    data = await state.get_data()
    categories = data.get("categories", [])
    if not 0 <= callback_data.value < len(categories):
        await query.answer(_("fallback.stale_button"), show_alert=True)
        return
    data = await state.update_data(category=categories[callback_data.value])
    await state.set_state(PowerFlow.confirm)
    await query.answer()
    builder = InlineKeyboardBuilder()
    builder.button(text=_("powers.save"), callback_data=PowerCb(action="save"))
    builder.button(text=_("register.abort"), callback_data=PowerCb(action="abort"))
    await query.message.answer(  # type: ignore[union-attr]
        _("powers.confirm").format(
            name=quote(data["name"]),
            content=quote(data["content"]),
            subject=quote(data["subject"]),
            legal_basis=quote(data["legal_basis"]),
            scope=scope_label(data["scope"]),
            category=quote(data["category"]),
        ),
        reply_markup=builder.as_markup(),
    )


async def save(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    person: Person,
    settings: Settings,
) -> None:
    data = await state.get_data()
    draft = PowerDraft(
        name=data["name"],
        content=data["content"],
        subject=data["subject"],
        legal_basis=data["legal_basis"],
        category=data["category"],
        scope=data["scope"],
    )
    try:
        power = await power_service.add_power(session, clock, actor=person, draft=draft)
    except ServiceError as error:
        await alert(query, error)
        return
    await state.clear()
    await query.answer()
    await query.message.edit_text(  # type: ignore[union-attr]
        _("powers.saved").format(name=quote(power.name))
    )


async def abort(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await query.message.edit_text(_("cancel.done"))  # type: ignore[union-attr]


# --- editing and withdrawing ------------------------------------------------------------------


async def start_edit(
    query: CallbackQuery,
    callback_data: PowerCb,
    state: FSMContext,
    session: AsyncSession,
    person: Person,
) -> None:
    if not 0 <= callback_data.value < len(EDIT_FIELDS):
        await query.answer(_("fallback.stale_button"), show_alert=True)
        return
    try:
        power = await power_service.get_visible(session, person, callback_data.id)
    except ServiceError as error:
        await alert(query, error)
        return
    field = EDIT_FIELDS[callback_data.value]
    await query.answer()
    await state.clear()
    await state.update_data(
        power_id=power.id,
        field=field,
        _prompt_values={"field": _(f"powers.edit.{field}")},
    )
    if field == "category":
        categories = await power_service.categories_for(session, power.unit_id, power.scope)
        await state.update_data(categories=categories)
        await state.set_state(PowerEdit.category)
    else:
        await state.set_state(PowerEdit.value)
    await ask(query.message, state)  # type: ignore[arg-type]


async def _apply_edit(
    state: FSMContext, session: AsyncSession, clock: Clock, person: Person, value: str
) -> Power:
    data = await state.get_data()
    return await power_service.edit_power(
        session, clock, actor=person, power_id=data["power_id"], field=data["field"], value=value
    )


async def enter_new_value(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, person: Person
) -> None:
    data = await state.get_data()
    try:
        value = text_or_refuse(message.text, LIMITS.get(data["field"], NAME_MAX))
        power = await _apply_edit(state, session, clock, person, value)
    except ServiceError as error:
        if error.key.startswith("register.text_"):
            await refuse_and_reask(message, state, error)
            return
        await state.clear()
        await message.answer(refusal(error))
        return
    await state.clear()
    await message.answer(_("powers.edited") + "\n\n" + card(power))


async def edit_category(
    query: CallbackQuery,
    callback_data: PowerCb,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    person: Person,
) -> None:
    categories = (await state.get_data()).get("categories", [])
    if not 0 <= callback_data.value < len(categories):
        await query.answer(_("fallback.stale_button"), show_alert=True)
        return
    try:
        power = await _apply_edit(state, session, clock, person, categories[callback_data.value])
    except ServiceError as error:
        await state.clear()
        await alert(query, error)
        return
    await state.clear()
    await query.answer()
    await query.message.answer(_("powers.edited") + "\n\n" + card(power))  # type: ignore[union-attr]


async def withdraw(
    query: CallbackQuery,
    callback_data: PowerCb,
    session: AsyncSession,
    clock: Clock,
    person: Person,
) -> None:
    try:
        power = await power_service.withdraw_power(
            session, clock, actor=person, power_id=callback_data.id
        )
    except ServiceError as error:
        await alert(query, error)
        return
    await query.answer()
    await query.message.edit_text(  # type: ignore[union-attr]
        _("powers.withdrawn").format(name=quote(power.name))
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_powers, Command("powers"))
    router.callback_query.register(page, PowerCb.filter(F.action == "page"))
    router.callback_query.register(open_power, PowerCb.filter(F.action == "open"))
    router.callback_query.register(start_add, PowerCb.filter(F.action == "add"))
    router.callback_query.register(
        subject_is_post, PowerFlow.subject, PowerCb.filter(F.action == "subject_post")
    )
    router.callback_query.register(
        choose_scope, PowerFlow.scope, PowerCb.filter(F.action == "scope")
    )
    router.callback_query.register(
        choose_category, PowerFlow.category, PowerCb.filter(F.action == "cat")
    )
    router.callback_query.register(save, PowerFlow.confirm, PowerCb.filter(F.action == "save"))
    router.callback_query.register(abort, PowerFlow.confirm, PowerCb.filter(F.action == "abort"))
    router.callback_query.register(start_edit, PowerCb.filter(F.action == "edit"))
    router.callback_query.register(
        edit_category, PowerEdit.category, PowerCb.filter(F.action == "cat")
    )
    router.callback_query.register(withdraw, PowerCb.filter(F.action == "withdraw"))
    for step, handler in (
        (PowerFlow.name, enter_name),
        (PowerFlow.content, enter_content),
        (PowerFlow.subject, enter_subject),
        (PowerFlow.legal_basis, enter_legal_basis),
        (PowerEdit.value, enter_new_value),
    ):
        router.message.register(handler, step, F.text, ~F.text.startswith("/"))
        router.message.register(reask, step, ~F.text)
    # Button steps: typed text gets the question (and its buttons) again.
    for step in (PowerFlow.scope, PowerFlow.category, PowerEdit.category):
        router.message.register(reask, step, ~F.text.startswith("/") | ~F.text)
    return router
