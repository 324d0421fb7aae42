"""Generated button presses for every CallbackData class, by every persona: other people's and
other units' ids, wrong states, ids past 64 bits, garbage and replays of old cards. Each gets a
clear answer (never "unexpected error"), no traceback, and no committed write to a record."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import timedelta
from enum import Enum

import pytest
from aiogram import Dispatcher
from aiogram.filters.callback_data import CallbackData
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.clock import FakeClock
from bot.services import risks
from bot.services.risks import MeasureDraft, RiskDraft
from bot.settings import Settings
from storage.db import SessionMaker
from tests.adversarial.kit import press, watching
from tests.kit.mocked_bot import MockedBot
from tests.kit.register import load, make_people
from tests.kit.uow import unit_of_work
from tests.unit.test_callbacks import CLASSES

BASE = 7100
CITIZEN = BASE + 99
# Self-service buttons whose write is the point (a citizen subscribes to any unit's notices, a
# leader chooses a digest): a write there is intended, so it is not counted against the press.
SELF_SERVICE = {"SubscribeCb", "DigestCb", "LanguageChoice"}
HUGE = 2**63 - 1
MID = dict.fromkeys(("importance", "discretion", "public", "likelihood", "harm"), 3)
TEXTS = {"batch": ["", "f" * 32, "../x"], "k": ["", "social", "<b>"], "locale": ["xx", "zh"]}


def _first_enum(cls: type[CallbackData]) -> tuple[str, type[Enum]] | None:
    for name, field in cls.model_fields.items():
        if isinstance(field.annotation, type) and issubclass(field.annotation, Enum):
            return name, field.annotation
    return None


def generated(cls: type[CallbackData], numbers: list[int]) -> Iterator[str]:
    """Each action with every number field set to each of `numbers`; then garbage."""
    enum = _first_enum(cls)
    members: list[Enum | None] = list(enum[1]) if enum else [None]
    for member, number in itertools.product(members, numbers):
        values: dict[str, object] = {}
        for name, field in cls.model_fields.items():
            kind = field.annotation
            if enum and name == enum[0]:
                values[name] = member
            elif isinstance(kind, type) and issubclass(kind, Enum):
                values[name] = next(iter(kind))
            elif kind is int:
                highs = [m.le for m in field.metadata if getattr(m, "le", None) is not None]
                lows = [m.ge for m in field.metadata if getattr(m, "ge", None) is not None]
                values[name] = max([min([number, *highs]), *lows])
            else:
                values[name] = TEXTS[name][number % len(TEXTS[name])]
        parts = [getattr(value, "value", value) for value in cls(**values).model_dump().values()]
        yield ":".join([cls.__prefix__, *map(str, parts)])  # a forged press may pass 64 bytes
    prefix = cls.__prefix__
    yield f"{prefix}:" + ":".join(["9" * 300] * len(cls.model_fields))
    yield f"{prefix}:{'x' * 60}"
    yield prefix


@pytest.fixture
async def world(sessionmaker: SessionMaker, clock: FakeClock, settings: Settings) -> dict:
    """The 长安区 organisation and a risk point of 财政局 (赵敏's) with one measure."""
    people = await make_people(sessionmaker, clock, base=BASE)
    outsider = await load(sessionmaker, people.outsider_id)
    async with unit_of_work(sessionmaker) as session:
        measure = MeasureDraft(
            action="双人复核", deadline=clock.now().date() + timedelta(days=400)
        )
        risk = await risks.declare_risk(
            session, clock, actor=outsider, settings=settings,
            draft=RiskDraft(
                description="报销审核把关不严", risk_type="duty", factors=MID, measures=[measure]
            ),
        )  # fmt: skip
        await session.commit()
        measure_id = risk.measures[0].id
    return {"people": people, "risk": risk.id, "measure": measure_id}


CHUNKS = 4  # the classes in four tests, so pytest-xdist spreads them


@pytest.mark.parametrize("chunk", range(CHUNKS))
async def test_every_button_forged_or_replayed_is_refused_cleanly(
    dp: Dispatcher,
    bot: MockedBot,
    engine: AsyncEngine,
    world: dict,
    request: pytest.FixtureRequest,
    chunk: int,
) -> None:
    people = world["people"]
    strangers = [people.staff, people.colleague, people.leader, people.reviewer, CITIZEN]
    everyone = [*strangers, people.outsider, people.other_reviewer, people.admin]
    foreign = [world["risk"], people.other_unit_id]
    turn = itertools.count()
    with watching(engine, request, "presses") as (tally, crashes, watch):
        for cls in CLASSES[chunk::CHUNKS]:
            # Other people's records (by those who have no say on them), then huge ids and
            # garbage (by anyone, the record's own people and the commission included).
            presses = [(data, strangers) for data in generated(cls, foreign)]
            presses += [(data, everyone) for data in generated(cls, [HUGE])]
            for data, who in presses:
                persona = who[next(turn) % len(who)]
                reply = await press(dp, bot, persona, data)
                tally.tried += 1
                writes = watch.take()
                crashed = crashes.take()
                if crashed:
                    tally.tracebacks += 1
                    tally.problem(f"{persona} {data}: {crashed[0].getMessage()}")
                if writes and cls.__name__ not in SELF_SERVICE:
                    tally.unintended_writes += 1
                    tally.problem(f"{persona} {data}: wrote {sorted({t for t, _ in writes})}")
                if not reply.any or reply.unexpected:
                    tally.lost += 1
                    tally.problem(f"{persona} {data}: answered {reply}")
                elif not crashed and (not writes or cls.__name__ in SELF_SERVICE):
                    tally.refused += 1
    assert tally.tried > 80
    tally.assert_clean()
