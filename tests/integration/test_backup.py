"""`backup FILE` / `restore FILE` round trip (every table compared) and `db check`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.app.backup import MAIN_TABLES
from bot.i18n import translate
from bot.settings import get_settings
from tests.kit.cli import cli, head_revision

Snapshot = dict[str, list[tuple[object, ...]]]


def snapshot(database: Path) -> Snapshot:
    """Every table's rows, in a stable order."""
    with sqlite3.connect(database) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
        }


def add_admin(capsys: pytest.CaptureFixture[str], telegram_id: int, name: str) -> None:
    code, _, err = cli(capsys, "admin", "add", "--telegram-id", str(telegram_id), "--name", name)
    assert code == 0, err


def test_backup_and_restore_round_trip(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = cli_env
    add_admin(capsys, 7001, "李纪委")
    add_admin(capsys, 7002, "王芳")
    saved = snapshot(database)
    assert saved["people"] and saved["audit_log"] and saved["alembic_version"]

    copy = tmp_path / "backups" / "qingfeng.sqlite3"
    code, out, err = cli(capsys, "backup", str(copy))
    assert (code, err) == (0, "")
    assert out.strip() == translate("cli.backup_done", "en", file=str(copy))
    assert snapshot(copy) == saved

    add_admin(capsys, 7003, "赵区长")  # a change after the backup
    with sqlite3.connect(database) as conn:
        conn.execute("DELETE FROM role_assignments")
    assert snapshot(database) != saved

    code, out, err = cli(capsys, "restore", str(copy))
    assert (code, err) == (0, "")
    assert out.strip() == translate("cli.restore_done", "en", file=str(copy))
    assert snapshot(database) == saved


def test_restore_refuses_what_is_no_database(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_admin(capsys, 7001, "李纪委")
    saved = snapshot(cli_env)
    missing = tmp_path / "nowhere.sqlite3"
    code, out, err = cli(capsys, "restore", str(missing))
    assert code == 2 and out == ""
    assert err.strip() == translate("cli.backup_missing", "en", file=str(missing))
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("not a database at all " * 100)
    code, _, err = cli(capsys, "restore", str(junk))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "junk.sqlite3" in err
    assert snapshot(cli_env) == saved


def test_postgresql_without_pg_dump_is_one_line(
    cli_env: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://qingfeng@127.0.0.1:1/qingfeng")
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump, no pg_restore
    get_settings.cache_clear()
    for command, program in (("backup", "pg_dump"), ("restore", "pg_restore")):
        target = tmp_path / "dump.pgc"
        target.touch()
        code, out, err = cli(capsys, command, str(target))
        assert code == 2 and out == ""
        assert err.strip() == translate("cli.backup_no_pg_tool", "en", program=program)


def test_db_check_says_revision_and_counts(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before any migration: reachable, behind, nothing counted.
    code, out, _ = cli(capsys, "db", "check")
    assert code == 1
    assert out.splitlines() == [
        translate("cli.db_behind", "en", revision="-", head=head_revision())
    ]

    add_admin(capsys, 7001, "李纪委")  # migrates, then one person
    code, out, _ = cli(capsys, "db", "check")
    assert code == 0
    first, *rows = out.splitlines()
    assert first == translate(
        "cli.db_current", "en", revision=head_revision(), head=head_revision()
    )
    counts = dict(row.split("\t") for row in rows)
    assert list(counts) == list(MAIN_TABLES)
    assert counts["people"] == "1"
    assert counts["outbox"] == "0"


def test_db_check_unreachable_is_one_line(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://qingfeng@127.0.0.1:1/qingfeng")
    get_settings.cache_clear()
    code, out, err = cli(capsys, "db", "check")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(translate("cli.db_unreachable", "en", reason="")[:20])
