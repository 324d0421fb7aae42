"""The declaration as a clumsy user and a crashing process meet it, through the dispatcher.

Text steps: every text step of the declaration (风险表现, a measure, its deadline) is fed
over-long, empty, whitespace-only, zero-width, HTML and emoji input: each is refused with the
step's question again or kept as typed, never a traceback. Crashes: the submit is killed at
every write it makes in turn (a SQLAlchemy event raising at the Nth statement, the transaction
lost as in a SIGKILL) and the person presses 提交 again: exactly one risk point with all its
measures, however late the kill came (the commit itself included, before the state was
cleared)."""

from __future__ import annotations

import contextlib

import pytest
from aiogram import Dispatcher
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.clock import FakeClock
from bot.i18n import translate
from storage.db import SessionMaker
from storage.models.register import ControlMeasure, RiskPoint
from storage.models.review import RiskReview
from tests.adversarial.kit import (
    Killed,
    Tally,
    Tracebacks,
    WriteWatch,
    crash_watch,
    say,
    tap,
    watching,
)
from tests.kit.mocked_bot import MockedBot
from tests.kit.register import make_people
from tests.kit.uow import unit_of_work

BASE = 7300
ZERO_WIDTH = "\u200b\u200c\u200d\ufeff"
# (input, refused?) for a text step with a limit of `limit` UTF-16 units.
BAD_TEXT = [
    ("", True),
    ("   \n\t\u3000", True),
    (ZERO_WIDTH, True),
    (" " + ZERO_WIDTH + " ", True),
]


def zh(key: str, **values: object) -> str:
    return translate(key, "zh", **values)


def hostile(limit: int) -> list[tuple[str, bool]]:
    return [
        *BAD_TEXT,
        ("长" * (limit + 1), True),
        ("😀" * (limit // 2 + 1), True),  # within `limit` characters, past it in UTF-16
        ("<b>审批</b> & <script>", False),
        ("&" * limit, False),  # `&` counts one unit, not five
        ("😀" * (limit // 2), False),
    ]


@pytest.fixture
async def staff(sessionmaker: SessionMaker, clock: FakeClock) -> int:
    """The person who declares: a staff member of the organisation the tests make."""
    return (await make_people(sessionmaker, clock, base=BASE)).staff


async def to_description(dp: Dispatcher, bot: MockedBot, staff: int) -> None:
    await say(dp, bot, staff, "/risks")
    await tap(dp, bot, staff, zh("risks.declare"))
    await tap(dp, bot, staff, zh("risks.no_power"))


async def description_to_measure(dp: Dispatcher, bot: MockedBot, staff: int, text: str) -> None:
    await say(dp, bot, staff, text)
    await tap(dp, bot, staff, zh("register.risk_type.duty"))
    await tap(dp, bot, staff, zh("risks.no_focus"))
    for _ in range(5):
        await tap(dp, bot, staff, zh("risks.scale.1"))


async def measure_to_confirm(dp: Dispatcher, bot: MockedBot, staff: int, measures: int) -> None:
    for number in range(measures):
        await say(dp, bot, staff, f"措施{number}")
        await tap(dp, bot, staff, zh("risks.responsible_me"))
        await tap(dp, bot, staff, zh("risks.quick.year"))
        if number < measures - 1:
            await tap(dp, bot, staff, zh("risks.add_measure"))
    await tap(dp, bot, staff, zh("risks.measures_done"))


async def feed(
    dp: Dispatcher, bot: MockedBot, staff: int, tally: Tally, crashes: Tracebacks,
    watch: WriteWatch, inputs: list[tuple[str, bool]], question: str, step: str,
) -> None:  # fmt: skip
    """Each refused input gets a refusal and the step's question again, with no write."""
    for text, refused in inputs:
        if not refused:
            continue
        reply = await say(dp, bot, staff, text)
        tally.tried += 1
        if crashes.take():
            tally.tracebacks += 1
            tally.problem(f"{step} {text[:20]!r}: traceback")
        if watch.take():
            tally.unintended_writes += 1
            tally.problem(f"{step} {text[:20]!r}: wrote")
        if not reply.texts or question not in reply.texts[-1] or reply.unexpected:
            tally.lost += 1
            tally.problem(f"{step} {text[:20]!r}: {reply}")
        else:
            tally.refused += 1


async def test_every_text_step_refuses_bad_input_and_keeps_good_input(
    dp: Dispatcher, bot: MockedBot, engine: AsyncEngine, sessionmaker: SessionMaker,
    staff: int, request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    with watching(engine, request, "text steps") as (tally, crashes, watch):
        accepted = [text for text, refused in hostile(1000) if not refused]
        for kept in accepted:  # each acceptable description is a declaration of its own
            await to_description(dp, bot, staff)
            await feed(
                dp, bot, staff, tally, crashes, watch, hostile(1000),
                zh("risks.ask_description"), "description",
            )  # fmt: skip
            await description_to_measure(dp, bot, staff, kept)
            await feed(
                dp, bot, staff, tally, crashes, watch, hostile(500),
                zh("risks.ask_measure"), "measure",
            )  # fmt: skip
            await say(dp, bot, staff, kept[:250])  # within 500 units, emoji too
            await tap(dp, bot, staff, zh("risks.responsible_me"))
            dates = [(t, True) for t in ("", ZERO_WIDTH, "<b>明天</b>", "9" * 300, "😀")]
            await feed(
                dp, bot, staff, tally, crashes, watch, dates, zh("risks.ask_deadline"), "deadline"
            )  # fmt: skip
            await tap(dp, bot, staff, zh("risks.quick.year"))
            await tap(dp, bot, staff, zh("risks.measures_done"))
            await tap(dp, bot, staff, zh("risks.submit"))
            tally.tried += 1
            watch.take()
        async with unit_of_work(sessionmaker) as session:
            stored = (await session.scalars(select(RiskPoint.description))).all()
        assert sorted(stored) == sorted(text.strip() for text in accepted)  # kept as typed
    assert tally.tried > 30
    tally.assert_clean()


MEASURES = 2


async def test_a_crash_at_every_write_of_a_declaration_leaves_one_risk(
    dp: Dispatcher, bot: MockedBot, engine: AsyncEngine, sessionmaker: SessionMaker,
    staff: int, request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    with crash_watch(engine, request, "crashes") as (tally, kill, crashes):
        n = 0
        while True:
            n += 1
            await to_description(dp, bot, staff)
            await description_to_measure(dp, bot, staff, f"风险{n}")
            await measure_to_confirm(dp, bot, staff, MEASURES)
            kill.arm(n)
            with contextlib.suppress(Killed):
                await tap(dp, bot, staff, zh("risks.submit"))
            fired = kill.fired
            kill.arm(0)
            tally.tried += 1
            # The restart: the person finds the confirm card again and presses 提交 (again).
            await tap(dp, bot, staff, zh("risks.submit"))
            if crashes.take():
                tally.tracebacks += 1
                tally.problem(f"kill at {n}: traceback")
            async with unit_of_work(sessionmaker) as session:
                rows = (
                    await session.scalars(
                        select(RiskPoint).where(RiskPoint.description == f"风险{n}")
                    )
                ).all()
                measures = [
                    await session.scalar(
                        select(func.count()).where(ControlMeasure.risk_id == row.id)
                    )
                    for row in rows
                ]
                reviews = [
                    await session.scalar(select(func.count()).where(RiskReview.risk_id == row.id))
                    for row in rows
                ]
            if len(rows) > 1:
                tally.unintended_writes += 1
                tally.problem(f"kill at {n}: {len(rows)} risks")
            elif not rows or measures != [MEASURES] or reviews != [1]:
                tally.lost += 1
                tally.problem(f"kill at {n}: risks {len(rows)} measures {measures} {reviews}")
            else:
                tally.refused += 1
            if not fired:  # the submit made fewer writes than n: every point was tried
                break
            assert n < 60
    assert tally.tried > 5
    tally.assert_clean()
