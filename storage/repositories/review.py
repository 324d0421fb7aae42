"""Queries about the review's bookkeeping: a risk's review row, its timeline, its audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.audit import AuditLog
from storage.models.register import RiskPoint
from storage.models.review import ReviewNote, RiskReview


async def review_row(session: AsyncSession, risk_id: int) -> RiskReview:
    """The risk's review bookkeeping, created (and flushed) on first need."""
    row = await session.get(RiskReview, risk_id)
    if row is None:
        row = RiskReview(risk_id=risk_id, version=0)
        session.add(row)
        await session.flush()
    return row


async def notes_count(
    session: AsyncSession,
    risk_id: int,
    *,
    author_id: int,
    kind: str,
    state: str,
    since: datetime,
) -> int:
    """How many timeline notes of `kind` an author left on a risk in `state` since a moment."""
    count = await session.scalar(
        select(func.count())
        .select_from(ReviewNote)
        .where(
            ReviewNote.risk_id == risk_id,
            ReviewNote.author_id == author_id,
            ReviewNote.kind == kind,
            ReviewNote.state == state,
            ReviewNote.at >= since,
        )
    )
    return int(count or 0)


async def notes_of(session: AsyncSession, risk_id: int) -> list[ReviewNote]:
    return list(
        await session.scalars(
            select(ReviewNote).where(ReviewNote.risk_id == risk_id).order_by(ReviewNote.id)
        )
    )


async def risk_audit(session: AsyncSession, risk_id: int) -> list[AuditLog]:
    """A risk point's audit trail, oldest first."""
    return list(
        await session.scalars(
            select(AuditLog)
            .where(AuditLog.entity_type == RiskPoint.__tablename__, AuditLog.entity_id == risk_id)
            .order_by(AuditLog.id)
        )
    )


async def last_move_at(session: AsyncSession, risk_id: int) -> datetime | None:
    """When the risk last moved (every review transition writes an audit row)."""
    return await session.scalar(
        select(func.max(AuditLog.at)).where(
            AuditLog.entity_type == RiskPoint.__tablename__, AuditLog.entity_id == risk_id
        )
    )


async def latest_audit(
    session: AsyncSession, risk_id: int, actions: tuple[str, ...]
) -> AuditLog | None:
    """The latest audit row of the risk with one of `actions`."""
    return await session.scalar(
        select(AuditLog)
        .where(
            AuditLog.entity_type == RiskPoint.__tablename__,
            AuditLog.entity_id == risk_id,
            AuditLog.action.in_(actions),
        )
        .order_by(AuditLog.id.desc())
        .limit(1)
    )


async def audited_since(
    session: AsyncSession, risk_id: int, after_id: int, *, prefix: str, actions: tuple[str, ...]
) -> bool:
    """Whether the risk has an audit row after `after_id` whose action starts with `prefix`
    or is one of `actions`."""
    row = await session.scalar(
        select(AuditLog.id)
        .where(
            AuditLog.entity_type == RiskPoint.__tablename__,
            AuditLog.entity_id == risk_id,
            AuditLog.id > after_id,
            or_(AuditLog.action.like(f"{prefix}%"), AuditLog.action.in_(actions)),
        )
        .limit(1)
    )
    return row is not None
