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
from handlers.staff.risks.keyboards import Declare, RiskStep
from handlers.staff.risks.listing import RISKS
from handlers.ui.routes import button_steps, presses, text_steps


def create_router() -> Router:
    router = Router(name=__name__)
    cb = RiskCb.filter
    RISKS.register(router, command="risks")
    presses(
        router,
        RiskCb,
        (open_risk, RiskAction.OPEN),
        (start_declare, RiskAction.DECLARE),
        (power_page, RiskAction.POWER_PAGE, Declare.power),
        (choose_power, RiskAction.POWER, Declare.power),
        (choose_type, RiskAction.TYPE, Declare.risk_type),
        (choose_focus, RiskAction.FOCUS, Declare.focus),
        (choose_factor, RiskAction.FACTOR, Declare.factor),
        (choose_responsible, RiskAction.WHO, Declare.responsible),
        (responsible_page, RiskAction.WHO_PAGE, Declare.responsible),
        (quick_pick, RiskAction.QUICK, Declare.deadline),
        (rule_page, RiskAction.RULE_PAGE, Declare.rule),
        (choose_rule, RiskAction.RULE, Declare.rule),
        (more_measures, RiskAction.MORE, Declare.more),
        (measures_done, RiskAction.DONE, Declare.more),
        (submit, RiskAction.SAVE, Declare.confirm),
        (abort, RiskAction.ABORT, Declare.confirm),
        (accept, RiskAction.ACCEPT),
        (start_assess, RiskAction.ASSESS),
        (resubmit, RiskAction.RESUBMIT),
    )
    router.callback_query.register(
        start_step, cb(F.action.in_({RiskAction.DISPUTE, RiskAction.DISCUSS, RiskAction.EDIT}))
    )
    router.callback_query.register(one_tap, cb(F.action.in_(set(ONE_TAP))))
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
