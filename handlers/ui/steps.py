"""Text steps: ask a question, take typed text, ask again when it is refused.

A step's question is registered once (`TextStep`, or a `Question` declared in the StatesGroup
for a step with buttons), so any refusal can ask it again from the state alone, after a
restart too.
Handlers do not catch refusals: a refusal of what was typed is raised as `AskAgain`, and
`handlers/errors.py` answers it with the refusal and the same question (the update's writes are
rolled back, the step stays).

Usage::

    # A wizard step: keep the text as "title", then ask AddRule.kind's question.
    TITLE = TextStep(
        AddRule.title, "rules.ask_title", RULE_TITLE_MAX, field="title", following=AddRule.kind
    )
    TITLE.register(router)  # text → kept; too long → refusal + question; a sticker → hint

    # A step with a handler of its own:
    async def enter_reason(message: Message, state: FSMContext) -> None:
        reason = REASON.text(message)  # refused: the question is asked again
        ...

    REASON.register(router, enter_reason)

A step whose last write may be refused for the typed text (mend it) or for anything else (the
step is over) wraps that write in `ends_step`::

    async with ends_step(state, mend=("register.text_",)):
        await service.edit(...)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sized
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.domain.errors import ServiceError
from bot.domain.register_rules import DateRefused, QuickPick, parse_deadline, quick_deadline
from bot.services.powers import text_or_refuse
from handlers.callbacks import RiskCb
from handlers.register_ui import Keyboard, ask, reask, register_prompt
from handlers.ui.context import Ctx
from handlers.ui.labels import DATE_REFUSED
from handlers.ui.refusals import AskAgain as AskAgain
from handlers.ui.refusals import StepOver as StepOver
from handlers.ui.trail import answer_choice

QUICK_PICKS = tuple(QuickPick)
T = TypeVar("T")


def typed(text: str | None, limit: int, *, required: bool = True) -> str:
    """The typed text, cleaned; too long, empty or not text is refused as `AskAgain`."""
    try:
        return text_or_refuse(text, limit, required=required)
    except ServiceError as refusal:
        raise AskAgain.of(refusal) from None


@asynccontextmanager
async def ends_step(state: FSMContext, *, mend: Collection[str] = ()) -> AsyncIterator[None]:
    """Around the write that ends a step: a refusal whose key starts with one of `mend` keeps
    the step (the question is asked again, `AskAgain`); any other ends it (`StepOver`). Either
    way the refusal propagates: the update's writes are rolled back and errors.py answers."""
    try:
        yield
    except (AskAgain, StepOver):
        raise
    except ServiceError as refusal:
        if mend and refusal.key.startswith(tuple(mend)):
            raise AskAgain.of(refusal) from None
        raise StepOver.of(refusal) from None


@dataclass(frozen=True)
class TextStep:
    """One question answered by typing: its state, its prompt key, the text's limit.

    With `field` and `following` it is a whole wizard step: the cleaned text is kept in the
    flow's data under `field` and the flow moves on to `following` (`take`, the default
    handler). Registering it also gives a sticker or photo the hint and the same question.
    """

    step: State
    prompt: str | Callable[[dict[str, Any]], str]
    limit: int = 0
    keyboard: Keyboard | None = None
    field: str | None = None
    following: State | None = None

    def __post_init__(self) -> None:
        register_prompt(self.step, self.prompt, self.keyboard)

    def text(self, message: Message, *, required: bool = True) -> str:
        """The answer, cleaned; refused (and asked again) when too long or empty."""
        return typed(message.text, self.limit, required=required)

    async def take(self, message: Message, state: FSMContext) -> None:
        """Keep the answer under `field`, then ask the `following` step's question."""
        if self.field is None or self.following is None:
            raise TypeError(f"{self.step.state}: take() needs a field and a following step")
        await state.update_data({self.field: self.text(message)})
        await state.set_state(self.following)
        await ask(message, state)

    def register(self, router: Router, handler: Callable[..., Any] | None = None) -> None:
        """Typed text (not a command) goes to `handler` (else `take`); anything else gets the
        hint and the question again."""
        router.message.register(handler or self.take, self.step, F.text, ~F.text.startswith("/"))
        router.message.register(reask, self.step, ~F.text)


@asynccontextmanager
async def asking_again() -> AsyncIterator[None]:
    """Around a write every refusal of which the person mends by typing again (the step stays)."""
    try:
        yield
    except AskAgain:
        raise
    except ServiceError as refusal:
        raise AskAgain.of(refusal) from None


def typed_deadline(text: str | None, today: date) -> date:
    """A typed deadline ("2027-03-31", "3月31日", …); one that cannot be read, or is past or too
    far, is refused as `AskAgain`."""
    try:
        return parse_deadline(text or "", today)
    except DateRefused as refused:
        raise AskAgain(DATE_REFUSED[refused.reason]) from None


def quick_pick_deadline(index: int, today: date) -> date:
    """The deadline of a quick-pick button (end of month / quarter / year); a forged index is
    refused as a stale button."""
    if not 0 <= index < len(QUICK_PICKS):
        raise ServiceError("fallback.stale_button")
    return quick_deadline(QUICK_PICKS[index], today)


async def finish_step(state: FSMContext, write: Awaitable[T], *, mend: Collection[str] = ()) -> T:
    """The write that ends a step, then the step is over: `ends_step` around it, the state
    cleared after it. Usage: ``risk = await finish_step(state, service.edit(...))``."""
    async with ends_step(state, mend=mend):
        result = await write
    await state.clear()
    return result


async def next_step(
    query: CallbackQuery,
    state: FSMContext,
    step: State | None = None,
    *,
    chosen: str | None = None,
    **data: Any,
) -> Message:
    """A button step answered: keep `data`, move to `step` (when given), write the answer
    (`chosen`, else the pressed button's text) into its question (`answer_choice`) and ask the
    next question below.
    Usage: ``await next_step(query, state, PowerFlow.category, scope=scope)``."""
    if data:
        await state.update_data(data)
    if step is not None:
        await state.set_state(step)
    message = await answer_choice(query, chosen)
    await ask(message, state)
    return message


async def end_flow(
    query: CallbackQuery,
    state: FSMContext,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> Message:
    """The flow's last press (save, submit, abort): the state cleared, the pressed answer
    written into its message, the outcome `text` (with `keyboard`: a card) as a new message
    below, which is returned.

    The answer to the press commits the unit of work first (CommitBeforeSpeaking); only then
    is the conversation let go, so a crash in between leaves the draft (and its key, which
    finds the record again) rather than a record with its conversation lost."""
    message = await answer_choice(query)
    await state.clear()
    return await message.answer(text, reply_markup=keyboard)


async def abort_flow(query: CallbackQuery, state: FSMContext) -> None:
    """A flow's "abort" button: the flow ends, nothing is kept."""
    await end_flow(query, state, _("cancel.done"))


# What follows a deadline step, typed or pressed: (the message to answer below, state, ctx, date).
DeadlineChosen = Callable[[Message, FSMContext, Ctx, date], Awaitable[None]]


@dataclass(frozen=True)
class DeadlineStep:
    """A deadline asked by typing ("2027-03-31", "3月31日", …) or by a quick pick (end of month /
    quarter / year, `RiskAction.QUICK`): either way it goes on to `chosen`.
    Usage: ``DEADLINE = DeadlineStep(_set_deadline)``, routing `DEADLINE.typed` and
    `DEADLINE.pressed`."""

    chosen: DeadlineChosen

    async def typed(self, message: Message, state: FSMContext, ctx: Ctx) -> None:
        await self.chosen(message, state, ctx, typed_deadline(message.text, ctx.today()))

    async def pressed(
        self, query: CallbackQuery, callback_data: RiskCb, state: FSMContext, ctx: Ctx
    ) -> None:
        deadline = quick_pick_deadline(callback_data.value, ctx.today())
        await self.chosen(await answer_choice(query), state, ctx, deadline)


def chosen_index(index: int, options: Sized) -> int:
    """A pressed option's index, checked against the options offered; a forged or stale one is
    refused as a stale button."""
    if not 0 <= index < len(options):
        raise ServiceError("fallback.stale_button")
    return index
