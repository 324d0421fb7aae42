"""Control measures after declaration (实施考核监督 / 进行反馈完善): execution reports, the
lists a person works from, overdue checks; and the register's lists of a post."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.domain.register_rules import NOTE_MAX, is_overdue
from bot.i18n import N_
from bot.services import audit
from bot.services.powers import text_or_refuse
from bot.services.register_access import is_active_staff, may_see_unit, tell_holders
from bot.services.risks.common import is_holder, measure_snapshot
from bot.settings import Settings
from storage.models.org import Person, Post
from storage.models.register import ControlMeasure, MeasureReport, MeasureStatus, RiskPoint
from storage.repositories import risks as risks_repo

# What a report may say of a measure (a measure is planned until its first report).
REPORTED_STATUSES = (
    MeasureStatus.IN_PROGRESS.value,
    MeasureStatus.DONE.value,
    MeasureStatus.BLOCKED.value,
)


async def report_measure(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person,
    measure_id: int,
    status: str,
    note: str,
    settings: Settings,
) -> ControlMeasure:
    """The responsible person reports done / in progress / blocked (`reportable_measure`)."""
    measure = await reportable_measure(session, actor, measure_id)
    risk = await session.get(RiskPoint, measure.risk_id)
    if status not in REPORTED_STATUSES:
        raise ServiceError("register.bad_measure_status")
    text = text_or_refuse(note, NOTE_MAX)
    before = measure_snapshot(measure)
    # A measure's status is whatever its latest report says (no workflow of its own).
    measure.status = status
    measure.updated_at = clock.now()
    session.add(
        MeasureReport(
            measure_id=measure.id, reporter_id=actor.id, status=status, note=text, at=clock.now()
        )
    )
    audit.record(
        session,
        clock,
        actor=actor,
        action="measure.report",
        entity=measure,
        before=before,
        after=measure_snapshot(measure) | {"note": text},
    )
    if status == MeasureStatus.BLOCKED.value and risk is not None:
        # A blocked measure needs someone to act: the holders hear of it.
        await tell_holders(
            session, risk.post_id, N_("register.notice.measure_blocked"), clock=clock,
            settings=settings, skip=actor, action=measure.action, note=text,
        )  # fmt: skip
    return measure


async def reportable_measure(
    session: AsyncSession, actor: Person, measure_id: int
) -> ControlMeasure:
    """A measure `actor` answers for: they are its responsible person, or nobody in the
    register is and they hold its risk's post (an imported name no one matched). Anyone
    else's measure is refused as not found, before anything is asked."""
    measure = await session.get(ControlMeasure, measure_id)
    if measure is None or not actor.active:
        raise ServiceError("register.not_found")
    if measure.responsible_id == actor.id:
        return measure
    risk = await session.get(RiskPoint, measure.risk_id)
    if measure.responsible_id is None and risk is not None and is_holder(actor, risk):
        return measure
    raise ServiceError("register.not_found")


async def measures_of(
    session: AsyncSession, person: Person, *, offset: int = 0, limit: int = 8
) -> tuple[list[ControlMeasure], int]:
    """Measures a person answers for (`reportable_measure`), not of withdrawn risks."""
    post_id = person.post_id if is_active_staff(person) else None
    return await risks_repo.measures_page_of(
        session, person.id, post_id, offset=offset, limit=limit
    )


async def overdue_measures(
    session: AsyncSession, today: date, *, unit_ids: Sequence[int] | None = None
) -> list[ControlMeasure]:
    """Measures not done whose deadline has passed, of risks still pursued."""
    rows = await risks_repo.measures_past(session, today, unit_ids)
    return [m for m in rows if is_overdue(m.deadline, m.status, today)]


async def risks_of_post(
    session: AsyncSession, viewer: Person, post_id: int, *, offset: int = 0, limit: int = 8
) -> tuple[list[RiskPoint], int]:
    """A post's risk points (withdrawn ones left out), oldest first, for those who may see."""
    post = await session.get(Post, post_id)
    if post is None or not (
        viewer.post_id == post_id or await may_see_unit(session, viewer, post.unit_id)
    ):
        raise ServiceError("register.not_found")
    return await risks_repo.page_of_post(session, post_id, offset=offset, limit=limit)


async def colleagues(
    session: AsyncSession, unit_id: int, *, offset: int = 0, limit: int = 8
) -> tuple[list[Person], int]:
    """Active staff of a unit, by name: who may be made responsible for a measure."""
    return await risks_repo.active_colleagues_page(session, unit_id, offset=offset, limit=limit)
