"""/risks: my post's risk points and their declaration (the router is in `router.py`)."""

from handlers.staff.risks.router import (
    create_router,
    deadline_keyboard,
    factor_keyboard,
    factor_prompt_key,
    load_people,
    responsible_keyboard,
    responsible_page,
)

__all__ = [
    "create_router",
    "deadline_keyboard",
    "factor_keyboard",
    "factor_prompt_key",
    "load_people",
    "responsible_keyboard",
    "responsible_page",
]
