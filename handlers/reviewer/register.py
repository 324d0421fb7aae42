"""Reviewers and the register: /powerreview (确权: confirm or return with a comment), /propose
(自上而下: propose a risk point for a post of their units) and /export (the 登记表 as a file)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.chat_action import ChatActionSender
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import local_time
from bot.domain.clock import Clock
from bot.domain.register_rules import COMMENT_MAX, DESCRIPTION_MAX, RISK_TYPES
from bot.services import powers as power_service
from bot.services import review_subject
from bot.services import risks as risk_service
from bot.services.register_access import reviewed_unit_ids
from bot.services.register_files import export_register
from bot.settings import Settings
from handlers.callbacks import RegisterReviewAction, RegisterReviewCb
from handlers.register_ui import (
    ask,
    quote,
    reask,
    register_prompt,
    risk_type_label,
)
from handlers.staff.powers import card as power_card
from handlers.ui.context import Ctx
from handlers.ui.once import create_once
from handlers.ui.pickers import PAGE_SIZE, choices, paged_choices
from handlers.ui.query import bot_of, message_of
from handlers.ui.steps import finish_step, typed
from storage.models.org import Person, Post, Unit
from storage.models.register import RiskPoint


class ReturnPower(StatesGroup):
    comment = State()


class Propose(StatesGroup):
    post = State()
    description = State()
    risk_type = State()


def _type_keyboard(_data: dict[str, object]) -> InlineKeyboardMarkup:
    return choices(
        [risk_type_label(value) for value in RISK_TYPES],
        lambda index: RegisterReviewCb(action=RegisterReviewAction.TYPE, value=index),
        columns=2,
    )


register_prompt(ReturnPower.comment, "review_powers.ask_comment")
register_prompt(Propose.description, "propose.ask_description")
register_prompt(Propose.risk_type, "risks.ask_type", _type_keyboard)


# --- /powerreview ---------------------------------------------------------------------------


async def _inbox(
    session: AsyncSession, person: Person, offset: int
) -> tuple[str, InlineKeyboardMarkup]:
    items, total = await power_service.waiting_for_review(
        session, person, offset=offset, limit=PAGE_SIZE
    )
    text = _("review_powers.title").format(total=total)
    if not total:
        text += "\n" + _("review_powers.empty")
    keyboard = paged_choices(
        items,
        total,
        offset,
        label=lambda p: p.name,
        choose=lambda p: RegisterReviewCb(action=RegisterReviewAction.OPEN, id=p.id),
        page=lambda at: RegisterReviewCb(action=RegisterReviewAction.PAGE, id=at),
    )
    return text, keyboard


async def show_inbox(
    message: Message, state: FSMContext, session: AsyncSession, person: Person
) -> None:
    await state.clear()
    text, keyboard = await _inbox(session, person, 0)
    await message.answer(text, reply_markup=keyboard)


async def inbox_page(
    query: CallbackQuery, callback_data: RegisterReviewCb, session: AsyncSession, person: Person
) -> None:
    text, keyboard = await _inbox(session, person, max(0, callback_data.id))
    await query.answer()
    await message_of(query).edit_text(text, reply_markup=keyboard)


async def open_power(
    query: CallbackQuery, callback_data: RegisterReviewCb, session: AsyncSession, person: Person
) -> None:
    power = await power_service.get_visible(session, person, callback_data.id)
    await query.answer()
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("review_powers.confirm"),
        callback_data=RegisterReviewCb(action=RegisterReviewAction.CONFIRM, id=power.id),
    )
    builder.button(
        text=_("review_powers.return"),
        callback_data=RegisterReviewCb(action=RegisterReviewAction.RETURN, id=power.id),
    )
    post = await session.get(Post, power.post_id) if power.post_id else None
    unit = await session.get(Unit, power.unit_id)
    header = _("review_powers.where").format(
        unit=quote(unit.path if unit else "-"), post=quote(post.name if post else "-")
    )
    await message_of(query).answer(
        header + "\n" + power_card(power), reply_markup=builder.as_markup()
    )


async def confirm_power(
    query: CallbackQuery,
    callback_data: RegisterReviewCb,
    session: AsyncSession,
    clock: Clock,
    person: Person,
    settings: Settings,
) -> None:
    power = await power_service.review_power(
        session,
        clock,
        actor=person,
        power_id=callback_data.id,
        confirm=True,
        settings=settings,
    )
    await query.answer()
    await message_of(query).edit_text(_("review_powers.confirmed").format(name=quote(power.name)))


async def start_return(
    query: CallbackQuery, callback_data: RegisterReviewCb, state: FSMContext,
    session: AsyncSession,
    person: Person,
) -> None:  # fmt: skip
    power = await power_service.get_visible(session, person, callback_data.id)
    await query.answer()
    await state.clear()
    await state.update_data(power_id=power.id)
    await state.set_state(ReturnPower.comment)
    await ask(message_of(query), state)


async def enter_comment(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, person: Person,
    settings: Settings,
) -> None:  # fmt: skip
    data = await state.get_data()
    comment = typed(message.text, COMMENT_MAX)
    power = await finish_step(state, power_service.review_power(
        session, clock, actor=person, power_id=data["power_id"], confirm=False, comment=comment,
        settings=settings,
    ))  # fmt: skip
    await message.answer(_("review_powers.returned").format(name=quote(power.name)))


# --- /propose -----------------------------------------------------------------------------------


async def _posts(
    session: AsyncSession, person: Person, offset: int
) -> tuple[list[tuple[Post, Unit]], int]:
    scope = await reviewed_unit_ids(session, person)
    query = select(Post, Unit).join(Unit, Unit.id == Post.unit_id)
    count = select(func.count()).select_from(Post)
    if scope is not None:
        query = query.where(Post.unit_id.in_(sorted(scope)))
        count = count.where(Post.unit_id.in_(sorted(scope)))
    total = await session.scalar(count) or 0
    rows = await session.execute(
        query.order_by(Unit.path, Post.name).offset(offset).limit(PAGE_SIZE)
    )
    return [(post, unit) for post, unit in rows.all()], int(total)


async def _post_keyboard(
    session: AsyncSession, person: Person, offset: int
) -> InlineKeyboardMarkup:
    items, total = await _posts(session, person, offset)
    return paged_choices(
        items,
        total,
        offset,
        label=lambda pair: f"{pair[1].name} · {pair[0].name}",
        choose=lambda pair: RegisterReviewCb(action=RegisterReviewAction.POST, id=pair[0].id),
        page=lambda at: RegisterReviewCb(action=RegisterReviewAction.POST_PAGE, id=at),
    )


async def start_propose(
    message: Message, state: FSMContext, session: AsyncSession, person: Person
) -> None:
    await state.clear()
    keyboard = await _post_keyboard(session, person, 0)
    if not keyboard.inline_keyboard:
        await message.answer(_("propose.no_posts"))
        return
    await state.set_state(Propose.post)
    await message.answer(_("propose.ask_post"), reply_markup=keyboard)


async def post_page(
    query: CallbackQuery, callback_data: RegisterReviewCb, session: AsyncSession, person: Person
) -> None:
    await query.answer()
    await message_of(query).edit_reply_markup(
        reply_markup=await _post_keyboard(session, person, max(0, callback_data.id))
    )


async def choose_post(
    query: CallbackQuery, callback_data: RegisterReviewCb, state: FSMContext,
    session: AsyncSession,
    person: Person,
) -> None:  # fmt: skip
    post = await session.get(Post, callback_data.id)
    scope = await reviewed_unit_ids(session, person)
    if post is None or (scope is not None and post.unit_id not in scope):
        await query.answer(_("fallback.stale_button"), show_alert=True)
        return
    await query.answer()
    await state.update_data(post_id=post.id, _prompt_values={"post": post.name})
    await state.set_state(Propose.description)
    await ask(message_of(query), state)


async def enter_description(message: Message, state: FSMContext) -> None:
    text = typed(message.text, DESCRIPTION_MAX)
    await state.update_data(description=text)
    await state.set_state(Propose.risk_type)
    await ask(message, state)


async def choose_type(
    query: CallbackQuery, callback_data: RegisterReviewCb, state: FSMContext, ctx: Ctx
) -> None:
    if not 0 <= callback_data.value < len(RISK_TYPES):
        await query.answer(_("fallback.stale_button"), show_alert=True)
        return
    data = await state.get_data()
    await finish_step(state, create_once(state, ctx, RiskPoint, lambda: risk_service.propose_risk(
        ctx.session, ctx.clock, actor=ctx.person, post_id=data["post_id"],
        description=data["description"], risk_type=RISK_TYPES[callback_data.value],
        settings=ctx.settings,
    )))  # fmt: skip
    await query.answer()
    await message_of(query).edit_text(_("propose.sent"))


# --- /export ----------------------------------------------------------------------------------


async def export(
    message: Message, session: AsyncSession, person: Person, clock: Clock, settings: Settings
) -> None:
    scope = await reviewed_unit_ids(session, person)
    # "sending a file…" shows (renewed every few seconds) while the register is written.
    async with ChatActionSender.upload_document(bot=bot_of(message), chat_id=message.chat.id):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "register.xlsx"
            units = None if scope is None else sorted(scope)
            count = await export_register(session, path, units)
            risks = await review_subject.count_in_register(session, units)
            data = path.read_bytes()
    stamp = local_time.stamp(clock.now(), settings.timezone)
    await message.answer_document(
        BufferedInputFile(data, filename=f"廉政风险点登记表-{stamp}.xlsx"),
        caption=_("export.caption").format(risks=risks, rows=count),
    )


def create_router() -> Router:
    router = Router(name=__name__)
    cb = RegisterReviewCb.filter
    router.message.register(show_inbox, Command("powerreview"))
    router.message.register(start_propose, Command("propose"))
    router.message.register(export, Command("export"))
    router.callback_query.register(inbox_page, cb(F.action == RegisterReviewAction.PAGE))
    router.callback_query.register(open_power, cb(F.action == RegisterReviewAction.OPEN))
    router.callback_query.register(confirm_power, cb(F.action == RegisterReviewAction.CONFIRM))
    router.callback_query.register(start_return, cb(F.action == RegisterReviewAction.RETURN))
    router.callback_query.register(
        post_page, Propose.post, cb(F.action == RegisterReviewAction.POST_PAGE)
    )
    router.callback_query.register(
        choose_post, Propose.post, cb(F.action == RegisterReviewAction.POST)
    )
    router.callback_query.register(
        choose_type, Propose.risk_type, cb(F.action == RegisterReviewAction.TYPE)
    )
    for step, handler in (
        (ReturnPower.comment, enter_comment),
        (Propose.description, enter_description),
    ):
        router.message.register(handler, step, F.text, ~F.text.startswith("/"))
        router.message.register(reask, step, ~F.text)
    return router
