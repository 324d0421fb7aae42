"""Enqueueing proactive messages: a row in the caller's transaction, sent after its commit.

A notification exists exactly when the change it announces does: `enqueue()` only adds to the
caller's session, the caller commits both together. Messages to people are rendered in their
language when enqueued (`enqueue_for_person`).

A recipient already marked unreachable (they blocked the bot) gets a row stored as
``cancelled`` with the reason, not a pending one, so a broadcast's report still counts them.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import case, exists, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.quiet_hours import QuietHours
from bot.domain.text_length import CAPTION_LIMIT, MESSAGE_LIMIT, fit_html
from bot.i18n import resolve_locale, translate
from bot.services.buttons import Button
from bot.settings import Settings
from storage.models.org import Person
from storage.models.outbox import OutboxMessage, OutboxStatus

PRIORITY_URGENT = 0
PRIORITY_PERSONAL = 10  # a notice about the recipient's own work
PRIORITY_BULK = 100  # broadcasts, digests, publicity
UNREACHABLE_REASON = "recipient unreachable (blocked the bot or deactivated)"
# In a payload, {FILE_REF: id} stands for the bytes of an `OutboxFile` to upload.
FILE_REF = "outbox_file"
# Set on a session that enqueued something: after its commit the sender is woken.
SESSION_FLAG = "qingfeng.outbox.enqueued"


# Packs a button's plain description into callback data; the handlers' callback data classes
# do it (wired at start-up: `use_button_packer`), so services never pack by hand.
ButtonPacker = Callable[[Button], str]
_packer: list[ButtonPacker] = []


def use_button_packer(packer: ButtonPacker) -> None:
    """Set how buttons are packed (the app wires the handlers' callback data classes)."""
    _packer[:] = [packer]


def keyboard(buttons: Sequence[Button], locale: str) -> dict[str, Any]:
    """The inline keyboard (Bot API JSON, a button a row) for `buttons`, in `locale`."""
    if not _packer:
        raise RuntimeError("no button packer wired: call use_button_packer() at start-up")
    pack = _packer[0]
    return {
        "inline_keyboard": [
            [{"text": translate(button.label_key, locale), "callback_data": pack(button)}]
            for button in buttons
        ]
    }


def render_payload(
    text: str,
    *,
    reply_markup: BaseModel | dict[str, Any] | None = None,
    photo: str | None = None,
    document: str | None = None,
    photo_file: int | None = None,
) -> dict[str, Any]:
    """The Bot API call to make: sendMessage, or sendPhoto / sendDocument with `text` as caption.

    `photo` / `document` are a file_id or an HTTP URL; `photo_file` is an `OutboxFile` id
    (`store_file`), uploaded by the sender (the outbox row itself stays JSON).
    `text` is HTML: escape user-provided parts before.
    """
    if photo is not None and document is not None:
        raise ValueError("a message carries a photo or a document, not both")
    # A safety net: a notice quoting long records is cut at a line rather than refused (400).
    captioned = photo_file is not None or photo is not None or document is not None
    text, _cut = fit_html(text, CAPTION_LIMIT if captioned else MESSAGE_LIMIT)
    payload: dict[str, Any]
    if photo_file is not None:
        payload = {"method": "sendPhoto", "photo": {FILE_REF: photo_file}, "caption": text}
    elif photo is not None:
        payload = {"method": "sendPhoto", "photo": photo, "caption": text}
    elif document is not None:
        payload = {"method": "sendDocument", "document": document, "caption": text}
    else:
        payload = {"method": "sendMessage", "text": text}
    payload["parse_mode"] = "HTML"
    if reply_markup is not None:
        if isinstance(reply_markup, BaseModel):
            reply_markup = reply_markup.model_dump(mode="json", exclude_none=True)
        payload["reply_markup"] = reply_markup
    return payload


async def enqueue(
    session: AsyncSession,
    *,
    chat_id: int,
    text: str,
    kind: str,
    priority: int = PRIORITY_BULK,
    dedup_key: str | None = None,
    urgent: bool = False,
    reply_markup: BaseModel | dict[str, Any] | None = None,
    person_id: int | None = None,
    batch_id: str | None = None,
    not_before: datetime | None = None,
    photo: str | None = None,
    document: str | None = None,
    photo_file: int | None = None,
    clock: Clock | None = None,
    settings: Settings,
) -> int | None:
    """Add a message to the outbox within the caller's transaction; returns its id.

    Returns None when `dedup_key` was already used (the same logical message is stored once,
    also under concurrent enqueues: INSERT … ON CONFLICT DO NOTHING on the unique key).
    A non-urgent message is due at `not_before` (default now) moved past quiet hours.
    """
    now = (clock or Clock()).now()
    due = max(not_before, now) if not_before is not None else now
    if not urgent:
        due = QuietHours.from_settings(settings).next_allowed(due)
    payload = render_payload(
        text, reply_markup=reply_markup, photo=photo, document=document, photo_file=photo_file
    )
    values = row_values(
        chat_id=chat_id,
        person_id=person_id,
        kind=kind,
        priority=priority,
        dedup_key=dedup_key,
        payload=payload,
        urgent=urgent,
        due=due,
        now=now,
        batch_id=batch_id,
    )
    return await insert_row(session, values)


async def insert_row(session: AsyncSession, values: dict[str, Any]) -> int | None:
    """INSERT … ON CONFLICT (dedup_key) DO NOTHING: the id, or None (the key was used)."""
    statement = insert_for(session)(OutboxMessage).values(**values)
    statement = statement.on_conflict_do_nothing(index_elements=["dedup_key"])
    row_id = (await session.execute(statement.returning(OutboxMessage.id))).scalar_one_or_none()
    if row_id is not None:
        session.info[SESSION_FLAG] = True  # the sender is woken after the commit
    return row_id


def insert_for(session: AsyncSession) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING (SQLite and PostgreSQL)."""
    # Imported here: loading the PostgreSQL dialect costs a second that SQLite never needs.
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    from sqlalchemy.dialects import sqlite

    return sqlite.insert


def row_values(
    *,
    chat_id: int,
    person_id: int | None,
    kind: str,
    priority: int,
    dedup_key: str | None,
    payload: dict[str, Any],
    urgent: bool,
    due: datetime,
    now: datetime,
    batch_id: str | None,
) -> dict[str, Any]:
    """One outbox row's column values, shared by the single and the bulk insert."""
    blocked = exists().where(Person.telegram_id == chat_id, Person.unreachable.is_(True))
    return {
        "chat_id": chat_id,
        "person_id": person_id,
        "kind": kind,
        "priority": priority,
        "dedup_key": dedup_key,
        "payload": payload,
        "urgent": urgent,
        # Decided in the statement itself, so it can't race a concurrent "mark unreachable".
        "status": case(
            (blocked, literal(OutboxStatus.CANCELLED.value)),
            else_=literal(OutboxStatus.PENDING.value),
        ),
        "last_error": case((blocked, literal(UNREACHABLE_REASON)), else_=None),
        "attempts": 0,
        "throttled": 0,
        "next_attempt_at": due,
        "created_at": now,
        "batch_id": batch_id,
    }


def person_locale(person: Person, settings: Settings) -> str:
    """The language to write to a person in: their choice, else their Telegram app's, else the
    configured default (the same order as replies to what they write)."""
    default = settings.default_locale
    return resolve_locale(person.language, person.telegram_locale, default)


def render_for_person(
    person: Person,
    key: str,
    settings: Settings,
    /,
    **values: Any,
) -> str:
    """The catalog text `key` in the person's language; string values are HTML-escaped."""
    escaped = {k: html.escape(v) if isinstance(v, str) else v for k, v in values.items()}
    return translate(key, person_locale(person, settings), **escaped)


async def enqueue_for_person(
    session: AsyncSession,
    person: Person,
    key: str,
    *,
    kind: str,
    values: dict[str, Any] | None = None,
    settings: Settings,
    priority: int = PRIORITY_PERSONAL,
    **options: Any,
) -> int | None:
    """Render `key` for `person` and enqueue it; None if they have no Telegram account yet
    (or the dedup key was used). `options` are `enqueue()`'s keywords."""
    if person.telegram_id is None:
        return None
    text = render_for_person(person, key, settings, **(values or {}))
    return await enqueue(
        session,
        chat_id=person.telegram_id,
        person_id=person.id,
        text=text,
        kind=kind,
        priority=priority,
        settings=settings,
        **options,
    )


# Rows per multi-row INSERT (and per follow-up UPDATE's IN list): 14 bound values a row
# stays well under SQLite's 32766-variable limit.
BULK_CHUNK = 500


@dataclass(frozen=True)
class Outgoing:
    """One message of a bulk enqueue (the keywords of `enqueue()` that vary per row)."""

    chat_id: int
    text: str
    person_id: int | None = None
    dedup_key: str | None = None
    reply_markup: BaseModel | dict[str, Any] | None = None
    photo_file: int | None = None  # an `OutboxFile` id: sent as a photo, `text` its caption


async def enqueue_many(
    session: AsyncSession,
    messages: Sequence[Outgoing],
    *,
    kind: str,
    priority: int = PRIORITY_BULK,
    urgent: bool = False,
    batch_id: str | None = None,
    not_before: datetime | None = None,
    clock: Clock | None = None,
    settings: Settings,
    chunk: int = BULK_CHUNK,
) -> int:
    """`enqueue()` for many rows: one multi-row INSERT per `chunk`; returns how many were stored.

    Same semantics as calling `enqueue()` for each (quiet hours, unreachable recipients stored
    cancelled, a used `dedup_key` skipped by ON CONFLICT DO NOTHING), in the caller's
    transaction, at a fraction of the round trips.
    """
    now = (clock or Clock()).now()
    due = max(not_before, now) if not_before is not None else now
    if not urgent:
        due = QuietHours.from_settings(settings).next_allowed(due)
    insert = (
        insert_for(session)(OutboxMessage)
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(OutboxMessage.id, OutboxMessage.chat_id)
    )
    # Plain parameter rows (no per-row SQL): SQLAlchemy batches them into multi-row INSERTs
    # with one cached statement; a per-row CASE would be compiled anew for every chunk.
    stored = 0
    for start in range(0, len(messages), chunk):
        rows = [
            {
                "chat_id": message.chat_id,
                "person_id": message.person_id,
                "kind": kind,
                "priority": priority,
                "dedup_key": message.dedup_key,
                "payload": render_payload(
                    message.text, reply_markup=message.reply_markup, photo_file=message.photo_file
                ),
                "urgent": urgent,
                "status": OutboxStatus.PENDING.value,
                "last_error": None,
                "attempts": 0,
                "throttled": 0,
                "next_attempt_at": due,
                "created_at": now,
                "batch_id": batch_id,
            }
            for message in messages[start : start + chunk]
        ]
        inserted = (await session.execute(insert, rows)).all()
        stored += len(inserted)
        await _cancel_for_unreachable(session, [row.id for row in inserted])
    if stored:
        session.info[SESSION_FLAG] = True
    return stored


async def _cancel_for_unreachable(session: AsyncSession, ids: list[int]) -> None:
    """Store the new rows to people already marked unreachable as cancelled, as `enqueue()`
    does (same transaction, right after the insert)."""
    if not ids:
        return
    blocked = select(Person.telegram_id).where(Person.unreachable.is_(True))
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.chat_id.in_(blocked))
        .values(status=OutboxStatus.CANCELLED.value, last_error=UNREACHABLE_REASON)
        .execution_options(synchronize_session=False)
    )


async def enqueue_for_people(
    session: AsyncSession,
    people: Sequence[Person],
    key: str,
    *,
    kind: str,
    values: dict[str, Any] | None = None,
    dedup_prefix: str | None = None,
    settings: Settings,
    **options: Any,
) -> int:
    """`enqueue_for_person()` in bulk: `key` rendered in each person's language; people
    without a Telegram account are skipped. Dedup keys are `{dedup_prefix}:{person id}`."""
    messages = [
        Outgoing(
            chat_id=person.telegram_id,
            text=render_for_person(person, key, settings, **(values or {})),
            person_id=person.id,
            dedup_key=f"{dedup_prefix}:{person.id}" if dedup_prefix else None,
        )
        for person in people
        if person.telegram_id is not None
    ]
    return await enqueue_many(session, messages, kind=kind, settings=settings, **options)


@dataclass(frozen=True)
class BatchProgress:
    """Where a broadcast stands."""

    pending: int = 0  # pending or being sent
    sent: int = 0
    failed: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.sent + self.failed + self.cancelled


async def batch_progress(session: AsyncSession, batch_id: str) -> BatchProgress:
    """Counts of a broadcast's rows by outcome."""
    rows = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.batch_id == batch_id)
        .group_by(OutboxMessage.status)
    )
    counts = {status: count for status, count in rows}
    return BatchProgress(
        pending=counts.get(OutboxStatus.PENDING, 0) + counts.get(OutboxStatus.SENDING, 0),
        sent=counts.get(OutboxStatus.SENT, 0),
        failed=counts.get(OutboxStatus.FAILED, 0),
        cancelled=counts.get(OutboxStatus.CANCELLED, 0),
    )
