"""The assessment as people read it: a unit's card, the ranking, the notice to unit heads.

Built from catalog keys through `_(key, **values)` — the handler's gettext for a reply, the
recipient's locale for a notice — so both read the same in either language.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain.assessment import AssessmentState, Indicator, Line, points
from bot.i18n import N_

if TYPE_CHECKING:
    from bot.services.assessment_results import UnitResult, YearAssessment

Translate = Callable[..., str]
RANKING_ROWS = 40  # a message stays far below Telegram's 4,096 characters


INDICATOR_KEYS: dict[Indicator, str] = {
    Indicator.COVERAGE: N_("assessment.indicator.coverage"),
    Indicator.MEASURES_ON_TIME: N_("assessment.indicator.measures_on_time"),
    Indicator.REGRADING_ON_TIME: N_("assessment.indicator.regrading_on_time"),
    Indicator.FEEDBACK_ON_TIME: N_("assessment.indicator.feedback_on_time"),
    Indicator.SATISFACTION: N_("assessment.indicator.satisfaction"),
    Indicator.PUBLICITY: N_("assessment.indicator.publicity"),
}


def score_text(result: UnitResult, _: Translate) -> str:
    value = result.score.value
    return _("assessment.no_data") if value is None else points(value)


def rank_text(result: UnitResult) -> str:
    return "—" if result.rank is None else str(result.rank)


def breakdown(result: UnitResult, _: Translate) -> list[str]:
    """One line per indicator: its counts and the points it cost, or "no data"."""
    return [_line(line, _) for line in result.score.lines]


def _line(line: Line, _: Translate) -> str:
    name = _(INDICATOR_KEYS[line.indicator])
    count = line.count
    if line.lost is None:
        return _("assessment.line.no_data", name=name)
    lost = points(line.lost)
    if line.indicator is Indicator.SATISFACTION:
        votes = count.total // 4
        ratio = count.ratio
        mean = points(1 + 4 * ratio) if ratio is not None else "—"
        return _("assessment.line.satisfaction", name=name, mean=mean, votes=votes, lost=lost)
    percent = int(100 * count.done / count.total + 0.5)
    return _(
        "assessment.line",
        name=name,
        done=count.done,
        total=count.total,
        percent=percent,
        lost=lost,
    )


def state_text(year: YearAssessment, _: Translate, timezone: str) -> str:
    if year.state is AssessmentState.CONFIRMED and year.confirmed_at is not None:
        day = year.confirmed_at.astimezone(ZoneInfo(timezone)).date().isoformat()
        return _("assessment.state.confirmed", date=day)
    return _("assessment.state.draft")


def card_text(
    year: YearAssessment,
    result: UnitResult,
    previous: UnitResult | None,
    _: Translate,
    *,
    timezone: str,
) -> str:
    """A unit's card: score, place, last year beside it, and what cost how many points."""
    lines = [
        _("assessment.card.title", year=year.year, unit=html.escape(result.name)),
        state_text(year, _, timezone),
        _(
            "assessment.card.score",
            score=score_text(result, _),
            rank=rank_text(result),
            count=len(year.results),
        ),
    ]
    if previous is None:
        lines.append(_("assessment.card.last_year_none", year=year.year - 1))
    else:
        lines.append(
            _(
                "assessment.card.last_year",
                year=year.year - 1,
                score=score_text(previous, _),
                rank=rank_text(previous),
            )
        )
    lines += ["", _("assessment.card.breakdown"), *breakdown(result, _)]
    return "\n".join(lines)


def ranking_text(year: YearAssessment, _: Translate, *, timezone: str) -> str:
    lines = [_("assessment.ranking.title", year=year.year), state_text(year, _, timezone), ""]
    for result in year.results[:RANKING_ROWS]:
        lines.append(
            _(
                "assessment.ranking.row",
                rank=rank_text(result),
                unit=html.escape(result.name),
                score=score_text(result, _),
            )
        )
    if len(year.results) > RANKING_ROWS:
        lines.append(_("assessment.ranking.more", count=len(year.results) - RANKING_ROWS))
    if not year.results:
        lines.append(_("assessment.ranking.empty"))
    return "\n".join(lines)


def notice_text(year: YearAssessment, result: UnitResult, _: Translate) -> str:
    """What a unit's head is told when the year is confirmed."""
    head = _(
        "assessment.notice",
        year=year.year,
        unit=html.escape(result.name),
        score=score_text(result, _),
        rank=rank_text(result),
        count=len(year.results),
    )
    return "\n".join([head, "", *breakdown(result, _)])
