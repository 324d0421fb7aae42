"""Reviewers and the register: /powerreview (确权: confirm or return with a comment), /propose
(自上而下: propose a risk point for a post of their units) and /export (the 登记表 as a file)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.chat_action import ChatActionSender
from aiogram.utils.i18n import gettext as _
from sqlalchemy import func, select

from bot.domain import local_time
from bot.domain.errors import ServiceError
from bot.domain.register_rules import COMMENT_MAX, DESCRIPTION_MAX, RISK_TYPES
from bot.services import powers as power_service
from bot.services import review_subject
from bot.services import risks as risk_service
from bot.services.register_access import reviewed_unit_ids
from bot.services.register_files import export_register
from handlers.callbacks import RegisterReviewAction, RegisterReviewCb
from handlers.register_ui import Question, ask, quote
from handlers.staff.powers import card as power_card
from handlers.staff.risks.keyboards import risk_type_choices
from handlers.ui.context import Ctx
from handlers.ui.once import create_once
from handlers.ui.pager import Page
from handlers.ui.pickers import PAGE_SIZE, choices, paged_choices
from handlers.ui.query import bot_of, message_of, show_choices, show_page
from handlers.ui.refusals import step_data
from handlers.ui.routes import Presses
from handlers.ui.steps import TextStep, chosen_index, finish_step
from storage.models.org import Post, Unit
from storage.models.register import RiskPoint

PRESSES = Presses(RegisterReviewCb)


class ReturnPower(StatesGroup):
    comment = State()


def _type_keyboard(_data: dict[str, object]) -> InlineKeyboardMarkup:
    return risk_type_choices(lambda index: _cb(RegisterReviewAction.TYPE, value=index))


class Propose(StatesGroup):
    post = State()
    description = State()  # asked by DESCRIPTION
    risk_type = Question("risks.ask_type", _type_keyboard)


RETURN_COMMENT = TextStep(ReturnPower.comment, "review_powers.ask_comment", COMMENT_MAX)
DESCRIPTION = TextStep(
    Propose.description,
    "propose.ask_description",
    DESCRIPTION_MAX,
    field="description",
    following=Propose.risk_type,
)


def _cb(action: RegisterReviewAction, id: int = 0, value: int = 0) -> RegisterReviewCb:
    return RegisterReviewCb(action=action, id=id, value=value)


# --- /powerreview ---------------------------------------------------------------------------


async def _inbox(ctx: Ctx, offset: int) -> Page:
    items, total = await power_service.waiting_for_review(
        ctx.session, ctx.person, offset=offset, limit=PAGE_SIZE
    )
    text = _("review_powers.title").format(total=total)
    if not total:
        text += "\n" + _("review_powers.empty")
    keyboard = paged_choices(
        items,
        total,
        offset,
        label=lambda p: p.name,
        choose=lambda p: _cb(RegisterReviewAction.OPEN, p.id),
        page=lambda at: _cb(RegisterReviewAction.PAGE, at),
    )
    return text, keyboard


async def show_inbox(message: Message, state: FSMContext, ctx: Ctx) -> None:
    await state.clear()
    text, keyboard = await _inbox(ctx, 0)
    await message.answer(text, reply_markup=keyboard)


@PRESSES.on(RegisterReviewAction.PAGE)
async def inbox_page(query: CallbackQuery, callback_data: RegisterReviewCb, ctx: Ctx) -> None:
    await show_page(query, *await _inbox(ctx, max(0, callback_data.id)))


CONFIRM_OR_RETURN = (RegisterReviewAction.CONFIRM, RegisterReviewAction.RETURN)


@PRESSES.on(RegisterReviewAction.OPEN)
async def open_power(query: CallbackQuery, callback_data: RegisterReviewCb, ctx: Ctx) -> None:
    power = await power_service.get_visible(ctx.session, ctx.person, callback_data.id)
    await query.answer()
    keyboard = choices(
        [_("review_powers.confirm"), _("review_powers.return")],
        lambda index: _cb(CONFIRM_OR_RETURN[index], power.id),
        columns=2,
    )
    post = await ctx.session.get(Post, power.post_id) if power.post_id else None
    unit = await ctx.session.get(Unit, power.unit_id)
    header = _("review_powers.where").format(
        unit=quote(unit.path if unit else "-"), post=quote(post.name if post else "-")
    )
    await message_of(query).answer(header + "\n" + power_card(power), reply_markup=keyboard)


@PRESSES.on(RegisterReviewAction.CONFIRM)
async def confirm_power(query: CallbackQuery, callback_data: RegisterReviewCb, ctx: Ctx) -> None:
    power = await power_service.review_power(
        ctx.session, ctx.clock, actor=ctx.person, power_id=callback_data.id, confirm=True,
        settings=ctx.settings,
    )  # fmt: skip
    await query.answer()
    await message_of(query).edit_text(_("review_powers.confirmed").format(name=quote(power.name)))


@PRESSES.on(RegisterReviewAction.RETURN)
async def start_return(
    query: CallbackQuery, callback_data: RegisterReviewCb, state: FSMContext, ctx: Ctx
) -> None:
    power = await power_service.get_visible(ctx.session, ctx.person, callback_data.id)
    await query.answer()
    await state.clear()
    await state.update_data(power_id=power.id)
    await state.set_state(ReturnPower.comment)
    await ask(message_of(query), state)


async def enter_comment(message: Message, state: FSMContext, ctx: Ctx) -> None:
    data = await step_data(state)
    comment = RETURN_COMMENT.text(message)
    power = await finish_step(state, power_service.review_power(
        ctx.session, ctx.clock, actor=ctx.person, power_id=data["power_id"], confirm=False,
        comment=comment, settings=ctx.settings,
    ))  # fmt: skip
    await message.answer(_("review_powers.returned").format(name=quote(power.name)))


# --- /propose -----------------------------------------------------------------------------------


async def _posts(ctx: Ctx, offset: int) -> tuple[list[tuple[Post, Unit]], int]:
    scope = await reviewed_unit_ids(ctx.session, ctx.person)
    query = select(Post, Unit).join(Unit, Unit.id == Post.unit_id)
    count = select(func.count()).select_from(Post)
    if scope is not None:
        query = query.where(Post.unit_id.in_(sorted(scope)))
        count = count.where(Post.unit_id.in_(sorted(scope)))
    total = await ctx.session.scalar(count) or 0
    rows = await ctx.session.execute(
        query.order_by(Unit.path, Post.name).offset(offset).limit(PAGE_SIZE)
    )
    return [(post, unit) for post, unit in rows.all()], int(total)


async def _post_keyboard(ctx: Ctx, offset: int) -> InlineKeyboardMarkup:
    items, total = await _posts(ctx, offset)
    return paged_choices(
        items,
        total,
        offset,
        label=lambda pair: f"{pair[1].name} · {pair[0].name}",
        choose=lambda pair: _cb(RegisterReviewAction.POST, pair[0].id),
        page=lambda at: _cb(RegisterReviewAction.POST_PAGE, at),
    )


async def start_propose(message: Message, state: FSMContext, ctx: Ctx) -> None:
    await state.clear()
    keyboard = await _post_keyboard(ctx, 0)
    if not keyboard.inline_keyboard:
        await message.answer(_("propose.no_posts"))
        return
    await state.set_state(Propose.post)
    await message.answer(_("propose.ask_post"), reply_markup=keyboard)


@PRESSES.on(RegisterReviewAction.POST_PAGE, Propose.post)
async def post_page(query: CallbackQuery, callback_data: RegisterReviewCb, ctx: Ctx) -> None:
    await show_choices(query, await _post_keyboard(ctx, max(0, callback_data.id)))


@PRESSES.on(RegisterReviewAction.POST, Propose.post)
async def choose_post(
    query: CallbackQuery, callback_data: RegisterReviewCb, state: FSMContext, ctx: Ctx
) -> None:
    post = await ctx.session.get(Post, callback_data.id)
    scope = await reviewed_unit_ids(ctx.session, ctx.person)
    if post is None or (scope is not None and post.unit_id not in scope):
        raise ServiceError("fallback.stale_button")
    await query.answer()
    await state.update_data(post_id=post.id, _prompt_values={"post": post.name})
    await state.set_state(Propose.description)
    await ask(message_of(query), state)


@PRESSES.on(RegisterReviewAction.TYPE, Propose.risk_type)
async def choose_type(
    query: CallbackQuery, callback_data: RegisterReviewCb, state: FSMContext, ctx: Ctx
) -> None:
    risk_type = RISK_TYPES[chosen_index(callback_data.value, RISK_TYPES)]
    data = await step_data(state)
    await finish_step(state, create_once(state, ctx, RiskPoint, lambda: risk_service.propose_risk(
        ctx.session, ctx.clock, actor=ctx.person, post_id=data["post_id"],
        description=data["description"], risk_type=risk_type, settings=ctx.settings,
    )))  # fmt: skip
    await query.answer()
    await message_of(query).edit_text(_("propose.sent"))


# --- /export ----------------------------------------------------------------------------------


async def export(message: Message, ctx: Ctx) -> None:
    scope = await reviewed_unit_ids(ctx.session, ctx.person)
    # "sending a file…" shows (renewed every few seconds) while the register is written.
    async with ChatActionSender.upload_document(bot=bot_of(message), chat_id=message.chat.id):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "register.xlsx"
            units = None if scope is None else sorted(scope)
            count = await export_register(ctx.session, path, units)
            risks = await review_subject.count_in_register(ctx.session, units)
            data = path.read_bytes()
    stamp = local_time.stamp(ctx.clock.now(), ctx.settings.timezone)
    await message.answer_document(
        BufferedInputFile(data, filename=f"廉政风险点登记表-{stamp}.xlsx"),
        caption=_("export.caption").format(risks=risks, rows=count),
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_inbox, Command("powerreview"))
    router.message.register(start_propose, Command("propose"))
    router.message.register(export, Command("export"))
    PRESSES.register(router)
    RETURN_COMMENT.register(router, enter_comment)
    DESCRIPTION.register(router)
    return router
