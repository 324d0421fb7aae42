"""Publicity rounds against the database: opening publicises the risks through the workflow
and queues the channel posts and subscribers' notices once; closing edits the posts and
queues the summaries; refusals change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.domain.clock import FakeClock
from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.publicity import RoundAction, RoundState
from bot.services.publicity import rounds, subscriptions
from bot.services.publicity.config import PublicityConfig
from bot.settings import Settings
from storage.db import SessionMaker
from storage.models.audit import AuditLog
from storage.models.outbox import OutboxMessage, OutboxStatus
from storage.models.publicity import PublicityItem, PublicityPost, PublicityRound
from storage.models.register import RiskPoint
from tests.kit.publicity import RESPONSIBLE, approved_risks
from tests.kit.register import People, load, make_people
from tests.kit.rows import count_rows

CHANNEL = -1001000000001


def config_of(settings: Settings) -> PublicityConfig:
    return PublicityConfig.from_settings(
        settings.model_copy(update={"public_channel_id": CHANNEL, "bot_username": "qf_bot"})
    )


async def _setup(sessionmaker: SessionMaker, clock: FakeClock) -> tuple[People, list[int]]:
    people = await make_people(sessionmaker, clock)
    ids = await approved_risks(sessionmaker, people.post_id, 3)
    ids += await approved_risks(sessionmaker, people.other_post_id, 2, level=1)
    return people, ids


Register = tuple[People, list[int]]


@pytest.fixture
async def register(sessionmaker: SessionMaker, clock: FakeClock) -> Register:
    """The kit's people and the ids of their approved risks (see _setup)."""
    return await _setup(sessionmaker, clock)


@pytest.fixture
def config(settings: Settings) -> PublicityConfig:
    return config_of(settings)


async def test_open_now_publicises_posts_and_tells_subscribers_once(
    sessionmaker: SessionMaker, clock: FakeClock, register: Register, config: PublicityConfig
) -> None:
    people, ids = register
    async with sessionmaker() as session:
        citizen = await load(sessionmaker, people.colleague_id)
        await subscriptions.save(
            session, clock, citizen, subscriptions.Choice(False, (people.bureau_id,))
        )
        outsider = await load(sessionmaker, people.outsider_id)
        await subscriptions.save(
            session, clock, outsider, subscriptions.Choice(False, (people.other_unit_id,))
        )
        await session.commit()
    admin = await load(sessionmaker, people.admin_id)
    draft = rounds.Draft(False, (people.bureau_id,), False, None)
    async with sessionmaker() as session:
        preview = await rounds.preview(session, admin, draft)
        assert preview.total == 3 and preview.subscribers == 1
        rnd = await rounds.create_round(session, clock, config, actor=admin, draft=draft)
        await session.commit()
        round_id = rnd.id
    async with sessionmaker() as session:
        rnd = await session.get(PublicityRound, round_id)
        assert rnd is not None and rnd.status == RoundState.OPEN.value
        statuses = dict((await session.execute(select(RiskPoint.id, RiskPoint.status))).all())
    assert [statuses[i] for i in ids] == ["publicised"] * 3 + ["approved"] * 2
    assert await count_rows(sessionmaker, PublicityItem) == 3
    assert await count_rows(sessionmaker, AuditLog, AuditLog.action == "risk.publicise") == 3
    assert await count_rows(sessionmaker, AuditLog, AuditLog.action == "publicity.open") == 1
    # Header + one post for 医政科; only the bureau's subscriber is told.
    async with sessionmaker() as session:
        posts = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == CHANNEL))
        ).all()
        told = (
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == "publicity.opened")
            )
        ).all()
    assert len(posts) == 2
    assert all(
        RESPONSIBLE not in p.payload["text"] and "王芳" not in p.payload["text"] for p in posts
    )
    buttons = posts[1].payload["reply_markup"]["inline_keyboard"][0]
    assert buttons[0]["url"].startswith("https://t.me/qf_bot?start=fb_")
    assert [m.person_id for m in told] == [people.colleague_id]
    # The same risks are in no second open round.
    async with sessionmaker() as session:
        again = await rounds.create_round(session, clock, config, actor=admin, draft=draft)
        await session.flush()
        shown = await session.scalar(
            select(func.count())
            .select_from(PublicityItem)
            .where(PublicityItem.round_id == again.id)
        )
        assert shown == 0
        await session.rollback()


async def test_close_edits_sent_posts_and_summarises_once(
    sessionmaker: SessionMaker, clock: FakeClock, register: Register, config: PublicityConfig
) -> None:
    people, _ids = register
    admin = await load(sessionmaker, people.admin_id)
    async with sessionmaker() as session:
        rnd = await rounds.create_round(
            session, clock, config, actor=admin, draft=rounds.Draft(True, (), False, None)
        )
        await session.commit()
        round_id = rnd.id
    async with sessionmaker() as session:
        # The sender delivered the posts.
        for n, row in enumerate(
            await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == CHANNEL))
        ):
            row.status = OutboxStatus.SENT.value
            row.telegram_message_id = 500 + n
        await session.commit()
    clock.advance(timedelta(days=7, minutes=1))
    for _ in range(2):  # a second scan finds nothing to do
        async with sessionmaker() as session:
            for due in await rounds.due_to_close(session, clock.now()):
                rnd = await session.get(PublicityRound, due)
                assert rnd is not None
                await rounds.close_round(session, clock, config, rnd)
            await session.commit()
    edits = await count_rows(
        sessionmaker, OutboxMessage, OutboxMessage.kind == "publicity.post_closed"
    )
    posts = await count_rows(sessionmaker, PublicityPost, PublicityPost.round_id == round_id)
    assert edits == posts == 3  # header, 医政科, 财政局
    summaries = await count_rows(
        sessionmaker, OutboxMessage, OutboxMessage.kind == "publicity.summary"
    )
    assert summaries == 3  # the commission, 刘审核 (卫生局), 孙审核 (财政局)
    async with sessionmaker() as session:
        rnd = await session.get(PublicityRound, round_id)
        assert rnd is not None
        with pytest.raises(ServiceError):
            await rounds.move(session, clock, rnd, RoundAction.CLOSE, actor=None)


async def test_refusals_change_nothing(
    sessionmaker: SessionMaker, clock: FakeClock, register: Register, config: PublicityConfig
) -> None:
    people, _ids = register
    staff = await load(sessionmaker, people.staff_id)
    admin = await load(sessionmaker, people.admin_id)
    async with sessionmaker() as session:
        with pytest.raises(NotAllowed):
            await rounds.create_round(
                session, clock, config, actor=staff, draft=rounds.Draft(True, (), False, None)
            )
        with pytest.raises(ServiceError):
            past = clock.now() - timedelta(days=1)
            await rounds.create_round(
                session, clock, config, actor=admin, draft=rounds.Draft(True, (), False, past)
            )
        await session.rollback()
    assert await count_rows(sessionmaker, PublicityRound) == 0


async def test_a_scheduled_round_opens_on_its_date(
    sessionmaker: SessionMaker, clock: FakeClock, register: Register, config: PublicityConfig
) -> None:
    people, _ids = register
    admin = await load(sessionmaker, people.admin_id)
    later = clock.now() + timedelta(days=2)
    async with sessionmaker() as session:
        rnd = await rounds.create_round(
            session, clock, config, actor=admin, draft=rounds.Draft(True, (), True, later)
        )
        await session.commit()
        assert rnd.status == RoundState.SCHEDULED.value
    async with sessionmaker() as session:
        assert await rounds.due_to_open(session, clock.now()) == []
    clock.advance(timedelta(days=2))
    async with sessionmaker() as session:
        assert await rounds.due_to_open(session, clock.now()) == [rnd.id]
        opened = await session.get(PublicityRound, rnd.id)
        assert opened is not None
        assert await rounds.open_round(session, clock, config, opened) == 5
        await session.commit()


async def test_a_large_round_is_opened_by_the_scheduler_in_chunks_once(
    sessionmaker: SessionMaker,
    clock: FakeClock,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.scheduling import publicity_rounds
    from bot.scheduling.runner import run_job

    monkeypatch.setattr(rounds, "INLINE_OPEN_MAX", 1)
    monkeypatch.setattr(rounds, "OPEN_CHUNK", 2)
    people, ids = await _setup(sessionmaker, clock)
    bot_settings = settings.model_copy(
        update={"public_channel_id": CHANNEL, "bot_username": "qf_bot"}
    )
    admin = await load(sessionmaker, people.admin_id)
    async with sessionmaker() as session:
        rnd = await rounds.create_round(
            session,
            clock,
            config_of(settings),
            actor=admin,
            draft=rounds.Draft(True, (), False, None),
        )
        await session.commit()
        assert rnd.status == RoundState.SCHEDULED.value  # too large to open in the update
    for _ in range(2):
        await run_job(publicity_rounds.open_due, sessionmaker, clock, bot_settings)
    async with sessionmaker() as session:
        opened = await session.get(PublicityRound, rnd.id)
        assert opened is not None and opened.announced_at is not None
        statuses = set(
            await session.scalars(select(RiskPoint.status).where(RiskPoint.id.in_(ids)))
        )
    assert statuses == {"publicised"}
    assert await count_rows(sessionmaker, AuditLog, AuditLog.action == "risk.publicise") == 5
    assert await count_rows(sessionmaker, PublicityPost) == 3  # announced once


async def test_a_unit_with_many_risks_is_split_into_posts_under_the_limit(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings
) -> None:
    from bot.domain.publicity import MESSAGE_LIMIT, utf16_len

    people = await make_people(sessionmaker, clock)
    await approved_risks(sessionmaker, people.post_id, 45, measures=3)
    admin = await load(sessionmaker, people.admin_id)
    async with sessionmaker() as session:
        await rounds.create_round(
            session, clock, config_of(settings), actor=admin,
            draft=rounds.Draft(True, (), False, None),
        )  # fmt: skip
        await session.commit()
    async with sessionmaker() as session:
        posts = (
            await session.scalars(select(PublicityPost).where(PublicityPost.unit_id.is_not(None)))
        ).all()
    assert len(posts) == 3  # 20 + 20 + 5 entries, one URL button each
    assert all(utf16_len(post.text) <= MESSAGE_LIMIT for post in posts)
    buttons = [b for post in posts for row in post.reply_markup["inline_keyboard"] for b in row]
    assert len(buttons) == 45 and len({b["url"] for b in buttons}) == 45
