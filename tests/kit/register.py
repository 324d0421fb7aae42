"""A small organisation for register tests: holders, a colleague, an outsider, reviewers.

长安区 (district) ─ 卫生局 (bureau: post 局长, leadership) ─ 医政科 (department: post 医政审批岗)
              └─ 财政局 (bureau: post 会计岗)
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.clock import Clock
from bot.domain.roles import Role
from bot.services.people import add_admin
from storage.db import SessionMaker
from storage.models.org import Person, Post, RoleAssignment, Unit
from tests.kit.org import health_units
from tests.kit.uow import unit_of_work


@dataclass(frozen=True)
class People:
    """Telegram ids and person ids of everyone in the test organisation."""

    district_id: int
    bureau_id: int
    department_id: int
    other_unit_id: int
    post_id: int  # 医政审批岗
    leader_post_id: int  # 局长 (leadership)
    other_post_id: int  # 会计岗 in 财政局
    staff: int  # 王芳, holds 医政审批岗 (telegram id)
    staff_id: int
    colleague: int  # 张伟, same department, no post
    colleague_id: int
    outsider: int  # 赵敏, 财政局 会计岗
    outsider_id: int
    leader: int  # 陈局长, holds 局长
    leader_id: int
    reviewer: int  # 刘审核, reviewer of 卫生局
    reviewer_id: int
    other_reviewer: int  # 孙审核, reviewer of 财政局
    other_reviewer_id: int
    admin: int  # 李纪委, the commission
    admin_id: int


def _person(
    telegram_id: int,
    name: str,
    unit: Unit,
    post: Post | None,
    roles: tuple[Role, ...],
    language: str | None,
) -> Person:
    return Person(
        telegram_id=telegram_id,
        name=name,
        unit_id=unit.id,
        post_id=post.id if post else None,
        language=language,
        role_assignments=[RoleAssignment(role=r.value, unit_id=unit.id) for r in roles],
    )


async def make_people(
    sessionmaker: SessionMaker, clock: Clock, *, language: str | None = "zh", base: int = 7100
) -> People:
    async with unit_of_work(sessionmaker) as session:
        district, bureau, department, (other,) = await health_units(session, "财政局")
        post = Post(unit_id=department.id, name="医政审批岗")
        leader_post = Post(unit_id=bureau.id, name="局长", is_leadership=True)
        other_post = Post(unit_id=other.id, name="会计岗")
        session.add_all([post, leader_post, other_post])
        await session.flush()
        people = [
            _person(base + 1, "王芳", department, post, (Role.STAFF,), language),
            _person(base + 2, "张伟", department, None, (Role.STAFF,), language),
            _person(base + 3, "赵敏", other, other_post, (Role.STAFF,), language),
            _person(base + 4, "陈局长", bureau, leader_post, (Role.LEADER,), language),
            _person(base + 5, "刘审核", bureau, None, (Role.REVIEWER,), language),
            _person(base + 6, "孙审核", other, None, (Role.REVIEWER,), language),
        ]
        session.add_all(people)
        await session.commit()
        ids = [p.id for p in people]
        unit_ids = (district.id, bureau.id, department.id, other.id)
        post_ids = (post.id, leader_post.id, other_post.id)
    async with unit_of_work(sessionmaker) as session:
        admin = await add_admin(session, clock, telegram_id=base + 9, name="李纪委", unit=None)
        admin.language = language
        await session.commit()
        admin_id = admin.id
    return People(
        *unit_ids,
        *post_ids,
        base + 1, ids[0], base + 2, ids[1], base + 3, ids[2], base + 4, ids[3],
        base + 5, ids[4], base + 6, ids[5], base + 9, admin_id,
    )  # fmt: skip


async def load(sessionmaker: SessionMaker, person_id: int) -> Person:
    """A person with roles loaded, detached (expire_on_commit is off in the sessionmaker)."""
    async with unit_of_work(sessionmaker) as session:
        person = await session.get(Person, person_id)
        assert person is not None
        return person
