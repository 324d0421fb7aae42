"""The register out: 廉政风险点登记表, one row per control measure (CSV / XLSX).

The rule's suggested level (建议等级) and the graded-review tier's (评审等级) stand beside the
approved one (风险等级, blank until 组织审定): a risk raised to 二级 whose approval is pending
reads "风险等级 blank, 评审等级 二级, 状态 组织审定中". The sheet is named, its header bold and
frozen, its widths fitted; deadlines are dates; `bot.services.tabular` keeps every written
text a text (never a formula)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.grading import FACTORS
from bot.domain.risk_workflow import RiskState
from bot.services.register_files.columns import (
    LEVEL_NAMES,
    MEASURE_STATUS_NAMES,
    POWER_HEADER_ZH,
    POWER_STATUS_NAMES,
    REGISTER_HEADER_ZH,
    RISK_TYPE_NAMES,
    SCOPE_NAMES,
    state_name,
)
from bot.services.tabular import write_table
from storage.models.org import Post, Unit
from storage.models.register import ControlMeasure, Power, PowerStatus, RiskPoint
from storage.models.review import RiskReview

REGISTER_SHEET = "廉政风险点登记表"

# --- export -----------------------------------------------------------------------------------


async def register_rows(
    session: AsyncSession, unit_ids: Sequence[int] | None = None
) -> list[list[str | date]]:
    """The register's rows (withdrawn records left out), ordered by unit, post and record."""
    query = (
        select(
            RiskPoint,
            Post.name,
            Unit.path,
            Power.name,
            RiskReview.reviewed_level,
            RiskReview.level_reason,
        )
        .join(Post, Post.id == RiskPoint.post_id)
        .join(Unit, Unit.id == Post.unit_id)
        .outerjoin(Power, Power.id == RiskPoint.power_id)
        .outerjoin(RiskReview, RiskReview.risk_id == RiskPoint.id)
        .where(RiskPoint.status != RiskState.WITHDRAWN.value)
        .order_by(Unit.path, Post.name, RiskPoint.id)
    )
    if unit_ids is not None:
        query = query.where(Unit.id.in_(unit_ids))
    rows: list[list[str | date]] = []
    for risk, post, unit, power, reviewed, reason in (await session.execute(query)).all():
        head: list[str | date] = [
            unit,
            post,
            power or "",
            risk.description,
            RISK_TYPE_NAMES.get(risk.risk_type, risk.risk_type),
            LEVEL_NAMES.get(risk.level, "") if risk.level else "",
            LEVEL_NAMES.get(risk.suggested_level, "") if risk.suggested_level else "",
            LEVEL_NAMES.get(reviewed, "") if reviewed else "",
        ]
        tail = [
            state_name(risk.status),
            risk.focus_programme or "",
            *(
                "" if getattr(risk, f.value) is None else str(getattr(risk, f.value))
                for f in FACTORS
            ),
        ]
        # The approved level's reason, only where it differs from the suggestion.
        why = (reason or "") if risk.level and risk.level != risk.suggested_level else ""
        measures: Sequence[ControlMeasure | None] = risk.measures or [None]
        for measure in measures:
            if measure is None:
                rows.append([*head, "", "", "", *tail, "", why])
                continue
            rows.append(
                [
                    *head,
                    measure.action,
                    measure.responsible_name,
                    measure.deadline,
                    *tail,
                    MEASURE_STATUS_NAMES.get(measure.status, measure.status),
                    why,
                ]
            )
    return rows


async def export_register(
    session: AsyncSession, path: Path, unit_ids: Sequence[int] | None = None
) -> int:
    """Write the register to `path` (.csv or .xlsx); the number of rows written."""
    rows = await register_rows(session, unit_ids)
    write_table(path, REGISTER_HEADER_ZH, rows, title=REGISTER_SHEET)
    return len(rows)


async def export_powers(session: AsyncSession, path: Path) -> int:
    """The powers (withdrawn ones left out) in the columns `import powers` reads: the
    对外/内部 split and each unit's categories can be checked outside the database."""
    query = (
        select(Power, Unit.path, Post.name)
        .join(Unit, Unit.id == Power.unit_id)
        .outerjoin(Post, Post.id == Power.post_id)
        .where(Power.status != PowerStatus.WITHDRAWN.value)
        .order_by(Unit.path, Post.name, Power.id)
    )
    rows = [
        [unit, post or "", power.name, power.content, power.subject, power.legal_basis,
         power.category, SCOPE_NAMES.get(power.scope, power.scope),
         POWER_STATUS_NAMES.get(power.status, power.status)]
        for power, unit, post in (await session.execute(query)).all()
    ]  # fmt: skip
    write_table(path, POWER_HEADER_ZH, rows)
    return len(rows)
