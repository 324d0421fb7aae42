"""Publicity benchmark: a round over a district of the seed's size (2,351 approved risk points
in 40 units) with 10,000 subscribers.

1. Opening the round as the scheduler does it for a round this large (items with codes, 2,351
   `publicise` transitions with their audit rows in chunked transactions, the channel posts,
   10,000 subscribers' notices: all rows written, committed), timed against
   `enqueue_many` of the same number of outbox rows in the same run and database; 3 runs,
   min / median / max, with the load average.
2. Delivery of the notices (and the channel posts) through the sandbox with Telegram's flood
   limits on: calls per second while the notices went out, as a share of the configured
   global limit; every subscriber told exactly once.

    python -m bench.publicity [--subscribers 10000] [--runs 3] [--seed 1]

BENCH_DATABASE_URL picks the database (default a file SQLite). The last line printed is one
JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import delete, func, insert, select

from bench import (
    CallLog,
    bench_settings,
    control,
    database_url,
    free_port,
    make_bot,
    migrated,
    sandbox_process,
    temp_folder,
)
from bot.app.pacing import Pacer
from bot.app.pacing_middleware import install_pacing
from bot.app.sender import OutboxSender
from bot.delivery.outbox import Outgoing, enqueue_many
from bot.domain.clock import Clock
from bot.domain.roles import Role
from bot.sandbox import CHANNEL_ID
from bot.scheduling import publicity_rounds
from bot.scheduling.runner import run_job
from bot.services.publicity import rounds
from bot.services.publicity.config import PublicityConfig
from bot.settings import Settings
from storage.db import SessionMaker
from storage.models.audit import AuditLog
from storage.models.org import Person, Post, RoleAssignment, Unit
from storage.models.outbox import OutboxMessage, OutboxStatus
from storage.models.publicity import PublicityItem, PublicityPost, PublicitySubscription
from storage.models.register import ControlMeasure, RiskPoint
from storage.models.review import RiskReview

FIRST_ID = 600_000_001
BUREAUS = 39  # + the district: 40 units
POSTS_PER_BUREAU = 3
LEVELS = (683, 937, 731)  # the seed's level-1 / level-2 / level-3 risk points: 2,351
EXTRA_MEASURES = 150  # 2,351 + 150 = 2,501 measures (the seed: 2,500+)


def publicity_settings(url: str) -> Settings:
    return bench_settings(url, bot_username="qingfeng_bot", public_channel_id=CHANNEL_ID)


async def seed(sessionmaker: SessionMaker, subscribers: int, rng: random.Random) -> int:
    """The district, its approved risks, an admin and the subscribers; returns the admin's id."""
    now = datetime.now(UTC)
    async with sessionmaker() as session, session.begin():
        district = Unit(name="长安区", kind="district", path="长安区")
        session.add(district)
        await session.flush()
        bureaus = [
            Unit(
                name=f"第{n:02d}局",
                kind="bureau",
                path=f"长安区/第{n:02d}局",
                parent_id=district.id,
            )
            for n in range(1, BUREAUS + 1)
        ]
        session.add_all(bureaus)
        await session.flush()
        posts = [
            Post(unit_id=b.id, name=f"{b.name}审批岗{p}") for b in bureaus for p in range(1, 4)
        ]
        session.add_all(posts)
        await session.flush()
        levels = [1] * LEVELS[0] + [2] * LEVELS[1] + [3] * LEVELS[2]
        rng.shuffle(levels)
        risk_rows = [
            {
                "post_id": posts[n % len(posts)].id,
                "description": f"风险点{n + 1}：审批环节自由裁量空间较大，可能优亲厚友。",
                "risk_type": "duty",
                "level": level,
                "suggested_level": level,
                "status": "approved",
                "origin": "bottom_up",
                "created_at": now,
                "updated_at": now,
            }
            for n, level in enumerate(levels)
        ]
        await session.execute(insert(RiskPoint), risk_rows)
        risk_ids = list(await session.scalars(select(RiskPoint.id).order_by(RiskPoint.id)))
        await session.execute(
            insert(RiskReview),
            [{"risk_id": r, "version": 1, "approved_at": now} for r in risk_ids],
        )
        measures = [
            {
                "risk_id": r,
                "action": "重要事项集体研究、双人复核，结果公开。",
                "responsible_name": "某某",
                "deadline": date(2027, 6, 30),
                "status": "planned",
                "created_at": now,
                "updated_at": now,
            }
            for r in risk_ids + risk_ids[:EXTRA_MEASURES]
        ]
        await session.execute(insert(ControlMeasure), measures)
        admin = Person(telegram_id=FIRST_ID - 1, name="纪委", unit_id=district.id)
        admin.role_assignments = [RoleAssignment(role=Role.ADMIN.value, unit_id=None)]
        session.add(admin)
        people = [
            {"telegram_id": FIRST_ID + n, "name": f"S{n}", "language": rng.choice(("zh", "en"))}
            for n in range(subscribers)
        ]
        await session.execute(insert(Person), people)
        ids = list(await session.scalars(select(Person.id).where(Person.telegram_id >= FIRST_ID)))
        bureau_ids = [b.id for b in bureaus]
        await session.execute(
            insert(PublicitySubscription),
            [
                {
                    "person_id": pid,
                    "all_units": n % 3 == 0,
                    "unit_ids": [] if n % 3 == 0 else rng.sample(bureau_ids, 2),
                    "updated_at": now,
                }
                for n, pid in enumerate(ids)
            ],
        )
        await session.flush()
        return admin.id


async def count(sessionmaker: SessionMaker, model: type, *where: Any) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


async def open_once(subscribers: int, seed_value: int, *, deliver: bool) -> dict[str, Any]:
    rng = random.Random(seed_value)
    with temp_folder() as tmp:
        url = database_url(Path(tmp))
        settings = publicity_settings(url)
        config = PublicityConfig.from_settings(settings)
        engine, sessionmaker = await migrated(url)
        admin_id = await seed(sessionmaker, subscribers, rng)
        clock = Clock()
        async with sessionmaker() as session:
            admin = await session.get(Person, admin_id)
        started = time.monotonic()
        async with sessionmaker() as session, session.begin():
            rnd = await rounds.create_round(
                session, clock, config, actor=admin, draft=rounds.Draft(True, (), False, None)
            )
        # A round this large is opened by the scheduler's job, a chunk per transaction.
        await run_job(publicity_rounds.open_due, sessionmaker, clock, settings)
        open_s = time.monotonic() - started
        items = await count(sessionmaker, PublicityItem)
        posts = await count(sessionmaker, PublicityPost)
        outbox = await count(sessionmaker, OutboxMessage)
        audits = await count(sessionmaker, AuditLog)
        notices = await count(
            sessionmaker, OutboxMessage, OutboxMessage.kind == "publicity.opened"
        )
        rows = items + posts + outbox + audits

        started = time.monotonic()
        async with sessionmaker() as session, session.begin():
            await enqueue_many(
                session,
                [
                    Outgoing(FIRST_ID + n % subscribers, f"<b>通知</b> {n}", dedup_key=f"b:{n}")
                    for n in range(rows)
                ],
                kind="bench.same_rows",
                settings=settings,
            )
        enqueue_s = time.monotonic() - started
        async with sessionmaker() as session, session.begin():
            await session.execute(
                delete(OutboxMessage).where(OutboxMessage.kind == "bench.same_rows")
            )
        result: dict[str, Any] = {
            "round_id": rnd.id,
            "risks_shown": items,
            "channel_posts": posts,
            "notices": notices,
            "rows_written": rows,
            "open_s": round(open_s, 2),
            "enqueue_many_same_rows_s": round(enqueue_s, 2),
            "open_ratio_to_enqueue_many": round(open_s / enqueue_s, 1),
        }
        if deliver:
            result |= await delivery(sessionmaker, settings, subscribers, notices)
        await engine.dispose()
    return result


async def delivery(
    sessionmaker: SessionMaker, settings: Settings, subscribers: int, notices: int
) -> dict[str, Any]:
    chats = list(range(FIRST_ID, FIRST_ID + subscribers))
    async with sandbox_process(free_port()) as api, aiohttp.ClientSession() as http:
        people = [{"name": f"S{c}", "user_id": c, "lang": "en"} for c in chats]
        await control(http, api, "POST", "/personas/batch", personas=people)
        await control(http, api, "PUT", "/faults", flood={"enabled": True})
        bot = make_bot(api)
        pacer = Pacer.from_settings(settings)
        paced = install_pacing(bot, pacer)
        calls = CallLog()
        bot.session.middleware(calls)
        sender = OutboxSender(bot, sessionmaker, settings, pacer=pacer, clock=Clock())
        started = time.monotonic()
        await sender.start()
        last_report = started
        while True:
            await asyncio.sleep(1)
            pending = await count(
                sessionmaker,
                OutboxMessage,
                OutboxMessage.kind == "publicity.opened",
                OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
            )
            now = time.monotonic()
            if now - last_report >= 30:
                last_report = now
                print(f"  {now - started:5.0f}s  notices pending {pending}")
            if pending == 0:
                break
        finished = time.monotonic()
        await sender.stop()
        await bot.session.close()
        stats = await control(http, api, "GET", "/stats")
        log = (await control(http, api, "GET", "/deliveries"))["deliveries"]
    # The rate while the notices went out: from the first sending call to the call that
    # completed the last notice (the 1-second polling above is left out of the window).
    window = [t for t in calls.times if t <= finished]
    seconds = (window[-1] - window[0]) if len(window) > 1 else finished - started
    limit = settings.delivery_global_rate
    per_chat = Counter(d["chat_id"] for d in log if d["chat_id"] >= FIRST_ID)
    return {
        "configured_limit_per_s": limit,
        "delivery_s": round(finished - started, 1),
        "calls_per_s": round((len(window) - 1) / seconds, 2),
        "share_of_limit": round((len(window) - 1) / seconds / limit, 4),
        "channel_posts_sent": sum(1 for d in log if d["chat_id"] == CHANNEL_ID),
        "lost": len(set(chats) - set(per_chat)),
        "sent_twice": sum(1 for n in per_chat.values() if n > 1),
        "throttled_429": stats["too_many_requests"],
        "throttled_429_seen_by_bot": paced.throttled,
    }


def spread(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    results = []
    for run in range(args.runs):
        last = run == args.runs - 1
        load = os.getloadavg()
        result = asyncio.run(open_once(args.subscribers, args.seed + run, deliver=last))
        result["load_average"] = [round(x, 2) for x in load]
        results.append(result)
        print(
            f"run {run + 1}: open {result['open_s']}s for {result['rows_written']} rows, "
            f"enqueue_many of as many {result['enqueue_many_same_rows_s']}s, ratio "
            f"{result['open_ratio_to_enqueue_many']} (load {result['load_average']})"
        )
    final = results[-1]
    summary = {
        "risks_shown": final["risks_shown"],
        "subscribers": args.subscribers,
        "notices": final["notices"],
        "channel_posts": final["channel_posts"],
        "rows_written": final["rows_written"],
        "runs": args.runs,
        "open_s": spread([r["open_s"] for r in results]),
        "enqueue_many_same_rows_s": spread([r["enqueue_many_same_rows_s"] for r in results]),
        "open_ratio": spread([r["open_ratio_to_enqueue_many"] for r in results]),
        "open_ratio_to_enqueue_many": statistics.median(
            r["open_ratio_to_enqueue_many"] for r in results
        ),
        "load_average": [r["load_average"] for r in results],
        **{k: final[k] for k in (
            "configured_limit_per_s", "delivery_s", "calls_per_s", "share_of_limit",
            "channel_posts_sent", "lost", "sent_twice", "throttled_429",
            "throttled_429_seen_by_bot",
        )},
    }  # fmt: skip
    print()
    print(f"open ratio to enqueue_many   min/median/max {summary['open_ratio']}")
    print(
        f"delivery                     {summary['calls_per_s']}/s = "
        f"{summary['share_of_limit']:.1%} of {summary['configured_limit_per_s']:g}/s "
        f"(target >= 95%) in {summary['delivery_s']}s"
    )
    print(f"lost / sent twice            {summary['lost']} / {summary['sent_twice']} (target 0)")
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
