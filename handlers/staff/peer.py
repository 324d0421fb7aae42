"""/peer: colleagues' risk points open to social review (社会评议) — read, agree or comment;
/history <id>: a risk point's full audit trail, for those who may see it.

Buttons carry only the risk id; the service decides who may act (a colleague of the unit,
not the holder) and refuses anything stale with a message saying why.
"""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain import local_time
from bot.domain.errors import ServiceError
from bot.domain.ids import parse_id
from bot.domain.risk_workflow import Action
from bot.services import review as review_service
from bot.services import review_subject as subject
from bot.services.review import Decision
from handlers.callbacks import PeerAction, PeerCb
from handlers.review_cards import render_card, review_config, review_move
from handlers.ui.context import Ctx
from handlers.ui.fit import edit_fitted
from handlers.ui.labels import RISK_STATE, history_action, label, list_label
from handlers.ui.query import message_of, show_page
from handlers.ui.refusals import step_data
from handlers.ui.steps import ends_step
from storage.models.org import Person

HISTORY_SHOWN = 30


class PeerFlow(StatesGroup):
    comment = State()


async def _list(ctx: Ctx) -> tuple[str, InlineKeyboardMarkup]:
    ids = await review_service.peer_items(ctx.session, review_config(ctx), ctx.person)
    builder = InlineKeyboardBuilder()
    for risk_id in ids:
        risk = await subject.get_risk(ctx.session, risk_id)
        caption = list_label(risk_id, risk.description if risk else None)
        builder.button(text=caption, callback_data=PeerCb(a=PeerAction.OPEN, r=risk_id))
    builder.adjust(1)
    text = _("peer.title").format(n=len(ids)) if ids else _("peer.empty")
    return text, builder.as_markup()


async def show_peer(message: Message, state: FSMContext, ctx: Ctx) -> None:
    await state.clear()
    text, keyboard = await _list(ctx)
    await message.answer(text, reply_markup=keyboard)


async def _card(ctx: Ctx, risk_id: int) -> tuple[str, InlineKeyboardMarkup]:
    config = review_config(ctx)
    sit = await review_service.situation(ctx.session, config, risk_id)
    text = await render_card(ctx.session, sit, _, config)
    builder = InlineKeyboardBuilder()
    builder.button(text=_("peer.btn.agree"), callback_data=PeerCb(a=PeerAction.AGREE, r=risk_id))
    builder.button(
        text=_("peer.btn.comment"), callback_data=PeerCb(a=PeerAction.COMMENT, r=risk_id)
    )
    builder.button(text=_("peer.btn.list"), callback_data=PeerCb(a=PeerAction.LIST))
    builder.adjust(2, 1)
    return text, builder.as_markup()


async def _open_to_me(ctx: Ctx, risk_id: int) -> None:
    """A risk this person is asked to read as a peer; any other is refused as not open."""
    if risk_id not in await review_service.peer_items(ctx.session, review_config(ctx), ctx.person):
        raise ServiceError("peer.not_open")


async def open_item(query: CallbackQuery, callback_data: PeerCb, ctx: Ctx) -> None:
    await _open_to_me(ctx, callback_data.r)
    await query.answer()
    text, keyboard = await _card(ctx, callback_data.r)
    await edit_fitted(
        message_of(query), text, reply_markup=keyboard, name=f"risk-{callback_data.r}"
    )


async def back_to_list(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    await state.clear()
    await show_page(query, *await _list(ctx))


async def agree(query: CallbackQuery, callback_data: PeerCb, ctx: Ctx) -> None:
    await review_move(ctx, callback_data.r, Decision(Action.AGREE))
    await query.answer(_("peer.done.agreed"))
    text, keyboard = await _list(ctx)
    await message_of(query).edit_text(_("peer.done.agreed") + f"\n\n{text}", reply_markup=keyboard)


async def ask_comment(
    query: CallbackQuery,
    callback_data: PeerCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    await _open_to_me(ctx, callback_data.r)
    await query.answer()
    await state.set_state(PeerFlow.comment)
    await state.update_data(risk=callback_data.r)
    await message_of(query).answer(_("peer.ask_comment"))


async def receive_comment(message: Message, state: FSMContext, ctx: Ctx) -> None:
    data = await step_data(state)
    # A comment too long or empty: typed again; any other refusal ends the step.
    async with ends_step(state, mend=("review.comment_too_long", "workflow.comment_required")):
        await review_move(ctx, int(data["risk"]), Decision(Action.COMMENT, comment=message.text))
    await state.clear()
    text, keyboard = await _list(ctx)
    await message.answer(_("peer.done.commented") + f"\n\n{text}", reply_markup=keyboard)


async def comment_not_text(message: Message) -> None:
    await message.answer(_("review.comment_text_only"))


async def show_history(message: Message, command: CommandObject, ctx: Ctx) -> None:
    if not (command.args or "").strip():
        await message.answer(_("history.usage"))
        return
    risk_id = parse_id(command.args)
    if risk_id is None:  # not a number any record could have: as for an unknown record
        raise ServiceError("history.not_found")
    try:
        rows = await review_service.history(ctx.session, review_config(ctx), ctx.person, risk_id)
    except ServiceError:
        # Not found and not visible read the same: no hint that the record exists.
        raise ServiceError("history.not_found") from None
    lines = [_("history.title").format(risk_id=risk_id)]
    names: dict[int, str] = {}
    for row in rows[-HISTORY_SHOWN:]:
        who = _("history.by_system")
        if row.actor_id is not None:
            if row.actor_id not in names:
                actor = await ctx.session.get(Person, row.actor_id)
                names[row.actor_id] = actor.name if actor else "-"
            who = names[row.actor_id]
        status = (row.after or {}).get("status")
        lines.append(
            _("history.line").format(
                at=local_time.minute(row.at, ctx.settings.timezone),
                who=html.quote(who),
                action=history_action(row.action),
                # "岗位排查登记 → 草稿": the step, then the state it led to.
                state=_("history.now").format(state=label(RISK_STATE, status)) if status else "",
            )
        )
    await message.answer("\n".join(lines))


def create_peer_router() -> Router:
    """/peer: staff and leaders of the unit."""
    router = Router(name=f"{__name__}.peer")
    router.message.register(show_peer, Command("peer"))
    router.callback_query.register(open_item, PeerCb.filter(F.a == PeerAction.OPEN))
    router.callback_query.register(back_to_list, PeerCb.filter(F.a == PeerAction.LIST))
    router.callback_query.register(agree, PeerCb.filter(F.a == PeerAction.AGREE))
    router.callback_query.register(ask_comment, PeerCb.filter(F.a == PeerAction.COMMENT))
    router.message.register(receive_comment, PeerFlow.comment, F.text)
    router.message.register(comment_not_text, PeerFlow.comment)
    return router


def create_history_router() -> Router:
    """/history: anyone with a role; the service decides what they may see."""
    router = Router(name=f"{__name__}.history")
    router.message.register(show_history, Command("history"))
    return router
