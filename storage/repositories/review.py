"""Queries about the review's bookkeeping: a risk's review row, its timeline, its audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

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


async def ids_due(
    session: AsyncSession, state: str, due: InstrumentedAttribute[datetime | None], now: datetime
) -> list[int]:
    """Risks in `state` whose review moment `due` (a RiskReview column) has come, oldest
    first: one query on the indexed due column, whatever the size of the register."""
    return list(
        await session.scalars(
            select(RiskReview.risk_id)
            .join(RiskPoint, RiskPoint.id == RiskReview.risk_id)
            .where(due.is_not(None), due <= now, RiskPoint.status == state)
            .order_by(RiskReview.risk_id)
        )
    )


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


async def last_moves_in_state(session: AsyncSession, state: str) -> list[tuple[int, datetime]]:
    """Each risk in `state` with when it last moved (its latest audit row, else its last
    update), oldest first: one grouped query instead of one lookup per risk."""
    rows = await session.execute(
        select(RiskPoint.id, func.max(AuditLog.at), RiskPoint.updated_at)
        .outerjoin(
            AuditLog,
            (AuditLog.entity_type == RiskPoint.__tablename__)
            & (AuditLog.entity_id == RiskPoint.id),
        )
        .where(RiskPoint.status == state)
        .group_by(RiskPoint.id, RiskPoint.updated_at)
        .order_by(RiskPoint.id)
    )
    moves: list[tuple[int, datetime]] = []
    for risk_id, moved, updated in rows:
        last: datetime | None = moved  # None: no audit row (the outer join found none)
        moves.append((risk_id, last or updated))
    return moves


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
