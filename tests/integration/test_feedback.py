"""Feedback services against the database: submitting (rules and limits), routing by tier,
answering and refusing other tiers, tracking, rating, misconduct, reopening, the ladder."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.assessment import Count, Indicator
from bot.domain.clock import FakeClock
from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.feedback import Disposition, Kind, Rating, State, Step
from bot.domain.publicity import RoundState
from bot.services import assessment
from bot.services import review as review_service
from bot.services.feedback import answering, ladder, submit, tracking
from bot.services.feedback.config import FeedbackConfig
from bot.services.feedback.figures import feedback_figures, figures_by_unit
from bot.services.feedback.public import public_counts
from bot.services.feedback.submit import Draft, Evidence
from bot.services.review import ReviewConfig
from bot.services.stats.overview import Scope, overview
from bot.settings import Settings
from storage.db import SessionMaker
from storage.models.audit import AuditLog
from storage.models.feedback import Feedback, FeedbackLookupMiss, FeedbackSender
from storage.models.org import Person
from storage.models.register import RiskPoint
from tests.kit.feedback import make_citizen, open_round, queued_to, told
from tests.kit.register import People, load
from tests.kit.regrading import approved_risk, dept_reviewer, make_regrading_org

TEXT = "窗口工作人员要求群众反复补交材料，办理时间过长"
CITIZEN_TG = 880001


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Without the colleagues' window, so a risk is approved in two decisions."""
    return settings.model_copy(update={"social_review_days": 0})


@pytest.fixture
def config(settings: Settings) -> FeedbackConfig:
    return FeedbackConfig.from_settings(settings)


@pytest.fixture
def review_config(settings: Settings) -> ReviewConfig:
    return ReviewConfig.from_settings(settings)


class World:
    def __init__(self, org: People, risk_id: int, item_id: int, citizen: Person) -> None:
        self.org, self.risk_id, self.item_id, self.citizen = org, risk_id, item_id, citizen


@pytest.fixture
async def world(
    sessionmaker: SessionMaker, clock: FakeClock, review_config: ReviewConfig
) -> World:
    org = await make_regrading_org(sessionmaker, clock)
    risk_id = await approved_risk(sessionmaker, clock, review_config, org)
    async with sessionmaker() as session:
        await review_service.mark_publicised(session, clock, review_config, risk_ids=[risk_id])
    items = await open_round(sessionmaker, clock, [risk_id])
    citizen = await make_citizen(sessionmaker, clock, CITIZEN_TG, "张大爷", "en")
    return World(org, risk_id, items[risk_id][0], citizen)


async def _submit(
    sessionmaker: SessionMaker,
    clock: FakeClock,
    config: FeedbackConfig,
    person: Person,
    item_id: int,
    *,
    text: str = TEXT,
    kind: Kind = Kind.OBJECTION,
    anonymous: bool = True,
) -> submit.Receipt:
    async with sessionmaker() as session:
        receipt = await submit.submit(
            session,
            clock,
            config,
            person,
            Draft(
                item_id=item_id,
                kind=kind,
                text=text,
                anonymous=anonymous,
                evidence=(Evidence("photo", "AgACAgI-test"),),
            ),
        )
        await session.commit()
        return receipt


async def _answer(
    sessionmaker: SessionMaker,
    clock: FakeClock,
    config: FeedbackConfig,
    who: Person,
    feedback_id: int,
    text: str,
) -> None:
    """`who` answers the item (committed)."""
    async with sessionmaker() as session:
        await answering.answer(session, clock, config, who, feedback_id=feedback_id, text=text)
        await session.commit()


async def _rate(
    sessionmaker: SessionMaker,
    clock: FakeClock,
    config: FeedbackConfig,
    citizen: Person,
    feedback_id: int,
    rating: Rating,
) -> tracking.OwnView:
    """The citizen rates the answer (committed); their view of the item after it."""
    async with sessionmaker() as session:
        view = await tracking.rate(
            session, clock, config, citizen, feedback_id=feedback_id, rating=rating
        )
        await session.commit()
        return view


async def test_anonymous_feedback_is_routed_to_the_tier_and_names_nobody(
    sessionmaker: SessionMaker, clock: FakeClock, config: FeedbackConfig, world: World
) -> None:
    receipt = await _submit(sessionmaker, clock, config, world.citizen, world.item_id)
    assert receipt.code.startswith("QF-") and len(receipt.code) == 12
    dept = await dept_reviewer(sessionmaker)
    notices = await queued_to(sessionmaker, dept.id)
    assert any(receipt.code in text for text in notices)
    assert all("张大爷" not in text for text in notices)
    # Not the bureau above, not the other branch, until the ladder says so.
    assert not await told(sessionmaker, world.org.reviewer_id, receipt.code)
    async with sessionmaker() as session:
        item = await session.scalar(select(Feedback).where(Feedback.code == receipt.code))
        assert item is not None
        assert item.route_tier == "department" and item.anonymous and item.signed_name is None
        assert item.evidence == [{"type": "photo", "file_id": "AgACAgI-test", "name": ""}]
        query = select(AuditLog).where(AuditLog.entity_type == "feedback")
        trail = list(await session.scalars(query))
        assert [row.action for row in trail] == ["feedback.submit"]
        assert trail[0].actor_id is None and "张大爷" not in str(trail[0].after)
        sender = await session.get(FeedbackSender, item.id)
        assert sender is not None and sender.person_id == world.citizen.id


async def test_submission_rules(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings, world: World
) -> None:
    config = FeedbackConfig.from_settings(settings.model_copy(update={"feedback_per_day": 2}))
    await _submit(sessionmaker, clock, config, world.citizen, world.item_id)
    with pytest.raises(ServiceError) as dup:
        await _submit(sessionmaker, clock, config, world.citizen, world.item_id, text=TEXT + " ")
    assert dup.value.key == "feedback.duplicate"
    with pytest.raises(ServiceError) as link:
        await _submit(
            sessionmaker,
            clock,
            config,
            world.citizen,
            world.item_id,
            text="请看 https://example.com 上的证据材料",
        )
    assert link.value.key == "feedback.no_links"
    await _submit(
        sessionmaker, clock, config, world.citizen, world.item_id, text=TEXT + "，第二次"
    )
    with pytest.raises(ServiceError) as limit:
        await _submit(
            sessionmaker, clock, config, world.citizen, world.item_id, text=TEXT + "，再次"
        )
    assert limit.value.key == "feedback.daily_limit"
    clock.advance(timedelta(days=1))  # a new day
    await _submit(sessionmaker, clock, config, world.citizen, world.item_id, text=TEXT + "，次日")


async def test_staff_of_the_unit_and_closed_rounds_are_refused(
    sessionmaker: SessionMaker, clock: FakeClock, config: FeedbackConfig, world: World
) -> None:
    colleague = await load(sessionmaker, world.org.colleague_id)
    with pytest.raises(ServiceError) as own:
        await _submit(sessionmaker, clock, config, colleague, world.item_id)
    assert own.value.key == "feedback.own_unit"
    outsider = await load(sessionmaker, world.org.outsider_id)  # 财政局 staff: as a citizen
    await _submit(sessionmaker, clock, config, outsider, world.item_id)
    closed = await open_round(sessionmaker, clock, [world.risk_id], state=RoundState.CLOSED)
    with pytest.raises(ServiceError) as gone:
        await _submit(sessionmaker, clock, config, world.citizen, closed[world.risk_id][0])
    assert gone.value.key == "feedback.not_in_publicity"
    async with sessionmaker() as session:
        query = select(Feedback.id).where(Feedback.item_id == closed[world.risk_id][0])
        assert await session.scalar(query) is None


async def test_the_tier_answers_another_tier_is_refused_and_the_sender_reads_it(
    sessionmaker: SessionMaker, clock: FakeClock, config: FeedbackConfig, world: World
) -> None:
    receipt = await _submit(sessionmaker, clock, config, world.citizen, world.item_id)
    other = await load(sessionmaker, world.org.other_reviewer_id)
    async with sessionmaker() as session:
        assert await answering.inbox(session, other) == []
        with pytest.raises(NotAllowed):
            await answering.answer(
                session, clock, config, other, feedback_id=receipt.feedback_id, text="不是我们的"
            )
    dept = await dept_reviewer(sessionmaker)
    async with sessionmaker() as session:
        assert await answering.inbox(session, dept) == [receipt.feedback_id]
        card = await answering.card(session, dept, receipt.feedback_id)
        assert card.anonymous and card.signed_name is None
        await answering.answer(
            session,
            clock,
            config,
            dept,
            feedback_id=receipt.feedback_id,
            text="已安排一次性告知材料清单",
        )
        await session.commit()
    answered = await told(sessionmaker, world.citizen.id, receipt.code)
    assert answered and "已安排一次性告知材料清单" in answered[-1]
    assert "answered" in answered[-1]  # in English: the citizen's language
    async with sessionmaker() as session:
        with pytest.raises(ServiceError) as again:
            await answering.answer(
                session, clock, config, dept, feedback_id=receipt.feedback_id, text="再答一次"
            )
        assert again.value.key == "feedback.already_handled"
        seen = await tracking.track(session, clock, world.citizen, receipt.code.lower())
        assert seen.view is not None and seen.view.answer == "已安排一次性告知材料清单"
        assert seen.view.can_rate
        stranger = await load(sessionmaker, world.org.outsider_id)
        assert (await tracking.track(session, clock, stranger, receipt.code)).view is None
        await session.commit()


async def test_wrong_codes_are_rate_limited(
    sessionmaker: SessionMaker, clock: FakeClock, world: World
) -> None:
    async with sessionmaker() as session:
        for _ in range(5):
            result = await tracking.track(session, clock, world.citizen, "QF-2222-2222")
            assert result.view is None and result.wait is None
        await session.commit()
    async with sessionmaker() as session:
        blocked = await tracking.track(session, clock, world.citizen, "QF-3333-3333")
        assert blocked.wait is not None and blocked.wait <= timedelta(minutes=15)
    clock.advance(timedelta(minutes=16))
    async with sessionmaker() as session:
        await tracking.prune_misses(session, clock.now())
        await session.commit()
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(FeedbackLookupMiss)) == 0
        assert (await tracking.track(session, clock, world.citizen, "QF-3333-3333")).wait is None


async def test_unsatisfied_goes_once_to_the_tier_above(
    sessionmaker: SessionMaker, clock: FakeClock, config: FeedbackConfig, world: World
) -> None:
    receipt = await _submit(sessionmaker, clock, config, world.citizen, world.item_id)
    dept = await dept_reviewer(sessionmaker)
    await _answer(
        sessionmaker, clock, config, dept, receipt.feedback_id, "已核实，材料要求符合规定"
    )
    view = await _rate(
        sessionmaker, clock, config, world.citizen, receipt.feedback_id, Rating.UNSATISFIED
    )
    assert view.state == State.RECEIVED.value and view.first_answer
    bureau = await load(sessionmaker, world.org.reviewer_id)
    assert any(receipt.code in t for t in await queued_to(sessionmaker, bureau.id))
    async with sessionmaker() as session:
        with pytest.raises(NotAllowed):  # the department no longer answers it
            await answering.answer(
                session, clock, config, dept, feedback_id=receipt.feedback_id, text="再解释一次"
            )
    await _answer(sessionmaker, clock, config, bureau, receipt.feedback_id, "局里复核后将简化材料")
    async with sessionmaker() as session:
        view = await tracking.rate(
            session,
            clock,
            config,
            world.citizen,
            feedback_id=receipt.feedback_id,
            rating=Rating.UNSATISFIED,
        )
        assert view.state == State.ANSWERED.value and view.rating == "unsatisfied"
        with pytest.raises(ServiceError):
            await tracking.rate(
                session,
                clock,
                config,
                world.citizen,
                feedback_id=receipt.feedback_id,
                rating=Rating.SATISFIED,
            )


async def test_misconduct_reaches_the_commission_only_and_is_never_public(
    sessionmaker: SessionMaker, clock: FakeClock, config: FeedbackConfig, world: World
) -> None:
    citizen_says = partial(_submit, sessionmaker, clock, config, world.citizen, world.item_id)
    receipt = await citizen_says(kind=Kind.MISCONDUCT, text="该岗位有人收受好处费后优先办理")
    dept = await dept_reviewer(sessionmaker)
    for person_id in (dept.id, world.org.reviewer_id, world.org.staff_id):
        assert not await told(sessionmaker, person_id, receipt.code)
    assert any(receipt.code in t for t in await queued_to(sessionmaker, world.org.admin_id))
    admin = await load(sessionmaker, world.org.admin_id)
    async with sessionmaker() as session:
        assert await answering.inbox(session, dept) == []
        assert await answering.inbox(session, admin) == [receipt.feedback_id]
        assert await public_counts(session, [world.item_id]) == {}


async def test_reopening_the_risk_sends_it_to_regrading_with_the_text(
    sessionmaker: SessionMaker,
    clock: FakeClock,
    config: FeedbackConfig,
    review_config: ReviewConfig,
    world: World,
) -> None:
    receipt = await _submit(sessionmaker, clock, config, world.citizen, world.item_id)
    dept = await dept_reviewer(sessionmaker)
    async with sessionmaker() as session:
        await answering.reopen_risk(
            session, clock, config, review_config, dept, feedback_id=receipt.feedback_id
        )
        await session.commit()
    async with sessionmaker() as session:
        risk = await session.get(RiskPoint, world.risk_id)
        assert risk is not None and risk.status == "regrading_due"
        item = await session.get(Feedback, receipt.feedback_id)
        assert item is not None and item.status == State.REOPENED.value
        counts = await public_counts(session, [world.item_id])
        assert counts[world.item_id].answered == 1
    assert any(TEXT in t for t in await queued_to(sessionmaker, world.org.staff_id))


async def test_the_ladder_climbs_once_per_step_and_the_commission_disposes(
    sessionmaker: SessionMaker, clock: FakeClock, config: FeedbackConfig, world: World
) -> None:
    receipt = await _submit(sessionmaker, clock, config, world.citizen, world.item_id)
    dept = await dept_reviewer(sessionmaker)
    admin = await load(sessionmaker, world.org.admin_id)

    async def climb() -> list[tuple[int, Step]]:
        async with sessionmaker() as session:
            taken = await ladder.climb(session, clock, config)
            await session.commit()
            return taken

    def dispose(session: AsyncSession, disposition: Disposition, **more: Any) -> Awaitable[Any]:
        return answering.dispose(
            session,
            clock,
            config,
            admin,
            feedback_id=receipt.feedback_id,
            disposition=disposition,
            **more,
        )

    assert await climb() == []
    clock.advance(timedelta(days=4, hours=1))
    assert await climb() == [(receipt.feedback_id, Step.REMINDER)]
    assert await climb() == []
    async with sessionmaker() as session:
        with pytest.raises(ServiceError) as early:
            await dispose(session, Disposition.INTERVIEW)
        assert early.value.key == "feedback.not_overdue"
    clock.advance(timedelta(days=1))
    assert await climb() == [(receipt.feedback_id, Step.OVERDUE)]
    bureau_told = await told(sessionmaker, world.org.reviewer_id, receipt.code)
    assert len(bureau_told) == 1
    clock.advance(timedelta(days=5))
    assert await climb() == [(receipt.feedback_id, Step.COMMISSION)]
    assert await climb() == []
    assert len(await told(sessionmaker, world.org.admin_id, receipt.code)) == 1
    assert len(await told(sessionmaker, dept.id, receipt.code)) == 2

    async with sessionmaker() as session:
        with pytest.raises(ServiceError) as no_date:
            await dispose(session, Disposition.RECTIFY)
        assert no_date.value.key == "feedback.follow_up_required"
    async with sessionmaker() as session:
        follow = (clock.now() + timedelta(days=14)).date()
        await dispose(session, Disposition.RECTIFY, follow_up_on=follow)
        await session.commit()
    async with sessionmaker() as session:
        rows = await review_service.history(
            session, ReviewConfig.from_settings(config.settings), admin, world.risk_id
        )
        assert rows[-1].action == "feedback.disposition"
        assert rows[-1].after["follow_up_on"] == follow.isoformat()


async def test_figures_by_kind_state_unit_and_period(
    sessionmaker: SessionMaker, clock: FakeClock, config: FeedbackConfig, world: World
) -> None:
    start = clock.now()
    first = await _submit(sessionmaker, clock, config, world.citizen, world.item_id)
    citizen_says = partial(_submit, sessionmaker, clock, config, world.citizen, world.item_id)
    await citizen_says(kind=Kind.COMMENT, text="建议在窗口张贴材料清单，方便群众")
    dept = await dept_reviewer(sessionmaker)
    clock.advance(timedelta(days=2))
    async with sessionmaker() as session:
        await answering.answer(
            session, clock, config, dept, feedback_id=first.feedback_id, text="已张贴材料清单"
        )
        await session.commit()
    async with sessionmaker() as session:
        await tracking.rate(
            session,
            clock,
            config,
            world.citizen,
            feedback_id=first.feedback_id,
            rating=Rating.SATISFIED,
        )
        await session.commit()
    async with sessionmaker() as session:
        figures = await feedback_figures(
            session,
            answer_period=config.answer_period,
            since=start,
            until=start + timedelta(days=1),
        )
        assert figures.total == 2
        assert figures.by_kind[Kind.OBJECTION] == 1 and figures.by_kind[Kind.COMMENT] == 1
        assert figures.by_kind_state[(Kind.OBJECTION, State.ANSWERED)] == 1
        assert figures.responded_on_time == 1 and figures.median_hours_to_answer == 48
        assert figures.satisfaction_share == 1.0
        later = await feedback_figures(
            session, answer_period=config.answer_period, since=start + timedelta(days=1)
        )
        assert later.total == 0
        per_unit = await figures_by_unit(session, answer_period=config.answer_period)
        assert list(per_unit) == [world.org.department_id]
        assert per_unit[world.org.department_id].total == 2
        other = await feedback_figures(
            session, answer_period=config.answer_period, unit_ids=[world.org.other_unit_id]
        )
        assert other.total == 0
        # The leaders' overview shows the same figures on the department's line and above it.
        picture = await overview(session, Scope(None), today=clock.now().date())
        lines = picture.total
        assert (lines.feedback_received, lines.feedback_answered) == (2, 1)
        assert lines.feedback_answered_on_time == 1
        assert (lines.satisfaction_votes, lines.satisfaction) == (1, 5.0)


async def test_the_assessment_counts_answers_on_time_within_feedback_answer_days(
    sessionmaker: SessionMaker,
    clock: FakeClock,
    settings: Settings,
    config: FeedbackConfig,
    world: World,
) -> None:
    """Answered three days after it came: on time with FEEDBACK_ANSWER_DAYS 5, late with 2 —
    the assessment's indicator reads the setting, as the overview and the report do."""
    sent = await _submit(sessionmaker, clock, config, world.citizen, world.item_id)
    clock.advance(timedelta(days=3))
    async with sessionmaker() as session:
        await answering.answer(
            session,
            clock,
            config,
            await dept_reviewer(sessionmaker),
            feedback_id=sent.feedback_id,
            text="已张贴材料清单",
        )
        await session.commit()
    today = clock.now().date()

    async def feedback_on_time(answer_days: int) -> Count:
        with_days = settings.model_copy(update={"feedback_answer_days": answer_days})
        async with sessionmaker() as session:
            year = await assessment.live(
                session,
                today.year,
                today=today,
                config=assessment.AssessmentConfig.from_settings(with_days),
            )
            figures = await overview(session, Scope(None), today=today, answer_days=answer_days)
        counts = [r.counts[Indicator.FEEDBACK_ON_TIME] for r in year.results]
        assert sum(c.total for c in counts) == figures.total.feedback_received == 1
        assert sum(c.done for c in counts) == figures.total.feedback_answered_on_time
        return Count(sum(c.done for c in counts), sum(c.total for c in counts))

    assert await feedback_on_time(5) == Count(1, 1)
    assert await feedback_on_time(3) == Count(1, 1)
    assert await feedback_on_time(2) == Count(0, 1)


async def test_hide_and_duplicate_are_audited_and_the_sender_is_told(
    sessionmaker: SessionMaker, clock: FakeClock, config: FeedbackConfig, world: World
) -> None:
    first = await _submit(sessionmaker, clock, config, world.citizen, world.item_id)
    outsider = await load(sessionmaker, world.org.outsider_id)
    again = await _submit(sessionmaker, clock, config, outsider, world.item_id)
    spam = await _submit(
        sessionmaker, clock, config, outsider, world.item_id, text="加微信领取红包，名额有限快来"
    )
    dept = await dept_reviewer(sessionmaker)
    async with sessionmaker() as session:
        with pytest.raises(ServiceError) as unknown:
            await answering.mark_duplicate(
                session, clock, config, dept, feedback_id=again.feedback_id, of_code=again.code
            )
        assert unknown.value.key == "feedback.duplicate_of_unknown"
        with pytest.raises(ServiceError) as no_reason:
            await answering.hide(
                session, clock, config, dept, feedback_id=spam.feedback_id, reason=" "
            )
        assert no_reason.value.key == "feedback.reason_required"
    async with sessionmaker() as session:
        await answering.mark_duplicate(
            session, clock, config, dept, feedback_id=again.feedback_id, of_code=first.code
        )
        await answering.hide(
            session, clock, config, dept, feedback_id=spam.feedback_id, reason="广告内容"
        )
        await session.commit()
    assert await told(sessionmaker, outsider.id, spam.code)
    assert any("广告内容" in text for text in await told(sessionmaker, outsider.id, spam.code))
    assert await told(sessionmaker, outsider.id, again.code)
    async with sessionmaker() as session:
        trail = list(
            await session.scalars(
                select(AuditLog).where(
                    AuditLog.entity_type == "feedback", AuditLog.actor_id == dept.id
                )
            )
        )
        assert sorted(row.action for row in trail) == ["feedback.hide", "feedback.mark_duplicate"]
        counts = await public_counts(session, [world.item_id])
        assert counts[world.item_id].received == 2  # the hidden one is not shown
        assert await answering.inbox(session, dept) == [first.feedback_id]
