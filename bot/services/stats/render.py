"""The overview as words: the seed's table, the ranking and a digest's headline, in a language.

Shared by `/overview` (the person's language) and the digest job (the recipient's). Every
value from people or files (unit and category names) is HTML-escaped; every text is kept
under Telegram's 4,096 UTF-16 units (long lists are cut with "… N more").
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from bot.domain.stats import Change, Figures, Headline, StateGroup, percent, signed
from bot.i18n import N_, translate
from bot.services.stats.overview import Overview

TELEGRAM_LIMIT = 4096
RANKED_SHOWN = 15
CATEGORIES_SHOWN = 8

RISK_TYPE_KEYS = {
    "moral": N_("register.risk_type.moral"),
    "duty": N_("register.risk_type.duty"),
    "system": N_("register.risk_type.system"),
    "external": N_("register.risk_type.external"),
    "process": N_("register.risk_type.process"),
}
STATE_KEYS = {
    StateGroup.DECLARED.value: N_("overview.state.declared"),
    StateGroup.IN_REVIEW.value: N_("overview.state.in_review"),
    StateGroup.APPROVED.value: N_("overview.state.approved"),
    StateGroup.PUBLICISED.value: N_("overview.state.publicised"),
}
SCOPE_KEYS = {"external": N_("overview.scope.external"), "internal": N_("overview.scope.internal")}


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def fit(text: str, limit: int = TELEGRAM_LIMIT) -> str:
    """`text` cut at a line end to fit `limit` UTF-16 units (a safety net: texts are short)."""
    if utf16_len(text) <= limit:
        return text
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        if utf16_len("\n".join([*out, line, "…"])) > limit:
            break
        out.append(line)
    return "\n".join([*out, "…"])


def scope_title(ov: Overview, unit_id: int | None, locale: str) -> str:
    """The unit the figures are of: a drilled unit's path, the scope's one root, or all."""
    if unit_id is not None:
        row = ov.row(unit_id)
        if row is not None:
            return html.escape(row.path)
    if len(ov.roots) == 1:
        row = ov.row(ov.roots[0])
        if row is not None:
            return html.escape(row.path)
    return translate("overview.all_units", locale, n=len(ov.roots))


def figures_of(ov: Overview, unit_id: int | None) -> Figures:
    row = ov.row(unit_id) if unit_id is not None else None
    return row.subtree if row is not None else ov.total


def _joined(parts: Sequence[tuple[str, int]], locale: str, shown: int) -> str:
    items = [translate("overview.item", locale, name=name, n=n) for name, n in parts[:shown]]
    if len(parts) > shown:
        items.append(translate("overview.more", locale, n=len(parts) - shown))
    return translate("overview.separator", locale).join(items)


def overview_text(
    ov: Overview, unit_id: int | None, locale: str, *, review_limit_days: int
) -> str:
    """The seed's table for the scope (or one unit of it, with everything under it)."""
    f = figures_of(ov, unit_id)
    t = lambda key, **values: translate(key, locale, **values)  # noqa: E731
    categories = sorted(
        (
            (
                t(SCOPE_KEYS.get(key.split("/", 1)[0], N_("overview.scope.internal")))
                + t(N_("overview.colon"))
                + html.escape(key.split("/", 1)[1]),
                n,
            )
            for key, n in f.powers_by_category.items()
        ),
        key=lambda item: (-item[1], item[0]),
    )
    types = [
        (t(RISK_TYPE_KEYS.get(k, N_("overview.unknown"))), f.risks_by_type.get(k, 0))
        for k in RISK_TYPE_KEYS
    ]
    states = [(t(key), f.risks_by_state.get(state, 0)) for state, key in STATE_KEYS.items()]
    lines = [
        t(N_("overview.title"), unit=scope_title(ov, unit_id, locale), date=ov.today.isoformat()),
        "",
        t(
            N_("overview.powers"),
            n=f.powers,
            external=f.powers_external,
            internal=f.powers_internal,
        ),
    ]
    if categories:
        lines.append(
            t(N_("overview.by_category"), items=_joined(categories, locale, CATEGORIES_SHOWN))
        )
    lines += [
        t(
            N_("overview.risks"),
            n=f.risks,
            l1=f.risks_level1,
            l2=f.risks_level2,
            l3=f.risks_level3,
        ),
        t(N_("overview.by_type"), items=_joined(types, locale, len(types))),
        t(N_("overview.by_state"), items=_joined(states, locale, len(states))),
        t(N_("overview.focus"), n=f.focus_risks),
        t(
            N_("overview.measures"),
            n=f.measures,
            done=f.measures_done,
            open=f.measures_open,
            overdue=f.measures_overdue,
            on_time=percent(f.on_time),
        ),
        t(N_("overview.leadership"), risks=f.leadership_risks, measures=f.leadership_measures),
        t(
            N_("overview.coverage"),
            posts=f.posts,
            powers=f.posts_with_powers,
            powers_pct=percent(_share(f.posts_with_powers, f.posts)),
            risks=f.posts_with_risks,
            risks_pct=percent(_share(f.posts_with_risks, f.posts)),
            reported=f.posts_fully_reported,
            reported_pct=percent(_share(f.posts_fully_reported, f.posts)),
        ),
        t(
            N_("overview.pending"),
            n=f.pending_reviews,
            over=f.pending_over_limit,
            days=review_limit_days,
            longest=f.pending_longest_days,
        ),
        t(
            N_("overview.feedback"),
            n=f.feedback_received,
            on_time=f.feedback_answered_on_time,
            satisfaction="—" if f.satisfaction is None else f"{f.satisfaction:.1f}",
        ),
    ]
    return fit("\n".join(lines))


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def ranking_text(ov: Overview, unit_id: int | None, locale: str) -> str:
    """The units under `unit_id` best first, by coverage then measures done on time."""
    ranked = ov.ranking(unit_id)
    lines = [translate("overview.ranking_title", locale, unit=scope_title(ov, unit_id, locale))]
    for item in ranked[:RANKED_SHOWN]:
        row = ov.row(item.unit_id)
        lines.append(
            translate(
                "overview.ranking_line",
                locale,
                place=item.place,
                unit=html.escape(row.name if row else "?"),
                coverage=percent(item.coverage),
                on_time=percent(item.on_time),
            )
        )
    if len(ranked) > RANKED_SHOWN:
        lines.append(translate("overview.more", locale, n=len(ranked) - RANKED_SHOWN))
    if not ranked:
        lines.append(translate("overview.ranking_none", locale))
    return fit("\n".join(lines))


def headline_text(headline: Headline, change: Change | None, locale: str) -> str:
    """A digest's lead: the headline numbers, and what changed since the last digest."""
    lines = [
        translate(
            "digest.headline",
            locale,
            risks=headline.risks,
            approved=headline.approved,
            overdue=headline.measures_overdue,
            feedback=headline.feedback_received,
        )
    ]
    if change is None:
        lines.append(translate("digest.first", locale))
    else:
        lines.append(
            translate(
                "digest.changes",
                locale,
                new=signed(change.new_risks),
                approved=signed(change.approved),
                overdue=signed(change.overdue),
                feedback=signed(change.feedback),
            )
        )
    return "\n".join(lines)
