"""A district of the seed's size through the four imports: every total of the database and of
the export is the generator's, and the export → import → export round trip is byte-identical."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.demo.district_files import DistrictFiles, configure, write_files
from bot.demo.seed_scale import SeedScaleReport, generate
from bot.domain.clock import FakeClock
from bot.services.org_import import import_units
from bot.services.people_import import import_people
from bot.services.register_files import import_powers, import_risks
from bot.settings import Settings
from storage.base import Base
from storage.db import SessionMaker
from storage.models.invitation import Invitation
from storage.models.org import Person, Post, Unit
from storage.models.register import ControlMeasure, Power, RiskPoint
from tests.kit.uow import unit_of_work

TODAY = date(2026, 11, 26)


async def _count(session: AsyncSession, model: type, *where: object) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def _wipe(sessionmaker: SessionMaker) -> None:
    async with unit_of_work(sessionmaker) as session:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "alembic_version":
                await session.execute(delete(table))


async def _import(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings, files: DistrictFiles
) -> None:
    async with unit_of_work(sessionmaker) as session:
        await configure(session, clock)
        units = await import_units(session, clock, files.units)
        people = await import_people(session, clock, files.people, ttl_days=30)
        powers = await import_powers(session, clock, files.powers)
        risks = await import_risks(session, clock, files.risks, today=TODAY, settings=settings)
    assert units.updated == people.updated == 0
    assert powers.unchanged == risks.unchanged == 0
    assert risks.notes == []


@pytest.fixture
async def generated(
    sessionmaker: SessionMaker, tmp_path: Path
) -> tuple[SeedScaleReport, DistrictFiles]:
    async with unit_of_work(sessionmaker) as session:
        report = await generate(session, scale=1, today=TODAY)
    async with unit_of_work(sessionmaker) as session:
        files = await write_files(session, tmp_path / "first")
    await _wipe(sessionmaker)
    return report, files


async def test_a_district_imports_with_the_generators_totals_and_round_trips(
    sessionmaker: SessionMaker,
    clock: FakeClock,
    settings: Settings,
    tmp_path: Path,
    generated: tuple[SeedScaleReport, DistrictFiles],
) -> None:
    report, first = generated
    await _import(sessionmaker, clock, settings, first)
    async with unit_of_work(sessionmaker) as session:
        assert await _count(session, Unit) == report.units
        assert await _count(session, Post) == report.posts
        # Staff with a Telegram account are bound; the others are invited by name.
        people = await _count(session, Person) + await _count(session, Invitation)
        assert people == report.people
        assert await _count(session, Power) == report.powers
        assert await _count(session, RiskPoint) == report.risks
        assert await _count(session, ControlMeasure) == report.measures
        second = await write_files(session, tmp_path / "second")
    for name in ("powers", "risks", "units"):
        a, b = getattr(first, name), getattr(second, name)
        assert a.read_bytes() == b.read_bytes(), name
    rows = first.risks.read_text("utf-8-sig").splitlines()
    assert len(rows) - 1 == report.measures  # one row per measure (each risk has one)
