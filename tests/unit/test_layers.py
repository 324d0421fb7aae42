"""The layers show in the imports: no import runs up a floor, and no module imports itself back.

Every `import` and `from … import` of every module under `bot/`, `handlers/` and `storage/` is
read with `ast` (function-level and `TYPE_CHECKING` imports too: an import put inside a
function to dodge a cycle is still an arrow). Floors, lowest first (ARCHITECTURE.md):

    domain ← infrastructure ← storage ← services ← handlers ← app

A module may import its own floor and any floor below it, never one above.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "storage")

DOMAIN, INFRASTRUCTURE, STORAGE, SERVICES, HANDLERS, APP = range(6)
FLOOR_NAMES = ("domain", "infrastructure", "storage", "services", "handlers", "app")

# Which floor a module is on: the longest matching prefix wins.
FLOORS: dict[str, int] = {
    "bot.domain": DOMAIN,
    # Infrastructure any floor but domain may use.
    "bot.settings": INFRASTRUCTURE,
    "bot.i18n": INFRASTRUCTURE,
    "storage": STORAGE,
    "bot.services": SERVICES,
    # The outbox and who can't be reached are use cases written in the caller's transaction.
    "bot.delivery": SERVICES,
    # The periodic jobs, and the job runner that gives each its unit of work.
    "bot.scheduling": SERVICES,
    "handlers": HANDLERS,
    # Wiring, runners (polling, webhook, outbox sender, pacing), CLI.
    "bot.app": APP,
    "bot": APP,  # `bot/__init__.py`, `python -m bot`
    # APScheduler as the metronome, hooked on the dispatcher: an app-level runner that still
    # lives with the jobs (to be moved into bot/app/ by arch-services / the lead at merge).
    "bot.scheduling.scheduler": APP,
    # Development tools run from a checkout (kept out of the installed package): the local
    # Telegram that runs the real bot, and the demo organisation it starts with.
    "bot.sandbox": APP,
    "bot.demo": APP,
}

# A module holds one flow and stays readable in one sitting.
MAX_LINES = 400

# Packages the pure rules may not import (they take values, not sessions or settings).
FRAMEWORKS = ("aiogram", "aiohttp", "sqlalchemy", "alembic", "apscheduler", "pydantic",
              "pydantic_settings", "redis", "babel", "openpyxl")  # fmt: skip

# Development tools that the installed package does not contain.
CHECKOUT_ONLY = ("bot.sandbox", "bot.demo")


@dataclass(frozen=True)
class Arrow:
    source: str
    target: str  # one of our modules, or the top-level name of a third-party one
    line: int
    in_function: bool

    def __str__(self) -> str:
        return f"{self.source} -> {self.target} (line {self.line})"


@cache
def modules() -> dict[str, Path]:
    """Dotted name → file, for every module of ours."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def ours(name: str) -> str | None:
    """The module of ours that `name` (a module, or a name inside one) is, if any."""
    known = modules()
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def floor_of(module: str) -> int:
    prefix = module
    while prefix:
        if prefix in FLOORS:
            return FLOORS[prefix]
        prefix = prefix.rpartition(".")[0]
    raise AssertionError(f"{module} is on no floor: add it to FLOORS (and to ARCHITECTURE.md)")


def _imported_names(module: str, path: Path, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:  # relative: resolve against this module's package
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, *([node.module] if node.module else [])])
    for alias in node.names:
        # `from bot.scheduling import review_scans` names a module; `from x import y` a value.
        submodule = f"{base}.{alias.name}"
        yield submodule if ours(submodule) == submodule else base


class _ImportFinder(ast.NodeVisitor):
    def __init__(self, module: str, path: Path) -> None:
        self.module, self.path, self.depth = module, path, 0
        self.arrows: list[Arrow] = []

    def _function(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        for name in _imported_names(self.module, self.path, node):
            target = ours(name) or name.partition(".")[0]
            if target != self.module:
                self.arrows.append(Arrow(self.module, target, node.lineno, self.depth > 0))

    visit_Import = visit_ImportFrom = _import


@cache
def arrows() -> tuple[Arrow, ...]:
    found: list[Arrow] = []
    for module, path in modules().items():
        finder = _ImportFinder(module, path)
        finder.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        found += finder.arrows
    return tuple(found)


def internal_arrows() -> list[Arrow]:
    return [arrow for arrow in arrows() if arrow.target in modules()]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_walk_sees_the_imports() -> None:
    """Guards the test itself: a walk that found nothing would pass every check below."""
    found = {(arrow.source, arrow.target) for arrow in internal_arrows()}
    assert len(modules()) > 100
    assert ("bot.app.wiring", "handlers.setup") in found
    assert ("bot.domain.risk_workflow", "bot.domain.errors") in found
    # A function-level import counts (cmd_sandbox imports the sandbox only when asked).
    assert any(
        arrow.in_function and arrow.target == "bot.sandbox.run" for arrow in internal_arrows()
    )
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_module_is_on_a_floor() -> None:
    for module in modules():
        floor_of(module)  # raises, naming the module


def test_no_import_runs_up_a_floor() -> None:
    wrong = []
    for arrow in internal_arrows():
        source, target = floor_of(arrow.source), floor_of(arrow.target)
        if target > source:
            wrong.append(f"{arrow}: {FLOOR_NAMES[source]} imports {FLOOR_NAMES[target]}")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle() -> None:
    graph: dict[str, set[str]] = {module: set() for module in modules()}
    for arrow in internal_arrows():
        graph[arrow.source].add(arrow.target)
    assert not cycles(graph), cycles(graph)


def test_the_pure_rules_import_no_framework_and_no_settings() -> None:
    stdlib = sys.stdlib_module_names
    wrong = [
        str(arrow)
        for arrow in arrows()
        if floor_of(arrow.source) == DOMAIN
        and arrow.target not in modules()
        and (arrow.target in FRAMEWORKS or arrow.target not in stdlib)
    ]
    assert not wrong, wrong


def test_package_inits_import_only_their_own_package() -> None:
    """Importing `a.b.c` runs `a/b/__init__.py`: an init that pulled in other modules would
    add arrows nobody wrote (the old `bot.delivery` init pulled the sender into every service)."""
    packages = {
        module.rpartition(".")[0] for module in modules() if "." in module
    }  # those with modules of their own (an init that is the whole package may import)
    wrong = [
        str(arrow)
        for arrow in internal_arrows()
        if arrow.source in packages and not arrow.target.startswith(f"{arrow.source}.")
    ]
    assert not wrong, wrong


def test_the_installed_package_does_not_need_the_checkout_tools() -> None:
    """The sandbox and the demo are not installed: only a command that runs them (inside a
    function, with a clear message when they are missing) may import them."""
    wrong = [
        str(arrow)
        for arrow in internal_arrows()
        if arrow.target.startswith(CHECKOUT_ONLY)
        and not arrow.source.startswith(CHECKOUT_ONLY)
        and not arrow.in_function
    ]
    assert not wrong, wrong


def test_no_module_is_over_400_lines() -> None:
    lengths = {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in modules().values()
    }
    too_long = {name: length for name, length in lengths.items() if length > MAX_LINES}
    assert not too_long, f"split these by flow: {too_long}"


def test_the_checkout_tools_are_not_packaged() -> None:
    """`pip install .` finds packages with these patterns (setuptools' fnmatch on dotted names);
    nothing else gets in, since package data is only what `package-data` names."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    find = config["setuptools"]["packages"]["find"]
    assert config["setuptools"]["include-package-data"] is False
    folders = {
        ".".join(path.relative_to(ROOT).parts)
        for package in PACKAGES
        for path in [ROOT / package, *(ROOT / package).rglob("*")]
        if path.is_dir() and path.name != "__pycache__"
    }

    def installed(name: str) -> bool:
        return any(fnmatchcase(name, pattern) for pattern in find["include"]) and not any(
            fnmatchcase(name, pattern) for pattern in find["exclude"]
        )

    tools = {name for name in folders if name.startswith(CHECKOUT_ONLY)}
    assert tools >= {"bot.sandbox", "bot.sandbox.static", "bot.demo"}
    assert not {name for name in tools if installed(name)}
    assert all(installed(name) for name in folders - tools), sorted(folders - tools)
