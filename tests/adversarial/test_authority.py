"""Authority before the question: a button that asks for a text (a return comment, a level
reason, a dispute, an edit, a measure's report) refuses someone without a say on the record
at once, instead of asking for the text and refusing only after it was typed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiogram import Dispatcher
from aiogram.fsm.storage.base import BaseStorage, StorageKey

from bot.domain.clock import FakeClock
from bot.i18n import translate
from bot.services import review as review_service
from bot.services import risks
from bot.services.risks import MeasureDraft, RiskDraft
from bot.settings import Settings
from handlers.callbacks import (
    MeasureAction,
    MeasureCb,
    ReviewAction,
    ReviewCb,
    RiskAction,
    RiskCb,
)
from storage.db import SessionMaker
from tests.adversarial.kit import press
from tests.kit.mocked_bot import MockedBot
from tests.kit.register import load, make_people
from tests.kit.uow import unit_of_work

BASE = 7500
MID = dict.fromkeys(("importance", "discretion", "public", "likelihood", "harm"), 3)
PROMPTS = {
    translate(key, "zh")
    for key in (
        "review.ask_return_comment", "review.ask_level_reason", "review.ask_repropose",
        "measures.ask_note", "risks.ask_description", "risks.ask_dispute_reason",
    )
}  # fmt: skip


@pytest.fixture
async def case(sessionmaker: SessionMaker, clock: FakeClock, settings: Settings) -> dict:
    """王芳's risk of 医政科 (卫生局) with one measure, in review."""
    people = await make_people(sessionmaker, clock, base=BASE)
    staff = await load(sessionmaker, people.staff_id)
    async with unit_of_work(sessionmaker) as session:
        measure = MeasureDraft(action="双人复核", deadline=clock.now().date() + timedelta(days=90))
        risk = await risks.declare_risk(
            session, clock, actor=staff, settings=settings,
            draft=RiskDraft(description="审批收受好处", risk_type="duty", factors=MID,
                            measures=[measure]),
        )  # fmt: skip
        await session.commit()
        sit = await review_service.situation(
            session, review_service.ReviewConfig.from_settings(settings), risk.id
        )
        return {"people": people, "risk": risk.id, "measure": risk.measures[0].id,
                "version": sit.review.version}  # fmt: skip


@pytest.mark.parametrize(
    ("who", "button"),
    [
        ("other_reviewer", "return"), ("other_reviewer", "level"), ("other_reviewer", "reason"),
        ("colleague", "edit"), ("colleague", "dispute"), ("colleague", "status"),
        ("outsider", "status"),
    ],
)  # fmt: skip
async def test_no_question_for_someone_without_a_say(
    dp: Dispatcher, bot: MockedBot, fsm_storage: BaseStorage, case: dict, who: str, button: str
) -> None:
    people, risk, v = case["people"], case["risk"], case["version"]
    data = {
        "return": ReviewCb(a=ReviewAction.RETURN, r=risk, v=v, k="social"),
        "level": ReviewCb(a=ReviewAction.LEVEL, r=risk, v=v, k="social"),
        "reason": ReviewCb(a=ReviewAction.SET_LEVEL, r=risk, v=v, k="social", lv=1),
        "edit": RiskCb(action=RiskAction.EDIT, id=risk),
        "dispute": RiskCb(action=RiskAction.DISPUTE, id=risk),
        "status": MeasureCb(action=MeasureAction.STATUS, id=case["measure"], value=0),
    }[button].pack()
    telegram_id = getattr(people, who)
    reply = await press(dp, bot, telegram_id, data)
    assert reply.any and not reply.unexpected
    assert not PROMPTS & {line for text in reply.texts for line in text.split("\n\n")}, reply
    key = StorageKey(bot_id=bot.id, chat_id=telegram_id, user_id=telegram_id)
    assert await fsm_storage.get_state(key) is None  # no step waits for a text
