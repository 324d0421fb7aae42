"""Queries about campaigns (专项工作) and the register facts their progress is computed from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.campaign import Campaign
from storage.models.outbox import OutboxMessage, OutboxStatus
from storage.models.register import ControlMeasure, MeasureReport, Power, RiskPoint


async def ordered(session: AsyncSession) -> Sequence[Campaign]:
    """Every campaign: by status, then the nearest deadline, then the newest."""
    return (
        await session.scalars(
            select(Campaign).order_by(Campaign.status, Campaign.deadline, Campaign.id.desc())
        )
    ).all()


async def in_status(session: AsyncSession, status: str) -> Sequence[Campaign]:
    return (await session.scalars(select(Campaign).where(Campaign.status == status))).all()


async def power_statuses(session: AsyncSession, post_ids: Sequence[int]) -> list[tuple[int, str]]:
    rows = await session.execute(
        select(Power.post_id, Power.status).where(Power.post_id.in_(post_ids))
    )
    # IN never matches a unit-wide power (post_id NULL); the test narrows the type.
    return [(post_id, status) for post_id, status in rows if post_id is not None]


async def risk_statuses(session: AsyncSession, post_ids: Sequence[int]) -> list[tuple[int, str]]:
    rows = await session.execute(
        select(RiskPoint.post_id, RiskPoint.status).where(RiskPoint.post_id.in_(post_ids))
    )
    return [(post_id, status) for post_id, status in rows]


async def measure_facts(
    session: AsyncSession, post_ids: Sequence[int], *, left_out: Sequence[str]
) -> list[tuple[int, date, str, datetime | None]]:
    """(post, deadline, status, last report) of the measures of the posts' risks, except of
    risks in `left_out` states."""
    last_report = (
        select(MeasureReport.measure_id, func.max(MeasureReport.at).label("at"))
        .group_by(MeasureReport.measure_id)
        .subquery()
    )
    columns = (RiskPoint.post_id, ControlMeasure.deadline, ControlMeasure.status)
    rows = await session.execute(
        select(*columns, last_report.c.at)
        .join(RiskPoint, RiskPoint.id == ControlMeasure.risk_id)
        .outerjoin(last_report, last_report.c.measure_id == ControlMeasure.id)
        .where(RiskPoint.post_id.in_(post_ids), RiskPoint.status.not_in(left_out))
    )
    return [(post_id, deadline, status, at) for post_id, deadline, status, at in rows]


async def cancel_pending_reminders(
    session: AsyncSession,
    kind: str,
    campaign_id: int,
    reason: str,
    person_ids: Sequence[int] | None,
) -> None:
    """Cancel a campaign's reminders still pending (of `person_ids` only, when given)."""
    where = [
        OutboxMessage.kind == kind,
        OutboxMessage.status == OutboxStatus.PENDING.value,
        OutboxMessage.dedup_key.startswith(f"campaign:{campaign_id}:", autoescape=True),
    ]
    if person_ids is not None:
        where.append(OutboxMessage.person_id.in_(person_ids))
    await session.execute(
        update(OutboxMessage)
        .where(*where)
        .values(status=OutboxStatus.CANCELLED.value, last_error=reason)
    )
