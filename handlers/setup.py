"""The router tree, in the order updates should meet it."""

from __future__ import annotations

from aiogram import Router

from bot.domain.roles import Role
from handlers import errors
from handlers.admin import assessment, broadcast, campaign, categories, invite, unreachable
from handlers.admin import publicity as admin_publicity
from handlers.common import cancel, fallback, help, language, rules, start
from handlers.filters import HasRole, IsPrivate
from handlers.inline_filters import run_filters_inline
from handlers.leader import digest as leader_digest
from handlers.leader import overview as leader_overview
from handlers.leader import report as leader_report
from handlers.public import browse as public_browse
from handlers.public import feedback_flow, feedback_track
from handlers.public import subscribe as public_subscribe
from handlers.reviewer import feedback_inbox
from handlers.reviewer import register as reviewer_register
from handlers.reviewer import reopen as reviewer_reopen
from handlers.reviewer import review as reviewer_review
from handlers.staff import (
    measures,
    peer,
    power_edit,
    powers,
    regrading,
    regrading_measures,
    risks,
)
from handlers.ui.context import ContextMiddleware


def _audience(name: str, roles: tuple[Role, ...], *routers: Router) -> Router:
    """A router for the people holding one of `roles`, carrying its guard for both kinds."""
    audience = Router(name=name)
    audience.message.filter(HasRole(*roles))
    audience.callback_query.filter(HasRole(*roles))
    audience.include_routers(*routers)
    return audience


def build_router() -> Router:
    """A fresh router tree (a router joins one dispatcher only; tests build several).

    Private chats only; audiences nest under routers that carry their guard.
    """
    root = Router(name="root")
    root.message.filter(IsPrivate())
    root.callback_query.filter(IsPrivate())
    root.message.middleware(ContextMiddleware())
    root.callback_query.middleware(ContextMiddleware())

    # /cancel first so it leaves any flow, whatever that flow's handlers would take.
    # The citizens' feedback steps early: a text typed in the flow is theirs, not a command's.
    root.include_routers(
        cancel.create_router(),
        feedback_flow.create_router(),
        feedback_track.create_router(),
        start.create_router(),
        help.create_router(),
        language.create_router(),
    )

    root.include_router(
        _audience(
            "admin",
            (Role.ADMIN,),
            invite.create_router(),
            categories.create_router(),
            broadcast.create_router(),
            campaign.create_router(),
            unreachable.create_router(),
            admin_publicity.create_router(),
            assessment.create_router(),
        )
    )

    # The risk register: staff (and leaders, staff for their own posts) declare; reviewers
    # and the commission review, propose and export; anyone with a role reads the rules.
    root.include_router(
        _audience(
            "staff",
            (Role.STAFF, Role.LEADER),
            powers.create_router(),
            power_edit.create_router(),
            risks.create_router(),
            regrading.create_router(),
            regrading_measures.create_router(),
            measures.create_router(),
            peer.create_peer_router(),
        )
    )
    root.include_router(
        _audience(
            "reviewers",
            (Role.REVIEWER, Role.ADMIN),
            reviewer_register.create_router(),
            reviewer_review.create_router(),
            reviewer_reopen.create_router(),
            feedback_inbox.create_router(),
        )
    )
    # Leaders and the commission: the programme's documents, for their scope.
    root.include_router(
        _audience(
            "leaders",
            (Role.LEADER, Role.ADMIN),
            leader_report.create_router(),
        )
    )
    root.include_router(
        _audience("members", (*Role,), rules.create_router(), peer.create_history_router())
    )
    # Everyone, citizens included (the commission's /publicity was met in `admin`).
    root.include_routers(public_browse.create_router(), public_subscribe.create_router())
    # Leaders, reviewers and the commission: the service decides each one's scope and tells
    # anyone else, in words, who the overview is for (no role guard on this router).
    root.include_routers(leader_overview.create_router(), leader_digest.create_router())

    root.include_router(fallback.create_router())
    root.include_router(errors.create_router())
    run_filters_inline(root)
    return root
