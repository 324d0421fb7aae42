"""The review's one seam to the risk register: every read or write of a register record.

The register (issue 4) owns risk points, powers and measures; the review reads and moves
them only through these functions, so a change in the register's model touches this file
alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.grading import FACTORS
from bot.domain.risk_workflow import RiskState
from bot.services import audit
from storage.models.org import Post
from storage.models.register import Power, RiskPoint
from storage.repositories import people as people_repo
from storage.repositories import risks as risks_repo

TITLE_MAX = 40


async def get_risk(session: AsyncSession, risk_id: int) -> RiskPoint | None:
    return await session.get(RiskPoint, risk_id)


async def post_of(session: AsyncSession, risk: RiskPoint) -> Post:
    post = await session.get(Post, risk.post_id)
    if post is None:  # pragma: no cover - a foreign key guarantees it
        raise LookupError(f"risk {risk.id} has no post")
    return post


async def holder_ids(session: AsyncSession, risk: RiskPoint) -> set[int]:
    """Whose record it is: the declarant and whoever holds the post now."""
    ids = await people_repo.active_ids_on_post(session, risk.post_id)
    # Empty on a top-down proposal until the holder confirms (the proposer is not a holder).
    if risk.created_by_id is not None:
        ids.add(risk.created_by_id)
    return ids


def status(risk: RiskPoint) -> str:
    return str(risk.status)


# What the audit trail keeps of a risk point (with its review levels, see `review.move`).
SNAPSHOT_FIELDS = (
    "post_id",
    "power_id",
    "description",
    "risk_type",
    "focus_programme",
    *(f.value for f in FACTORS),
    "suggested_level",
    "status",
    "discussion_date",
    "discussion_summary",
    "self_reviewed_at",
    "dispute_reason",
)


def snapshot(risk: RiskPoint) -> dict[str, Any]:
    return audit.snapshot(risk, *SNAPSHOT_FIELDS)


def factors(risk: RiskPoint) -> dict[str, int] | None:
    """The five factors, or None while any is missing."""
    values = {factor.value: getattr(risk, factor.value, None) for factor in FACTORS}
    if any(value is None for value in values.values()):
        return None
    return {name: int(value) for name, value in values.items() if value is not None}


def is_focus(risk: RiskPoint) -> bool:
    return bool(risk.focus_programme)


def title(risk: RiskPoint) -> str:
    """A short name for notices: the start of the description."""
    return clip_title(risk.description)


def clip_title(description: str | None) -> str:
    """Cut after a whole word when the text has words ("Accepting a dinner during an…", not
    "…an on-site ch…"); Chinese has no spaces and is cut at the limit."""
    text = description or ""
    if len(text) <= TITLE_MAX:
        return text
    cut = text[: TITLE_MAX - 1]
    space = cut.rfind(" ")
    if space >= TITLE_MAX // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def set_suggested_level(risk: RiskPoint, level: int) -> None:
    risk.suggested_level = level


def set_final_level(risk: RiskPoint, level: int) -> None:
    risk.level = level


def set_regrade_due(risk: RiskPoint, due: datetime | None) -> None:
    """The register shows the next re-grading date too (the review keeps its own copy)."""
    risk.regrade_due_at = due


async def power_name(session: AsyncSession, risk: RiskPoint) -> str | None:
    if risk.power_id is None:
        return None
    power = await session.get(Power, risk.power_id)
    return power.name if power else None


async def ids_in_state(session: AsyncSession, state: str) -> Sequence[int]:
    return await risks_repo.ids_in_states(session, [state])


def describe(risk: RiskPoint) -> dict[str, Any]:
    """What a card shows of the record itself (the register's fields)."""
    return {
        "description": risk.description,
        "risk_type": risk.risk_type,
        "focus": risk.focus_programme,
        "power_id": risk.power_id,
        "measures": [
            f"{m.action} · {m.responsible_name or '-'} · {m.deadline.isoformat()}"
            for m in risk.measures
        ],
    }


async def ids_in_states_for_units(
    session: AsyncSession, states: Sequence[str], unit_ids: Sequence[int] | None
) -> Sequence[int]:
    """Risks in any of `states` whose post is in `unit_ids` (None: anywhere), oldest first."""
    return await risks_repo.ids_in_states(session, states, unit_ids)


async def count_in_register(session: AsyncSession, unit_ids: Sequence[int] | None) -> int:
    """How many risk points the register lists for `unit_ids` (None: all); withdrawn ones are
    left out, as the export leaves them out."""
    states = [state.value for state in RiskState if state is not RiskState.WITHDRAWN]
    return len(await risks_repo.ids_in_states(session, states, unit_ids))
