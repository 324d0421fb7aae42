"""The demo organisation the sandbox starts with: three pilot bureaus from the seed report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.domain.clock import Clock
from bot.services.org_import import import_units
from bot.services.people_import import import_people
from storage.db import SessionMaker

DEMO_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class DemoPersona:
    telegram_id: int
    name: str
    language_code: str
    title: str  # what the persona is, shown in the sandbox's list


# Staff ids match people.csv; citizens have no record until they say /start.
PERSONAS: tuple[DemoPersona, ...] = (
    DemoPersona(100001, "李纪委", "zh-hans", "纪委管理员 admin"),
    DemoPersona(100002, "赵区长", "zh-hans", "领导 leader"),
    DemoPersona(100003, "孙局长", "zh-hans", "卫生局 领导/审核人"),
    DemoPersona(100004, "周科长", "zh-hans", "医政科 审核人 reviewer"),
    DemoPersona(100005, "王芳", "zh-hans", "医政科 工作人员 staff"),
    DemoPersona(100006, "陈明", "zh-hans", "医政科 工作人员 staff"),
    DemoPersona(100007, "刘静", "zh-hans", "合作医疗办 工作人员"),
    DemoPersona(100008, "吴科长", "zh-hans", "财政局预算科 审核人"),
    DemoPersona(100009, "郑强", "zh-hans", "财政局农业科 工作人员"),
    DemoPersona(100010, "Emily Chen", "en", "Education bureau staff"),
    DemoPersona(100101, "张大爷", "zh-hans", "群众 citizen"),
    DemoPersona(100102, "Alex", "en", "citizen"),
)


async def seed_demo(sessionmaker: SessionMaker, clock: Clock, *, ttl_days: int = 14) -> None:
    """Load the demo units, posts and people; running it again changes nothing."""
    async with sessionmaker() as session, session.begin():
        await import_units(session, clock, DEMO_DIR / "units.csv")
    async with sessionmaker() as session, session.begin():
        await import_people(session, clock, DEMO_DIR / "people.csv", ttl_days=ttl_days)
