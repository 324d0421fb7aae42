"""The register in: risk points with their measures, meaning what the bot means.

* Rows of one risk point are consecutive rows with the same unit, post, power and description
  (its identity); the same identity again further down is a duplicate, reported with both rows.
* The suggested level is the bot's rule (`bot.domain.grading`) on the five factors, focus floor
  (至少二级) included; a 建议等级 that disagrees is imported as the rule says and reported. An
  approved record keeps its 风险等级 when it is the suggestion, or with its 定级理由 (as 组织审定
  asks); without one it is refused.
* The bot's limits hold: measures per risk (`MEASURES_MAX`), text lengths, the configured
  focus programmes, no control characters.
* An imported record enters the workflow where the file says it stands, with that state's
  review records (a record in social review has its window, an approved one its final level,
  a publicised one its re-grading date), so the scans treat it as one declared in the bot; one
  left 已提交 is routed by the safety-net scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.grading import FACTORS, Factors, GradingRule, grade_risk
from bot.domain.register_rules import (
    COMMENT_MAX,
    DESCRIPTION_MAX,
    MEASURE_MAX,
    MEASURES_MAX,
    RESPONSIBLE_MAX,
    RISK_TYPES,
    DateRefused,
    parse_date,
)
from bot.domain.risk_workflow import ACTIVE_STATES, RiskState
from bot.services.import_checks import Problems, check_cells
from bot.services.register_files.columns import (
    LEVEL_NAMES,
    MEASURE_STATUS_NAMES,
    RISK_COLUMNS,
    RISK_TYPE_NAMES,
    STATUS_ALIASES,
    _reverse,
    state_name,
)
from bot.services.register_files.imports import (
    FileReport,
    Org,
    check_rows,
)
from bot.services.register_files.risk_write import write_risks
from bot.services.rules_register import focus_programmes
from bot.services.tabular import Row, iter_table
from bot.settings import Settings, get_settings
from storage.models.register import Power, PowerStatus, RiskPoint

# The bot's limits on a risk's texts (`bot.domain.register_rules`).
RISK_LIMITS = {"description": DESCRIPTION_MAX, "measure": MEASURE_MAX,
               "responsible": RESPONSIBLE_MAX, "reason": COMMENT_MAX}  # fmt: skip
_RISK_FIELDS = (
    "risk_type",
    "level",
    "suggested",
    "status",
    "focus",
    "reason",
    *(f.value for f in FACTORS),
)


@dataclass
class _Risk:
    """One risk point of the file: its first row, its values, its measures' rows."""

    row: int
    post_id: int
    unit_id: int
    values: dict[str, Any]
    fields: tuple[str, ...]  # the risk's own cells, which every one of its rows must repeat
    existing: bool = False  # already in the register: left alone
    measures: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Reader:
    """The file's rows checked one by one against the register as it stands."""

    session: AsyncSession
    org: Org
    rule: GradingRule
    today: date
    focus_names: frozenset[str]
    powers: dict[tuple[int, str], int]
    existing: set[tuple[int, int | None, str]]
    problems: Problems = field(default_factory=Problems)
    notes: Problems = field(default_factory=Problems)
    risks: list[_Risk] = field(default_factory=list)
    seen: dict[tuple[int, int | None, str], int] = field(default_factory=dict)
    unchanged: int = 0
    grades: dict[tuple[Any, ...], tuple[int, str]] = field(default_factory=dict)
    type_of: dict[str, Any] = field(default_factory=lambda: _reverse(RISK_TYPE_NAMES))
    level_of: dict[str, Any] = field(default_factory=lambda: _reverse(LEVEL_NAMES))
    measure_status_of: dict[str, Any] = field(
        default_factory=lambda: _reverse(MEASURE_STATUS_NAMES)
    )
    status_of: dict[str, str] = field(
        default_factory=lambda: (
            {state_name(s.value): s.value for s in RiskState}
            | {s.value: s.value for s in RiskState}
            | STATUS_ALIASES
        )
    )

    def graded(self, factors: dict[str, int], focus: bool) -> tuple[int, str]:
        """The rule's level and score (there are only 5⁵ × 2 cases: each computed once)."""
        key = (*factors.values(), focus)
        if key not in self.grades:
            grade = grade_risk(Factors.from_mapping(factors), self.rule, focus=focus)
            self.grades[key] = (grade.level, grade.score_text)
        return self.grades[key]

    def level(self, row: Row, name: str) -> int | None:
        text = row.values.get(name, "").strip()
        level = self.level_of.get(text) if text else None
        if text and level is None:
            self.problems.flag(row, "import.bad_level", value=text)
        return level

    def factors(self, row: Row) -> dict[str, int] | None:
        values: dict[str, int] = {}
        for factor in FACTORS:
            text = row.values.get(factor.value, "").strip()
            if not text:
                continue
            if not text.isdigit() or not 1 <= int(text) <= 5:
                self.problems.flag(row, "import.bad_factor", value=text)
                return None
            values[factor.value] = int(text)
        if values and len(values) < len(FACTORS):
            self.problems.flag(row, "import.factors_incomplete")
            return None
        return values or None

    def grade(self, row: Row, state: str, factors: dict[str, int] | None, focus: bool) -> Any:
        """(suggested level, its score as shown, approved level, its reason)."""
        given = self.level(row, "suggested")
        approved = self.level(row, "level")
        reason = row.values.get("reason", "").strip() or None
        score = None
        suggested: int | None
        if factors is not None:
            suggested, score = self.graded(factors, focus)
            if given is not None and given != suggested:
                self.notes.flag(
                    row,
                    "import.level_disagrees",
                    given=LEVEL_NAMES[given],
                    level=LEVEL_NAMES[suggested],
                )
        else:
            suggested = given or approved
            if focus and suggested is not None and suggested > self.rule.focus_min_level:
                suggested = self.rule.focus_min_level
                self.notes.flag(row, "import.focus_floor", level=LEVEL_NAMES[suggested])
        if RiskState(state) not in ACTIVE_STATES:
            return suggested, score, None, None
        approved = approved or suggested
        if approved is None:
            self.problems.flag(row, "import.level_missing")
        elif suggested is not None and approved != suggested and reason is None:
            self.problems.flag(
                row,
                "import.level_reason_required",
                given=LEVEL_NAMES[approved],
                level=LEVEL_NAMES[suggested],
            )
        return suggested, score, approved, reason if approved != suggested else None

    def measure(self, row: Row) -> dict[str, Any] | None:
        v = row.values
        if not v.get("measure"):
            return None
        deadline = None
        try:
            deadline = parse_date(v.get("deadline", ""), self.today)
        except DateRefused:
            self.problems.flag(row, "import.bad_deadline", value=v.get("deadline", ""))
        status = self.measure_status_of.get(v.get("measure_status", "").strip() or "planned")
        if status is None:
            self.problems.flag(row, "import.bad_status", value=v["measure_status"])
        return {
            "action": v["measure"],
            "responsible": v.get("responsible", ""),
            "deadline": deadline,
            "status": status,
        }

    def read(self, row: Row) -> None:
        v, problems = row.values, self.problems
        before = len(problems)
        unit, post = self.org.unit_post(row, problems, post_required=True)
        check_cells(row, problems, RISK_LIMITS)
        if not v.get("description"):
            problems.flag(row, "import.description_missing")
        risk_type = self.type_of.get(v.get("risk_type", "").strip())
        if risk_type not in RISK_TYPES:
            problems.flag(row, "import.bad_risk_type", value=v.get("risk_type", ""))
        status = self.status_of.get(v.get("status", "").strip() or RiskState.SUBMITTED.value)
        if status is None:
            problems.flag(row, "import.bad_status", value=v["status"])
        focus = v.get("focus") or None
        if focus is not None and focus not in self.focus_names:
            problems.flag(row, "import.unknown_focus", value=focus)
        factors = self.factors(row)
        graded = self.grade(row, status, factors, focus is not None) if status else None
        power_id = None
        if v.get("power") and unit is not None:
            power_id = self.powers.get((unit.id, v["power"]))
            if power_id is None:
                problems.flag(row, "import.unknown_power", value=v["power"])
        measure = self.measure(row)
        if len(problems) > before or post is None or unit is None or graded is None:
            return
        key = (post.id, power_id, v["description"])
        fields = tuple(v.get(name, "") for name in _RISK_FIELDS)
        last = self.risks[-1] if self.risks else None
        if (
            last is not None
            and (last.post_id, last.values["power_id"], last.values["description"]) == key
        ):
            risk = last
            if fields != risk.fields:
                problems.flag(row, "import.risk_rows_differ", other=risk.row)
                return
        elif key in self.seen:
            problems.flag(row, "import.duplicate_risk", other=self.seen[key])
            return
        else:
            self.seen[key] = row.number
            if key in self.existing:
                self.unchanged += 1
                values = {"power_id": power_id, "description": key[2]}
                self.risks.append(_Risk(row.number, post.id, unit.id, values, fields, True))
                return
            suggested, score, approved, reason = graded
            risk = _Risk(
                row.number,
                post.id,
                unit.id,
                {
                    "description": v["description"],
                    "risk_type": risk_type,
                    "status": status,
                    "power_id": power_id,
                    "focus": focus,
                    "factors": factors or {},
                    "suggested": suggested,
                    "score": score,
                    "level": approved,
                    "reason": reason,
                },
                fields,
            )
            self.risks.append(risk)
        if risk.existing or measure is None:
            return
        if len(risk.measures) >= MEASURES_MAX:
            problems.flag(row, "import.measures_too_many", limit=MEASURES_MAX)
        else:
            risk.measures.append(measure)


async def import_risks(
    session: AsyncSession,
    clock: Clock,
    path: Path,
    *,
    today: date,
    settings: Settings | None = None,
) -> FileReport:
    """Risk points with their measures from a file in the register form's columns.

    A risk already in the database (same post, power and description) is left alone, so
    importing the same file twice adds nothing.
    """
    settings = settings or get_settings()
    reader = _Reader(
        session=session,
        org=await Org.load(session),
        rule=GradingRule.from_settings(settings),
        today=today,
        focus_names=frozenset(await focus_programmes(session)),
        powers=await _powers(session),
        existing=await _existing(session),
    )
    check_rows(iter_table(path, RISK_COLUMNS), reader.read, reader.problems)
    report = FileReport(unchanged=reader.unchanged, notes=list(reader.notes))
    new = [risk for risk in reader.risks if not risk.existing]
    report.created = await write_risks(session, clock.now(), settings, new)
    return report


async def _powers(session: AsyncSession) -> dict[tuple[int, str], int]:
    """The first (oldest) power of each unit and name, as the bot's lookups pick it."""
    found: dict[tuple[int, str], int] = {}
    query = (
        select(Power.unit_id, Power.name, Power.id)
        .where(Power.status != PowerStatus.WITHDRAWN.value)
        .order_by(Power.id)
    )
    for unit_id, name, power_id in await session.execute(query):
        found.setdefault((unit_id, name), power_id)
    return found


async def _existing(session: AsyncSession) -> set[tuple[int, int | None, str]]:
    query = select(RiskPoint.post_id, RiskPoint.power_id, RiskPoint.description).where(
        RiskPoint.status != RiskState.WITHDRAWN.value
    )
    return {(post, power, text) for post, power, text in await session.execute(query)}
