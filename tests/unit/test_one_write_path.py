"""A record's status is written in one place per kind of record: a test that reads the code.

A risk point moves only through `review.move()` (checked against the workflow table, with
its effects and audit row); a power only through `powers.move_power()`. Any other assignment
of a `.status` (or `setattr(..., "status", ...)`) in the bot's code fails here, unless it is
listed below with why it needs no workflow of its own.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("bot", "handlers", "storage")
SKIPPED = ("bot/sandbox",)  # the fake Telegram server's own objects, not the bot's records

# (module, function) → why a status is assigned there.
ALLOWED: dict[tuple[str, str], str] = {
    ("bot/services/review/transition.py", "move"): "the one write path of a risk point",
    ("bot/services/powers/changes.py", "move_power"): "the one write path of a power",
    ("bot/services/risks/measures.py", "report_measure"): (
        "a measure's status is what its latest report says (no workflow of its own)"
    ),
    (
        "bot/services/campaigns/lifecycle.py",
        "close_campaign",
    ): "a campaign's one move: active → closed",
    ("bot/services/publicity/rounds.py", "move"): "the one write path of a publicity round",
    ("bot/services/feedback/moves.py", "move"): "the one write path of a feedback item",
    ("bot/services/assessment.py", "move"): "the one write path of an assessment year",
}
# (module, function) → which names its `setattr(obj, name, ...)` with a computed name sets
# (never "status"); any other computed setattr fails, as it could write a status.
COMPUTED_SETTERS: dict[tuple[str, str], str] = {
    ("bot/services/org_import.py", "_apply"): "the columns a unit or post import changes",
    ("bot/services/powers/changes.py", "_change_field"): "a power's text fields (TEXT_FIELDS)",
    ("bot/services/regrading.py", "revise_factors"): "the five grading factors",
    ("bot/services/risks/declare.py", "complete_draft"): "the five grading factors",
    ("storage/fsm.py", "_upsert"): "a conversation's FSM state and data",
}


def _status_writes(tree: ast.AST, computed: bool = False) -> list[tuple[str, int]]:
    """(enclosing function, line) of every status assignment in a module; with `computed`,
    of every `setattr` whose name is computed instead."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets if not computed else ():
            for each in ast.walk(target):
                if isinstance(each, ast.Attribute) and each.attr == "status":
                    found.append((function, node.lineno))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "setattr"
            and len(node.args) >= 2
        ):
            name = node.args[1]
            literal = isinstance(name, ast.Constant)
            if (computed and not literal) or (not computed and literal and name.value == "status"):
                found.append((function, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, "<module>")
    return found


def _modules() -> list[Path]:
    paths = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if not relative.startswith(SKIPPED):
                paths.append(path)
    return paths


def test_statuses_are_written_only_on_their_one_path() -> None:
    strays = []
    for path in _modules():
        relative = path.relative_to(ROOT).as_posix()
        for function, line in _status_writes(ast.parse(path.read_text(), relative)):
            if (relative, function) not in ALLOWED:
                strays.append(f"{relative}:{line} in {function}()")
    assert not strays, "status assigned outside its write path:\n" + "\n".join(strays)


def test_setattr_with_a_computed_name_only_where_it_cannot_be_a_status() -> None:
    strays = []
    for path in _modules():
        relative = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(), relative)
        for function, line in _status_writes(tree, computed=True):
            if (relative, function) not in COMPUTED_SETTERS:
                strays.append(f"{relative}:{line} in {function}()")
    assert not strays, "setattr with a computed name (could be a status):\n" + "\n".join(strays)


def test_each_allowance_still_matches() -> None:
    """An allowance that no longer matches anything is stale: remove it."""
    seen, computed = set(), set()
    for path in _modules():
        relative = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text())
        seen.update((relative, f) for f, _ in _status_writes(tree))
        computed.update((relative, f) for f, _ in _status_writes(tree, computed=True))
    assert set(ALLOWED) <= seen, sorted(set(ALLOWED) - seen)
    assert set(COMPUTED_SETTERS) <= computed, sorted(set(COMPUTED_SETTERS) - computed)


def test_the_scan_sees_assignments_and_setattrs() -> None:
    code = (
        "def f(r):\n    r.status = 'x'\n    setattr(r, 'status', 'y')\n\n"
        "def g(r, name):\n    setattr(r, name, 1)\n    setattr(r, 'level', 2)\n"
    )
    assert _status_writes(ast.parse(code)) == [("f", 2), ("f", 3)]
    assert _status_writes(ast.parse(code), computed=True) == [("g", 6)]
