"""Small renderers the publicity screens share (in the current person's language)."""

from __future__ import annotations

from datetime import datetime

from aiogram.utils.i18n import gettext as _

from bot.domain import local_time
from bot.i18n import N_

LEVEL_LABEL_KEYS: dict[int, str] = {
    1: N_("publicity.count.level1"),
    2: N_("publicity.count.level2"),
    3: N_("publicity.count.level3"),
    0: N_("publicity.count.level_none"),
}


def when(moment: datetime, timezone: str) -> str:
    return local_time.minute(moment, timezone)


def level_counts(by_level: dict[int, int]) -> str:
    """一级 3，二级 5 … for the levels present."""
    parts = [
        _(LEVEL_LABEL_KEYS[level]).format(count=by_level[level])
        for level in (1, 2, 3, 0)
        if by_level.get(level)
    ]
    return _("publicity.count.separator").join(parts)
