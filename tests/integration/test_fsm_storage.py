"""aiogram's own storage test cases (tests/test_fsm/storage/test_storages.py), mirrored for our
database storage on every test database, and for Redis when TEST_REDIS_URL is set."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TypedDict

import pytest
from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import DEFAULT_DESTINY, BaseStorage, StorageKey
from sqlalchemy import func, select

from storage.db import SessionMaker, in_update_session
from storage.fsm import FullKeyBuilder, SQLStorage
from storage.models.fsm import FsmRecord
from tests.conftest import BACKENDS, REDIS_URL
from tests.kit.db import own_redis_storage

# Each storage once per test database; Redis once, beside SQLite (its own server, whatever
# the database), so no variant is collected only to be skipped.
COMBOS = [("sql", backend) for backend in BACKENDS] + ([("redis", "sqlite")] if REDIS_URL else [])
EACH_STORAGE = pytest.mark.parametrize(
    ("storage", "backend"),
    COMBOS,
    indirect=True,
    ids=[f"{kind}-{backend}" for kind, backend in COMBOS],
)


class Flow(StatesGroup):
    step = State()


@pytest.fixture
async def storage(
    request: pytest.FixtureRequest, backend: str, sessionmaker: SessionMaker
) -> AsyncIterator[BaseStorage]:
    if request.param == "sql":
        yield SQLStorage(sessionmaker)
        return
    async with own_redis_storage(REDIS_URL or "") as redis_storage:
        yield redis_storage


@pytest.fixture
def storage_key() -> StorageKey:
    return StorageKey(chat_id=-42, user_id=42, bot_id=42)


@EACH_STORAGE
async def test_set_state(storage: BaseStorage, storage_key: StorageKey) -> None:
    assert await storage.get_state(key=storage_key) is None

    await storage.set_state(key=storage_key, state="state")
    assert await storage.get_state(key=storage_key) == "state"
    await storage.set_state(key=storage_key, state=None)
    assert await storage.get_state(key=storage_key) is None


@EACH_STORAGE
async def test_set_state_accepts_a_state_object(
    storage: BaseStorage, storage_key: StorageKey
) -> None:
    await storage.set_state(key=storage_key, state=Flow.step)
    assert await storage.get_state(key=storage_key) == Flow.step.state


@EACH_STORAGE
async def test_set_data(storage: BaseStorage, storage_key: StorageKey) -> None:
    assert await storage.get_data(key=storage_key) == {}
    assert await storage.get_value(storage_key=storage_key, dict_key="foo") is None
    assert await storage.get_value(storage_key=storage_key, dict_key="foo", default="baz") == "baz"

    await storage.set_data(key=storage_key, data={"foo": "bar"})
    assert await storage.get_data(key=storage_key) == {"foo": "bar"}
    assert await storage.get_value(storage_key=storage_key, dict_key="foo") == "bar"
    assert await storage.get_value(storage_key=storage_key, dict_key="foo", default="baz") == "bar"

    await storage.set_data(key=storage_key, data={})
    assert await storage.get_data(key=storage_key) == {}
    assert await storage.get_value(storage_key=storage_key, dict_key="foo") is None
    assert await storage.get_value(storage_key=storage_key, dict_key="foo", default="baz") == "baz"

    class CustomTypedDict(TypedDict, total=False):
        foo: str
        bar: str

    await storage.set_data(key=storage_key, data=CustomTypedDict(foo="bar", bar="baz"))
    assert await storage.get_data(key=storage_key) == {"foo": "bar", "bar": "baz"}
    assert await storage.get_value(storage_key=storage_key, dict_key="foo") == "bar"

    with pytest.raises(DataNotDictLikeError):
        await storage.set_data(key=storage_key, data=())  # type: ignore[arg-type]


@EACH_STORAGE
async def test_update_data(storage: BaseStorage, storage_key: StorageKey) -> None:
    assert await storage.get_data(key=storage_key) == {}
    assert await storage.update_data(key=storage_key, data={"foo": "bar"}) == {"foo": "bar"}
    assert await storage.update_data(key=storage_key, data={}) == {"foo": "bar"}
    assert await storage.get_data(key=storage_key) == {"foo": "bar"}
    assert await storage.update_data(key=storage_key, data={"baz": "spam"}) == {
        "foo": "bar",
        "baz": "spam",
    }
    assert await storage.get_data(key=storage_key) == {"foo": "bar", "baz": "spam"}
    assert await storage.update_data(key=storage_key, data={"baz": "test"}) == {
        "foo": "bar",
        "baz": "test",
    }
    assert await storage.get_data(key=storage_key) == {"foo": "bar", "baz": "test"}


@EACH_STORAGE
async def test_returned_data_is_a_copy(storage: BaseStorage, storage_key: StorageKey) -> None:
    await storage.set_data(key=storage_key, data={"items": [1]})
    data = await storage.get_data(key=storage_key)
    data["items"].append(2)
    data["other"] = True
    assert await storage.get_data(key=storage_key) == {"items": [1]}


@EACH_STORAGE
async def test_a_nested_change_is_saved_within_one_update(
    storage: BaseStorage, storage_key: StorageKey, sessionmaker: SessionMaker
) -> None:
    """As a handler does: read the data in the update's session, change a nested value of
    what it read, write it back; the next update reads the change."""
    await storage.set_data(key=storage_key, data={"pick": {"units": []}})
    async with sessionmaker() as session:
        with in_update_session(session):
            data = await storage.get_data(key=storage_key)
            data["pick"]["units"].append(7)
            await storage.update_data(key=storage_key, data={"pick": data["pick"]})
            await session.commit()
    assert await storage.get_data(key=storage_key) == {"pick": {"units": [7]}}


@EACH_STORAGE
async def test_state_and_data_are_independent(
    storage: BaseStorage, storage_key: StorageKey
) -> None:
    await storage.set_state(key=storage_key, state="state")
    await storage.set_data(key=storage_key, data={"foo": "bar"})
    await storage.set_state(key=storage_key, state=None)
    assert await storage.get_data(key=storage_key) == {"foo": "bar"}
    await storage.set_state(key=storage_key, state="again")
    await storage.set_data(key=storage_key, data={})
    assert await storage.get_state(key=storage_key) == "again"


def _neighbours(key: StorageKey) -> list[StorageKey]:
    """Keys that differ from `key` in exactly one field, plus a known ambiguity of aiogram's
    DefaultKeyBuilder (business connection id vs thread id in the same position)."""
    return [
        StorageKey(bot_id=key.bot_id + 1, chat_id=key.chat_id, user_id=key.user_id),
        StorageKey(bot_id=key.bot_id, chat_id=key.chat_id + 1, user_id=key.user_id),
        StorageKey(bot_id=key.bot_id, chat_id=key.chat_id, user_id=key.user_id + 1),
        StorageKey(bot_id=key.bot_id, chat_id=key.chat_id, user_id=key.user_id, thread_id=7),
        StorageKey(
            bot_id=key.bot_id,
            chat_id=key.chat_id,
            user_id=key.user_id,
            business_connection_id="biz-1",
        ),
        StorageKey(bot_id=key.bot_id, chat_id=key.chat_id, user_id=key.user_id, destiny="other"),
        StorageKey(bot_id=1, chat_id=5, user_id=2, business_connection_id="1"),
        StorageKey(bot_id=1, chat_id=1, user_id=2, thread_id=5),
        StorageKey(bot_id=1, chat_id=1, user_id=2, destiny="a:b"),
        StorageKey(bot_id=1, chat_id=1, user_id=2, business_connection_id="a", destiny="b"),
        StorageKey(bot_id=1, chat_id=1, user_id=2, business_connection_id="a:b"),
    ]


@EACH_STORAGE
async def test_different_keys_are_independent(
    storage: BaseStorage, storage_key: StorageKey
) -> None:
    keys = [storage_key, *_neighbours(storage_key)]
    for index, key in enumerate(keys):
        await storage.set_state(key=key, state=f"state-{index}")
        await storage.set_data(key=key, data={"index": index})
    for index, key in enumerate(keys):
        assert await storage.get_state(key=key) == f"state-{index}", key
        assert await storage.get_data(key=key) == {"index": index}, key
    await storage.set_state(key=storage_key, state=None)
    await storage.set_data(key=storage_key, data={})
    for index, key in enumerate(keys[1:], start=1):
        assert await storage.get_state(key=key) == f"state-{index}", key


def test_full_key_builder_gives_each_key_its_own_string(storage_key: StorageKey) -> None:
    keys = [storage_key, *_neighbours(storage_key)]
    builder = FullKeyBuilder()
    assert len({builder.build(key) for key in keys}) == len(keys)
    assert len({builder.build(key, "data") for key in keys}) == len(keys)
    default = StorageKey(bot_id=1, chat_id=1, user_id=1)
    assert builder.build(default).endswith(f":{DEFAULT_DESTINY}")


async def test_an_empty_conversation_leaves_no_row(
    sessionmaker: SessionMaker, storage_key: StorageKey
) -> None:
    storage = SQLStorage(sessionmaker)
    await storage.set_state(key=storage_key, state="state")
    await storage.set_data(key=storage_key, data={"foo": "bar"})
    await storage.set_state(key=storage_key, state=None)
    await storage.set_data(key=storage_key, data={})
    await storage.set_data(key=storage_key, data={})  # clearing twice is harmless
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(FsmRecord)) == 0


async def test_a_second_storage_object_sees_the_same_conversation(
    sessionmaker: SessionMaker, storage_key: StorageKey
) -> None:
    await SQLStorage(sessionmaker).set_state(key=storage_key, state="state")
    await SQLStorage(sessionmaker).update_data(key=storage_key, data={"foo": "bar"})
    fresh = SQLStorage(sessionmaker)
    assert await fresh.get_state(key=storage_key) == "state"
    assert await fresh.get_data(key=storage_key) == {"foo": "bar"}
    await fresh.close()
