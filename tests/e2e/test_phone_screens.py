"""The chat page on a phone (390×844) with the real bot: a risk declaration, a review card,
`/history` and a citizen's screen, in both languages. Each screen must behave like a messenger
(persona chips on one row, the page no taller than the screen, the composer on screen, the
newest message in view); a screenshot of each is left in build/screenshots/ for people to see."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.domain.clock import FakeClock
from bot.i18n import translate
from bot.scheduling.runner import JobRunner
from tests.e2e.conftest import Sandbox
from tests.kit.browser import SCREENSHOTS, layout_problems, phone_page, playwright
from tests.kit.grading_ui import choose_language, declare, open_inbox_kind, plain
from tests.kit.persona import SandboxClient

STAFF, DEPT_REVIEWER = 100005, 100004  # 王芳 and 周科长, 医政科
DESCRIPTION = {"zh": "现场核验时接受宴请", "en": "Accepting a dinner during an on-site check"}
MEASURE = {"zh": "核验全程双人记录", "en": "Two people record every check"}
CITIZEN = {"zh": "赵阿姨", "en": "Maria Lopez"}


async def show(page: Any, name: str, expected: str, shot: str) -> None:
    """Open `name`'s chat on the page, wait for `expected` in its newest message, check the
    layout and take the screenshot."""
    expect = playwright().expect
    await page.click(f".persona:has-text('{name}')")
    await expect(page.locator("#chat-title")).to_have_text(name)
    await expect(page.locator(".message").last).to_contain_text(expected, timeout=15_000)
    await page.wait_for_timeout(300)  # the scroll to the end after the last render
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"))
    assert await layout_problems(page) == [], shot


@pytest.mark.parametrize("locale", ["zh", "en"])
async def test_every_screen_fits_a_phone(
    kit: SandboxClient,
    sandbox: Sandbox,
    runner: JobRunner,
    clock: FakeClock,
    tmp_path: Path,
    locale: str,
) -> None:
    citizen = await kit.persona(CITIZEN[locale], "zh-hans" if locale == "zh" else "en")
    staff, dept = [await kit.persona_for(user_id) for user_id in (STAFF, DEPT_REVIEWER)]
    for official in (staff, dept) if locale == "en" else ():
        await choose_language(official, "en")
    risk_id = await declare(
        staff, DESCRIPTION[locale], factor=2, risk_type="process", measure=MEASURE[locale],
        deadline="quarter", locale=locale,
    )  # fmt: skip
    # The colleagues' window closes on schedule; the department's reviewer gets the card.
    clock.advance(timedelta(days=5, minutes=1))
    await runner.tick()
    await dept.expect(f"#{risk_id}", timeout=20)
    await open_inbox_kind(dept, "review.kind.graded", locale)
    await dept.expect(DESCRIPTION[locale])
    await citizen.send("/start")
    await citizen.expect(plain("start.welcome_citizen", locale))

    async with phone_page(tmp_path / "profile") as page:
        await page.goto(sandbox.url + "/")
        await playwright().expect(page.locator("#banner")).to_be_hidden()
        await show(page, "王芳", f"#{risk_id}", f"declaration-{locale}")
        await show(page, "周科长", DESCRIPTION[locale], f"review-card-{locale}")
        await staff.send(f"/history {risk_id}")
        title = plain("history.title", locale)
        await staff.expect(title)
        await show(page, "王芳", title, f"history-{locale}")
        await show(
            page, CITIZEN[locale], translate("commands.publicity", locale), f"citizen-{locale}"
        )
