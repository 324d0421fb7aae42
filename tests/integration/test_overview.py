"""The overview against the database: over a register of the seed's shape its totals are
exactly the seed's; a bureau's subtree adds up to its departments; scopes follow roles."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.demo import seed_demo
from bot.demo.seed_scale import generate
from bot.domain.clock import FakeClock
from bot.domain.errors import ServiceError
from bot.domain.stats import StateGroup, total
from bot.services.stats import counts
from bot.services.stats.overview import Overview, Scope, overview
from bot.services.stats.render import overview_text, ranking_text, utf16_len
from bot.services.stats.scope import scope_of
from storage.db import SessionMaker, make_engine, make_sessionmaker
from storage.models.org import Person, Unit

TODAY = date(2026, 11, 26)


async def seed_shaped(sessionmaker: SessionMaker, scale: int = 1) -> None:
    async with sessionmaker() as session:
        await generate(session, scale=scale, today=TODAY)
        await session.commit()


async def district(sessionmaker: SessionMaker) -> Overview:
    async with sessionmaker() as session:
        return await overview(session, Scope.district(), today=TODAY)


def assert_seed_totals(result: Overview, times: int = 1) -> None:
    figures = result.total
    assert (figures.powers, figures.powers_external, figures.powers_internal) == (
        1425 * times,
        1232 * times,
        193 * times,
    )
    assert figures.risks == 2351 * times
    assert figures.risks_by_level == (683 * times, 937 * times, 731 * times)
    assert figures.risks_unlevelled == 0
    assert figures.measures > 2500 * times
    assert (
        figures.measures
        == figures.measures_done + figures.measures_open + figures.measures_overdue
    )
    assert (figures.leadership_risks, figures.leadership_measures) == (50 * times, 75 * times)
    assert sum(figures.powers_by_category.values()) == figures.powers
    assert sum(figures.risks_by_type.values()) == figures.risks
    assert sum(figures.risks_by_state.values()) == figures.risks


async def test_seed_shape_gives_exactly_the_seed_figures(sessionmaker: SessionMaker) -> None:
    await seed_shaped(sessionmaker)
    result = await district(sessionmaker)
    assert_seed_totals(result)
    assert 35 <= len(result.units) <= 45
    figures = result.total
    assert figures.focus_risks > 0 and figures.pending_reviews > 0
    assert 0 < figures.posts_with_risks < figures.posts  # coverage below 100%
    assert (
        figures.risks_by_state[StateGroup.PUBLICISED]
        > figures.risks_by_state[StateGroup.IN_REVIEW]
    )
    # The district's one root holds the whole: its subtree equals the total.
    (root,) = result.roots
    row = result.row(root)
    assert row is not None and row.subtree == figures
    # Each bureau's subtree is its own plus its departments'.
    for bureau in result.children(None):
        parts = [bureau.own, *(d.subtree for d in result.children(bureau.unit_id))]
        assert total(parts) == bureau.subtree


async def test_the_same_seed_writes_the_same_register(
    sessionmaker: SessionMaker, sqlite_template: Path, tmp_path: Path
) -> None:
    await seed_shaped(sessionmaker)
    first = await district(sessionmaker)
    copy = tmp_path / "again.sqlite3"
    shutil.copy(sqlite_template, copy)
    engine = make_engine(f"sqlite+aiosqlite:///{copy}")
    try:
        again = make_sessionmaker(engine)
        await seed_shaped(again)
        second = await district(again)
    finally:
        await engine.dispose()
    assert second.total == first.total
    assert [u.own for u in second.units] == [u.own for u in first.units]


async def test_scale_multiplies_and_a_subtree_scope_sees_only_its_units(
    sessionmaker: SessionMaker,
) -> None:
    await seed_shaped(sessionmaker, scale=2)
    result = await district(sessionmaker)
    assert_seed_totals(result, times=2)
    async with sessionmaker() as session:
        health = await session.scalar(select(Unit).where(Unit.path == "长安区/卫生局"))
        assert health is not None
        ids = await session.scalars(
            select(Unit.id).where((Unit.id == health.id) | Unit.path.startswith("长安区/卫生局/"))
        )
        bureau = await overview(session, Scope.of(ids), today=TODAY)
    assert bureau.roots == (health.id,)
    assert [u.name for u in bureau.children(None)] == ["业务科", "综合科"]
    row = result.row(health.id)
    assert row is not None and bureau.total == row.subtree
    # A scope too large to name in the queries (a province's subtree) is read whole and the
    # other units' rows dropped: the same figures as a scope named in them.
    first = [u.unit_id for u in result.units if u.path.startswith("长安区")]
    async with sessionmaker() as session:
        named = await overview(session, Scope.of(first), today=TODAY)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(counts, "UNITS_IN_QUERY", 0)
            whole = await overview(session, Scope.of(first), today=TODAY)
    assert whole == named
    assert_seed_totals(named)


async def test_scopes_follow_roles_on_the_demo_organisation(
    sessionmaker: SessionMaker, clock: FakeClock
) -> None:
    await seed_demo(sessionmaker, clock)
    await seed_shaped(sessionmaker)  # over the demo: 长安区's units are reused
    async with sessionmaker() as session:
        people = {p.name: p for p in await session.scalars(select(Person))}
        all_units = set(await session.scalars(select(Unit.id)))
        health = set(
            await session.scalars(
                select(Unit.id).where(
                    (Unit.path == "长安区/卫生局") | Unit.path.startswith("长安区/卫生局/")
                )
            )
        )
        assert (await scope_of(session, people["李纪委"])).unit_ids is None
        assert (await scope_of(session, people["赵区长"])).unit_ids == all_units
        assert (await scope_of(session, people["孙局长"])).unit_ids == health
        for name in ("王芳", "Emily Chen"):
            with pytest.raises(ServiceError) as refused:
                await scope_of(session, people[name])
            assert refused.value.key == "overview.not_allowed"
        with pytest.raises(ServiceError):
            await scope_of(session, None)
        leader_view = await overview(
            session, await scope_of(session, people["赵区长"]), today=TODAY
        )
    assert_seed_totals(leader_view)


async def test_the_table_reads_as_words_in_both_languages_and_fits_a_message(
    sessionmaker: SessionMaker,
) -> None:
    await seed_shaped(sessionmaker, scale=2)
    result = await district(sessionmaker)
    zh_text = overview_text(result, None, "zh", review_limit_days=3)
    en_text = overview_text(result, None, "en", review_limit_days=3)
    assert "一级 1366 个，二级 1874 个，三级 1462 个" in zh_text
    assert "level 1 (high) 1366, level 2 1874, level 3 1462" in en_text
    assert "Leadership posts</b>: 100 risk points, 150 measures" in en_text
    for text in (zh_text, en_text, ranking_text(result, None, "en")):
        assert utf16_len(text) <= 4096
        for identifier in ("external/", "internal/", "in_review", "publicised:", "moral", "None"):
            assert identifier not in text
    ranking = ranking_text(result, None, "zh")
    assert ranking.count("：覆盖") == 2  # two districts, ranked
