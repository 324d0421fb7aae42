"""Giving feedback on a publicised risk point: kind → text → evidence → preview → confirm.

Reached from a public card's "意见反馈" button (`FeedbackCb(action=start, item_id)`); the
channel's deep link `/start fb_<code>` opens that card (`handlers/public/browse.py`).
Every step is an FSM state (it survives a restart) and edits the one flow message in place;
the person's typed text, photos and documents arrive as their own messages. Anonymous by
default; signing adds the person's name and, optionally, a phone number shared through
Telegram's contact button (only their own).
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain import feedback as rules
from bot.domain.errors import ServiceError
from bot.domain.feedback import KIND_KEYS, Kind
from bot.domain.grading import level_key
from bot.i18n import N_
from bot.services.feedback import submit
from bot.services.feedback.config import FeedbackConfig
from bot.services.publicity.lookup import PublicItem
from bot.settings import Settings
from handlers.callbacks import FeedbackAction, FeedbackCb
from handlers.ui.context import Ctx
from handlers.ui.once import create_once, draft_key
from handlers.ui.query import message_of
from handlers.ui.routes import Presses
from handlers.ui.steps import asking_again
from storage.models.feedback import Feedback
from storage.models.org import Person

KINDS = list(Kind)
LINK_ENTITIES = {"url", "text_link"}
DESCRIPTION_SHOWN = 300


PRESSES = Presses(FeedbackCb)


class FeedbackFlow(StatesGroup):
    kind = State()
    text = State()
    files = State()
    preview = State()
    phone = State()


def _config(settings: Settings) -> FeedbackConfig:
    return FeedbackConfig.from_settings(settings)


def _cancel_row(builder: InlineKeyboardBuilder) -> None:
    builder.button(
        text=_("feedback.btn.cancel"), callback_data=FeedbackCb(action=FeedbackAction.CANCEL)
    )


def item_lines(item: PublicItem) -> str:
    """The risk as the public sees it (no personal names)."""
    description = item.description
    if len(description) > DESCRIPTION_SHOWN:
        description = description[: DESCRIPTION_SHOWN - 1] + "…"
    return _("feedback.flow.about").format(
        unit=html.quote(item.unit_name),
        post=html.quote(item.post_title),
        description=html.quote(description),
        level=_(level_key(item.level)) if item.level else "-",
    )


def _kind_screen(item: PublicItem) -> tuple[str, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    for position, kind in enumerate(KINDS):
        builder.button(
            text=_(KIND_KEYS[kind]),
            callback_data=FeedbackCb(
                action=FeedbackAction.KIND, item_id=item.item_id, value=position
            ),
        )
    _cancel_row(builder)
    builder.adjust(1)
    text = f"{item_lines(item)}\n\n" + _("feedback.flow.ask_kind")
    return text, builder.as_markup()


async def _begin(state: FSMContext, item: PublicItem, chat_id: int, message_id: int) -> None:
    await state.clear()
    await state.set_state(FeedbackFlow.kind)
    await state.update_data(item=item.item_id, chat=chat_id, msg=message_id, files=[], anon=True)


@PRESSES.on(FeedbackAction.START)
async def start_from_card(
    query: CallbackQuery,
    callback_data: FeedbackCb,
    ctx: Ctx,
    state: FSMContext,
) -> None:
    item = await submit.open_item(
        ctx.session, ctx.clock, _config(ctx.settings), ctx.person, item_id=callback_data.item_id
    )
    text, keyboard = _kind_screen(item)
    await query.answer()
    sent = await message_of(query).answer(text, reply_markup=keyboard)
    await _begin(state, item, sent.chat.id, sent.message_id)


async def _edit(bot: Bot, data: dict[str, Any], text: str, markup: Any = None) -> None:
    await bot.edit_message_text(
        text=text, chat_id=data["chat"], message_id=data["msg"], reply_markup=markup
    )


async def _at_step(query: CallbackQuery, state: FSMContext, step: State) -> dict[str, Any]:
    """The flow's data when this button belongs to the step the person is at; else refused
    as stale (errors.py says so: a button of a finished or other flow changes nothing)."""
    data = await state.get_data()
    message = query.message
    if (
        await state.get_state() != step.state
        or message is None
        or data.get("msg") != message.message_id
    ):
        raise ServiceError("feedback.flow.stale")
    return data


@PRESSES.on(FeedbackAction.KIND)
async def choose_kind(
    query: CallbackQuery, callback_data: FeedbackCb, state: FSMContext, bot: Bot
) -> None:
    data = await _at_step(query, state, FeedbackFlow.kind)
    if not 0 <= callback_data.value < len(KINDS) or callback_data.item_id != data["item"]:
        raise ServiceError("feedback.flow.stale")
    kind = KINDS[callback_data.value]
    await state.update_data(kind=kind.value)
    await state.set_state(FeedbackFlow.text)
    await query.answer()
    builder = InlineKeyboardBuilder()
    _cancel_row(builder)
    hint = (
        N_("feedback.flow.misconduct_note")
        if kind is Kind.MISCONDUCT
        else N_("feedback.flow.public_note")
    )
    text = _("feedback.flow.ask_text").format(
        kind=_(KIND_KEYS[kind]), min=rules.TEXT_MIN, max=rules.TEXT_MAX
    )
    await _edit(bot, data, f"{text}\n\n{_(hint)}", builder.as_markup())


def _files_screen(count: int) -> tuple[str, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    label = N_("feedback.btn.files_done") if count else N_("feedback.btn.files_skip")
    builder.button(text=_(label), callback_data=FeedbackCb(action=FeedbackAction.FILES_DONE))
    _cancel_row(builder)
    builder.adjust(1)
    return (
        _("feedback.flow.ask_files").format(max=rules.EVIDENCE_MAX, n=count),
        builder.as_markup(),
    )


async def receive_text(message: Message, state: FSMContext, bot: Bot, ctx: Ctx) -> None:
    has_link = any(e.type in LINK_ENTITIES for e in message.entities or [])
    async with asking_again():  # a refusal keeps the question: they type again
        text = await submit.check_text(
            ctx.session, ctx.person, message.text, has_link_entity=has_link
        )
    data = await state.get_data()
    await state.update_data(text=text)
    await state.set_state(FeedbackFlow.files)
    await _edit(bot, data, *_files_screen(len(data.get("files") or [])))


async def text_only(message: Message) -> None:
    await message.answer(_("feedback.flow.text_only"))


async def receive_file(message: Message, state: FSMContext, bot: Bot) -> None:
    data = await state.get_data()
    files: list[dict[str, str]] = list(data.get("files") or [])
    if len(files) >= rules.EVIDENCE_MAX:
        raise ServiceError("feedback.too_many_files", max=rules.EVIDENCE_MAX)
    if message.photo:
        files.append({"type": "photo", "file_id": message.photo[-1].file_id, "name": ""})
    elif message.document:
        document = message.document
        files.append(
            {"type": "document", "file_id": document.file_id, "name": document.file_name or ""}
        )
    await state.update_data(files=files)
    await _edit(bot, data, *_files_screen(len(files)))


async def files_hint(message: Message) -> None:
    await message.answer(_("feedback.flow.files_only").format(max=rules.EVIDENCE_MAX))


def _preview(data: dict[str, Any], person: Person) -> tuple[str, InlineKeyboardMarkup]:
    kind = Kind(data["kind"])
    if data.get("anon", True):
        identity = _("feedback.flow.identity_anonymous")
    else:
        identity = _("feedback.flow.identity_signed").format(name=html.quote(person.name))
        if data.get("phone"):
            identity += _("feedback.flow.identity_phone").format(phone=html.quote(data["phone"]))
    text = _("feedback.flow.preview").format(
        kind=_(KIND_KEYS[kind]),
        text=html.quote(data.get("text") or ""),
        files=len(data.get("files") or []),
        identity=identity,
    )
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("feedback.btn.confirm"), callback_data=FeedbackCb(action=FeedbackAction.CONFIRM)
    )
    toggle = N_("feedback.btn.sign") if data.get("anon", True) else N_("feedback.btn.anonymous")
    builder.button(text=_(toggle), callback_data=FeedbackCb(action=FeedbackAction.TOGGLE_ANON))
    if not data.get("anon", True) and not data.get("phone"):
        builder.button(
            text=_("feedback.btn.phone"), callback_data=FeedbackCb(action=FeedbackAction.PHONE)
        )
    _cancel_row(builder)
    builder.adjust(1)
    return text, builder.as_markup()


@PRESSES.on(FeedbackAction.FILES_DONE)
async def files_done(query: CallbackQuery, state: FSMContext, bot: Bot, person: Person) -> None:
    data = await _at_step(query, state, FeedbackFlow.files)
    await state.set_state(FeedbackFlow.preview)
    await query.answer()
    await _edit(bot, data, *_preview(data, person))


@PRESSES.on(FeedbackAction.TOGGLE_ANON)
async def toggle_anonymous(
    query: CallbackQuery, state: FSMContext, bot: Bot, person: Person
) -> None:
    data = await _at_step(query, state, FeedbackFlow.preview)
    anonymous = not data.get("anon", True)
    await state.update_data(anon=anonymous, phone=None if anonymous else data.get("phone"))
    data = await state.get_data()
    await query.answer(
        _("feedback.flow.now_anonymous") if anonymous else _("feedback.flow.now_signed")
    )
    await _edit(bot, data, *_preview(data, person))


@PRESSES.on(FeedbackAction.PHONE)
async def ask_phone(query: CallbackQuery, state: FSMContext) -> None:
    await _at_step(query, state, FeedbackFlow.preview)
    await state.set_state(FeedbackFlow.phone)
    await query.answer()
    keyboard = ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=_("feedback.btn.share_phone"), request_contact=True)],
            [KeyboardButton(text=_("feedback.btn.no_phone"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    await message_of(query).answer(_("feedback.flow.ask_phone"), reply_markup=keyboard)


async def receive_contact(message: Message, state: FSMContext, bot: Bot, person: Person) -> None:
    contact = message.contact
    sender = message.from_user
    if contact is None or sender is None or contact.user_id != sender.id:
        raise ServiceError("feedback.flow.own_phone_only")
    await state.update_data(phone=contact.phone_number)
    await _back_to_preview(message, state, bot, person, N_("feedback.flow.phone_added"))


async def no_phone(message: Message, state: FSMContext, bot: Bot, person: Person) -> None:
    await _back_to_preview(message, state, bot, person, N_("feedback.flow.phone_skipped"))


async def _back_to_preview(
    message: Message, state: FSMContext, bot: Bot, person: Person, key: str
) -> None:
    await state.set_state(FeedbackFlow.preview)
    data = await state.get_data()
    await message.answer(_(key), reply_markup=ReplyKeyboardRemove())
    await _edit(bot, data, *_preview(data, person))


async def _submit(ctx: Ctx, draft: submit.Draft) -> Feedback:
    receipt = await submit.submit(ctx.session, ctx.clock, _config(ctx.settings), ctx.person, draft)
    return await ctx.session.get_one(Feedback, receipt.feedback_id)


@PRESSES.on(FeedbackAction.CONFIRM)
async def confirm(query: CallbackQuery, state: FSMContext, bot: Bot, ctx: Ctx) -> None:
    data = await _at_step(query, state, FeedbackFlow.preview)
    draft = submit.Draft(
        item_id=int(data["item"]),
        kind=Kind(data["kind"]),
        text=str(data.get("text") or ""),
        evidence=tuple(
            submit.Evidence(f["type"], f["file_id"], f.get("name", ""))
            for f in data.get("files") or []
        ),
        anonymous=bool(data.get("anon", True)),
        phone=data.get("phone"),
    )
    # The conversation ends before the write: on SQLite the FSM's own connection could not
    # write while this update's transaction holds the lock. Every refusal comes before any
    # write, so a refused draft is put back as it was.
    step, key = await state.get_state(), await draft_key(state)
    await state.clear()
    try:
        feedback = await create_once(state, ctx, Feedback, lambda: _submit(ctx, draft), key=key)
    except ServiceError:
        await state.set_state(step)
        await state.set_data(data)
        raise
    await query.answer()
    await _edit(
        bot,
        data,
        _("feedback.flow.done").format(code=feedback.code, days=ctx.settings.feedback_answer_days),
    )


@PRESSES.on(FeedbackAction.CANCEL)
async def cancel(query: CallbackQuery, state: FSMContext, bot: Bot) -> None:
    data = await state.get_data()
    message = query.message
    if message is None or data.get("msg") != message.message_id:
        raise ServiceError("feedback.flow.stale")
    await state.clear()
    await query.answer()
    await _edit(bot, data, _("feedback.flow.cancelled"))


def create_router() -> Router:
    router = Router(name=__name__)
    PRESSES.register(router)
    router.message.register(receive_text, FeedbackFlow.text, F.text, ~F.text.startswith("/"))
    router.message.register(text_only, FeedbackFlow.text, ~F.text)
    router.message.register(receive_file, FeedbackFlow.files, F.photo | F.document)
    router.message.register(files_hint, FeedbackFlow.files, ~F.text.startswith("/"))
    router.message.register(receive_contact, FeedbackFlow.phone, F.contact)
    router.message.register(no_phone, FeedbackFlow.phone, F.text, ~F.text.startswith("/"))
    return router
