"""Enqueue benchmark: a 10,000-recipient broadcast enqueued one `enqueue()` at a time versus
`enqueue_many()` (one multi-row INSERT per chunk), each in one transaction, in the same run.

    python -m bench.enqueue [--rows 10000]

BENCH_DATABASE_URL picks the database (default a file SQLite). The last line printed is one
JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench import add_recipients, bench_settings, database_url, enqueue_each, migrated, temp_folder
from bot.delivery.outbox import Outgoing, enqueue_many
from storage.models.outbox import OutboxMessage

FIRST_ID = 500_000_001


async def run(rows: int) -> dict[str, Any]:
    with temp_folder() as tmp:
        url = database_url(Path(tmp))
        settings = bench_settings(url)
        engine, sessionmaker = await migrated(url)
        chats = list(range(FIRST_ID, FIRST_ID + rows))
        await add_recipients(sessionmaker, chats)

        started = time.monotonic()
        await enqueue_each(
            sessionmaker,
            chats,
            "<b>通知</b> to {chat}",
            kind="bench",
            batch_id="single",
            dedup_key="single:{chat}",
            settings=settings,
        )
        single = time.monotonic() - started

        started = time.monotonic()
        async with sessionmaker() as session, session.begin():
            await enqueue_many(
                session,
                [
                    Outgoing(chat, f"<b>通知</b> to {chat}", dedup_key=f"bulk:{chat}")
                    for chat in chats
                ],
                kind="bench",
                batch_id="bulk",
                settings=settings,
            )
        bulk = time.monotonic() - started

        async with sessionmaker() as session:
            stored = await session.scalar(select(func.count()).select_from(OutboxMessage))
        await engine.dispose()
    return {
        "rows": rows,
        "backend": url.split(":", 1)[0],
        "single_s": round(single, 2),
        "bulk_s": round(bulk, 2),
        "speedup": round(single / bulk, 1),
        "rows_stored": stored,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    result = asyncio.run(run(args.rows))
    print(f"single enqueue x{result['rows']}   {result['single_s']}s")
    print(f"enqueue_many x{result['rows']}     {result['bulk_s']}s")
    print(f"speedup                {result['speedup']}x")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
