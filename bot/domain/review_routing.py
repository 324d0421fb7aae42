"""Graded management (分级管理、分级负责): which tier reviews and approves a risk of a level.

Defaults (configurable in settings, `review_tier_by_level` / `approval_tier_by_level`):

=====  ===========================================  ===========================================
level  graded review (分级评审)                      organisational approval (组织审定)
=====  ===========================================  ===========================================
一级    the commission (纪委)                         the commission
二级    the unit's (bureau's) party organisation     the unit's party organisation
三级    the department's reviewer                    the unit's party organisation
=====  ===========================================  ===========================================

A tier is found by walking up the risk's post's unit chain (department → bureau → district)
to the first unit *at or above* the wanted tier that has a reviewer; a post sitting directly
in a bureau therefore has its level-3 risks reviewed by the bureau. When no unit on the way
has a reviewer the commission answers for it, so nothing is ever routed to nobody.

Who may act on a routed step: the commission always; a reviewer whose scope is the routed
unit, or a unit above it on the chain (a higher tier answers for its subtree and may stand
in); never a reviewer of a lower tier or of another branch of the tree.

Pure: the caller passes the chain and the reviewers' scopes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Tier(StrEnum):
    """A reviewing tier, from the bottom up; the first three are `Unit.kind` values."""

    DEPARTMENT = "department"
    BUREAU = "bureau"
    DISTRICT = "district"
    COMMISSION = "commission"


_RANK: dict[Tier, int] = {tier: rank for rank, tier in enumerate(Tier)}

DEFAULT_REVIEW_TIERS: dict[int, str] = {1: "commission", 2: "bureau", 3: "department"}
DEFAULT_APPROVAL_TIERS: dict[int, str] = {1: "commission", 2: "bureau", 3: "bureau"}


@dataclass(frozen=True)
class UnitRef:
    """A unit on a chain: its id and kind (department / bureau / district)."""

    id: int
    kind: str


@dataclass(frozen=True)
class Route:
    """Where a step goes: a unit's reviewers, or the commission (`unit_id` None)."""

    tier: Tier
    unit_id: int | None = None

    @property
    def is_commission(self) -> bool:
        return self.tier is Tier.COMMISSION


COMMISSION_ROUTE = Route(Tier.COMMISSION)


def tier_of(kind: str) -> Tier:
    """The tier of a unit kind; unknown kinds count as bureau, the usual middle tier."""
    try:
        return Tier(kind)
    except ValueError:
        return Tier.BUREAU


def tier_for_level(level: int, table: Mapping[int, str]) -> Tier:
    """The configured tier for a level (1/2/3)."""
    try:
        return Tier(table[level])
    except KeyError as exc:
        raise ValueError(f"no tier configured for level {level}") from exc


def route(tier: Tier, chain: Sequence[UnitRef], reviewer_units: Collection[int]) -> Route:
    """The unit that handles a step at `tier` for a post whose unit chain is `chain`.

    `chain` runs from the post's own unit up to the root; `reviewer_units` are the ids of
    units with at least one active reviewer scoped to them.
    """
    if tier is Tier.COMMISSION:
        return COMMISSION_ROUTE
    wanted = _RANK[tier]
    for unit in chain:
        if _RANK[tier_of(unit.kind)] >= wanted and unit.id in reviewer_units:
            return Route(tier_of(unit.kind), unit.id)
    return COMMISSION_ROUTE


def route_for_level(
    level: int,
    table: Mapping[int, str],
    chain: Sequence[UnitRef],
    reviewer_units: Collection[int],
) -> Route:
    """`route()` for the tier the configuration gives `level`."""
    return route(tier_for_level(level, table), chain, reviewer_units)


def may_act(
    routed: Route,
    chain: Sequence[UnitRef],
    scopes: Collection[int],
    *,
    is_commission: bool,
) -> bool:
    """Whether someone may act on a step routed to `routed`.

    `scopes` are the unit ids of the person's reviewer role assignments. The commission acts
    on everything; a reviewer acts on a step routed to their unit or to a unit below theirs
    on the same chain.
    """
    if is_commission:
        return True
    if routed.is_commission or routed.unit_id is None:
        return False
    ids = [unit.id for unit in chain]
    if routed.unit_id not in ids:
        return False
    at_or_above = ids[ids.index(routed.unit_id) :]
    return any(scope in at_or_above for scope in scopes)


def in_scope(chain: Sequence[UnitRef], scopes: Collection[int]) -> bool:
    """Whether a unit (given by its chain) lies in any of the reviewer scopes' subtrees."""
    return any(unit.id in scopes for unit in chain)


def route_above(
    routed: Route, chain: Sequence[UnitRef], reviewer_units: Collection[int]
) -> Route | None:
    """The tier above a routed step on the same chain (the next unit up with a reviewer, else
    the commission); None when the step is already with the commission (预警 ladders)."""
    if routed.is_commission or routed.unit_id is None:
        return None
    ids = [unit.id for unit in chain]
    if routed.unit_id not in ids:
        return COMMISSION_ROUTE
    for unit in chain[ids.index(routed.unit_id) + 1 :]:
        if unit.id in reviewer_units:
            return Route(tier_of(unit.kind), unit.id)
    return COMMISSION_ROUTE
