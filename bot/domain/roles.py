"""Roles and what each may do: the authority rules, free of any Telegram detail."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from bot.domain.keys import N_


class Role(StrEnum):
    """A person's roles; a person without any is a citizen (群众)."""

    STAFF = "staff"  # 工作人员
    REVIEWER = "reviewer"  # 审核人
    ADMIN = "admin"  # 纪委 (commission)
    LEADER = "leader"  # 领导


# What a role is called, in the reader's language.
ROLE_KEYS: dict[Role, str] = {
    Role.STAFF: N_("roles.staff"),
    Role.REVIEWER: N_("roles.reviewer"),
    Role.ADMIN: N_("roles.admin"),
    Role.LEADER: N_("roles.leader"),
}

ASSIGNABLE_ROLES: tuple[Role, ...] = (Role.STAFF, Role.REVIEWER, Role.LEADER, Role.ADMIN)


def parse_roles(text: str) -> list[Role]:
    """Parse `staff,reviewer` (commas, Chinese commas or spaces); unknown names are refused."""
    names = [part.strip().lower() for part in text.replace("，", ",").replace(" ", ",").split(",")]
    roles: list[Role] = []
    for name in filter(None, names):
        try:
            role = Role(name)
        except ValueError as exc:
            raise ValueError(f"unknown role: {name}") from exc
        if role not in roles:
            roles.append(role)
    return roles


def can_invite(roles: Iterable[Role]) -> bool:
    """Only the commission issues invitations."""
    return Role.ADMIN in set(roles)


def is_citizen(roles: Iterable[Role]) -> bool:
    return not set(roles)
