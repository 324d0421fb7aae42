"""A notice names a risk point by the start of its description, cut where a reader expects."""

from __future__ import annotations

from bot.services.review_subject import TITLE_MAX, title
from storage.models.register import RiskPoint


def test_an_english_description_is_cut_after_a_whole_word() -> None:
    risk = RiskPoint(description="Accepting a dinner during an on-site check of the clinic")
    assert title(risk) == "Accepting a dinner during an on-site…"


def test_a_chinese_description_is_cut_at_the_limit_and_a_short_one_is_whole() -> None:
    long = RiskPoint(description="现场核验时接受宴请" * 6)
    assert title(long) == ("现场核验时接受宴请" * 6)[: TITLE_MAX - 1] + "…"
    assert title(RiskPoint(description="现场核验时接受宴请")) == "现场核验时接受宴请"
