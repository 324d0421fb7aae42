"""Every button's callback data, in one place.

Each class has a short prefix of its own (`tests/unit/test_callbacks.py` checks they are unique
and that every class packs within Telegram's 64 bytes at its largest). Buttons carry ids, codes
and small numbers only, never names: a button is a request, and the service re-checks who may
make it. The action of a button is a `StrEnum`, so a forged action never unpacks (the stale-button
fallback answers it) and the packed text stays the plain value ("rk:open:42:0"). Usage::

    builder.button(text=_("risks.declare"), callback_data=RiskCb(action=RiskAction.DECLARE))
    router.callback_query.register(start_declare, RiskCb.filter(F.action == RiskAction.DECLARE))
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from pydantic import BaseModel

from handlers.ui.numbers import Id, Year  # bounded: a number past 64 bits does not unpack

# --- the two common shapes -------------------------------------------------------------------
# A class below takes one of these beside `CallbackData` and names its own `action` enum; the
# fields pack in the order written here ("rk:open:42:0").


class Step(BaseModel):
    """A button of a flow: what it does, and one small number (an index, an offset, an id)."""

    action: StrEnum
    value: Id = 0


class OnRecord(BaseModel):
    """A button about one record: what it does, the record's id, and one small number."""

    action: StrEnum
    id: Id = 0
    value: Id = 0


# --- shared screen parts -----------------------------------------------------------------------


class ListName(StrEnum):
    """The paged lists (handlers/ui/pager.py): which list a page button turns."""

    POWERS = "pw"
    RISKS = "rk"
    MEASURES = "ms"
    UNREACHABLE = "ur"
    RULES = "rl"


class PageCb(CallbackData, prefix="pg"):
    """A ‹ › button of a paged list: the list and the offset of the page it shows."""

    list: ListName
    offset: Id = 0


# --- admin -----------------------------------------------------------------------------------


InviteAction = StrEnum("InviteAction", "PAGE UNIT POST ROLE ROLES_DONE CREATE ABORT")


class InviteCb(CallbackData, Step, prefix="inv"):
    action: InviteAction


CategoryAction = StrEnum("CategoryAction", "PAGE UNIT SCOPE RESET")


class CategoryCb(CallbackData, OnRecord, prefix="ct"):
    action: CategoryAction


BroadcastAction = StrEnum("BroadcastAction", "AUDIENCE PAGE UNIT SEND ABORT REFRESH STOP")


class BroadcastCb(CallbackData, prefix="bc"):
    action: BroadcastAction
    value: Id = 0
    batch: str = ""  # a batch id: 32 hex digits


CampaignAction = StrEnum(
    "CampaignAction",
    "LIST NEW TOGGLE ALL PAGE UNITS_DONE REQ DAYS CREATE ABORT OPEN REFRESH NAMES CLOSE CLOSE_YES",
)


class CampaignCb(CallbackData, prefix="cp"):
    action: CampaignAction
    value: Id = 0
    cid: Id = 0


# --- everyone ---------------------------------------------------------------------------------


RuleAction = StrEnum("RuleAction", "ADD UNIT_PAGE UNIT SKIP MATTER")


class RuleCb(CallbackData, OnRecord, prefix="rl"):
    action: RuleAction


class LanguageChoice(CallbackData, prefix="lang"):
    locale: str  # a locale code of bot.i18n.LOCALES


# --- staff ------------------------------------------------------------------------------------


MeasureAction = StrEnum("MeasureAction", "OPEN STATUS")


class MeasureCb(CallbackData, OnRecord, prefix="ms"):
    action: MeasureAction


RiskAction = StrEnum(
    "RiskAction",
    "OPEN DECLARE POWER POWER_PAGE TYPE FOCUS FACTOR WHO WHO_PAGE QUICK "
    "RULE RULE_PAGE MORE DONE SAVE ABORT ACCEPT DISPUTE ASSESS DISCUSS "
    "SELF_OK EDIT WITHDRAW RESUBMIT",
)


class RiskCb(CallbackData, OnRecord, prefix="rk"):
    action: RiskAction


PeerAction = StrEnum("PeerAction", "OPEN AGREE COMMENT LIST")


class PeerCb(CallbackData, prefix="pr"):
    a: PeerAction
    r: Id = 0  # risk id


PowerAction = StrEnum("PowerAction", "OPEN ADD SUBJECT_POST SCOPE CAT SAVE ABORT EDIT WITHDRAW")


class PowerCb(CallbackData, OnRecord, prefix="pw"):
    action: PowerAction


class RegradeAction(StrEnum):
    OPEN = "open"
    FACTORS = "f"
    SAVE_FACTORS = "fsave"
    MEASURES = "ms"
    MEASURE = "m"
    MEASURE_TEXT = "mt"
    MEASURE_DEADLINE = "md"
    MEASURE_WHO = "mw"
    MEASURE_REMOVE = "mx"
    ADD_MEASURE = "add"
    CONFIRM = "ok"


class RegradeCb(CallbackData, prefix="rg"):
    """Ids only; the service re-checks the holder and the state on every press.

    The holder's re-grading notice carries the same shape ("rg:open:<risk>:0").
    """

    a: RegradeAction
    r: Id = 0  # risk id
    m: Id = 0  # measure id


# --- reviewers --------------------------------------------------------------------------------


class ReviewAction(StrEnum):
    KIND = "k"
    INBOX = "in"
    SKIP = "sk"
    APPROVE = "ok"
    CLOSE_SOCIAL = "cs"
    WITHDRAW = "wd"
    LEVEL = "lv"
    SET_LEVEL = "sl"
    RETURN = "rt"
    REPROPOSE = "rp"


class ReviewCb(CallbackData, prefix="rv"):
    """The review inbox: ids and the version the card showed (authority is re-checked)."""

    a: ReviewAction
    r: Id = 0  # risk id
    v: Id = 0  # the record's version the card showed
    k: str = ""  # an inbox kind (bot.services.review.InboxKind value)
    lv: Id = 0  # a level


RegisterReviewAction = StrEnum(
    "RegisterReviewAction",
    "PAGE OPEN CONFIRM RETURN POST_PAGE POST TYPE",
)


class RegisterReviewCb(CallbackData, OnRecord, prefix="rr"):
    """The reviewer's view of the register: powers to confirm, a post's risks by type."""

    action: RegisterReviewAction


ReopenAction = StrEnum("ReopenAction", "NEXT ASK")


class ReopenCb(CallbackData, prefix="ro"):
    a: ReopenAction
    r: Id = 0  # risk id (next: the one after it)
    v: Id = 0  # the version the card showed


# --- the public side: publicity and feedback ----------------------------------------------


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
    item_id: Id = 0
    value: Id = 0


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


class RoundWizardCb(CallbackData, Step, prefix="pu"):
    """The commission's /publicity wizard (opening a round)."""

    action: RoundWizardAction


class BrowseAction(StrEnum):
    ROUNDS = "rounds"
    ROUND = "round"  # a round's units, paged
    UNIT = "unit"  # a unit's risk cards, paged
    CARD = "card"  # one card (from a deep link's unit, or back)


class BrowseCb(CallbackData, prefix="pb"):
    """Citizens browsing open rounds: rounds → units → cards."""

    action: BrowseAction
    round_id: Id = 0
    unit_id: Id = 0
    page: Id = 0


class OverviewAction(StrEnum):
    UNIT = "u"  # show a unit's figures (0: the scope's top), edited in place
    RANK = "r"  # the ranking of the units under it
    CHART = "c"  # send the chart of the units under it


class OverviewCb(CallbackData, prefix="ov"):
    action: OverviewAction
    unit_id: Id = 0
    page: Id = 0


class SubscribeAction(StrEnum):
    ALL = "all"
    TOGGLE = "tog"
    PAGE = "page"
    SAVE = "save"
    OFF = "off"


class SubscribeCb(CallbackData, Step, prefix="sb"):
    """/subscribe: paged toggles of units, or all."""

    action: SubscribeAction


class TrackAction(StrEnum):
    OPEN = "open"  # one of the sender's own items
    LIST = "list"  # /mine, at offset `value`
    RATE = "rate"  # value: the rating's position in bot.domain.feedback.Rating


class TrackCb(CallbackData, prefix="ft"):
    """/track and /mine: a sender's own feedback (the service checks it is theirs)."""

    action: TrackAction
    feedback_id: Id = 0
    value: Id = 0
    version: Id = 0


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
    feedback_id: Id = 0
    version: Id = 0
    value: Id = 0


class DigestAction(StrEnum):
    FREQUENCY = "f"  # chose how often (value: the frequency's index): ask the hour
    HOUR = "h"  # chose the hour (value: frequency index, hour): subscribe
    PAUSE = "p"
    RESUME = "r"
    UNITS = "g"  # commission: a page of units with leaders (value: offset)
    UNIT = "u"  # commission: subscribe every leader of a unit (value: unit id)
    BACK = "b"  # back to the subscription screen


class DigestCb(CallbackData, prefix="dg"):
    action: DigestAction
    value: Id = 0
    hour: Id = 0


# --- the annual assessment and reports -----------------------------------------------------


class AssessmentAction(StrEnum):
    PAGE = "page"  # page 0: the ranking; 1…N: the units' cards, best first
    CONFIRM = "confirm"  # asks first
    CONFIRM_YES = "yes"


class AssessmentCb(CallbackData, prefix="as"):
    action: AssessmentAction
    year: Year
    page: Id = 0


class ReportPeriod(StrEnum):
    YEAR = "year"  # the year to date
    LAST_YEAR = "last_year"
    QUARTER = "quarter"  # the quarter to date
    MONTH = "month"


class ReportCb(CallbackData, prefix="rp"):
    period: ReportPeriod
