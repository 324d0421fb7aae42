"""Buttons that services offer, as plain values: what the button opens (a kind and ids) and
the catalog key of its label. The handlers' callback data classes pack them
(`bot.delivery.outbox.use_button_packer`, wired at start-up), so a layout is defined once."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.keys import N_


class ButtonKind(StrEnum):
    """What a button under a notice opens."""

    REGRADE_OPEN = "regrade.open"  # the holder's re-grading card of one risk (ids: risk id)
    POWER_REVIEW_OPEN = "power_review.open"  # a reviewer's card of one power (ids: power id)
    SOCIAL_CLOSE = "social.close"  # the commission closes a social-review window (ids: risk id)


@dataclass(frozen=True)
class Button:
    """One inline button: `kind` with its `ids`, labelled with the catalog key `label_key`."""

    kind: ButtonKind
    label_key: str
    ids: tuple[int, ...] = ()


def regrading_button(risk_id: int) -> Button:
    """The holder's "re-grade it" button under a notice or reminder."""
    return Button(ButtonKind.REGRADE_OPEN, "regrading.btn.open", (risk_id,))


def power_review_button(power_id: int) -> Button:
    """The reviewer's "open it" button under a "power submitted" notice."""
    return Button(ButtonKind.POWER_REVIEW_OPEN, N_("powers.notice.open"), (power_id,))
