"""Queries about the review's bookkeeping: a risk's review row, its timeline, its audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.domain.grading import FACTORS
from storage.models.audit import AuditLog
from storage.models.org import Post
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


@dataclass(frozen=True)
class InState:
    """A risk waiting in a review state, with what routing it needs, read in one query."""

    risk_id: int
    status: str
    description: str
    post_id: int
    unit_id: int
    created_by_id: int | None
    factors: dict[str, int | None]
    focus_programme: str | None
    suggested_level: int | None
    reviewed_level: int | None
    last_move: datetime  # its latest audit row, else its last update
    updated_at: datetime


async def in_states(session: AsyncSession, states: Sequence[str]) -> list[InState]:
    """Every risk in `states` with its post's unit, its review levels and when it last moved:
    one statement whatever the size of the register (the audit rows grouped once)."""
    in_state = select(RiskPoint.id).where(RiskPoint.status.in_(states))
    moves = (
        select(AuditLog.entity_id.label("risk_id"), func.max(AuditLog.at).label("at"))
        .where(AuditLog.entity_type == RiskPoint.__tablename__, AuditLog.entity_id.in_(in_state))
        .group_by(AuditLog.entity_id)
        .subquery()
    )
    factor_columns = [getattr(RiskPoint, factor.value) for factor in FACTORS]
    rows = await session.execute(
        select(
            RiskPoint.id,
            RiskPoint.status,
            RiskPoint.description,
            RiskPoint.post_id,
            Post.unit_id,
            RiskPoint.created_by_id,
            RiskPoint.focus_programme,
            RiskReview.suggested_level,
            RiskReview.reviewed_level,
            func.coalesce(moves.c.at, RiskPoint.updated_at),
            RiskPoint.updated_at,
            *factor_columns,
        )
        .join(Post, Post.id == RiskPoint.post_id)
        .outerjoin(RiskReview, RiskReview.risk_id == RiskPoint.id)
        .outerjoin(moves, moves.c.risk_id == RiskPoint.id)
        .where(RiskPoint.status.in_(states))
        .order_by(RiskPoint.id)
    )
    return [
        InState(
            risk_id=row[0],
            status=row[1],
            description=row[2],
            post_id=row[3],
            unit_id=row[4],
            created_by_id=row[5],
            focus_programme=row[6],
            suggested_level=row[7],
            reviewed_level=row[8],
            last_move=row[9],
            updated_at=row[10],
            factors={f.value: value for f, value in zip(FACTORS, row[11:], strict=True)},
        )
        for row in rows
    ]


async def latest_audits_in_state(
    session: AsyncSession, state: str, actions: tuple[str, ...]
) -> dict[int, AuditLog]:
    """`latest_audit()` of every risk in `state`, in one statement."""
    latest = (
        select(func.max(AuditLog.id))
        .join(RiskPoint, RiskPoint.id == AuditLog.entity_id)
        .where(
            AuditLog.entity_type == RiskPoint.__tablename__,
            AuditLog.action.in_(actions),
            RiskPoint.status == state,
        )
        .group_by(AuditLog.entity_id)
    )
    rows = await session.scalars(select(AuditLog).where(AuditLog.id.in_(latest)))
    return {row.entity_id: row for row in rows if row.entity_id is not None}


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
