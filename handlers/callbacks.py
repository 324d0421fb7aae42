"""Every `CallbackData` of the bot in one place: unique short prefixes, actions as enums, ids only.

(The publicity branch adds its classes here; the existing ones move here with issue 10.)
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class FeedbackAction(StrEnum):
    START = "start"  # "意见反馈 / Give feedback" on a public risk card
    KIND = "kind"  # value: the kind's position in bot.domain.feedback.Kind
    FILES_DONE = "files"  # evidence step finished (or skipped)
    TOGGLE_ANON = "anon"  # anonymous ⇄ signed
    PHONE = "phone"  # signed: add a phone number (Telegram's contact button)
    CONFIRM = "ok"
    CANCEL = "cancel"


class FeedbackCb(CallbackData, prefix="fb"):
    """The feedback flow's buttons; `item_id` is a `PublicityItem.id` (see publicity.lookup)."""

    action: FeedbackAction
    item_id: int = 0
    value: int = 0


class RoundWizardAction(StrEnum):
    NEW = "new"
    SCOPE_ALL = "all"
    SCOPE_PICK = "pick"
    TOGGLE = "tog"
    PAGE = "page"
    UNITS_DONE = "done"
    ACTIVE = "act"  # value 1: include active risks again, 0: not
    START_NOW = "now"
    START_DATE = "date"
    CONFIRM = "ok"
    ABORT = "abort"
    BROWSE = "browse"  # an admin's way to the citizens' view


class RoundWizardCb(CallbackData, prefix="pu"):
    """The commission's /publicity wizard (opening a round)."""

    action: RoundWizardAction
    value: int = 0


class BrowseAction(StrEnum):
    ROUNDS = "rounds"
    ROUND = "round"  # a round's units, paged
    UNIT = "unit"  # a unit's risk cards, paged
    CARD = "card"  # one card (from a deep link's unit, or back)


class BrowseCb(CallbackData, prefix="pb"):
    """Citizens browsing open rounds: rounds → units → cards."""

    action: BrowseAction
    round_id: int = 0
    unit_id: int = 0
    page: int = 0


class SubscribeAction(StrEnum):
    ALL = "all"
    TOGGLE = "tog"
    PAGE = "page"
    SAVE = "save"
    OFF = "off"


class SubscribeCb(CallbackData, prefix="sb"):
    """/subscribe: paged toggles of units, or all."""

    action: SubscribeAction
    value: int = 0


class TrackAction(StrEnum):
    OPEN = "open"  # one of the sender's own items
    LIST = "list"  # /mine, at offset `value`
    RATE = "rate"  # value: the rating's position in bot.domain.feedback.Rating


class TrackCb(CallbackData, prefix="ft"):
    """/track and /mine: a sender's own feedback (the service checks it is theirs)."""

    action: TrackAction
    feedback_id: int = 0
    value: int = 0
    version: int = 0


class InboxAction(StrEnum):
    OPEN = "open"
    NEXT = "next"  # the item after `feedback_id` in the inbox
    FILE = "file"  # value: which evidence file to show
    ANSWER = "answer"
    REOPEN = "reopen"  # asks to confirm
    REOPEN_OK = "reopen_ok"
    DUPLICATE = "dup"
    HIDE = "hide"
    DISPOSE = "dispose"  # the commission, past twice the deadline
    DISPOSE_KIND = "dkind"  # value: the disposition's position in Disposition


class InboxCb(CallbackData, prefix="fi"):
    """/feedback: the answering tier's inbox of citizens' feedback."""

    action: InboxAction
    feedback_id: int = 0
    version: int = 0
    value: int = 0
