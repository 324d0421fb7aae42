"""The shared flow parts: a step declared with its question, a press declared beside its
handler, the unit picker's buttons."""

from __future__ import annotations

import pytest
from aiogram import Router
from aiogram.fsm.state import State, StatesGroup

from handlers.callbacks import InviteAction, InviteCb, RiskAction, RiskCb
from handlers.register_ui import PROMPTS, Question
from handlers.ui.pickers import pressing
from handlers.ui.routes import Presses


def _keyboard(_data: dict[str, object]) -> None:
    return None


class _Flow(StatesGroup):
    asked = Question("risks.ask_power", _keyboard, values={"limit": 5})
    silent = State()


def test_a_question_is_registered_under_its_state_when_the_group_names_it() -> None:
    assert _Flow.asked.state == "_Flow:asked"
    assert PROMPTS["_Flow:asked"] == ("risks.ask_power", _keyboard, {"limit": 5})
    assert "_Flow:silent" not in PROMPTS
    assert _Flow.asked == State("asked", group_name="_Flow")  # still an ordinary state


async def _first(*_args: object) -> None: ...


async def _second(*_args: object) -> None: ...


def test_presses_register_each_declared_press_once() -> None:
    presses = Presses(InviteCb)
    presses.on(InviteAction.UNIT, _Flow.asked)(_first)
    presses.on(InviteAction.PAGE)(_second)
    router = Router()
    presses.register(router)
    assert [h.callback for h in router.callback_query.handlers] == [_first, _second]
    again = Router()
    presses.register(again)  # a fresh router per dispatcher gets the same presses
    assert len(again.callback_query.handlers) == 2


def test_a_press_declared_twice_is_refused() -> None:
    presses = Presses(InviteCb)
    presses.on(InviteAction.UNIT)(_first)
    with pytest.raises(ValueError):
        presses.on(InviteAction.UNIT)(_second)
    presses.on(InviteAction.UNIT, _Flow.asked)(_second)  # the same action in a step: another press


def test_pressing_packs_the_number_into_the_named_field() -> None:
    assert pressing(RiskCb, RiskAction.WHO, "id")(7) == RiskCb(action=RiskAction.WHO, id=7)
    assert pressing(InviteCb, InviteAction.PAGE)(8) == InviteCb(action=InviteAction.PAGE, value=8)
