"""The life of a publicity round (公示期) as one small table, and the rules around it.

::

    scheduled ─open→ open ─close→ closed
    scheduled ─cancel→ closed          (a scheduled round called off before it opened)

`bot.services.publicity.rounds.move()` is the round's one write path: it asks `check()`,
applies the change and writes the audit row. Refusals are `ServiceError`s whose keys are in
the catalogs: ``publicity.illegal`` when the move does not exist from the round's state (a
second close, a stale button).

Also pure: how a round's posts are split under Telegram's 4,096-unit limit, and the public
codes' shape. No aiogram, no database, no settings here.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum

from bot.domain.errors import ServiceError
from bot.domain.keys import N_
from bot.domain.state_table import MoveTable

MESSAGE_LIMIT = 4096  # UTF-16 code units, Telegram's limit for a text message
CODE_BYTES = 9  # 72 random bits → 12 URL-safe characters


class RoundState(StrEnum):
    """Where a round stands. Values are stored; never rename one."""

    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


class RoundAction(StrEnum):
    """A move; the audit trail records it under its name in `AUDIT_ACTIONS`."""

    OPEN = "open"
    CLOSE = "close"
    CANCEL = "cancel"


# The audit trail's action names (not message keys), one per move.
AUDIT_ACTIONS: dict[RoundAction, str] = {
    RoundAction.OPEN: "publicity.open",
    RoundAction.CLOSE: "publicity.close",
    RoundAction.CANCEL: "publicity.cancel",
}


TRANSITIONS: dict[tuple[RoundState, RoundAction], RoundState] = {
    (RoundState.SCHEDULED, RoundAction.OPEN): RoundState.OPEN,
    (RoundState.SCHEDULED, RoundAction.CANCEL): RoundState.CLOSED,
    (RoundState.OPEN, RoundAction.CLOSE): RoundState.CLOSED,
}


_MOVES = MoveTable(TRANSITIONS, N_("publicity.illegal"))


def check(state: RoundState, action: RoundAction) -> RoundState:
    """The state `action` leads to from `state`, or a refusal."""
    return _MOVES.after(state, action)


def new_code() -> str:
    """An unguessable public code: 72 random bits, URL-safe, 12 characters."""
    return secrets.token_urlsafe(CODE_BYTES)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Part:
    """One message of a split list: its text and the indexes of the entries it holds."""

    text: str
    entries: tuple[int, ...]


def split_entries(
    heading: str,
    entries: Iterable[str],
    *,
    limit: int = MESSAGE_LIMIT,
    max_entries: int | None = None,
    separator: str = "\n\n",
) -> list[Part]:
    """Pack entries into messages of at most `limit` UTF-16 units, each starting with `heading`.

    Entries keep their order and are never cut between messages; an entry too long for one
    message on its own is shortened with an ellipsis. `max_entries` caps entries per message
    (a keyboard holds one button per entry).
    """
    parts: list[Part] = []
    text = heading
    held: list[int] = []
    for index, entry in enumerate(entries):
        room = limit - utf16_len(heading) - utf16_len(separator)
        if utf16_len(entry) > room:
            entry = _shorten(entry, room)
        candidate = text + separator + entry
        full = max_entries is not None and len(held) >= max_entries
        if held and (utf16_len(candidate) > limit or full):
            parts.append(Part(text, tuple(held)))
            text, held = heading, []
            candidate = text + separator + entry
        text = candidate
        held.append(index)
    if held:
        parts.append(Part(text, tuple(held)))
    return parts


def _shorten(text: str, room: int) -> str:
    out = ""
    for char in text:
        if utf16_len(out + char) > room - 1:
            break
        out += char
    return out + "…"


START_AHEAD_DAYS = 366  # a round may be scheduled up to a year ahead
# A round scheduled for a date opens at this local time (after quiet hours, in office hours).
DATE_STARTS_AT = time(9, 0)


def parse_start_date(text: str | None, today: date) -> date:
    """A typed start date (2026-12-03, 2026/12/3, 2026.12.3): today or later, within a year."""
    value = (text or "").strip().replace("/", "-").replace(".", "-")
    try:
        year, month, day = (int(part) for part in value.split("-"))
        chosen = date(year, month, day)
    except ValueError:
        raise ServiceError("publicity.bad_date") from None
    if chosen < today:
        raise ServiceError("publicity.date_past")
    if (chosen - today).days > START_AHEAD_DAYS:
        raise ServiceError("publicity.date_far")
    return chosen
