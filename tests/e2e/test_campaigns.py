"""/campaign as the commission runs it: a campaign created by pressing real buttons, reminders
at the offsets as the clock is advanced (not slept), in each person's language, stopping the
moment a post's work is done or the campaign is closed; live progress with names on demand;
and nobody outside an admin's scope changes anything."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.domain.roles import Role
from bot.i18n import translate
from bot.sandbox.bot_process import BotProcess
from bot.scheduling.runner import JobRunner
from storage.db import SessionMaker
from storage.models.campaign import Campaign
from storage.models.org import Person, RoleAssignment, Unit
from storage.models.outbox import OutboxMessage
from tests.e2e.conftest import SQLITE_ONLY, RunningBot
from tests.e2e.test_grading import declare_low_risk, tap, zh
from tests.kit.grading_ui import choose_language
from tests.kit.persona import Persona, SandboxClient
from tests.kit.uow import unit_of_work

ADMIN, BUREAU_HEAD = 100001, 100003  # 李纪委 (the commission), 孙局长 (卫生局)
STAFF, COLLEAGUE, STAFF_EN = 100005, 100006, 100010  # 王芳, 陈明 (医政科), Emily Chen (教育局)


def local_morning(day: str) -> datetime:
    """09:30 in Asia/Shanghai on `day`: after the daily reminder slot, outside quiet hours."""
    return datetime.fromisoformat(f"{day}T01:30:00").replace(tzinfo=UTC)


async def reminder_keys(sessionmaker: SessionMaker, telegram_id: int) -> list[str]:
    """The campaign reminders ever queued to a person (their dedup keys)."""
    async with unit_of_work(sessionmaker) as session:
        rows = await session.scalars(
            select(OutboxMessage.dedup_key)
            .where(OutboxMessage.kind == "remind.campaign", OutboxMessage.chat_id == telegram_id)
            .order_by(OutboxMessage.id)
        )
        return [str(key) for key in rows]


async def create_health_campaign(admin: Persona, name: str, deadline: str) -> None:
    """Risks declared, in 卫生局 (its departments included), by a typed deadline."""
    await admin.send("/campaign")
    await tap(admin, zh("campaign.new"))
    await admin.expect(zh("campaign.ask_name", limit=60))
    await admin.send(name)
    await admin.expect("请选择范围内的单位")
    await tap(admin, "▫️ 长安区/卫生局")
    await admin.expect("已选 1 个")
    await tap(admin, zh("campaign.units_done"))
    await tap(admin, zh("campaign.req.risks"))
    await admin.expect(zh("campaign.ask_deadline"))
    await admin.send(deadline)


async def test_reminders_go_to_missing_posts_and_stop_when_done_or_closed(
    kit: SandboxClient, bot_running: RunningBot, runner: JobRunner
) -> None:
    clock, sessionmaker, _ = bot_running.context()
    admin, staff, colleague = await kit.personas_for(ADMIN, STAFF, COLLEAGUE)

    # Bad input on the way gets a hint and the same question; nothing is stored.
    await admin.send("/campaign")
    await admin.expect(zh("campaign.list_empty"))
    await tap(admin, zh("campaign.new"))
    await admin.expect(zh("campaign.ask_name", limit=60))
    await admin.send_sticker()
    await admin.expect(zh("campaign.need_text"))
    await admin.send("长" * 61)
    await admin.expect(zh("campaign.bad_name", limit=60))
    await admin.send("风险排查")
    await tap(admin, "▫️ 长安区/卫生局")
    await tap(admin, zh("campaign.units_done"))
    await tap(admin, zh("campaign.req.risks"))
    await admin.send("下周五")
    await admin.expect(zh("campaign.bad_date"))
    await admin.send("2026-11-01")
    await admin.expect(zh("campaign.past_date", today="2026-11-26"))
    await admin.send("2026-12-10")
    preview = await admin.expect("专项工作预览")
    # 卫生局: 局长, 党组书记 (vacant); 医政科: 3 posts; 合作医疗办: 1 → 6 posts, 5 holders.
    assert "岗位：6 个，已完成 0，未完成 6" in preview.text
    assert "将提醒：5 人" in preview.text and "2026-12-03" in preview.text
    async with unit_of_work(sessionmaker) as session:
        assert (await session.scalars(select(Campaign))).all() == []
    await tap(admin, zh("campaign.create"))
    card = await admin.expect("完成情况：0/6")
    assert "医政科：完成 0/3" in card.text

    clock.set(local_morning("2026-11-27"))
    await runner.tick()  # two weeks ahead: no reminder yet
    assert await reminder_keys(sessionmaker, STAFF) == []

    clock.set(local_morning("2026-12-03"))  # a week before
    await runner.tick()
    first = await staff.expect("风险排查", timeout=20)
    assert "/risks" in first.text and "还有 7 天" in first.text
    await colleague.expect("风险排查", timeout=20)
    await runner.tick()  # run twice: sent once
    assert len(await reminder_keys(sessionmaker, STAFF)) == 1

    # 王芳 declares a risk point: her post is done, the card shows it, names on demand.
    await declare_low_risk(staff, "审批时吃拿卡要")
    await admin.send("/campaign")
    await tap(admin, "风险排查")
    card = await admin.expect("完成情况：1/6")
    assert "医政科：完成 1/3（33%）" in card.text
    await tap(admin, zh("campaign.names", unit="医政科"))
    names = await admin.expect("未完成的岗位")
    assert "陈明" in names.text and "周科长" in names.text and "王芳" not in names.text

    clock.set(local_morning("2026-12-09"))  # the day before: only the missing are reminded
    await runner.tick()
    again = await colleague.expect("还有 1 天", timeout=20)
    assert "风险排查" in again.text
    assert len(await reminder_keys(sessionmaker, STAFF)) == 1
    assert len(await reminder_keys(sessionmaker, COLLEAGUE)) == 2

    # Closing stops everything, also the weekly overdue reminders.
    await tap(admin, zh("campaign.back"))
    await tap(admin, zh("campaign.close"))
    await admin.expect("确定结束专项工作")
    await tap(admin, zh("campaign.close_yes"))
    closed = await admin.expect("已结束")
    assert zh("campaign.close") not in closed.buttons
    clock.set(local_morning("2026-12-17"))
    await runner.tick()
    assert len(await reminder_keys(sessionmaker, COLLEAGUE)) == 2


async def test_reminders_in_each_language_and_a_missed_offset_made_up_once(
    kit: SandboxClient, bot_running: RunningBot, runner: JobRunner
) -> None:
    clock, sessionmaker, _ = bot_running.context()
    admin, emily, staff = await kit.personas_for(ADMIN, STAFF_EN, STAFF)
    # Emily chose English (what the bot writes to someone unprompted follows that choice).
    await choose_language(emily, "en")

    await admin.send("/campaign")
    await tap(admin, zh("campaign.new"))
    await admin.send("清权确权")
    await tap(admin, zh("campaign.all_in_scope"))
    await tap(admin, zh("campaign.req.powers"))
    await tap(admin, zh("campaign.in_days", days=7))  # 2026-12-03: the first offset is today
    preview = await admin.expect("专项工作预览")
    assert zh("campaign.first_now") in preview.text
    await tap(admin, zh("campaign.create"))
    await admin.expect("完成情况：0/")

    # Today's daily scan ran at start-up: the first reminder goes with tomorrow's.
    clock.set(local_morning("2026-11-27"))
    await runner.tick()
    english = await emily.expect("Campaign", timeout=20)
    assert "/powers" in english.text and "6 days left" in english.text
    chinese = await staff.expect("清权确权", timeout=20)
    assert "/powers" in chinese.text

    # The bot is down from the day before the deadline until the day after: at start one
    # reminder goes out ("on the day"), not one for each offset missed.
    clock.set(local_morning("2026-12-04"))
    await runner.tick()
    keys = await reminder_keys(sessionmaker, STAFF_EN)
    assert [key.rsplit(":", 1)[1] for key in keys] == ["d7", "d0"]
    overdue = await emily.expect("passed its deadline", timeout=20)
    assert "2026-12-03" in overdue.text

    clock.set(local_morning("2026-12-10"))  # a week overdue: the weekly reminder
    await runner.tick()
    assert [k.rsplit(":", 1)[1] for k in await reminder_keys(sessionmaker, STAFF_EN)] == [
        "d7",
        "d0",
        "late1",
    ]


async def _grant_unit_admin(sessionmaker: SessionMaker, telegram_id: int, path: str) -> None:
    async with sessionmaker() as session, session.begin():
        person = await session.scalar(select(Person).where(Person.telegram_id == telegram_id))
        unit = await session.scalar(select(Unit).where(Unit.path == path))
        assert person is not None and unit is not None
        session.add(RoleAssignment(person_id=person.id, role=Role.ADMIN.value, unit_id=unit.id))


async def test_authority_non_admins_forged_buttons_and_scope(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    sessionmaker = bot_running.sessionmaker
    admin, staff = await kit.personas_for(ADMIN, STAFF)
    # A commission campaign over 财政局, outside the health bureau.
    await admin.send("/campaign")
    await tap(admin, zh("campaign.new"))
    await admin.send("财政专项")
    await tap(admin, zh("nav.next"))  # the units come a page at a time
    await tap(admin, "▫️ 长安区/财政局")
    await admin.expect("已选 1 个")
    await tap(admin, zh("campaign.units_done"))
    await tap(admin, zh("campaign.req.measures"))
    await tap(admin, zh("campaign.in_days", days=30))
    await tap(admin, zh("campaign.create"))
    await admin.expect("完成情况：4/4")  # no measures due in 财政局: nothing to report
    async with unit_of_work(sessionmaker) as session:
        campaign = await session.scalar(select(Campaign))
        assert campaign is not None
        finance_id = campaign.id
        health = await session.scalar(select(Unit).where(Unit.path == "长安区/卫生局"))
        assert health is not None

    # A staff member: the command is refused, and so is a forged button.
    await staff.send("/campaign")
    last = await staff.expect(zh("fallback.command_not_allowed", command="campaign"))
    await staff.press_data(last.message_id, f"cp:close_yes:0:{finance_id}")
    await staff.expect_notice(zh("fallback.stale_button"))

    # A unit admin of 卫生局: sees only campaigns in their scope; forged buttons for another
    # unit's campaign or unit are refused; nothing changes.
    await _grant_unit_admin(sessionmaker, BUREAU_HEAD, "长安区/卫生局")
    head = await kit.persona_for(BUREAU_HEAD)
    await head.send("/campaign")
    listing = await head.expect(zh("campaign.list_empty"))
    await head.press_data(listing.message_id, f"cp:open:0:{finance_id}")
    await head.expect_notice(zh("campaign.not_found"))
    await head.press_data(listing.message_id, f"cp:close_yes:0:{finance_id}")
    await head.expect_notice(zh("campaign.not_found"))
    await tap(head, zh("campaign.new"))
    await head.send("卫生局自查")
    units = await head.expect("请选择范围内的单位")
    assert "▫️ 长安区/卫生局" in units.buttons and "▫️ 长安区/财政局" not in units.buttons
    async with unit_of_work(sessionmaker) as session:
        finance = await session.scalar(select(Unit).where(Unit.path == "长安区/财政局"))
        assert finance is not None
    await head.press_data(units.message_id, f"cp:toggle:{finance.id}:0")
    await head.expect_notice(zh("campaign.out_of_scope"))
    await tap(head, zh("campaign.all_in_scope"))
    await tap(head, zh("campaign.req.powers"))
    await tap(head, zh("campaign.in_days", days=14))
    preview = await head.expect("专项工作预览")
    assert "单位：1 个" in preview.text and "岗位：6 个" in preview.text
    await tap(head, zh("campaign.create"))
    await head.expect("完成情况：0/6")
    async with unit_of_work(sessionmaker) as session:
        rows = (await session.scalars(select(Campaign).order_by(Campaign.id))).all()
        assert [c.status for c in rows] == ["active", "active"]
        assert rows[1].unit_ids == [health.id]


@SQLITE_ONLY
async def test_the_wizard_survives_a_restart(kit: SandboxClient, bot_process: BotProcess) -> None:
    await bot_process.start()
    await kit.wait_bot_alive(timeout=60)
    admin = await kit.persona_for(ADMIN)
    await admin.send("/campaign")
    await tap(admin, zh("campaign.new"), timeout=30)
    await admin.expect(zh("campaign.ask_name", limit=60), timeout=30)
    await admin.send("年终自查")
    await tap(admin, "▫️ 长安区/卫生局", timeout=30)
    await admin.expect("已选 1 个", timeout=30)

    await bot_process.kill()  # SIGKILL mid-wizard
    await bot_process.start()
    await kit.wait_bot_alive(timeout=60)

    await tap(admin, zh("campaign.units_done"), timeout=30)
    await tap(admin, zh("campaign.req.risks"), timeout=30)
    await tap(admin, zh("campaign.in_days", days=14), timeout=30)
    preview = await admin.expect("专项工作预览", timeout=30)
    assert "年终自查" in preview.text and "单位：1 个" in preview.text
    await tap(admin, zh("campaign.create"), timeout=30)
    await admin.expect("完成情况：0/6", timeout=30)


async def test_an_english_speaking_admin_sees_the_wizard_and_card_in_english(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    admin = await kit.persona_for(ADMIN)
    await choose_language(admin, "en")
    await admin.send("/campaign")
    await admin.expect(translate("campaign.list_empty", "en"))
    await tap(admin, translate("campaign.new", "en"))
    await admin.send("Year-end review")
    await tap(admin, "▫️ 长安区/教育局")
    await tap(admin, translate("campaign.units_done", "en"))
    await tap(admin, translate("campaign.req.measures", "en"))
    await admin.send("2027-01-15")
    preview = await admin.expect("Campaign preview")
    assert "Posts: 3, done 3, missing 0" in preview.text  # no measures due: nothing to report
    await tap(admin, translate("campaign.create", "en"))
    card = await admin.expect("Done: 3/3 posts (100%)")
    assert "长安区/教育局/基础教育科: done 2/2" in card.text
    assert translate("campaign.close", "en") in card.buttons
