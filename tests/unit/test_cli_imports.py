"""The CLI's file and database commands load only what they use: aiogram alone takes seconds
to import (it builds every type's validator), so an `import risks FILE` that pulled it in
through the outbox paid that on every file of a district's imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

# What `python -m bot import …` and `python -m bot db …` load before they do anything.
CLI_PATH = (
    "bot.app.cli",
    "bot.app.cli_commands",
    "bot.app.cli_files",
    "bot.services.org_import",
    "bot.services.people_import",
    "bot.services.register_files",
)


@pytest.mark.parametrize("heavy", ["aiogram", "matplotlib", "openpyxl", "alembic"])
def test_the_cli_file_commands_do_not_import(heavy: str) -> None:
    probe = (
        "import sys\n"
        + "".join(f"import {module}\n" for module in CLI_PATH)
        + f"print(any(m == {heavy!r} or m.startswith({heavy!r} + '.') for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False", f"{heavy} is imported on the CLI's file-command path"
