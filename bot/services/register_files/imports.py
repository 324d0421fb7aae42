"""The register in: powers and risk points from files, every row validated first; nothing is
written when any row is bad. Rows of one risk point are consecutive rows with the same unit,
post, power and description."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.grading import FACTORS
from bot.domain.register_rules import (
    CONTENT_MAX,
    DESCRIPTION_MAX,
    LEGAL_BASIS_MAX,
    MEASURE_MAX,
    NAME_MAX,
    RESPONSIBLE_MAX,
    RISK_TYPES,
    SUBJECT_MAX,
    DateRefused,
    parse_date,
)
from bot.domain.risk_workflow import RiskState
from bot.services import audit
from bot.services.org_import import ImportRejected, Problem
from bot.services.powers import categories_for
from bot.services.register_files.columns import (
    LEVEL_NAMES,
    MEASURE_STATUS_NAMES,
    POWER_COLUMNS,
    POWER_STATUS_NAMES,
    RISK_COLUMNS,
    RISK_TYPE_NAMES,
    SCOPE_ALIASES,
    STATUS_ALIASES,
    _reverse,
    state_name,
)
from bot.services.tabular import Row, read_table
from storage.models.org import Person, Post, Unit
from storage.models.register import (
    ControlMeasure,
    MeasureStatus,
    Origin,
    Power,
    PowerStatus,
    RiskPoint,
)
from storage.repositories import org as org_repo


@dataclass
class FileReport:
    created: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)


def _too_long(row: Row, name: str, limit: int, problems: list[Problem]) -> None:
    if len(row.values.get(name, "")) > limit:
        problems.append(Problem(row.number, "import.too_long", {"limit": limit}))


async def _unit_post(
    session: AsyncSession, row: Row, problems: list[Problem], *, post_required: bool
) -> tuple[Unit | None, Post | None]:
    path = "/".join(
        p.strip() for p in row.values.get("unit", "").replace("／", "/").split("/") if p.strip()
    )
    unit = await org_repo.unit_by_path(session, path) if path else None
    if unit is None:
        problems.append(
            Problem(row.number, "import.unknown_unit", {"value": row.values.get("unit", "")})
        )
        return None, None
    name = row.values.get("post", "")
    if not name:
        if post_required:
            problems.append(Problem(row.number, "import.post_missing"))
        return unit, None
    post = await org_repo.post_by_name(session, unit.id, name)
    if post is None:
        problems.append(Problem(row.number, "import.unknown_post", {"value": name}))
    return unit, post


async def import_powers(session: AsyncSession, clock: Clock, path: Path) -> FileReport:
    """Powers from a file; a power already there (same unit, post and name) is left alone."""
    rows = read_table(path, POWER_COLUMNS)
    problems: list[Problem] = []
    checked: list[tuple[Row, Unit, Post | None, str, str]] = []
    for row in rows:
        unit, post = await _unit_post(session, row, problems, post_required=False)
        if not row.values.get("name"):
            problems.append(Problem(row.number, "import.power_name_missing"))
        for name, limit in (
            ("name", NAME_MAX),
            ("content", CONTENT_MAX),
            ("subject", SUBJECT_MAX),
            ("legal_basis", LEGAL_BASIS_MAX),
        ):
            _too_long(row, name, limit, problems)
        scope = SCOPE_ALIASES.get(row.values.get("scope", "").strip().lower())
        if scope is None:
            problems.append(
                Problem(row.number, "import.bad_scope", {"value": row.values.get("scope", "")})
            )
        status = _reverse(POWER_STATUS_NAMES).get(
            row.values.get("status", "").strip() or "submitted"
        )
        if status is None:
            problems.append(
                Problem(row.number, "import.bad_status", {"value": row.values["status"]})
            )
        if unit is not None and scope is not None:
            category = row.values.get("category", "")
            if category not in await categories_for(session, unit.id, scope):
                problems.append(Problem(row.number, "import.bad_category", {"value": category}))
            elif status is not None:
                checked.append((row, unit, post, scope, status))
    if problems:
        raise ImportRejected(problems)
    report = FileReport()
    now = clock.now()
    for row, unit, post, scope, status in checked:
        existing = await session.scalar(
            select(Power).where(
                Power.unit_id == unit.id,
                Power.post_id.is_(None) if post is None else Power.post_id == post.id,
                Power.name == row.values["name"],
                Power.status != PowerStatus.WITHDRAWN.value,
            )
        )
        if existing is not None:
            report.unchanged += 1
            continue
        power = Power(
            unit_id=unit.id, post_id=post.id if post else None, name=row.values["name"],
            content=row.values.get("content", ""), subject=row.values.get("subject", ""),
            legal_basis=row.values.get("legal_basis", ""), category=row.values["category"],
            scope=scope, status=status, created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(power)
        await session.flush()
        audit.record(session, clock, actor=None, channel="cli", action="power.import",
                     entity=power, after=audit.snapshot(power))  # fmt: skip
        report.created += 1
    return report


# --- import: risk points --------------------------------------------------------------------


@dataclass
class _RiskGroup:
    key: tuple[str, ...]
    rows: list[Row]
    post: Post
    values: dict[str, Any]
    measures: list[dict[str, Any]]


def _factor(row: Row, name: str, problems: list[Problem]) -> int | None:
    text = row.values.get(name, "").strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 5:
        problems.append(Problem(row.number, "import.bad_factor", {"value": text}))
        return None
    return int(text)


async def import_risks(
    session: AsyncSession, clock: Clock, path: Path, *, today: date
) -> FileReport:
    """Risk points with their measures from a file in the register form's columns.

    A risk already in the database (same post and description) is left alone, so importing
    the same file twice adds nothing.
    """
    rows = read_table(path, RISK_COLUMNS)
    problems: list[Problem] = []
    groups: list[_RiskGroup] = []
    type_of = _reverse(RISK_TYPE_NAMES)
    level_of = _reverse(LEVEL_NAMES)
    status_of = (
        {state_name(s.value): s.value for s in RiskState}
        | {s.value: s.value for s in RiskState}
        | STATUS_ALIASES
    )
    measure_status_of = _reverse(MEASURE_STATUS_NAMES)
    for row in rows:
        v = row.values
        before = len(problems)
        unit, post = await _unit_post(session, row, problems, post_required=True)
        if not v.get("description"):
            problems.append(Problem(row.number, "import.description_missing"))
        _too_long(row, "description", DESCRIPTION_MAX, problems)
        _too_long(row, "measure", MEASURE_MAX, problems)
        _too_long(row, "responsible", RESPONSIBLE_MAX, problems)
        risk_type = type_of.get(v.get("risk_type", "").strip())
        if risk_type not in RISK_TYPES:
            problems.append(
                Problem(row.number, "import.bad_risk_type", {"value": v.get("risk_type", "")})
            )
        level_text = v.get("level", "").strip()
        level = level_of.get(level_text) if level_text else None
        if level_text and level is None:
            problems.append(Problem(row.number, "import.bad_level", {"value": level_text}))
        suggested_text = v.get("suggested", "").strip()
        suggested = level_of.get(suggested_text) if suggested_text else level
        if suggested_text and suggested is None:
            problems.append(Problem(row.number, "import.bad_level", {"value": suggested_text}))
        status = status_of.get(v.get("status", "").strip() or RiskState.SUBMITTED.value)
        if status is None:
            problems.append(Problem(row.number, "import.bad_status", {"value": v["status"]}))
        factors = {f.value: _factor(row, f.value, problems) for f in FACTORS}
        power_id = None
        if v.get("power") and unit is not None:
            power = await session.scalar(
                select(Power).where(
                    Power.unit_id == unit.id, Power.name == v["power"],
                    Power.status != PowerStatus.WITHDRAWN.value,
                ).order_by(Power.id)
            )  # fmt: skip
            if power is None:
                problems.append(Problem(row.number, "import.unknown_power", {"value": v["power"]}))
            else:
                power_id = power.id
        measure = None
        if v.get("measure"):
            deadline = None
            try:
                deadline = parse_date(v.get("deadline", ""), today)
            except DateRefused:
                problems.append(
                    Problem(row.number, "import.bad_deadline", {"value": v.get("deadline", "")})
                )
            m_status = measure_status_of.get(v.get("measure_status", "").strip() or "planned")
            if m_status is None:
                problems.append(
                    Problem(row.number, "import.bad_status", {"value": v["measure_status"]})
                )
            measure = {"action": v["measure"], "responsible": v.get("responsible", ""),
                       "deadline": deadline, "status": m_status}  # fmt: skip
        if len(problems) > before or post is None or unit is None:
            continue
        key = (unit.path, post.name, v.get("power", ""), v["description"])
        if groups and groups[-1].key == key:
            group = groups[-1]
        else:
            group = _RiskGroup(key, [], post, {
                "description": v["description"], "risk_type": risk_type, "level": level,
                "suggested": suggested,
                "status": status, "power_id": power_id, "focus": v.get("focus") or None,
                "factors": factors,
            }, [])  # fmt: skip
            groups.append(group)
        group.rows.append(row)
        if measure is not None:
            group.measures.append(measure)
    if problems:
        raise ImportRejected(problems)
    report = FileReport()
    now = clock.now()
    for group in groups:
        existing = await session.scalar(
            select(RiskPoint.id).where(
                RiskPoint.post_id == group.post.id,
                RiskPoint.description == group.values["description"],
                RiskPoint.status != RiskState.WITHDRAWN.value,
            )
        )
        if existing is not None:
            report.unchanged += 1
            continue
        values = group.values
        final = values["status"] in (RiskState.APPROVED.value, RiskState.PUBLICISED.value,
                                     RiskState.REGRADING_DUE.value)  # fmt: skip
        measures = []
        for m in group.measures:
            person = await session.scalar(
                select(Person).where(
                    Person.name == m["responsible"], Person.unit_id == group.post.unit_id
                )
            )
            measures.append(ControlMeasure(
                action=m["action"], responsible_id=person.id if person else None,
                responsible_name=m["responsible"], deadline=m["deadline"],
                status=m["status"] or MeasureStatus.PLANNED.value, created_at=now, updated_at=now,
            ))  # fmt: skip
        risk = RiskPoint(
            post_id=group.post.id, power_id=values["power_id"], description=values["description"],
            risk_type=values["risk_type"], focus_programme=values["focus"],
            suggested_level=values["suggested"], level=values["level"] if final else None,
            status=values["status"], origin=Origin.BOTTOM_UP.value, created_at=now,
            updated_at=now, measures=measures, **values["factors"],
        )  # fmt: skip
        session.add(risk)
        await session.flush()
        after = audit.snapshot(risk, "post_id", "description", "status", "level")
        audit.record(
            session,
            clock,
            actor=None,
            channel="cli",
            action="risk.import",
            entity=risk,
            after=after,
        )
        report.created += 1
    return report
