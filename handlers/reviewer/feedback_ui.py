"""What the /feedback inbox and its typed steps both show: one waiting item's card (the
feedback beside the risk's card, never its sender when anonymous) with its buttons, and the
next waiting item after one handled.
"""

from __future__ import annotations

from aiogram import html
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import local_time
from bot.domain.feedback import KIND_KEYS, Action, Disposition, Kind, Step
from bot.i18n import N_
from bot.services import review as review_service
from bot.services.feedback import answering
from bot.services.feedback.answering import InboxCard
from bot.services.feedback.config import FeedbackConfig
from bot.services.review import ReviewConfig
from bot.settings import Settings
from handlers.callbacks import InboxAction, InboxCb
from handlers.review_cards import render_card
from storage.models.org import Person

DISPOSITIONS = list(Disposition)
MESSAGE_BUDGET = 3900  # under Telegram's 4,096 with room for the header
STEP_KEYS = {
    Step.REMINDER: N_("feedback.inbox.step_reminder"),
    Step.OVERDUE: N_("feedback.inbox.step_overdue"),
    Step.COMMISSION: N_("feedback.inbox.step_commission"),
}
ACTION_BUTTONS: dict[Action, tuple[str, InboxAction]] = {
    Action.ANSWER: (N_("feedback.btn.answer"), InboxAction.ANSWER),
    Action.REOPEN_RISK: (N_("feedback.btn.reopen"), InboxAction.REOPEN),
    Action.MARK_DUPLICATE: (N_("feedback.btn.duplicate"), InboxAction.DUPLICATE),
    Action.HIDE: (N_("feedback.btn.hide"), InboxAction.HIDE),
}


def fb_config(settings: Settings) -> FeedbackConfig:
    return FeedbackConfig.from_settings(settings)


def feedback_lines(card: InboxCard, settings: Settings) -> str:
    zone = settings.timezone
    if card.anonymous:
        sender = _("feedback.inbox.anonymous")
    else:
        sender = _("feedback.inbox.signed").format(
            name=html.quote(card.signed_name or "-"), phone=html.quote(card.signed_phone or "-")
        )
    lines = [
        _("feedback.inbox.card").format(
            code=card.code,
            kind=_(KIND_KEYS[Kind(card.kind)]),
            at=local_time.minute(card.created_at, zone),
            due=local_time.day(card.due_at, zone),
            sender=sender,
            text=html.quote(card.text),
        )
    ]
    if card.evidence:
        lines.append(_("feedback.inbox.files").format(n=len(card.evidence)))
    if card.appealed and card.first_answer:
        lines.append(
            _("feedback.inbox.appealed").format(answer=html.quote(card.first_answer[:500]))
        )
    step = STEP_KEYS.get(Step(card.overdue_step))
    if step:
        lines.append(_(step))
    return "\n".join(lines)


async def card_view(
    session: AsyncSession, settings: Settings, person: Person, feedback_id: int, total: int
) -> tuple[str, InlineKeyboardMarkup]:
    card = await answering.card(session, person, feedback_id)
    config = ReviewConfig.from_settings(settings)
    sit = await review_service.situation(session, config, card.risk_id)
    risk = await render_card(session, sit, _, config)
    head = _("feedback.inbox.title").format(n=total)
    text = f"{head}\n\n{feedback_lines(card, settings)}"
    if len(text) + len(risk) > MESSAGE_BUDGET:
        risk = _("feedback.inbox.risk_short").format(risk_id=card.risk_id)
    builder = InlineKeyboardBuilder()
    v = card.version
    for position, _file in enumerate(card.evidence):
        builder.button(
            text=_("feedback.btn.file").format(n=position + 1),
            callback_data=InboxCb(
                action=InboxAction.FILE, feedback_id=card.feedback_id, value=position
            ),
        )
    for action in card.actions:
        label, button = ACTION_BUTTONS[action]
        builder.button(
            text=_(label),
            callback_data=InboxCb(action=button, feedback_id=card.feedback_id, version=v),
        )
    if card.can_dispose:
        builder.button(
            text=_("feedback.btn.dispose"),
            callback_data=InboxCb(
                action=InboxAction.DISPOSE, feedback_id=card.feedback_id, version=v
            ),
        )
    if total > 1:
        builder.button(
            text=_("feedback.btn.next"),
            callback_data=InboxCb(action=InboxAction.NEXT, feedback_id=card.feedback_id),
        )
    builder.adjust(*([5] if card.evidence else []), 2, 2, 1, 1)
    return f"{text}\n\n{risk}", builder.as_markup()


async def inbox_view(
    session: AsyncSession, settings: Settings, person: Person, after: int = 0
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The first waiting item after `after` (wrapping round), or "nothing waiting"."""
    ids = await answering.inbox(session, person)
    if not ids:
        return _("feedback.inbox.empty"), None
    later = [i for i in ids if i > after] if after else ids
    chosen = (later or ids)[0]
    return await card_view(session, settings, person, chosen, len(ids))
