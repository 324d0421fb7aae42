"""Messages about feedback, each rendered in its recipient's language and queued in the
outbox in the caller's transaction (a refused or rolled-back move sends nothing).

What officials are told names the item by its receipt code, the risk, the kind and an excerpt
of the text — never who sent it. The sender is reached through `senders.sender_of()` only.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.outbox import PRIORITY_PERSONAL, enqueue, person_locale
from bot.domain.clock import Clock
from bot.domain.feedback import KIND_KEYS, Kind
from bot.i18n import N_, translate
from bot.services import review_subject as subject
from bot.services.feedback import senders
from bot.services.feedback.config import FeedbackConfig
from storage.models.feedback import Feedback
from storage.models.org import Person

EXCERPT = 200
# Every feedback notice: its message key → its outbox kind (a delivery label, not a key).
OUTBOX_KINDS: dict[str, str] = {
    N_("feedback.notice.new"): "feedback.new",
    N_("feedback.notice.answered"): "feedback.answered",
    N_("feedback.notice.appealed"): "feedback.appealed",
    N_("feedback.notice.reopened"): "feedback.reopened",
    N_("feedback.notice.duplicate"): "feedback.duplicate",
    N_("feedback.notice.hidden"): "feedback.hidden",
    N_("feedback.notice.closed"): "feedback.closed",
    N_("feedback.notice.reminder"): "feedback.reminder",
    N_("feedback.notice.overdue"): "feedback.overdue",
    N_("feedback.notice.alert"): "feedback.alert",
}


def excerpt(text: str, limit: int = EXCERPT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def item_values(session: AsyncSession, item: Feedback) -> dict[str, Any]:
    """The plain values every feedback message may use (escaped when rendered)."""
    risk = await subject.get_risk(session, item.risk_id)
    return {
        "code": item.code,
        "title": subject.title(risk) if risk is not None else "-",
        "text": excerpt(item.text),
    }


def render(key: str, locale: str, kind: str | None, values: dict[str, Any]) -> str:
    escaped = {k: html.escape(v) if isinstance(v, str) else v for k, v in values.items()}
    if kind is not None:
        escaped["kind"] = translate(KIND_KEYS[Kind(kind)], locale)
    return translate(key, locale, **escaped)


async def tell(
    session: AsyncSession,
    clock: Clock,
    config: FeedbackConfig,
    people: Iterable[Person],
    key: str,
    item: Feedback,
    *,
    dedup: str | None = None,
    **values: Any,
) -> int:
    """Queue `key` (one of `OUTBOX_KINDS`) about `item` for each of `people`; `dedup` (with
    the person id appended) makes a scheduled step fire once. Returns how many were queued."""
    base = await item_values(session, item) | values
    queued = 0
    for person in people:
        if person.telegram_id is None or not person.active:
            continue
        text = render(key, person_locale(person, config.settings), item.kind, base)
        message_id = await enqueue(
            session,
            chat_id=person.telegram_id,
            person_id=person.id,
            text=text,
            kind=OUTBOX_KINDS[key],
            priority=PRIORITY_PERSONAL,
            dedup_key=f"{dedup}:{person.id}" if dedup else None,
            clock=clock,
            settings=config.settings,
        )
        queued += message_id is not None
    return queued


async def tell_sender(
    session: AsyncSession,
    clock: Clock,
    config: FeedbackConfig,
    key: str,
    item: Feedback,
    **values: Any,
) -> int:
    """Tell the item's sender, in their language (nothing if they are gone)."""
    person = await senders.sender_of(session, item)
    if person is None:
        return 0
    return await tell(session, clock, config, [person], key, item, **values)
