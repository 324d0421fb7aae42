"""The command line: run the bot, the sandbox, migrations, imports, invitations, admins."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from bot.app.logs import configure_logging
from bot.settings import Settings, get_settings

Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Qingfeng (清风): integrity-risk prevention bot"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("run", help="run the bot (long polling; a webhook when WEBHOOK_URL is set)")
    sandbox = sub.add_parser("sandbox", help="the bot against a local Telegram with a chat page")
    sandbox.add_argument("--port", type=int, default=8080)
    sandbox.add_argument("--host", default="127.0.0.1")

    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    up = db_sub.add_parser("upgrade", help="apply migrations (default: to the newest)")
    up.add_argument("revision", nargs="?", default="head")
    down = db_sub.add_parser("downgrade", help="revert migrations to REVISION")
    down.add_argument("revision")
    db_sub.add_parser("current", help="print the applied revision")
    db_sub.add_parser(
        "check", help="connect; say the revision, whether it is current, and the main counts"
    )

    backup = sub.add_parser("backup", help="copy the database to FILE (SQLite, or pg_dump)")
    backup.add_argument("file", type=Path)
    restore = sub.add_parser(
        "restore", help="replace the database with FILE's copy (stop the bot first)"
    )
    restore.add_argument("file", type=Path)

    imp = sub.add_parser(
        "import", help="import units, people, power categories, powers or risks (CSV / XLSX)"
    )
    imp.add_argument("kind", choices=["units", "people", "categories", "powers", "risks"])
    imp.add_argument("file", type=Path)
    imp.add_argument("--bot-username", help="for invitation links (default: BOT_USERNAME)")

    export = sub.add_parser(
        "export", help="export the risk register (廉政风险点登记表) or the powers (职权清单)"
    )
    export.add_argument("what", choices=["register", "powers"])
    export.add_argument("file", type=Path, help="a .csv or .xlsx file to write")

    report = sub.add_parser("report", help="the one-page PDF or the XLSX workbook of a year")
    report.add_argument(
        "--year", type=int, required=True, help="e.g. 2026 (to date while it runs)"
    )
    report.add_argument("--unit", help="unit path, e.g. 长安区/卫生局 (default: every unit)")
    report.add_argument("file", type=Path, help="a .pdf or .xlsx file to write")

    invite = sub.add_parser("invite", help="create an invitation link for a staff member")
    invite.add_argument("--unit", required=True, help="unit path, e.g. 长安区/卫生局")
    invite.add_argument("--post", help="post name in that unit")
    invite.add_argument("--roles", default="staff", help="comma list: staff,reviewer,leader,admin")
    invite.add_argument("--name", required=True)
    invite.add_argument("--bot-username", help="defaults to getMe with BOT_TOKEN")

    admin = sub.add_parser("admin", help="manage commission admins")
    admin_sub = admin.add_subparsers(dest="admin_command", required=True, metavar="ACTION")
    add = admin_sub.add_parser("add", help="make a Telegram account an admin")
    add.add_argument("--telegram-id", type=int, required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--unit", help="unit path (optional)")

    demo = sub.add_parser("demo", help="demo data")
    demo_sub = demo.add_subparsers(dest="demo_command", required=True, metavar="ACTION")
    scale = demo_sub.add_parser(
        "seed-scale", help="a register of the seed report's shape, N districts of it"
    )
    scale.add_argument("--scale", type=int, default=1, help="districts (100: a province)")
    scale.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = get_settings()
    # Migrations run at every start and APScheduler ticks each minute: their INFO is not news.
    configure_logging(settings)
    from bot.app import cli_commands

    if args.command in ("import", "export"):
        from bot.app import cli_files

        command: Command = getattr(cli_files, f"cmd_{args.command}")
    else:
        command = getattr(cli_commands, f"cmd_{args.command}")
    try:
        return asyncio.run(command(args, settings))
    except KeyboardInterrupt:
        return 130
    except cli_commands.CliError as error:
        print(error, file=sys.stderr)
        return 2
