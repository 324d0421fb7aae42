"""Re-grading (定期调整) as services: only the holder revises, only while due; the new factors
route the resubmission; a reopen needs authority and a reason; reminders are sent once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import select

from bot.delivery.outbox import keyboard
from bot.domain.clock import FakeClock
from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.risk_workflow import Actor, RiskState
from bot.scheduling.regrading_reminders import remind_regrading
from bot.scheduling.runner import run_job
from bot.services import regrading, risks
from bot.services import review as review_service
from bot.services.buttons import regrading_button
from bot.services.review import ReviewConfig
from bot.services.risks import MeasureDraft
from bot.settings import Settings
from handlers.callbacks import RegradeCb
from storage.db import SessionMaker
from storage.models.audit import AuditLog
from storage.models.outbox import OutboxMessage
from storage.models.register import ControlMeasure, RiskPoint
from tests.kit.register import People, load
from tests.kit.regrading import (
    DEPT_REVIEWER,
    HIGH,
    LOW,
    approved_risk,
    dept_reviewer,
    due_risk_id,  # noqa: F401  (a fixture)
    regrading_config,  # noqa: F401  (a fixture)
    regrading_org,  # noqa: F401  (a fixture)
)
from tests.kit.uow import unit_of_work


async def refusal(
    sessionmaker: SessionMaker, step: Callable[..., Awaitable[object]], **kw: Any
) -> str:
    """The key of the refusal `step(session, **kw)` meets; its unit of work is rolled back,
    as the update middleware rolls back a refused update."""
    async with unit_of_work(sessionmaker) as session:
        with pytest.raises(ServiceError) as refused:
            await step(session, **kw)
        await session.rollback()
    return refused.value.key


async def status_of(sessionmaker: SessionMaker, risk_id: int) -> str:
    async with unit_of_work(sessionmaker) as session:
        risk = await session.get(RiskPoint, risk_id)
        assert risk is not None
        return risk.status


def test_the_notice_button_unpacks_as_the_card_callback() -> None:
    (row,) = keyboard([regrading_button(42)], "zh")["inline_keyboard"]
    data = row[0]["callback_data"]
    assert RegradeCb.unpack(data) == RegradeCb(a="open", r=42)


async def test_revised_factors_route_the_resubmission_by_the_new_level(
    sessionmaker: SessionMaker, clock: FakeClock, config: ReviewConfig, org: People, risk_id: int
) -> None:
    staff = await load(sessionmaker, org.staff_id)
    async with unit_of_work(sessionmaker) as session:
        grade = await regrading.revise_factors(
            session, clock, config, actor=staff, risk_id=risk_id, factors=HIGH
        )
    assert grade.level == 1
    async with unit_of_work(sessionmaker) as session:
        shown = await regrading.view(session, config, staff, risk_id)
        assert shown.changed and shown.reopen_comment is None
        row = await session.scalar(
            select(AuditLog).where(AuditLog.action == "regrade.factors").order_by(AuditLog.id)
        )
        assert row is not None and row.before and row.after
        assert row.before["harm"] == 1 and row.after["harm"] == 5
        assert row.before["suggested_level"] == 3 and row.after["suggested_level"] == 1
    async with unit_of_work(sessionmaker) as session:
        sit = await regrading.resubmit(session, clock, config, actor=staff, risk_id=risk_id)
    assert sit.state is RiskState.GRADED_REVIEW
    assert sit.review.suggested_level == 1 and sit.review_route.is_commission
    # The department that handled it as 三级 no longer may; the commission does.
    dept = await dept_reviewer(sessionmaker)
    async with unit_of_work(sessionmaker) as session:
        sit = await review_service.situation(session, config, risk_id)
        assert not review_service.actors_for(dept, sit) & {
            Actor.REVIEWER,
            Actor.APPROVER,
        }


async def test_only_the_holder_revises_and_only_while_due(
    sessionmaker: SessionMaker, clock: FakeClock, config: ReviewConfig, org: People
) -> None:
    risk_id = await approved_risk(sessionmaker, clock, config, org)
    staff = await load(sessionmaker, org.staff_id)
    colleague = await load(sessionmaker, org.colleague_id)
    revise = partial(regrading.revise_factors, clock=clock, config=config, risk_id=risk_id)
    assert await refusal(sessionmaker, revise, actor=staff, factors=HIGH) == (
        "workflow.illegal.approved"
    )
    async with unit_of_work(sessionmaker) as session:
        await review_service.mark_publicised(session, clock, config, risk_ids=[risk_id])
    clock.advance(config.regrading_period + timedelta(hours=1))
    async with unit_of_work(sessionmaker) as session:
        await review_service.mark_regrading_due(session, clock, config)
    for actor, factors, key in (
        (colleague, HIGH, "register.not_found"),
        (staff, LOW | {"harm": 6}, "register.bad_factors"),
    ):
        assert await refusal(sessionmaker, revise, actor=actor, factors=factors) == key
    async with unit_of_work(sessionmaker) as session:
        with pytest.raises(ServiceError):
            await regrading.resubmit(session, clock, config, actor=colleague, risk_id=risk_id)
    async with unit_of_work(sessionmaker) as session:
        risk = await session.get(RiskPoint, risk_id)
        assert risk is not None and risk.harm == 1 and risk.status == "regrading_due"
        assert not await session.scalar(select(AuditLog).where(AuditLog.action.like("regrade.%")))


async def test_measures_are_edited_added_and_removed_but_never_the_last(
    sessionmaker: SessionMaker, clock: FakeClock, config: ReviewConfig, org: People, risk_id: int
) -> None:
    staff = await load(sessionmaker, org.staff_id)
    async with unit_of_work(sessionmaker) as session:
        risk = await session.get(RiskPoint, risk_id)
        assert risk is not None
        first = risk.measures[0].id
    change = regrading.MeasureChange
    today = risks.today_of(clock, config.settings)
    refusals = (
        (change(action="x" * 501), "register.text_too_long"),
        (change(deadline=today - timedelta(days=1)), "register.date_past"),
        (change(responsible_id=org.outsider_id), "register.bad_responsible"),
    )
    mine = {"clock": clock, "config": config, "actor": staff, "risk_id": risk_id}
    for bad, key in refusals:
        revise = partial(regrading.revise_measure, **mine, measure_id=first)
        assert await refusal(sessionmaker, revise, change=bad) == key
    remove = partial(regrading.remove_measure, **mine, measure_id=first)
    assert await refusal(sessionmaker, remove) == "regrading.last_measure"
    async with unit_of_work(sessionmaker) as session:
        await regrading.revise_measure(
            session, clock, config, actor=staff, risk_id=risk_id, measure_id=first,
            change=change(action="双人受理并登记", responsible_id=org.colleague_id),
        )  # fmt: skip
    async with unit_of_work(sessionmaker) as session:
        added = await regrading.add_measure(
            session, clock, config, actor=staff, risk_id=risk_id,
            draft=MeasureDraft(action="每月抽查", deadline=today + timedelta(days=30)),
        )  # fmt: skip
        added_id = added.id
    async with unit_of_work(sessionmaker) as session:
        await regrading.remove_measure(
            session, clock, config, actor=staff, risk_id=risk_id, measure_id=first
        )
    async with unit_of_work(sessionmaker) as session:
        measures = list(
            await session.scalars(select(ControlMeasure).where(ControlMeasure.risk_id == risk_id))
        )
        assert [m.id for m in measures] == [added_id]
        actions = list(
            await session.scalars(
                select(AuditLog.action).where(AuditLog.action.like("regrade.measure%"))
            )
        )
        assert actions == ["regrade.measure_edit", "regrade.measure_add", "regrade.measure_remove"]
        edit = await session.scalar(
            select(AuditLog).where(AuditLog.action == "regrade.measure_edit")
        )
        assert edit is not None and edit.before and edit.after
        assert edit.entity_id == risk_id  # on the risk: its /history shows the revision
        assert edit.before["measure"]["action"] == "双人受理"
        assert edit.after["measure"]["action"] == "双人受理并登记"
        assert edit.after["measure"]["responsible_name"] == "张伟"


async def test_a_reopen_needs_authority_a_fresh_card_and_a_reason(
    sessionmaker: SessionMaker,
    clock: FakeClock,
    config: ReviewConfig,
    org: People,
    settings: Settings,
) -> None:
    risk_id = await approved_risk(sessionmaker, clock, config, org)
    async with unit_of_work(sessionmaker) as session:
        await review_service.mark_publicised(session, clock, config, risk_ids=[risk_id])
        version = (await review_service.situation(session, config, risk_id)).review.version
    outsider = await load(sessionmaker, org.other_reviewer_id)
    bureau = await load(sessionmaker, org.reviewer_id)
    staff = await load(sessionmaker, org.staff_id)
    async with unit_of_work(sessionmaker) as session:
        assert risk_id not in await regrading.active_in_scope(session, config, outsider)
        assert risk_id in await regrading.active_in_scope(session, config, bureau)
        with pytest.raises(NotAllowed):
            await regrading.check_reopen(session, config, actor=outsider, risk_id=risk_id)
        with pytest.raises(ServiceError) as stale:
            await regrading.check_reopen(
                session, config, actor=bureau, risk_id=risk_id, expected_version=version - 1
            )
        assert stale.value.key == "review.stale_card"
    for actor, reason, key in (
        (outsider, "群众反馈", "workflow.actor_not_allowed"),
        (staff, "群众反馈", "workflow.actor_not_allowed"),
        (bureau, "  ", "workflow.comment_required"),
        (bureau, "长" * 501, "review.comment_too_long"),
    ):
        reopen = partial(regrading.reopen, clock=clock, config=config, risk_id=risk_id)
        assert await refusal(sessionmaker, reopen, actor=actor, reason=reason) == key
    assert await status_of(sessionmaker, risk_id) == RiskState.PUBLICISED.value
    async with unit_of_work(sessionmaker) as session:
        await regrading.reopen(
            session, clock, config, actor=bureau, risk_id=risk_id, reason="群众反馈审批偏慢",
            expected_version=version,
        )  # fmt: skip
    assert await status_of(sessionmaker, risk_id) == RiskState.REGRADING_DUE.value
    async with unit_of_work(sessionmaker) as session:
        shown = await regrading.view(session, config, staff, risk_id)
        assert shown.reopen_comment == "群众反馈审批偏慢" and not shown.changed
    async with unit_of_work(
        sessionmaker
    ) as session:  # a description edited meanwhile is a revision too
        await risks.edit_risk(
            session, clock, actor=staff, risk_id=risk_id, field="description",
            value="审批时限超期未说明理由", settings=settings)  # fmt: skip
    async with unit_of_work(sessionmaker) as session:
        assert (await regrading.view(session, config, staff, risk_id)).changed
        notice = await session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.chat_id == org.staff)
            .order_by(OutboxMessage.id.desc())
        )
        assert notice is not None and "群众反馈审批偏慢" in notice.payload["text"]
        button = notice.payload["reply_markup"]["inline_keyboard"][0][0]
        assert RegradeCb.unpack(button["callback_data"]) == RegradeCb(a="open", r=risk_id)


async def test_regrading_reminders_are_sent_once_and_stop_after_resubmission(
    sessionmaker: SessionMaker,
    clock: FakeClock,
    config: ReviewConfig,
    org: People,
    settings: Settings,
    risk_id: int,
) -> None:
    async def run() -> list[OutboxMessage]:
        for _ in range(2):  # twice: the second run finds everything sent
            await run_job(remind_regrading, sessionmaker, clock, settings)
        async with unit_of_work(sessionmaker) as session:
            return list(
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.kind == "remind.regrading")
                    .order_by(OutboxMessage.id)
                )
            )

    assert await run() == []  # just due: nothing yet
    clock.advance(timedelta(days=settings.regrading_reminder_days))
    sent = await run()
    assert [m.chat_id for m in sent] == [org.staff]
    assert "已等待定期调整" in sent[0].payload["text"] and sent[0].payload.get("reply_markup")
    clock.advance(timedelta(days=3))
    assert len(await run()) == 1  # weekly, not daily
    clock.advance(timedelta(days=settings.regrading_escalation_days))
    sent = await run()
    reviewers = {m.chat_id for m in sent} - {org.staff}
    assert reviewers == {DEPT_REVIEWER}  # the tier its level routes to (三级: the department)
    count = len(sent)
    staff = await load(sessionmaker, org.staff_id)
    async with unit_of_work(sessionmaker) as session:
        await regrading.resubmit(session, clock, config, actor=staff, risk_id=risk_id)
    clock.advance(timedelta(days=14))
    assert len(await run()) == count
