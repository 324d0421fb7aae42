"""The holder's re-grading card through the real dispatcher: revising the factors is an FSM
conversation that survives a restart; forged or mistyped answers change nothing."""

from __future__ import annotations

from datetime import date

from aiogram import Dispatcher
from aiogram.fsm.storage.base import BaseStorage
from sqlalchemy import select

from bot.app.wiring import create_dispatcher
from handlers.callbacks import RegradeCb, RiskCb
from handlers.staff.regrading import Regrade
from storage.db import SessionMaker
from storage.models.audit import AuditLog
from storage.models.register import ControlMeasure, RiskPoint
from tests.dispatcher.helpers import Flow, last_alert, press, zh
from tests.kit.mocked_bot import MockedBot, message_update, user
from tests.kit.register import People
from tests.kit.regrading import (
    due_risk_id,  # noqa: F401  (a fixture)
    regrading_config,  # noqa: F401  (a fixture)
    regrading_org,  # noqa: F401  (a fixture)
)
from tests.kit.uow import unit_of_work


async def test_revising_the_factors_survives_a_restart(
    flow: Flow, fresh_storage: BaseStorage, risk_id: int
) -> None:
    dp, bot, org, sessionmaker, clock, settings = flow
    await press(dp, bot, org.staff, RegradeCb(a="open", r=risk_id).pack())
    assert "现风险等级：三级" in bot.last_text(org.staff)
    await press(dp, bot, org.staff, RegradeCb(a="f", r=risk_id).pack())
    await press(dp, bot, org.staff, RiskCb(action="factor", value=5).pack())
    await press(dp, bot, org.staff, RiskCb(action="factor", value=9).pack())  # forged
    assert last_alert(bot) == zh("fallback.stale_button")
    await dp.feed_update(bot, message_update(user(org.staff), "5"))  # typed, not tapped
    assert zh("register.use_buttons") in bot.last_text(org.staff)

    restarted = create_dispatcher(settings, sessionmaker, clock=clock, storage=fresh_storage)
    fresh_bot = MockedBot()
    context = restarted.fsm.get_context(bot=fresh_bot, chat_id=org.staff, user_id=org.staff)
    assert await context.get_state() == Regrade.factor.state
    for _ in range(4):
        await press(restarted, fresh_bot, org.staff, RiskCb(action="factor", value=5).pack())
    preview = fresh_bot.last_text(org.staff)
    assert zh("regrading.factors_preview") in preview and "一级" in preview
    async with unit_of_work(sessionmaker) as session:  # nothing saved before the holder says so
        risk = await session.get(RiskPoint, risk_id)
        assert risk is not None and risk.harm == 1
    await press(restarted, fresh_bot, org.staff, RegradeCb(a="fsave", r=risk_id).pack())
    assert zh("regrading.factors_saved", level=zh("grading.level.1")) in fresh_bot.last_text(
        org.staff
    )
    async with unit_of_work(sessionmaker) as session:
        risk = await session.get(RiskPoint, risk_id)
        assert risk is not None and risk.harm == 5 and risk.suggested_level == 1
        assert await session.scalar(select(AuditLog).where(AuditLog.action == "regrade.factors"))
    assert await context.get_state() is None


async def test_someone_else_cannot_open_or_submit_the_card(
    dp: Dispatcher, bot: MockedBot, org: People, sessionmaker: SessionMaker, risk_id: int
) -> None:
    for data in (RegradeCb(a="open", r=risk_id), RegradeCb(a="ok", r=risk_id)):
        await press(dp, bot, org.colleague, data.pack())
        assert last_alert(bot) == zh("register.not_found")
    async with unit_of_work(sessionmaker) as session:
        risk = await session.get(RiskPoint, risk_id)
        assert risk is not None and risk.status == "regrading_due"


async def test_a_measure_gets_a_new_deadline_and_responsible_then_one_is_removed(
    dp: Dispatcher, bot: MockedBot, org: People, sessionmaker: SessionMaker, risk_id: int
) -> None:
    async with unit_of_work(sessionmaker) as session:
        first = (await session.get(RiskPoint, risk_id)).measures[0].id  # type: ignore[union-attr]
    staff = org.staff
    # The deadline: a past date typed is refused and asked again; a valid one is saved.
    await press(dp, bot, staff, RegradeCb(a="md", r=risk_id, m=first).pack())
    await dp.feed_update(bot, message_update(user(staff), "2020-01-01"))
    assert zh("register.date_past") in bot.last_text(staff)
    await dp.feed_update(bot, message_update(user(staff), "2028-06-30"))
    assert zh("regrading.measure_saved") in bot.last_text(staff)
    # 责任主体: a colleague of the unit from the declaration's list; an outsider is refused.
    await press(dp, bot, staff, RegradeCb(a="mw", r=risk_id, m=first).pack())
    await press(dp, bot, staff, RiskCb(action="who", id=org.outsider_id).pack())
    assert zh("register.bad_responsible") in bot.last_text(staff)
    await press(dp, bot, staff, RegradeCb(a="mw", r=risk_id, m=first).pack())
    await press(dp, bot, staff, RiskCb(action="who", id=org.colleague_id).pack())
    assert zh("regrading.measure_saved") in bot.last_text(staff)
    async with unit_of_work(sessionmaker) as session:
        measure = await session.get(ControlMeasure, first)
        assert measure is not None
        assert measure.deadline == date(2028, 6, 30) and measure.responsible_name == "张伟"
    # The only measure cannot go; after adding one (quick pick), the first can.
    await press(dp, bot, staff, RegradeCb(a="mx", r=risk_id, m=first).pack())
    assert last_alert(bot) == zh("regrading.last_measure")
    await press(dp, bot, staff, RegradeCb(a="add", r=risk_id).pack())
    await dp.feed_update(bot, message_update(user(staff), "每月抽查十件"))
    await press(dp, bot, staff, RiskCb(action="who").pack())
    await press(dp, bot, staff, RiskCb(action="quick", value=1).pack())
    assert zh("regrading.measure_added") in bot.last_text(staff)
    await press(dp, bot, staff, RegradeCb(a="mx", r=risk_id, m=first).pack())
    async with unit_of_work(sessionmaker) as session:
        left = list(
            await session.scalars(
                select(ControlMeasure.action).where(ControlMeasure.risk_id == risk_id)
            )
        )
    assert left == ["每月抽查十件"]
    # The card now offers "submit" (something changed) rather than "confirm unchanged".
    assert zh("regrading.btn.submit") in str(bot.sent(staff)[-1].reply_markup)
