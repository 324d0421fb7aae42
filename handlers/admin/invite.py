"""/invite: unit → post → roles → name → confirm → a single-use deep link."""

from __future__ import annotations

from aiogram import Bot, F, Router, html
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import ServiceError
from bot.domain.invitation_rules import deep_link
from bot.domain.roles import ASSIGNABLE_ROLES, Role
from bot.domain.text_length import is_blank, utf16_len
from bot.services.invitations import create_invitation
from bot.services.people import NAME_MAX
from handlers.callbacks import InviteAction, InviteCb
from handlers.ui.context import Ctx
from handlers.ui.labels import ROLE, label
from handlers.ui.once import create_once
from handlers.ui.pickers import UnitPicker
from handlers.ui.query import message_of, pressed_record, show_choices
from handlers.ui.refusals import AskAgain, StepOver, step_data
from handlers.ui.routes import Presses
from handlers.ui.steps import chosen_index
from storage.models.invitation import Invitation
from storage.models.org import Post, Unit
from storage.repositories import org as org_repo

PRESSES = Presses(InviteCb)


class InviteFlow(StatesGroup):
    unit = State()
    post = State()
    roles = State()
    name = State()
    confirm = State()


def role_label(role: Role) -> str:
    return label(ROLE, role)


UNITS = UnitPicker(InviteCb, InviteAction.UNIT, InviteAction.PAGE)


async def start_invite(message: Message, state: FSMContext, session: AsyncSession) -> None:
    await state.clear()
    await state.set_state(InviteFlow.unit)
    keyboard = await UNITS.keyboard(session, 0)
    if not keyboard.inline_keyboard:
        await state.clear()
        await message.answer(_("invite.no_units"))
        return
    await message.answer(_("invite.ask_unit"), reply_markup=keyboard)


@PRESSES.on(InviteAction.PAGE, InviteFlow.unit)
async def unit_page(query: CallbackQuery, callback_data: InviteCb, session: AsyncSession) -> None:
    await show_choices(query, await UNITS.keyboard(session, max(0, callback_data.value)))


@PRESSES.on(InviteAction.UNIT, InviteFlow.unit)
async def choose_unit(
    query: CallbackQuery, callback_data: InviteCb, state: FSMContext, session: AsyncSession
) -> None:
    unit = await pressed_record(session, Unit, callback_data.value)
    await query.answer()
    await state.update_data(unit_id=unit.id, roles=[])
    await state.set_state(InviteFlow.post)
    posts = await org_repo.posts_of_unit(session, unit.id)
    builder = InlineKeyboardBuilder()
    for post in posts:
        builder.button(
            text=post.name[:60], callback_data=InviteCb(action=InviteAction.POST, value=post.id)
        )
    builder.button(
        text=_("invite.no_post"), callback_data=InviteCb(action=InviteAction.POST, value=0)
    )
    builder.adjust(1)
    await message_of(query).edit_text(
        _("invite.ask_post").format(unit=html.quote(unit.path)), reply_markup=builder.as_markup()
    )


def _roles_keyboard(chosen: list[str]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for index, role in enumerate(ASSIGNABLE_ROLES):
        mark = "☑️ " if role.value in chosen else "⬜ "
        builder.button(
            text=mark + role_label(role),
            callback_data=InviteCb(action=InviteAction.ROLE, value=index),
        )
    builder.button(
        text=_("invite.roles_done"), callback_data=InviteCb(action=InviteAction.ROLES_DONE)
    )
    builder.adjust(2, 2, 1)
    return builder.as_markup()


@PRESSES.on(InviteAction.POST, InviteFlow.post)
async def choose_post(
    query: CallbackQuery, callback_data: InviteCb, state: FSMContext, session: AsyncSession
) -> None:
    if callback_data.value:
        post = await pressed_record(session, Post, callback_data.value)
        if post.unit_id != (await step_data(state))["unit_id"]:
            raise ServiceError("fallback.stale_button")
    await query.answer()
    await state.update_data(post_id=callback_data.value or None, roles=[Role.STAFF.value])
    await state.set_state(InviteFlow.roles)
    await message_of(query).edit_text(
        _("invite.ask_roles"), reply_markup=_roles_keyboard([Role.STAFF.value])
    )


@PRESSES.on(InviteAction.ROLE, InviteFlow.roles)
async def toggle_role(query: CallbackQuery, callback_data: InviteCb, state: FSMContext) -> None:
    role = ASSIGNABLE_ROLES[chosen_index(callback_data.value, ASSIGNABLE_ROLES)].value
    chosen: list[str] = list((await state.get_data()).get("roles", []))
    chosen.remove(role) if role in chosen else chosen.append(role)
    await state.update_data(roles=chosen)
    await show_choices(query, _roles_keyboard(chosen))


@PRESSES.on(InviteAction.ROLES_DONE, InviteFlow.roles)
async def roles_done(query: CallbackQuery, state: FSMContext) -> None:
    if not (await state.get_data()).get("roles"):
        raise ServiceError("invite.no_roles")
    await query.answer()
    await state.set_state(InviteFlow.name)
    await message_of(query).edit_text(_("invite.ask_name"))


async def enter_name(message: Message, state: FSMContext, session: AsyncSession) -> None:
    name = "" if is_blank(message.text) else (message.text or "").strip()
    if not name or utf16_len(name) > NAME_MAX:
        raise AskAgain("errors.name_length", limit=NAME_MAX)
    data = await state.update_data(name=name)
    await state.set_state(InviteFlow.confirm)
    unit = await session.get(Unit, data["unit_id"])
    post = await session.get(Post, data["post_id"]) if data.get("post_id") else None
    builder = InlineKeyboardBuilder()
    builder.button(text=_("invite.create"), callback_data=InviteCb(action=InviteAction.CREATE))
    builder.button(text=_("invite.abort"), callback_data=InviteCb(action=InviteAction.ABORT))
    await message.answer(
        _("invite.confirm").format(
            name=html.quote(name),
            unit=html.quote(unit.path if unit else "-"),
            post=html.quote(post.name if post else _("invite.no_post")),
            roles="、".join(role_label(Role(r)) for r in data["roles"]),
        ),
        reply_markup=builder.as_markup(),
    )


@PRESSES.on(InviteAction.ABORT, InviteFlow.confirm)
async def abort(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await message_of(query).edit_text(_("cancel.done"))


@PRESSES.on(InviteAction.CREATE, InviteFlow.confirm)
async def create(query: CallbackQuery, state: FSMContext, ctx: Ctx, bot: Bot) -> None:
    data = await step_data(state)
    unit = await ctx.session.get(Unit, data["unit_id"])
    post = await ctx.session.get(Post, data["post_id"]) if data.get("post_id") else None
    if unit is None:
        raise StepOver("fallback.stale_button")
    invitation = await create_once(state, ctx, Invitation, lambda: create_invitation(
        ctx.session, ctx.clock, actor=ctx.person, unit=unit, post=post,
        roles=[Role(r) for r in data["roles"]], name=data["name"],
        ttl_days=ctx.settings.invitation_ttl_days,
    ))  # fmt: skip
    await state.clear()
    await query.answer()
    me = await bot.me()
    await message_of(query).edit_text(
        _("invite.created").format(
            name=html.quote(invitation.name),
            link=html.quote(deep_link(me.username or "", invitation.code)),
            days=ctx.settings.invitation_ttl_days,
        )
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start_invite, Command("invite"))
    PRESSES.register(router)
    router.message.register(enter_name, InviteFlow.name, F.text)
    return router
