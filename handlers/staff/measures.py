"""/measures: the measures I answer for (落实责任主体), overdue ones marked; report on one.

A report is a status (in progress / done / blocked) and a short evidence note (实施考核监督).
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.domain.register_rules import NOTE_MAX, is_overdue, local_today
from bot.services import risks as risk_service
from bot.services.risks.measures import reportable_measure
from bot.settings import Settings
from handlers.callbacks import ListName, MeasureAction, MeasureCb
from handlers.register_ui import (
    alert,
    ask,
    day,
    measure_status_label,
    quote,
    reask,
    register_prompt,
)
from handlers.ui.pager import Page, Pager, Screen
from handlers.ui.pickers import PAGE_SIZE
from handlers.ui.query import message_of
from handlers.ui.steps import finish_step, typed
from storage.models.org import Person
from storage.models.register import ControlMeasure, MeasureStatus

REPORT_STATUSES = (
    MeasureStatus.IN_PROGRESS.value,
    MeasureStatus.DONE.value,
    MeasureStatus.BLOCKED.value,
)


class MeasureReportFlow(StatesGroup):
    note = State()


register_prompt(MeasureReportFlow.note, "measures.ask_note")


async def _list_page(screen: Screen, offset: int) -> Page:
    today = local_today(screen.clock.now(), screen.settings.timezone)
    items, total = await risk_service.measures_of(
        screen.session, screen.person, offset=offset, limit=PAGE_SIZE
    )
    text = _("measures.list_title").format(total=total)
    if not total:
        text += "\n" + _("measures.empty")

    def label(m: ControlMeasure) -> str:
        mark = _("measures.overdue_mark") if is_overdue(m.deadline, m.status, today) else ""
        return (
            _("measures.item").format(
                deadline=day(m.deadline), status=measure_status_label(m.status), action=m.action
            )
            + mark
        )

    keyboard = MEASURES.keyboard(
        items,
        total,
        offset,
        label=label,
        choose=lambda m: MeasureCb(action=MeasureAction.OPEN, id=m.id),
    )
    return text, keyboard


MEASURES = Pager(ListName.MEASURES, _list_page)


async def open_measure(
    query: CallbackQuery,
    callback_data: MeasureCb,
    session: AsyncSession,
    person: Person,
    clock: Clock,
    settings: Settings,
) -> None:
    measure = await session.get(ControlMeasure, callback_data.id)
    visible = measure is not None and (
        measure.responsible_id == person.id or risk_service.is_holder(person, measure.risk)
    )
    if not visible or measure is None:
        await alert(query, ServiceError("register.not_found"))
        return
    await query.answer()
    today = local_today(clock.now(), settings.timezone)
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
    query: CallbackQuery, callback_data: MeasureCb, state: FSMContext, session: AsyncSession,
    person: Person,
) -> None:  # fmt: skip
    if not 0 <= callback_data.value < len(REPORT_STATUSES):
        await query.answer(_("fallback.stale_button"), show_alert=True)
        return
    await reportable_measure(session, person, callback_data.id)  # authority before the question
    await query.answer()
    await state.clear()
    status = REPORT_STATUSES[callback_data.value]
    await state.update_data(
        measure_id=callback_data.id,
        status=status,
        _prompt_values={"status": measure_status_label(status)},
    )
    await state.set_state(MeasureReportFlow.note)
    await ask(message_of(query), state)


async def enter_note(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    person: Person,
    settings: Settings,
) -> None:
    data = await state.get_data()
    note = typed(message.text, NOTE_MAX)
    measure = await finish_step(state, risk_service.report_measure(
        session, clock, actor=person, measure_id=data["measure_id"], status=data["status"],
        note=note, settings=settings,
    ))  # fmt: skip
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
