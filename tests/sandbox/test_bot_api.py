"""Bot API conformance: aiogram's own Bot and models against the sandbox."""

from __future__ import annotations

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.sandbox import CHANNEL_ID
from tests.sandbox.conftest import TOKEN, Sandbox, make_bot

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


def keyboard(*labels: str, data: str = "d") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=data) for t in labels]]
    )


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456 and me.is_bot and me.username == "qingfeng_bot"


async def test_wrong_token_is_401(sandbox: Sandbox) -> None:
    other = make_bot(sandbox.url, "123456:wrong")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await other.get_me()
    finally:
        await other.session.close()
    unauthorized = {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert await _answer("GET", f"{sandbox.url}/bot1:x/getMe") == (401, unauthorized)


async def _answer(method: str, url: str) -> tuple[int, object]:
    """The HTTP status and the JSON body the sandbox answers a raw request with."""
    async with aiohttp.ClientSession() as http, http.request(method, url) as resp:
        return resp.status, await resp.json()


async def test_unknown_method_is_404(sandbox: Sandbox) -> None:
    not_found = {"ok": False, "error_code": 404, "description": "Not Found"}
    assert await _answer("POST", f"{sandbox.url}/bot{TOKEN}/sendTelepathy") == (404, not_found)


async def test_params_from_query_form_and_json(sandbox: Sandbox) -> None:
    uid = sandbox.world.add_persona("A").user_id
    base = f"{sandbox.url}/bot{TOKEN}/sendMessage"
    async with aiohttp.ClientSession() as http:
        async with http.get(base, params={"chat_id": uid, "text": "q"}) as resp:
            assert (await resp.json())["result"]["text"] == "q"
        async with http.post(base, data={"chat_id": str(uid), "text": "f"}) as resp:
            assert (await resp.json())["result"]["text"] == "f"
        markup = {"inline_keyboard": [[{"text": "b", "callback_data": "x"}]]}
        body = {"chat_id": uid, "text": "j", "reply_markup": markup}
        async with http.post(base, json=body) as resp:
            result = (await resp.json())["result"]
            assert result["reply_markup"] == markup


async def test_send_message_html_becomes_entities(sandbox: Sandbox, bot: Bot) -> None:
    uid = sandbox.world.add_persona("王芳").user_id
    message = await bot.send_message(
        uid, "<b>粗</b> <a href='https://x.org'>link</a> &lt;ok&gt;", parse_mode="HTML"
    )
    assert message.text == "粗 link <ok>"
    assert message.from_user and message.from_user.is_bot
    assert message.chat.id == uid and message.chat.type == "private"
    assert [(e.type, e.offset, e.length) for e in message.entities or []] == [
        ("bold", 0, 1),
        ("text_link", 2, 4),
    ]
    second = await bot.send_message(uid, "again")
    assert second.message_id == message.message_id + 1


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<blink>x</blink>", 'Unsupported start tag "blink" at byte offset 0'),
        ("<b>x</i>", "Unmatched end tag at byte offset 4"),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("AT&T", 'Unescaped "&" at byte offset 2'),
    ],
)
async def test_bad_html_is_400(sandbox: Sandbox, bot: Bot, text: str, reason: str) -> None:
    uid = sandbox.world.add_persona("A").user_id
    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(uid, text, parse_mode="HTML")
    assert error.value.message.startswith("Bad Request: can't parse entities: " + reason)


async def test_text_limits_and_unknown_chat(sandbox: Sandbox, bot: Bot) -> None:
    uid = sandbox.world.add_persona("A").user_id
    assert (await bot.send_message(uid, "字" * 4096)).text == "字" * 4096
    with pytest.raises(TelegramBadRequest, match="Bad Request: message is too long"):
        await bot.send_message(uid, "字" * 4097)
    with pytest.raises(TelegramBadRequest, match="Bad Request: message text is empty"):
        await bot.send_message(uid, "  ")
    with pytest.raises(TelegramBadRequest, match="Bad Request: message text is empty"):
        await bot.send_message(uid, "<b> </b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="Bad Request: chat not found"):
        await bot.send_message(999, "hi")


async def test_callback_data_over_64_bytes(sandbox: Sandbox, bot: Bot) -> None:
    uid = sandbox.world.add_persona("A").user_id
    await bot.send_message(uid, "ok", reply_markup=keyboard("b", data="字" * 21))  # 63 bytes
    with pytest.raises(TelegramBadRequest, match="Bad Request: BUTTON_DATA_INVALID"):
        await bot.send_message(uid, "x", reply_markup=keyboard("b", data="字" * 22))  # 66 bytes


async def test_reply_keyboards_and_force_reply(sandbox: Sandbox, bot: Bot) -> None:
    world = sandbox.world
    uid = world.add_persona("A").user_id
    markup = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="是"), KeyboardButton(text="否")]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    message = await bot.send_message(uid, "choose", reply_markup=markup)
    assert message.reply_markup is None  # Telegram returns inline keyboards only
    assert world.chat_view(uid)["reply_keyboard"]["keyboard"] == [[{"text": "是"}, {"text": "否"}]]
    world.send_text(uid, "是")
    assert world.chat_view(uid)["reply_keyboard"] is None  # one-time keyboards hide after use
    await bot.send_message(
        uid, "again", reply_markup=markup.model_copy(update={"one_time_keyboard": False})
    )
    await bot.send_message(uid, "gone", reply_markup=ReplyKeyboardRemove())
    assert world.chat_view(uid)["reply_keyboard"] is None
    asked = await bot.send_message(uid, "why?", reply_markup=ForceReply())
    reply = world.send_text(uid, "because", reply_to_message_id=asked.message_id)
    assert reply.data["reply_to_message"]["message_id"] == asked.message_id


async def test_edit_message_text(sandbox: Sandbox, bot: Bot) -> None:
    uid = sandbox.world.add_persona("A").user_id
    sent = await bot.send_message(uid, "v1", reply_markup=keyboard("b"))
    edited = await bot.edit_message_text("v2", chat_id=uid, message_id=sent.message_id)
    assert not isinstance(edited, bool)
    assert edited.text == "v2" and edited.edit_date is not None
    assert edited.reply_markup is None  # an edit without markup drops the keyboard
    with pytest.raises(TelegramBadRequest) as error:
        await bot.edit_message_text("v2", chat_id=uid, message_id=sent.message_id)
    assert error.value.message == NOT_MODIFIED
    # Same text with a new keyboard is a change.
    await bot.edit_message_text(
        "v2", chat_id=uid, message_id=sent.message_id, reply_markup=keyboard("c")
    )
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to edit not found"):
        await bot.edit_message_text("x", chat_id=uid, message_id=999)
    own = sandbox.world.send_text(uid, "mine")
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("x", chat_id=uid, message_id=own.message_id)


async def test_edit_reply_markup_and_delete(sandbox: Sandbox, bot: Bot) -> None:
    world = sandbox.world
    uid = world.add_persona("A").user_id
    sent = await bot.send_message(uid, "v1", reply_markup=keyboard("b"))
    edited = await bot.edit_message_reply_markup(
        chat_id=uid, message_id=sent.message_id, reply_markup=keyboard("c")
    )
    assert not isinstance(edited, bool) and edited.reply_markup is not None
    assert edited.reply_markup.inline_keyboard[0][0].text == "c"
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(
            chat_id=uid, message_id=sent.message_id, reply_markup=keyboard("c")
        )
    seq_before = world.seq
    assert await bot.delete_message(uid, sent.message_id) is True
    view = world.chat_view(uid, seq_before)
    assert view["messages"][0]["deleted"] is True
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(uid, sent.message_id)


async def test_answer_callback_query_is_recorded(sandbox: Sandbox, bot: Bot) -> None:
    world = sandbox.world
    uid = world.add_persona("A").user_id
    sent = await bot.send_message(uid, "press", reply_markup=keyboard("b", data="go"))
    query_id = world.press_button(uid, sent.message_id, "go")
    updates = await bot.get_updates(timeout=0)
    query = updates[-1].callback_query
    assert query is not None and query.id == query_id and query.data == "go"
    assert query.message is not None and query.message.message_id == sent.message_id
    assert query.from_user.id == uid and query.chat_instance
    assert await bot.answer_callback_query(query_id, text="好的", show_alert=True)
    notice = world.chat_view(uid)["notices"][-1]
    assert notice["text"] == "好的" and notice["show_alert"] is True
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)


async def test_blocked_user_is_403(sandbox: Sandbox, bot: Bot) -> None:
    world = sandbox.world
    uid = world.add_persona("A").user_id
    world.set_blocked(uid, True)
    with pytest.raises(TelegramForbiddenError, match="Forbidden: bot was blocked by the user"):
        await bot.send_message(uid, "hi")
    updates = await bot.get_updates(timeout=0)
    member = updates[-1].my_chat_member
    assert member is not None and member.new_chat_member.status == "kicked"
    assert world.counters.blocked == 1


async def test_channel_posts(sandbox: Sandbox, bot: Bot) -> None:
    by_name = await bot.send_message("@qingfeng_public", "<b>公示</b>", parse_mode="HTML")
    by_id = await bot.send_message(CHANNEL_ID, "second")
    assert by_name.chat.type == "channel" and by_name.chat.id == CHANNEL_ID
    assert by_name.sender_chat is not None and by_name.from_user is None
    assert by_id.message_id == by_name.message_id + 1
    chat = await bot.get_chat("@qingfeng_public")
    assert chat.title == "清风公示" and chat.username == "qingfeng_public"
    posts = sandbox.world.chat_view(CHANNEL_ID)["messages"]
    assert [p["text"] for p in posts] == ["公示", "second"]


async def test_get_chat_private_and_minimal_methods(sandbox: Sandbox, bot: Bot) -> None:
    uid = sandbox.world.add_persona("王芳", username="wangfang").user_id
    chat = await bot.get_chat(uid)
    assert chat.type == "private" and chat.first_name == "王芳" and chat.username == "wangfang"
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.get_chat(42)
    assert await bot.send_chat_action(uid, "typing") is True
    assert await bot.set_chat_menu_button() is True
    assert (await bot.get_my_name()).name


async def test_not_found_for_unknown_methods_through_aiogram(sandbox: Sandbox, bot: Bot) -> None:
    from aiogram.methods import SendDice

    uid = sandbox.world.add_persona("A").user_id
    with pytest.raises(TelegramNotFound):
        await bot(SendDice(chat_id=uid))
