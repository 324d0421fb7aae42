"""Risk points and their control measures: the five-step method (五步工作法) as services.

确定风险点 → 制定防范措施 → 落实责任主体 happen in one declaration (`declare`);
实施考核监督 / 进行反馈完善 are the measure reports and overdue checks (`measures`).
Top-down proposals (自上而下) and the leadership three-step method (三步工作法: 集体议 →
自己审 → 常委定) are here too. Every move of a record's state goes through the review's one
write path, `bot.services.review.transition()` (`moves`).
"""

from bot.services.risks.common import (
    EDITABLE,
    EDITABLE_STATES,
    MEASURES_MAX,
    MeasureDraft,
    RiskDraft,
    build_measures,
    get_visible,
    is_holder,
    refused_date,
    responsible_person,
    rule_of,
    rules_in_force,
    today_of,
    validated_factors,
)
from bot.services.risks.declare import (
    answer_proposal,
    complete_draft,
    declare_risk,
    proposals_for,
    propose_risk,
)
from bot.services.risks.edit import edit_risk
from bot.services.risks.measures import (
    colleagues,
    measures_of,
    overdue_measures,
    report_measure,
    reportable_measure,
    risks_of_post,
)
from bot.services.risks.moves import confirm_self_review, record_discussion, withdraw_risk

__all__ = [
    "EDITABLE",
    "EDITABLE_STATES",
    "MEASURES_MAX",
    "MeasureDraft",
    "RiskDraft",
    "answer_proposal",
    "build_measures",
    "colleagues",
    "complete_draft",
    "confirm_self_review",
    "declare_risk",
    "edit_risk",
    "get_visible",
    "is_holder",
    "measures_of",
    "overdue_measures",
    "proposals_for",
    "propose_risk",
    "record_discussion",
    "refused_date",
    "report_measure",
    "reportable_measure",
    "responsible_person",
    "risks_of_post",
    "rule_of",
    "rules_in_force",
    "today_of",
    "validated_factors",
    "withdraw_risk",
]
