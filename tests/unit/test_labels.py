"""Every code a person can read has its words: the label tables cover their enums."""

from __future__ import annotations

from enum import Enum

import pytest

from bot.domain.grading import Factor
from bot.domain.register_rules import QuickPick
from bot.domain.risk_workflow import RiskState
from bot.domain.roles import Role
from bot.i18n import LOCALES
from bot.services.review import InboxKind, NoteKind
from handlers.ui import labels
from storage.models.register import MajorMatter, MeasureStatus, PowerScope, PowerStatus
from tests.unit.test_catalogs import extracted_keys

COVERED: list[tuple[dict[object, str], type[Enum]]] = [
    (labels.RISK_STATE, RiskState),
    (labels.SCOPE, PowerScope),
    (labels.MEASURE_STATUS, MeasureStatus),
    (labels.POWER_STATUS, PowerStatus),
    (labels.QUICK_PICK, QuickPick),
    (labels.FACTOR_QUESTION, Factor),
    (labels.INBOX_KIND, InboxKind),
    (labels.NOTE_KIND, NoteKind),
    (labels.MATTER, MajorMatter),
    (labels.ROLE, Role),
]


@pytest.mark.parametrize(("table", "enum"), COVERED, ids=lambda x: getattr(x, "__name__", ""))
def test_a_table_names_every_member(table: dict[object, str], enum: type[Enum]) -> None:
    assert set(table) == {member.value for member in enum}


def test_languages_and_scale() -> None:
    assert set(labels.LANGUAGE) == set(LOCALES)
    assert set(labels.FACTOR_SCALE) == {1, 2, 3, 4, 5}


def test_every_key_in_a_table_is_extracted() -> None:
    keys = extracted_keys()
    tables = [v for k, v in vars(labels).items() if k.isupper() and isinstance(v, dict)]
    assert len(tables) >= 15
    missing = {key for table in tables for key in table.values() if key not in keys}
    assert not missing


def test_an_unknown_code_shows_as_itself() -> None:
    assert labels.label(labels.RISK_STATE, "no_such_state") == "no_such_state"
