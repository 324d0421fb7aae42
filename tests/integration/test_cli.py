"""`python -m bot`: help, a missing token, and the admin commands end to end on SQLite.

`--help` and `run` go through a real subprocess (exit codes, no traceback); the rest call
`main()` in this process, which runs the same code minus seconds of interpreter start-up.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.domain.roles import Role
from bot.i18n import translate
from bot.services.tabular import write_table
from bot.settings import PROJECT_ROOT
from storage.db import make_engine, make_sessionmaker
from storage.models.audit import AuditLog
from storage.models.invitation import Invitation
from storage.models.org import Person
from tests.kit.cli import cli, head_revision, run_module

DEMO = PROJECT_ROOT / "bot" / "demo"
LINK = re.compile(r"https://t\.me/qingfeng_bot\?start=([A-Za-z0-9_-]{8,64})")


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = run_module("--help", cwd=tmp_path, env={})
    assert result.returncode == 0, result.stderr
    listed = re.findall(r"^\s{4}(\w+)\s", result.stdout, re.MULTILINE)
    assert listed == [
        "run", "sandbox", "db", "backup", "restore", "import", "export", "report", "invite",
        "admin", "demo",
    ]  # fmt: skip


def test_run_without_a_token_is_one_line(tmp_path: Path) -> None:
    database = tmp_path / "data" / "bot.sqlite3"
    result = run_module(
        "run", cwd=tmp_path, env={"DATABASE_URL": f"sqlite:///{database}", "DEFAULT_LOCALE": "en"}
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == translate("cli.missing_token", "en")
    assert result.stdout == ""


async def _query(database: Path, statement: object) -> list[object]:
    engine = make_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with make_sessionmaker(engine)() as session:
            return list((await session.scalars(statement)).all())  # type: ignore[call-overload]
    finally:
        await engine.dispose()


def query(database: Path, statement: object) -> list[object]:
    return asyncio.run(_query(database, statement))


def done(kind: str, created: int, updated: int, unchanged: int) -> str:
    """The import's line for one kind of record, in English."""
    return translate(
        "import.done_kind",
        "en",
        kind=translate(f"import.kind.{kind}", "en"),
        created=created,
        updated=updated,
        unchanged=unchanged,
    )


def test_admin_commands_end_to_end(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "db", "upgrade")
    assert code == 0 and out.strip() == head_revision()

    code, out, _ = cli(capsys, "import", "units", str(DEMO / "units.csv"))
    assert code == 0
    # 11 units (ancestors included) and 15 posts, each counted once, per kind (nothing existed).
    assert out.strip().splitlines() == [done("units", 11, 0, 0), done("posts", 15, 0, 0)]
    code, again, _ = cli(capsys, "import", "units", str(DEMO / "units.csv"))
    assert code == 0
    # Re-importing changes nothing: the 11 units and 15 posts are unchanged.
    assert again.strip().splitlines() == [done("units", 0, 0, 11), done("posts", 0, 0, 15)]

    people = tmp_path / "people.xlsx"
    write_table(
        people,
        ("姓名", "单位", "岗位", "角色", "telegram"),
        [("王芳", "长安区/卫生局/医政科", "医政审批岗", "staff", ""),
         ("陈明", "长安区/卫生局/医政科", "卫生监督执法岗", "staff,reviewer", 100006)],
    )  # fmt: skip
    code, out, _ = cli(capsys, "import", "people", str(people), "--bot-username", "@qingfeng_bot")
    assert code == 0
    lines = out.strip().splitlines()
    # 陈明 (with a Telegram id) is bound at once; 王芳 gets an invitation link.
    assert sorted(lines[:2]) == sorted([done("invitations", 1, 0, 0), done("people", 1, 0, 0)])
    name, link = lines[2].split("\t")
    assert name == "王芳" and LINK.fullmatch(link)
    code, out, _ = cli(capsys, "import", "people", str(people), "--bot-username", "qingfeng_bot")
    assert code == 0
    assert sorted(out.strip().splitlines()) == sorted(
        [done("invitations", 0, 0, 1), done("people", 0, 0, 1)]
    )

    code, out, _ = cli(
        capsys, "invite", "--unit", "长安区/卫生局/医政科", "--post", "科长",
        "--roles", "staff,reviewer", "--name", "周科长", "--bot-username", "qingfeng_bot",
    )  # fmt: skip
    assert code == 0
    match = LINK.fullmatch(out.strip())
    assert match
    (invitation,) = query(cli_env, select(Invitation).where(Invitation.code == match.group(1)))
    assert isinstance(invitation, Invitation)
    assert invitation.name == "周科长" and invitation.roles == "staff,reviewer"

    code, out, _ = cli(capsys, "admin", "add", "--telegram-id", "123456789", "--name", "李纪委")
    assert code == 0
    assert out.strip() == translate("cli.admin_added", "en", name="李纪委", telegram_id=123456789)
    (admin,) = query(cli_env, select(Person).where(Person.telegram_id == 123456789))
    assert isinstance(admin, Person) and admin.roles == {Role.ADMIN}

    actions = query(cli_env, select(AuditLog.action).where(AuditLog.channel == "cli"))
    assert actions.count("person.admin_add") == 1
    assert actions.count("invitation.create") == 2  # 王芳 by import, 周科长 by invite
    assert actions.count("person.import") == 1
    assert query(cli_env, select(AuditLog.channel).where(AuditLog.channel != "cli")) == []


def test_import_without_a_username_still_succeeds_and_prints_codes(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(capsys, "import", "units", str(DEMO / "units.csv"))
    people = tmp_path / "people.csv"
    write_table(people, ("姓名", "单位", "角色"), [("郑强", "长安区/财政局/农业科", "staff")])
    code, out, _ = cli(capsys, "import", "people", str(people))
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[1] == translate("import.codes_only", "en")
    name, invitation_code = lines[2].split("\t")
    assert name == "郑强" and re.fullmatch(r"[A-Za-z0-9_-]{8,64}", invitation_code)


def test_refusals_are_one_line(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(capsys, "import", "units", str(DEMO / "units.csv"))
    code, out, err = cli(
        capsys, "invite", "--unit", "长安区/没有这个局", "--name", "某人", "--bot-username", "b"
    )
    assert code == 2 and out == ""
    assert err.strip() == translate("import.unknown_unit", "en", value="长安区/没有这个局")
    code, _, err = cli(capsys, "invite", "--unit", "长安区", "--roles", "boss", "--name", "某人")
    assert code == 2
    assert err.strip() == translate("import.bad_roles", "en", value="boss")
    code, _, err = cli(capsys, "invite", "--unit", "长安区", "--name", "某人")
    assert code == 2 and err.strip() == translate("cli.username_unknown", "en")


def test_a_bad_file_is_reported_by_row_and_imports_nothing(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units = tmp_path / "units.csv"
    write_table(units, ("单位", "类型"), [("长安区", "区"), ("长安区/卫生局", "ministry")])
    code, out, _ = cli(capsys, "import", "units", str(units))
    assert code == 1
    reason = translate("import.bad_kind", "en", value="ministry")
    assert out.strip().splitlines() == [
        translate("import.bad_row", "en", row=3, reason=reason),
        translate("import.nothing_imported", "en"),
    ]
    assert query(cli_env, select(AuditLog)) == []


def test_demo_seed_scale_writes_the_seeds_register(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from storage.models.register import Power, RiskPoint

    code, out, _ = cli(capsys, "demo", "seed-scale", "--scale", "1")
    assert code == 0
    assert "1 district(s): 39 units" in out and "1425 powers, 2351 risk points" in out
    assert len(query(cli_env, select(RiskPoint.id))) == 2351
    assert len(query(cli_env, select(Power.id).where(Power.scope == "internal"))) == 193
    code, _, err = cli(capsys, "demo", "seed-scale", "--scale", "0")
    assert code == 2 and "--scale" in err
