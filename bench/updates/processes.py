"""Bot processes under test: started, watched (CPU, RSS from /proc) and stopped.

A `Target` is one or more processes answering the same sandbox (Qingfeng or the echo bot
polling, one or two replicas of Qingfeng on one PostgreSQL behind the sandbox's round-robin
webhook delivery): the driver does not care which.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench import PROJECT_ROOT, control, free_port

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) process `pid` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


@dataclass
class Process:
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    process: asyncio.subprocess.Process | None = None
    _log_offset: int = 0

    async def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        output = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            *self.argv,
            cwd=PROJECT_ROOT,
            env={**os.environ, **self.env},
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )
        output.close()

    async def stop(self, timeout: float = 15.0) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def new_log_entries(self) -> list[dict[str, Any]]:
        """The JSON log lines written since the last call (other lines are skipped)."""
        with self.log_path.open("rb") as log:
            log.seek(self._log_offset)
            chunk = log.read()
        complete = chunk.rfind(b"\n") + 1
        self._log_offset += complete
        entries = []
        for line in chunk[:complete].splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if isinstance(entry, dict):
                    entries.append(entry)
        return entries


@dataclass
class Target:
    """What answers the personas: one process or several on the same sandbox."""

    name: str
    processes: list[Process] = field(default_factory=list)
    logs_updates: bool = True  # one JSON line per update handled (Qingfeng's update log)
    # Webhook replicas: each one's hook URL (the sandbox delivers to them round robin) and
    # base URL (its /healthz); empty for a polling target.
    hooks: list[str] = field(default_factory=list)
    bases: list[str] = field(default_factory=list)

    async def start(self, http: aiohttp.ClientSession, api: str) -> None:
        if self.hooks:
            await control(http, api, "PUT", "/webhook/replicas", urls=self.hooks)
        await asyncio.gather(*(p.start() for p in self.processes))
        for base in self.bases:  # an update sent before a replica listens would be dropped
            await _wait_healthy(http, base)

    async def stop(self, http: aiohttp.ClientSession, api: str, token: str) -> None:
        await asyncio.gather(*(p.stop() for p in self.processes))
        if self.hooks:  # the next target may poll: no webhook, no replicas
            await control(http, api, "PUT", "/webhook/replicas", urls=[])
            async with http.post(f"{api}/bot{token}/deleteWebhook") as resp:
                await resp.read()

    def cpu_by_process(self) -> list[float]:
        return [p.cpu_seconds() for p in self.processes]

    def cpu_seconds(self) -> float:
        return sum(p.cpu_seconds() for p in self.processes)

    def rss_mb(self) -> float:
        return sum(p.rss_mb() for p in self.processes)

    def new_log_entries(self) -> list[dict[str, Any]]:
        return [entry for p in self.processes for entry in p.new_log_entries()]


def qingfeng(
    name: str, api: str, token: str, database_url: str, log_path: Path, **env: str
) -> Target:
    """`python -m bot run` against the sandbox, logging JSON lines (one per update)."""
    environment = {
        "BOT_TOKEN": token,
        "TELEGRAM_API_BASE": api,
        "DATABASE_URL": database_url,
        "BOT_USERNAME": "qingfeng_bench_bot",
        "REDIS_URL": "",
        "WEBHOOK_URL": "",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        **env,
    }
    argv = [sys.executable, "-m", "bot", "run"]
    profile = os.environ.get("BENCH_UPDATES_PROFILE")  # a folder: cProfile each run there
    if profile:
        argv[1:1] = ["-m", "cProfile", "-o", str(Path(profile) / f"{log_path.stem}.prof")]
    return Target(name, [Process(argv, environment, log_path)])


WEBHOOK_SECRET = "bench-updates-shared-secret"


def qingfeng_replicas(
    name: str, count: int, api: str, token: str, database_url: str, folder: Path, **env: str
) -> Target:
    """`count` replicas of `python -m bot run` serving webhooks, one database; the sandbox
    stands for the load balancer (the URL registered) and delivers round robin."""
    target = Target(name)
    for i in range(count):
        port = free_port()
        one = qingfeng(
            name,
            api,
            token,
            database_url,
            folder / f"{name}-{i}.log",
            REPLICAS=str(count),
            WEBHOOK_URL=f"{api}/balancer/hook",
            WEBHOOK_SECRET=WEBHOOK_SECRET,
            WEBHOOK_HOST="127.0.0.1",
            WEBHOOK_PORT=str(port),
            WEBHOOK_REGISTER="true" if i == 0 else "false",
            **env,
        )
        target.processes += one.processes
        target.bases.append(f"http://127.0.0.1:{port}")
        target.hooks.append(f"http://127.0.0.1:{port}/balancer/hook")
    return target


async def _wait_healthy(http: aiohttp.ClientSession, base: str, timeout: float = 240) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            async with http.get(f"{base}/healthz", timeout=aiohttp.ClientTimeout(total=2)) as r:
                if r.status == 200:
                    return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{base} did not answer /healthz within {timeout:g} s")


def echo(api: str, token: str, log_path: Path) -> Target:
    argv = [sys.executable, "-m", "bench.updates.echo", api, token]
    return Target("echo", [Process(argv, {}, log_path)], logs_updates=False)
