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


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start, Command("campaign"))
    router.callback_query.register(show_list, CampaignCb.filter(F.action == CampaignAction.LIST))
    router.callback_query.register(new, CampaignCb.filter(F.action == CampaignAction.NEW))
    router.message.register(enter_name, CampaignFlow.name, F.text)
    router.message.register(not_text, CampaignFlow.name)
    router.callback_query.register(
        toggle_unit, CampaignFlow.units, CampaignCb.filter(F.action == CampaignAction.TOGGLE)
    )
    router.callback_query.register(
        units_page, CampaignFlow.units, CampaignCb.filter(F.action == CampaignAction.PAGE)
    )
    router.callback_query.register(
        all_units, CampaignFlow.units, CampaignCb.filter(F.action == CampaignAction.ALL)
    )
    router.callback_query.register(
        units_done, CampaignFlow.units, CampaignCb.filter(F.action == CampaignAction.UNITS_DONE)
    )
    router.callback_query.register(
        choose_requirement,
        CampaignFlow.requirement,
        CampaignCb.filter(F.action == CampaignAction.REQ),
    )
    router.message.register(enter_deadline, CampaignFlow.deadline, F.text)
    router.message.register(not_text, CampaignFlow.deadline)
    router.callback_query.register(
        quick_deadline, CampaignFlow.deadline, CampaignCb.filter(F.action == CampaignAction.DAYS)
    )
    router.callback_query.register(
        create, CampaignFlow.confirm, CampaignCb.filter(F.action == CampaignAction.CREATE)
    )
    router.callback_query.register(
        abort, StateFilter(CampaignFlow), CampaignCb.filter(F.action == CampaignAction.ABORT)
    )
    router.callback_query.register(open_card, CampaignCb.filter(F.action == CampaignAction.OPEN))
    router.callback_query.register(names, CampaignCb.filter(F.action == CampaignAction.NAMES))
    router.callback_query.register(ask_close, CampaignCb.filter(F.action == CampaignAction.CLOSE))
    router.callback_query.register(close, CampaignCb.filter(F.action == CampaignAction.CLOSE_YES))
    return router
