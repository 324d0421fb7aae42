"""The five-step review of risk points: every move goes through `transition()`.

岗位自评 → 社会评议 → 分级评审 → 组织审定 → 社会公示, routed by level (分级管理、分级负责) and
re-graded periodically (定期调整). The rules themselves are pure and live elsewhere —
`bot.domain.risk_workflow` (which move is legal, for whom), `bot.domain.grading` (the
suggested level), `bot.domain.review_routing` (which tier handles a level) — this package
applies them to the database: it works out who the person is *for this record*
(`situation`), checks and applies the move with its declared effects (`transition`,
`effects`), and queues the notices (`notices`, `audience`), all in the caller's transaction.

Authority is decided here, never from a button: a card's button carries only the risk id and
the version the card showed; a stale version or a move that no longer exists is refused
with a message saying why, and changes nothing.
"""

from bot.services.review.audience import people_for_route
from bot.services.review.inbox import (
    InboxKind,
    history,
    inbox,
    notes_of,
    peer_items,
    return_comment,
    social_closes_at,
    units_in_scope,
)
from bot.services.review.model import (
    COMMENT_MAX,
    SCHEDULER_CHANNEL,
    Decision,
    NoteKind,
    ReviewConfig,
    Situation,
)
from bot.services.review.situation import (
    actors_for,
    can_see,
    grade_of,
    require_person,
    review_row,
    reviewer_scopes,
    reviewer_units,
    situation,
    unit_chain,
)
from bot.services.review.transition import (
    check_may,
    close_due_social_reviews,
    enter_review,
    mark_publicised,
    mark_regrading_due,
    move,
    open_submitted,
    transition,
)

__all__ = [
    "COMMENT_MAX",
    "SCHEDULER_CHANNEL",
    "Decision",
    "InboxKind",
    "NoteKind",
    "ReviewConfig",
    "Situation",
    "actors_for",
    "can_see",
    "check_may",
    "close_due_social_reviews",
    "enter_review",
    "grade_of",
    "history",
    "inbox",
    "mark_publicised",
    "mark_regrading_due",
    "move",
    "notes_of",
    "open_submitted",
    "peer_items",
    "people_for_route",
    "require_person",
    "return_comment",
    "review_row",
    "reviewer_scopes",
    "reviewer_units",
    "situation",
    "social_closes_at",
    "transition",
    "unit_chain",
    "units_in_scope",
]
