"""`python -m bot run` at the door: a bad token, a database that refuses, Redis that is down,
each one line on stderr (no traceback); an unreachable Bot API is retried, a line per attempt."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.i18n import translate
from bot.settings import PROJECT_ROOT
from tests.kit.cli import ISOLATED, run_module


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sqlite_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    database = tmp_path / "data" / "bot.sqlite3"
    return {"DATABASE_URL": f"sqlite:///{database}", "DEFAULT_LOCALE": "en", **extra}


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_token_that_is_not_one_is_one_line(tmp_path: Path) -> None:
    result = run_module("run", cwd=tmp_path, env=sqlite_env(tmp_path, BOT_TOKEN="abc"))
    assert one_line(result) == translate("cli.bad_token", "en")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://postgres@127.0.0.1:{port}/test",
        "postgresql://nobody@127.0.0.1:{port}/nothing",
    ],
)
def test_a_database_that_refuses_is_one_line(tmp_path: Path, url: str) -> None:
    env = {"BOT_TOKEN": "123456:AAbbccddeeff", "DEFAULT_LOCALE": "en"}
    env["DATABASE_URL"] = url.format(port=closed_port())
    line = one_line(run_module("run", cwd=tmp_path, env=env))
    assert line.startswith(translate("cli.db_unreachable", "en", reason=""))
    assert len(line) > len(translate("cli.db_unreachable", "en", reason="")) + 5  # says why


def test_redis_that_is_down_is_one_line(tmp_path: Path) -> None:
    env = sqlite_env(
        tmp_path, BOT_TOKEN="123456:AAbbccddeeff", REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0"
    )
    line = one_line(run_module("run", cwd=tmp_path, env=env))
    assert line.startswith(translate("cli.redis_unreachable", "en", reason=""))


def test_an_unreachable_bot_api_is_retried_with_backoff_a_line_per_attempt(
    tmp_path: Path,
) -> None:
    port = closed_port()
    env = {k: v for k, v in os.environ.items() if k not in ISOLATED}
    env |= sqlite_env(tmp_path, BOT_TOKEN="123456:AAbbccddeeff", HEALTH_PORT="0")
    env |= {"PYTHONPATH": str(PROJECT_ROOT), "TELEGRAM_API_BASE": f"http://127.0.0.1:{port}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        # Ctrl-C reaches the bot as from a terminal, also when the suite itself was started
        # in the background (a shell's background job passes SIGINT on as ignored).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stderr is not None
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 90
        while sum("attempt" in line for line in lines) < 3 and time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
    finally:
        process.send_signal(signal.SIGINT)
        try:
            rest, _ = process.communicate(timeout=30)[::-1]
        except subprocess.TimeoutExpired:  # stopped here, not left running into later tests
            process.kill()
            process.communicate()
            raise
    lines += (rest or "").splitlines()
    attempts = [line for line in lines if "attempt" in line]
    assert len(attempts) >= 3, lines
    for number, (line, pause) in enumerate(zip(attempts, ("1", "2", "4"), strict=False), 1):
        expected = translate(
            "cli.bot_api_unreachable",
            "en",
            url=f"http://127.0.0.1:{port}",
            reason="",
            attempt=number,
            seconds=pause,
        )
        head, _, tail = expected.partition("()")
        assert head in line and tail in line, line  # the reason between them
    assert not any("Traceback" in line for line in lines), lines
    assert len(lines) == len(attempts), lines  # nothing else on the way
