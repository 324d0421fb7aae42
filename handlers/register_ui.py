"""What the register's screens share: labels, refusals, and asking a step again.

A flow step that asks for text and gets a sticker, photo or voice note answers with a one-line
hint and asks the same question again (`reask`). Every step's question lives in `PROMPTS`, so
a flow resumed after a restart can be re-asked from its state alone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import Any

from aiogram import html
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.domain.errors import ServiceError
from bot.domain.grading import level_key
from handlers.ui.labels import MEASURE_STATUS, RISK_STATE, RISK_TYPE, SCOPE, label
from handlers.ui.query import message_of
from handlers.ui.refusals import StepOver
from handlers.ui.trail import ask_below

# State name → (prompt key, keyboard builder or None). Filled by each flow module.
Keyboard = Callable[[dict[str, Any]], InlineKeyboardMarkup | None]
# The key may depend on the flow's data (the factor being asked, say).
Prompt = tuple[str | Callable[[dict[str, Any]], str], Keyboard | None, dict[str, Any]]
PROMPTS: dict[str, Prompt] = {}


def refusal(error: ServiceError) -> str:
    """A service's refusal in the reader's language."""
    return _(error.key).format(**error.values)


# A paged list screen: offset → (text, keyboard); may refuse with a ServiceError.
ListView = Callable[[int], Awaitable[tuple[str, InlineKeyboardMarkup]]]


async def send_list(message: Message, view: ListView) -> None:
    """Show the first page of a list, or say why it cannot be shown."""
    text, keyboard = await view(0)
    await message.answer(text, reply_markup=keyboard)


async def turn_list_page(query: CallbackQuery, view: ListView, offset: int) -> None:
    """Edit a list in place to the page at `offset`."""
    text, keyboard = await view(max(0, offset))
    await query.answer()
    await message_of(query).edit_text(text, reply_markup=keyboard)


def level_label(level: int | None) -> str:
    return _(level_key(level)) if level in (1, 2, 3) else _("register.level_none")


def state_label(status: str) -> str:
    return label(RISK_STATE, status)


def risk_type_label(value: str) -> str:
    return label(RISK_TYPE, value)


def scope_label(value: str) -> str:
    return label(SCOPE, value)


def measure_status_label(value: str) -> str:
    return label(MEASURE_STATUS, value)


def day(value: date | str | None) -> str:
    if value is None:
        return "-"
    return value if isinstance(value, str) else value.isoformat()


def quote(text: str | None) -> str:
    return html.quote(text or "")


def register_prompt(
    state: State | str,
    key: str | Callable[[dict[str, Any]], str],
    keyboard: Keyboard | None = None,
    values: Mapping[str, Any] | None = None,
) -> None:
    """Register the question asked at `state` (a step of a StatesGroup, or its name); `values`
    fill the placeholders known in advance (a limit), the flow's `_prompt_values` the rest."""
    name = state if isinstance(state, str) else state.state
    if name is None:
        raise ValueError("register_prompt: the state is not in a StatesGroup yet")
    PROMPTS[name] = (key, keyboard, dict(values or {}))


class Question(State):
    """A flow step declared with its question, in its StatesGroup::

        power = Question("risks.ask_power", power_keyboard)

    registers the question (`register_prompt`) as soon as the group names the step, so a step
    and its question are written once, side by side."""

    def __init__(
        self,
        key: str | Callable[[dict[str, Any]], str],
        keyboard: Keyboard | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self._question = (key, keyboard, values)

    def set_parent(self, group: type[StatesGroup]) -> None:
        super().set_parent(group)
        register_prompt(self, *self._question)


async def ask(message: Message, state: FSMContext, *, prefix: str | None = None) -> bool:
    """Ask the question of the current step (after `prefix`, e.g. a refusal); False when the
    step has no registered question (nothing is sent)."""
    current = await state.get_state()
    if current is None or current not in PROMPTS:
        return False
    key, keyboard, fixed = PROMPTS[current]
    data = await state.get_data()
    # Values may come from a person or a file (a category, a post's name): escaped here, once.
    values = {
        name: html.quote(value) if isinstance(value, str) else value
        for name, value in {**fixed, **data.get("_prompt_values", {})}.items()
    }
    try:
        text = _(key if isinstance(key, str) else key(data)).format(**values)
    except KeyError:  # the step's data is gone (a conversation from an older version)
        raise StepOver("fallback.stale_flow") from None
    if prefix:
        text = prefix + "\n\n" + text
    await ask_below(message, state, text, keyboard(data) if keyboard else None)
    return True


async def reask(message: Message, state: FSMContext) -> None:
    """Something other than text where text was asked: a hint, then the same question."""
    await ask(message, state, prefix=_("register.text_expected"))


async def refuse_and_reask(message: Message, state: FSMContext, error: ServiceError) -> None:
    await ask(message, state, prefix=refusal(error))
