"""Names from a person or a file reach HTML escaped: every step's question is formatted with
values such as `许可<审批>` and `稽核<临时>岗` and must still parse as Telegram HTML and show the
value as typed. (Before, /categories and /propose failed with "can't parse entities".)

`HOSTILE` is the sample of such values; other renderings (cards, notices) can take it too."""

from __future__ import annotations

import string
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

import pytest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from bot.app.wiring import create_dispatcher
from bot.i18n import get_i18n
from bot.sandbox.html_check import parse_html
from bot.settings import Settings
from handlers import register_ui

HOSTILE = ("许可<审批>", "稽核<临时>岗", "A & B", "<b>粗</b>", "&lt;", "</i>", "😀<x")


class Recorder:
    """Stands in for the message a question is sent under: keeps what would be sent."""

    message_id = 1
    bot = None  # no earlier question's keyboard to take down

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def answer(self, text: str, **options: Any) -> SimpleNamespace:
        self.sent.append(text)
        return SimpleNamespace(message_id=2, reply_markup=options.get("reply_markup"))


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("value", HOSTILE)
async def test_every_question_shows_a_hostile_value_as_typed(
    settings: Settings, value: str
) -> None:
    create_dispatcher(settings, None)  # type: ignore[arg-type]  # fills PROMPTS; no database
    assert len(register_ui.PROMPTS) > 10
    i18n = get_i18n()
    storage = MemoryStorage()
    checked = 0
    for number, (state_name, (key, *_)) in enumerate(sorted(register_ui.PROMPTS.items())):
        if not isinstance(key, str):
            continue
        with i18n.context(), i18n.use_locale("zh"):
            template = i18n.gettext(key)
            values = defaultdict(lambda: value) | dict.fromkeys(placeholders(template), value)
            state = FSMContext(storage, StorageKey(bot_id=1, chat_id=number, user_id=number))
            await state.set_state(state_name)
            await state.update_data(_prompt_values=dict(values))
            recorder = Recorder()
            try:
                await register_ui.ask(recorder, state)  # type: ignore[arg-type]
            except (KeyError, TypeError, ValueError, IndexError):
                continue  # a keyboard needing the flow's own data: not a formatting question
        for text in recorder.sent:
            parsed = parse_html(text)  # raises on unescaped markup
            if placeholders(template):
                assert value in parsed.text, (state_name, text)
            checked += 1
    assert checked > 10
