"""Campaigns (专项工作): create, read progress, close; and the daily reminder scan.

Authority is decided here, from the database, for every call (a button's payload is never
trusted): only admins act on campaigns, and an admin acts only within their scope —

* the commission (纪委): an admin whose role has no unit, sits at the district (the root), or
  in a district-level office directly under it with no sub-units of its own (区纪委) — every
  unit;
* a unit admin: an admin whose role is scoped to a unit with sub-units (a bureau) — that unit
  and its subtree. A campaign is theirs to see and close only if all its units lie there.

"Done" is never stored: it is recomputed from the register on every read and every reminder
run (`bot.domain.campaign_rules.post_done`), so the moment a post's work is done it stops being
reminded. Reminders are outbox rows keyed ``campaign:<id>:<person>:<offset tag>``.
"""

from bot.services.campaigns.lifecycle import (
    Preview,
    close_campaign,
    create_campaign,
    preview,
    remind,
)
from bot.services.campaigns.progress import (
    PostProgress,
    Progress,
    UnitProgress,
    campaigns_for,
    check_deadline,
    check_name,
    check_requirement,
    compute_progress,
    get_for,
    progress_of,
)
from bot.services.campaigns.scope import (
    DEADLINE_MAX_DAYS,
    KIND,
    LISTED,
    admin_scope,
    check_units,
    pickable_units,
    plan_of,
    subtree_ids,
    today_of,
    top_units_in_scope,
)

__all__ = [
    "DEADLINE_MAX_DAYS",
    "KIND",
    "LISTED",
    "PostProgress",
    "Preview",
    "Progress",
    "UnitProgress",
    "admin_scope",
    "campaigns_for",
    "check_deadline",
    "check_name",
    "check_requirement",
    "check_units",
    "close_campaign",
    "compute_progress",
    "create_campaign",
    "get_for",
    "pickable_units",
    "plan_of",
    "preview",
    "progress_of",
    "remind",
    "subtree_ids",
    "today_of",
    "top_units_in_scope",
]
