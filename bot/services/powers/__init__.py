"""Power inventory (清权确权): staff inventory the powers of their post, reviewers confirm them
(`changes`); categories per unit (`categories`); lists and totals (`inventory`)."""

from bot.services.powers.categories import categories_for, set_categories
from bot.services.powers.changes import (
    POWER_MOVES,
    add_power,
    edit_power,
    move_power,
    review_power,
    withdraw_power,
)
from bot.services.powers.common import (
    EDITABLE,
    OPEN_STATUSES,
    TEXT_FIELDS,
    PowerDraft,
    text_or_refuse,
)
from bot.services.powers.inventory import (
    PowerCounts,
    counts,
    get_visible,
    powers_of_post,
    waiting_for_review,
)

__all__ = [
    "EDITABLE",
    "OPEN_STATUSES",
    "POWER_MOVES",
    "TEXT_FIELDS",
    "PowerCounts",
    "PowerDraft",
    "add_power",
    "categories_for",
    "counts",
    "edit_power",
    "get_visible",
    "move_power",
    "powers_of_post",
    "review_power",
    "set_categories",
    "text_or_refuse",
    "waiting_for_review",
    "withdraw_power",
]
