"""Changing the power inventory (清权确权): add, edit, withdraw, and the reviewer's decision.

"Whoever exercises it, inventories it" (谁行使、谁清理): a staff member adds the powers of their
own post; while a power is not yet confirmed its submitter may edit a field or withdraw it;
a reviewer of the unit confirms it or returns it with a comment, and the submitter is told.

A power's status moves only through `move_power()`, checked against `POWER_MOVES`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.domain.register_rules import (
    COMMENT_MAX,
    CONTENT_MAX,
    LEGAL_BASIS_MAX,
    NAME_MAX,
    SUBJECT_MAX,
)
from bot.i18n import N_
from bot.services import audit
from bot.services.powers.categories import categories_for
from bot.services.powers.common import EDITABLE, FIELDS, TEXT_FIELDS, PowerDraft, text_or_refuse
from bot.services.register_access import require_post, require_reviewer_of, tell
from bot.services.review.power_notice import tell_power_submitted
from bot.settings import Settings
from storage.models.org import Person, Post
from storage.models.register import Power, PowerScope, PowerStatus

P = PowerStatus
# The life of a power: (action, from) → to. A move not here is refused, saying where the
# power stands (also what a stale button or a second reviewer meets).
POWER_MOVES: dict[tuple[str, PowerStatus], PowerStatus] = {
    ("edit", P.SUBMITTED): P.SUBMITTED,
    ("edit", P.RETURNED): P.SUBMITTED,  # a returned power goes back to review
    ("withdraw", P.SUBMITTED): P.WITHDRAWN,
    ("withdraw", P.RETURNED): P.WITHDRAWN,
    ("confirm", P.SUBMITTED): P.CONFIRMED,
    ("return", P.SUBMITTED): P.RETURNED,
}
# Why a move is refused, by where the power stands.
STANDS: dict[PowerStatus, str] = {
    P.SUBMITTED: N_("register.power_is_submitted"),
    P.CONFIRMED: N_("register.power_is_confirmed"),
    P.RETURNED: N_("register.power_is_returned"),
    P.WITHDRAWN: N_("register.power_is_withdrawn"),
}


def check_power_move(power: Power, action: str) -> PowerStatus:
    """Where `action` takes the power, or a refusal saying where it stands."""
    status = PowerStatus(power.status)
    target = POWER_MOVES.get((action, status))
    if target is None:
        raise ServiceError(STANDS[status])
    return target


def move_power(
    session: AsyncSession,
    clock: Clock,
    power: Power,
    action: str,
    *,
    actor: Person,
    change: Callable[[], None] = lambda: None,
    extra: tuple[str, ...] = (),
) -> None:
    """The one write path of a power: check the move, snapshot, apply `change`, set the
    status, audit `power.<action>` with before and after (`extra`: more fields to keep)."""
    target = check_power_move(power, action)
    before = audit.snapshot(power, *FIELDS, *extra)
    change()
    power.status = target.value
    power.updated_at = clock.now()
    audit.record(
        session,
        clock,
        actor=actor,
        action=f"power.{action}",
        entity=power,
        before=before,
        after=audit.snapshot(power, *FIELDS, *extra),
    )


async def add_power(
    session: AsyncSession, clock: Clock, *, actor: Person, draft: PowerDraft, settings: Settings
) -> Power:
    """Inventory a power of the actor's own post; it is saved as *submitted* for review, and
    its reviewers are told (in the same transaction)."""
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
    await audit.record_new(session, clock, power, actor=actor, action="power.add", fields=FIELDS)
    await tell_power_submitted(session, clock, power, settings)
    return power


def _scope(value: str) -> str:
    try:
        return PowerScope(value).value
    except ValueError:
        raise ServiceError("register.bad_scope") from None


async def _validated(session: AsyncSession, unit_id: int, draft: PowerDraft) -> dict[str, str]:
    values = {
        "name": text_or_refuse(draft.name, NAME_MAX),
        "content": text_or_refuse(draft.content, CONTENT_MAX),
        "subject": text_or_refuse(draft.subject, SUBJECT_MAX),
        "legal_basis": text_or_refuse(draft.legal_basis, LEGAL_BASIS_MAX),
    }
    scope = _scope(draft.scope)
    if draft.category not in await categories_for(session, unit_id, scope):
        raise ServiceError("register.bad_category", value=draft.category)
    return values | {"scope": scope, "category": draft.category}


async def _own_power(session: AsyncSession, actor: Person, power_id: int, action: str) -> Power:
    """The actor's own power, which `action` may still change."""
    power = await session.get(Power, power_id)
    mine = power is not None and (
        power.created_by_id == actor.id
        or (power.post_id is not None and power.post_id == actor.post_id)
    )
    if power is None or not mine or not actor.active:
        # Someone else's power reads as missing: no hint that the id exists.
        raise ServiceError("register.not_found")
    check_power_move(power, action)
    return power


async def edit_power(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person,
    power_id: int,
    field: str,
    value: str,
    settings: Settings,
) -> Power:
    """Change one field of an unconfirmed power; a returned power goes back to review, and
    its reviewers are told again, as of a first submission (in the same transaction)."""
    if field not in EDITABLE:
        raise ServiceError("register.bad_field")
    power = await _own_power(session, actor, power_id, "edit")
    was_returned = power.status == PowerStatus.RETURNED.value
    await _change_field(session, clock, actor, power, field, value)
    if was_returned and power.status == PowerStatus.SUBMITTED.value:
        await tell_power_submitted(session, clock, power, settings)
    return power


async def _change_field(
    session: AsyncSession, clock: Clock, actor: Person, power: Power, field: str, value: str
) -> None:
    """One field of `power` changed through the power's workflow ("edit")."""
    if field in TEXT_FIELDS:
        text = text_or_refuse(value, TEXT_FIELDS[field])
        move_power(session, clock, power, "edit", actor=actor,
                   change=lambda: setattr(power, field, text))  # fmt: skip
    elif field == "scope":
        scope = _scope(value)
        category = power.category
        if category not in await categories_for(session, power.unit_id, scope):
            # The old category rarely exists in the other scope: the last one stands in.
            category = (await categories_for(session, power.unit_id, scope))[-1]

        def rescope() -> None:
            power.category, power.scope = category, scope

        move_power(session, clock, power, "edit", actor=actor, change=rescope)
    else:
        if value not in await categories_for(session, power.unit_id, power.scope):
            raise ServiceError("register.bad_category", value=value)
        move_power(session, clock, power, "edit", actor=actor,
                   change=lambda: setattr(power, "category", value))  # fmt: skip


async def withdraw_power(
    session: AsyncSession, clock: Clock, *, actor: Person, power_id: int
) -> Power:
    power = await _own_power(session, actor, power_id, "withdraw")
    move_power(session, clock, power, "withdraw", actor=actor)
    return power


async def review_power(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person,
    power_id: int,
    confirm: bool,
    comment: str | None = None,
    settings: Settings,
) -> Power:
    """A reviewer of the unit confirms (确权) or returns the power; the submitter is told."""
    power = await session.get(Power, power_id)
    if power is None:
        raise ServiceError("register.not_found")
    await require_reviewer_of(session, actor, power.unit_id)
    if power.created_by_id == actor.id:
        raise ServiceError("register.own_record")
    action = "confirm" if confirm else "return"
    # Someone else decided first, or it was withdrawn: a stale button changes nothing.
    check_power_move(power, action)
    text = text_or_refuse(comment, COMMENT_MAX, required=not confirm) or None

    def decide() -> None:
        power.review_comment = text
        power.reviewed_by_id = actor.id
        power.reviewed_at = clock.now()

    move_power(
        session, clock, power, action, actor=actor, change=decide, extra=("review_comment",)
    )
    submitter = await session.get(Person, power.created_by_id) if power.created_by_id else None
    if submitter is not None:
        await tell(
            session,
            [submitter],
            N_("register.notice.power_confirmed")
            if confirm
            else N_("register.notice.power_returned"),
            clock=clock,
            settings=settings,
            skip=actor,
            name=power.name,
            comment=text or "",
        )
    return power
