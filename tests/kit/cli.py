"""The command line in tests: `python -m bot` as a child process, or `main()` in this one with
a temporary SQLite file (`cli_env`, a fixture the integration tests share)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app.cli import main
from bot.settings import PROJECT_ROOT, get_settings

ISOLATED = ("BOT_TOKEN", "BOT_USERNAME", "DATABASE_URL", "REDIS_URL", "WEBHOOK_URL",
            "WEBHOOK_SECRET", "TELEGRAM_API_BASE", "DEFAULT_LOCALE")  # fmt: skip


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    (head,) = ScriptDirectory.from_config(alembic_config()).get_heads()
    return str(head)


def run_module(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ISOLATED}
    clean["PYTHONPATH"] = str(PROJECT_ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temporary SQLite file, English output, no token, no .env; settings re-read."""
    for name in ISOLATED:
        monkeypatch.delenv(name, raising=False)
    database = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("DEFAULT_LOCALE", "en")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield database
    get_settings.cache_clear()


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
