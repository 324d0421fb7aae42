"""What the power inventory's flows share: the fields, their limits, the draft, text checks."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.errors import ServiceError
from bot.domain.register_rules import (
    CONTENT_MAX,
    LEGAL_BASIS_MAX,
    NAME_MAX,
    SUBJECT_MAX,
    TextProblem,
    TextRefused,
    clean_text,
)
from storage.models.register import PowerStatus

# Editable fields and their limits; `category` and `scope` are checked against the lists.
TEXT_FIELDS: dict[str, int] = {
    "name": NAME_MAX,
    "content": CONTENT_MAX,
    "subject": SUBJECT_MAX,
    "legal_basis": LEGAL_BASIS_MAX,
}
EDITABLE = (*TEXT_FIELDS, "category", "scope")
OPEN_STATUSES = (PowerStatus.SUBMITTED.value, PowerStatus.RETURNED.value)
FIELDS = ("name", "content", "subject", "legal_basis", "category", "scope", "status")

TEXT_REFUSALS: dict[TextProblem, str] = {
    TextProblem.EMPTY: "register.text_empty",
    TextProblem.TOO_LONG: "register.text_too_long",
}


def text_or_refuse(value: str | None, limit: int, *, required: bool = True) -> str:
    """`clean_text` as a `ServiceError` a person can read."""
    try:
        return clean_text(value, limit, required=required)
    except TextRefused as refused:
        raise ServiceError(TEXT_REFUSALS[refused.problem], limit=refused.limit) from None


@dataclass(frozen=True)
class PowerDraft:
    name: str
    content: str
    subject: str
    legal_basis: str
    category: str
    scope: str
