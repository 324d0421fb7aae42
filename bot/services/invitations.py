"""Invitations: the commission invites staff; opening the link binds the account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.invitation_rules import (
    CODE_PATTERN,
    InvitationState,
    expiry,
    invitation_state,
    new_code,
)
from bot.domain.roles import Role, can_invite, parse_roles
from bot.domain.text_length import is_blank, utf16_len
from bot.services import audit
from bot.services.people import NAME_MAX, grant
from storage.affected import affected
from storage.models.invitation import Invitation
from storage.models.org import Person, Post, Unit


@dataclass(frozen=True)
class Accepted:
    person: Person
    invitation: Invitation


# Why a code is refused, by its state.
REFUSALS: dict[InvitationState, str] = {
    InvitationState.USED: "invite.code_used",
    InvitationState.EXPIRED: "invite.code_expired",
    InvitationState.UNKNOWN: "invite.code_unknown",
}


async def create_invitation(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person | None,
    unit: Unit,
    post: Post | None,
    roles: list[Role],
    name: str,
    ttl_days: int,
    channel: str = "bot",
) -> Invitation:
    """A new single-use invitation; `actor` None means the command line (trusted)."""
    if actor is not None and not can_invite(actor.roles):
        raise NotAllowed()
    name = "" if is_blank(name) else name.strip()
    if not name or utf16_len(name) > NAME_MAX:
        raise ServiceError("errors.name_length", limit=NAME_MAX)
    if not roles:
        raise ServiceError("invite.no_roles")
    if post is not None and post.unit_id != unit.id:
        raise ServiceError("invite.post_not_in_unit")
    now = clock.now()
    invitation = Invitation(
        code=new_code(),
        name=name,
        unit_id=unit.id,
        post_id=post.id if post else None,
        roles=",".join(role.value for role in roles),
        created_by_id=actor.id if actor else None,
        created_at=now,
        expires_at=expiry(now, ttl_days),
    )
    return await audit.record_new(
        session, clock, invitation, actor=actor, channel=channel, action="invitation.create",
        fields=("name", "unit_id", "post_id", "roles", "expires_at"),
    )  # fmt: skip


async def find_state(
    session: AsyncSession, clock: Clock, code: str
) -> tuple[Invitation | None, InvitationState]:
    invitation = None
    if CODE_PATTERN.match(code):
        invitation = await session.scalar(select(Invitation).where(Invitation.code == code))
    state = invitation_state(
        exists=invitation is not None,
        used_at=invitation.used_at if invitation else None,
        expires_at=invitation.expires_at if invitation else None,
        now=clock.now(),
    )
    return invitation, state


def is_bound(person: Person) -> bool:
    """Whether the account already is someone in the organisation (a unit, a post or a role)."""
    return bool(person.unit_id or person.post_id or person.roles)


async def accept_invitation(
    session: AsyncSession, clock: Clock, *, person: Person, code: str
) -> Accepted:
    """Bind `person` (already known by Telegram id) to the invitation's unit, post and roles."""
    invitation, state = await find_state(session, clock, code)
    if state is not InvitationState.VALID or invitation is None:
        raise ServiceError(REFUSALS.get(state, "invite.code_unknown"))
    if is_bound(person):
        # An invitation is for an account with no staff record yet: opening someone else's
        # link must not rename, move or promote a bound account (the code stays unused).
        raise ServiceError("invite.already_bound")
    # Claim the code atomically: a second tap racing this one finds it used.
    # A Core UPDATE of the table (not the ORM's bulk update, which would touch the loaded
    # object); a mapped class's __table__ is its Table, typed only as a FromClause.
    table = cast(Table, Invitation.__table__)
    claimed = await session.execute(
        table.update()
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=clock.now(), used_by_id=person.id)
    )
    if affected(claimed) != 1:
        raise ServiceError("invite.code_used")
    before = audit.snapshot(person, "name", "unit_id", "post_id") | {"roles": sorted(person.roles)}
    person.name = invitation.name
    person.unit_id = invitation.unit_id
    person.post_id = invitation.post_id
    unit = await session.get(Unit, invitation.unit_id)
    for role in parse_roles(invitation.roles):
        grant(person, role, unit)
    await session.flush()
    await session.refresh(invitation)
    after = audit.snapshot(person, "name", "unit_id", "post_id") | {"roles": sorted(person.roles)}
    audit.record(
        session,
        clock,
        actor=person,
        action="invitation.accept",
        entity=person,
        before=before,
        after=after,
    )
    return Accepted(person=person, invitation=invitation)
