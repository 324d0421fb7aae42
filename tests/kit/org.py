"""A small organisation and people, made through the services (so audit rows are real)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.roles import Role
from bot.services.invitations import create_invitation
from bot.services.people import add_admin, grant
from storage.db import SessionMaker
from storage.models.audit import AuditLog
from storage.models.invitation import Invitation
from storage.models.org import Person, Post, Unit
from tests.kit.rows import count_rows
from tests.kit.uow import unit_of_work


@dataclass(frozen=True)
class Org:
    district_id: int
    bureau_id: int  # 长安区/卫生局
    department_id: int  # 长安区/卫生局/医政科
    post_id: int  # 医政审批岗 in the department
    other_post_id: int  # 局长 in the bureau


async def health_units(
    session: AsyncSession, *other_bureaus: str
) -> tuple[Unit, Unit, Unit, list[Unit]]:
    """长安区 ─ 卫生局 ─ 医政科, and the district's other bureaus named (made beside 卫生局),
    flushed in that order: district, bureaus, department."""
    district = Unit(name="长安区", kind="district", path="长安区")
    session.add(district)
    await session.flush()
    bureau = Unit(name="卫生局", kind="bureau", path="长安区/卫生局", parent_id=district.id)
    others = [
        Unit(name=name, kind="bureau", path=f"长安区/{name}", parent_id=district.id)
        for name in other_bureaus
    ]
    session.add_all([bureau, *others])
    await session.flush()
    department = Unit(
        name="医政科", kind="department", path="长安区/卫生局/医政科", parent_id=bureau.id
    )
    session.add(department)
    await session.flush()
    return district, bureau, department, others


async def make_org(sessionmaker: SessionMaker) -> Org:
    async with unit_of_work(sessionmaker) as session:
        district, bureau, department, _ = await health_units(session)
        post = Post(unit_id=department.id, name="医政审批岗")
        other = Post(unit_id=bureau.id, name="局长", is_leadership=True)
        session.add_all([post, other])
        await session.commit()
        return Org(district.id, bureau.id, department.id, post.id, other.id)


async def make_admin(sessionmaker: SessionMaker, clock: Clock, telegram_id: int) -> int:
    async with unit_of_work(sessionmaker) as session:
        person = await add_admin(session, clock, telegram_id=telegram_id, name="李纪委", unit=None)
        return person.id


async def make_person(
    sessionmaker: SessionMaker, telegram_id: int, *roles: Role, language: str | None = None
) -> int:
    async with unit_of_work(sessionmaker) as session:
        person = Person(
            telegram_id=telegram_id, name=f"用户{telegram_id}", language=language,
            role_assignments=[],
        )  # fmt: skip
        for role in roles:
            grant(person, role, None)
        session.add(person)
        await session.commit()
        return person.id


async def make_invitation(
    sessionmaker: SessionMaker,
    clock: Clock,
    org: Org,
    *,
    roles: tuple[Role, ...] = (Role.STAFF, Role.REVIEWER),
    name: str = "王芳",
    ttl_days: int = 14,
) -> str:
    async with unit_of_work(sessionmaker) as session:
        unit = await session.get(Unit, org.department_id)
        post = await session.get(Post, org.post_id)
        assert unit is not None
        invitation = await create_invitation(
            session, clock, actor=None, unit=unit, post=post, roles=list(roles), name=name,
            ttl_days=ttl_days, channel="cli",
        )  # fmt: skip
        return invitation.code


async def audit_count(sessionmaker: SessionMaker, action: str | None = None) -> int:
    where = () if action is None else (AuditLog.action == action,)
    return await count_rows(sessionmaker, AuditLog, *where)


async def person_by_telegram_id(sessionmaker: SessionMaker, telegram_id: int) -> Person | None:
    async with unit_of_work(sessionmaker) as session:
        return await session.scalar(select(Person).where(Person.telegram_id == telegram_id))


async def invitations(sessionmaker: SessionMaker) -> list[Invitation]:
    async with unit_of_work(sessionmaker) as session:
        return list((await session.scalars(select(Invitation).order_by(Invitation.id))).all())
