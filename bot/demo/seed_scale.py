"""A register of the seed's shape, N times over: `python -m bot demo seed-scale --scale N`.

Each district gets exactly the seed report's figures (DOMAIN.md): 1,425 powers (1,232
external 对外行使, 193 internal 内部管理); 2,351 risk points (683 一级, 937 二级, 731 三级);
2,600 measures; leadership posts 50 risk points and 75 measures; 12 focus programmes; about
40 units (the district, two district offices, 12 bureaus with the seed's three pilots, 24
departments). Scale 100 is the province of the benchmark: 235,100 risk points.

Deterministic: the same scale, seed and day always write the same register. Rows go in with
bulk INSERTs (executemany, ids returned in order), so a province takes seconds, not hours.
The first district is 长安区: run over the demo organisation, it reuses the demo's units (by
path) and adds its posts beside the demo's, so the sandbox's leaders see the seed's numbers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.demo.bulk_insert import IDS, Ids, bulk
from bot.demo.seed_figures import (
    BUREAUS,
    DEPARTMENTS,
    FACTOR_FOR_LEVEL,
    FACTORS,
    FOCUS_PROGRAMMES,
    FOCUS_RISKS,
    GIVEN,
    LEADERSHIP_RISKS,
    ORDINARY_MEASURES,
    ORDINARY_POSTS,
    PERSON_TELEGRAM_BASE,
    POWERS_EXTERNAL,
    POWERS_INTERNAL,
    RISKS_BY_LEVEL,
    STATE_MIX,
    SURNAMES,
)
from bot.domain.register_rules import DEFAULT_CATEGORIES, RISK_TYPES
from bot.domain.risk_workflow import RiskState
from bot.domain.roles import Role
from storage.models.org import Person, Post, RoleAssignment, Unit
from storage.models.register import (
    ControlMeasure,
    MeasureReport,
    MeasureStatus,
    Power,
    PowerScope,
    PowerStatus,
    RiskPoint,
)


@dataclass(frozen=True)
class SeedScaleReport:
    districts: int
    units: int
    posts: int
    people: int
    powers: int
    risks: int
    measures: int


def district_name(index: int) -> str:
    return "长安区" if index == 0 else f"示范区{index + 1:03d}"


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


async def _unit(
    session: AsyncSession,
    existing: dict[str, int],
    path: str,
    parent: int | None,
    kind: str,
    pilot: bool = False,
) -> int:
    if path in existing:
        return existing[path]
    (unit_id,) = await bulk(
        session,
        Unit,
        [
            {
                "name": path.rsplit("/", 1)[-1],
                "parent_id": parent,
                "kind": kind,
                "is_pilot": pilot,
                "path": path,
            }
        ],
    )
    existing[path] = unit_id
    return unit_id


@dataclass
class _PostSlot:
    post_id: int
    unit_id: int
    leadership: bool
    holder: str


async def generate(
    session: AsyncSession, *, scale: int = 1, seed: int = 2026, today: date
) -> SeedScaleReport:
    """Write `scale` districts of the seed's shape; the caller commits."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    rng = random.Random(seed)
    ids = Ids()
    token = IDS.set(ids)
    try:
        report = await _generate(session, rng, scale, today)
        await ids.sync_sequences(session)
    finally:
        IDS.reset(token)
    return report


async def _generate(
    session: AsyncSession, rng: random.Random, scale: int, today: date
) -> SeedScaleReport:
    now = datetime.combine(today, time(2, 0), tzinfo=UTC)
    existing = {path: uid for uid, path in await session.execute(select(Unit.id, Unit.path))}
    taken_posts = {
        (unit_id, name) for unit_id, name in await session.execute(select(Post.unit_id, Post.name))
    }
    counts = {"units": 0, "posts": 0, "people": 0, "powers": 0, "risks": 0, "measures": 0}
    person_seq = 0
    for index in range(scale):
        before = len(existing)
        slots, leaders = await _organisation(session, existing, taken_posts, index)
        counts["units"] += len(existing) - before
        counts["posts"] += len(slots)
        person_rows = []
        # Only leaders have a (made-up) Telegram account: they receive digests; everyone
        # else is "not yet bound", so reminder scans over the data set queue nothing.
        leading = {i for i, _ in leaders}
        for number, slot in enumerate(slots):
            person_seq += 1
            slot.holder = _person_name(rng)
            person_rows.append(
                {
                    "name": slot.holder,
                    "unit_id": slot.unit_id,
                    "post_id": slot.post_id,
                    "telegram_id": PERSON_TELEGRAM_BASE + person_seq
                    if number in leading
                    else None,
                    "active": True,
                    "unreachable": False,
                    "created_at": now,
                }
            )
        person_ids = await bulk(session, Person, person_rows)
        roles = [
            {"person_id": pid, "role": Role.STAFF.value, "unit_id": s.unit_id}
            for pid, s in zip(person_ids, slots, strict=True)
        ]
        roles += [
            {"person_id": person_ids[i], "role": Role.LEADER.value, "unit_id": unit_id}
            for i, unit_id in leaders
        ]
        await bulk(session, RoleAssignment, roles)
        counts["people"] += len(person_ids)
        holders = {s.post_id: pid for s, pid in zip(slots, person_ids, strict=True)}
        counts["powers"] += await _powers(session, rng, slots, now)
        risks, measures = await _risks(session, rng, slots, holders, now, today)
        counts["risks"] += risks
        counts["measures"] += measures
    return SeedScaleReport(scale, **counts)


async def _organisation(
    session: AsyncSession, existing: dict[str, int], taken: set[tuple[int, str]], index: int
) -> tuple[list[_PostSlot], list[tuple[int, int]]]:
    """The district's units and new posts; leaders as (slot index, unit they lead)."""
    root_path = district_name(index)
    root = await _unit(session, existing, root_path, None, "district")
    await _unit(session, existing, f"{root_path}/区纪委", root, "bureau")
    office = await _unit(session, existing, f"{root_path}/区委区政府", root, "bureau")
    plan: list[tuple[int, str, bool]] = [(office, "常务副区长", True), (office, "副区长", True)]
    for bureau_name, pilot in BUREAUS:
        bureau_path = f"{root_path}/{bureau_name}"
        bureau = await _unit(session, existing, bureau_path, root, "bureau", pilot)
        plan += [(bureau, "主要负责人", True), (bureau, "分管副职", True)]
        for department in DEPARTMENTS:
            dept = await _unit(
                session, existing, f"{bureau_path}/{department}", bureau, "department"
            )
            plan += [(dept, name, False) for name in ORDINARY_POSTS]
    plan = [p for p in plan if (p[0], p[1]) not in taken]
    ids = await bulk(
        session, Post, [{"unit_id": u, "name": n, "is_leadership": lead} for u, n, lead in plan]
    )
    taken.update((u, n) for u, n, _ in plan)
    slots = [_PostSlot(pid, u, lead, "") for pid, (u, _n, lead) in zip(ids, plan, strict=True)]
    # The first post of each bureau (主要负责人) leads it; the office's first leads the district.
    leaders = [(i, s.unit_id) for i, s in enumerate(slots) if plan[i][1] == "主要负责人"]
    leaders += [(i, root) for i, s in enumerate(slots) if plan[i][1] == "常务副区长"]
    return slots, leaders


def _spread(total: int, slots: list[_PostSlot], rng: random.Random) -> list[_PostSlot]:
    """`total` picks among `slots`, every slot at least once when there are enough."""
    picks = list(slots) * (total // len(slots)) if slots else []
    picks += rng.sample(slots, total - len(picks)) if len(picks) < total else []
    rng.shuffle(picks)
    return picks[:total]


async def _powers(
    session: AsyncSession, rng: random.Random, slots: list[_PostSlot], now: datetime
) -> int:
    # Every 9th ordinary post has inventoried nothing yet: coverage below 100%.
    active = [s for i, s in enumerate(slots) if s.leadership or i % 9 != 4]
    rows: list[dict[str, object]] = []
    for count, scope in (
        (POWERS_EXTERNAL, PowerScope.EXTERNAL),
        (POWERS_INTERNAL, PowerScope.INTERNAL),
    ):
        categories = DEFAULT_CATEGORIES[scope.value]
        for n, slot in enumerate(_spread(count, active, rng)):
            rows.append(
                {
                    "unit_id": slot.unit_id,
                    "post_id": slot.post_id,
                    # Numbered across both scopes: a post's powers never share a name.
                    "name": f"职权{len(rows) + 1:04d}",
                    "content": "",
                    "subject": "",
                    "legal_basis": "",
                    "category": categories[n % len(categories)],
                    "scope": scope.value,
                    "status": PowerStatus.CONFIRMED.value
                    if n % 10
                    else PowerStatus.SUBMITTED.value,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    await bulk(session, Power, rows)
    return len(rows)


def _state(rng: random.Random) -> RiskState:
    roll, edge = rng.random(), 0.0
    for state, share in STATE_MIX:
        edge += share
        if roll < edge:
            return state
    return RiskState.PUBLICISED


async def _risks(
    session: AsyncSession,
    rng: random.Random,
    slots: list[_PostSlot],
    holders: dict[int, int],
    now: datetime,
    today: date,
) -> tuple[int, int]:
    levels = [lvl for lvl, n in RISKS_BY_LEVEL.items() for _ in range(n)]
    rng.shuffle(levels)
    leadership = [s for s in slots if s.leadership]
    ordinary = [s for i, s in enumerate(slots) if not s.leadership and i % 9 != 4]
    ordinary_count = len(levels) - LEADERSHIP_RISKS
    posts = _spread(LEADERSHIP_RISKS, leadership, rng) + _spread(ordinary_count, ordinary, rng)
    # Focus-programme risks are at least 二级 (the grading rule), so never a 三级 one.
    eligible = [i for i in range(LEADERSHIP_RISKS, len(levels)) if levels[i] < 3]
    focus = set(rng.sample(eligible, FOCUS_RISKS))
    rows = []
    for n, (slot, level) in enumerate(zip(posts, levels, strict=True)):
        state = RiskState.PUBLICISED if slot.leadership else _state(rng)
        final = state in (RiskState.APPROVED, RiskState.PUBLICISED)
        moved = now - timedelta(days=rng.randint(0, 20))
        rows.append(
            {
                "post_id": slot.post_id,
                "description": f"风险点{n + 1:04d}",
                "risk_type": RISK_TYPES[n % len(RISK_TYPES)],
                "focus_programme": FOCUS_PROGRAMMES[n % len(FOCUS_PROGRAMMES)]
                if n in focus
                else None,
                **dict.fromkeys(FACTORS, FACTOR_FOR_LEVEL[level]),
                "suggested_level": level,
                "level": level if final else None,
                "status": state.value,
                "origin": "bottom_up",
                "created_by_id": holders[slot.post_id],
                "created_at": moved,
                "updated_at": moved,
            }
        )
    risk_ids = await bulk(session, RiskPoint, rows)
    # Leadership: 25 risk points with two measures and 25 with one (75); ordinary: 224 with two.
    per_risk = [2 if i < 25 else 1 for i in range(LEADERSHIP_RISKS)]
    extra = set(rng.sample(range(ordinary_count), ORDINARY_MEASURES - ordinary_count))
    per_risk += [2 if i in extra else 1 for i in range(ordinary_count)]
    measures, reports_for = [], []
    for risk_id, slot, times in zip(risk_ids, posts, per_risk, strict=True):
        for _ in range(times):
            roll = rng.random()
            if roll < 0.55:  # done, mostly by the deadline
                deadline = today - timedelta(days=rng.randint(5, 90))
                late = rng.random() < 0.1
                finished = deadline + timedelta(days=3) if late else deadline - timedelta(days=2)
                status, updated = MeasureStatus.DONE, datetime.combine(finished, time(3), UTC)
            elif roll < 0.87:  # open: due later
                deadline = today + timedelta(days=rng.randint(0, 120))
                status, updated = MeasureStatus.IN_PROGRESS, now
            else:  # overdue
                deadline = today - timedelta(days=rng.randint(1, 60))
                status, updated = MeasureStatus.PLANNED, now
            measures.append(
                {
                    "risk_id": risk_id,
                    "action": "落实防控措施",
                    "responsible_id": holders[slot.post_id],
                    "responsible_name": slot.holder,
                    "deadline": deadline,
                    "status": status.value,
                    "created_at": now,
                    "updated_at": updated,
                }
            )
            reports_for.append(status is MeasureStatus.IN_PROGRESS and rng.random() < 0.5)
    measure_ids = await bulk(session, ControlMeasure, measures)
    reports = [
        {"measure_id": mid, "reporter_id": None, "status": "in_progress", "note": "", "at": now}
        for mid, report in zip(measure_ids, reports_for, strict=True)
        if report
    ]
    await bulk(session, MeasureReport, reports)
    return len(rows), len(measures)
