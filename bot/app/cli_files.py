"""The file commands of `python -m bot`: `import units|people|categories|powers|risks FILE`
and `export register|powers FILE`. A bad file is one clear line (missing, wrong format or
encoding); bad rows are listed by number (the first 50) and nothing is imported."""

from __future__ import annotations

import argparse

from bot.app.cli_commands import CliError, _bot_username, _session, say
from bot.domain.clock import Clock
from bot.domain.invitation_rules import deep_link
from bot.domain.keys import N_
from bot.i18n import translate
from bot.services.import_checks import ImportRejected, Problem
from bot.settings import Settings


async def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """`import units|people|categories|powers|risks FILE`: all or nothing; the bad rows (the
    first 50) with their numbers, or what was done, per kind."""
    from bot.services.org_import import import_units
    from bot.services.people_import import import_people
    from bot.services.tabular import TableError

    clock = Clock()
    if args.kind in ("categories", "powers", "risks"):
        return await _import_register(args, settings, clock)
    async with _session(settings) as session:
        try:
            if args.kind == "units":
                report = await import_units(session, clock, args.file)
            else:
                report = await import_people(
                    session, clock, args.file, ttl_days=settings.invitation_ttl_days
                )
        except TableError as error:
            raise CliError(translate(error.key, settings.default_locale, **error.values)) from None
        except ImportRejected as rejected:
            await session.rollback()
            return _rejected(rejected, settings)
        if not report.tallies:  # a file with a header and no rows
            say("import.done", settings, created=0, updated=0, unchanged=0)
        for kind, tally in report.tallies.items():
            say(
                "import.done_kind",
                settings,
                kind=translate(IMPORT_KINDS[kind], settings.default_locale),
                created=tally.created,
                updated=tally.updated,
                unchanged=tally.unchanged,
            )
        await session.commit()
        if report.invitations:
            # The import is committed by now: an unknown username must not turn it into a failure.
            try:
                username = await _bot_username(settings, args.bot_username)
            except Exception:  # no token, Telegram unreachable: the codes, never a traceback
                say("import.codes_only", settings)
                for invitation in report.invitations:
                    print(f"{invitation.name}\t{invitation.code}")
            else:
                for invitation in report.invitations:
                    print(f"{invitation.name}\t{deep_link(username, invitation.code)}")
    return 0


# What an import counts, by kind, in words.
IMPORT_KINDS = {
    "units": N_("import.kind.units"),
    "posts": N_("import.kind.posts"),
    "people": N_("import.kind.people"),
    "invitations": N_("import.kind.invitations"),
}


def _rejected(rejected: ImportRejected, settings: Settings) -> int:
    """The bad rows, one line each, and that nothing was imported; exit status 1."""
    for problem in rejected.problems:
        _say_row(problem, settings)
    if rejected.stopped_at is not None:
        say("import.stopped", settings, count=len(rejected.problems), row=rejected.stopped_at)
    say("import.nothing_imported", settings)
    return 1


def _say_row(problem: Problem, settings: Settings) -> None:
    reason = translate(problem.key, settings.default_locale, **problem.values)
    say("import.bad_row", settings, row=problem.row, reason=reason)


async def _import_register(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    """`import categories|powers|risks FILE`: the register's rows, all or nothing."""
    from bot.domain.register_rules import local_today
    from bot.services.register_files import import_categories, import_powers, import_risks
    from bot.services.tabular import TableError

    async with _session(settings) as session:
        try:
            if args.kind == "powers":
                report = await import_powers(session, clock, args.file)
            elif args.kind == "categories":
                report = await import_categories(session, clock, args.file)
            else:
                today = local_today(clock.now(), settings.timezone)
                report = await import_risks(
                    session, clock, args.file, today=today, settings=settings
                )
        except TableError as error:
            raise CliError(translate(error.key, settings.default_locale, **error.values)) from None
        except ImportRejected as rejected:
            await session.rollback()
            return _rejected(rejected, settings)
    for note in report.notes[:ERRORS_SHOWN]:
        _say_row(note, settings)
    if len(report.notes) > ERRORS_SHOWN:
        say("import.more_notes", settings, count=len(report.notes) - ERRORS_SHOWN)
    say("cli.register_imported", settings, created=report.created, unchanged=report.unchanged)
    return 0


ERRORS_SHOWN = 50  # notes printed (imported as the rule says); the rest counted


async def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """`export register|powers FILE`: the register as 廉政风险点登记表, or the powers in the
    columns `import powers` reads (CSV or XLSX)."""
    from bot.services.register_files import export_powers, export_register
    from bot.services.tabular import TableError

    export = export_powers if args.what == "powers" else export_register
    async with _session(settings) as session:
        try:
            rows = await export(session, args.file)
        except TableError as error:
            raise CliError(translate(error.key, settings.default_locale, **error.values)) from None
    say("cli.register_exported", settings, rows=rows)
    return 0
