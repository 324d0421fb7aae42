"""aiogram FSM storage in our own database: conversations survive a restart without Redis."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, Literal

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, KeyBuilder, StateType, StorageKey
from sqlalchemy import bindparam, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from storage.db import SessionMaker, update_session
from storage.models.fsm import FsmRecord
from storage.models.org import Person

# session.info: conversations the update already read, by record key (None: no row).
_KNOWN = "qingfeng_fsm_known"


def remember_conversation(session: AsyncSession, key: str, record: FsmRecord | None) -> None:
    """Note that `key`'s row (or its absence) was read in `session`: not read again."""
    session.info.setdefault(_KNOWN, {})[key] = record


def _known(session: AsyncSession) -> dict[str, FsmRecord | None]:
    known: dict[str, FsmRecord | None] = session.info.setdefault(_KNOWN, {})
    return known


# Built once: every update runs one of these, and building a select with its loader options
# costs more than SQLAlchemy's compiled-statement cache saves.
_WITH_ORG = (
    joinedload(Person.unit),
    joinedload(Person.post),
    joinedload(Person.role_assignments),
)
_PERSON = select(Person).where(Person.telegram_id == bindparam("telegram_id")).options(*_WITH_ORG)
_PERSON_AND_RECORD = (
    select(Person, FsmRecord)
    .outerjoin(FsmRecord, FsmRecord.key == bindparam("record_key"))
    .where(Person.telegram_id == bindparam("telegram_id"))
    .options(*_WITH_ORG)
)


async def person_with_conversation(
    session: AsyncSession, telegram_id: int, record_key: str | None
) -> tuple[Person | None, FsmRecord | None]:
    """The person behind a Telegram account with their roles, unit and post, and (given a
    record key) their conversation's row, in one statement."""
    if record_key is None:
        found = await session.scalars(_PERSON, {"telegram_id": telegram_id})
        return found.unique().first(), None
    params = {"telegram_id": telegram_id, "record_key": record_key}
    row = (await session.execute(_PERSON_AND_RECORD, params)).unique().first()
    return (row[0], row[1]) if row is not None else (None, None)


class FullKeyBuilder(KeyBuilder):
    """Every StorageKey field in a fixed position, so two different keys never share a string.

    aiogram's DefaultKeyBuilder leaves absent fields out, so a business connection id and a
    thread id can land in the same slot (`bc=5, chat=1` reads like `chat=5, thread=1`).
    """

    def __init__(self, prefix: str = "fsm") -> None:
        self.prefix = prefix

    def build(self, key: StorageKey, part: Literal["data", "state", "lock"] | None = None) -> str:
        fields = [
            self.prefix,
            str(key.bot_id),
            _escape(key.business_connection_id or ""),
            str(key.chat_id),
            "" if key.thread_id is None else str(key.thread_id),
            str(key.user_id),
            _escape(key.destiny),
        ]
        if part:
            fields.append(part)
        return ":".join(fields)


def _escape(text: str) -> str:
    """Free-form fields must not contain the separator."""
    return text.replace("%", "%25").replace(":", "%3A")


class SQLStorage(BaseStorage):
    """Keeps state and data of each StorageKey in one row of `fsm_records`."""

    def __init__(self, sessionmaker: SessionMaker, key_builder: KeyBuilder | None = None) -> None:
        self._sessionmaker = sessionmaker
        # Every StorageKey field is part of the key, so no two conversations share a row.
        self._key_builder = key_builder or FullKeyBuilder()

    def _key(self, key: StorageKey) -> str:
        return self._key_builder.build(key)

    def record_key(self, key: StorageKey) -> str:
        """The primary key of `key`'s row in `fsm_records`."""
        return self._key(key)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._upsert(key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        record = await self._get(key)
        return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            # The same error as aiogram's own storages, so callers can catch one type.
            raise DataNotDictLikeError(f"Data must be a dict, not {type(data).__name__}")
        # A deep copy both ways, as aiogram's MemoryStorage: a caller changing a nested value
        # of what it read must not change the row's value in place, or SQLAlchemy sees the
        # new value equal to the old one and writes nothing.
        await self._upsert(key, data=copy.deepcopy(dict(data)))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        record = await self._get(key)
        # A deep copy: a handler changing a nested value in place (a list kept in the data)
        # would otherwise change the loaded row too, and the flush, finding the new data equal
        # to it, would write nothing.
        return copy.deepcopy(record.data) if record and record.data else {}

    async def close(self) -> None:
        """Nothing to release: sessions are opened per call."""

    @asynccontextmanager
    async def _session(self, *, write: bool) -> AsyncIterator[AsyncSession]:
        # While an update is handled, its conversation is read and written in the update's
        # session: the update is one unit of work (its FSM change commits or rolls back with
        # the rest), and SQLite (one writer at a time) never has a second connection wait on
        # the update's own open transaction.
        shared = update_session()
        if shared is not None:
            yield shared
            if write:
                await shared.flush()
            return
        async with self._sessionmaker() as session:
            if not write:
                yield session
                return
            async with session.begin():
                yield session

    async def _get(self, key: StorageKey) -> FsmRecord | None:
        record_key = self._key(key)
        async with self._session(write=False) as session:
            known = _known(session)
            if record_key in known:
                return known[record_key]
            record = await session.get(FsmRecord, record_key)
            known[record_key] = record
            return record

    async def _upsert(self, key: StorageKey, **values: Any) -> None:
        record_key = self._key(key)
        async with self._session(write=True) as session:
            known = _known(session)
            if record_key in known:
                # Read in this unit of work, under the conversation's lock.
                record = known[record_key]
            else:
                record = await session.scalar(
                    select(FsmRecord).where(FsmRecord.key == record_key).with_for_update()
                )
            if record is None:
                record = FsmRecord(key=record_key, state=None, data=None)
                session.add(record)
            for name, value in values.items():
                setattr(record, name, value)
            known[record_key] = record
            # An empty conversation leaves no row behind.
            if record.state is None and not record.data:
                known[record_key] = None
                if inspect(record).persistent:
                    await session.delete(record)
                else:
                    session.expunge(record)
