"""When an invitation code may still be used: single use, limited lifetime."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.keys import N_

# Telegram's deep-link payload alphabet; we add a prefix-free random body.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class InvitationState(StrEnum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


# Why a code cannot be used, for the person who opened the link.
REFUSAL_KEYS: dict[InvitationState, str] = {
    InvitationState.USED: N_("invite.code_used"),
    InvitationState.EXPIRED: N_("invite.code_expired"),
    InvitationState.UNKNOWN: N_("invite.code_unknown"),
}


def new_code() -> str:
    """A random, unguessable code that fits a `?start=` payload."""
    return secrets.token_urlsafe(12)


def expiry(created_at: datetime, ttl_days: int) -> datetime:
    return created_at + timedelta(days=ttl_days)


def invitation_state(
    *, exists: bool, used_at: datetime | None, expires_at: datetime | None, now: datetime
) -> InvitationState:
    """Used beats expired: a person who used a code should hear that, not 'expired'."""
    if not exists or expires_at is None:
        return InvitationState.UNKNOWN
    if used_at is not None:
        return InvitationState.USED
    if now >= expires_at:
        return InvitationState.EXPIRED
    return InvitationState.VALID


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"
