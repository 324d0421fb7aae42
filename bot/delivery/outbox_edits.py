"""Edits of messages the bot sent (editMessageText), queued like any outbox row."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.outbox import PRIORITY_BULK, insert_row, render_payload, row_values
from bot.domain.clock import Clock


async def enqueue_edit(
    session: AsyncSession,
    *,
    chat_id: int,
    message_id: int,
    text: str,
    kind: str,
    dedup_key: str | None = None,
    reply_markup: BaseModel | dict[str, Any] | None = None,
    priority: int = PRIORITY_BULK,
    clock: Clock | None = None,
) -> int | None:
    """Queue an edit of a message the bot sent (editMessageText), e.g. a channel post.

    Paced and retried like any row; an edit carries no reply markup unless given, so the old
    buttons go. Edits are not held for quiet hours (nobody is woken by an edit).
    """
    now = (clock or Clock()).now()
    payload = render_payload(text, reply_markup=reply_markup)
    payload["method"] = "editMessageText"
    payload["message_id"] = message_id
    values = row_values(
        chat_id=chat_id,
        person_id=None,
        kind=kind,
        priority=priority,
        dedup_key=dedup_key,
        payload=payload,
        urgent=False,
        due=now,
        now=now,
        batch_id=None,
    )
    return await insert_row(session, values)
