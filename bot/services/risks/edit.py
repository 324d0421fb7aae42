"""The holder changes a record's description, type or focus programme before approval."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.domain.grading import suggested_level
from bot.domain.register_rules import DESCRIPTION_MAX, RISK_TYPES
from bot.services import audit
from bot.services.powers import text_or_refuse
from bot.services.review_subject import snapshot
from bot.services.risks.common import (
    EDITABLE,
    EDITABLE_STATES,
    factor_values,
    holders_risk,
    rule_of,
)
from bot.services.rules_register import focus_programmes
from bot.settings import Settings
from storage.models.org import Person
from storage.models.register import RiskPoint


async def edit_risk(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person,
    risk_id: int,
    field: str,
    value: str | None,
    settings: Settings,
) -> RiskPoint:
    """Change the description, type or focus programme while the record is with its holder."""
    risk = await holders_risk(session, actor, risk_id)
    if risk.status not in EDITABLE_STATES:
        raise ServiceError("register.risk_locked")
    if field not in EDITABLE:
        raise ServiceError("register.bad_field")
    before = snapshot(risk)
    if field == "description":
        risk.description = text_or_refuse(value, DESCRIPTION_MAX)
    elif field == "risk_type":
        if value not in RISK_TYPES:
            raise ServiceError("register.bad_risk_type")
        risk.risk_type = value
    else:
        if value is not None and value not in await focus_programmes(session):
            raise ServiceError("register.bad_focus")
        risk.focus_programme = value
    if risk.suggested_level is not None:
        risk.suggested_level = suggested_level(
            factor_values(risk), rule_of(settings), focus=bool(risk.focus_programme)
        )
    risk.updated_at = clock.now()
    audit.record(
        session,
        clock,
        actor=actor,
        action="risk.edit",
        entity=risk,
        before=before,
        after=snapshot(risk),
    )
    return risk
