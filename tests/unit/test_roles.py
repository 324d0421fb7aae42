"""Roles: parsing, authority checks, and the command table per role."""

from __future__ import annotations

import pytest

from bot.domain.commands import COMMANDS, commands_for
from bot.domain.roles import ASSIGNABLE_ROLES, Role, can_invite, is_citizen, parse_roles


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("staff", [Role.STAFF]),
        ("staff,reviewer", [Role.STAFF, Role.REVIEWER]),
        ("staff，reviewer", [Role.STAFF, Role.REVIEWER]),
        ("staff reviewer", [Role.STAFF, Role.REVIEWER]),
        (" Staff , ADMIN ", [Role.STAFF, Role.ADMIN]),
        ("leader,staff,leader", [Role.LEADER, Role.STAFF]),
        ("", []),
        (" , ", []),
    ],
)
def test_parse_roles(text: str, expected: list[Role]) -> None:
    assert parse_roles(text) == expected


@pytest.mark.parametrize("text", ["boss", "staff,boss", "citizen", "管理员"])
def test_parse_roles_refuses_unknown_names(text: str) -> None:
    with pytest.raises(ValueError, match="unknown role"):
        parse_roles(text)


def test_every_role_is_assignable() -> None:
    assert set(ASSIGNABLE_ROLES) == set(Role)


def test_only_admins_invite() -> None:
    assert can_invite([Role.ADMIN])
    assert can_invite({Role.STAFF, Role.ADMIN})
    for role in (Role.STAFF, Role.REVIEWER, Role.LEADER):
        assert not can_invite([role])
    assert not can_invite([])


def test_a_citizen_has_no_roles() -> None:
    assert is_citizen([])
    assert not is_citizen([Role.STAFF])


def _names(roles: set[Role]) -> list[str]:
    return [spec.name for spec in commands_for(roles)]


def test_citizens_get_the_open_commands_only() -> None:
    open_commands = [spec.name for spec in COMMANDS if spec.roles is None]
    assert _names(set()) == open_commands
    assert {"start", "help", "language", "cancel"} <= set(open_commands)
    assert "invite" not in open_commands


def test_admins_also_get_invite() -> None:
    assert "invite" in _names({Role.ADMIN})
    assert "invite" not in _names({Role.STAFF, Role.REVIEWER, Role.LEADER})


def test_commands_for_keeps_the_table_order_and_never_repeats() -> None:
    order = [spec.name for spec in COMMANDS]
    for roles in ({Role.ADMIN}, set(Role), {Role.STAFF}):
        names = _names(roles)
        assert names == [name for name in order if name in names]
        assert len(names) == len(set(names))


def test_holding_every_role_gives_every_command() -> None:
    assert _names(set(Role)) == [spec.name for spec in COMMANDS]


def test_command_names_fit_telegram() -> None:
    for spec in COMMANDS:
        assert spec.name.islower() and 1 <= len(spec.name) <= 32
        assert spec.name.replace("_", "").isalnum()
