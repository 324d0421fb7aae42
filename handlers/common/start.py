"""/start: a citizen's welcome, or an invitation that binds a staff account."""

from __future__ import annotations

from aiogram import Bot, F, Router, html
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.domain.clock import Clock
from bot.services import people
from bot.services.invitations import accept_invitation
from bot.services.publicity.lookup import CODE_PREFIX, code_from_payload
from handlers.command_menu import keep_person_menu, set_person_menu
from handlers.common.help import help_text
from handlers.public.browse import open_from_link
from handlers.ui.context import Ctx
from storage.models.org import Person


async def start_with_invitation(
    message: Message,
    command: CommandObject,
    ctx: Ctx,
    bot: Bot,
    locale: str,
) -> None:
    accepted = await accept_invitation(
        ctx.session, ctx.clock, person=ctx.person, code=command.args or ""
    )
    bound = accepted.person
    people.mark_started(ctx.clock, bound)
    await ctx.session.refresh(bound, ["unit", "post"])
    # The menu first: by the time the greeting arrives, the app shows the new commands.
    await set_person_menu(bot, message.chat.id, bound.roles, locale)
    await message.answer(
        _("start.invitation_accepted").format(
            name=html.quote(bound.name),
            unit=html.quote(bound.unit.name if bound.unit else "-"),
            post=html.quote(bound.post.name if bound.post else "-"),
        )
        + "\n\n"
        + help_text(bound.roles)
    )


async def start_with_feedback_link(message: Message, command: CommandObject, ctx: Ctx) -> None:
    """A channel post's deep link (`fb_<code>`): the public card of that risk point."""
    code = code_from_payload(command.args)
    if code is None:
        await message.answer(_("publicity.not_found"))
        return
    await open_from_link(message, ctx, code)


async def start(message: Message, person: Person, bot: Bot, clock: Clock, locale: str) -> None:
    first = people.mark_started(clock, person)
    if person.roles:
        # People imported with their Telegram id never opened an invitation: /start gives
        # them their own command menu (before the reply, so the two arrive in that order),
        # unless this process set them that same menu already (a /start to go home).
        await keep_person_menu(bot, message.chat.id, person.roles, locale)
        welcome = _("start.welcome_first") if first else _("start.welcome_back")
        greeting = welcome.format(name=html.quote(person.name))
    else:
        greeting = _("start.welcome_citizen")
    await message.answer(greeting + "\n\n" + help_text(person.roles))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(
        start_with_feedback_link,
        CommandStart(deep_link=True, magic=F.args.startswith(CODE_PREFIX)),
    )
    router.message.register(start_with_invitation, CommandStart(deep_link=True))
    router.message.register(start, CommandStart())
    return router
