"""Words for codes: every state, type, status and kind a person reads, by literal message key.

A key chosen at run time comes from one of these tables, never from an f-string, so every key
the code can show is written out here, marked with `N_` for extraction. A value missing from a
table shows as it is rather than as a message key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.utils.i18n import gettext as _


def N_(key: str) -> str:
    """Marks a message key for extraction (`make i18n`) without translating it now."""
    return key


RISK_STATE = {
    "draft": N_("workflow.state.draft"),
    "proposed": N_("workflow.state.proposed"),
    "disputed": N_("workflow.state.disputed"),
    "submitted": N_("workflow.state.submitted"),
    "social_review": N_("workflow.state.social_review"),
    "graded_review": N_("workflow.state.graded_review"),
    "org_approval": N_("workflow.state.org_approval"),
    "collective_discussion": N_("workflow.state.collective_discussion"),
    "self_review": N_("workflow.state.self_review"),
    "standing_committee": N_("workflow.state.standing_committee"),
    "returned": N_("workflow.state.returned"),
    "approved": N_("workflow.state.approved"),
    "publicised": N_("workflow.state.publicised"),
    "regrading_due": N_("workflow.state.regrading_due"),
    "withdrawn": N_("workflow.state.withdrawn"),
}
RISK_TYPE = {
    "duty": N_("register.risk_type.duty"),
    "external": N_("register.risk_type.external"),
    "moral": N_("register.risk_type.moral"),
    "process": N_("register.risk_type.process"),
    "system": N_("register.risk_type.system"),
}
SCOPE = {"external": N_("register.scope.external"), "internal": N_("register.scope.internal")}
MEASURE_STATUS = {
    "planned": N_("register.measure_status.planned"),
    "in_progress": N_("register.measure_status.in_progress"),
    "blocked": N_("register.measure_status.blocked"),
    "done": N_("register.measure_status.done"),
}
POWER_STATUS = {
    "submitted": N_("powers.status.submitted"),
    "confirmed": N_("powers.status.confirmed"),
    "returned": N_("powers.status.returned"),
    "withdrawn": N_("powers.status.withdrawn"),
}
POWER_FIELD = {
    "name": N_("powers.edit.name"),
    "content": N_("powers.edit.content"),
    "subject": N_("powers.edit.subject"),
    "legal_basis": N_("powers.edit.legal_basis"),
    "category": N_("powers.edit.category"),
}
DATE_REFUSED = {
    "format": N_("register.date_format"),
    "future": N_("register.date_future"),
    "invalid": N_("register.date_invalid"),
    "past": N_("register.date_past"),
    "too_far": N_("register.date_too_far"),
}
QUICK_PICK = {
    "month": N_("risks.quick.month"),
    "quarter": N_("risks.quick.quarter"),
    "year": N_("risks.quick.year"),
}
FACTOR_SCALE = {
    1: N_("risks.scale.1"),
    2: N_("risks.scale.2"),
    3: N_("risks.scale.3"),
    4: N_("risks.scale.4"),
    5: N_("risks.scale.5"),
}
FACTOR_QUESTION = {
    "importance": N_("risks.ask_factor.importance"),
    "discretion": N_("risks.ask_factor.discretion"),
    "likelihood": N_("risks.ask_factor.likelihood"),
    "harm": N_("risks.ask_factor.harm"),
    "public": N_("risks.ask_factor.public"),
}
INBOX_KIND = {
    "social": N_("review.kind.social"),
    "graded": N_("review.kind.graded"),
    "approval": N_("review.kind.approval"),
    "disputes": N_("review.kind.disputes"),
}
NOTE_KIND = {
    "agree": N_("review.note.agree"),
    "comment": N_("review.note.comment"),
    "dispute": N_("review.note.dispute"),
    "override": N_("review.note.override"),
    "reopen": N_("review.note.reopen"),
    "return": N_("review.note.return"),
}
MATTER = {
    "appointment": N_("rules.matter.appointment"),
    "decision": N_("rules.matter.decision"),
    "funds": N_("rules.matter.funds"),
    "project": N_("rules.matter.project"),
    "none": N_("rules.matter.none"),
}
REQUIREMENT = {  # a campaign's (bot.domain.campaign_rules.Requirement)
    "powers": N_("campaign.req.powers"),
    "risks": N_("campaign.req.risks"),
    "measures": N_("campaign.req.measures"),
    "regrading": N_("campaign.req.regrading"),
}
AUDIENCE = {  # a broadcast's (bot.services.broadcast.Audience)
    "staff": N_("broadcast.audience_staff"),
    "reviewers": N_("broadcast.audience_reviewers"),
    "leaders": N_("broadcast.audience_leaders"),
    "members": N_("broadcast.audience_members"),
}
LANGUAGE = {"zh": N_("language.name_zh"), "en": N_("language.name_en")}
ROLE = {
    "admin": N_("roles.admin"),
    "leader": N_("roles.leader"),
    "reviewer": N_("roles.reviewer"),
    "staff": N_("roles.staff"),
}


# What a /history line says was done (the audit row's action); anything else reads as a change.
HISTORY_ACTION = {
    "risk.declare": N_("history.action.declare"),
    "risk.propose": N_("history.action.propose"),
    "risk.assess": N_("history.action.assess"),
    "risk.edit": N_("history.action.edit"),
    "risk.import": N_("history.action.import"),
    "risk.submit": N_("history.action.submit"),
    "risk.confirm_proposal": N_("history.action.confirm_proposal"),
    "risk.dispute": N_("history.action.dispute"),
    "risk.repropose": N_("history.action.repropose"),
    "risk.withdraw": N_("history.action.withdraw"),
    "risk.open_social": N_("history.action.open_social"),
    "risk.skip_social": N_("history.action.skip_social"),
    "risk.comment": N_("history.action.comment"),
    "risk.agree": N_("history.action.agree"),
    "risk.close_social": N_("history.action.close_social"),
    "risk.pass_review": N_("history.action.pass_review"),
    "risk.return": N_("history.action.return"),
    "risk.approve": N_("history.action.approve"),
    "risk.publicise": N_("history.action.publicise"),
    "risk.regrading_due": N_("history.action.regrading_due"),
    "risk.reopen": N_("history.action.reopen"),
    "risk.revise": N_("history.action.revise"),
    "risk.resubmit": N_("history.action.resubmit"),
    "risk.record_discussion": N_("history.action.record_discussion"),
    "risk.self_confirm": N_("history.action.self_confirm"),
    "regrade.factors": N_("history.action.regrade_factors"),
    "regrade.measure_add": N_("history.action.regrade_measure_add"),
    "regrade.measure_edit": N_("history.action.regrade_measure_edit"),
    "regrade.measure_remove": N_("history.action.regrade_measure_remove"),
    "measure.report": N_("history.action.measure_report"),
    "feedback.disposition": N_("history.action.feedback_disposition"),
}
HISTORY_ACTION_OTHER = N_("history.action.other")


def history_action(action: str) -> str:
    """The words for an audit row's action; an action without words reads as a change."""
    return _(HISTORY_ACTION.get(action, HISTORY_ACTION_OTHER))


def label(table: Mapping[Any, str], value: object) -> str:
    """The reader's words for `value` (a code, or an enum member) from one of the tables.

    The tables are keyed by str or int codes (a Mapping is invariant in its key, hence Any)."""
    code = getattr(value, "value", value)
    key = table.get(code)
    return _(key) if key is not None else str(code)


LIST_LABEL_MAX = 30  # characters of a list button's text: one line on a phone


def list_label(item_id: int | None, text: str | None, limit: int = LIST_LABEL_MAX) -> str:
    """A list button's short text: `#12 现场核验时接受宴请…` (the full text is on the card).

    The first line of `text`, whitespace squeezed, cut to `limit` characters with an ellipsis;
    `item_id` None: the text alone."""
    first = " ".join((text or "").strip().splitlines()[:1][0].split()) if text else ""
    head = f"#{item_id} " if item_id is not None else ""
    room = max(limit - len(head), 1)
    if len(first) > room:
        first = first[: room - 1] + "…"
    return f"{head}{first}".strip()
