"""The rule register (完善制度) and the focus-programme list (强农惠农).

Reviewers add rules for the units they review, the commission for any; everyone with a unit
reads the rules in force for it (its own and its ancestors'). 三重一大 matters are flagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.register_rules import (
    DEFAULT_FOCUS_PROGRAMMES,
    RULE_KIND_MAX,
    RULE_TITLE_MAX,
)
from bot.domain.roles import Role
from bot.services import audit
from bot.services.powers.common import text_or_refuse
from bot.services.register_access import require_reviewer_of, unit_chain_ids
from storage.models.org import Person, Unit
from storage.models.register import FocusProgramme, MajorMatter, Rule

FOCUS_MAX = 100


def _text(value: str | None, limit: int, *, required: bool = True) -> str:
    return text_or_refuse(value, limit, required=required)


async def focus_programmes(session: AsyncSession) -> list[str]:
    """The configured focus programmes, or DOMAIN.md's defaults when none are."""
    names = list(
        await session.scalars(
            select(FocusProgramme.name).order_by(FocusProgramme.position, FocusProgramme.id)
        )
    )
    return names or list(DEFAULT_FOCUS_PROGRAMMES)


async def set_focus_programmes(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person | None,
    names: Sequence[str],
    channel: str = "bot",
) -> list[str]:
    """Replace the list (the commission's); an empty list brings back the defaults."""
    if actor is not None and not actor.has_role(Role.ADMIN):
        raise NotAllowed()
    cleaned: list[str] = []
    for name in names:
        name = _text(name, FOCUS_MAX)
        if name not in cleaned:
            cleaned.append(name)
    before = await focus_programmes(session)
    for row in await session.scalars(select(FocusProgramme)):
        await session.delete(row)
    await session.flush()
    rows = [FocusProgramme(name=n, position=i) for i, n in enumerate(cleaned)]
    session.add_all(rows)
    await session.flush()
    after = await focus_programmes(session)
    if rows:
        audit.record(
            session,
            clock,
            actor=actor,
            channel=channel,
            action="focus_programme.set",
            entity=rows[0],
            before={"names": before},
            after={"names": after},
        )
    return after


async def add_rule(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person | None,
    unit_id: int,
    title: str,
    kind: str = "",
    issued_on: date | None = None,
    major_matter: str = MajorMatter.NONE.value,
    channel: str = "bot",
) -> Rule:
    """Register a rule of a unit; a reviewer of the unit or the commission may."""
    if await session.get(Unit, unit_id) is None:
        raise ServiceError("register.not_found")
    if actor is not None:
        if not actor.has_role(Role.REVIEWER, Role.ADMIN):
            raise NotAllowed()
        await require_reviewer_of(session, actor, unit_id)
    try:
        matter = MajorMatter(major_matter).value
    except ValueError:
        raise ServiceError("register.bad_major_matter") from None
    rule = Rule(
        unit_id=unit_id,
        title=_text(title, RULE_TITLE_MAX),
        kind=_text(kind, RULE_KIND_MAX, required=False),
        issued_on=issued_on,
        major_matter=matter,
        created_by_id=actor.id if actor else None,
        created_at=clock.now(),
    )
    return await audit.record_new(
        session, clock, rule, actor=actor, channel=channel, action="rule.add",
        fields=("unit_id", "title", "kind", "issued_on", "major_matter"),
    )  # fmt: skip


async def rules_for_unit(
    session: AsyncSession, unit_id: int, *, offset: int = 0, limit: int = 8
) -> tuple[list[Rule], int]:
    """Rules in force for a unit (its own and its ancestors'), 三重一大 first, then newest."""
    chain = await unit_chain_ids(session, unit_id)
    where = Rule.unit_id.in_(chain)
    total = await session.scalar(select(func.count()).select_from(Rule).where(where)) or 0
    rows = await session.scalars(
        select(Rule)
        .where(where)
        .order_by((Rule.major_matter == MajorMatter.NONE.value), Rule.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(rows), int(total)
