"""Opening an invitation link binds the account; a bad code changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from aiogram import Dispatcher
from aiogram.types import BotCommandScopeChat
from sqlalchemy import select

from bot.domain.clock import FakeClock
from bot.domain.commands import commands_for
from bot.domain.roles import Role
from bot.i18n import translate
from storage.db import SessionMaker
from storage.models.audit import AuditLog
from storage.models.invitation import Invitation
from storage.models.org import Person, RoleAssignment
from tests.dispatcher.helpers import listed_commands, menus_set
from tests.kit.mocked_bot import MockedBot, message_update, user
from tests.kit.org import (
    audit_count,
    make_invitation,
    make_org,
    make_person,
    person_by_telegram_id,
)
from tests.kit.uow import unit_of_work


async def db_picture(sessionmaker: SessionMaker) -> dict[str, Any]:
    """Everything an invitation could change, to compare before and after."""
    async with unit_of_work(sessionmaker) as session:
        people = (await session.scalars(select(Person).order_by(Person.id))).all()
        return {
            "people": [(p.id, p.telegram_id, p.name, p.unit_id, p.post_id) for p in people],
            "roles": (
                await session.execute(
                    select(RoleAssignment.person_id, RoleAssignment.role).order_by(
                        RoleAssignment.id
                    )
                )
            ).all(),
            "invitations": (
                await session.execute(
                    select(Invitation.id, Invitation.used_at, Invitation.used_by_id).order_by(
                        Invitation.id
                    )
                )
            ).all(),
            "audit": (await session.execute(select(AuditLog.id).order_by(AuditLog.id))).all(),
        }


async def invite(sessionmaker: SessionMaker, clock: FakeClock, **details: Any) -> str:
    """The code of an invitation into a fresh organisation (see make_invitation)."""
    return await make_invitation(sessionmaker, clock, await make_org(sessionmaker), **details)


async def test_an_invitation_binds_the_account(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker, clock: FakeClock
) -> None:
    org = await make_org(sessionmaker)
    code = await make_invitation(sessionmaker, clock, org, roles=(Role.STAFF, Role.REVIEWER))
    newcomer = user(6001, language_code="zh-hans", name="Fang")

    await dp.feed_update(bot, message_update(newcomer, f"/start {code}"))

    person = await person_by_telegram_id(sessionmaker, 6001)
    assert person is not None
    assert person.name == "王芳"
    assert (person.unit_id, person.post_id) == (org.department_id, org.post_id)
    assert person.roles == {Role.STAFF, Role.REVIEWER}
    text = bot.last_text(6001)
    assert "王芳" in text and "医政科" in text and "医政审批岗" in text
    assert "help" in listed_commands(text)
    assert "invite" not in listed_commands(text)
    menus = menus_set(bot)
    assert len(menus) == 1
    assert menus[0].scope == BotCommandScopeChat(chat_id=6001)
    expected = [spec.name for spec in commands_for({Role.STAFF, Role.REVIEWER})]
    assert [c.command for c in menus[0].commands] == expected
    assert "invite" not in expected
    assert menus[0].commands[1].description == translate("commands.help", "zh")
    assert await audit_count(sessionmaker, "invitation.create") == 1
    assert await audit_count(sessionmaker, "invitation.accept") == 1
    async with unit_of_work(sessionmaker) as session:
        accepted = await session.scalar(
            select(AuditLog).where(AuditLog.action == "invitation.accept")
        )
        invitation = await session.scalar(select(Invitation).where(Invitation.code == code))
    assert accepted is not None and accepted.actor_id == person.id
    assert accepted.after is not None and accepted.after["roles"] == ["reviewer", "staff"]
    assert invitation is not None
    assert invitation.used_by_id == person.id and invitation.used_at == clock.now()


async def test_an_admin_invitation_gives_the_admin_menu_in_english(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker, clock: FakeClock
) -> None:
    code = await invite(sessionmaker, clock, roles=(Role.ADMIN,), name="Li")
    await dp.feed_update(bot, message_update(user(6002, language_code="en"), f"/start {code}"))
    assert "Li" in bot.last_text(6002) and "医政科" in bot.last_text(6002)
    (menu,) = menus_set(bot)
    assert "invite" in [c.command for c in menu.commands]
    assert menu.commands[0].description == translate("commands.start", "en")


async def _first_contact(dp: Dispatcher, bot: MockedBot, telegram_id: int) -> None:
    await dp.feed_update(bot, message_update(user(telegram_id), "/start"))
    bot.clear()


@pytest.mark.parametrize("kind", ["used", "expired", "unknown", "malformed"])
async def test_a_bad_code_gets_its_message_and_changes_nothing(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker, clock: FakeClock, kind: str
) -> None:
    code = await invite(sessionmaker, clock, ttl_days=14)
    if kind == "used":
        await dp.feed_update(bot, message_update(user(6010), f"/start {code}"))
    elif kind == "expired":
        clock.advance(timedelta(days=14))
    elif kind == "unknown":
        code = "NoSuchCode_12345"
    else:
        code = "<b>x</b>;DROP"
    await _first_contact(dp, bot, 6011)
    before = await db_picture(sessionmaker)

    await dp.feed_update(bot, message_update(user(6011), f"/start {code}"))

    expected = "unknown" if kind == "malformed" else kind
    assert bot.last_text(6011) == translate(f"invite.code_{expected}", "zh")
    assert await db_picture(sessionmaker) == before
    assert menus_set(bot) == []
    person = await person_by_telegram_id(sessionmaker, 6011)
    assert person is not None and not person.roles


async def test_a_used_code_is_refused_to_the_same_person_too(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker, clock: FakeClock
) -> None:
    code = await invite(sessionmaker, clock)
    await dp.feed_update(bot, message_update(user(6020), f"/start {code}"))
    before = await db_picture(sessionmaker)
    await dp.feed_update(bot, message_update(user(6020), f"/start {code}"))
    assert bot.last_text(6020) == translate("invite.code_used", "zh")
    assert await db_picture(sessionmaker) == before


async def test_a_bound_person_is_welcomed_back_by_name(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker, clock: FakeClock
) -> None:
    code = await invite(sessionmaker, clock)
    await dp.feed_update(bot, message_update(user(6030), f"/start {code}"))
    await dp.feed_update(bot, message_update(user(6030), "/start"))
    text = bot.last_text(6030)
    assert text.startswith(translate("start.welcome_back", "zh", name="王芳"))


async def test_a_bound_account_cannot_take_over_someone_elses_invitation(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker, clock: FakeClock
) -> None:
    """王芳 (bound to 医政科) opening 李四's link stays 王芳; 李四's code stays his to use."""
    org = await make_org(sessionmaker)
    mine = await make_invitation(sessionmaker, clock, org, roles=(Role.STAFF,))
    theirs = await make_invitation(sessionmaker, clock, org, roles=(Role.REVIEWER,), name="李四")
    await dp.feed_update(bot, message_update(user(6040), f"/start {mine}"))
    before = await db_picture(sessionmaker)
    menus = len(menus_set(bot))

    await dp.feed_update(bot, message_update(user(6040), f"/start {theirs}"))

    assert bot.last_text(6040) == translate("invite.already_bound", "zh")
    assert await db_picture(sessionmaker) == before
    assert len(menus_set(bot)) == menus
    await dp.feed_update(bot, message_update(user(6041), f"/start {theirs}"))
    li = await person_by_telegram_id(sessionmaker, 6041)
    assert li is not None and li.name == "李四" and li.roles == {Role.REVIEWER}


async def test_an_imported_person_with_roles_cannot_open_an_invitation(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker, clock: FakeClock
) -> None:
    org = await make_org(sessionmaker)
    await make_person(sessionmaker, 6050, Role.STAFF)
    code = await make_invitation(sessionmaker, clock, org, roles=(Role.ADMIN,), name="李四")
    before = await db_picture(sessionmaker)
    await dp.feed_update(bot, message_update(user(6050), f"/start {code}"))
    assert bot.last_text(6050) == translate("invite.already_bound", "zh")
    assert await db_picture(sessionmaker) == before
