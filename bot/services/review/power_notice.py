"""A submitted power is announced to whoever confirms it (确权): the nearest unit up the tree
with an active reviewer, else the commission, in each one's language, with a button to open it.

Queued in the submission's own transaction, as the risk review's notices are.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.keys import N_
from bot.domain.roles import Role
from bot.services.buttons import power_review_button
from bot.services.review.notices import Notice, queue_notices
from bot.settings import Settings
from storage.models.org import Person, Post, Unit
from storage.models.register import Power
from storage.repositories import org as org_repo
from storage.repositories import people as people_repo


async def power_reviewers(session: AsyncSession, power: Power) -> list[Person]:
    """The reviewers of the nearest unit (the power's own, then up) that has any, not the
    submitter; the commission when no unit up the tree has one."""
    for unit in await org_repo.unit_chain(session, power.unit_id):
        people = await people_repo.active_with_role(session, Role.REVIEWER.value, unit_id=unit.id)
        people = [p for p in people if p.id != power.created_by_id]
        if people:
            return people
    admins = await people_repo.active_with_role(session, Role.ADMIN.value)
    return [p for p in admins if p.id != power.created_by_id]


async def tell_power_submitted(
    session: AsyncSession, clock: Clock, power: Power, settings: Settings
) -> int:
    """Queue "a power waits for your confirmation" for its reviewers; the count queued."""
    people = await power_reviewers(session, power)
    if not people:
        return 0
    post = await session.get(Post, power.post_id) if power.post_id else None
    unit = await session.get(Unit, power.unit_id)
    notice = Notice(
        person_ids=tuple(p.id for p in people),
        key=N_("powers.notice.to_review"),
        values={
            "name": power.name,
            "unit": unit.path if unit else "-",
            "post": post.name if post else "-",
        },
        button=power_review_button(power.id),
    )
    return await queue_notices(session, clock, [notice], settings)
