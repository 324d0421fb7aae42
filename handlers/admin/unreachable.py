"""/unreachable: the people the bot can't write to (blocked it, deactivated), for admins,
paged, with what to do about it. The service decides whose names an admin may see."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.domain import local_time
from bot.services.unreachable import unreachable_page
from handlers.callbacks import ListName
from handlers.register_ui import quote
from handlers.ui.pager import Page, Pager, Screen
from handlers.ui.pickers import PAGE_SIZE

UNKNOWN = "—"


async def _page(screen: Screen, offset: int) -> Page:
    tz = screen.settings.timezone
    found = await unreachable_page(screen.session, screen.person, offset, PAGE_SIZE)
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
                since=local_time.minute(since, tz) if since else UNKNOWN,
                reason=quote((someone.unreachable_reason or UNKNOWN)[:120]),
            )
        )
    lines.append(_("unreachable.how_to_fix"))
    return "\n".join(lines), UNREACHABLE.reading_keyboard(found.total, offset)


UNREACHABLE = Pager(ListName.UNREACHABLE, _page, leaves_flow=False)


def create_router() -> Router:
    router = Router(name=__name__)
    UNREACHABLE.register(router, command="unreachable")
    return router
