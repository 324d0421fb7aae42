"""The one home for errors: log with context, tell the person in their language."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Router
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import gettext as _

from bot.domain.errors import ServiceError

router = Router(name=__name__)
log = logging.getLogger("qingfeng.errors")


async def on_error(event: ErrorEvent, **data: Any) -> bool:
    update = event.update
    if isinstance(event.exception, ServiceError):
        text = _(event.exception.key).format(**event.exception.values)
    else:
        log.error(
            "update %s failed: type=%s person=%s",
            update.update_id,
            update.event_type,
            data.get("person_id"),
            exc_info=event.exception,
        )
        text = _("errors.unexpected")
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.message is not None:
        await update.message.answer(text)
    return True


def create_router() -> Router:
    router = Router(name=__name__)
    router.errors.register(on_error)
    return router
