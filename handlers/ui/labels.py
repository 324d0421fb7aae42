"""Words for codes: every state, type, status and kind a person reads, by literal message key.

A key chosen at run time comes from one of these tables, never from an f-string, so every key
the code can show is written out here (and found by the catalog check). A value missing from a
table shows as it is rather than as a message key.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiogram.utils.i18n import gettext as _

RISK_STATE = {
    "draft": "workflow.state.draft",
    "proposed": "workflow.state.proposed",
    "disputed": "workflow.state.disputed",
    "submitted": "workflow.state.submitted",
    "social_review": "workflow.state.social_review",
    "graded_review": "workflow.state.graded_review",
    "org_approval": "workflow.state.org_approval",
    "collective_discussion": "workflow.state.collective_discussion",
    "self_review": "workflow.state.self_review",
    "standing_committee": "workflow.state.standing_committee",
    "returned": "workflow.state.returned",
    "approved": "workflow.state.approved",
    "publicised": "workflow.state.publicised",
    "regrading_due": "workflow.state.regrading_due",
    "withdrawn": "workflow.state.withdrawn",
}
RISK_TYPE = {
    "duty": "register.risk_type.duty",
    "external": "register.risk_type.external",
    "moral": "register.risk_type.moral",
    "process": "register.risk_type.process",
    "system": "register.risk_type.system",
}
SCOPE = {"external": "register.scope.external", "internal": "register.scope.internal"}
MEASURE_STATUS = {
    "planned": "register.measure_status.planned",
    "in_progress": "register.measure_status.in_progress",
    "blocked": "register.measure_status.blocked",
    "done": "register.measure_status.done",
}
POWER_STATUS = {
    "submitted": "powers.status.submitted",
    "confirmed": "powers.status.confirmed",
    "returned": "powers.status.returned",
    "withdrawn": "powers.status.withdrawn",
}
POWER_FIELD = {
    "name": "powers.edit.name",
    "content": "powers.edit.content",
    "subject": "powers.edit.subject",
    "legal_basis": "powers.edit.legal_basis",
    "category": "powers.edit.category",
}
DATE_REFUSED = {
    "format": "register.date_format",
    "future": "register.date_future",
    "invalid": "register.date_invalid",
    "past": "register.date_past",
    "too_far": "register.date_too_far",
}
QUICK_PICK = {
    "month": "risks.quick.month",
    "quarter": "risks.quick.quarter",
    "year": "risks.quick.year",
}
FACTOR_SCALE = {
    1: "risks.scale.1",
    2: "risks.scale.2",
    3: "risks.scale.3",
    4: "risks.scale.4",
    5: "risks.scale.5",
}
FACTOR_QUESTION = {
    "importance": "risks.ask_factor.importance",
    "discretion": "risks.ask_factor.discretion",
    "likelihood": "risks.ask_factor.likelihood",
    "harm": "risks.ask_factor.harm",
    "public": "risks.ask_factor.public",
}
INBOX_KIND = {
    "social": "review.kind.social",
    "graded": "review.kind.graded",
    "approval": "review.kind.approval",
    "disputes": "review.kind.disputes",
}
NOTE_KIND = {
    "agree": "review.note.agree",
    "comment": "review.note.comment",
    "dispute": "review.note.dispute",
    "override": "review.note.override",
    "reopen": "review.note.reopen",
    "return": "review.note.return",
}
MATTER = {
    "appointment": "rules.matter.appointment",
    "decision": "rules.matter.decision",
    "funds": "rules.matter.funds",
    "project": "rules.matter.project",
    "none": "rules.matter.none",
}
LANGUAGE = {"zh": "language.name_zh", "en": "language.name_en"}
ROLE = {
    "admin": "roles.admin",
    "leader": "roles.leader",
    "reviewer": "roles.reviewer",
    "staff": "roles.staff",
}


def label(table: Mapping[object, str], value: object) -> str:
    """The reader's words for `value` (a code, or an enum member) from one of the tables."""
    code = getattr(value, "value", value)
    key = table.get(code)
    return _(key) if key is not None else str(code)
