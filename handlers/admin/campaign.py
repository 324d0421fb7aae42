"""/campaign: the list of campaigns with progress; a new one by name → units → requirement →
deadline → preview → confirm; a campaign's card (done / missing per unit, names on demand,
refresh, close) edits itself in place.

The parent router admits admins only; the service checks the actor and their scope again on
every step (a forged or stale button changes nothing). The wizard's answers live in FSM data,
which is persistent, so a restart mid-way resumes where the admin was.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command

from handlers.admin import campaign_card, campaign_wizard
from handlers.admin.campaign_card import start
from handlers.admin.campaign_ui import CampaignFlow
from handlers.admin.campaign_wizard import enter_deadline, enter_name, not_text


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start, Command("campaign"))
    for step, typed in ((CampaignFlow.name, enter_name), (CampaignFlow.deadline, enter_deadline)):
        router.message.register(typed, step, F.text)
        router.message.register(not_text, step)
    campaign_card.PRESSES.register(router)
    campaign_wizard.PRESSES.register(router)
    return router
