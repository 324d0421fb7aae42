"""A page button pressed again (a double tap, or a press that crossed a slow answer) shows
the same page: the message stays as it is, and nothing "went wrong", in either language."""

from __future__ import annotations

from handlers.callbacks import ListName, PageCb
from tests.e2e.conftest import RunningBot
from tests.kit.persona import SandboxClient

STAFF_ZH, STAFF_EN = 100005, 100010
FAILED = ("出了点问题", "Something went wrong")


async def test_the_page_shown_pressed_again_is_quietly_the_same_page(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    for user_id, title in ((STAFF_ZH, "的廉政风险点"), (STAFF_EN, "Risk points of")):
        staff = await kit.persona_for(user_id)
        await staff.send("/risks")
        listing = await staff.expect(title)
        same_page = PageCb(list=ListName.RISKS, offset=0).pack()
        for _ in range(2):  # the page it shows, twice: Telegram says "message is not modified"
            await staff.press_data(listing.message_id, same_page)
        await staff.send("/help")
        await staff.expect("/risks")
        await staff.refresh()
        said = [m.text for m in staff._messages.values() if m.from_bot]
        assert not [text for text in said if any(mark in text for mark in FAILED)], said
        assert title in staff._messages[listing.message_id].text
