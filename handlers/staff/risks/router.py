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
from handlers.staff.risks import actions, card, declare, declare_measures
from handlers.staff.risks.actions import (
    ONE_TAP,
    enter_discussion_date,
    enter_discussion_summary,
    enter_dispute_reason,
    enter_new_description,
    one_tap,
    start_step,
)
from handlers.staff.risks.declare import enter_description
from handlers.staff.risks.declare_measures import DEADLINE, enter_measure
from handlers.staff.risks.keyboards import Declare, RiskStep
from handlers.staff.risks.listing import RISKS
from handlers.ui.routes import button_steps, text_steps


def create_router() -> Router:
    router = Router(name=__name__)
    cb = RiskCb.filter
    RISKS.register(router, command="risks")
    card.PRESSES.register(router)
    declare.PRESSES.register(router)
    declare_measures.PRESSES.register(router)
    actions.PRESSES.register(router)
    router.callback_query.register(
        start_step, cb(F.action.in_({RiskAction.DISPUTE, RiskAction.DISCUSS, RiskAction.EDIT}))
    )
    router.callback_query.register(one_tap, cb(F.action.in_(set(ONE_TAP))))
    text_steps(
        router,
        (Declare.description, enter_description),
        (Declare.measure_action, enter_measure),
        (Declare.deadline, DEADLINE.typed),
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
