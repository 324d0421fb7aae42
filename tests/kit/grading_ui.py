"""What the grading end-to-end tests do through the UI, shared by test_grading and
test_regrading: press a button as soon as it shows, declare a risk, open an inbox section,
decide or return a record from it, open a risk's card, score a risk, start a broadcast."""

from __future__ import annotations

import asyncio
import re

from bot.i18n import translate
from tests.kit.persona import Persona


def zh(key: str, **values: object) -> str:
    return translate(key, "zh", **values)


def plain(key: str, locale: str) -> str:
    """A message's fixed start as a chat shows it: no markup, up to its first placeholder."""
    return re.sub(r"<[^>]+>", "", translate(key, locale)).split("{")[0].strip()


async def tap(persona: Persona, label: str, timeout: float = 10) -> None:
    """Press `label` as soon as a bot message shows it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            await persona.press(label)
            return
        except AssertionError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.1)


async def declare(
    staff: Persona,
    description: str,
    *,
    factor: int,
    risk_type: str,
    measure: str,
    deadline: str,
    locale: str = "zh",
) -> int:
    """Declare a risk with every factor at `factor` and one measure; returns its id. The
    persona reads the bot in `locale`."""

    def say(key: str) -> str:
        return translate(key, locale)

    await staff.send("/risks")
    await tap(staff, say("risks.declare"))
    await tap(staff, say("risks.no_power"))
    await staff.expect(say("risks.ask_description"))
    await staff.send(description)
    await tap(staff, say(f"register.risk_type.{risk_type}"))
    await tap(staff, say("risks.no_focus"))
    await score_and_add_measure(staff, factor, measure, locale)
    await tap(staff, say(f"risks.quick.{deadline}"))
    await tap(staff, say("risks.measures_done"))
    await tap(staff, say("risks.submit"))
    submitted = await staff.expect(re.compile(r"#(\d+)"))
    found = re.search(r"#(\d+)", submitted.text)
    assert found is not None
    return int(found.group(1))


async def score_and_add_measure(
    persona: Persona, factor: int, measure: str, locale: str = "zh"
) -> None:
    """Every factor at `factor`, then a first measure, with the persona responsible."""
    for _ in range(5):
        await tap(persona, translate(f"risks.scale.{factor}", locale))
    await persona.expect(translate("risks.ask_measure", locale))
    await persona.send(measure)
    await tap(persona, translate("risks.responsible_me", locale))


async def start_broadcast(admin: Persona, audience_key: str) -> None:
    """/broadcast to `audience_key`'s people in all units, up to the text question."""
    await admin.send("/broadcast")
    await tap(admin, zh(audience_key))
    await tap(admin, zh("broadcast.all_units"))


async def declare_low_risk(staff: Persona, description: str) -> int:
    """A level-3 risk (every factor 1) with one measure; returns its id."""
    return await declare(
        staff, description, factor=1, risk_type="process", measure="办理结果每月公示",
        deadline="quarter",
    )  # fmt: skip


async def declare_with_factors(staff: Persona, description: str, factor: int) -> int:
    """Like `declare_low_risk`, with every factor at `factor`."""
    return await declare(
        staff, description, factor=factor, risk_type="duty", measure="专人复核", deadline="year"
    )


async def open_inbox_kind(reviewer: Persona, kind_key: str, locale: str = "zh") -> None:
    await reviewer.send("/review")
    await reviewer.expect(plain("review.inbox_title", locale))
    await tap(reviewer, translate(kind_key, locale))


async def decide_in_inbox(
    reviewer: Persona, kind_key: str, title: str, button_key: str, done_key: str
) -> None:
    """Open an inbox section, see the record `title`, press a decision, see it done."""
    await open_inbox_kind(reviewer, kind_key)
    await reviewer.expect(title)
    await tap(reviewer, zh(button_key))
    await reviewer.expect(zh(done_key))


async def approve_in_inbox(reviewer: Persona, kind_key: str, title: str) -> None:
    await decide_in_inbox(reviewer, kind_key, title, "review.btn.approve", "review.done.approved")


async def return_in_inbox(reviewer: Persona, kind_key: str, title: str, comment: str) -> None:
    """Return the record `title` from an inbox section with `comment`."""
    await open_inbox_kind(reviewer, kind_key)
    await reviewer.expect(title)
    await tap(reviewer, zh("review.btn.return"))
    await reviewer.expect(zh("review.ask_return_comment"))
    await reviewer.send(comment)
    await reviewer.expect(zh("review.done.returned"))


async def open_risk_card(staff: Persona, title: str) -> None:
    """/risks, then the risk `title`: its card shows."""
    await staff.send("/risks")
    await tap(staff, title)
    await staff.expect(f"风险表现：{title}")


async def choose_language(persona: Persona, locale: str) -> None:
    """/language, then the button of `locale` (the persona reads zh until then)."""
    await persona.send("/language")
    await tap(persona, zh(f"language.name_{locale}"))
    await persona.expect(plain("language.changed", locale))
