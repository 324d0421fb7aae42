"""/unreachable: the people the bot can't write to (blocked it, deactivated), for admins,
paged, with what to do about it. The service decides whose names an admin may see."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.unreachable import unreachable_page
from bot.settings import Settings
from handlers.callbacks import UnreachableCb
from handlers.keyboards import PAGE_SIZE, paged_choices
from handlers.register_ui import ListView, quote, send_list, turn_list_page
from storage.models.org import Person

UNKNOWN = "—"


def _view(session: AsyncSession, person: Person, settings: Settings) -> ListView:
    tz = ZoneInfo(settings.timezone)

    async def page(offset: int) -> tuple[str, InlineKeyboardMarkup]:
        found = await unreachable_page(session, person, offset, PAGE_SIZE)
        if not found.total:
            return _("unreachable.none"), InlineKeyboardMarkup(inline_keyboard=[])
        lines = [_("unreachable.title").format(count=found.total)]
        for index, someone in enumerate(found.people, start=offset + 1):
            since = someone.unreachable_since
            lines.append(
                _("unreachable.line").format(
                    index=index,
                    name=quote(someone.name),
                    unit=quote(someone.unit.path) if someone.unit else UNKNOWN,
                    post=quote(someone.post.name) if someone.post else UNKNOWN,
                    since=since.astimezone(tz).strftime("%Y-%m-%d %H:%M") if since else UNKNOWN,
                    reason=quote((someone.unreachable_reason or UNKNOWN)[:120]),
                )
            )
        lines.append(_("unreachable.how_to_fix"))
        keyboard = paged_choices(
            [],  # a list to read, not to choose from: only the ‹ › buttons
            found.total,
            offset,
            label=str,
            choose=lambda _item: UnreachableCb(),
            page=lambda at: UnreachableCb(offset=at),
        )
        return "\n".join(lines), keyboard

    return page


async def show(
    message: Message, session: AsyncSession, person: Person, settings: Settings
) -> None:
    await send_list(message, _view(session, person, settings))


async def turn_page(
    query: CallbackQuery,
    callback_data: UnreachableCb,
    session: AsyncSession,
    person: Person,
    settings: Settings,
) -> None:
    await turn_list_page(query, _view(session, person, settings), callback_data.offset)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show, Command("unreachable"))
    router.callback_query.register(turn_page, UnreachableCb.filter(F.offset >= 0))
    return router
