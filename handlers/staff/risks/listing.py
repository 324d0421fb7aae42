"""/risks: my post's risk points, a page at a time."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.services import risks as risk_service
from handlers.callbacks import ListName, RiskAction, RiskCb
from handlers.register_ui import (
    level_label,
    quote,
    state_label,
)
from handlers.ui.labels import list_label
from handlers.ui.pager import Page, Pager, Screen
from handlers.ui.pickers import PAGE_SIZE

# --- the list and the card ------------------------------------------------------------------


async def _list_page(screen: Screen, offset: int) -> Page:
    session, person, post = screen.session, screen.person, await screen.own_post()
    items, total = await risk_service.risks_of_post(
        session, person, post.id, offset=offset, limit=PAGE_SIZE
    )
    lines = [_("risks.list_title").format(post=quote(post.name), total=total)]
    if not total:
        lines.append(_("risks.empty"))
    lines += [
        _("risks.item").format(
            level=level_label(r.level or r.suggested_level),
            status=state_label(r.status),
            description=quote(list_label(r.id, r.description)),
        )
        for r in items
    ]
    keyboard = RISKS.keyboard(
        items,
        total,
        offset,
        label=lambda r: list_label(r.id, r.description),
        choose=lambda r: RiskCb(action=RiskAction.OPEN, id=r.id),
        extra=[(_("risks.declare"), RiskCb(action=RiskAction.DECLARE))],
    )
    return "\n".join(lines), keyboard


RISKS = Pager(ListName.RISKS, _list_page)
