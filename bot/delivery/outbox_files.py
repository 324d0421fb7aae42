"""Files an outbox row uploads (a chart): kept once per content, in the caller's transaction.

A row refers to one as `{FILE_REF: id}` in its payload (`render_payload(photo_file=...)`); the
sender reads the bytes when it sends. Once no row waits to send a file, a periodic job
(`prune_sent_files`) deletes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.outbox import FILE_REF, insert_for
from bot.domain.clock import Clock
from storage.models.digest import OutboxFile
from storage.models.outbox import OutboxMessage, OutboxStatus

# A file younger than this is kept even when no row names it yet: the transaction that stored
# it (a digest run) may not have committed its rows.
FILES_KEPT = timedelta(hours=1)
# Rows that may still send their file.
WAITING = (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value)


async def store_files(
    session: AsyncSession, files: Sequence[tuple[bytes, str]], *, clock: Clock | None = None
) -> list[int]:
    """Keep files (data, file name) for outbox rows to upload (`photo_file=`): one row per
    content, in the caller's transaction; their ids in order. Two statements for any number."""
    if not files:
        return []
    now = (clock or Clock()).now()
    digests = [hashlib.sha256(data).hexdigest() for data, _ in files]
    rows = {
        digest: {"sha256": digest, "file_name": name, "data": data, "created_at": now}
        for digest, (data, name) in zip(digests, files, strict=True)
    }
    await session.execute(
        insert_for(session)(OutboxFile).on_conflict_do_nothing(index_elements=["sha256"]),
        list(rows.values()),
    )
    found = await session.execute(
        select(OutboxFile.sha256, OutboxFile.id).where(OutboxFile.sha256.in_(list(rows)))
    )
    ids = {digest: file_id for digest, file_id in found}
    return [int(ids[digest]) for digest in digests]


async def store_file(
    session: AsyncSession, data: bytes, file_name: str, *, clock: Clock | None = None
) -> int:
    """`store_files` for one file."""
    (file_id,) = await store_files(session, [(data, file_name)], clock=clock)
    return file_id


def _file_ref(payload: dict[str, Any] | None) -> int | None:
    photo = (payload or {}).get("photo")
    if isinstance(photo, dict) and FILE_REF in photo:
        return int(photo[FILE_REF])
    return None


async def prune_sent_files(session: AsyncSession, now: datetime) -> int:
    """Delete stored files no waiting row will send (all sent, failed or cancelled), older
    than `FILES_KEPT`; the count deleted."""
    waiting = await session.scalars(
        select(OutboxMessage.payload).where(OutboxMessage.status.in_(WAITING))
    )
    needed = {ref for payload in waiting if (ref := _file_ref(payload)) is not None}
    query = delete(OutboxFile).where(OutboxFile.created_at < now - FILES_KEPT)
    if needed:
        query = query.where(OutboxFile.id.not_in(sorted(needed)))
    result = await session.execute(query)
    return int(getattr(result, "rowcount", 0) or 0)
