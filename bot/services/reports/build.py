"""A report's content from the overview, the overdue measures and the confirmed assessment.

Every figure is the overview's (`bot.services.stats.overview`) for the scope on the period's
last day, so the PDF, the workbook and `/overview` agree. The workbook's "by unit" sheet gives
each unit's *own* records (a bureau without its departments), so its rows add up to the
totals; the page's unit table gives the top units with everything under them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import local_time
from bot.domain.assessment import points
from bot.domain.register_rules import RISK_TYPES
from bot.domain.report_period import Period, PeriodKind
from bot.domain.stats import Figures, StateGroup, percent
from bot.i18n import N_, translate
from bot.services.assessment import confirmed
from bot.services.reports.document import Cell, Report, Table
from bot.services.reports.overdue import overdue_items
from bot.services.stats.overview import Overview, Scope, overview
from bot.settings import Settings

LEVEL_KEYS = (N_("grading.level.1"), N_("grading.level.2"), N_("grading.level.3"))
TYPE_KEYS = {
    "moral": N_("register.risk_type.moral"),
    "duty": N_("register.risk_type.duty"),
    "system": N_("register.risk_type.system"),
    "external": N_("register.risk_type.external"),
    "process": N_("register.risk_type.process"),
}
STATE_KEYS = {
    StateGroup.DECLARED: N_("report.state.declared"),
    StateGroup.IN_REVIEW: N_("report.state.in_review"),
    StateGroup.APPROVED: N_("report.state.approved"),
    StateGroup.PUBLICISED: N_("report.state.publicised"),
}


@dataclass(frozen=True)
class ReportData:
    """What `/report` and the CLI make their files from."""

    report: Report
    figures: Overview


async def report_for(
    session: AsyncSession, scope: Scope, period: Period, *, locale: str, now: datetime,
    settings: Settings,
) -> ReportData:  # fmt: skip
    """`build_report` with the settings it reads (TIMEZONE, FEEDBACK_ANSWER_DAYS)."""
    return await build_report(
        session, scope, period, locale=locale, now=now, timezone=settings.timezone,
        answer_days=settings.feedback_answer_days,
    )  # fmt: skip


async def build_report(
    session: AsyncSession,
    scope: Scope,
    period: Period,
    *,
    locale: str,
    now: datetime,
    timezone: str,
    answer_days: int,
    chart_png: bytes | None = None,
) -> ReportData:
    """The report of `scope` for `period`, in `locale` (feedback on time within `answer_days`)."""
    figures = await overview(session, scope, today=period.end, answer_days=answer_days)
    overdue = await overdue_items(session, scope, period.end)
    year = await confirmed(session, period.year)

    def tr(key: str, /, **values: object) -> str:
        return translate(key, locale, **values)

    total = figures.total
    scope_name = " / ".join(u.name for u in figures.units if u.unit_id in figures.roots) or "—"
    period_text = _period_text(period, locale)
    generated = local_time.minute(now, timezone)
    totals = Table(
        translate("report.section.totals", locale),
        (translate("report.col.item", locale), translate("report.col.count", locale)),
        tuple((label, value) for label, value in _total_rows(total, locale)),
    )
    top = figures.children(None)
    places = {r.unit_id: r.place for r in figures.ranking()}
    unit_header = tuple(
        translate(k, locale)
        for k in (
            N_("report.col.place"),
            N_("report.col.unit"),
            N_("report.col.powers"),
            N_("report.col.risks"),
            N_("grading.level.1"),
            N_("grading.level.2"),
            N_("grading.level.3"),
            N_("report.col.measures"),
            N_("report.col.overdue"),
            N_("report.col.coverage"),
        )
    )
    unit_rows = tuple(
        (
            places.get(u.unit_id),
            u.name,
            u.subtree.powers,
            u.subtree.risks,
            *u.subtree.risks_by_level,
            u.subtree.measures,
            u.subtree.measures_overdue,
            percent(u.subtree.coverage),
        )
        for u in sorted(top, key=lambda u: (places.get(u.unit_id) or 10**9, u.path))
    )
    by_unit = Table(
        translate("report.section.units", locale),
        unit_header,
        unit_rows,
        widths=(0.8, 3, 1, 1, 0.8, 0.8, 0.8, 1, 1, 1),
        more=translate("report.more_units", locale),
    )
    overdue_header = tuple(
        translate(k, locale)
        for k in (
            N_("report.col.unit"),
            N_("report.col.post"),
            N_("report.col.measure"),
            N_("report.col.responsible"),
            N_("report.col.deadline"),
            N_("report.col.days_overdue"),
        )
    )
    overdue_rows = tuple(
        (o.unit, o.post, o.action, o.responsible, o.deadline, o.days) for o in overdue
    )
    late = Table(
        translate("report.section.overdue", locale),
        overdue_header,
        overdue_rows,
        widths=(2.2, 1.6, 3.4, 1.2, 1.3, 0.8),
        more=translate("report.more_items", locale),
    )
    assessed = None
    if year is not None:
        rows = tuple(
            (
                r.rank,
                r.name,
                points(r.score.value)
                if r.score.value is not None
                else translate("assessment.no_data", locale),
            )
            for r in year.results
            if scope.covers(r.unit_id)
        )
        assessed = Table(
            translate("report.section.assessment", locale, year=period.year),
            (
                translate("report.col.place", locale),
                translate("report.col.unit", locale),
                translate("report.col.score", locale),
            ),
            rows,
            widths=(1, 4, 1.5),
            more=translate("report.more_units", locale),
        )
    summary = translate(
        N_("report.summary"),
        locale,
        scope=scope_name,
        powers=total.powers,
        external=total.powers_external,
        internal=total.powers_internal,
        risks=total.risks,
        level1=total.risks_level1,
        level2=total.risks_level2,
        level3=total.risks_level3,
        measures=total.measures,
        done=total.measures_done,
        overdue=total.measures_overdue,
        leadership_risks=total.leadership_risks,
        leadership_measures=total.leadership_measures,
    )
    report = Report(
        title=tr(N_("report.title"), scope=scope_name, period=period_text),
        subtitle=tr(
            N_("report.subtitle"), start=period.start.isoformat(), end=period.end.isoformat()
        ),
        summary=summary,
        totals=totals,
        by_unit=by_unit,
        overdue=late,
        assessment=assessed,
        chart_png=chart_png,
        chart_caption=tr(N_("report.chart")),
        footer=tr(N_("report.footer"), generated=generated),
        sheets=(
            totals,
            _by_unit_sheet(figures, locale),
            _by_level_and_type(total, locale),
            late,
            _feedback_sheet(figures, locale),
        ),
    )
    return ReportData(report, figures)


def _period_text(period: Period, locale: str) -> str:
    if period.kind is PeriodKind.QUARTER:
        return translate("report.period.quarter", locale, year=period.year, quarter=period.quarter)
    if period.kind is PeriodKind.MONTH:
        return translate("report.period.month", locale, year=period.year, month=period.start.month)
    return translate("report.period.year", locale, year=period.year)


def _total_rows(total: Figures, locale: str) -> list[tuple[str, int]]:
    def label(key: str) -> str:
        return translate(key, locale)

    return [
        (label(N_("report.row.powers")), total.powers),
        (label(N_("report.row.powers_external")), total.powers_external),
        (label(N_("report.row.powers_internal")), total.powers_internal),
        (label(N_("report.row.risks")), total.risks),
        (label(N_("grading.level.1")), total.risks_level1),
        (label(N_("grading.level.2")), total.risks_level2),
        (label(N_("grading.level.3")), total.risks_level3),
        (label(N_("report.row.focus_risks")), total.focus_risks),
        (label(N_("report.row.measures")), total.measures),
        (label(N_("report.row.measures_done")), total.measures_done),
        (label(N_("report.row.measures_open")), total.measures_open),
        (label(N_("report.row.measures_overdue")), total.measures_overdue),
        (label(N_("report.row.leadership_risks")), total.leadership_risks),
        (label(N_("report.row.leadership_measures")), total.leadership_measures),
        (label(N_("report.row.posts")), total.posts),
        (label(N_("report.row.posts_with_risks")), total.posts_with_risks),
        (label(N_("report.row.pending_reviews")), total.pending_reviews),
        (label(N_("report.row.feedback_received")), total.feedback_received),
        (label(N_("report.row.feedback_on_time")), total.feedback_answered_on_time),
    ]


def _by_unit_sheet(figures: Overview, locale: str) -> Table:
    keys = (
        N_("report.col.unit"),
        N_("report.col.powers"),
        N_("report.row.powers_external"),
        N_("report.row.powers_internal"),
        N_("report.col.risks"),
        N_("grading.level.1"),
        N_("grading.level.2"),
        N_("grading.level.3"),
        N_("report.row.focus_risks"),
        N_("report.col.measures"),
        N_("report.row.measures_done"),
        N_("report.row.measures_open"),
        N_("report.col.overdue"),
        N_("report.row.posts"),
        N_("report.row.posts_with_risks"),
        N_("report.col.coverage"),
    )
    rows: list[tuple[Cell, ...]] = []
    for unit in figures.units:
        own = unit.own
        rows.append(
            (
                unit.path,
                own.powers,
                own.powers_external,
                own.powers_internal,
                own.risks,
                *own.risks_by_level,
                own.focus_risks,
                own.measures,
                own.measures_done,
                own.measures_open,
                own.measures_overdue,
                own.posts,
                own.posts_with_risks,
                percent(own.coverage),
            )
        )
    title = translate("report.sheet.by_unit", locale)
    return Table(title, tuple(translate(k, locale) for k in keys), tuple(rows))


def _by_level_and_type(total: Figures, locale: str) -> Table:
    rows: list[tuple[Cell, ...]] = []
    level = translate("report.col.level", locale)
    for key, count in zip(LEVEL_KEYS, total.risks_by_level, strict=True):
        rows.append((level, translate(key, locale), count))
    kind = translate("report.col.risk_type", locale)
    for risk_type in RISK_TYPES:
        name = translate(TYPE_KEYS.get(risk_type, N_("report.col.risk_type")), locale)
        rows.append((kind, name, total.risks_by_type.get(risk_type, 0)))
    state = translate("report.col.state", locale)
    for group, key in STATE_KEYS.items():
        rows.append((state, translate(key, locale), total.risks_by_state.get(group.value, 0)))
    header = (
        translate("report.col.group", locale),
        translate("report.col.item", locale),
        translate("report.col.count", locale),
    )
    return Table(translate("report.sheet.by_level_type", locale), header, tuple(rows))


def _feedback_sheet(figures: Overview, locale: str) -> Table:
    keys = (
        N_("report.col.unit"),
        N_("report.row.feedback_received"),
        N_("report.col.answered"),
        N_("report.row.feedback_on_time"),
        N_("report.col.votes"),
        N_("report.col.satisfaction"),
    )
    rows: list[tuple[Cell, ...]] = []
    for unit in figures.children(None):
        sub = unit.subtree
        mean = "—" if sub.satisfaction is None else f"{sub.satisfaction:.1f}"
        rows.append(
            (
                unit.name,
                sub.feedback_received,
                sub.feedback_answered,
                sub.feedback_answered_on_time,
                sub.satisfaction_votes,
                mean,
            )
        )
    title = translate("report.sheet.feedback", locale)
    return Table(title, tuple(translate(k, locale) for k in keys), tuple(rows))


def caption(data: ReportData, locale: str) -> str:
    """The line sent with the documents (HTML)."""
    total = data.figures.total
    return translate(
        N_("report.caption"),
        locale,
        title=html.escape(data.report.title),
        risks=total.risks,
        overdue=total.measures_overdue,
    )


@dataclass(frozen=True)
class Files:
    pdf: bytes
    xlsx: bytes
    stem: str  # a file name without its suffix


def render_files(data: ReportData, period: Period, locale: str) -> Files:
    """Both documents of a report, the overview's chart drawn onto the page (rendering is
    CPU work: run it off the event loop)."""
    from bot.services.reports.pdf import render_pdf
    from bot.services.reports.workbook import render_workbook
    from bot.services.stats.chart import render_chart

    report = data.report
    if report.chart_png is None:
        report = replace(report, chart_png=render_chart(data.figures, None, locale))
    stem = f"qingfeng-report-{period.start.isoformat()}-{period.end.isoformat()}"
    return Files(render_pdf(report), render_workbook(report), stem)
