"""The round's transition table, public codes and splitting posts under Telegram's limit."""

from __future__ import annotations

import pytest

from bot.domain.errors import ServiceError
from bot.domain.publicity import (
    AUDIT_ACTIONS,
    MESSAGE_LIMIT,
    TRANSITIONS,
    RoundAction,
    RoundState,
    check,
    new_code,
    split_entries,
    utf16_len,
)


def test_every_round_move_has_its_audit_action_name() -> None:
    assert set(AUDIT_ACTIONS) == set(RoundAction)
    assert AUDIT_ACTIONS[RoundAction.OPEN] == "publicity.open"


def test_the_round_moves_scheduled_open_closed_and_nothing_else() -> None:
    assert check(RoundState.SCHEDULED, RoundAction.OPEN) is RoundState.OPEN
    assert check(RoundState.OPEN, RoundAction.CLOSE) is RoundState.CLOSED
    assert check(RoundState.SCHEDULED, RoundAction.CANCEL) is RoundState.CLOSED
    legal = set(TRANSITIONS)
    for state in RoundState:
        for action in RoundAction:
            if (state, action) in legal:
                continue
            with pytest.raises(ServiceError) as refused:
                check(state, action)
            assert refused.value.key == "publicity.illegal"
    # closed is terminal
    assert not [key for key in legal if key[0] is RoundState.CLOSED]


def test_codes_are_short_url_safe_and_distinct() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) <= 20 and len(f"fb_{code}") <= 64
        assert all(c.isalnum() or c in "-_" for c in code)


def test_splitting_keeps_order_and_stays_under_the_limit() -> None:
    entries = [f"{n}. " + "风险" * 300 for n in range(40)]  # 602 units each
    parts = split_entries("<b>卫生局</b>", entries)
    assert [i for part in parts for i in part.entries] == list(range(40))
    assert all(utf16_len(part.text) <= MESSAGE_LIMIT for part in parts)
    assert all(part.text.startswith("<b>卫生局</b>") for part in parts)
    assert len(parts) > 1


def test_splitting_counts_utf16_and_caps_entries_per_message() -> None:
    emoji = "😀" * 3000  # 6,000 UTF-16 units, 3,000 characters
    parts = split_entries("h", [emoji, "a", "b", "c"], max_entries=2)
    assert all(utf16_len(part.text) <= MESSAGE_LIMIT for part in parts)
    assert parts[0].text.endswith("…")  # shortened to fill one message on its own
    assert [part.entries for part in parts] == [(0,), (1, 2), (3,)]


def test_nothing_to_split_is_no_message() -> None:
    assert split_entries("h", []) == []
