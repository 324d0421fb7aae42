"""Which commands each person sees: one table drives /help and the Telegram command menu."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.roles import Role


@dataclass(frozen=True)
class CommandSpec:
    name: str
    description_key: str  # a catalog key; the short line in the menu and in /help
    roles: frozenset[Role] | None = None  # None: everyone, citizens included


def _for(*roles: Role) -> frozenset[Role]:
    return frozenset(roles)


# Order is the order shown. Each later feature adds its commands here.
COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", "commands.start"),
    CommandSpec("help", "commands.help"),
    CommandSpec("publicity", "commands.publicity"),  # citizens browse; the commission opens
    CommandSpec("subscribe", "commands.subscribe"),
    CommandSpec("invite", "commands.invite", _for(Role.ADMIN)),
    CommandSpec("powers", "commands.powers", _for(Role.STAFF, Role.LEADER)),
    CommandSpec("risks", "commands.risks", _for(Role.STAFF, Role.LEADER)),
    CommandSpec("measures", "commands.measures", _for(Role.STAFF, Role.LEADER)),
    CommandSpec("peer", "commands.peer", _for(Role.STAFF, Role.LEADER)),
    CommandSpec("powerreview", "commands.powerreview", _for(Role.REVIEWER, Role.ADMIN)),
    CommandSpec("propose", "commands.propose", _for(Role.REVIEWER, Role.ADMIN)),
    CommandSpec("export", "commands.export", _for(Role.REVIEWER, Role.ADMIN)),
    CommandSpec("review", "commands.review", _for(Role.REVIEWER, Role.ADMIN)),
    CommandSpec(
        "history", "commands.history", _for(Role.STAFF, Role.LEADER, Role.REVIEWER, Role.ADMIN)
    ),
    CommandSpec(
        "rules", "commands.rules", _for(Role.STAFF, Role.LEADER, Role.REVIEWER, Role.ADMIN)
    ),
    CommandSpec("overview", "commands.overview", _for(Role.LEADER, Role.REVIEWER, Role.ADMIN)),
    CommandSpec("digest", "commands.digest", _for(Role.LEADER, Role.REVIEWER, Role.ADMIN)),
    CommandSpec("categories", "commands.categories", _for(Role.ADMIN)),
    CommandSpec("broadcast", "commands.broadcast", _for(Role.ADMIN)),
    CommandSpec("campaign", "commands.campaign", _for(Role.ADMIN)),
    CommandSpec("unreachable", "commands.unreachable", _for(Role.ADMIN)),
    CommandSpec("feedback", "commands.feedback", _for(Role.REVIEWER, Role.ADMIN)),
    CommandSpec("track", "commands.track"),
    CommandSpec("mine", "commands.mine"),
    CommandSpec("assessment", "commands.assessment", _for(Role.ADMIN)),
    CommandSpec("report", "commands.report", _for(Role.LEADER, Role.ADMIN)),
    CommandSpec("language", "commands.language"),
    CommandSpec("cancel", "commands.cancel"),
)


def commands_for(roles: Iterable[Role]) -> list[CommandSpec]:
    """The commands a person holding `roles` may use."""
    held = set(roles)
    return [spec for spec in COMMANDS if spec.roles is None or spec.roles & held]
