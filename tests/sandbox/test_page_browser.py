"""The chat page in headless Chromium (the system's; Playwright never downloads a browser).

Without Chromium these tests fail with one line saying what to install (tests/kit/browser.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.types import BotCommand

from tests.kit.browser import phone_page, playwright
from tests.sandbox.conftest import Sandbox

playwright_api = playwright()


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[object]:
    async with phone_page(tmp_path / "profile", {"width": 375, "height": 740}) as page:
        yield page


async def test_phone_chat_round_trip(
    sandbox: Sandbox, echo_bot: Bot, page: object, tmp_path: Path
) -> None:
    expect = playwright_api.expect
    assert isinstance(page, playwright_api.Page)
    await echo_bot.set_my_commands(
        [
            BotCommand(command="start", description="开始 Start"),
            BotCommand(command="alert", description="提醒"),
        ]
    )
    await page.goto(sandbox.url + "/")
    await expect(page.locator("#banner")).to_be_hidden()

    await page.click("summary")
    await page.fill("#new-persona-form input[name=name]", "王芳")
    await page.select_option("#new-persona-form select[name=lang]", "zh-hans")
    await page.click("#new-persona-form button[type=submit]")
    await expect(page.locator("#chat-title")).to_have_text("王芳")
    await expect(page.locator(".persona.active")).to_contain_text("王芳")

    # The command menu the bot set, used to send /start.
    await page.click("#menu-button")
    await expect(page.locator("#command-menu")).to_contain_text("/start")
    await page.click("#command-menu button:has-text('/start')")
    bot_message = page.locator(".message.from-bot").first
    await expect(bot_message).to_contain_text("Hello 王芳")
    await expect(bot_message.locator("strong")).to_have_text("王芳")  # entities rendered

    await page.screenshot(path=str(tmp_path / "phone-keyboard.png"))
    await page.click("button.inline-button:has-text('提交 Submit')")
    await expect(bot_message).to_contain_text("已提交 ✅")  # edited in place
    await expect(bot_message).to_contain_text("已编辑")
    await expect(page.locator(".toast").first).to_have_text("OK")
    await expect(page.locator(".message.from-bot")).to_have_count(1)

    # User text is shown as text, never as markup.
    await page.fill("#text", "<img src=x onerror=alert(1)>")
    await page.click("#send-button")
    await expect(page.locator(".message.from-bot").last).to_contain_text("echo: <img src=x")
    assert await page.locator(".messages img").count() == 0

    await page.click("#channel-tab")
    await echo_bot.send_message("@qingfeng_public", "<b>公示</b> 第一轮", parse_mode="HTML")
    await expect(page.locator(".message.from-bot").first).to_contain_text("公示 第一轮")
    await page.click(".persona:has-text('王芳')")
    await expect(page.locator(".message.from-bot").first).to_contain_text("已提交")

    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the page scrolls sideways on a phone"
    await page.screenshot(path=str(tmp_path / "phone.png"))


async def test_banner_when_the_bot_is_down(sandbox: Sandbox, page: object) -> None:
    expect = playwright_api.expect
    assert isinstance(page, playwright_api.Page)
    await page.goto(sandbox.url + "/")
    await expect(page.locator("#banner")).to_be_visible()


async def test_a_channel_posts_deep_link_becomes_the_personas_start(
    sandbox: Sandbox, bot: Bot, page: object
) -> None:
    from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

    expect = playwright_api.expect
    assert isinstance(page, playwright_api.Page)
    await page.goto(sandbox.url + "/")
    await page.click("summary")
    await page.fill("#new-persona-form input[name=name]", "张大爷")
    await page.select_option("#new-persona-form select[name=lang]", "zh-hans")
    await page.click("#new-persona-form button[type=submit]")
    await expect(page.locator("#chat-title")).to_have_text("张大爷")

    url = f"https://t.me/{sandbox.world.bot_username}?start=fb_Code123"
    button = InlineKeyboardButton(text="💬 1", url=url)
    await bot.send_message(
        "@qingfeng_public",
        "卫生局 1. 风险",
        reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]]),
    )
    await page.click("#channel-tab")
    await page.click("a.inline-button:has-text('💬 1')")
    # Back in 张大爷's chat, with the /start the link carries.
    await expect(page.locator("#chat-title")).to_have_text("张大爷")
    await expect(page.locator(".message.from-me").last).to_contain_text("/start fb_Code123")


def test_a_machine_without_chromium_fails_with_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests.kit import browser

    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    monkeypatch.setattr(browser, "Path", lambda path: tmp_path / "no-such-chromium")
    with pytest.raises(pytest.fail.Exception, match="apt-get install chromium"):
        browser.chromium_path()
