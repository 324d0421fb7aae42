"""/measures: the measures I answer for (落实责任主体), overdue ones marked; report on one.

A report is a status (in progress / done / blocked) and a short evidence note (实施考核监督).
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.register_rules import NOTE_MAX, is_overdue
from bot.services import risks as risk_service
from handlers.callbacks import ListName, MeasureAction, MeasureCb
from handlers.register_ui import (
    Question,
    day,
    measure_status_label,
    quote,
    reask,
)
from handlers.ui.context import Ctx
from handlers.ui.labels import list_label
from handlers.ui.once import create_once
from handlers.ui.pager import Page, Pager, Screen
from handlers.ui.pickers import PAGE_SIZE
from handlers.ui.query import message_of
from handlers.ui.refusals import step_data
from handlers.ui.steps import chosen_index, finish_step, next_step, typed
from storage.models.register import ControlMeasure, MeasureStatus

REPORT_STATUSES = (
    MeasureStatus.IN_PROGRESS.value,
    MeasureStatus.DONE.value,
    MeasureStatus.BLOCKED.value,
)


class MeasureReportFlow(StatesGroup):
    note = Question("measures.ask_note")


async def _list_page(screen: Screen, offset: int) -> Page:
    today = screen.today()
    items, total = await risk_service.measures_of(
        screen.session, screen.person, offset=offset, limit=PAGE_SIZE
    )
    text = _("measures.list_title").format(total=total)
    if not total:
        text += "\n" + _("measures.empty")

    def mark(m: ControlMeasure) -> str:
        return _("measures.overdue_mark") if is_overdue(m.deadline, m.status, today) else ""

    def line(m: ControlMeasure) -> str:
        return _("measures.item").format(
            deadline=day(m.deadline),
            status=measure_status_label(m.status),
            action=quote(list_label(None, m.action)),
        ) + mark(m)

    text = "\n".join([text, *(line(m) for m in items)])
    keyboard = MEASURES.keyboard(
        items,
        total,
        offset,
        label=lambda m: list_label(None, m.action) + mark(m),
        choose=lambda m: MeasureCb(action=MeasureAction.OPEN, id=m.id),
    )
    return text, keyboard


MEASURES = Pager(ListName.MEASURES, _list_page)


async def open_measure(query: CallbackQuery, callback_data: MeasureCb, ctx: Ctx) -> None:
    measure = await risk_service.reportable_measure(ctx.session, ctx.person, callback_data.id)
    await query.answer()
    today = ctx.today()
    text = _("measures.card").format(
        action=quote(measure.action),
        risk=quote(measure.risk.description),
        who=quote(measure.responsible_name),
        deadline=day(measure.deadline),
        status=measure_status_label(measure.status),
    )
    if is_overdue(measure.deadline, measure.status, today):
        text += "\n" + _("measures.overdue")
    builder = InlineKeyboardBuilder()
    for index, status in enumerate(REPORT_STATUSES):
        builder.button(
            text=_("measures.report_as").format(status=measure_status_label(status)),
            callback_data=MeasureCb(action=MeasureAction.STATUS, id=measure.id, value=index),
        )
    builder.adjust(1)
    await message_of(query).answer(text, reply_markup=builder.as_markup())


async def choose_status(
    query: CallbackQuery,
    callback_data: MeasureCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    status = REPORT_STATUSES[chosen_index(callback_data.value, REPORT_STATUSES)]
    await risk_service.reportable_measure(ctx.session, ctx.person, callback_data.id)  # or refused
    await state.clear()
    prompt_values = {"status": measure_status_label(status)}
    await next_step(
        query,
        state,
        MeasureReportFlow.note,
        measure_id=callback_data.id,
        status=status,
        _prompt_values=prompt_values,
    )


async def enter_note(message: Message, state: FSMContext, ctx: Ctx) -> None:
    data = await step_data(state)
    note = typed(message.text, NOTE_MAX)
    measure = await finish_step(state, create_once(state, ctx, ControlMeasure, lambda: (
        risk_service.report_measure(
            ctx.session, ctx.clock, actor=ctx.person, measure_id=data["measure_id"],
            status=data["status"], note=note, settings=ctx.settings,
        )
    )))  # fmt: skip
    await message.answer(
        _("measures.reported").format(
            action=quote(measure.action), status=measure_status_label(measure.status)
        )
    )


def create_router() -> Router:
    router = Router(name=__name__)
    MEASURES.register(router, command="measures")
    router.callback_query.register(open_measure, MeasureCb.filter(F.action == MeasureAction.OPEN))
    router.callback_query.register(
        choose_status, MeasureCb.filter(F.action == MeasureAction.STATUS)
    )
    router.message.register(enter_note, MeasureReportFlow.note, F.text, ~F.text.startswith("/"))
    router.message.register(reask, MeasureReportFlow.note, ~F.text)
    return router
