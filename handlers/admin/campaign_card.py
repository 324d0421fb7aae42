"""/campaign's list of campaigns and a campaign's card: done / missing per unit, names on
demand, refresh, close; edited in place. The service re-checks the admin's scope on every press."""

from __future__ import annotations

from aiogram import html
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.campaign_rules import CampaignStatus, Requirement, percent
from bot.domain.errors import ServiceError
from bot.services import campaigns as service
from handlers.admin.campaign_ui import (
    CARD_UNITS,
    NAME_BUTTONS,
    NAMES_LISTED,
    requirement_label,
)
from handlers.callbacks import CampaignAction, CampaignCb
from handlers.ui.context import Ctx
from handlers.ui.pickers import button, buttons
from handlers.ui.query import edit_in_place
from handlers.ui.routes import Presses
from storage.models.campaign import Campaign

# --- the list -----------------------------------------------------------------------------------


PRESSES = Presses(CampaignCb)


async def _list_view(ctx: Ctx) -> tuple[str, InlineKeyboardMarkup]:
    found = await service.campaigns_for(ctx.session, ctx.person)
    builder = InlineKeyboardBuilder()
    for campaign in found:
        progress = await service.progress_of(ctx.session, campaign)
        mark = "🟢" if campaign.status == CampaignStatus.ACTIVE.value else "⚪️"
        label = f"{mark} {campaign.name} · {percent(progress.done, progress.total)}%"
        builder.button(
            text=label[:60], callback_data=CampaignCb(action=CampaignAction.OPEN, cid=campaign.id)
        )
    builder.button(text=_("campaign.new"), callback_data=CampaignCb(action=CampaignAction.NEW))
    builder.adjust(1)
    text = _("campaign.list_title") if found else _("campaign.list_empty")
    return text, builder.as_markup()


async def start(message: Message, state: FSMContext, ctx: Ctx) -> None:
    await state.clear()
    text, keyboard = await _list_view(ctx)
    await message.answer(text, reply_markup=keyboard)


@PRESSES.on(CampaignAction.LIST)
async def show_list(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    text, keyboard = await _list_view(ctx)
    await state.clear()
    await query.answer()
    await edit_in_place(query, text, keyboard)


# --- the card -----------------------------------------------------------------------------------


async def card_view(session: AsyncSession, campaign: Campaign) -> tuple[str, InlineKeyboardMarkup]:
    progress = await service.progress_of(session, campaign)
    active = campaign.status == CampaignStatus.ACTIVE.value
    lines = [
        _("campaign.card").format(
            name=html.quote(campaign.name),
            requirement=requirement_label(Requirement(campaign.requirement)),
            deadline=campaign.deadline.isoformat(),
            status=_("campaign.status_active") if active else _("campaign.status_closed"),
            done=progress.done,
            total=progress.total,
            percent=percent(progress.done, progress.total),
        )
    ]
    for unit in progress.units[:CARD_UNITS]:
        lines.append(
            _("campaign.card_unit").format(
                unit=html.quote(unit.unit.path),
                done=unit.done,
                total=len(unit.posts),
                missing=len(unit.missing),
                percent=percent(unit.done, len(unit.posts)),
            )
        )
    if len(progress.units) > CARD_UNITS:
        lines.append("…")
    if not progress.units:
        lines.append(_("campaign.no_posts"))
    builder = InlineKeyboardBuilder()
    lagging = [unit for unit in progress.units if unit.missing][:NAME_BUTTONS]
    for unit in lagging:
        label = _("campaign.names").format(unit=unit.unit.name)[:60]
        builder.row(
            button(
                label, CampaignCb(action=CampaignAction.NAMES, cid=campaign.id, value=unit.unit.id)
            )
        )
    refresh = CampaignCb(action=CampaignAction.OPEN, cid=campaign.id, value=1)
    controls = [button(_("campaign.refresh"), refresh)]
    if active:
        controls.append(
            button(_("campaign.close"), CampaignCb(action=CampaignAction.CLOSE, cid=campaign.id))
        )
    builder.row(*controls)
    builder.row(button(_("campaign.back"), CampaignCb(action=CampaignAction.LIST)))
    return "\n".join(lines), builder.as_markup()


@PRESSES.on(CampaignAction.OPEN)
async def open_card(query: CallbackQuery, callback_data: CampaignCb, ctx: Ctx) -> None:
    campaign = await service.get_for(ctx.session, ctx.person, callback_data.cid)
    await query.answer(_("campaign.refreshed") if callback_data.value else None)
    text, keyboard = await card_view(ctx.session, campaign)
    await edit_in_place(query, text, keyboard)


@PRESSES.on(CampaignAction.NAMES)
async def names(query: CallbackQuery, callback_data: CampaignCb, ctx: Ctx) -> None:
    campaign = await service.get_for(ctx.session, ctx.person, callback_data.cid)
    progress = await service.progress_of(ctx.session, campaign)
    unit = next((u for u in progress.units if u.unit.id == callback_data.value), None)
    if unit is None:
        raise ServiceError("fallback.stale_button")
    await query.answer()
    lines = [
        _("campaign.names_title").format(
            name=html.quote(campaign.name), unit=html.quote(unit.unit.path)
        )
    ]
    for post in unit.missing[:NAMES_LISTED]:
        holders = "、".join(html.quote(p.name) for p in post.holders) or _("campaign.vacant")
        lines.append(
            _("campaign.names_line").format(post=html.quote(post.post.name), holders=holders)
        )
    if len(unit.missing) > NAMES_LISTED:
        lines.append("…")
    if not unit.missing:
        lines.append(_("campaign.names_none"))
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("campaign.back"),
        callback_data=CampaignCb(action=CampaignAction.OPEN, cid=campaign.id),
    )
    await edit_in_place(query, "\n".join(lines), builder.as_markup())


@PRESSES.on(CampaignAction.CLOSE)
async def ask_close(query: CallbackQuery, callback_data: CampaignCb, ctx: Ctx) -> None:
    campaign = await service.get_for(ctx.session, ctx.person, callback_data.cid)
    if campaign.status != CampaignStatus.ACTIVE.value:
        raise ServiceError("campaign.already_closed")
    await query.answer()
    keyboard = buttons(
        (_("campaign.close_yes"), CampaignCb(action=CampaignAction.CLOSE_YES, cid=campaign.id)),
        (_("campaign.close_no"), CampaignCb(action=CampaignAction.OPEN, cid=campaign.id)),
        columns=2,
    )
    text = _("campaign.close_confirm").format(name=html.quote(campaign.name))
    await edit_in_place(query, text, keyboard)


@PRESSES.on(CampaignAction.CLOSE_YES)
async def close(query: CallbackQuery, callback_data: CampaignCb, ctx: Ctx) -> None:
    campaign = await service.close_campaign(
        ctx.session, ctx.clock, actor=ctx.person, campaign_id=callback_data.cid
    )
    await query.answer(_("campaign.closed"))
    text, keyboard = await card_view(ctx.session, campaign)
    await edit_in_place(query, text, keyboard)
