"""Every "create" button of a wizard makes one record, however often it is pressed.

The conversation keeps a draft key (`draft_key` in the FSM data, made at the first confirm if
the wizard did not make one at its start); `create_once` makes the record from it once
(`bot.services.once`). Pressed again — the bot was killed after the record was committed but
before the conversation was cleared, a double tap on two replicas, a replay — it returns the
record made first, and the handler shows it as it would have the first time::

    async def save(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
        power = await create_once(state, ctx, Power, lambda: power_service.add_power(...))
        await end_flow(query, state, _("powers.saved").format(name=quote(power.name)))

The key lives as long as the conversation: a flow that goes on creating after a record (one
more of the same kind) takes a fresh one with `new_draft`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar
from uuid import uuid4

from aiogram.fsm.context import FSMContext

from bot.services import once
from bot.services.once import Record
from handlers.ui.context import Ctx

DRAFT_KEY = "draft_key"
R = TypeVar("R", bound=Record)


def new_draft() -> dict[str, str]:
    """A fresh key for the FSM data: ``await state.update_data(new_draft())``."""
    return {DRAFT_KEY: uuid4().hex}


async def draft_key(state: FSMContext) -> str:
    """The conversation's draft key, made and kept now if it has none yet.

    Kept before the record is made: with the SQL storage both commit together; with Redis the
    key is saved first. Either way a committed record's key is still in the conversation."""
    key = (await state.get_data()).get(DRAFT_KEY)
    if isinstance(key, str) and key:
        return key
    fresh = new_draft()
    await state.update_data(fresh)
    return fresh[DRAFT_KEY]


async def create_once(
    state: FSMContext,
    ctx: Ctx,
    model: type[R],
    create: Callable[[], Awaitable[R]],
    *,
    key: str | None = None,
) -> R:
    """The record this conversation's draft made: made now by `create`, or the earlier one.
    `key`: the draft's key read before a handler cleared the conversation (`draft_key`)."""
    record, _new = await once.create_once(
        ctx.session, ctx.clock, person_id=ctx.person.id, key=key or await draft_key(state),
        model=model, create=create,
    )  # fmt: skip
    return record
