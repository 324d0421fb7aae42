"""The /invite flow end to end, leaving it, unexpected input, stale buttons, and a restart."""

from __future__ import annotations

import re

import pytest
from aiogram import Dispatcher
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseStorage
from aiogram.methods import EditMessageText, SendMessage
from sqlalchemy import select

from bot.app.wiring import create_dispatcher
from bot.domain.clock import FakeClock
from bot.domain.roles import Role
from bot.i18n import translate
from bot.settings import Settings
from handlers.admin.invite import InviteFlow
from handlers.callbacks import InviteCb
from storage.db import SessionMaker
from storage.models.audit import AuditLog
from tests.dispatcher.helpers import buttons, last_alert
from tests.kit.mocked_bot import MockedBot, callback_update, message_update, user
from tests.kit.org import (
    Org,
    audit_count,
    invitations,
    make_admin,
    make_org,
    make_person,
    person_by_telegram_id,
)
from tests.kit.uow import unit_of_work

ADMIN = 8001
LINK = re.compile(r"https://t\.me/qingfeng_bot\?start=([A-Za-z0-9_-]+)")


def press(data: InviteCb) -> str:
    return data.pack()


def state_of(dp: Dispatcher, bot: MockedBot, telegram_id: int) -> FSMContext:
    return dp.fsm.get_context(bot=bot, chat_id=telegram_id, user_id=telegram_id)


@pytest.fixture
async def org(sessionmaker: SessionMaker, clock: FakeClock) -> Org:
    org = await make_org(sessionmaker)
    await make_admin(sessionmaker, clock, ADMIN)
    return org


async def walk_to_name_step(dp: Dispatcher, bot: MockedBot, org: Org) -> None:
    """/invite → unit → post → roles (staff + reviewer) → done: the flow now asks for a name."""
    admin = user(ADMIN)
    await dp.feed_update(bot, message_update(admin, "/invite"))
    ask = bot.sent(ADMIN)[-1]
    assert isinstance(ask, SendMessage) and ask.text == translate("invite.ask_unit", "zh")
    assert buttons(ask.reply_markup)["长安区/卫生局/医政科"] == press(
        InviteCb(action="unit", value=org.department_id)
    )
    await dp.feed_update(
        bot, callback_update(admin, press(InviteCb(action="unit", value=org.department_id)))
    )
    posts = bot.sent(ADMIN)[-1]
    assert isinstance(posts, EditMessageText)
    assert "医政审批岗" in buttons(posts.reply_markup)
    await dp.feed_update(
        bot, callback_update(admin, press(InviteCb(action="post", value=org.post_id)))
    )
    await dp.feed_update(bot, callback_update(admin, press(InviteCb(action="role", value=1))))
    await dp.feed_update(bot, callback_update(admin, press(InviteCb(action="roles_done"))))
    assert bot.last_text(ADMIN) == translate("invite.ask_name", "zh")
    assert await state_of(dp, bot, ADMIN).get_state() == InviteFlow.name.state


async def finish_from_name_step(dp: Dispatcher, bot: MockedBot) -> str:
    """Name → confirm → create; returns the invitation code from the link."""
    admin = user(ADMIN)
    await dp.feed_update(bot, message_update(admin, "王芳"))
    confirm = bot.sent(ADMIN)[-1]
    assert isinstance(confirm, SendMessage) and "王芳" in str(confirm.text)
    assert "医政审批岗" in str(confirm.text)
    await dp.feed_update(bot, callback_update(admin, press(InviteCb(action="create"))))
    match = LINK.search(bot.last_text(ADMIN))
    assert match, bot.last_text(ADMIN)
    assert await state_of(dp, bot, ADMIN).get_state() is None
    return match.group(1)


async def assert_code_binds(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker, org: Org, code: str
) -> None:
    await dp.feed_update(bot, message_update(user(8100), f"/start {code}"))
    person = await person_by_telegram_id(sessionmaker, 8100)
    assert person is not None and person.name == "王芳"
    assert (person.unit_id, person.post_id) == (org.department_id, org.post_id)
    assert person.roles == {Role.STAFF, Role.REVIEWER}


async def test_an_admin_invites_through_the_flow(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker, org: Org
) -> None:
    await walk_to_name_step(dp, bot, org)
    code = await finish_from_name_step(dp, bot)
    (invitation,) = await invitations(sessionmaker)
    assert invitation.code == code and invitation.roles == "staff,reviewer"
    async with unit_of_work(sessionmaker) as session:
        row = await session.scalar(select(AuditLog).where(AuditLog.action == "invitation.create"))
    assert row is not None and row.channel == "bot" and row.actor_id is not None
    await assert_code_binds(dp, bot, sessionmaker, org, code)


async def test_a_conversation_survives_a_restart(
    dp: Dispatcher,
    bot: MockedBot,
    sessionmaker: SessionMaker,
    settings: Settings,
    clock: FakeClock,
    org: Org,
    fresh_storage: BaseStorage,
) -> None:
    await walk_to_name_step(dp, bot, org)

    restarted = create_dispatcher(settings, sessionmaker, clock=clock, storage=fresh_storage)
    fresh_bot = MockedBot()
    assert await state_of(restarted, fresh_bot, ADMIN).get_state() == InviteFlow.name.state
    code = await finish_from_name_step(restarted, fresh_bot)
    await assert_code_binds(restarted, fresh_bot, sessionmaker, org, code)


async def test_cancel_leaves_the_flow_from_any_step(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker, org: Org
) -> None:
    await walk_to_name_step(dp, bot, org)
    await dp.feed_update(bot, message_update(user(ADMIN), "/cancel"))
    assert bot.last_text(ADMIN) == translate("cancel.done", "zh")
    context = state_of(dp, bot, ADMIN)
    assert await context.get_state() is None
    assert await context.get_data() == {}
    # The name that would have been the next answer is now just text outside any flow.
    await dp.feed_update(bot, message_update(user(ADMIN), "王芳"))
    assert bot.last_text(ADMIN) == translate("fallback.unknown_text", "zh")
    assert await invitations(sessionmaker) == []


async def test_cancel_at_the_first_step(dp: Dispatcher, bot: MockedBot, org: Org) -> None:
    await dp.feed_update(bot, message_update(user(ADMIN), "/invite"))
    await dp.feed_update(bot, message_update(user(ADMIN), "/cancel"))
    assert bot.last_text(ADMIN) == translate("cancel.done", "zh")
    assert await state_of(dp, bot, ADMIN).get_state() is None


async def test_cancel_with_nothing_to_cancel(dp: Dispatcher, bot: MockedBot) -> None:
    await dp.feed_update(bot, message_update(user(8002, language_code="en"), "/cancel"))
    assert bot.last_text(8002) == translate("cancel.nothing", "en")


async def test_unknown_text_outside_a_flow_gets_a_hint(dp: Dispatcher, bot: MockedBot) -> None:
    await dp.feed_update(bot, message_update(user(8003), "你好"))
    assert bot.last_text(8003) == translate("fallback.unknown_text", "zh")
    await dp.feed_update(bot, message_update(user(8003), "/nonsense"))
    assert bot.last_text(8003) == translate("fallback.unknown_command", "zh")
    await dp.feed_update(bot, message_update(user(8003), sticker=True))
    assert bot.last_text(8003) == translate("fallback.unknown_text", "zh")


async def test_a_sticker_at_the_name_step_gets_the_in_flow_hint(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker, org: Org
) -> None:
    await walk_to_name_step(dp, bot, org)
    data = await state_of(dp, bot, ADMIN).get_data()
    await dp.feed_update(bot, message_update(user(ADMIN), sticker=True))
    assert bot.last_text(ADMIN) == translate("fallback.in_flow", "zh")
    assert await state_of(dp, bot, ADMIN).get_state() == InviteFlow.name.state
    assert await state_of(dp, bot, ADMIN).get_data() == data
    # The step still works afterwards.
    code = await finish_from_name_step(dp, bot)
    assert code


async def test_an_empty_or_long_name_is_asked_again(
    dp: Dispatcher, bot: MockedBot, org: Org
) -> None:
    await walk_to_name_step(dp, bot, org)
    await dp.feed_update(bot, message_update(user(ADMIN), "名" * 101))
    assert bot.last_text(ADMIN) == translate("errors.name_length", "zh", limit=100)
    assert await state_of(dp, bot, ADMIN).get_state() == InviteFlow.name.state


@pytest.mark.parametrize("roles", [(), (Role.STAFF, Role.REVIEWER, Role.LEADER)])
async def test_invite_needs_the_admin_role(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker, org: Org, roles: tuple[Role, ...]
) -> None:
    await make_person(sessionmaker, 8004, *roles)
    await dp.feed_update(bot, message_update(user(8004), "/invite"))
    assert bot.last_text(8004) == translate("fallback.command_not_allowed", "zh", command="invite")
    assert await state_of(dp, bot, 8004).get_state() is None


async def test_a_non_admin_pressing_an_invite_button_changes_nothing(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker, org: Org
) -> None:
    await make_person(sessionmaker, 8005, Role.STAFF)
    await dp.feed_update(bot, callback_update(user(8005), press(InviteCb(action="create"))))
    assert last_alert(bot) == translate("fallback.stale_button", "zh")
    assert await invitations(sessionmaker) == []


@pytest.mark.parametrize(
    ("step", "forged"),
    [
        ("none", InviteCb(action="unit", value=1)),  # pressed with no flow running
        ("none", InviteCb(action="create")),
        ("unit", InviteCb(action="unit", value=999_999)),  # no such unit
        ("unit", InviteCb(action="post", value=1)),  # a post button at the unit step
        ("unit", InviteCb(action="create")),
        ("post", InviteCb(action="post", value=999_999)),  # no such post
        ("post", InviteCb(action="post", value=-1)),
        ("roles", InviteCb(action="role", value=99)),
        ("roles", InviteCb(action="role", value=-1)),
        ("name", InviteCb(action="create")),  # create before the name was given
        # an action no button has: it does not even unpack (packed by hand)
        ("name", "inv:bogus:0"),
    ],
)
async def test_stale_or_forged_buttons_change_nothing(
    dp: Dispatcher,
    bot: MockedBot,
    sessionmaker: SessionMaker,
    org: Org,
    step: str,
    forged: InviteCb | str,
) -> None:
    admin = user(ADMIN)
    if step != "none":
        await dp.feed_update(bot, message_update(admin, "/invite"))
    if step in ("post", "roles", "name"):
        await dp.feed_update(
            bot, callback_update(admin, press(InviteCb(action="unit", value=org.department_id)))
        )
    if step in ("roles", "name"):
        await dp.feed_update(
            bot, callback_update(admin, press(InviteCb(action="post", value=org.post_id)))
        )
    if step == "name":
        await dp.feed_update(bot, callback_update(admin, press(InviteCb(action="roles_done"))))
    context = state_of(dp, bot, ADMIN)
    state, data = await context.get_state(), await context.get_data()
    audit_rows = await audit_count(sessionmaker)
    sent = len(bot.sent(ADMIN))

    packed = forged if isinstance(forged, str) else forged.pack()
    await dp.feed_update(bot, callback_update(admin, packed))

    assert last_alert(bot) == translate("fallback.stale_button", "zh")
    assert await context.get_state() == state
    assert await context.get_data() == data
    assert len(bot.sent(ADMIN)) == sent  # no message was sent or edited
    assert await invitations(sessionmaker) == []
    assert await audit_count(sessionmaker) == audit_rows


async def test_a_post_of_another_unit_is_refused(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker, org: Org
) -> None:
    admin = user(ADMIN)
    await dp.feed_update(bot, message_update(admin, "/invite"))
    await dp.feed_update(
        bot, callback_update(admin, press(InviteCb(action="unit", value=org.department_id)))
    )
    await dp.feed_update(
        bot, callback_update(admin, press(InviteCb(action="post", value=org.other_post_id)))
    )
    assert last_alert(bot) == translate("fallback.stale_button", "zh")
    assert await state_of(dp, bot, ADMIN).get_state() == InviteFlow.post.state


async def test_create_pressed_twice_makes_one_invitation(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker, org: Org
) -> None:
    await walk_to_name_step(dp, bot, org)
    await finish_from_name_step(dp, bot)
    await dp.feed_update(bot, callback_update(user(ADMIN), press(InviteCb(action="create"))))
    assert last_alert(bot) == translate("fallback.stale_button", "zh")
    assert len(await invitations(sessionmaker)) == 1


async def test_invite_without_units_says_so(
    dp: Dispatcher, bot: MockedBot, clock: FakeClock, sessionmaker: SessionMaker
) -> None:
    await make_admin(sessionmaker, clock, 8006)
    await dp.feed_update(bot, message_update(user(8006), "/invite"))
    assert bot.last_text(8006) == translate("invite.no_units", "zh")
    assert await state_of(dp, bot, 8006).get_state() is None
