"""The public lookup: what a citizen may see of a publicised risk, by code, id or risk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.clock import FakeClock
from bot.domain.publicity import RoundState, new_code
from bot.services.publicity import lookup
from storage.db import SessionMaker
from storage.models.publicity import PublicityItem, PublicityRound
from storage.models.register import ControlMeasure, RiskPoint
from tests.kit.register import make_people

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


async def _item(sessionmaker: SessionMaker, clock: FakeClock, status: RoundState) -> tuple:
    people = await make_people(sessionmaker, clock)
    async with sessionmaker() as session:
        risk = RiskPoint(
            post_id=people.post_id,
            description="审批材料把关不严",
            risk_type="duty",
            level=2,
            status="publicised",
            created_by_id=people.staff_id,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(risk)
        await session.flush()
        session.add(
            ControlMeasure(
                risk_id=risk.id,
                action="双人复核",
                responsible_name="王芳",
                deadline=NOW.date(),
                created_at=NOW,
                updated_at=NOW,
            )
        )
        rnd = PublicityRound(
            status=status.value, starts_at=NOW, ends_at=NOW + timedelta(days=7), unit_ids=[]
        )
        session.add(rnd)
        await session.flush()
        item = PublicityItem(
            round_id=rnd.id,
            risk_id=risk.id,
            unit_id=people.department_id,
            level=2,
            code=new_code(),
        )
        session.add(item)
        await session.commit()
        return people, risk.id, item.id, item.code


async def test_an_item_is_found_by_code_id_and_risk_without_names(
    sessionmaker: SessionMaker, clock: FakeClock
) -> None:
    _people, risk_id, item_id, code = await _item(sessionmaker, clock, RoundState.OPEN)
    async with sessionmaker() as session:
        by_code = await lookup.public_item(session, code)
        by_id = await lookup.public_item_by_id(session, item_id)
        by_risk = await lookup.open_item_for_risk(session, risk_id)
    assert by_code is not None and by_code == by_id == by_risk
    assert by_code.post_title == "医政审批岗" and by_code.unit_name == "医政科"
    assert by_code.measures == ("双人复核",) and by_code.level == 2 and by_code.is_open
    assert "王芳" not in repr(by_code)
    assert lookup.code_from_payload(f"fb_{code}") == code


async def test_unknown_codes_and_closed_rounds(
    sessionmaker: SessionMaker, clock: FakeClock
) -> None:
    _people, risk_id, _item_id, code = await _item(sessionmaker, clock, RoundState.CLOSED)
    async with sessionmaker() as session:
        assert await lookup.public_item(session, "nope") is None
        assert await lookup.public_item(session, "x" * 40) is None
        closed = await lookup.public_item(session, code)
        assert closed is not None and not closed.is_open
        assert await lookup.open_item_for_risk(session, risk_id) is None
    assert lookup.code_from_payload("inv_abc") is None
    assert lookup.code_from_payload("fb_") is None
