"""The router tree, in the order updates should meet it."""

from __future__ import annotations

from aiogram import Router

from bot.roles import Role
from handlers import errors
from handlers.admin import invite
from handlers.common import cancel, fallback, help, language, start
from handlers.filters import HasRole, IsPrivate


def build_router() -> Router:
    """A fresh router tree (a router joins one dispatcher only; tests build several).

    Private chats only; audiences nest under routers that carry their guard.
    """
    root = Router(name="root")
    root.message.filter(IsPrivate())
    root.callback_query.filter(IsPrivate())

    # /cancel first so it leaves any flow, whatever that flow's handlers would take.
    root.include_routers(
        cancel.create_router(),
        start.create_router(),
        help.create_router(),
        language.create_router(),
    )

    admin = Router(name="admin")
    admin.message.filter(HasRole(Role.ADMIN))
    admin.callback_query.filter(HasRole(Role.ADMIN))
    admin.include_routers(invite.create_router())
    root.include_router(admin)

    root.include_router(fallback.create_router())
    root.include_router(errors.create_router())
    return root
