"""The citizen's feedback flow at the dispatcher: each step an FSM state that survives a
restart, the one flow message edited in place, bad input answered and nothing stored."""

from __future__ import annotations

import pytest
from aiogram import Dispatcher
from aiogram.fsm.storage.base import BaseStorage
from aiogram.methods import EditMessageText, SendMessage
from sqlalchemy import func, select

from bot.app.wiring import create_dispatcher
from bot.domain.clock import FakeClock
from bot.i18n import translate
from bot.settings import Settings
from handlers.callbacks import FeedbackAction, FeedbackCb
from handlers.public.feedback_flow import FeedbackFlow
from storage.db import SessionMaker
from storage.models.feedback import Feedback
from storage.models.publicity import PublicityItem, PublicityRound
from tests.kit.feedback import open_round
from tests.kit.mocked_bot import MockedBot, callback_update, message_update, user
from tests.kit.publicity import approved_risks
from tests.kit.register import make_people

CITIZEN = 880002
TEXT = "窗口办理时间太长，群众要来回跑好几趟"


@pytest.fixture
async def item_id(sessionmaker: SessionMaker, clock: FakeClock) -> int:
    org = await make_people(sessionmaker, clock)
    risk_ids = await approved_risks(sessionmaker, org.post_id, 1, level=3)
    return (await open_round(sessionmaker, clock, risk_ids))[risk_ids[0]][0]


def _flow_message_id(bot: MockedBot) -> int:
    """The id the mocked bot gave the flow message (sent messages count from 1000)."""
    sent = [m for m in bot.recording.requests if isinstance(m, SendMessage)]
    assert len(sent) == 1, "one flow message was sent"
    return 1000


def _last_edit(bot: MockedBot) -> EditMessageText:
    edits = [m for m in bot.recording.requests if isinstance(m, EditMessageText)]
    assert edits, "the flow message was edited"
    return edits[-1]


async def _press(dp: Dispatcher, bot: MockedBot, message_id: int, **data: object) -> None:
    packed = FeedbackCb(**data).pack()  # type: ignore[arg-type]
    await dp.feed_update(bot, callback_update(user(CITIZEN), packed, message_id=message_id))


async def _choose_kind(dp: Dispatcher, bot: MockedBot, item_id: int, kind: int) -> int:
    """The citizen opens the flow from an item and picks the `kind`-th kind: the flow's
    message id (every later step edits it)."""
    await _press(dp, bot, 1, action=FeedbackAction.START, item_id=item_id)
    flow = _flow_message_id(bot)
    await _press(dp, bot, flow, action=FeedbackAction.KIND, item_id=item_id, value=kind)
    return flow


async def test_the_flow_survives_a_restart_and_edits_one_message(
    dp: Dispatcher,
    bot: MockedBot,
    sessionmaker: SessionMaker,
    settings: Settings,
    clock: FakeClock,
    item_id: int,
    fresh_storage: BaseStorage,
) -> None:
    flow = await _choose_kind(dp, bot, item_id, 0)
    assert _last_edit(bot).message_id == flow
    await dp.feed_update(bot, message_update(user(CITIZEN), sticker=True))
    assert bot.last_text(CITIZEN) == translate("feedback.flow.text_only", "zh")

    restarted = create_dispatcher(settings, sessionmaker, clock=clock, storage=fresh_storage)
    fresh_bot = MockedBot()
    context = restarted.fsm.get_context(bot=fresh_bot, chat_id=CITIZEN, user_id=CITIZEN)
    assert await context.get_state() == FeedbackFlow.text.state

    await restarted.feed_update(fresh_bot, message_update(user(CITIZEN), TEXT))
    edit = _last_edit(fresh_bot)
    assert edit.message_id == flow
    assert edit.text == translate("feedback.flow.ask_files", "zh", max=5, n=0)
    assert await context.get_state() == FeedbackFlow.files.state
    await _press(restarted, fresh_bot, flow, action=FeedbackAction.FILES_DONE)
    assert translate("feedback.flow.identity_anonymous", "zh") in _last_edit(fresh_bot).text
    # A button of an earlier step is stale now: told, nothing changes.
    await _press(restarted, fresh_bot, flow, action=FeedbackAction.KIND, item_id=item_id, value=2)
    assert await context.get_state() == FeedbackFlow.preview.state
    await _press(restarted, fresh_bot, flow, action=FeedbackAction.CONFIRM)
    assert "QF-" in _last_edit(fresh_bot).text
    assert await context.get_state() is None
    async with sessionmaker() as session:
        stored = list(await session.scalars(select(Feedback)))
        assert [(f.kind, f.text, f.anonymous) for f in stored] == [("comment", TEXT, True)]


async def test_a_confirm_refused_keeps_the_draft(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker, item_id: int
) -> None:
    flow = await _choose_kind(dp, bot, item_id, 1)
    await dp.feed_update(bot, message_update(user(CITIZEN), TEXT))
    await _press(dp, bot, flow, action=FeedbackAction.FILES_DONE)
    # The round closes while the person reads the preview.
    async with sessionmaker() as session:
        item = await session.get(PublicityItem, item_id)
        assert item is not None
        rnd = await session.get(PublicityRound, item.round_id)
        assert rnd is not None
        rnd.status = "closed"
        await session.commit()
    await _press(dp, bot, flow, action=FeedbackAction.CONFIRM)
    context = dp.fsm.get_context(bot=bot, chat_id=CITIZEN, user_id=CITIZEN)
    assert await context.get_state() == FeedbackFlow.preview.state
    assert (await context.get_data())["text"] == TEXT
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Feedback)) == 0
