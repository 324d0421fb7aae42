"""The review card: everything needed to decide on one risk point, in the reader's language."""

from __future__ import annotations

from collections.abc import Callable

from aiogram import html
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import local_time
from bot.domain.grading import FACTORS, factor_key, level_key, suggestion
from bot.domain.risk_workflow import RiskState
from bot.services import review as review_service
from bot.services import review_subject as subject
from bot.services.review import Decision, ReviewConfig, Situation
from handlers.ui.context import Ctx
from handlers.ui.labels import NOTE_KIND, RISK_STATE, RISK_TYPE, label
from storage.models.org import Person, Post, Unit

NOTES_SHOWN = 5


def review_config(ctx: Ctx) -> ReviewConfig:
    """The review's settings (tiers, windows) for this update."""
    return ReviewConfig.from_settings(ctx.settings)


async def review_move(ctx: Ctx, risk_id: int, decision: Decision) -> Situation:
    """The update's person takes one review move on a risk (the service checks and refuses)."""
    return await review_service.transition(
        ctx.session, ctx.clock, review_config(ctx), actor=ctx.person, risk_id=risk_id,
        decision=decision,
    )  # fmt: skip


async def render_card(
    session: AsyncSession,
    sit: Situation,
    _: Callable[[str], str],
    config: ReviewConfig,
) -> str:
    """Post, power, description, factors, the suggestion, levels, comments (in words)."""
    post = await session.get(Post, sit.risk.post_id)
    unit = await session.get(Unit, post.unit_id) if post else None
    info = subject.describe(sit.risk)
    info["power"] = await subject.power_name(session, sit.risk)
    lines = [
        _("review.card.title").format(risk_id=sit.risk.id, state=label(RISK_STATE, sit.state)),
        _("review.card.post").format(
            unit=html.quote(unit.path if unit else "-"),
            post=html.quote(post.name if post else "-"),
        ),
        _("review.card.description").format(text=html.quote(str(info["description"] or ""))),
    ]
    if info.get("power"):
        lines.append(_("review.card.power").format(power=html.quote(str(info["power"]))))
    if info.get("risk_type"):
        lines.append(
            _("review.card.risk_type").format(risk_type=label(RISK_TYPE, info["risk_type"]))
        )
    if info.get("focus"):
        lines.append(_("review.card.focus").format(focus=html.quote(str(info["focus"]))))
    if sit.grade is not None:
        lines.append(
            _("review.card.factors").format(
                factors=_("grading.separator").join(
                    f"{_(factor_key(f))} {sit.grade.factors.value(f)}" for f in FACTORS
                )
            )
        )
        lines.append(suggestion(sit.grade, _))
    review = sit.review
    if review.reviewed_level and review.reviewed_level != review.suggested_level:
        lines.append(
            _("review.card.reviewed_level").format(
                level=_(level_key(review.reviewed_level)),
                reason=html.quote(review.reviewed_reason or ""),
            )
        )
    if review.final_level:
        lines.append(
            _("review.card.final_level").format(
                level=_(level_key(review.final_level)),
                reason=html.quote(review.level_reason or "-"),
            )
        )
    if review.social_closes_at and sit.state is RiskState.SOCIAL_REVIEW:
        until = local_time.day(review.social_closes_at, config.settings.timezone)
        lines.append(_("review.card.social_until").format(until=until))
    for measure in info.get("measures") or []:
        lines.append(_("review.card.measure").format(text=html.quote(str(measure))))
    notes = await review_service.notes_of(session, sit.risk.id)
    if notes:
        lines.append(_("review.card.notes").format(n=len(notes)))
        for note in notes[-NOTES_SHOWN:]:
            author = await session.get(Person, note.author_id) if note.author_id else None
            # An agreement carries no text: no colon with nothing after it.
            line = _("review.card.note") if note.text else _("review.card.note_bare")
            lines.append(
                line.format(
                    kind=label(NOTE_KIND, note.kind),
                    author=html.quote(author.name if author else "-"),
                    text=html.quote(note.text or ""),
                )
            )
    return "\n".join(lines)
