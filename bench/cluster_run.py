"""Two replicas behind the sandbox's round-robin webhook, the leader SIGKILLed mid-broadcast.

The driver of the cluster test (`tests/ops/test_cluster.py`) and of `make bench-cluster`:

- a fresh PostgreSQL database (created and dropped here) and a fresh Redis key prefix;
- the sandbox in this process, flood limits on at `rate` a second, delivering webhooks round
  robin to two `python -m bot run` replicas (one shared WEBHOOK_SECRET, one registers);
- a broadcast of `recipients` bulk outbox rows, personas mid-conversation (an invitation
  begun before the kill and finished after it; citizens' /start before and after);
- SIGKILL of the leading replica once `kill_after` of the broadcast is delivered; the other
  takes the lead (its /metrics says so), recovers the rows whose lease expired, finishes.

What it returns is measured by the sandbox (every admitted send's time, every delivered
message) and read from the database (every update recorded once, every outbox row's end).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bench import PROJECT_ROOT, free_port
from bot.delivery.outbox import Outgoing, enqueue_many
from bot.demo import PERSONAS, seed_demo
from bot.domain.clock import Clock
from bot.sandbox import WORLD_KEY, create_sandbox_app
from bot.sandbox.bot_process import BotProcess
from bot.sandbox.fanout import delivered_to, set_replicas
from bot.sandbox.run import SANDBOX_TOKEN, SANDBOX_USERNAME
from bot.sandbox.send_log import peak_in_window, sends
from bot.sandbox.state import World
from bot.settings import Settings
from storage.db import make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models.outbox import OutboxMessage, OutboxStatus
from storage.models.processed_update import ProcessedUpdate
from tests.kit.persona import Persona, SandboxClient

ADMIN = 100001
CITIZENS = (100101, 100102)
FIRST_RECIPIENT = 700_000_001
CONCURRENCY = 24  # DELIVERY_CONCURRENCY: the bound on rows sent twice after a crash
LEASE_SECONDS = 10  # short, so the survivor recovers the dead leader's rows soon
SECRET = "cluster-shared-secret"
BROADCAST = "cluster broadcast"
WAIT = 30.0  # for a reply, on a loaded machine with a broadcast on the wire


@dataclass
class Replica:
    name: str
    port: int
    process: BotProcess

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def create_database(server_url: str) -> str:
    """A new, empty database on the server of `server_url`; returns its URL."""
    name = f"qf_cluster_{uuid.uuid4().hex[:12]}"
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def drop_database(url: str) -> None:
    name = make_url(url).database
    await _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _admin(url: str, statement: str) -> None:
    # Connected to the server's `postgres` database: a database can't drop itself.
    admin = make_engine(
        make_url(url).set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        async with admin.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await admin.dispose()


@contextlib.asynccontextmanager
async def fresh_database(server_url: str) -> AsyncIterator[str]:
    """A new database on the server of `server_url` (its URL), dropped afterwards."""
    url = await create_database(server_url)
    try:
        yield url
    finally:
        await drop_database(url)


def replica_env(
    database_url: str,
    redis_url: str,
    prefix: str,
    api: str,
    port: int,
    rate: float,
    first: bool,
    margin: float = 0.1,
) -> dict[str, str]:
    return {
        "BOT_TOKEN": SANDBOX_TOKEN,
        "BOT_USERNAME": SANDBOX_USERNAME,
        "TELEGRAM_API_BASE": api,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": prefix,
        "REPLICAS": "2",
        "WEBHOOK_URL": f"{api}/balancer/hook",  # the balancer's URL; the sandbox fans out
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        "WEBHOOK_REGISTER": "true" if first else "false",
        "DELIVERY_GLOBAL_RATE": str(rate),
        "DELIVERY_TIMING_MARGIN": str(margin),
        "DELIVERY_CONCURRENCY": str(CONCURRENCY),
        "DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
        "DELIVERY_REQUEST_TIMEOUT": "5",
        "DELIVERY_POLL_SECONDS": "0.5",
        "LEADER_CHECK_SECONDS": "1",
        "BROADCAST_PROGRESS_SECONDS": "1",
        "QUIET_HOURS_START": "00:00",
        "QUIET_HOURS_END": "00:00",
        "LOG_LEVEL": "INFO",
    }


async def leads(http: aiohttp.ClientSession, replica: Replica) -> bool | None:
    """What the replica's /metrics says (None: it does not answer)."""
    try:
        async with http.get(f"{replica.url}/metrics") as resp:
            body = await resp.text()
    except (aiohttp.ClientError, TimeoutError):
        return None
    found = re.search(r"^qingfeng_leader ([0-9.]+)$", body, re.M)
    return bool(found and float(found.group(1)) == 1)


async def wait_for(predicate: Any, timeout: float, what: str, step: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        await asyncio.sleep(step)


def broadcast_deliveries(world: World) -> Counter[int]:
    return Counter(d["chat_id"] for d in world.deliveries if d["text"].startswith(BROADCAST))


async def begin_invitation(admin: Persona) -> None:
    """/invite → unit → post → roles: the admin is mid-conversation at the kill."""
    await admin.send("/invite")
    await admin.expect("请选择单位", timeout=WAIT)
    await admin.press("长安区/卫生局/医政科")
    await admin.expect("请选择岗位", timeout=WAIT)
    await admin.press("医政审批岗")
    await admin.expect("请选择角色", timeout=WAIT)
    await admin.press("完成")
    await admin.expect("姓名", timeout=WAIT)


async def finish_invitation(kit: SandboxClient, admin: Persona) -> bool:
    await admin.send("林晓")
    await admin.expect("请确认", timeout=WAIT)
    await admin.press("生成邀请")
    created = await admin.expect("t.me/", timeout=WAIT)
    code = re.search(r"start=([A-Za-z0-9_-]+)", created.text)
    assert code is not None, created.text
    newcomer = await kit.persona("林晓", lang="zh-hans")
    await newcomer.send(f"/start {code.group(1)}")
    return "医政科" in (await newcomer.expect("您已加入", timeout=WAIT)).text


async def greet(kit: SandboxClient) -> int:
    """Each citizen's /start is answered with the welcome (returns how many were)."""
    answered = 0
    for user_id in CITIZENS:
        persona = await kit.persona_for(user_id)
        await persona.send("/start")
        welcome = await persona.expect(re.compile("清风|Qingfeng"), timeout=WAIT)
        answered += "/language" in welcome.text
    return answered


async def count_rows(sessionmaker: Any, *statuses: str) -> int:
    async with sessionmaker() as session:
        query = select(func.count()).select_from(OutboxMessage)
        return int(await session.scalar(query.where(OutboxMessage.status.in_(statuses))) or 0)


async def run_cluster(
    pg_url: str,
    redis_url: str,
    *,
    recipients: int = 3000,
    rate: float = 100.0,
    kill_after: float = 0.3,
    margin: float = 0.1,
    log_dir: Path | None = None,
) -> dict[str, Any]:
    """One failover run; the figures as a dict (see `bench.cluster` for their meaning)."""
    t0 = time.monotonic()
    prefix = f"qf_cluster_{uuid.uuid4().hex[:12]}"
    async with fresh_database(pg_url) as database_url:
        engine = make_engine(database_url)
        await upgrade(engine)
        sessionmaker = make_sessionmaker(engine)
        await seed_demo(sessionmaker, Clock())
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, database_url=database_url, quiet_hours_start="00:00",
            quiet_hours_end="00:00",
        )  # fmt: skip
        app = create_sandbox_app(SANDBOX_TOKEN, SANDBOX_USERNAME)
        world = app[WORLD_KEY]
        world.next_update_id = int(time.time() * 1000)
        world.flood_config.enabled = True
        world.flood_config.global_per_second = rate
        world.add_personas(PERSONAS)
        chats = list(range(FIRST_RECIPIENT, FIRST_RECIPIENT + recipients))
        world.add_personas({"name": f"R{c}", "user_id": c} for c in chats)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        api = f"http://127.0.0.1:{port}"
        logs = log_dir or Path(os.environ.get("TMPDIR", "/tmp"))
        replicas = []
        for i, name in enumerate(("a", "b")):
            replica_port = free_port()
            env = replica_env(
                database_url, redis_url, prefix, api, replica_port, rate, i == 0, margin
            )
            process = BotProcess(env, cwd=PROJECT_ROOT, log_path=logs / f"{prefix}-{name}.log")
            replicas.append(Replica(name, replica_port, process))
        set_replicas(world, [f"{r.url}/balancer/hook" for r in replicas])
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http,
                SandboxClient(api) as kit,
            ):
                return await _failover(
                    world, http, kit, replicas, sessionmaker, settings, chats, rate, kill_after, t0
                )
        finally:
            for replica in replicas:
                await replica.process.kill()
            await runner.cleanup()
            await engine.dispose()
            await _drop_keys(redis_url, prefix)


async def _failover(
    world: World,
    http: aiohttp.ClientSession,
    kit: SandboxClient,
    replicas: list[Replica],
    sessionmaker: Any,
    settings: Settings,
    chats: list[int],
    rate: float,
    kill_after: float,
    t0: float,
) -> dict[str, Any]:
    phase = {"setup": time.monotonic() - t0}
    # Both start at once (most of a start is importing aiogram); either may take the lead.
    await asyncio.gather(*(replica.process.start() for replica in replicas))
    for replica in replicas:
        await wait_for(lambda r=replica: _answers(http, r), 240, f"replica {replica.name} serves")
    await wait_for(lambda: _leader(http, replicas), 60, "a replica leads")
    first = await _leader(http, replicas)
    assert first is not None
    (second,) = [replica for replica in replicas if replica is not first]
    assert await leads(http, second) is False, "two leaders"
    await wait_for(_true(lambda: bool(world.webhook.url)), 30, "the webhook is registered")
    phase["started"] = time.monotonic() - t0

    async with sessionmaker() as session, session.begin():
        broadcast = [Outgoing(chat_id=chat, text=f"{BROADCAST} {chat}") for chat in chats]
        await enqueue_many(
            session, broadcast, kind="broadcast", batch_id="cluster", settings=settings
        )
    started = time.monotonic()
    phase["enqueued"] = started - t0
    answered = await greet(kit)
    admin = await kit.persona_for(ADMIN)
    await begin_invitation(admin)
    phase["conversing"] = time.monotonic() - t0
    kill_at = int(len(chats) * kill_after)
    await wait_for(_true(lambda: sum(broadcast_deliveries(world).values()) >= kill_at),
                   len(chats) / 5 + 60, "the broadcast is under way", step=0.05)  # fmt: skip
    delivered_at_kill = len(broadcast_deliveries(world))

    await first.process.kill()  # SIGKILL: no goodbye, its lock's connection just closes
    killed = time.monotonic()
    phase["killed"] = killed - t0
    in_flight = await count_rows(sessionmaker, OutboxStatus.SENDING)
    await wait_for(lambda: leads(http, second), 60, "the second replica takes the lead", 0.05)
    takeover = time.monotonic() - killed

    finished = await finish_invitation(kit, admin)
    answered += await greet(kit)
    phase["conversed"] = time.monotonic() - t0
    await wait_for(
        _true(lambda: count_rows(sessionmaker, OutboxStatus.PENDING, OutboxStatus.SENDING), True),
        len(chats) / 5 + LEASE_SECONDS + 60,
        "the broadcast is finished",
        step=0.5,
    )
    total = time.monotonic() - started
    phase["finished"] = time.monotonic() - t0
    await second.process.kill()  # done: what follows reads the database and the sandbox

    per_chat = broadcast_deliveries(world)
    async with sessionmaker() as session:
        handled = int(await session.scalar(select(func.count()).select_from(ProcessedUpdate)) or 0)
        statuses = dict(
            (str(s), n)
            for s, n in await session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
        )
    peak = peak_in_window([at for at, _ in sends(world)], 1.0)
    return {
        "recipients": len(chats),
        "takeover_s": round(takeover, 2),
        "lost": len(set(chats) - set(per_chat)),
        "sent_twice": sum(1 for n in per_chat.values() if n > 1),
        "in_flight_at_kill": in_flight,
        "delivered_at_kill": delivered_at_kill,
        "in_flight_bound": CONCURRENCY,
        "peak_rate": peak,
        "rate_limit": rate,
        "peak_rate_ratio": round(peak / rate, 3),
        "throttled_429": world.counters.too_many_requests,
        "updates_created": world.counters.updates_created,
        "updates_handled": handled,
        "delivered_to": delivered_to(world),
        "conversations_finished": finished,
        "welcomes": answered,
        "welcomes_expected": 2 * len(CITIZENS),
        "row_statuses": statuses,
        "total_s": round(total, 1),
        "phases": {k: round(v, 1) for k, v in phase.items()},
    }


def _true(check: Any, negate: bool = False) -> Any:
    async def predicate() -> bool:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        return not value if negate else bool(value)

    return predicate


async def _leader(http: aiohttp.ClientSession, replicas: list[Replica]) -> Replica | None:
    """The one replica whose /metrics says it leads (None: none does yet)."""
    leading = [replica for replica in replicas if await leads(http, replica)]
    assert len(leading) <= 1, f"two leaders: {[replica.name for replica in leading]}"
    return leading[0] if leading else None


async def _answers(http: aiohttp.ClientSession, replica: Replica) -> bool:
    try:
        async with http.get(f"{replica.url}/healthz") as resp:
            return resp.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False


async def _drop_keys(redis_url: str, prefix: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(f"{prefix}:*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
