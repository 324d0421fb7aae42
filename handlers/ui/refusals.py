"""The two refusals a step raises: ask the same question again, or end the step.

Apart from `handlers.ui.steps` so that the prompts (`handlers.register_ui`) can raise them too.
"""

from __future__ import annotations

from typing import Any

from aiogram.fsm.context import FSMContext

from bot.domain.errors import ServiceError


class AskAgain(ServiceError):
    """A refusal of what the person typed: answered with the step's question again."""

    @classmethod
    def of(cls, refusal: ServiceError) -> AskAgain:
        return cls(refusal.key, **refusal.values)


class StepOver(ServiceError):
    """A refusal that ends the conversation's step: errors.py clears the state, then answers.

    The state is cleared there, after the update's unit of work was rolled back (the state is
    kept in the same transaction, so a clear inside the handler would be undone with it).
    """

    @classmethod
    def of(cls, refusal: ServiceError) -> StepOver:
        return cls(refusal.key, **refusal.values)


class StepData(dict[str, Any]):
    """A step's saved data: a value it lacks (its state kept, its data lost, as after a restart
    that kept only the state) ends the step with a word instead of a KeyError's traceback."""

    def __missing__(self, key: str) -> Any:
        raise StepOver("fallback.stale_flow")


async def step_data(state: FSMContext) -> StepData:
    return StepData(await state.get_data())
