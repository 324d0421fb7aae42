"""`moves.move()` writes the fields a move sets one by one: every field of `Changes` lands on
the item, and nothing else (the status and version are `move()`'s own). And each notice
has its literal outbox kind."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.domain.clock import Clock
from bot.domain.feedback import Action, Actor
from bot.services.feedback.moves import Changes, _apply, move
from bot.services.feedback.notices import OUTBOX_KINDS
from storage.models.feedback import Feedback

T = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
EVERY_FIELD: Changes = {
    "answer": "已核实", "answered_by_id": 7, "answered_at": T, "responded_at": T,
    "duplicate_of_id": 3, "hidden_reason": "辱骂", "rating": "fairly", "rated_at": T,
    "appealed": True, "first_answer": "第一次", "route_tier": "bureau", "route_unit_id": 9,
    "waiting_since": T, "due_at": T, "ladder_step": 2, "disposition": "rectify",
    "disposition_note": "限期整改", "follow_up_on": date(2026, 12, 20), "disposed_by_id": 5,
    "disposed_at": T,
}  # fmt: skip


def test_every_change_is_applied() -> None:
    assert set(EVERY_FIELD) == Changes.__optional_keys__
    item = Feedback(status="received", version=0)
    _apply(item, EVERY_FIELD)
    assert {name: getattr(item, name) for name in EVERY_FIELD} == EVERY_FIELD
    assert (item.status, item.version) == ("received", 0)


@pytest.mark.parametrize("field", ["status", "version", "code"])
async def test_a_change_outside_the_list_is_refused_before_anything_is_written(
    field: str,
) -> None:
    item = Feedback(status="received", version=0, code="QF-2345-6789")
    with pytest.raises(ValueError, match=field):
        await move(
            None,  # type: ignore[arg-type]  # refused before the session is used
            Clock(),
            item,
            Action.ANSWER,
            {Actor.REVIEWER},
            reason="已核实",
            changes={field: "closed"},  # type: ignore[misc]
        )
    assert (item.status, item.version, item.code) == ("received", 0, "QF-2345-6789")


def test_every_notice_the_services_send_has_its_outbox_kind() -> None:
    """`notices.tell()` looks the kind up by key: a notice missing here would be a KeyError."""
    root = Path(__file__).resolve().parents[2]
    used = set()
    for path in (root / "bot/services/feedback").glob("*.py"):
        used |= set(re.findall(r'"(feedback\.notice\.[a-z_]+)"', path.read_text()))
    assert used and used <= set(OUTBOX_KINDS), sorted(used - set(OUTBOX_KINDS))
    assert len(set(OUTBOX_KINDS.values())) == len(OUTBOX_KINDS)
