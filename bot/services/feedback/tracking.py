"""What a sender sees of their own feedback: /track CODE, /mine, and rating the answer.

A code that does not exist and a code someone else holds get the same "not found", so codes
cannot be probed; each wrong code is counted, and after `TRACK_MISSES_MAX` within
`TRACK_WINDOW` the person is told how long to wait (`bot.domain.feedback.track_wait`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import feedback as rules
from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.domain.feedback import Action, Actor, Rating, State
from bot.services.feedback import moves, notices, routing, senders
from bot.services.feedback.config import FeedbackConfig
from bot.services.publicity.lookup import public_item_by_id
from storage.models.feedback import Feedback, FeedbackLookupMiss
from storage.models.org import Person

MINE_PAGE = 5


@dataclass(frozen=True)
class OwnView:
    """One of the sender's items, as they may read it."""

    feedback_id: int
    code: str
    kind: str
    state: str
    created_at: datetime
    unit_name: str
    post_title: str
    text: str
    answer: str | None
    first_answer: str | None
    rating: str | None
    hidden_reason: str | None
    can_rate: bool
    version: int


@dataclass(frozen=True)
class Lookup:
    view: OwnView | None = None
    wait: timedelta | None = None  # set when the person must wait before another try


async def _view(session: AsyncSession, item: Feedback) -> OwnView:
    public = await public_item_by_id(session, item.item_id)
    return OwnView(
        feedback_id=item.id,
        code=item.code,
        kind=item.kind,
        state=item.status,
        created_at=item.created_at,
        unit_name=public.unit_name if public else "-",
        post_title=public.post_title if public else "-",
        text=item.text,
        answer=item.answer,
        first_answer=item.first_answer,
        rating=item.rating,
        hidden_reason=item.hidden_reason,
        can_rate=item.status == State.ANSWERED.value and item.rating is None,
        version=item.version,
    )


async def _misses(session: AsyncSession, person: Person, now: datetime) -> list[datetime]:
    rows = await session.scalars(
        select(FeedbackLookupMiss.at).where(
            FeedbackLookupMiss.person_id == person.id,
            FeedbackLookupMiss.at > now - rules.TRACK_WINDOW,
        )
    )
    return list(rows)


async def track(session: AsyncSession, clock: Clock, person: Person, typed: str) -> Lookup:
    """The person's item with this code; a wrong one is counted (the caller commits it)."""
    now = clock.now()
    wait = rules.track_wait(await _misses(session, person, now), now)
    if wait is not None:
        return Lookup(wait=wait)
    code = rules.normalize_code(typed)
    item = await senders.own_item_by_code(session, person, code) if code else None
    if item is None:
        session.add(FeedbackLookupMiss(person_id=person.id, at=now))
        return Lookup()
    return Lookup(view=await _view(session, item))


async def mine(
    session: AsyncSession, person: Person, offset: int = 0
) -> tuple[list[OwnView], int]:
    items, total = await senders.own_items(session, person, limit=MINE_PAGE, offset=offset)
    return [await _view(session, item) for item in items], total


async def own(session: AsyncSession, person: Person, feedback_id: int) -> Feedback:
    """The person's own item by id (from a button); anyone else's is "not found"."""
    item = await session.get(Feedback, feedback_id)
    if item is None or not await senders.is_sender(session, item, person):
        raise ServiceError("feedback.not_found")
    return item


async def own_view(session: AsyncSession, person: Person, feedback_id: int) -> OwnView:
    return await _view(session, await own(session, person, feedback_id))


async def rate(
    session: AsyncSession,
    clock: Clock,
    config: FeedbackConfig,
    person: Person,
    *,
    feedback_id: int,
    rating: Rating,
    expected_version: int | None = None,
) -> OwnView:
    """Record the sender's rating; 不满意 (the first time) sends the item to the tier above
    for a second answer, which is told."""
    item = await own(session, person, feedback_id)
    if item.rating is not None and item.status == State.ANSWERED.value:
        raise ServiceError("feedback.already_rated")
    action = rules.rating_action(rating, appealed_before=item.appealed)
    now = clock.now()
    if action is Action.APPEAL:
        route = await routing.above(session, item) or routing.route_of(item)
        await moves.move(
            session, clock, item, action, {Actor.SENDER},
            expected_version=expected_version,
            changes={
                "rating": None, "appealed": True, "first_answer": item.answer, "answer": None,
                "route_tier": route.tier.value, "route_unit_id": route.unit_id,
                "waiting_since": now, "due_at": now + config.answer_period,
                "ladder_step": rules.Step.NONE.value,
            },
        )  # fmt: skip
        people = await routing.people_for(session, route, item)
        await notices.tell(
            session, clock, config, people, "feedback.notice.appealed", item,
            first=notices.excerpt(item.first_answer or ""), days=config.answer_period.days,
        )  # fmt: skip
    else:
        await moves.move(
            session, clock, item, action, {Actor.SENDER},
            expected_version=expected_version,
            changes={"rating": rating.value, "rated_at": now},
        )  # fmt: skip
    return await _view(session, item)


async def prune_misses(session: AsyncSession, now: datetime) -> None:
    """Forget wrong codes older than the rate limit's window (they count for nothing)."""
    await session.execute(
        delete(FeedbackLookupMiss).where(FeedbackLookupMiss.at < now - rules.TRACK_WINDOW)
    )
