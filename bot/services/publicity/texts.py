"""Words for the public side, in a given language: risk types, levels, one risk as an entry.

Catalog keys chosen at run time are kept in dicts of literal keys. Every value from a person
(description, measures, names of units and posts) is HTML-escaped here.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from bot.domain import local_time
from bot.i18n import translate

RISK_TYPE_KEYS: dict[str, str] = {
    "moral": "register.risk_type.moral",
    "duty": "register.risk_type.duty",
    "system": "register.risk_type.system",
    "external": "register.risk_type.external",
    "process": "register.risk_type.process",
}
LEVEL_KEYS: dict[int, str] = {1: "grading.level.1", 2: "grading.level.2", 3: "grading.level.3"}
MEASURES_SHOWN = 5  # a card or a channel entry lists at most this many measures


def risk_type(value: str, locale: str) -> str:
    key = RISK_TYPE_KEYS.get(value)
    return translate(key, locale) if key else html.escape(value)


def level(value: int | None, locale: str) -> str:
    key = LEVEL_KEYS.get(value or 0)
    return translate(key, locale) if key else translate("register.level_none", locale)


def when(moment: datetime, timezone: str) -> str:
    """A moment as people read it: local date and time, minutes."""
    return local_time.minute(moment, timezone)


def entry(
    locale: str,
    *,
    number: int,
    post_title: str,
    description: str,
    risk_type_value: str,
    level_value: int | None,
    measures: Sequence[str],
) -> str:
    """One risk point as the channel and the cards list it (no personal name anywhere)."""
    shown = [html.escape(m) for m in measures[:MEASURES_SHOWN]]
    if len(measures) > MEASURES_SHOWN:
        more = len(measures) - len(shown)
        shown.append(translate("publicity.more_measures", locale, count=more))
    return translate(
        "publicity.entry",
        locale,
        number=number,
        post=html.escape(post_title),
        description=html.escape(description),
        type=risk_type(risk_type_value, locale),
        level=level(level_value, locale),
        measures="; ".join(shown) if shown else translate("publicity.no_measures", locale),
    )
