"""/campaign: the list of campaigns with progress; a new one by name → units → requirement →
deadline → preview → confirm; a campaign's card (done / missing per unit, names on demand,
refresh, close) edits itself in place.

The parent router admits admins only; the service checks the actor and their scope again on
every step (a forged or stale button changes nothing). The wizard's answers live in FSM data,
which is persistent, so a restart mid-way resumes where the admin was.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter

from handlers.admin.campaign_card import ask_close, close, names, open_card, show_list, start
from handlers.admin.campaign_ui import CampaignFlow
from handlers.admin.campaign_wizard import (
    abort,
    all_units,
    choose_requirement,
    create,
    enter_deadline,
    enter_name,
    new,
    not_text,
    quick_deadline,
    toggle_unit,
    units_done,
    units_page,
)
from handlers.callbacks import CampaignAction, CampaignCb
from handlers.ui.routes import presses


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start, Command("campaign"))
    for step, typed in ((CampaignFlow.name, enter_name), (CampaignFlow.deadline, enter_deadline)):
        router.message.register(typed, step, F.text)
        router.message.register(not_text, step)
    presses(
        router,
        CampaignCb,
        (show_list, CampaignAction.LIST),
        (new, CampaignAction.NEW),
        (toggle_unit, CampaignAction.TOGGLE, CampaignFlow.units),
        (units_page, CampaignAction.PAGE, CampaignFlow.units),
        (all_units, CampaignAction.ALL, CampaignFlow.units),
        (units_done, CampaignAction.UNITS_DONE, CampaignFlow.units),
        (choose_requirement, CampaignAction.REQ, CampaignFlow.requirement),
        (quick_deadline, CampaignAction.DAYS, CampaignFlow.deadline),
        (create, CampaignAction.CREATE, CampaignFlow.confirm),
        (abort, CampaignAction.ABORT, StateFilter(CampaignFlow)),
        (open_card, CampaignAction.OPEN),
        (names, CampaignAction.NAMES),
        (ask_close, CampaignAction.CLOSE),
        (close, CampaignAction.CLOSE_YES),
    )
    return router
