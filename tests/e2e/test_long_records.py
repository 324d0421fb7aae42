"""A long record can be declared, reviewed and peer-reviewed: a 1,000-character description and
eight 500-character measures (every field at its limit) make cards longer than one message, so
each card shows its first lines with its buttons and the full text follows as a file. Before,
the confirm card, /review and /peer failed with "message is too long" and the risk was stuck."""

from __future__ import annotations

import re

from tests.e2e.conftest import RunningBot
from tests.kit.grading_ui import open_inbox_kind, tap, zh
from tests.kit.persona import SandboxClient

STAFF, COLLEAGUE, DEPT_REVIEWER = 100005, 100006, 100004  # 王芳, 陈明 (医政科), 周科长
MEASURES = 8


async def test_a_risk_at_every_limit_is_declared_peer_reviewed_and_reviewed(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    staff, colleague, dept = await kit.personas_for(STAFF, COLLEAGUE, DEPT_REVIEWER)

    await staff.send("/risks")
    await tap(staff, zh("risks.declare"))
    await tap(staff, zh("risks.no_power"))
    await staff.expect(zh("risks.ask_description"))
    await staff.send("长描述" + "述" * 997)  # 1,000 characters
    await tap(staff, zh("register.risk_type.duty"))
    await tap(staff, zh("risks.no_focus"))
    for _ in range(5):
        await tap(staff, zh("risks.scale.1"))
    for number in range(MEASURES):
        await staff.expect(zh("risks.ask_measure"))
        await staff.send(f"措施{number}" + "施" * (500 - len(f"措施{number}")))
        await tap(staff, zh("risks.responsible_me"))
        await tap(staff, zh("risks.quick.year"))
        if number < MEASURES - 1:
            await tap(staff, zh("risks.add_measure"))
    await tap(staff, zh("risks.measures_done"))
    card = await staff.expect(zh("card.cut"), timeout=20)  # summarised, with its buttons
    assert zh("risks.submit") in card.buttons
    await staff.expect(zh("card.full_text"))  # the whole draft as a file
    await tap(staff, zh("risks.submit"))
    submitted = await staff.expect(re.compile(r"#(\d+)"))
    found = re.search(r"#(\d+)", submitted.text)
    assert found is not None
    risk_id = int(found.group(1))

    # 社会评议: the colleague opens the long card and agrees.
    await colleague.expect("进入社会评议", timeout=20)
    await colleague.send("/peer")
    await tap(colleague, f"#{risk_id}")
    peer_card = await colleague.expect(zh("card.cut"))
    assert zh("peer.btn.agree") in peer_card.buttons
    await tap(colleague, zh("peer.btn.agree"))
    await colleague.expect(zh("peer.done.agreed"))

    # /review: the department's reviewer sees the card and can act on it.
    await open_inbox_kind(dept, "review.kind.social")
    review_card = await dept.expect(zh("card.cut"))
    assert zh("review.btn.close_social") in review_card.buttons
    await tap(dept, zh("review.btn.close_social"))
    await dept.expect(zh("card.full_text"))
