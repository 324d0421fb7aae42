"""/risks: my post's risk points and their declaration (the router is in `router.py`)."""

# What the re-grading screens reuse from the declaration.
from handlers.staff.risks.declare_measures import load_people, responsible_page
from handlers.staff.risks.keyboards import (
    deadline_keyboard,
    factor_keyboard,
    factor_prompt_key,
    responsible_keyboard,
)
from handlers.staff.risks.router import create_router

__all__ = [
    "create_router",
    "deadline_keyboard",
    "factor_keyboard",
    "factor_prompt_key",
    "load_people",
    "responsible_keyboard",
    "responsible_page",
]
