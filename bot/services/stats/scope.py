"""Whose figures a person may see, decided from the database for every request.

* the commission (an admin: `campaigns.admin_scope`) — every unit, or its bureau's subtree;
* a leader — the unit their leader role is scoped to, with everything under it. A leader in a
  district office directly under the district with no units of its own (区委区政府, like the
  commission's 区纪委) leads the district: their scope is the district's subtree;
* a reviewer — the units they review (their scopes' subtrees).

Several roles: the union. Citizens and plain staff are refused (``overview.not_allowed``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.roles import Role
from bot.services.campaigns import admin_scope, subtree_ids
from bot.services.register_access import reviewed_unit_ids
from bot.services.stats.overview import Overview, Scope, overview
from storage.models.org import Person, Unit


def may_see_overview(person: Person | None) -> bool:
    """Leaders, reviewers and the commission; the router's guard asks the same."""
    return (
        person is not None
        and person.active
        and person.has_role(Role.LEADER, Role.REVIEWER, Role.ADMIN)
    )


async def led_unit(session: AsyncSession, unit_id: int) -> int:
    """The unit a leader scoped to `unit_id` leads: a district office stands for its district."""
    unit = await session.get(Unit, unit_id)
    if unit is None or unit.parent_id is None:
        return unit_id
    parent = await session.get(Unit, unit.parent_id)
    has_children = await session.scalar(select(Unit.id).where(Unit.parent_id == unit.id).limit(1))
    if parent is not None and parent.parent_id is None and has_children is None:
        return parent.id
    return unit_id


async def scope_of(session: AsyncSession, person: Person | None) -> Scope:
    """The scope of `person`'s overview; refused for citizens and plain staff."""
    if person is None or not may_see_overview(person):
        raise ServiceError("overview.not_allowed")
    units: set[int] = set()
    if person.has_role(Role.ADMIN):
        admin = await admin_scope(session, person)
        if admin is None:
            return Scope.district()
        units |= admin
    if person.has_role(Role.REVIEWER):
        reviewed = await reviewed_unit_ids(session, person)
        if reviewed is None:
            return Scope.district()
        units |= reviewed
    for assignment in person.role_assignments:
        if assignment.role == Role.LEADER.value and assignment.unit_id is not None:
            top = await led_unit(session, assignment.unit_id)
            units |= set(await subtree_ids(session, [top]))
    if not units:
        raise ServiceError("overview.not_allowed")
    return Scope.of(units)


async def overview_for(
    session: AsyncSession,
    person: Person | None,
    unit_id: int | None = None,
    *,
    today: date,
    review_limit_days: int,
    answer_days: int,
) -> Overview:
    """The overview a person asked for: their whole scope, or one unit of it with everything
    under it. A unit outside their scope (a forged or stale button) is refused."""
    scope = await scope_of(session, person)
    if unit_id is None:
        return await overview(
            session, scope, today=today, review_limit_days=review_limit_days,
            answer_days=answer_days,
        )  # fmt: skip
    if not scope.covers(unit_id):
        raise NotAllowed()
    units = set(await subtree_ids(session, [unit_id]))
    if scope.unit_ids is not None:
        units &= scope.unit_ids
    if not units:
        raise ServiceError("overview.unit_gone")
    return await overview(
        session, Scope.of(units), today=today, review_limit_days=review_limit_days,
        answer_days=answer_days,
    )  # fmt: skip


class UnitTree:
    """Every unit's parent and children, loaded once: the same scopes as `scope_of`, for a
    batch of people (a digest run) without a query per person."""

    def __init__(self, rows: Iterable[tuple[int, int | None, str]]) -> None:
        self.parent: dict[int, int | None] = {}
        self.kind: dict[int, str] = {}
        self.children: dict[int, list[int]] = defaultdict(list)
        for unit_id, parent_id, kind in rows:
            self.parent[unit_id], self.kind[unit_id] = parent_id, kind
            if parent_id is not None:
                self.children[parent_id].append(unit_id)

    @classmethod
    async def load(cls, session: AsyncSession) -> UnitTree:
        rows = await session.execute(select(Unit.id, Unit.parent_id, Unit.kind))
        return cls((unit_id, parent_id, kind) for unit_id, parent_id, kind in rows)

    def subtree(self, unit_id: int) -> set[int]:
        out, stack = set(), [unit_id]
        while stack:
            current = stack.pop()
            if current in self.parent and current not in out:
                out.add(current)
                stack.extend(self.children.get(current, ()))
        return out

    def _district_office(self, unit_id: int) -> bool:
        parent = self.parent.get(unit_id)
        return (
            parent is not None
            and self.parent.get(parent) is None
            and not self.children.get(unit_id)
        )

    def scope_of(self, person: Person) -> Scope | None:
        """As `scope_of` (None here: may see nothing, instead of a refusal)."""
        if not may_see_overview(person):
            return None
        units: set[int] = set()
        for assignment in person.role_assignments:
            unit_id = assignment.unit_id
            if assignment.role == Role.ADMIN.value:
                if (
                    unit_id is None
                    or self.parent.get(unit_id) is None
                    or self.kind.get(unit_id) == "district"
                    or self._district_office(unit_id)
                ):
                    return Scope.district()
                units |= self.subtree(unit_id)
            elif assignment.role in (Role.REVIEWER.value, Role.LEADER.value) and unit_id:
                top = unit_id
                if assignment.role == Role.LEADER.value and self._district_office(unit_id):
                    top = self.parent[unit_id] or unit_id
                units |= self.subtree(top)
        return Scope.of(units) if units else None
