"""Who hears of a move: the record's holders, the people of a routed step, its colleagues."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.review_routing import Route
from bot.domain.roles import Role
from bot.services import review_subject as subject
from bot.services.review.model import Situation
from bot.services.review.notices import Notice
from storage.models.org import Person
from storage.repositories import people as people_repo


async def people_for_route(session: AsyncSession, route: Route) -> list[Person]:
    """The people who act on a routed step: the unit's reviewers, or the commission."""
    if route.is_commission:
        return await people_repo.active_with_role(session, Role.ADMIN.value)
    return await people_repo.active_with_role(session, Role.REVIEWER.value, unit_id=route.unit_id)


def _about(sit: Situation, **values: Any) -> dict[str, Any]:
    return {"risk_id": sit.risk.id, "title": subject.title(sit.risk), **values}


def to_holder(sit: Situation, key: str, **values: Any) -> Notice:
    return Notice(person_ids=tuple(sorted(sit.holder_ids)), key=key, values=_about(sit, **values))


async def to_route(
    session: AsyncSession, sit: Situation, route: Route, key: str, **values: Any
) -> list[Notice]:
    people = [p for p in await people_for_route(session, route) if p.id not in sit.holder_ids]
    if not people:
        return []
    return [Notice(tuple(p.id for p in people), key, _about(sit, **values))]


async def to_colleagues(session: AsyncSession, sit: Situation, key: str) -> list[Notice]:
    ids = await people_repo.active_ids_in_unit(session, sit.unit_id, besides=sit.holder_ids)
    return [Notice(ids, key, _about(sit))] if ids else []
