"""Graded management: routing by level up the unit chain, and who may act on a routed step."""

from __future__ import annotations

import pytest

from bot.domain.review_routing import (
    COMMISSION_ROUTE,
    DEFAULT_APPROVAL_TIERS,
    DEFAULT_REVIEW_TIERS,
    Route,
    Tier,
    UnitRef,
    may_act,
    route,
    route_for_level,
    tier_for_level,
)

DISTRICT = UnitRef(1, "district")
HEALTH = UnitRef(2, "bureau")  # 卫生局
MEDICAL = UnitRef(3, "department")  # 医政科
EDUCATION = UnitRef(4, "bureau")  # 教育局
CHAIN = [MEDICAL, HEALTH, DISTRICT]  # a post in 医政科
BUREAU_CHAIN = [HEALTH, DISTRICT]  # a post sitting directly in 卫生局
ALL_REVIEWERS = {DISTRICT.id, HEALTH.id, MEDICAL.id, EDUCATION.id}


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (3, Route(Tier.DEPARTMENT, MEDICAL.id)),
        (2, Route(Tier.BUREAU, HEALTH.id)),
        (1, COMMISSION_ROUTE),
    ],
)
def test_default_review_routing(level: int, expected: Route) -> None:
    assert route_for_level(level, DEFAULT_REVIEW_TIERS, CHAIN, ALL_REVIEWERS) == expected


def test_approval_defaults_to_the_units_party_organisation_below_level_1() -> None:
    assert route_for_level(3, DEFAULT_APPROVAL_TIERS, CHAIN, ALL_REVIEWERS) == Route(
        Tier.BUREAU, HEALTH.id
    )
    assert route_for_level(1, DEFAULT_APPROVAL_TIERS, CHAIN, ALL_REVIEWERS) == COMMISSION_ROUTE


def test_a_missing_tier_falls_to_the_next_tier_up() -> None:
    # No department reviewer: the bureau answers for level 3.
    assert route(Tier.DEPARTMENT, CHAIN, {HEALTH.id}) == Route(Tier.BUREAU, HEALTH.id)
    # A post directly in the bureau: level 3 goes to the bureau.
    assert route(Tier.DEPARTMENT, BUREAU_CHAIN, ALL_REVIEWERS) == Route(Tier.BUREAU, HEALTH.id)
    # No reviewer anywhere on the chain: the commission.
    assert route(Tier.BUREAU, CHAIN, {EDUCATION.id}) == COMMISSION_ROUTE
    # District reviewer only.
    assert route(Tier.BUREAU, CHAIN, {DISTRICT.id}) == Route(Tier.DISTRICT, DISTRICT.id)


def test_never_routed_down_a_tier() -> None:
    # Level 2 must not land on the department even if only it has a reviewer.
    assert route(Tier.BUREAU, CHAIN, {MEDICAL.id}) == COMMISSION_ROUTE


def test_routing_is_configurable() -> None:
    table = {1: "district", 2: "department", 3: "department"}
    assert route_for_level(2, table, CHAIN, ALL_REVIEWERS) == Route(Tier.DEPARTMENT, MEDICAL.id)
    assert route_for_level(1, table, CHAIN, ALL_REVIEWERS) == Route(Tier.DISTRICT, DISTRICT.id)
    with pytest.raises(ValueError):
        tier_for_level(4, table)


def test_who_may_act_on_a_routed_step() -> None:
    department_step = Route(Tier.DEPARTMENT, MEDICAL.id)
    bureau_step = Route(Tier.BUREAU, HEALTH.id)
    assert may_act(department_step, CHAIN, {MEDICAL.id}, is_commission=False)
    assert may_act(department_step, CHAIN, {HEALTH.id}, is_commission=False)  # higher tier
    assert not may_act(department_step, CHAIN, {EDUCATION.id}, is_commission=False)  # elsewhere
    assert not may_act(bureau_step, CHAIN, {MEDICAL.id}, is_commission=False)  # lower tier
    assert not may_act(COMMISSION_ROUTE, CHAIN, {HEALTH.id, DISTRICT.id}, is_commission=False)
    assert may_act(COMMISSION_ROUTE, CHAIN, set(), is_commission=True)
    assert may_act(bureau_step, CHAIN, set(), is_commission=True)
    assert not may_act(bureau_step, CHAIN, set(), is_commission=False)


def test_the_tier_above_a_department_is_its_bureau_then_the_commission() -> None:
    from bot.domain.review_routing import COMMISSION_ROUTE, Route, Tier, route_above

    chain = [UnitRef(3, "department"), UnitRef(2, "bureau"), UnitRef(1, "district")]
    assert route_above(Route(Tier.DEPARTMENT, 3), chain, {3, 2}) == Route(Tier.BUREAU, 2)
    assert route_above(Route(Tier.DEPARTMENT, 3), chain, {3}) == COMMISSION_ROUTE
    assert route_above(Route(Tier.BUREAU, 2), chain, {3, 2}) == COMMISSION_ROUTE
    assert route_above(COMMISSION_ROUTE, chain, {3, 2}) is None
