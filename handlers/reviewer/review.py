"""/review: the reviewer's inbox — counts by kind, one card per item, one-tap decisions.

The card is edited in place (no chat spam). Buttons carry the risk id and the version the
card showed; the service decides everything else, so a forged or stale button only gets a
message saying why. Comments and reasons are typed after a prompt (FSM), then the same card
message is edited with the outcome and the next item.
"""

from __future__ import annotations

from aiogram import Bot, F, Router, html
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain import local_time
from bot.domain.grading import LEVELS, level_key
from bot.domain.risk_workflow import Action, RiskState
from bot.i18n import N_
from bot.services import review as review_service
from bot.services.review import Decision, InboxKind, Situation
from handlers.callbacks import ReopenAction, ReopenCb, ReviewAction, ReviewCb
from handlers.review_cards import render_card, review_config, review_move
from handlers.ui.card_steps import ask_on_card, drop_card_keyboard, next_after
from handlers.ui.context import Ctx
from handlers.ui.fit import answer_fitted, edit_fitted
from handlers.ui.labels import INBOX_KIND, label
from handlers.ui.pager import Page
from handlers.ui.pickers import buttons
from handlers.ui.query import message_of, show_choices, show_page
from handlers.ui.refusals import step_data
from handlers.ui.steps import ends_step

# Refusals of the typed text itself: the prompt stays and the reviewer types again.
RETRY_KEYS = frozenset(
    {"review.comment_too_long", "workflow.comment_required", "review.level_reason_required"}
)


class ReviewFlow(StatesGroup):
    comment = State()  # a return comment, a level reason, a re-proposal


# The primary action per state: what "approve" means at this step.
PRIMARY: dict[RiskState, Action] = {
    RiskState.SOCIAL_REVIEW: Action.CLOSE_SOCIAL,
    RiskState.GRADED_REVIEW: Action.PASS_REVIEW,
    RiskState.ORG_APPROVAL: Action.APPROVE,
    RiskState.STANDING_COMMITTEE: Action.APPROVE,
}


def _to_inbox() -> InlineKeyboardMarkup:
    """The one "back to the inbox" button under a question."""
    return buttons((_("review.btn.inbox"), ReviewCb(a=ReviewAction.INBOX)))


async def _inbox(ctx: Ctx) -> Page:
    items = await review_service.inbox(ctx.session, review_config(ctx), ctx.person)
    closes = await review_service.social_closes_at(ctx.session, items[InboxKind.SOCIAL])
    until = local_time.day(closes, ctx.settings.timezone) if closes else None
    return _inbox_text_and_keyboard(items, social_until=until)


def _inbox_text_and_keyboard(
    items: dict[InboxKind, list[int]], *, social_until: str | None = None
) -> Page:
    builder = InlineKeyboardBuilder()
    lines = [_("review.inbox_title")]
    for kind in InboxKind:
        count = len(items[kind])
        lines.append(_("review.inbox_line").format(kind=label(INBOX_KIND, kind), n=count))
        if kind is InboxKind.SOCIAL and count and social_until:
            # Still with the colleagues: say when it comes to be graded (or close it early).
            lines.append(_("review.inbox_social_wait").format(until=social_until))
        if count:
            builder.button(
                text=_("review.inbox_button").format(kind=label(INBOX_KIND, kind), n=count),
                callback_data=ReviewCb(a=ReviewAction.KIND, k=kind.value),
            )
    # Approved and active risks, for reopening after feedback (not counted as waiting).
    builder.button(text=_("reopen.btn.active"), callback_data=ReopenCb(a=ReopenAction.NEXT))
    builder.adjust(1)
    if not any(items.values()):
        lines.append(_("review.inbox_empty"))
    return "\n".join(lines), builder.as_markup()


async def show_inbox(message: Message, state: FSMContext, ctx: Ctx) -> None:
    await state.clear()
    text, keyboard = await _inbox(ctx)
    await message.answer(text, reply_markup=keyboard)


async def _card(ctx: Ctx, risk_id: int, kind: str) -> Page:
    config = review_config(ctx)
    sit = await review_service.situation(ctx.session, config, risk_id)
    text = await render_card(ctx.session, sit, _, config)
    v = sit.review.version
    primary = PRIMARY.get(sit.state)
    offered: list[tuple[str, ReviewAction]] = []
    if primary is Action.CLOSE_SOCIAL:
        offered.append((_("review.btn.close_social"), ReviewAction.CLOSE_SOCIAL))
    elif primary is not None:
        offered += [(_("review.btn.approve"), ReviewAction.APPROVE)]
        offered += [(_("review.btn.set_level"), ReviewAction.LEVEL)]
    if sit.state is RiskState.DISPUTED:
        offered += [(_("review.btn.repropose"), ReviewAction.REPROPOSE)]
        offered += [(_("review.btn.withdraw"), ReviewAction.WITHDRAW)]
    else:
        offered.append((_("review.btn.return"), ReviewAction.RETURN))
    builder = InlineKeyboardBuilder()
    for caption, action in offered:
        builder.button(text=caption, callback_data=ReviewCb(a=action, r=risk_id, v=v, k=kind))
    builder.button(
        text=_("review.btn.skip"), callback_data=ReviewCb(a=ReviewAction.SKIP, r=risk_id, k=kind)
    )
    builder.button(text=_("review.btn.inbox"), callback_data=ReviewCb(a=ReviewAction.INBOX))
    builder.adjust(2)
    return text, builder.as_markup()


async def _next_in_kind(ctx: Ctx, kind: str, after: int) -> int | None:
    try:
        inbox_kind = InboxKind(kind)
    except ValueError:
        return None
    ids = (await review_service.inbox(ctx.session, review_config(ctx), ctx.person))[inbox_kind]
    return next_after(ids, after)


async def _show_next_or_inbox(
    query_or_message: CallbackQuery | Message, ctx: Ctx, kind: str, after: int, *, prefix: str = ""
) -> None:
    next_id = await _next_in_kind(ctx, kind, after)
    if next_id is None:
        text, keyboard = await _inbox(ctx)
    else:
        text, keyboard = await _card(ctx, next_id, kind)
    text = f"{prefix}\n\n{text}" if prefix else text
    name = f"risk-{next_id}"
    if isinstance(query_or_message, CallbackQuery):
        await edit_fitted(message_of(query_or_message), text, reply_markup=keyboard, name=name)
    else:
        await answer_fitted(query_or_message, text, reply_markup=keyboard, name=name)


async def back_to_inbox(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    await state.clear()
    await show_page(query, *await _inbox(ctx))


async def next_in_kind(query: CallbackQuery, callback_data: ReviewCb, ctx: Ctx) -> None:
    """A kind's first card (its button carries no risk), or the one after a skipped card."""
    await query.answer()
    await _show_next_or_inbox(query, ctx, callback_data.k, callback_data.r)


# The one-tap decisions: the move (None: what "approve" means at the card's step) and the
# words that confirm it.
DECISIONS: dict[ReviewAction, tuple[Action | None, str]] = {
    ReviewAction.APPROVE: (None, N_("review.done.approved")),
    ReviewAction.CLOSE_SOCIAL: (Action.CLOSE_SOCIAL, N_("review.done.closed")),
    ReviewAction.WITHDRAW: (Action.WITHDRAW, N_("review.done.withdrawn")),
}


async def _primary(ctx: Ctx, risk_id: int) -> tuple[Situation, Action]:
    """The card's situation, and what "approve" means at its step."""
    sit = await review_service.situation(ctx.session, review_config(ctx), risk_id)
    return sit, PRIMARY.get(sit.state, Action.APPROVE)


async def decide(query: CallbackQuery, callback_data: ReviewCb, ctx: Ctx) -> None:
    """Approve, close social review or withdraw: the move, then the next card in the kind."""
    action, done_key = DECISIONS[callback_data.a]
    if action is None:
        action = (await _primary(ctx, callback_data.r))[1]
    decision = Decision(action, expected_version=callback_data.v)
    await _decide(query, callback_data, ctx, decision, done_key)


async def _decide(
    query: CallbackQuery, callback_data: ReviewCb, ctx: Ctx, decision: Decision, done_key: str
) -> None:
    # A stale or forbidden move is refused by the service: errors.py says why, nothing changes.
    await review_move(ctx, callback_data.r, decision)
    await query.answer(_(done_key))
    await _show_next_or_inbox(query, ctx, callback_data.k, callback_data.r, prefix=_(done_key))


async def pick_level(query: CallbackQuery, callback_data: ReviewCb, ctx: Ctx) -> None:
    await _may(ctx, callback_data, (await _primary(ctx, callback_data.r))[1])
    builder = InlineKeyboardBuilder()
    for level in LEVELS:
        builder.button(
            text=_(level_key(level)),
            callback_data=callback_data.model_copy(
                update={"a": ReviewAction.SET_LEVEL, "lv": level}
            ),
        )
    builder.button(text=_("review.btn.inbox"), callback_data=ReviewCb(a=ReviewAction.INBOX))
    builder.adjust(3, 1)
    await show_choices(query, builder.as_markup())


async def set_level(
    query: CallbackQuery, callback_data: ReviewCb, state: FSMContext, ctx: Ctx
) -> None:
    sit, action = await _primary(ctx, callback_data.r)
    if callback_data.lv == sit.review.suggested_level:
        decision = Decision(action, level=callback_data.lv, expected_version=callback_data.v)
        await _decide(query, callback_data, ctx, decision, N_("review.done.approved"))
        return
    await _may(ctx, callback_data, action)
    await _ask_comment(query, state, callback_data, action, N_("review.ask_level_reason"))


# The decisions that need a typed comment first: the move and its question.
WITH_COMMENT: dict[ReviewAction, tuple[Action, str]] = {
    ReviewAction.RETURN: (Action.RETURN, N_("review.ask_return_comment")),
    ReviewAction.REPROPOSE: (Action.REPROPOSE, N_("review.ask_repropose")),
}


async def _may(ctx: Ctx, cb: ReviewCb, action: Action) -> None:
    await review_service.check_may(
        ctx.session, review_config(ctx), actor=ctx.person, risk_id=cb.r, action=action,
        expected_version=cb.v,
    )  # fmt: skip


async def ask_comment(
    query: CallbackQuery, callback_data: ReviewCb, state: FSMContext, ctx: Ctx
) -> None:
    action, prompt_key = WITH_COMMENT[callback_data.a]
    await _may(ctx, callback_data, action)
    await _ask_comment(query, state, callback_data, action, prompt_key)


async def _ask_comment(
    query: CallbackQuery, state: FSMContext, cb: ReviewCb, action: Action, prompt_key: str
) -> None:
    await ask_on_card(
        query, state, ReviewFlow.comment, _(prompt_key), _to_inbox(),
        risk=cb.r, version=cb.v, kind=cb.k, level=cb.lv or None, action=action.value,
    )  # fmt: skip


# What the reviewer is told after a typed decision, by its move.
DONE_AFTER_COMMENT = {
    Action.RETURN.value: N_("review.done.returned"),
    Action.REPROPOSE.value: N_("review.done.reproposed"),
}


async def receive_comment(message: Message, state: FSMContext, bot: Bot, ctx: Ctx) -> None:
    data = await step_data(state)
    decision = Decision(
        Action(data["action"]),
        comment=message.text,
        level=data.get("level"),
        expected_version=data.get("version"),
    )
    async with ends_step(state, mend=RETRY_KEYS):
        await review_move(ctx, int(data["risk"]), decision)
    await state.clear()
    risk_id = int(data["risk"])
    said = _(DONE_AFTER_COMMENT.get(data["action"], N_("review.done.approved")))
    if data.get("level"):
        said = _("review.done.level_set").format(
            risk_id=risk_id,
            level=_(level_key(int(data["level"]))),
            reason=html.quote(message.text or ""),
        )
    # The prompt above the reviewer's words keeps its text and loses its button; what was
    # decided, and the next card, come below them.
    await drop_card_keyboard(bot, data)
    await _show_next_or_inbox(message, ctx, data.get("kind", ""), risk_id, prefix=said)


async def comment_not_text(message: Message) -> None:
    await message.answer(_("review.comment_text_only"))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_inbox, Command("review"))
    router.callback_query.register(back_to_inbox, ReviewCb.filter(F.a == ReviewAction.INBOX))
    router.callback_query.register(
        next_in_kind, ReviewCb.filter(F.a.in_({ReviewAction.KIND, ReviewAction.SKIP}))
    )
    router.callback_query.register(decide, ReviewCb.filter(F.a.in_(set(DECISIONS))))
    router.callback_query.register(pick_level, ReviewCb.filter(F.a == ReviewAction.LEVEL))
    router.callback_query.register(set_level, ReviewCb.filter(F.a == ReviewAction.SET_LEVEL))
    router.callback_query.register(ask_comment, ReviewCb.filter(F.a.in_(set(WITH_COMMENT))))
    router.message.register(receive_comment, ReviewFlow.comment, F.text)
    router.message.register(comment_not_text, ReviewFlow.comment)
    return router
