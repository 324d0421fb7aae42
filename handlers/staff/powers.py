"""/powers: the powers of my post (清权确权) — list with counts, add, open, edit, withdraw.

Adding: name → content → exercising subject (defaults to the post) → legal basis → scope
(对外 / 对内) → category (the unit's list) → confirm card → saved as submitted.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.register_rules import CONTENT_MAX, LEGAL_BASIS_MAX, NAME_MAX, SUBJECT_MAX
from bot.services import powers as power_service
from bot.services.powers import PowerDraft
from handlers.callbacks import ListName, PowerAction, PowerCb
from handlers.register_ui import Question, quote, reask, scope_label
from handlers.ui.cards import send_card
from handlers.ui.context import Ctx
from handlers.ui.labels import POWER_FIELD, POWER_STATUS, label
from handlers.ui.once import create_once
from handlers.ui.pager import Page, Pager, Screen
from handlers.ui.pickers import PAGE_SIZE, choices
from handlers.ui.routes import Presses, presses
from handlers.ui.steps import TextStep, abort_flow, chosen_index, end_flow, next_step
from handlers.ui.trail import answer_choice
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


PRESSES = Presses(PowerCb)


def _scope_keyboard(_data: dict[str, Any]) -> InlineKeyboardMarkup:
    return choices(
        [scope_label(scope) for scope in SCOPES],
        lambda index: PowerCb(action=PowerAction.SCOPE, value=index),
    )


def category_keyboard(data: dict[str, Any]) -> InlineKeyboardMarkup:
    return choices(
        data.get("categories", []),
        lambda index: PowerCb(action=PowerAction.CAT, value=index),
        columns=2,
    )


class PowerFlow(StatesGroup):
    name = State()  # the typed steps' questions are in TEXT_STEPS below
    content = State()
    subject = State()
    legal_basis = State()
    scope = Question("powers.ask_scope", _scope_keyboard)
    category = Question("powers.ask_category", category_keyboard)
    confirm = State()


class PowerEdit(StatesGroup):
    value = Question("powers.ask_new_value")
    category = Question("powers.ask_category", category_keyboard)


def _subject_keyboard(data: dict[str, Any]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("powers.subject_is_post").format(post=data.get("post_name", "")),
        callback_data=PowerCb(action=PowerAction.SUBJECT_POST),
    )
    return builder.as_markup()


# The typed steps of adding a power: each keeps its text and asks the next question.
TEXT_STEPS = (
    TextStep(
        PowerFlow.name, "powers.ask_name", NAME_MAX, field="name", following=PowerFlow.content
    ),
    TextStep(
        PowerFlow.content,
        "powers.ask_content",
        CONTENT_MAX,
        field="content",
        following=PowerFlow.subject,
    ),
    TextStep(
        PowerFlow.subject,
        "powers.ask_subject",
        SUBJECT_MAX,
        keyboard=_subject_keyboard,  # or: the post itself
        field="subject",
        following=PowerFlow.legal_basis,
    ),
    TextStep(
        PowerFlow.legal_basis,
        "powers.ask_legal_basis",
        LEGAL_BASIS_MAX,
        field="legal_basis",
        following=PowerFlow.scope,
    ),
)


# --- the list -------------------------------------------------------------------------------


async def _list_page(screen: Screen, offset: int) -> Page:
    session, post = screen.session, await screen.own_post()
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
    keyboard = POWERS.keyboard(
        items,
        total,
        offset,
        label=lambda p: _("powers.item").format(name=p.name, status=label(POWER_STATUS, p.status)),
        choose=lambda p: PowerCb(action=PowerAction.OPEN, id=p.id),
        extra=[(_("powers.add"), PowerCb(action=PowerAction.ADD))],
    )
    return "\n".join(lines), keyboard


POWERS = Pager(ListName.POWERS, _list_page)


def card(power: Power) -> str:
    lines = [
        _("powers.card").format(
            name=quote(power.name),
            status=label(POWER_STATUS, power.status),
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


class PowerCard:
    """A power's card: what it is, and (while it is open) a button per field and withdraw."""

    async def render(self, screen: Screen, power: Power) -> Page:
        person = screen.person
        builder = InlineKeyboardBuilder()
        editable = power.status in power_service.OPEN_STATUSES and (
            power.created_by_id == person.id or power.post_id == person.post_id
        )
        if editable:
            for index, name in enumerate(EDIT_FIELDS):
                builder.button(
                    text=label(POWER_FIELD, name),
                    callback_data=PowerCb(action=PowerAction.EDIT, id=power.id, value=index),
                )
            builder.button(
                text=_("powers.withdraw"),
                callback_data=PowerCb(action=PowerAction.WITHDRAW, id=power.id),
            )
            builder.adjust(2)
        return card(power), builder.as_markup()


POWER_CARD = PowerCard()


@PRESSES.on(PowerAction.OPEN)
async def open_power(query: CallbackQuery, callback_data: PowerCb, ctx: Ctx) -> None:
    power = await power_service.get_visible(ctx.session, ctx.person, callback_data.id)
    await send_card(query, POWER_CARD, ctx, power)


# --- adding ---------------------------------------------------------------------------------


@PRESSES.on(PowerAction.ADD)
async def start_add(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    post = await ctx.own_post()
    await state.clear()
    await next_step(query, state, PowerFlow.name, post_name=post.name, unit_id=post.unit_id)


@PRESSES.on(PowerAction.SUBJECT_POST, PowerFlow.subject)
async def subject_is_post(query: CallbackQuery, state: FSMContext) -> None:
    subject = (await state.get_data()).get("post_name", "")
    await next_step(query, state, PowerFlow.legal_basis, subject=subject)


@PRESSES.on(PowerAction.SCOPE, PowerFlow.scope)
async def choose_scope(
    query: CallbackQuery, callback_data: PowerCb, state: FSMContext, session: AsyncSession
) -> None:
    scope = SCOPES[chosen_index(callback_data.value, SCOPES)]
    data = await state.get_data()
    categories = await power_service.categories_for(session, data["unit_id"], scope)
    await next_step(query, state, PowerFlow.category, scope=scope, categories=categories)


@PRESSES.on(PowerAction.CAT, PowerFlow.category)
async def choose_category(query: CallbackQuery, callback_data: PowerCb, state: FSMContext) -> None:
    categories = (await state.get_data()).get("categories", [])
    category = categories[chosen_index(callback_data.value, categories)]
    data = await state.update_data(category=category)
    await state.set_state(PowerFlow.confirm)
    builder = InlineKeyboardBuilder()
    builder.button(text=_("powers.save"), callback_data=PowerCb(action=PowerAction.SAVE))
    builder.button(text=_("register.abort"), callback_data=PowerCb(action=PowerAction.ABORT))
    message = await answer_choice(query)
    await message.answer(
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


@PRESSES.on(PowerAction.SAVE, PowerFlow.confirm)
async def save(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    data = await state.get_data()
    draft = PowerDraft(
        name=data["name"],
        content=data["content"],
        subject=data["subject"],
        legal_basis=data["legal_basis"],
        category=data["category"],
        scope=data["scope"],
    )
    power = await create_once(state, ctx, Power, lambda: power_service.add_power(
        ctx.session, ctx.clock, actor=ctx.person, draft=draft, settings=ctx.settings
    ))  # fmt: skip
    await end_flow(query, state, _("powers.saved").format(name=quote(power.name)))


def create_router() -> Router:
    router = Router(name=__name__)
    POWERS.register(router, command="powers")
    PRESSES.register(router)
    presses(router, PowerCb, (abort_flow, PowerAction.ABORT, PowerFlow.confirm))
    for step in TEXT_STEPS:
        step.register(router)
    # Button steps: typed text gets the question (and its buttons) again.
    for button_step in (PowerFlow.scope, PowerFlow.category):
        router.message.register(reask, button_step, ~F.text.startswith("/") | ~F.text)
    return router
