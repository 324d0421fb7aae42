"""Headless Chromium for the chat page's tests (the system's; Playwright never downloads one).

A machine without Chromium or Playwright fails these tests with one line saying what to
install: they check what people see, so skipping them quietly would hide a broken page."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.settings import PROJECT_ROOT

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Where the browser tests leave their screenshots (git-ignored; CI keeps them as artefacts).
SCREENSHOTS = PROJECT_ROOT / "build" / "screenshots"
PHONE = {"width": 390, "height": 844}
NEEDS = "the chat page's browser tests need Chromium and Playwright: apt-get install chromium"


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None and Path("/usr/bin/chromium").exists():
        path = "/usr/bin/chromium"
    if path is None:
        pytest.fail(f"chromium not found on PATH: {NEEDS}", pytrace=False)
    return path


def playwright() -> Any:
    try:
        import playwright.async_api as api
    except ImportError:
        pytest.fail(f"playwright is not installed (make install): {NEEDS}", pytrace=False)
    return api


@asynccontextmanager
async def phone_page(profile: Path, viewport: dict[str, int] | None = None) -> AsyncIterator[Any]:
    """A page in a fresh Chromium profile, at a phone's size unless told otherwise."""
    executable = chromium_path()
    api = playwright()
    async with api.async_playwright() as pw:
        context = await pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=viewport or PHONE,
        )
        try:
            yield context.pages[0] if context.pages else await context.new_page()
        finally:
            await context.close()


async def layout_problems(page: Any) -> list[str]:
    """What keeps the page from behaving like a messenger at its size; [] when nothing."""
    return list(
        await page.evaluate(
            """() => {
  const problems = [];
  const height = window.innerHeight, width = window.innerWidth;
  const doc = document.documentElement;
  if (doc.scrollHeight > height) problems.push(`the page is ${doc.scrollHeight}px tall`);
  if (doc.scrollWidth > width) problems.push(`the page is ${doc.scrollWidth}px wide`);
  for (const chip of document.querySelectorAll(".persona, .channel-tab")) {
    const box = chip.getBoundingClientRect();
    if (box.height > 40) problems.push(`chip "${chip.textContent}" is ${box.height}px tall`);
  }
  const list = document.getElementById("persona-list").getBoundingClientRect();
  const chips = [...document.querySelectorAll(".persona")].map((c) => c.getBoundingClientRect());
  const rows = new Set(chips.map((c) => Math.round(c.top)));
  if (rows.size > 1) problems.push("chips on several rows");
  if (list.height > 44) problems.push(`the chip row is ${list.height}px tall`);
  const composer = document.getElementById("composer").getBoundingClientRect();
  if (composer.top < 0 || composer.bottom > height) problems.push("the composer is off screen");
  const messages = document.getElementById("messages");
  const view = messages.getBoundingClientRect();
  const last = messages.lastElementChild;
  if (last) {
    const box = last.getBoundingClientRect();
    if (box.bottom > view.bottom + 1 || box.bottom < view.top) {
      problems.push("the newest message is out of view");
    }
  }
  return problems;
}"""
        )
    )
