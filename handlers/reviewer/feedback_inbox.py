"""/feedback: citizens' feedback waiting for the reviewer's tier (or the commission), oldest
first, one card at a time, edited in place: the feedback beside the risk's card, never its
sender when anonymous. Buttons: answer, reopen the risk for re-grading, duplicate, hide; the
commission records a disposition once an item is past twice its deadline. The typed steps
are in `feedback_replies`, the card both show in `feedback_ui`.
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import ServiceError
from bot.domain.feedback import DISPOSITION_KEYS, Action
from bot.services.feedback import answering
from bot.services.review import ReviewConfig
from bot.settings import Settings
from handlers.callbacks import InboxAction, InboxCb
from handlers.reviewer import feedback_replies
from handlers.reviewer.feedback_ui import DISPOSITIONS, card_view, fb_config, inbox_view
from handlers.ui.context import Ctx
from handlers.ui.query import message_of
from handlers.ui.routes import Presses
from storage.models.org import Person

PRESSES = Presses(InboxCb)


async def show_inbox(
    message: Message, state: FSMContext, session: AsyncSession, settings: Settings, person: Person
) -> None:
    await state.clear()
    text, keyboard = await inbox_view(session, settings, person)
    await message.answer(text, reply_markup=keyboard)


@PRESSES.on(InboxAction.NEXT)
async def show_next(
    query: CallbackQuery, callback_data: InboxCb, state: FSMContext, ctx: Ctx
) -> None:
    await state.clear()
    text, keyboard = await inbox_view(
        ctx.session, ctx.settings, ctx.person, callback_data.feedback_id
    )
    await query.answer()
    await message_of(query).edit_text(text, reply_markup=keyboard)


@PRESSES.on(InboxAction.FILE)
async def show_file(query: CallbackQuery, callback_data: InboxCb, bot: Bot, ctx: Ctx) -> None:
    card = await answering.card(ctx.session, ctx.person, callback_data.feedback_id)
    if not 0 <= callback_data.value < len(card.evidence):
        raise ServiceError("feedback.flow.stale")
    file = card.evidence[callback_data.value]
    await query.answer()
    chat_id = message_of(query).chat.id
    caption = _("feedback.inbox.file_caption").format(code=card.code, n=callback_data.value + 1)
    if file["type"] == "photo":
        await bot.send_photo(chat_id, file["file_id"], caption=caption)
    else:
        await bot.send_document(chat_id, file["file_id"], caption=caption)


@PRESSES.on(InboxAction.REOPEN)
async def ask_reopen(query: CallbackQuery, callback_data: InboxCb, ctx: Ctx) -> None:
    feedback_id = callback_data.feedback_id
    await answering.check_may(
        ctx.session, ctx.person, feedback_id, Action.REOPEN_RISK, callback_data.version
    )
    card = await answering.card(ctx.session, ctx.person, feedback_id)
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("feedback.btn.reopen_confirm"),
        callback_data=InboxCb(
            action=InboxAction.REOPEN_OK, feedback_id=card.feedback_id, version=card.version
        ),
    )
    builder.button(
        text=_("feedback.btn.back"),
        callback_data=InboxCb(action=InboxAction.OPEN, feedback_id=card.feedback_id),
    )
    await query.answer()
    await message_of(query).edit_text(
        _("feedback.inbox.ask_reopen").format(code=card.code, risk_id=card.risk_id),
        reply_markup=builder.as_markup(),
    )


@PRESSES.on(InboxAction.REOPEN_OK)
async def reopen(query: CallbackQuery, callback_data: InboxCb, ctx: Ctx) -> None:
    item = await answering.reopen_risk(
        ctx.session, ctx.clock, fb_config(ctx.settings), ReviewConfig.from_settings(ctx.settings),
        ctx.person, feedback_id=callback_data.feedback_id, expected_version=callback_data.version,
    )  # fmt: skip
    await query.answer(_("feedback.inbox.done_reopened").format(risk_id=item.risk_id))
    text, keyboard = await inbox_view(ctx.session, ctx.settings, ctx.person, item.id)
    done = _("feedback.inbox.done_reopened").format(risk_id=item.risk_id)
    await message_of(query).edit_text(f"{done}\n\n{text}", reply_markup=keyboard)


@PRESSES.on(InboxAction.OPEN)
async def open_card(
    query: CallbackQuery, callback_data: InboxCb, state: FSMContext, ctx: Ctx
) -> None:
    await state.clear()
    total = len(await answering.inbox(ctx.session, ctx.person))
    text, keyboard = await card_view(
        ctx.session, ctx.settings, ctx.person, callback_data.feedback_id, total
    )
    await query.answer()
    await message_of(query).edit_text(text, reply_markup=keyboard)


@PRESSES.on(InboxAction.DISPOSE)
async def ask_disposition(query: CallbackQuery, callback_data: InboxCb, ctx: Ctx) -> None:
    card = await answering.card(ctx.session, ctx.person, callback_data.feedback_id)
    if not card.can_dispose or card.version != callback_data.version:
        raise ServiceError("feedback.stale")
    builder = InlineKeyboardBuilder()
    for position, disposition in enumerate(DISPOSITIONS):
        builder.button(
            text=_(DISPOSITION_KEYS[disposition]),
            callback_data=InboxCb(
                action=InboxAction.DISPOSE_KIND, feedback_id=card.feedback_id,
                version=card.version, value=position,
            ),
        )  # fmt: skip
    builder.button(
        text=_("feedback.btn.back"),
        callback_data=InboxCb(action=InboxAction.OPEN, feedback_id=card.feedback_id),
    )
    builder.adjust(3, 1)
    await query.answer()
    await message_of(query).edit_text(
        _("feedback.inbox.ask_disposition").format(code=card.code),
        reply_markup=builder.as_markup(),
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_inbox, Command("feedback"))
    PRESSES.register(router)
    router.include_router(feedback_replies.create_router())
    return router
