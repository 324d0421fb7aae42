"""/risks: my post's risk points, and the declaration (五步工作法) step by step.

identify (power → 风险表现 → type → focus programme) → the five factors, one tap each, with
the suggested level → measures (what → 责任主体 → deadline → rule; one or more) → confirm
card → submitted. A confirmed top-down proposal runs the same flow from the factors on.
The risk card offers what its holder may do next: answer a proposal, record the collective
discussion and confirm the self-review (leadership posts), edit, withdraw.
"""

from __future__ import annotations

from aiogram import F, Router

from handlers.callbacks import RiskAction, RiskCb
from handlers.staff.risks.actions import (
    ONE_TAP,
    accept,
    enter_discussion_date,
    enter_discussion_summary,
    enter_dispute_reason,
    enter_new_description,
    one_tap,
    resubmit,
    start_assess,
    start_step,
)
from handlers.staff.risks.card import open_risk
from handlers.staff.risks.declare import (
    abort,
    choose_factor,
    choose_focus,
    choose_power,
    choose_type,
    enter_description,
    measures_done,
    power_page,
    start_declare,
    submit,
)

# What the re-grading screens reuse from the declaration.
from handlers.staff.risks.declare_measures import (
    choose_responsible,
    choose_rule,
    enter_deadline,
    enter_measure,
    more_measures,
    quick_pick,
    responsible_page,
    rule_page,
)
from handlers.staff.risks.keyboards import (
    Declare,
    RiskStep,
)
from handlers.staff.risks.listing import RISKS
from handlers.ui.routes import button_steps, text_steps


def create_router() -> Router:
    router = Router(name=__name__)
    cb = RiskCb.filter
    RISKS.register(router, command="risks")
    router.callback_query.register(open_risk, cb(F.action == RiskAction.OPEN))
    router.callback_query.register(start_declare, cb(F.action == RiskAction.DECLARE))
    router.callback_query.register(
        power_page, Declare.power, cb(F.action == RiskAction.POWER_PAGE)
    )
    router.callback_query.register(choose_power, Declare.power, cb(F.action == RiskAction.POWER))
    router.callback_query.register(choose_type, Declare.risk_type, cb(F.action == RiskAction.TYPE))
    router.callback_query.register(choose_focus, Declare.focus, cb(F.action == RiskAction.FOCUS))
    router.callback_query.register(
        choose_factor, Declare.factor, cb(F.action == RiskAction.FACTOR)
    )
    router.callback_query.register(
        choose_responsible, Declare.responsible, cb(F.action == RiskAction.WHO)
    )
    router.callback_query.register(
        responsible_page, Declare.responsible, cb(F.action == RiskAction.WHO_PAGE)
    )
    router.callback_query.register(quick_pick, Declare.deadline, cb(F.action == RiskAction.QUICK))
    router.callback_query.register(rule_page, Declare.rule, cb(F.action == RiskAction.RULE_PAGE))
    router.callback_query.register(choose_rule, Declare.rule, cb(F.action == RiskAction.RULE))
    router.callback_query.register(more_measures, Declare.more, cb(F.action == RiskAction.MORE))
    router.callback_query.register(measures_done, Declare.more, cb(F.action == RiskAction.DONE))
    router.callback_query.register(submit, Declare.confirm, cb(F.action == RiskAction.SAVE))
    router.callback_query.register(abort, Declare.confirm, cb(F.action == RiskAction.ABORT))
    router.callback_query.register(accept, cb(F.action == RiskAction.ACCEPT))
    router.callback_query.register(
        start_step, cb(F.action.in_({RiskAction.DISPUTE, RiskAction.DISCUSS, RiskAction.EDIT}))
    )
    router.callback_query.register(one_tap, cb(F.action.in_(set(ONE_TAP))))
    router.callback_query.register(start_assess, cb(F.action == RiskAction.ASSESS))
    router.callback_query.register(resubmit, cb(F.action == RiskAction.RESUBMIT))
    text_steps(
        router,
        (Declare.description, enter_description),
        (Declare.measure_action, enter_measure),
        (Declare.deadline, enter_deadline),
        (RiskStep.dispute_reason, enter_dispute_reason),
        (RiskStep.discussion_date, enter_discussion_date),
        (RiskStep.discussion_summary, enter_discussion_summary),
        (RiskStep.description, enter_new_description),
    )
    # Button-only steps: anything typed (or sent) gets the question and its buttons again.
    button_steps(
        router,
        Declare.power,
        Declare.risk_type,
        Declare.focus,
        Declare.factor,
        Declare.responsible,
        Declare.rule,
        Declare.more,
        Declare.confirm,
    )
    return router
