"""The round in the public channel: a header post, then each unit's risk points, through the
outbox (paced per channel: `delivery_group_per_minute`), edited to say so when the round closes.

Posts are written in the channel's language (the default locale) and carry no personal name:
post titles, risks, levels and what the measures do. Each risk has a URL button to the bot's
deep link ``https://t.me/<bot>?start=fb_<code>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.outbox import Outgoing, enqueue_edit, enqueue_many
from bot.domain.clock import Clock
from bot.domain.publicity import MESSAGE_LIMIT, split_entries
from bot.i18n import translate
from bot.services.publicity import texts
from bot.services.publicity.config import PublicityConfig
from bot.services.publicity.lookup import measures_of
from storage.models.org import Post, Unit
from storage.models.outbox import OutboxMessage, OutboxStatus
from storage.models.publicity import PublicityItem, PublicityPost, PublicityRound
from storage.models.register import RiskPoint

KIND_POST = "publicity.post"
KIND_EDIT = "publicity.post_closed"
ENTRIES_PER_POST = 20  # one URL button each; a keyboard stays readable
BUTTONS_PER_ROW = 5
# Room kept in every post for the line the close adds.
CLOSE_ROOM = 200


@dataclass(frozen=True)
class ChannelEntry:
    unit_id: int
    unit_name: str
    code: str
    text: str


async def entries_of(session: AsyncSession, round_id: int, locale: str) -> list[ChannelEntry]:
    """Every item of the round as a channel entry, units by path, numbered per unit."""
    rows = (
        await session.execute(
            select(PublicityItem, RiskPoint, Post.name, Unit.name)
            .join(RiskPoint, RiskPoint.id == PublicityItem.risk_id)
            .join(Post, Post.id == RiskPoint.post_id)
            .join(Unit, Unit.id == PublicityItem.unit_id)
            .where(PublicityItem.round_id == round_id)
            .order_by(Unit.path, PublicityItem.id)
        )
    ).all()
    measures = await measures_of(session, [risk.id for _item, risk, _p, _u in rows])
    out: list[ChannelEntry] = []
    numbers: dict[int, int] = {}
    for item, risk, post_title, unit_name in rows:
        numbers[item.unit_id] = numbers.get(item.unit_id, 0) + 1
        text = texts.entry(
            locale,
            number=numbers[item.unit_id],
            post_title=post_title,
            description=risk.description,
            risk_type_value=risk.risk_type,
            level_value=item.level,
            measures=measures[risk.id],
        )
        out.append(ChannelEntry(item.unit_id, unit_name, item.code, text))
    return out


def _keyboard(config: PublicityConfig, codes: list[tuple[int, str]]) -> dict | None:
    buttons = []
    for number, code in codes:
        url = config.deep_link(code)
        if url is not None:
            label = translate("publicity.channel.button", config.channel_locale, number=number)
            buttons.append({"text": label, "url": url})
    if not buttons:
        return None
    rows = [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]
    return {"inline_keyboard": rows}


async def post_round(
    session: AsyncSession, clock: Clock, config: PublicityConfig, rnd: PublicityRound
) -> int:
    """Queue the round's posts (header first); returns how many. Nothing without a channel."""
    if config.channel_id is None:
        return 0
    locale = config.channel_locale
    entries = await entries_of(session, rnd.id, locale)
    units = {entry.unit_id for entry in entries}
    header = translate(
        "publicity.channel.header",
        locale,
        start=texts.when(rnd.opened_at or clock.now(), config.timezone),
        end=texts.when(rnd.ends_at, config.timezone),
        units=len(units),
        risks=len(entries),
    )
    posts: list[PublicityPost] = [
        PublicityPost(
            round_id=rnd.id,
            unit_id=None,
            position=0,
            chat_id=config.channel_id,
            outbox_key=f"publicity:{rnd.id}:post:0",
            text=header,
        )
    ]
    by_unit: dict[int, list[ChannelEntry]] = {}
    for entry in entries:
        by_unit.setdefault(entry.unit_id, []).append(entry)
    for unit_id, unit_entries in by_unit.items():
        heading = translate("publicity.channel.unit", locale, unit=unit_entries[0].unit_name)
        parts = split_entries(
            heading,
            [entry.text for entry in unit_entries],
            limit=MESSAGE_LIMIT - CLOSE_ROOM,
            max_entries=ENTRIES_PER_POST,
        )
        for part in parts:
            codes = [(index + 1, unit_entries[index].code) for index in part.entries]
            position = len(posts)
            posts.append(
                PublicityPost(
                    round_id=rnd.id,
                    unit_id=unit_id,
                    position=position,
                    chat_id=config.channel_id,
                    outbox_key=f"publicity:{rnd.id}:post:{position}",
                    text=part.text,
                    reply_markup=_keyboard(config, codes),
                )
            )
    session.add_all(posts)
    await enqueue_many(
        session,
        [
            Outgoing(
                chat_id=post.chat_id,
                text=post.text,
                dedup_key=post.outbox_key,
                reply_markup=post.reply_markup,
            )
            for post in posts
        ],
        kind=KIND_POST,
        clock=clock,
        settings=config.settings,
    )
    return len(posts)


async def close_posts(
    session: AsyncSession, clock: Clock, config: PublicityConfig, rnd: PublicityRound
) -> int:
    """Edit each sent post to say the round closed (buttons removed); withdraw unsent ones."""
    posts = (
        await session.scalars(
            select(PublicityPost)
            .where(PublicityPost.round_id == rnd.id)
            .order_by(PublicityPost.position)
        )
    ).all()
    if not posts:
        return 0
    keys = [post.outbox_key for post in posts]
    sent = {
        row.dedup_key: row
        for row in await session.scalars(
            select(OutboxMessage).where(OutboxMessage.dedup_key.in_(keys))
        )
    }
    note = translate(
        "publicity.channel.closed",
        config.channel_locale,
        end=texts.when(rnd.closed_at or clock.now(), config.timezone),
    )
    edited = 0
    for post in posts:
        row = sent.get(post.outbox_key)
        if row is None:
            continue
        if row.status == OutboxStatus.PENDING.value:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id, OutboxMessage.status == row.status)
                .values(status=OutboxStatus.CANCELLED.value, last_error="publicity round closed")
            )
            continue
        if row.status != OutboxStatus.SENT.value or row.telegram_message_id is None:
            continue
        post.message_id = row.telegram_message_id
        await enqueue_edit(
            session,
            chat_id=post.chat_id,
            message_id=row.telegram_message_id,
            text=note + "\n\n" + post.text,
            kind=KIND_EDIT,
            dedup_key=f"publicity:{rnd.id}:closed:{post.position}",
            clock=clock,
        )
        edited += 1
    return edited
