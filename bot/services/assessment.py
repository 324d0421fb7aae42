"""The annual assessment (强化考核) as a use case: compute a year live, confirm (freeze) it.

Which units are assessed: the units directly under the district (its bureaus and offices),
each with everything under it. Their counts for a year come from the overview
(`bot.services.stats.overview`: coverage of posts, publicity, feedback and satisfaction) and
two aggregate queries of our own that are bound to the year (measures due in the year done by
their deadline; active risk points not overdue for re-grading). The rule is
`bot.domain.assessment`.

A draft year is computed afresh each time it is shown. Confirming it (the commission) writes
one `AssessmentResult` per unit with its counts, score and place, with the weights used, so a
confirmed year never changes again; the move is audited and each unit's heads (the leaders
of that unit) are told their result through the outbox, in their language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.outbox import PRIORITY_PERSONAL, enqueue, person_locale
from bot.domain.assessment import (
    AUDIT_ACTIONS,
    INDICATORS,
    AssessmentAction,
    AssessmentState,
    Count,
    Indicator,
    next_state,
    parse_weights,
    rank,
    score,
)
from bot.domain.clock import Clock
from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.roles import Role
from bot.domain.stats import Figures, StateGroup
from bot.i18n import translate
from bot.services import audit
from bot.services.assessment_counts import measures_on_time, regrading_overdue, roll, top_units
from bot.services.assessment_results import UnitResult, YearAssessment
from bot.services.assessment_text import notice_text
from bot.services.campaigns import admin_scope
from bot.services.stats.overview import Scope, overview
from bot.settings import Settings
from storage.models.assessment import Assessment, AssessmentResult
from storage.models.org import Person
from storage.repositories import people

# The result types live in their own module (the texts use them too); callers take them here.
__all__ = ["UnitResult", "YearAssessment"]


@dataclass(frozen=True)
class AssessmentConfig:
    """What the assessment needs from the settings, built once at the edge."""

    weights: dict[Indicator, Fraction]
    # A risk due for re-grading is late once its due date is this many days behind.
    regrading_grace_days: int
    timezone: str
    # Feedback is answered on time within this many days (FEEDBACK_ANSWER_DAYS).
    answer_days: int

    @classmethod
    def from_settings(cls, settings: Settings) -> AssessmentConfig:
        return cls(
            parse_weights(settings.assessment_weights),
            settings.regrading_reminder_days,
            settings.timezone,
            settings.feedback_answer_days,
        )


async def require_commission(session: AsyncSession, person: Person | None) -> Person:
    """Only the commission (an admin over every unit) assesses units."""
    if person is None or not person.active or not person.has_role(Role.ADMIN):
        raise NotAllowed()
    if await admin_scope(session, person) is not None:
        raise NotAllowed()
    return person


FIRST_YEAR = 2000


def check_year(year: int, today: date) -> int:
    """A year that can be assessed: from 2000 to this year (a forged button is refused too)."""
    if not FIRST_YEAR <= year <= today.year:
        raise ServiceError("assessment.bad_year", latest=today.year)
    return year


def as_of(year: int, today: date) -> date:
    """The day a year is counted on: its last day, or today while it runs."""
    return min(today, date(year, 12, 31))


async def for_year(
    session: AsyncSession, year: int, *, today: date, config: AssessmentConfig
) -> YearAssessment:
    """The confirmed results of `year`, else its live draft."""
    frozen = await confirmed(session, year)
    if frozen is not None:
        return frozen
    return await live(session, year, today=today, config=config)


async def confirmed(session: AsyncSession, year: int) -> YearAssessment | None:
    """The frozen results of a confirmed year (None while it is a draft)."""
    row = await session.scalar(select(Assessment).where(Assessment.year == year))
    if row is None or row.status != AssessmentState.CONFIRMED.value:
        return None
    weights = parse_weights(row.weights)
    stored = await session.scalars(
        select(AssessmentResult)
        .where(AssessmentResult.assessment_id == row.id)
        .order_by(AssessmentResult.rank.is_(None), AssessmentResult.rank, AssessmentResult.id)
    )
    results = []
    for item in stored:
        counts = {
            Indicator(name): Count(int(pair[0]), int(pair[1]))
            for name, pair in item.counts.items()
            if name in set(INDICATORS)
        }
        results.append(
            UnitResult(
                item.unit_id,
                item.unit_name,
                item.unit_path,
                counts,
                score(counts, weights),
                item.rank,
            )
        )
    return YearAssessment(year, AssessmentState.CONFIRMED, tuple(results), row.confirmed_at)


async def live(
    session: AsyncSession, year: int, *, today: date, config: AssessmentConfig
) -> YearAssessment:
    """`year` computed from the register as it is now."""
    day = as_of(year, today)
    figures = await overview(session, Scope.district(), today=day, answer_days=config.answer_days)
    assessed = figures.children(None)
    parents = {u.unit_id: u.parent_id for u in figures.units}
    top_of = top_units(parents, {u.unit_id for u in assessed})
    measures = roll(top_of, await measures_on_time(session, year, day))
    regrading = roll(top_of, await regrading_overdue(session, day, config.regrading_grace_days))
    scored = []
    for unit in assessed:
        counts = _counts(unit.subtree)
        due, in_time = measures.get(unit.unit_id, (0, 0))
        counts[Indicator.MEASURES_ON_TIME] = Count(in_time, due)
        total, late = regrading.get(unit.unit_id, (0, 0))
        counts[Indicator.REGRADING_ON_TIME] = Count(total - late, total)
        scored.append((unit, counts, score(counts, config.weights)))
    ranked = rank([(u.unit_id, s.value) for u, _, s in scored])
    places = {r.key: r.rank for r in ranked}
    order = {r.key: i for i, r in enumerate(ranked)}
    results = sorted(
        (UnitResult(u.unit_id, u.name, u.path, c, s, places[u.unit_id]) for u, c, s in scored),
        key=lambda r: order[r.unit_id],
    )
    return YearAssessment(year, AssessmentState.DRAFT, tuple(results))


def _counts(subtree: Figures) -> dict[Indicator, Count]:
    by_state = subtree.risks_by_state
    publicised = by_state.get(StateGroup.PUBLICISED.value, 0)
    approved = by_state.get(StateGroup.APPROVED.value, 0) + publicised
    votes = subtree.satisfaction_votes
    return {
        Indicator.COVERAGE: Count(subtree.posts_with_risks, subtree.posts),
        Indicator.FEEDBACK_ON_TIME: Count(
            min(subtree.feedback_answered_on_time, subtree.feedback_received),
            subtree.feedback_received,
        ),
        # Votes are 1–5: the mean mapped onto 0–1 is (sum − votes) / (4 · votes).
        Indicator.SATISFACTION: Count(
            max(0, min(subtree.satisfaction_sum - votes, 4 * votes)), 4 * votes
        ),
        Indicator.PUBLICITY: Count(publicised, approved),
    }


# --- confirming: the one write path of an assessment's state --------------------------------


async def confirm(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person | None,
    year: int,
    today: date,
    config: AssessmentConfig,
    settings: Settings,
) -> YearAssessment:
    """Freeze `year` as computed now; audited; each unit's heads are told (outbox)."""
    person = await require_commission(session, actor)
    check_year(year, today)
    row = await session.scalar(select(Assessment).where(Assessment.year == year))
    if row is None:
        weights = {i.value: float(w) for i, w in config.weights.items()}
        row = Assessment(
            year=year, status=AssessmentState.DRAFT.value, weights=weights, created_at=clock.now()
        )
        session.add(row)
        await session.flush()
    draft = await live(session, year, today=today, config=config)
    await move(session, clock, row, AssessmentAction.CONFIRM, person, draft=draft, config=config)
    frozen = await confirmed(session, year)
    assert frozen is not None
    await _tell_heads(session, clock, frozen, settings)
    return frozen


async def move(
    session: AsyncSession,
    clock: Clock,
    row: Assessment,
    action: AssessmentAction,
    actor: Person,
    *,
    draft: YearAssessment,
    config: AssessmentConfig,
) -> None:
    """Check the table, apply the move's effects, write the audit row. Nowhere else is an
    assessment's status assigned."""
    before = audit.snapshot(row, "status", "confirmed_at")
    target = next_state(AssessmentState(row.status), action)
    if action is AssessmentAction.CONFIRM:
        row.weights = {i.value: float(w) for i, w in config.weights.items()}
        row.confirmed_by_id, row.confirmed_at = actor.id, clock.now()
        for result in draft.results:
            session.add(
                AssessmentResult(
                    assessment_id=row.id,
                    year=row.year,
                    unit_id=result.unit_id,
                    unit_name=result.name,
                    unit_path=result.path,
                    counts={i.value: [c.done, c.total] for i, c in result.counts.items()},
                    score_tenths=_tenths(result.score.value),
                    rank=result.rank,
                )
            )
    row.status = target.value
    await session.flush()
    audit.record(
        session,
        clock,
        actor=actor,
        action=AUDIT_ACTIONS[action],
        entity=row,
        before=before,
        after=audit.snapshot(row, "status", "confirmed_at", "year")
        | {"units": len(draft.results)},
    )


def _tenths(value: Fraction | None) -> int | None:
    return None if value is None else int((value * 10 + Fraction(1, 2)).__floor__())


async def heads_of(session: AsyncSession, unit_ids: list[int]) -> dict[int, list[Person]]:
    """The leaders of each unit (their leader role is scoped to it), by unit id."""
    out: dict[int, list[Person]] = {}
    for unit_id, person in await people.holding_in_units(session, Role.LEADER.value, unit_ids):
        out.setdefault(unit_id, []).append(person)
    return out


async def _tell_heads(
    session: AsyncSession, clock: Clock, frozen: YearAssessment, settings: Settings
) -> None:
    heads = await heads_of(session, [r.unit_id for r in frozen.results])
    for result in frozen.results:
        for person in heads.get(result.unit_id, []):
            if person.telegram_id is None:
                continue
            locale = person_locale(person, settings)

            def in_locale(key: str, /, **values: Any) -> str:
                return translate(key, locale, **values)  # noqa: B023 - used at once

            await enqueue(
                session,
                chat_id=person.telegram_id,
                text=notice_text(frozen, result, in_locale),
                kind="assessment.result",
                priority=PRIORITY_PERSONAL,
                dedup_key=f"assessment:{frozen.year}:{person.id}",
                person_id=person.id,
                clock=clock,
                settings=settings,
            )
