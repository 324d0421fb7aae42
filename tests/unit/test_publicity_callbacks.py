"""The publicity buttons: prefixes distinct from every other, packed data within 64 bytes."""

from __future__ import annotations

from bot.domain.ids import ID_MAX
from handlers.callbacks import (
    BrowseAction,
    BrowseCb,
    FeedbackAction,
    FeedbackCb,
    RoundWizardAction,
    RoundWizardCb,
    SubscribeAction,
    SubscribeCb,
)

TAKEN = {"inv", "ct", "ur", "bc", "cp", "rl", "lang", "ms", "rk", "pr", "pw", "rg", "rv", "ro"}
BIG = ID_MAX  # the largest id or page a button may carry (ten digits)


def test_prefixes_are_new_and_distinct() -> None:
    ours = [cls.__prefix__ for cls in (FeedbackCb, RoundWizardCb, BrowseCb, SubscribeCb)]
    assert len(set(ours)) == len(ours) and not set(ours) & TAKEN


def test_the_largest_buttons_fit_in_64_bytes() -> None:
    packed = [
        *(FeedbackCb(action=a, item_id=BIG, value=BIG).pack() for a in FeedbackAction),
        *(RoundWizardCb(action=a, value=BIG).pack() for a in RoundWizardAction),
        *(BrowseCb(action=a, round_id=BIG, unit_id=BIG, page=BIG).pack() for a in BrowseAction),
        *(SubscribeCb(action=a, value=BIG).pack() for a in SubscribeAction),
    ]
    assert max(len(p.encode()) for p in packed) <= 64
