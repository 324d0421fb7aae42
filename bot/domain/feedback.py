"""Citizens' feedback (意见反馈) as rules: its life, its receipt code, what text is accepted,
the answer deadline's 预警 ladder and the rating.

The life of one feedback item, every legal move a row of `TRANSITIONS`::

    (submit) → received ─answer→ answered ─rate→ answered
                        │                  └appeal (不满意, once)→ received (the tier above)
                        ├reopen_risk→ reopened      (the risk goes back to re-grading)
                        ├mark_duplicate→ duplicate
                        ├hide→ hidden               (abusive; the sender is told why)
                        ├remind / escalate / alert → received   (the scheduler's ladder)
                        ├dispose → received         (the commission: 约谈 / 整改)
                        └close → closed             (the commission: closed with a reason)

Actors are kinds relative to one item: the sender, a reviewer of the tier it is routed to
(or above it on the chain), the commission, the scheduler. No aiogram, no database here.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum

from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.keys import N_
from bot.domain.text_length import is_blank, utf16_len

TEXT_MIN = 10
TEXT_MAX = 2000
EVIDENCE_MAX = 5
ANSWER_MAX = 2000
REASON_MAX = 500
# /track: this many wrong codes within the window, then the person waits.
TRACK_MISSES_MAX = 5
TRACK_WINDOW = timedelta(minutes=15)


class Kind(StrEnum):
    """What the feedback is about. Values are stored; never rename one."""

    COMMENT = "comment"  # 意见建议
    OBJECTION = "objection"  # 对定级有异议
    MISCONDUCT = "misconduct"  # 问题线索: the commission only, never public


class State(StrEnum):
    RECEIVED = "received"
    ANSWERED = "answered"
    REOPENED = "reopened"
    DUPLICATE = "duplicate"
    HIDDEN = "hidden"
    CLOSED = "closed"


class Action(StrEnum):
    """A move; the audit trail records it under its name in `AUDIT_ACTIONS`."""

    SUBMIT = "submit"
    ANSWER = "answer"
    REOPEN_RISK = "reopen_risk"
    MARK_DUPLICATE = "mark_duplicate"
    HIDE = "hide"
    REMIND = "remind"
    ESCALATE = "escalate"
    ALERT = "alert"
    DISPOSE = "dispose"
    CLOSE = "close"
    RATE = "rate"
    APPEAL = "appeal"


class Actor(StrEnum):
    SENDER = "sender"
    REVIEWER = "reviewer"
    COMMISSION = "commission"
    SCHEDULER = "scheduler"


class Rating(StrEnum):
    SATISFIED = "satisfied"  # 满意
    FAIRLY = "fairly"  # 基本满意
    UNSATISFIED = "unsatisfied"  # 不满意


class Disposition(StrEnum):
    """What the commission records for feedback left unanswered past twice the deadline."""

    INTERVIEW = "interview"  # 约谈
    RECTIFY = "rectify"  # 整改, with a follow-up date
    CLOSED = "closed"  # 办结, with a reason


class Step(IntEnum):
    """The 预警 ladder of one unanswered item, in order; stored as the last step taken."""

    NONE = 0
    REMINDER = 1  # the answering tier, before the deadline
    OVERDUE = 2  # past the deadline: the tier above
    COMMISSION = 3  # past twice the deadline: the commission, which records a disposition


# The audit trail's action names (not message keys), one per move.
AUDIT_ACTIONS: dict[Action, str] = {
    Action.SUBMIT: "feedback.submit",
    Action.ANSWER: "feedback.answer",
    Action.REOPEN_RISK: "feedback.reopen_risk",
    Action.MARK_DUPLICATE: "feedback.mark_duplicate",
    Action.HIDE: "feedback.hide",
    Action.REMIND: "feedback.remind",
    Action.ESCALATE: "feedback.escalate",
    Action.ALERT: "feedback.alert",
    Action.DISPOSE: "feedback.dispose",
    Action.CLOSE: "feedback.close",
    Action.RATE: "feedback.rate",
    Action.APPEAL: "feedback.appeal",
}

KIND_KEYS: dict[Kind, str] = {
    Kind.COMMENT: N_("feedback.kind.comment"),
    Kind.OBJECTION: N_("feedback.kind.objection"),
    Kind.MISCONDUCT: N_("feedback.kind.misconduct"),
}
STATE_KEYS: dict[State, str] = {
    State.RECEIVED: N_("feedback.state.received"),
    State.ANSWERED: N_("feedback.state.answered"),
    State.REOPENED: N_("feedback.state.reopened"),
    State.DUPLICATE: N_("feedback.state.duplicate"),
    State.HIDDEN: N_("feedback.state.hidden"),
    State.CLOSED: N_("feedback.state.closed"),
}
RATING_KEYS: dict[Rating, str] = {
    Rating.SATISFIED: N_("feedback.rating.satisfied"),
    Rating.FAIRLY: N_("feedback.rating.fairly"),
    Rating.UNSATISFIED: N_("feedback.rating.unsatisfied"),
}
DISPOSITION_KEYS: dict[Disposition, str] = {
    Disposition.INTERVIEW: N_("feedback.disposition.interview"),
    Disposition.RECTIFY: N_("feedback.disposition.rectify"),
    Disposition.CLOSED: N_("feedback.disposition.closed"),
}


@dataclass(frozen=True)
class Transition:
    source: State
    action: Action
    target: State
    actors: frozenset[Actor]
    needs_reason: bool = False


S, A = State, Action
SENDER, REVIEWER, COMMISSION, SCHEDULER = Actor
_OFFICIALS = (REVIEWER, COMMISSION)


def _t(
    source: State, action: Action, target: State, *actors: Actor, needs_reason: bool = False
) -> Transition:
    return Transition(source, action, target, frozenset(actors), needs_reason)


TRANSITIONS: tuple[Transition, ...] = (
    _t(S.RECEIVED, A.ANSWER, S.ANSWERED, *_OFFICIALS, needs_reason=True),
    _t(S.RECEIVED, A.REOPEN_RISK, S.REOPENED, *_OFFICIALS),
    _t(S.RECEIVED, A.MARK_DUPLICATE, S.DUPLICATE, *_OFFICIALS),
    _t(S.RECEIVED, A.HIDE, S.HIDDEN, *_OFFICIALS, needs_reason=True),
    _t(S.RECEIVED, A.REMIND, S.RECEIVED, SCHEDULER),
    _t(S.RECEIVED, A.ESCALATE, S.RECEIVED, SCHEDULER),
    _t(S.RECEIVED, A.ALERT, S.RECEIVED, SCHEDULER),
    _t(S.RECEIVED, A.DISPOSE, S.RECEIVED, COMMISSION),
    _t(S.RECEIVED, A.CLOSE, S.CLOSED, COMMISSION, needs_reason=True),
    _t(S.ANSWERED, A.RATE, S.ANSWERED, SENDER),
    _t(S.ANSWERED, A.APPEAL, S.RECEIVED, SENDER),
)
_INDEX: dict[tuple[State, Action], Transition] = {(t.source, t.action): t for t in TRANSITIONS}
if len(_INDEX) != len(TRANSITIONS):  # pragma: no cover - guards the table at import
    raise RuntimeError("duplicate feedback transition")

# States where the item waits for an official (the inbox, the ladder).
OPEN_STATES: frozenset[State] = frozenset({S.RECEIVED})
# States that count as responded to (answered on time, time to answer).
RESPONDED_STATES: frozenset[State] = frozenset({S.ANSWERED, S.REOPENED, S.DUPLICATE})


def find(state: State | str, action: Action | str) -> Transition | None:
    return _INDEX.get((State(state), Action(action)))


def check(
    state: State | str,
    action: Action | str,
    actors: Collection[Actor],
    *,
    reason: str | None = None,
) -> Transition:
    """The row if `actors` may take `action` from `state`; else a refusal.

    A move that does not exist from here (an item already handled, a stale button) says so
    before a person is told it is not theirs.
    """
    row = find(state, action)
    if row is None:
        raise ServiceError("feedback.already_handled")
    if not row.actors.intersection(actors):
        raise NotAllowed("feedback.not_yours")
    if row.needs_reason and not (reason or "").strip():
        raise ServiceError("feedback.reason_required")
    return row


def available(state: State | str, actors: Collection[Actor]) -> list[Action]:
    """The moves open to `actors` from `state`, in table order (what buttons to offer)."""
    held = set(actors)
    return [t.action for t in TRANSITIONS if t.source == State(state) and t.actors & held]


def rating_action(rating: Rating, *, appealed_before: bool) -> Action:
    """不满意 sends the item once to the tier above; any other rating (or a second 不满意)
    is just recorded."""
    if rating is Rating.UNSATISFIED and not appealed_before:
        return Action.APPEAL
    return Action.RATE


# --- receipt codes ----------------------------------------------------------------------

# 32 symbols without 0/O/1/I: read aloud without doubt, 5 bits each; 8 symbols = 40 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_SYMBOLS = 8
CODE_PREFIX = "QF"
_CODE_RE = re.compile(rf"^{CODE_PREFIX}-([{CODE_ALPHABET}]{{4}})-([{CODE_ALPHABET}]{{4}})$")


def new_code() -> str:
    """A fresh receipt code like ``QF-7K3M-9X2P``: 40 bits from `secrets`, not sequential."""
    symbols = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_SYMBOLS))
    return f"{CODE_PREFIX}-{symbols[:4]}-{symbols[4:]}"


def normalize_code(text: str) -> str | None:
    """A typed code in its canonical form (case, spaces and dashes forgiven), or None."""
    raw = re.sub(r"[\s\-_]", "", (text or "").upper())
    if raw.startswith(CODE_PREFIX):
        raw = raw[len(CODE_PREFIX) :]
    if len(raw) != CODE_SYMBOLS or any(c not in CODE_ALPHABET for c in raw):
        return None
    code = f"{CODE_PREFIX}-{raw[:4]}-{raw[4:]}"
    return code if _CODE_RE.match(code) else None


# --- text rules -------------------------------------------------------------------------

_LINK_RE = re.compile(
    r"(https?://|www\.|t\.me/|telegram\.me/|tg://"
    r"|\b[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|cn|net|org|info|io|me|top|xyz|ru|cc|co|biz)\b)",
    re.IGNORECASE,
)


def has_link(text: str) -> bool:
    return _LINK_RE.search(text) is not None


def clean_text(text: str | None) -> str:
    """The text as kept: trimmed, runs of blank space inside a line made one space."""
    if is_blank(text):  # only spaces and zero-width characters: nothing was written
        return ""
    lines = [re.sub(r"[ \t\u3000]+", " ", line).strip() for line in (text or "").splitlines()]
    return "\n".join(line for line in lines if line)


def check_text(text: str | None, *, has_link_entity: bool = False) -> str:
    """The cleaned feedback text, or a refusal naming the rule it breaks."""
    cleaned = clean_text(text)
    if len(cleaned) < TEXT_MIN:
        raise ServiceError("feedback.text_too_short", min=TEXT_MIN, n=len(cleaned))
    if utf16_len(cleaned) > TEXT_MAX:
        raise ServiceError("feedback.text_too_long", max=TEXT_MAX, n=utf16_len(cleaned))
    if has_link_entity or has_link(cleaned):
        raise ServiceError("feedback.no_links")
    return cleaned


def check_reason(text: str | None, limit: int = REASON_MAX) -> str:
    """An official's reason or answer: required, within `limit`."""
    cleaned = "" if is_blank(text) else (text or "").strip()
    if not cleaned:
        raise ServiceError("feedback.reason_required")
    if utf16_len(cleaned) > limit:
        raise ServiceError("feedback.reason_too_long", max=limit, n=utf16_len(cleaned))
    return cleaned


def dedup_key(text: str) -> str:
    """What makes two texts 'identical': the cleaned text, case and spacing ignored."""
    return re.sub(r"\s+", "", clean_text(text)).casefold()


# --- the 预警 ladder ---------------------------------------------------------------------


def reminder_lead(period: timedelta) -> timedelta:
    """How long before the deadline the answering tier is reminded: a day, or half a short
    period."""
    return min(timedelta(days=1), period / 2)


def step_due(since: datetime, now: datetime, period: timedelta, taken: Step) -> Step | None:
    """The ladder step to take now for an item waiting since `since`, or None.

    Only the highest step reached is taken (after downtime a reminder is not sent when the
    deadline has already passed), and never one already taken: each step fires once.
    """
    waited = now - since
    if waited >= 2 * period:
        reached = Step.COMMISSION
    elif waited >= period:
        reached = Step.OVERDUE
    elif waited >= period - reminder_lead(period):
        reached = Step.REMINDER
    else:
        return None
    return reached if reached > taken else None


STEP_ACTIONS: dict[Step, Action] = {
    Step.REMINDER: Action.REMIND,
    Step.OVERDUE: Action.ESCALATE,
    Step.COMMISSION: Action.ALERT,
}


# --- /track rate limit --------------------------------------------------------------------


def track_wait(misses: Iterable[datetime], now: datetime) -> timedelta | None:
    """How long someone must wait before trying another code, or None when they may."""
    recent = sorted(m for m in misses if now - m < TRACK_WINDOW)
    if len(recent) < TRACK_MISSES_MAX:
        return None
    # The window frees up when the oldest of the last `max` misses leaves it.
    return recent[-TRACK_MISSES_MAX] + TRACK_WINDOW - now


def minutes_to_wait(wait: timedelta) -> int:
    """Whole minutes to tell a person (at least one)."""
    return max(1, -(-int(wait.total_seconds()) // 60))
