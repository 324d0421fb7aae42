"""The README stands alone: every CLI command in its table, no link out of the repository,
and the architecture page describes the code as it is (no pending-merge notes)."""

from __future__ import annotations

import argparse
import re

from bot.app.cli import build_parser
from bot.settings import PROJECT_ROOT


def subcommands() -> list[str]:
    parser = build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(action.choices)


def test_the_readme_lists_every_command_and_links_only_inside_the_repository() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    table = re.findall(r"^\| `([a-z-]+)", readme, re.MULTILINE)
    assert [name for name in subcommands() if name not in table] == []
    for target in re.findall(r"\]\(([^)#]+)\)", readme):
        if not target.startswith("http"):
            assert (PROJECT_ROOT / target).resolve().is_relative_to(PROJECT_ROOT), target
            assert (PROJECT_ROOT / target).exists(), target


def test_the_architecture_page_has_no_pending_merge_notes() -> None:
    text = (PROJECT_ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    assert "[merge]" not in text
    for path in re.findall(r"`((?:bot|handlers|storage|tests)/[\w/]+\.py)`", text):
        assert (PROJECT_ROOT / path).exists(), path
