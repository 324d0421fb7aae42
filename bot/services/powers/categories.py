"""Power categories (职权类别), configurable per unit: its own list, else its nearest
ancestor's, else the defaults."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.register_rules import CATEGORY_MAX, DEFAULT_CATEGORIES
from bot.domain.roles import Role
from bot.services import audit
from bot.services.powers.common import text_or_refuse
from bot.services.register_access import unit_chain_ids
from storage.models.org import Person, Unit
from storage.models.register import PowerScope
from storage.repositories import powers as powers_repo


async def categories_for(session: AsyncSession, unit_id: int, scope: str) -> list[str]:
    """The unit's categories for `scope`: its own, else its nearest ancestor's, else defaults."""
    scope = PowerScope(scope).value
    for owner in await unit_chain_ids(session, unit_id):
        names = await powers_repo.category_names(session, owner, scope)
        if names:
            return names
    return list(DEFAULT_CATEGORIES[scope])


async def set_categories(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person | None,
    unit_id: int,
    scope: str,
    names: Sequence[str],
    channel: str = "bot",
) -> list[str]:
    """Replace a unit's categories for a scope (an empty list returns it to the defaults)."""
    if actor is not None and not actor.has_role(Role.ADMIN):
        raise NotAllowed()
    scope = PowerScope(scope).value
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise ServiceError("register.not_found")
    cleaned: list[str] = []
    for name in names:
        name = text_or_refuse(name, CATEGORY_MAX)
        if name not in cleaned:
            cleaned.append(name)
    before = await categories_for(session, unit_id, scope)
    await powers_repo.replace_categories(session, unit_id, scope, cleaned)
    after = await categories_for(session, unit_id, scope)
    # The audit row is about the unit whose list changed.
    audit.record(
        session,
        clock,
        actor=actor,
        channel=channel,
        action="power_category.set",
        entity=unit,
        before={"scope": scope, "names": before},
        after={"scope": scope, "names": after},
    )
    return after
