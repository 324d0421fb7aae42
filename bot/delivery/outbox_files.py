"""Files an outbox row uploads (a chart): kept once per content, in the caller's transaction.

A row refers to one as `{FILE_REF: id}` in its payload (`render_payload(photo_file=...)`); the
sender reads the bytes when it sends.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.outbox import insert_for
from bot.domain.clock import Clock
from storage.models.digest import OutboxFile


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
