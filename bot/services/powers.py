"""Power inventory (清权确权): staff inventory the powers of their post, reviewers confirm them.

"Whoever exercises it, inventories it" (谁行使、谁清理): a staff member adds the powers of their
own post; while a power is not yet confirmed its submitter may edit a field or withdraw it;
a reviewer of the unit confirms it or returns it with a comment, and the submitter is told.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.register_rules import (
    CATEGORY_MAX,
    COMMENT_MAX,
    CONTENT_MAX,
    DEFAULT_CATEGORIES,
    LEGAL_BASIS_MAX,
    NAME_MAX,
    SUBJECT_MAX,
    TextRefused,
    clean_text,
)
from bot.domain.roles import Role
from bot.services import audit
from bot.services.register_access import (
    may_see_unit,
    require_post,
    require_reviewer_of,
    reviewed_unit_ids,
    tell,
    unit_chain_ids,
)
from bot.settings import Settings
from storage.models.org import Person, Post, Unit
from storage.models.register import Power, PowerCategory, PowerScope, PowerStatus

# Editable fields and their limits; `category` and `scope` are checked against the lists.
TEXT_FIELDS: dict[str, int] = {
    "name": NAME_MAX,
    "content": CONTENT_MAX,
    "subject": SUBJECT_MAX,
    "legal_basis": LEGAL_BASIS_MAX,
}
EDITABLE = (*TEXT_FIELDS, "category", "scope")
OPEN_STATUSES = (PowerStatus.SUBMITTED.value, PowerStatus.RETURNED.value)
_FIELDS = ("name", "content", "subject", "legal_basis", "category", "scope", "status")


def text_or_refuse(value: str | None, limit: int, *, required: bool = True) -> str:
    """`clean_text` as a `ServiceError` a person can read."""
    try:
        return clean_text(value, limit, required=required)
    except TextRefused as refused:
        raise ServiceError(f"register.text_{refused.problem.value}", limit=refused.limit) from None


# --- categories ---------------------------------------------------------------------------


async def categories_for(session: AsyncSession, unit_id: int, scope: str) -> list[str]:
    """The unit's categories for `scope`: its own, else its nearest ancestor's, else defaults."""
    scope = PowerScope(scope).value
    for owner in await unit_chain_ids(session, unit_id):
        names = list(
            await session.scalars(
                select(PowerCategory.name)
                .where(PowerCategory.unit_id == owner, PowerCategory.scope == scope)
                .order_by(PowerCategory.position, PowerCategory.id)
            )
        )
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
    if await session.get(Unit, unit_id) is None:
        raise ServiceError("register.not_found")
    cleaned: list[str] = []
    for name in names:
        name = text_or_refuse(name, CATEGORY_MAX)
        if name not in cleaned:
            cleaned.append(name)
    before = await categories_for(session, unit_id, scope)
    old = await session.scalars(
        select(PowerCategory).where(PowerCategory.unit_id == unit_id, PowerCategory.scope == scope)
    )
    for row in old:
        await session.delete(row)
    await session.flush()
    for position, name in enumerate(cleaned):
        session.add(PowerCategory(unit_id=unit_id, scope=scope, name=name, position=position))
    await session.flush()
    after = await categories_for(session, unit_id, scope)
    unit = await session.get(Unit, unit_id)
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
    await session.flush()
    return after


# --- reading ------------------------------------------------------------------------------


async def get_visible(session: AsyncSession, viewer: Person, power_id: int) -> Power:
    """A power the viewer may read; others' units' powers look as missing as deleted ones."""
    power = await session.get(Power, power_id)
    if power is None or not await may_see_unit(session, viewer, power.unit_id):
        raise ServiceError("register.not_found")
    return power


async def powers_of_post(
    session: AsyncSession, post: Post, *, offset: int = 0, limit: int = 8
) -> tuple[list[Power], int]:
    """The post's powers and the unit-wide ones (not withdrawn), newest last."""
    where = (
        Power.unit_id == post.unit_id,
        (Power.post_id == post.id) | Power.post_id.is_(None),
        Power.status != PowerStatus.WITHDRAWN.value,
    )
    total = await session.scalar(select(func.count()).select_from(Power).where(*where)) or 0
    rows = await session.scalars(
        select(Power).where(*where).order_by(Power.id).offset(offset).limit(limit)
    )
    return list(rows), int(total)


@dataclass(frozen=True)
class PowerCounts:
    """Totals like the seed's: by scope, and by (scope, category)."""

    by_scope: dict[str, int]
    by_category: dict[tuple[str, str], int]

    @property
    def total(self) -> int:
        return sum(self.by_scope.values())


async def counts(
    session: AsyncSession,
    *,
    post: Post | None = None,
    unit_ids: Sequence[int] | None = None,
    confirmed_only: bool = False,
) -> PowerCounts:
    """Counts of powers (never withdrawn ones) for a post, some units, or everything."""
    query = select(Power.scope, Power.category, func.count()).where(
        Power.status != PowerStatus.WITHDRAWN.value
    )
    if confirmed_only:
        query = query.where(Power.status == PowerStatus.CONFIRMED.value)
    if post is not None:
        query = query.where(
            Power.unit_id == post.unit_id, (Power.post_id == post.id) | Power.post_id.is_(None)
        )
    if unit_ids is not None:
        query = query.where(Power.unit_id.in_(unit_ids))
    rows = await session.execute(query.group_by(Power.scope, Power.category))
    by_scope: Counter[str] = Counter()
    by_category: dict[tuple[str, str], int] = {}
    for scope, category, count in rows:
        by_scope[scope] += count
        by_category[(scope, category)] = count
    return PowerCounts(dict(by_scope), by_category)


async def waiting_for_review(
    session: AsyncSession, reviewer: Person, *, offset: int = 0, limit: int = 8
) -> tuple[list[Power], int]:
    """Submitted powers in the reviewer's units, oldest first."""
    scope = await reviewed_unit_ids(session, reviewer)
    where = [Power.status == PowerStatus.SUBMITTED.value]
    if scope is not None:
        where.append(Power.unit_id.in_(sorted(scope)))
    total = await session.scalar(select(func.count()).select_from(Power).where(*where)) or 0
    rows = await session.scalars(
        select(Power).where(*where).order_by(Power.id).offset(offset).limit(limit)
    )
    return list(rows), int(total)


# --- writing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PowerDraft:
    name: str
    content: str
    subject: str
    legal_basis: str
    category: str
    scope: str


async def add_power(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person,
    draft: PowerDraft,
    settings: Settings | None = None,
) -> Power:
    """Inventory a power of the actor's own post; it is saved as *submitted* for review."""
    post_id = require_post(actor)
    post = await session.get(Post, post_id)
    if post is None:
        raise ServiceError("register.no_post")
    values = await _validated(session, post.unit_id, draft)
    now = clock.now()
    power = Power(
        unit_id=post.unit_id,
        post_id=post.id,
        status=PowerStatus.SUBMITTED.value,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
        **values,
    )
    session.add(power)
    await session.flush()
    audit.record(
        session,
        clock,
        actor=actor,
        action="power.add",
        entity=power,
        after=audit.snapshot(power, *_FIELDS),
    )
    await session.flush()
    return power


async def _validated(session: AsyncSession, unit_id: int, draft: PowerDraft) -> dict[str, str]:
    values = {
        "name": text_or_refuse(draft.name, NAME_MAX),
        "content": text_or_refuse(draft.content, CONTENT_MAX),
        "subject": text_or_refuse(draft.subject, SUBJECT_MAX),
        "legal_basis": text_or_refuse(draft.legal_basis, LEGAL_BASIS_MAX),
    }
    try:
        scope = PowerScope(draft.scope).value
    except ValueError:
        raise ServiceError("register.bad_scope") from None
    if draft.category not in await categories_for(session, unit_id, scope):
        raise ServiceError("register.bad_category", value=draft.category)
    return values | {"scope": scope, "category": draft.category}


async def _own_open_power(session: AsyncSession, actor: Person, power_id: int) -> Power:
    """The actor's own power, still open to change (submitted or returned)."""
    power = await session.get(Power, power_id)
    mine = power is not None and (
        power.created_by_id == actor.id
        or (power.post_id is not None and power.post_id == actor.post_id)
    )
    if power is None or not mine or not actor.active:
        # Someone else's power reads as missing: no hint that the id exists.
        raise ServiceError("register.not_found")
    if power.status not in OPEN_STATUSES:
        raise ServiceError(f"register.power_is_{power.status}")
    return power


async def edit_power(
    session: AsyncSession, clock: Clock, *, actor: Person, power_id: int, field: str, value: str
) -> Power:
    """Change one field of an unconfirmed power; a returned power goes back to review."""
    if field not in EDITABLE:
        raise ServiceError("register.bad_field")
    power = await _own_open_power(session, actor, power_id)
    before = audit.snapshot(power, *_FIELDS)
    if field in TEXT_FIELDS:
        setattr(power, field, text_or_refuse(value, TEXT_FIELDS[field]))
    elif field == "scope":
        try:
            scope = PowerScope(value).value
        except ValueError:
            raise ServiceError("register.bad_scope") from None
        if power.category not in await categories_for(session, power.unit_id, scope):
            # The old category rarely exists in the other scope: the first one stands in.
            power.category = (await categories_for(session, power.unit_id, scope))[-1]
        power.scope = scope
    else:
        if value not in await categories_for(session, power.unit_id, power.scope):
            raise ServiceError("register.bad_category", value=value)
        power.category = value
    power.status = PowerStatus.SUBMITTED.value
    power.updated_at = clock.now()
    audit.record(
        session,
        clock,
        actor=actor,
        action="power.edit",
        entity=power,
        before=before,
        after=audit.snapshot(power, *_FIELDS),
    )
    await session.flush()
    return power


async def withdraw_power(
    session: AsyncSession, clock: Clock, *, actor: Person, power_id: int
) -> Power:
    power = await _own_open_power(session, actor, power_id)
    before = audit.snapshot(power, *_FIELDS)
    power.status = PowerStatus.WITHDRAWN.value
    power.updated_at = clock.now()
    audit.record(
        session,
        clock,
        actor=actor,
        action="power.withdraw",
        entity=power,
        before=before,
        after=audit.snapshot(power, *_FIELDS),
    )
    await session.flush()
    return power


async def review_power(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person,
    power_id: int,
    confirm: bool,
    comment: str | None = None,
    settings: Settings | None = None,
) -> Power:
    """A reviewer of the unit confirms (确权) or returns the power; the submitter is told."""
    power = await session.get(Power, power_id)
    if power is None:
        raise ServiceError("register.not_found")
    await require_reviewer_of(session, actor, power.unit_id)
    if power.created_by_id == actor.id:
        raise ServiceError("register.own_record")
    if power.status != PowerStatus.SUBMITTED.value:
        # Someone else decided first, or it was withdrawn: a stale button changes nothing.
        raise ServiceError(f"register.power_is_{power.status}")
    text = text_or_refuse(comment, COMMENT_MAX, required=not confirm) or None
    before = audit.snapshot(power, *_FIELDS, "review_comment")
    power.status = (PowerStatus.CONFIRMED if confirm else PowerStatus.RETURNED).value
    power.review_comment = text
    power.reviewed_by_id = actor.id
    power.reviewed_at = power.updated_at = clock.now()
    audit.record(
        session,
        clock,
        actor=actor,
        action="power.confirm" if confirm else "power.return",
        entity=power,
        before=before,
        after=audit.snapshot(power, *_FIELDS, "review_comment"),
    )
    submitter = await session.get(Person, power.created_by_id) if power.created_by_id else None
    if submitter is not None:
        await tell(
            session,
            [submitter],
            "register.notice.power_confirmed" if confirm else "register.notice.power_returned",
            clock=clock,
            settings=settings,
            skip=actor,
            name=power.name,
            comment=text or "",
        )
    await session.flush()
    return power
