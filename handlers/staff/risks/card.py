"""A risk point's card: what it says, and the buttons for what its holder may do next."""

from __future__ import annotations

from datetime import date

from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.grading import FACTORS, Factors, GradingRule, explain, grade_risk
from bot.domain.register_rules import (
    is_overdue,
)
from bot.domain.risk_workflow import RiskState
from bot.services import review as review_service
from bot.services import risks as risk_service
from handlers.callbacks import RegradeAction, RegradeCb, RiskAction, RiskCb
from handlers.register_ui import (
    day,
    level_label,
    measure_status_label,
    quote,
    risk_type_label,
    state_label,
)
from handlers.staff.risks.keyboards import button
from handlers.ui.cards import send_card
from handlers.ui.context import Ctx
from handlers.ui.labels import N_
from handlers.ui.pager import Page, Screen
from handlers.ui.routes import Presses
from storage.models.org import Person
from storage.models.register import Power, RiskPoint

PRESSES = Presses(RiskCb)


async def risk_card(ctx: Ctx, risk: RiskPoint, today: date) -> str:
    power = await ctx.session.get(Power, risk.power_id) if risk.power_id else None
    lines = [
        _("risks.card").format(
            id=risk.id,
            status=state_label(risk.status),
            power=quote(power.name if power else _("risks.no_power")),
            description=quote(risk.description),
            type=risk_type_label(risk.risk_type),
            focus=quote(risk.focus_programme or _("risks.no_focus")),
            level=level_label(risk.level or risk.suggested_level),
        )
    ]
    values = {f.value: getattr(risk, f.value) for f in FACTORS}
    if all(v is not None for v in values.values()):
        grade = grade_risk(
            Factors.from_mapping(values),
            GradingRule.from_settings(ctx.settings),
            focus=bool(risk.focus_programme),
        )
        lines.append(explain(grade, _, GradingRule.from_settings(ctx.settings)))
    if risk.status == RiskState.RETURNED.value:
        comment = await review_service.return_comment(ctx.session, risk.id)
        if comment:
            lines.append(_("risks.card_review_comment").format(comment=quote(comment)))
    if risk.dispute_reason:
        lines.append(_("risks.card_dispute").format(reason=quote(risk.dispute_reason)))
    if risk.discussion_date:
        lines.append(
            _("risks.card_discussion").format(
                date=day(risk.discussion_date), summary=quote(risk.discussion_summary)
            )
        )
    for measure in risk.measures:
        overdue = is_overdue(measure.deadline, measure.status, today)
        lines.append(
            _("risks.card_measure").format(
                action=quote(measure.action),
                who=quote(measure.responsible_name),
                deadline=day(measure.deadline),
                status=measure_status_label(measure.status),
            )
            + (_("measures.overdue_mark") if overdue else "")
        )
    return "\n".join(lines)


# What the holder may do at each state, first on the card (editing, resubmitting, re-grading
# and withdrawing follow, by their own rules).
HOLDER_ACTIONS: dict[RiskState, tuple[tuple[str, RiskAction], ...]] = {
    RiskState.PROPOSED: (
        (N_("risks.accept"), RiskAction.ACCEPT),
        (N_("risks.dispute"), RiskAction.DISPUTE),
    ),
    RiskState.DRAFT: ((N_("risks.assess"), RiskAction.ASSESS),),
    RiskState.COLLECTIVE_DISCUSSION: ((N_("risks.discuss"), RiskAction.DISCUSS),),
    RiskState.SELF_REVIEW: ((N_("risks.self_ok"), RiskAction.SELF_OK),),
}
NOT_WITHDRAWN_FROM = frozenset(
    {
        RiskState.PROPOSED,
        RiskState.DISPUTED,
        RiskState.APPROVED,
        RiskState.PUBLICISED,
        RiskState.WITHDRAWN,
        RiskState.REGRADING_DUE,
    }
)


def _card_buttons(risk: RiskPoint, person: Person) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    status = RiskState(risk.status)
    holder = risk_service.is_holder(person, risk) or (
        status is RiskState.PROPOSED and person.post_id == risk.post_id
    )
    if holder:
        offered = list(HOLDER_ACTIONS.get(status, ()))
        if status in risk_service.EDITABLE_STATES:
            offered.append((N_("risks.edit_description"), RiskAction.EDIT))
        if status is RiskState.RETURNED:
            # Back to the review after a return (edited or not).
            offered.append((N_("risks.resubmit"), RiskAction.RESUBMIT))
        for key, action in offered:
            button(builder, _(key), action, id=risk.id)
        if status is RiskState.REGRADING_DUE:
            # 定期调整: confirm or revise factors and measures on the re-grading card.
            builder.button(
                text=_("regrading.btn.open"),
                callback_data=RegradeCb(a=RegradeAction.OPEN, r=risk.id),
            )
        if status not in NOT_WITHDRAWN_FROM:
            button(builder, _("risks.withdraw"), RiskAction.WITHDRAW, id=risk.id)
    builder.adjust(1)
    return builder.as_markup()


class RiskCard:
    """The risk card: what the record says, and what its holder may do next."""

    async def render(self, screen: Screen, risk: RiskPoint) -> Page:
        today = screen.today()
        text = await risk_card(screen, risk, today)
        return text, _card_buttons(risk, screen.person)


RISK_CARD = RiskCard()


@PRESSES.on(RiskAction.OPEN)
async def open_risk(query: CallbackQuery, callback_data: RiskCb, ctx: Ctx) -> None:
    risk = await risk_service.get_visible(ctx.session, ctx.person, callback_data.id)
    await send_card(query, RISK_CARD, ctx, risk)
