"""What each `python -m bot` command does; one coroutine per command."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.domain.invitation_rules import deep_link
from bot.domain.roles import parse_roles
from bot.i18n import N_, translate
from bot.settings import Settings
from storage import migrate
from storage.db import background_engine, make_engine, make_sessionmaker, unit_of_work

if TYPE_CHECKING:
    from storage.models.org import Unit

# What a command needs is imported inside it: `db current` and `--help` load neither aiogram
# nor the models nor Alembic (`db upgrade` with nothing to do loads no Alembic either).


class CliError(Exception):
    """A one-line, already translated error for the terminal."""


def say(key: str, settings: Settings, **values: object) -> None:
    """Print a catalog message in the configured default language."""
    print(translate(key, settings.default_locale, **values))


@asynccontextmanager
async def _session(settings: Settings, *, upgrade: bool = True) -> AsyncIterator[AsyncSession]:
    """One command, one unit of work: committed when the command succeeds (services only
    flush), rolled back when it raises."""
    engine = make_engine(settings.database_url)
    try:
        if upgrade:
            await migrate.upgrade(engine)
        async with unit_of_work(make_sessionmaker(engine)) as session:
            yield session
    finally:
        await engine.dispose()


async def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app.replicas import replicas_problem

    # Refused before aiogram is loaded (seconds on a busy machine), not after.
    problem = replicas_problem(settings)
    if problem is not None:
        raise CliError(translate(problem, settings.default_locale, replicas=settings.replicas))
    if settings.bot_token is None or not settings.bot_token.get_secret_value():
        raise CliError(translate("cli.missing_token", settings.default_locale))
    from aiogram.utils.token import TokenValidationError

    from bot.app import startup
    from bot.app.health import Readiness
    from bot.app.heap import freeze_startup_heap
    from bot.app.runners import run_polling, run_webhook
    from bot.app.wiring import MissingToken, create_bot, create_dispatcher

    try:
        bot = create_bot(settings)
    except MissingToken:
        raise CliError(translate("cli.missing_token", settings.default_locale)) from None
    except TokenValidationError:
        raise CliError(str(startup.bad_token(settings))) from None
    try:
        engine = make_engine(settings.database_url, pooled=True)
    except Exception as error:  # a DATABASE_URL SQLAlchemy cannot read
        await bot.session.close()
        reason = startup.reason_of(error)
        message = translate("cli.db_unreachable", settings.default_locale, reason=reason)
        raise CliError(message) from None
    ready = False
    try:
        await startup.check_database(engine, settings)
        await startup.check_redis(settings)
        await migrate.upgrade(engine)
        me = await startup.wait_for_bot_api(bot, settings)
        ready = True
    except startup.StartupError as error:
        raise CliError(str(error)) from None
    finally:
        if not ready:  # refused, or stopped (Ctrl-C) while waiting for the Bot API
            await bot.session.close()
            await engine.dispose()
    if not settings.bot_username:
        settings.bot_username = me.username
    try:
        async with background_engine(engine) as background:
            dp = create_dispatcher(
                settings, make_sessionmaker(engine), background=make_sessionmaker(background)
            )
            readiness = Readiness.from_settings(settings, engine, bot)
            freeze_startup_heap()  # everything loaded so far lives as long as the process
            if settings.webhook_url:
                await run_webhook(dp, bot, settings, readiness)
            else:
                await run_polling(dp, bot, settings, readiness)
    finally:
        await bot.session.close()
        await engine.dispose()
    return 0


async def cmd_sandbox(args: argparse.Namespace, settings: Settings) -> int:
    try:
        from bot.sandbox.run import run_sandbox
    except ImportError:
        raise CliError(translate("cli.sandbox_missing", settings.default_locale)) from None
    return await run_sandbox(settings, host=args.host, port=args.port)


async def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    if args.db_command == "check":
        return await _db_check(engine, settings)
    try:
        if args.db_command == "upgrade":
            await migrate.upgrade(engine, args.revision)
        elif args.db_command == "downgrade":
            await migrate.downgrade(engine, args.revision)
        print(await migrate.current_revision(engine) or "-")
    finally:
        await engine.dispose()
    return 0


async def _db_check(engine: AsyncEngine, settings: Settings) -> int:
    from bot.app.backup import check

    try:
        report = await check(engine)
    except Exception as error:  # refused, unreachable, bad URL: one line, never a traceback
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        message = translate("cli.db_unreachable", settings.default_locale, reason=reason)
        raise CliError(message) from None
    finally:
        await engine.dispose()
    key = N_("cli.db_current") if report.current else N_("cli.db_behind")
    say(key, settings, revision=report.revision or "-", head=report.head or "-")
    for table, count in report.counts.items():
        print(f"{table}\t{count}")
    return 0 if report.current else 1


async def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app.backup import backup

    return await _file_step(backup, args, settings, N_("cli.backup_done"))


async def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app.backup import restore

    return await _file_step(restore, args, settings, N_("cli.restore_done"))


async def _file_step(
    step: Callable[[str, Path], Awaitable[None]],
    args: argparse.Namespace,
    settings: Settings,
    done_key: str,
) -> int:
    """A backup or a restore of the database to or from `args.file`; a refusal is the CLI's."""
    from bot.app.backup import BackupError

    try:
        await step(settings.database_url, args.file)
    except BackupError as error:
        raise CliError(translate(error.key, settings.default_locale, **error.values)) from None
    say(done_key, settings, file=str(args.file))
    return 0


async def _unit(session: AsyncSession, path: str, settings: Settings) -> Unit:
    """The unit at `path`, or a one-line error."""
    from storage.repositories import org as org_repo

    unit = await org_repo.unit_by_path(session, path)
    if unit is None:
        raise CliError(translate("import.unknown_unit", settings.default_locale, value=path))
    return unit


def _refused(refusal: ServiceError, settings: Settings) -> CliError:
    return CliError(translate(refusal.key, settings.default_locale, **refusal.values))


async def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    """`report --year Y [--unit PATH] FILE`: the same documents /report sends, by suffix."""
    from bot.domain.register_rules import local_today
    from bot.domain.report_period import year_period
    from bot.services.campaigns import subtree_ids
    from bot.services.reports.build import render_files, report_for
    from bot.services.stats.overview import Scope

    locale = settings.default_locale
    suffix = args.file.suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        raise CliError(translate("cli.report_bad_file", locale, path=str(args.file)))
    clock = Clock()
    today = local_today(clock.now(), settings.timezone)
    try:
        period = year_period(args.year, today)
    except ValueError:
        raise CliError(translate("cli.report_bad_year", locale, year=args.year)) from None
    async with _session(settings) as session:
        scope = Scope.district()
        if args.unit:
            unit = await _unit(session, args.unit, settings)
            scope = Scope.of(await subtree_ids(session, [unit.id]))
        data = await report_for(
            session, scope, period, locale=locale, now=clock.now(), settings=settings
        )
    files = render_files(data, period, locale)
    args.file.write_bytes(files.pdf if suffix == ".pdf" else files.xlsx)
    say("cli.report_written", settings, path=str(args.file))
    return 0


async def cmd_invite(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.invitations import create_invitation

    try:
        roles = parse_roles(args.roles)
    except ValueError:
        raise CliError(
            translate("import.bad_roles", settings.default_locale, value=args.roles)
        ) from None
    username = await _bot_username(settings, args.bot_username)
    async with _session(settings) as session:
        unit = await _unit(session, args.unit, settings)
        post = None
        if args.post:
            from storage.repositories import org as org_repo

            post = await org_repo.post_by_name(session, unit.id, args.post)
            if post is None:
                raise CliError(
                    translate("import.unknown_post", settings.default_locale, value=args.post)
                )
        try:
            invitation = await create_invitation(
                session,
                Clock(),
                actor=None,
                unit=unit,
                post=post,
                roles=roles,
                name=args.name,
                ttl_days=settings.invitation_ttl_days,
                channel="cli",
            )
        except ServiceError as refusal:
            raise _refused(refusal, settings) from None
        print(deep_link(username, invitation.code))
    return 0


async def cmd_admin(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.people import add_admin

    async with _session(settings) as session:
        unit = await _unit(session, args.unit, settings) if args.unit else None
        try:
            person = await add_admin(
                session, Clock(), telegram_id=args.telegram_id, name=args.name, unit=unit
            )
        except ServiceError as refusal:
            raise _refused(refusal, settings) from None
        say("cli.admin_added", settings, name=person.name, telegram_id=args.telegram_id)
    return 0


async def _bot_username(settings: Settings, given: str | None) -> str:
    """The bot's @username for deep links: given, configured, or asked from Telegram."""
    if given or settings.bot_username:
        return (given or settings.bot_username or "").lstrip("@")
    from bot.app.wiring import MissingToken, create_bot

    try:
        bot = create_bot(settings)
    except MissingToken:
        raise CliError(translate("cli.username_unknown", settings.default_locale)) from None
    try:
        me = await bot.get_me()
    finally:
        await bot.session.close()
    return me.username or ""


async def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """`demo seed-scale`: N districts of the seed's shape, in one transaction."""
    from bot.demo.seed_scale import generate
    from bot.domain.register_rules import local_today

    if args.scale < 1:
        raise CliError("--scale must be at least 1")
    today = local_today(Clock().now(), settings.timezone)
    async with _session(settings) as session:
        report = await generate(session, scale=args.scale, seed=args.seed, today=today)
        await session.commit()
    print(
        f"{report.districts} district(s): {report.units} units, {report.posts} posts, "
        f"{report.people} people, {report.powers} powers, {report.risks} risk points, "
        f"{report.measures} measures"
    )
    return 0
