"""Who may see and change what in the register, decided from the database, never from a button.

* a post's holder (staff or leader on that post) declares and edits its records;
* colleagues of the same unit may read them;
* a reviewer acts on the units of their scope (the scope unit and its subtree);
* the commission (admin) sees and acts on everything.

Also the one helper that tells *other* people about a change: a row in the outbox, in the
caller's transaction, so a rolled-back change tells nobody.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.outbox import enqueue_for_person
from bot.domain.clock import Clock
from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.roles import Role
from bot.settings import Settings
from storage.models.org import Person, Post, Unit
from storage.repositories import org as org_repo
from storage.repositories import people as people_repo


def is_active_staff(person: Person | None) -> bool:
    """Staff-side flows are for staff and leaders (leaders are staff for their own posts)."""
    return person is not None and person.active and person.has_role(Role.STAFF, Role.LEADER)


def require_post(person: Person) -> int:
    """The post a staff member declares for; refused when they hold none."""
    if not is_active_staff(person):
        raise NotAllowed()
    if person.post_id is None:
        raise ServiceError("register.no_post")
    return person.post_id


async def unit_chain_ids(session: AsyncSession, unit_id: int) -> list[int]:
    """The unit and its ancestors, bottom up."""
    ids: list[int] = []
    current: int | None = unit_id
    while current is not None and current not in ids:
        unit = await session.get(Unit, current)
        if unit is None:
            break
        ids.append(unit.id)
        current = unit.parent_id
    return ids


async def reviewed_unit_ids(session: AsyncSession, person: Person) -> set[int] | None:
    """Units a person reviews (their scopes' subtrees); None means every unit (commission)."""
    if not person.active:
        return set()
    if person.has_role(Role.ADMIN):
        return None
    ids: set[int] = set()
    for assignment in person.role_assignments:
        if assignment.role != Role.REVIEWER.value or assignment.unit_id is None:
            continue
        scope = await session.get(Unit, assignment.unit_id)
        if scope is None:
            continue
        ids.update(await org_repo.subtree_ids(session, scope))
    return ids


async def may_review_unit(session: AsyncSession, person: Person, unit_id: int) -> bool:
    scope = await reviewed_unit_ids(session, person)
    return scope is None or unit_id in scope


async def require_reviewer_of(session: AsyncSession, person: Person, unit_id: int) -> None:
    if not await may_review_unit(session, person, unit_id):
        raise NotAllowed()


async def may_see_unit(session: AsyncSession, person: Person, unit_id: int) -> bool:
    """Members of the unit, its reviewers and the commission read a unit's register."""
    if not person.active:
        return False
    if person.unit_id == unit_id and person.has_role(Role.STAFF, Role.LEADER, Role.REVIEWER):
        return True
    return await may_review_unit(session, person, unit_id) if person.roles else False


async def post_or_refuse(session: AsyncSession, post_id: int) -> Post:
    post = await session.get(Post, post_id)
    if post is None:
        raise ServiceError("register.not_found")
    return post


async def people_on_post(session: AsyncSession, post_id: int) -> list[Person]:
    return list(await people_repo.active_on_posts(session, [post_id]))


async def reviewers_of_unit(session: AsyncSession, unit_id: int) -> list[Person]:
    """The reviewers whose scope covers the unit (nearest first), else the commission."""
    for scope_id in await unit_chain_ids(session, unit_id):
        people = await people_repo.active_with_role(session, Role.REVIEWER.value, unit_id=scope_id)
        if people:
            return people
    return await commission(session)


async def commission(session: AsyncSession) -> list[Person]:
    return await people_repo.active_with_role(session, Role.ADMIN.value)


async def tell_holders(session: AsyncSession, post_id: int, key: str, **options: Any) -> None:
    """`tell()` the people holding a post (`options` are `tell()`'s keywords)."""
    await tell(session, await people_on_post(session, post_id), key, **options)


async def tell(
    session: AsyncSession,
    people: list[Person],
    key: str,
    *,
    clock: Clock,
    settings: Settings,
    skip: Person | None = None,
    **values: Any,
) -> None:
    """Queue `key` to each of `people` (but not `skip`, the one who acted) in their language."""
    seen: set[int] = set()
    for person in people:
        if person.id in seen or (skip is not None and person.id == skip.id):
            continue
        seen.add(person.id)
        await enqueue_for_person(
            session,
            person,
            key,
            kind=f"register.{key.rsplit('.', 1)[-1]}",
            values=values,
            settings=settings,
            clock=clock,
        )
