"""A citizen gives feedback on a publicised risk point: the checks at each step and the
submission that stores it, routes it and tells the answering tier.

Each step's check runs again at submission (a round may close, a limit fill up, while the
person types). Refusals are `ServiceError`s whose keys say the rule and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import feedback as rules
from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.domain.feedback import Kind, State
from bot.services.feedback import moves, notices, routing, senders
from bot.services.feedback.config import FeedbackConfig
from bot.services.publicity.lookup import PublicItem, public_item, public_item_by_id
from storage.models.feedback import Feedback
from storage.models.org import Person

NAME_MAX = 100
PHONE_MAX = 32
CODE_ATTEMPTS = 8


@dataclass(frozen=True)
class Evidence:
    """A photo or document the sender attached, kept by Telegram file_id."""

    type: str  # "photo" / "document"
    file_id: str
    name: str = ""

    def as_json(self) -> dict[str, str]:
        return {"type": self.type, "file_id": self.file_id, "name": self.name}


@dataclass(frozen=True)
class Draft:
    item_id: int
    kind: Kind
    text: str
    evidence: tuple[Evidence, ...] = ()
    anonymous: bool = True
    name: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Receipt:
    feedback_id: int
    code: str


async def open_item(
    session: AsyncSession,
    clock: Clock,
    config: FeedbackConfig,
    person: Person,
    *,
    item_id: int | None = None,
    code: str | None = None,
) -> PublicItem:
    """The public item feedback is about, if this person may give feedback on it now."""
    item = None
    if item_id:
        item = await public_item_by_id(session, item_id)
    elif code:
        item = await public_item(session, code)
    if item is None or not item.is_open:
        raise ServiceError("feedback.not_in_publicity")
    if person.unit_id is not None and person.unit_id == item.unit_id:
        raise ServiceError("feedback.own_unit")
    await check_daily_limit(session, clock, config, person)
    return item


def _day_start(clock: Clock, config: FeedbackConfig) -> datetime:
    zone = ZoneInfo(config.timezone)
    local = clock.now().astimezone(zone)
    return datetime.combine(local.date(), time(0), tzinfo=zone)


async def check_daily_limit(
    session: AsyncSession, clock: Clock, config: FeedbackConfig, person: Person
) -> None:
    sent = await senders.sent_since(session, person, _day_start(clock, config))
    if sent >= config.per_day:
        raise ServiceError("feedback.daily_limit", limit=config.per_day)


async def check_text(
    session: AsyncSession, person: Person, text: str | None, *, has_link_entity: bool = False
) -> str:
    """The text as it will be kept, or why not (length, links, sent before)."""
    cleaned = rules.check_text(text, has_link_entity=has_link_entity)
    earlier = await senders.same_text(session, person, rules.dedup_key(cleaned))
    if earlier is not None:
        raise ServiceError("feedback.duplicate", code=earlier.code)
    return cleaned


def check_evidence(evidence: tuple[Evidence, ...]) -> None:
    if len(evidence) > rules.EVIDENCE_MAX:
        raise ServiceError("feedback.too_many_files", max=rules.EVIDENCE_MAX)


def clean_phone(phone: str | None) -> str | None:
    phone = (phone or "").strip()
    return phone[:PHONE_MAX] or None


async def _fresh_code(session: AsyncSession) -> str:
    for _ in range(CODE_ATTEMPTS):
        code = rules.new_code()
        if await session.scalar(select(Feedback.id).where(Feedback.code == code)) is None:
            return code
    raise RuntimeError("no free receipt code")  # 2^40 codes: practically unreachable


async def submit(
    session: AsyncSession, clock: Clock, config: FeedbackConfig, person: Person, draft: Draft
) -> Receipt:
    """Store the feedback, route it, audit it without a sender, tell the answering tier."""
    item = await open_item(session, clock, config, person, item_id=draft.item_id)
    text = await check_text(session, person, draft.text)
    check_evidence(draft.evidence)
    route = await routing.route_for(
        session, config, kind=draft.kind, level=item.level, unit_id=item.unit_id
    )
    now = clock.now()
    signed_name = None if draft.anonymous else (draft.name or person.name)[:NAME_MAX]
    record = Feedback(
        code=await _fresh_code(session),
        item_id=item.item_id,
        round_id=item.round_id,
        risk_id=item.risk_id,
        unit_id=item.unit_id,
        level=item.level,
        kind=draft.kind.value,
        text=text,
        evidence=[e.as_json() for e in draft.evidence],
        anonymous=draft.anonymous,
        signed_name=signed_name,
        signed_phone=None if draft.anonymous else clean_phone(draft.phone),
        status=State.RECEIVED.value,
        route_tier=route.tier.value,
        route_unit_id=route.unit_id,
        waiting_since=now,
        due_at=now + config.answer_period,
        created_at=now,
    )
    session.add(record)
    await session.flush()
    senders.remember(session, record, person, rules.dedup_key(text), now)
    moves.record_submit(session, clock, record)
    people = await routing.people_for(session, route, record)
    await notices.tell(
        session, clock, config, people, "feedback.notice.new", record,
        days=config.answer_period.days,
    )  # fmt: skip
    return Receipt(record.id, record.code)
