"""Every button's callback data: one module, unique prefixes, within Telegram's 64 bytes."""

from __future__ import annotations

import inspect
from enum import Enum

import pytest
from aiogram.filters.callback_data import CallbackData

from bot.i18n import LOCALES
from bot.services.review import InboxKind
from handlers import callbacks

TELEGRAM_LIMIT = 64  # bytes of callback_data
LARGEST_ID = 2**31  # ids and numbers: larger than any row id or offset we use
# The text fields' largest realistic values (codes, never names).
LARGEST_TEXT = {
    "batch": "f" * 32,  # uuid4().hex
    "k": max((kind.value for kind in InboxKind), key=len),
    "locale": max(LOCALES, key=len),
}

CLASSES = [
    cls
    for _name, cls in inspect.getmembers(callbacks, inspect.isclass)
    if issubclass(cls, CallbackData) and cls is not CallbackData
]


def _largest(cls: type[CallbackData]) -> CallbackData:
    values: dict[str, object] = {}
    for name, field in cls.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, Enum):
            values[name] = max(kind, key=lambda member: len(str(member.value)))
        elif kind is int:
            bounds = [m.le for m in field.metadata if getattr(m, "le", None) is not None]
            values[name] = min([LARGEST_ID, *bounds])
        elif kind is str:
            assert name in LARGEST_TEXT, f"{cls.__name__}.{name}: say how long it can be"
            values[name] = LARGEST_TEXT[name]
        else:
            pytest.fail(f"{cls.__name__}.{name}: ids, codes and enums only, not {kind}")
    return cls(**values)


def test_every_callback_class_lives_in_the_one_module() -> None:
    assert len(CLASSES) >= 15
    assert all(cls.__module__ == callbacks.__name__ for cls in CLASSES)


def test_prefixes_are_unique() -> None:
    prefixes = [cls.__prefix__ for cls in CLASSES]
    assert len(prefixes) == len(set(prefixes)), sorted(prefixes)
    # No prefix is another's start followed by the separator, so no data can be read as both.
    assert all(":" not in prefix for prefix in prefixes)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_largest_button_fits_and_round_trips(cls: type[CallbackData]) -> None:
    data = _largest(cls)
    packed = data.pack()
    assert len(packed.encode("utf-8")) <= TELEGRAM_LIMIT, packed
    assert cls.unpack(packed) == data


def _enum_fields(cls: type[CallbackData]) -> list[str]:
    return [
        name
        for name, field in cls.model_fields.items()
        if isinstance(field.annotation, type) and issubclass(field.annotation, Enum)
    ]


WITH_ACTIONS = [cls for cls in CLASSES if _enum_fields(cls)]


def test_actions_are_enums() -> None:
    # All but the language choice (a locale code) carry an enum: an action, or a list's name.
    plain = {cls.__name__ for cls in CLASSES if cls not in WITH_ACTIONS}
    assert plain == {"LanguageChoice"}


@pytest.mark.parametrize("cls", WITH_ACTIONS, ids=lambda cls: cls.__name__)
def test_a_forged_action_does_not_unpack(cls: type[CallbackData]) -> None:
    enums = _enum_fields(cls)
    parts = [cls.__prefix__] + ["bogus" if name in enums else "0" for name in cls.model_fields]
    with pytest.raises(ValueError):
        cls.unpack(":".join(parts))


HUGE = ["9" * 21, str(2**31), str(2**63), "9" * 300, str(-(2**31) - 1)]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize(
    "number", HUGE, ids=["21-digits", "2**31", "2**63", "300-digits", "-2**31-1"]
)
def test_a_number_past_the_keys_does_not_unpack(cls: type[CallbackData], number: str) -> None:
    """A forged id past any database key is refused by the callback filter (ValueError), as a
    stale button, instead of reaching a query and raising OverflowError."""
    numbers = [name for name, field in cls.model_fields.items() if field.annotation is int]
    if not numbers:
        return
    largest = _largest(cls)
    for name in numbers:
        parts = [cls.__prefix__]
        for field_name in cls.model_fields:
            value = number if field_name == name else largest.model_dump()[field_name]
            parts.append(str(getattr(value, "value", value)))
        with pytest.raises(ValueError):
            cls.unpack(":".join(parts))
