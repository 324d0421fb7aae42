"""/broadcast end to end: audience, unit, text, preview, confirm / cancel, progress, authority."""

from __future__ import annotations

import pytest
from aiogram import Dispatcher
from aiogram.methods import EditMessageText, SendMessage
from sqlalchemy import select

from bot.delivery.outbox import PRIORITY_BULK
from bot.domain.clock import FakeClock
from bot.domain.errors import NotAllowed
from bot.domain.roles import Role
from bot.services import broadcast as service
from bot.services.broadcast import Audience
from bot.settings import Settings
from storage.db import SessionMaker
from storage.models.org import Person
from storage.models.outbox import OutboxStatus
from tests.dispatcher.helpers import buttons, press, say, zh
from tests.kit.mocked_bot import MockedBot
from tests.kit.org import Org, make_admin, make_org, make_person
from tests.kit.rows import outbox_rows
from tests.kit.uow import unit_of_work

ADMIN, STAFF_IN, STAFF_OUT, REVIEWER, CITIZEN = 9001, 7101, 7102, 7103, 7104


def last_markup(bot: MockedBot, chat_id: int) -> dict[str, str]:
    for method in reversed(bot.sent(chat_id)):
        markup = getattr(method, "reply_markup", None)
        if markup is not None:
            return buttons(markup)
    raise AssertionError("no keyboard sent")


@pytest.fixture
async def org(sessionmaker: SessionMaker, clock: FakeClock) -> Org:
    org = await make_org(sessionmaker)
    await make_admin(sessionmaker, clock, ADMIN)
    placed = {
        STAFF_IN: org.department_id,
        STAFF_OUT: org.district_id,
        REVIEWER: org.department_id,
    }
    await make_person(sessionmaker, STAFF_IN, Role.STAFF)
    await make_person(sessionmaker, STAFF_OUT, Role.STAFF)
    await make_person(sessionmaker, REVIEWER, Role.REVIEWER)
    await make_person(sessionmaker, CITIZEN)
    async with unit_of_work(sessionmaker) as session:
        for telegram_id, unit_id in placed.items():
            person = await session.scalar(select(Person).where(Person.telegram_id == telegram_id))
            assert person is not None
            person.unit_id = unit_id
        await session.commit()
    return org


async def to_preview(dp: Dispatcher, bot: MockedBot, audience: str, unit: str) -> None:
    await say(dp, bot, ADMIN, "/broadcast")
    assert bot.last_text(ADMIN) == zh("broadcast.ask_audience")
    await press(dp, bot, ADMIN, last_markup(bot, ADMIN)[audience])
    assert bot.last_text(ADMIN) == zh("broadcast.ask_unit")
    await press(dp, bot, ADMIN, last_markup(bot, ADMIN)[unit])
    assert bot.last_text(ADMIN) == zh("broadcast.ask_text", limit=service.TEXT_MAX)


async def test_preview_confirm_progress_and_stop(
    dp: Dispatcher, bot: MockedBot, org: Org, sessionmaker: SessionMaker
) -> None:
    await to_preview(dp, bot, zh("broadcast.audience_staff"), "长安区/卫生局")

    await say(dp, bot, ADMIN, None, sticker=True)
    # The hint, then the same question again (the step stays).
    question = zh("broadcast.ask_text", limit=service.TEXT_MAX)
    assert bot.last_text(ADMIN) == zh("broadcast.need_text") + "\n\n" + question
    await say(dp, bot, ADMIN, "长" * (service.TEXT_MAX + 1))
    too_long = zh("broadcast.too_long", limit=service.TEXT_MAX, length=service.TEXT_MAX + 1)
    assert bot.last_text(ADMIN) == too_long + "\n\n" + question
    await say(dp, bot, ADMIN, "周五开会 <带材料>")
    sent = [m for m in bot.sent(ADMIN) if isinstance(m, SendMessage)]
    assert sent[-2].text == "周五开会 &lt;带材料&gt;"  # exactly what recipients will read
    assert sent[-1].text == zh(
        "broadcast.preview", audience=zh("broadcast.audience_staff"), unit="长安区/卫生局",
        count=1,
    )  # fmt: skip
    assert await outbox_rows(sessionmaker) == []  # nothing before confirming

    await press(dp, bot, ADMIN, last_markup(bot, ADMIN)[zh("broadcast.send")])
    queued = await outbox_rows(sessionmaker)
    assert [(r.chat_id, r.priority, r.kind) for r in queued] == [
        (STAFF_IN, PRIORITY_BULK, "broadcast")
    ]
    assert queued[0].payload["text"] == "周五开会 &lt;带材料&gt;"
    batch = queued[0].batch_id
    assert batch
    edited = [m for m in bot.sent(ADMIN) if isinstance(m, EditMessageText)][-1]
    assert edited.text == zh(
        "broadcast.progress", total=1, sent=0, pending=1, failed=0, cancelled=0
    )

    # Pretend the sender delivered nothing yet; refresh shows the same, stop cancels the rest.
    await press(dp, bot, ADMIN, last_markup(bot, ADMIN)[zh("broadcast.refresh")])
    await press(dp, bot, ADMIN, last_markup(bot, ADMIN)[zh("broadcast.stop")])
    assert [r.status for r in await outbox_rows(sessionmaker)] == [OutboxStatus.CANCELLED]
    # Nothing pending any more: the message is the final report, without buttons.
    assert bot.last_text(ADMIN) == zh(
        "broadcast.report", total=1, sent=0, failed=0, cancelled=1, unreachable=0
    )
    assert bot.sent(ADMIN)[-1].reply_markup is None  # type: ignore[attr-defined]


async def test_everyone_with_a_role_in_all_units_and_abort(
    dp: Dispatcher, bot: MockedBot, org: Org, sessionmaker: SessionMaker
) -> None:
    await to_preview(dp, bot, zh("broadcast.audience_members"), zh("broadcast.all_units"))
    await say(dp, bot, ADMIN, "通知")
    # The admin, two staff and the reviewer; not the citizen.
    assert bot.last_text(ADMIN) == zh(
        "broadcast.preview", audience=zh("broadcast.audience_members"),
        unit=zh("broadcast.all_units"), count=4,
    )  # fmt: skip
    await press(dp, bot, ADMIN, last_markup(bot, ADMIN)[zh("broadcast.abort")])
    assert bot.last_text(ADMIN) == zh("cancel.done")
    assert await outbox_rows(sessionmaker) == []

    await to_preview(dp, bot, zh("broadcast.audience_members"), zh("broadcast.all_units"))
    await say(dp, bot, ADMIN, "通知")
    await press(dp, bot, ADMIN, last_markup(bot, ADMIN)[zh("broadcast.send")])
    queued = await outbox_rows(sessionmaker)
    assert sorted(r.chat_id for r in queued) == sorted([ADMIN, STAFF_IN, STAFF_OUT, REVIEWER])
    assert len({r.batch_id for r in queued}) == 1
    # A second press of the (now stale) send button sends nothing more.
    await press(dp, bot, ADMIN, "bc:send:0:")
    assert len(await outbox_rows(sessionmaker)) == 4


async def test_non_admins_and_forged_buttons_are_refused(
    dp: Dispatcher,
    bot: MockedBot,
    org: Org,
    sessionmaker: SessionMaker,
    clock: FakeClock,
    settings: Settings,
) -> None:
    await say(dp, bot, STAFF_IN, "/broadcast")
    assert zh("broadcast.ask_audience") not in [
        getattr(m, "text", None) for m in bot.sent(STAFF_IN)
    ]
    for data in ("bc:audience:0:", "bc:unit:0:", "bc:send:0:", "bc:stop:0:x"):
        await press(dp, bot, STAFF_IN, data)
    assert await outbox_rows(sessionmaker) == []

    # A real batch: a non-admin's forged stop changes nothing; the service refuses too.
    async with unit_of_work(sessionmaker) as session:
        admin = await session.scalar(select(Person).where(Person.telegram_id == ADMIN))
        staff = await session.scalar(select(Person).where(Person.telegram_id == STAFF_IN))
        assert admin is not None and staff is not None
        batch, count = await service.start_broadcast(
            session, clock, settings, actor=admin, audience=Audience.REVIEWERS, unit_id=None,
            text="hi",
        )  # fmt: skip
        assert count == 1
        with pytest.raises(NotAllowed):
            await service.start_broadcast(
                session, clock, settings, actor=staff, audience=Audience.STAFF, unit_id=None,
                text="hi",
            )  # fmt: skip
        with pytest.raises(NotAllowed):
            await service.cancel_broadcast(session, clock, actor=staff, batch_id=batch)
        # Confirming the same batch again (a double press) enqueues nothing more.
        await service.start_broadcast(
            session, clock, settings, actor=admin, audience=Audience.REVIEWERS, unit_id=None,
            text="hi", batch_id=batch,
        )  # fmt: skip
    await press(dp, bot, STAFF_IN, f"bc:stop:0:{batch}")
    assert [r.status for r in await outbox_rows(sessionmaker)] == [OutboxStatus.PENDING]
    # An admin's button naming no batch is stale.
    await press(dp, bot, ADMIN, "bc:refresh:0:nosuchbatch")
    assert [r.status for r in await outbox_rows(sessionmaker)] == [OutboxStatus.PENDING]
