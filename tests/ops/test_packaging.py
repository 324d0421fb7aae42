"""`pip install .` gives a working bot: the wheel carries the compiled catalogs and the
migrations, and its `qingfeng` script runs from outside the checkout.

The wheel is built as `pip install .` builds it (an isolated build; pip's cache makes it
quick) and installed without dependencies into a fresh venv that borrows this environment's
libraries (a `.pth` line; the checkout's editable install is not part of what it borrows).
Then the installed `qingfeng run` talks to the sandbox (run from the checkout: the sandbox is
not in the wheel), and a persona's /start gets the welcome."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import sysconfig
import time
import venv
from pathlib import Path

import pytest

from bench import TOKEN, free_port
from bot.i18n import translate
from bot.settings import PROJECT_ROOT
from tests.kit.persona import SandboxClient

# Building and installing takes 30–60 s on a quiet machine; far more on a loaded one.
pytestmark = [pytest.mark.packaging, pytest.mark.timeout(900)]


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_wheel_installs_and_runs_from_site_packages(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    run(sys.executable, "-m", "pip", "wheel", PROJECT_ROOT, "--no-deps", "-q", "-w", wheels,
        cwd=tmp_path)  # fmt: skip
    (wheel,) = wheels.glob("qingfeng-*.whl")

    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                    cwd=tmp_path).strip())  # fmt: skip
    (site / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "-q", wheel,
        cwd=tmp_path)  # fmt: skip

    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "BOT_TOKEN")}
    env |= {"DEFAULT_LOCALE": "en", "DATABASE_URL": f"sqlite:///{work / 'bot.sqlite3'}"}
    qingfeng = target / "bin" / "qingfeng"
    assert "backup" in run(qingfeng, "--help", cwd=work, env=env)

    where = run(python, "-c", "import bot.i18n as i; print(i.__file__); print(i.LOCALES_DIR)",
                cwd=work, env=env).split()  # fmt: skip
    assert where[0].startswith(str(site)) and where[1].startswith(str(site))
    assert not (site / "bot" / "sandbox").exists()

    # Migrations from the package, then the catalogs from the package.
    behind = subprocess.run([qingfeng, "db", "check"], cwd=work, env=env, capture_output=True,
                            text=True, timeout=120)  # fmt: skip
    assert behind.returncode == 1, behind.stderr
    assert behind.stdout.startswith("Database reachable; revision -, but the newest is ")
    run(qingfeng, "db", "upgrade", cwd=work, env=env)
    out = run(qingfeng, "db", "check", cwd=work, env=env)
    assert "migrations current" in out.splitlines()[0]
    result = subprocess.run([qingfeng, "run"], cwd=work, env=env, capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == translate("cli.missing_token", "en")

    # A round trip: the installed bot against the sandbox (not in the wheel: run from here).
    assert asyncio.run(sandbox_round_trip(qingfeng, work, env)).startswith("Hello")


async def sandbox_round_trip(qingfeng: Path, work: Path, env: dict[str, str]) -> str:
    """`qingfeng run` from the venv against the checkout's sandbox; a persona's /start gets
    the welcome. Returns the welcome's text."""
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    sandbox = await asyncio.create_subprocess_exec(
        sys.executable, "-c", f"from bench import serve_sandbox; serve_sandbox({port})",
        cwd=PROJECT_ROOT,
    )  # fmt: skip
    bot_env = env | {"BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": api, "HEALTH_PORT": "0",
                     "BOT_USERNAME": "qingfeng_bot"}  # fmt: skip
    with (work / "bot.log").open("wb") as log:
        bot = await asyncio.create_subprocess_exec(
            qingfeng, "run", cwd=work, env=bot_env, stdout=log, stderr=log
        )
    try:
        deadline = time.monotonic() + 300  # a loaded machine starts Python slowly
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the sandbox did not start"
                await asyncio.sleep(0.1)
        async with SandboxClient(api) as kit:
            await kit.wait_bot_alive(timeout=300)
            persona = await kit.persona("Alex", lang="en")
            await persona.send("/start")
            return (await persona.expect("Qingfeng", timeout=60)).text
    finally:
        for process in (bot, sandbox):
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            await process.wait()
