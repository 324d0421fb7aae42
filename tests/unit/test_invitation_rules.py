"""Invitation rules: single use, limited lifetime, a code that fits a deep link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.invitation_rules import (
    CODE_PATTERN,
    InvitationState,
    deep_link,
    expiry,
    invitation_state,
    new_code,
)

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def state(
    *, exists: bool = True, used_at: datetime | None = None, expires_in: timedelta | None = None
) -> InvitationState:
    expires_at = None if expires_in is None else NOW + expires_in
    return invitation_state(exists=exists, used_at=used_at, expires_at=expires_at, now=NOW)


def test_a_fresh_invitation_is_valid() -> None:
    assert state(expires_in=timedelta(days=1)) is InvitationState.VALID


def test_it_expires_at_the_expiry_moment() -> None:
    assert state(expires_in=timedelta(seconds=1)) is InvitationState.VALID
    assert state(expires_in=timedelta(0)) is InvitationState.EXPIRED
    assert state(expires_in=-timedelta(days=3)) is InvitationState.EXPIRED


def test_it_is_single_use() -> None:
    assert state(used_at=NOW, expires_in=timedelta(days=1)) is InvitationState.USED


def test_used_beats_expired() -> None:
    used = NOW - timedelta(days=20)
    assert state(used_at=used, expires_in=-timedelta(days=5)) is InvitationState.USED


def test_unknown_when_missing() -> None:
    assert state(exists=False) is InvitationState.UNKNOWN
    assert state(exists=False, expires_in=timedelta(days=1)) is InvitationState.UNKNOWN
    assert state(exists=True, expires_in=None) is InvitationState.UNKNOWN


def test_expiry_adds_the_lifetime() -> None:
    assert expiry(NOW, 14) == NOW + timedelta(days=14)


def test_codes_are_random_and_fit_a_deep_link() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert CODE_PATTERN.match(code), code
        assert len(code) <= 64  # Telegram's limit for a start parameter


@pytest.mark.parametrize(
    "code",
    ["", "short", "has space in it", "ünïcödé-code", "a" * 65, "semi;colon-code", "../../etc/pw"],
)
def test_code_pattern_refuses_what_telegram_would_not_pass(code: str) -> None:
    assert not CODE_PATTERN.match(code)


@pytest.mark.parametrize("code", ["abcdefgh", "A-b_C-d_1234", "x" * 64])
def test_code_pattern_accepts_the_payload_alphabet(code: str) -> None:
    assert CODE_PATTERN.match(code)


def test_deep_link() -> None:
    assert (
        deep_link("qingfeng_bot", "abc_DEF-123") == "https://t.me/qingfeng_bot?start=abc_DEF-123"
    )
