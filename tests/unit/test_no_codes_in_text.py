"""No identifier reaches a person (issue 13): every card and notice, rendered with sample data in
both catalogs, reads as words; every code a card names has words in both languages.

The renderers are enumerated, not listed by hand: every catalog key of a card, a notice, an
inbox, a history line or a confirmation is rendered, so a new kind whose placeholders have no
sample value below fails here until one is given."""

from __future__ import annotations

import re
import string
from enum import StrEnum

import pytest
from babel.messages.pofile import read_po

from bot.domain.risk_workflow import Action, RiskState
from bot.i18n import translate
from bot.services.review.inbox import InboxKind
from bot.services.review.model import NoteKind
from bot.settings import PROJECT_ROOT
from handlers.ui import labels
from storage.models.register import PowerStatus

IDENTIFIER = re.compile(r"\b[a-z]+[._][a-z_]+\b")
# What a person may legitimately read that looks like one: commands and links.
ALLOWED = re.compile(r"\b(?:e\.g|i\.e)\.|/[a-z_]+|https?://\S+|t\.me/\S+|\b\w+@\w+\.\w+")
LOCALES = ("zh", "en")
# Every card, notice and confirmation people read about a record (by catalog key).
RENDERED = re.compile(
    r"^(?:[a-z_]+\.)*(?:card|notice|inbox|history|done|submitted|peer|confirm|caption)"
    r"(?:[._][a-z_.0-9]*)?$"
)
# Sample values for every placeholder those texts use (what a real record would fill in).
SAMPLE: dict[str, object] = {
    name: "样例"
    for name in (
        "title",
        "name",
        "unit",
        "post",
        "power",
        "description",
        "text",
        "comment",
        "author",
        "who",
        "kind",
        "state",
        "status",
        "type",
        "risk_type",
        "focus",
        "level",
        "reason",
        "action",
        "rule",
        "subject",
        "content",
        "legal_basis",
        "category",
        "scope",
        "summary",
        "sender",
        "phone",
        "code",
        "factors",
        "label",
        "period",
        "path",
        "question",
        "answer",
        "mark",
        "names",
        "answered",
        "body",
        "stage",
        "round",
        "channel",
        "measure",
        "file",
        "step",
        "role",
        "language",
        "place",
        "satisfaction",
        "indicator",
        "weights",
        "value",
        "evidence",
        "ranking",
        "result",
        "campaign",
        "units",
        "posts",
        "tier",
        "target",
        "kinds",
        "section",
        "item",
        "items",
        "field",
        "headline",
        "heading",
        "line",
        "lines",
        "note",
        "notes",
        "what",
        "where",
        "whom",
        "by",
        "title_line",
        "detail",
        "details",
        "person",
        "people",
        "error",
        "chart",
        "outcome",
        "receipt",
        "reply",
        "disposition",
        "requirement",
        "missing",
        "roles",
        "risk",
        "measures",
        "choice",
    )
}
SAMPLE.update(
    {
        name: 12
        for name in (
            "id",
            "risk_id",
            "n",
            "count",
            "total",
            "rows",
            "risks",
            "days",
            "limit",
            "number",
            "offset",
            "position",
            "percent",
            "score",
            "done",
            "left",
            "shown",
            "overdue",
            "due_n",
            "feedback_id",
            "sent",
            "failed",
            "waiting",
            "pages",
            "page",
            "of",
            "year",
            "lost",
            "rank",
            "index",
            "created",
            "unchanged",
            "updated",
        )
    }
)
SAMPLE.update(
    {
        name: "2026-03-02"
        for name in (
            "date",
            "deadline",
            "until",
            "due",
            "at",
            "since",
            "start",
            "end",
            "issued",
            "held_on",
            "first",
            "next",
            "when",
            "opens",
            "closes",
            "day",
        )
    }
)
# Enum values a card or notice could leak if a code reached it unlabelled.
ENUM_VALUES = {
    member.value
    for enum in (RiskState, Action, InboxKind, NoteKind, PowerStatus)
    for member in enum
    if isinstance(member, StrEnum)
} | {"process", "duty", "moral", "system", "external", "in_progress", "planned", "blocked"}


def catalog_keys() -> list[str]:
    with (PROJECT_ROOT / "locales/zh/LC_MESSAGES/messages.po").open("rb") as handle:
        return sorted(m.id for m in read_po(handle) if m.id and RENDERED.match(str(m.id)))


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def identifiers(text: str) -> list[str]:
    plain = ALLOWED.sub(" ", re.sub(r"<[^>]+>", " ", text))
    words = set(re.findall(r"[a-z_]+", plain))
    return IDENTIFIER.findall(plain) + sorted(w for w in words & ENUM_VALUES if "_" in w)


KEYS = catalog_keys()


def test_the_renderers_are_found() -> None:
    # The review card, the history line, the notices of the review, powers and feedback.
    for key in (
        "review.card.risk_type",
        "history.line",
        "review.notice.to_review",
        "powers.notice.to_review",
        "review.done.level_set",
        "risks.submitted_social",
    ):
        assert key in KEYS  # fmt: skip
    assert len(KEYS) > 100


@pytest.mark.parametrize("locale", LOCALES)
def test_every_card_and_notice_renders_as_words(locale: str) -> None:
    leaks, unknown = [], []
    for key in KEYS:
        text = translate(key, locale)
        missing = placeholders(text) - set(SAMPLE)
        if missing:
            unknown.append(f"{key}: {sorted(missing)}")
            continue
        rendered = text.format(**SAMPLE)
        if found := identifiers(rendered):
            leaks.append(f"{key}: {found} in {rendered!r}")
    assert not unknown, "give these placeholders a sample value:\n" + "\n".join(unknown)
    assert not leaks, "identifiers in text people read:\n" + "\n".join(leaks)


def test_the_check_can_fail() -> None:
    assert identifiers("风险类型：process · risk.declare")
    assert identifiers("状态：social_review")
    assert not identifiers("发送 /peer 查看，或打开 https://t.me/qingfeng_bot?start=fb_1")


TABLES = {
    "RISK_STATE": (labels.RISK_STATE, {s.value for s in RiskState}),
    "INBOX_KIND": (labels.INBOX_KIND, {k.value for k in InboxKind}),
    "NOTE_KIND": (labels.NOTE_KIND, {k.value for k in NoteKind}),
    "POWER_STATUS": (labels.POWER_STATUS, {s.value for s in PowerStatus}),
    "HISTORY_ACTION": (labels.HISTORY_ACTION, {f"risk.{a.value}" for a in Action}),
}


@pytest.mark.parametrize("table", sorted(TABLES))
@pytest.mark.parametrize("locale", LOCALES)
def test_every_code_a_card_names_has_words(table: str, locale: str) -> None:
    words, codes = TABLES[table]
    assert codes <= set(words), f"{table} lacks {sorted(codes - set(words))}"
    for code in codes:
        shown = translate(words[code], locale)
        assert shown != words[code] and not identifiers(shown), (code, shown)
