"""/rules: the rule register (完善制度) — browse the rules in force for my unit; reviewers and
the commission add one (unit → title → kind → issued date → 三重一大 flag)."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy import func, select

from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.register_rules import (
    RULE_KIND_MAX,
    RULE_TITLE_MAX,
    DateRefused,
    parse_date,
)
from bot.domain.roles import Role
from bot.services.register_access import reviewed_unit_ids
from bot.services.rules_register import add_rule, rules_for_unit
from handlers.callbacks import ListName, RuleAction, RuleCb
from handlers.register_ui import Question, ask, day, quote
from handlers.ui.context import Ctx
from handlers.ui.labels import DATE_REFUSED, MATTER, label
from handlers.ui.once import create_once
from handlers.ui.pager import Page, Pager, Screen
from handlers.ui.pickers import PAGE_SIZE, choices, paged_choices
from handlers.ui.query import message_of, pressed_record, show_choices
from handlers.ui.refusals import step_data
from handlers.ui.routes import text_steps
from handlers.ui.steps import TextStep, chosen_index, finish_step, typed
from storage.models.org import Person, Unit
from storage.models.register import MajorMatter, Rule

MATTERS = tuple(MajorMatter)


def _skip_keyboard(_data: dict[str, Any]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("rules.skip"), callback_data=RuleCb(action=RuleAction.SKIP))
    return builder.as_markup()


def _matter_keyboard(_data: dict[str, Any]) -> InlineKeyboardMarkup:
    return choices(
        [label(MATTER, matter) for matter in MATTERS],
        lambda index: RuleCb(action=RuleAction.MATTER, value=index),
    )


class AddRule(StatesGroup):
    unit = State()
    title = State()  # asked by TITLE
    kind = Question("rules.ask_kind", _skip_keyboard)
    issued = Question("rules.ask_issued", _skip_keyboard)
    matter = Question("rules.ask_matter", _matter_keyboard)


TITLE = TextStep(
    AddRule.title, "rules.ask_title", RULE_TITLE_MAX, field="title", following=AddRule.kind
)


def _may_add(person: Person) -> bool:
    return person.has_role(Role.REVIEWER, Role.ADMIN)


def _line(rule: Rule) -> str:
    flag = (
        ""
        if rule.major_matter == MajorMatter.NONE.value
        else "【" + label(MATTER, rule.major_matter) + "】"
    )
    return _("rules.item").format(flag=flag, title=quote(rule.title), issued=day(rule.issued_on))


async def _view(screen: Screen, offset: int) -> Page:
    session, person = screen.session, screen.person
    if person.unit_id is not None:
        rules, total = await rules_for_unit(
            session, person.unit_id, offset=offset, limit=PAGE_SIZE
        )
    else:
        total = await session.scalar(select(func.count()).select_from(Rule)) or 0
        rules = list(
            await session.scalars(
                select(Rule).order_by(Rule.id.desc()).offset(offset).limit(PAGE_SIZE)
            )
        )
    lines = [_("rules.title").format(total=total)]
    lines += [_line(rule) for rule in rules] or [_("rules.empty")]
    # A list to read (the rules are in the text), paged; adding is for those who may.
    adding = [(_("rules.add"), RuleCb(action=RuleAction.ADD))] if _may_add(person) else []
    return "\n".join(lines), RULES.reading_keyboard(total, offset, extra=adding)


RULES = Pager(ListName.RULES, _view)


async def _unit_keyboard(ctx: Ctx, offset: int) -> InlineKeyboardMarkup:
    scope = await reviewed_unit_ids(ctx.session, ctx.person)
    query = select(Unit)
    count = select(func.count()).select_from(Unit)
    if scope is not None:
        query, count = (
            query.where(Unit.id.in_(sorted(scope))),
            count.where(Unit.id.in_(sorted(scope))),
        )
    total = await ctx.session.scalar(count) or 0
    units = list(
        await ctx.session.scalars(query.order_by(Unit.path).offset(offset).limit(PAGE_SIZE))
    )
    return paged_choices(
        units, int(total), offset, label=lambda u: u.path,
        choose=lambda u: RuleCb(action=RuleAction.UNIT, id=u.id),
        page=lambda at: RuleCb(action=RuleAction.UNIT_PAGE, id=at),
    )  # fmt: skip


async def start_add(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    if not _may_add(ctx.person):
        raise NotAllowed()
    await query.answer()
    await state.clear()
    await state.set_state(AddRule.unit)
    await message_of(query).answer(_("rules.ask_unit"), reply_markup=await _unit_keyboard(ctx, 0))


async def unit_page(query: CallbackQuery, callback_data: RuleCb, ctx: Ctx) -> None:
    await show_choices(query, await _unit_keyboard(ctx, max(0, callback_data.id)))


async def choose_unit(
    query: CallbackQuery,
    callback_data: RuleCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    unit = await pressed_record(ctx.session, Unit, callback_data.id)
    scope = await reviewed_unit_ids(ctx.session, ctx.person)
    if scope is not None and unit.id not in scope:
        raise ServiceError("fallback.stale_button")
    await query.answer()
    await state.update_data(unit_id=callback_data.id)
    await state.set_state(AddRule.title)
    await ask(message_of(query), state)


async def enter_kind(message: Message, state: FSMContext) -> None:
    kind = typed(message.text, RULE_KIND_MAX)
    await state.update_data(kind=kind)
    await state.set_state(AddRule.issued)
    await ask(message, state)


async def enter_issued(message: Message, state: FSMContext, ctx: Ctx) -> None:
    today = ctx.today()
    try:
        issued = parse_date(message.text or "", today)
        if issued > today:
            raise DateRefused("future")
    except DateRefused as refused:
        await ask(message, state, prefix=label(DATE_REFUSED, refused.reason))
        return
    await state.update_data(issued=issued.isoformat())
    await state.set_state(AddRule.matter)
    await ask(message, state)


async def skip(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    following = AddRule.issued if await state.get_state() == AddRule.kind.state else AddRule.matter
    await state.set_state(following)
    await ask(message_of(query), state)


async def choose_matter(
    query: CallbackQuery,
    callback_data: RuleCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    matter = MATTERS[chosen_index(callback_data.value, MATTERS)]
    data = await step_data(state)
    rule = await finish_step(state, create_once(state, ctx, Rule, lambda: add_rule(
        ctx.session, ctx.clock, actor=ctx.person, unit_id=data["unit_id"], title=data["title"],
        kind=data.get("kind", ""), issued_on=date.fromisoformat(data["issued"]) if
        data.get("issued") else None, major_matter=matter.value,
    )))  # fmt: skip
    await query.answer()
    await message_of(query).edit_text(_("rules.added").format(title=quote(rule.title)))


def create_router() -> Router:
    router = Router(name=__name__)
    RULES.register(router, command="rules")
    router.callback_query.register(start_add, RuleCb.filter(F.action == RuleAction.ADD))
    router.callback_query.register(
        unit_page, AddRule.unit, RuleCb.filter(F.action == RuleAction.UNIT_PAGE)
    )
    router.callback_query.register(
        choose_unit, AddRule.unit, RuleCb.filter(F.action == RuleAction.UNIT)
    )
    router.callback_query.register(skip, AddRule.kind, RuleCb.filter(F.action == RuleAction.SKIP))
    router.callback_query.register(
        skip, AddRule.issued, RuleCb.filter(F.action == RuleAction.SKIP)
    )
    router.callback_query.register(
        choose_matter, AddRule.matter, RuleCb.filter(F.action == RuleAction.MATTER)
    )
    TITLE.register(router)
    text_steps(router, (AddRule.kind, enter_kind), (AddRule.issued, enter_issued))
    return router
