"""What a citizen may see of a publicised risk point: the one read the public side uses.

The feedback flow (and the citizens' cards) code against this module only. Everything a
`PublicItem` holds is safe to show to anyone: the unit, the post's title, the risk's
description, type and level, and what the measures do. It never carries a personal name — not
the holder's, not a measure's responsible person (`ControlMeasure.responsible_name` is left
out on purpose), not a reviewer's.

Lookups are read-only: they never flush, write or raise for an unknown code; a code that does
not exist, or belongs to a round that is not open, is treated by the caller as "not found"
(`public_item` and `public_item_by_id` return closed items too, with `is_open` False, so a
card can say the round is over; `open_item_for_risk` returns only items of an open round).

For the feedback flow: the card's button is ``FeedbackCb(action=FeedbackAction.START,
item_id=PublicItem.item_id)`` (`handlers/callbacks.py`); resolve it with `public_item_by_id`
and refuse unless ``is_open``. A deep link is ``/start fb_<code>`` (`code_from_payload`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.publicity import RoundState
from storage.models.org import Post, Unit
from storage.models.publicity import CODE_MAX, PublicityItem, PublicityRound
from storage.models.register import ControlMeasure, RiskPoint

CODE_PREFIX = "fb_"  # the /start payload of a channel's deep link: fb_<code>


@dataclass(frozen=True)
class PublicItem:
    """One risk point as one round shows it to the public.

    * ``item_id`` — `PublicityItem.id`: what buttons carry (the feedback button's callback
      data is ``FeedbackCb(action=start, item_id=...)`` in `handlers/callbacks.py`).
    * ``code`` — the public code; the channel's deep link is ``/start fb_<code>``.
    * ``round_id``, ``risk_id``, ``unit_id`` — for the feedback record and its routing
      (``unit_id`` is the unit of the risk's post, which may be a department).
    * ``unit_name``, ``post_title`` — names of the unit and the post (never a person).
    * ``description`` — the risk's 风险表现, as the holder wrote it (quote it as HTML).
    * ``risk_type`` — the stored value (``moral`` / ``duty`` / ``system`` / ``external`` /
      ``process``); render it with the ``register.risk_type.*`` catalog keys.
    * ``level`` — 1, 2 or 3 as announced in the round (None if the risk had none).
    * ``measures`` — what each control measure does (``ControlMeasure.action``), in order.
    * ``round_state`` — ``RoundState`` of the round; ``is_open`` is True while it is open,
      i.e. while feedback may be given on it. ``ends_at`` is when the round closes (UTC).
    """

    item_id: int
    code: str
    round_id: int
    risk_id: int
    unit_id: int
    unit_name: str
    post_title: str
    description: str
    risk_type: str
    level: int | None
    measures: tuple[str, ...]
    round_state: RoundState
    ends_at: datetime

    @property
    def is_open(self) -> bool:
        return self.round_state is RoundState.OPEN


def code_from_payload(payload: str | None) -> str | None:
    """The code in a ``/start fb_<code>`` payload, or None when it is not such a payload."""
    if not payload or not payload.startswith(CODE_PREFIX):
        return None
    code = payload[len(CODE_PREFIX) :]
    if not code or len(code) > CODE_MAX:
        return None
    return code


async def public_item(session: AsyncSession, code: str) -> PublicItem | None:
    """The item with this public code (from a deep link), or None if there is none.

    Returns items of closed rounds too (check ``is_open`` before accepting feedback); a code
    longer than the column or otherwise malformed is simply not found.
    """
    if not code or len(code) > CODE_MAX:
        return None
    item = await session.scalar(select(PublicityItem).where(PublicityItem.code == code))
    return await _public(session, item) if item is not None else None


async def public_item_by_id(session: AsyncSession, item_id: int) -> PublicItem | None:
    """The item with this id (from a button's callback data), or None if there is none."""
    item = await session.get(PublicityItem, item_id)
    return await _public(session, item) if item is not None else None


async def open_item_for_risk(session: AsyncSession, risk_id: int) -> PublicItem | None:
    """The item showing this risk in the round that is open now, or None.

    A risk is in at most one open round, so there is at most one such item. None means the
    risk is not in publicity at the moment: feedback on it must be refused.
    """
    item = await session.scalar(
        select(PublicityItem)
        .join(PublicityRound, PublicityRound.id == PublicityItem.round_id)
        .where(PublicityItem.risk_id == risk_id, PublicityRound.status == RoundState.OPEN.value)
        .order_by(PublicityItem.id.desc())
        .limit(1)
    )
    return await _public(session, item) if item is not None else None


async def measures_of(session: AsyncSession, risk_ids: list[int]) -> dict[int, list[str]]:
    """What the measures of these risks do, per risk, in order (no names)."""
    out: dict[int, list[str]] = {risk_id: [] for risk_id in risk_ids}
    if not risk_ids:
        return out
    rows = await session.execute(
        select(ControlMeasure.risk_id, ControlMeasure.action)
        .where(ControlMeasure.risk_id.in_(risk_ids))
        .order_by(ControlMeasure.risk_id, ControlMeasure.id)
    )
    for risk_id, action in rows:
        out[risk_id].append(action)
    return out


async def _public(session: AsyncSession, item: PublicityItem) -> PublicItem | None:
    row = (
        await session.execute(
            select(RiskPoint, Post.name, Unit.name, PublicityRound.status, PublicityRound.ends_at)
            .join(Post, Post.id == RiskPoint.post_id)
            .join(Unit, Unit.id == item.unit_id)
            .join(PublicityRound, PublicityRound.id == item.round_id)
            .where(RiskPoint.id == item.risk_id)
        )
    ).first()
    if row is None:
        return None
    risk, post_title, unit_name, status, ends_at = row
    measures = await measures_of(session, [risk.id])
    return PublicItem(
        item_id=item.id,
        code=item.code,
        round_id=item.round_id,
        risk_id=risk.id,
        unit_id=item.unit_id,
        unit_name=unit_name,
        post_title=post_title,
        description=risk.description,
        risk_type=risk.risk_type,
        level=item.level,
        measures=tuple(measures[risk.id]),
        round_state=RoundState(status),
        ends_at=ends_at,
    )
