"""What the register's risk flows share: the drafts, authority over a record, validation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.domain.grading import FACTORS, Factors, GradingRule
from bot.domain.register_rules import (
    DESCRIPTION_MAX,
    MEASURE_MAX,
    RISK_TYPES,
    DateRefused,
    check_deadline,
    local_today,
)
from bot.domain.register_rules import MEASURES_MAX as MEASURES_MAX
from bot.domain.risk_workflow import HOLDER_STATES, RiskState
from bot.services import audit
from bot.services.powers import text_or_refuse
from bot.services.register_access import is_active_staff, may_see_unit, unit_chain_ids
from bot.services.rules_register import focus_programmes
from bot.settings import Settings
from storage.models.org import Person, Post
from storage.models.register import (
    ControlMeasure,
    MeasureStatus,
    Power,
    PowerStatus,
    RiskPoint,
    Rule,
)
from storage.repositories import rules as rules_repo

MEASURE_FIELDS = ("action", "responsible_id", "responsible_name", "deadline", "status", "rule_id")
# Fields the holder may change before approval, with how each is checked.
EDITABLE = ("description", "risk_type", "focus_programme")
# Before approval the holder may still change the record (submitted: not yet taken up).
EDITABLE_STATES = frozenset({*HOLDER_STATES, RiskState.SUBMITTED})
# A refused deadline, by why (`DateRefused.reason`).
DATE_REFUSALS: dict[str, str] = {
    "format": "register.date_format",
    "invalid": "register.date_invalid",
    "past": "register.date_past",
    "too_far": "register.date_too_far",
}


@dataclass(frozen=True)
class MeasureDraft:
    """One measure as the declarant gave it."""

    action: str
    deadline: date
    responsible_id: int | None = None  # None: the declarant
    rule_id: int | None = None


@dataclass(frozen=True)
class RiskDraft:
    """Everything a declaration collects before it is saved."""

    description: str
    risk_type: str
    factors: dict[str, int]
    measures: Sequence[MeasureDraft] = field(default_factory=tuple)
    power_id: int | None = None
    focus_programme: str | None = None
    # The draft's own key: submitting the same draft again returns the first record.
    key: str | None = None


def rule_of(settings: Settings) -> GradingRule:
    return GradingRule.from_settings(settings)


def today_of(clock: Clock, settings: Settings) -> date:
    return local_today(clock.now(), settings.timezone)


def measure_snapshot(measure: ControlMeasure) -> dict[str, Any]:
    return audit.snapshot(measure, *MEASURE_FIELDS)


def refused_date(refused: DateRefused) -> ServiceError:
    """A deadline the register refuses, as a refusal a person can read."""
    return ServiceError(DATE_REFUSALS.get(refused.reason, "register.date_format"))


# --- authority ------------------------------------------------------------------------------


def is_holder(person: Person, risk: RiskPoint) -> bool:
    """The post's holder, or the declarant (who may have moved post since)."""
    if not is_active_staff(person):
        return False
    return person.post_id == risk.post_id or (
        risk.created_by_id is not None and risk.created_by_id == person.id
    )


async def get_visible(session: AsyncSession, viewer: Person, risk_id: int) -> RiskPoint:
    """A risk the viewer may read; another unit's risk reads as missing (no hint it exists)."""
    risk = await session.get(RiskPoint, risk_id)
    if risk is None:
        raise ServiceError("register.not_found")
    post = await session.get(Post, risk.post_id)
    if post is None or not (
        is_holder(viewer, risk) or await may_see_unit(session, viewer, post.unit_id)
    ):
        raise ServiceError("register.not_found")
    return risk


async def holders_risk(session: AsyncSession, actor: Person, risk_id: int) -> RiskPoint:
    risk = await session.get(RiskPoint, risk_id)
    if risk is None or not is_holder(actor, risk):
        raise ServiceError("register.not_found")
    return risk


async def post_of(session: AsyncSession, risk: RiskPoint) -> Post:
    post = await session.get(Post, risk.post_id)
    if post is None:  # pragma: no cover - a foreign key guarantees it
        raise ServiceError("register.not_found")
    return post


async def post_or_refuse(session: AsyncSession, post_id: int) -> Post:
    post = await session.get(Post, post_id)
    if post is None:
        raise ServiceError("register.no_post")
    return post


# --- validation -----------------------------------------------------------------------------


def validated_factors(values: dict[str, int]) -> Factors:
    try:
        return Factors.from_mapping(values)
    except (TypeError, ValueError):
        raise ServiceError("register.bad_factors") from None


def factor_values(risk: RiskPoint) -> dict[str, int]:
    values = {f.value: getattr(risk, f.value) for f in FACTORS}
    if any(value is None for value in values.values()):
        raise ServiceError("register.bad_factors")
    return {name: int(value) for name, value in values.items()}


async def check_power(session: AsyncSession, post: Post, power_id: int | None) -> None:
    if power_id is None:
        return
    power = await session.get(Power, power_id)
    if (
        power is None
        or power.unit_id != post.unit_id
        or power.post_id not in (None, post.id)
        or power.status == PowerStatus.WITHDRAWN.value
    ):
        raise ServiceError("register.bad_power")


async def check_identity(
    session: AsyncSession,
    post: Post,
    description: str,
    risk_type: str,
    power_id: int | None,
    focus: str | None,
) -> str:
    text = text_or_refuse(description, DESCRIPTION_MAX)
    if risk_type not in RISK_TYPES:
        raise ServiceError("register.bad_risk_type")
    if focus is not None and focus not in await focus_programmes(session):
        raise ServiceError("register.bad_focus")
    await check_power(session, post, power_id)
    return text


async def responsible_person(
    session: AsyncSession, post: Post, declarant: Person, person_id: int | None
) -> Person:
    """The 责任主体: the declarant, or an active colleague of the post's unit."""
    if person_id is None or person_id == declarant.id:
        return declarant
    person = await session.get(Person, person_id)
    if person is None or not person.active or person.unit_id != post.unit_id:
        raise ServiceError("register.bad_responsible")
    return person


async def rules_in_force(session: AsyncSession, unit_id: int) -> list[Rule]:
    """Rules a unit's measures may cite: its own and its ancestors' (district-wide rules)."""
    return await rules_repo.of_units(session, await unit_chain_ids(session, unit_id))


async def build_measures(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    post: Post,
    declarant: Person,
    drafts: Sequence[MeasureDraft],
) -> list[ControlMeasure]:
    if not drafts:
        raise ServiceError("register.measures_missing")
    if len(drafts) > MEASURES_MAX:
        raise ServiceError("register.measures_too_many", limit=MEASURES_MAX)
    allowed_rules = {rule.id for rule in await rules_in_force(session, post.unit_id)}
    today = today_of(clock, settings)
    now = clock.now()
    measures = []
    for draft in drafts:
        action = text_or_refuse(draft.action, MEASURE_MAX)
        try:
            check_deadline(draft.deadline, today)
        except DateRefused as refused:
            raise refused_date(refused) from None
        if draft.rule_id is not None and draft.rule_id not in allowed_rules:
            raise ServiceError("register.bad_rule")
        person = await responsible_person(session, post, declarant, draft.responsible_id)
        measures.append(
            ControlMeasure(
                action=action,
                responsible_id=person.id,
                responsible_name=person.name,
                deadline=draft.deadline,
                status=MeasureStatus.PLANNED.value,
                rule_id=draft.rule_id,
                created_at=now,
                updated_at=now,
            )
        )
    return measures
