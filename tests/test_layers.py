"""Every import points down: packages sit on floors, none imports a higher (or a sibling's) floor,
there are no import cycles between modules, and production code never imports the test doubles."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "watchsync"

#: Floor of each top-level module or package of watchsync; an import must go to a lower floor.
FLOORS: dict[str, int] = {
    "errors": 0, "files": 0, "_quiet_fit_tool": 0,
    "model": 1,
    "rules": 2, "describe": 2, "resolve": 2, "config": 2,
    "formats": 3, "activity": 3, "store": 3,
    "prepare": 4,
    "compile": 5, "compliance": 5, "plan": 5,
    "report": 6, "garmin": 6,
    "services": 7,
    "daemon": 8, "testing": 8, "web": 8,
    "cli": 9, "demo": 9,
    "__main__": 10, "__init__": 10,
}
#: Imports across one floor that are allowed: the daemon starts the dashboard (which never imports the daemon).
SIBLING_IMPORTS = {("daemon", "web")}
#: Only these may import the test doubles (``watchsync server``, ``make demo``).
MAY_USE_TESTING = {"cli", "demo", "testing"}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(("watchsync", *parts))
        found[name.removesuffix(".__init__")] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """Every watchsync module ``name`` imports (anywhere in the file, lazy imports included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.startswith("watchsync"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
            if not base.startswith("watchsync"):
                continue
            for alias in node.names:
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base


def top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_module_has_a_floor() -> None:
    assert {top(m) for m in modules()} <= set(FLOORS)


def test_no_import_runs_up_a_floor_or_across_to_a_sibling_package() -> None:
    known = modules()
    wrong = []
    for name, path in known.items():
        here = top(name)
        if here == "__init__":
            continue  # the face imports lazily from every floor
        for target in imports(name, path, known):
            there = top(target)
            if there == "__init__" or there == here or (here, there) in SIBLING_IMPORTS:
                continue
            if FLOORS[there] >= FLOORS[here]:
                wrong.append(f"{name} -> {target}")
    assert wrong == []


def test_production_never_imports_the_test_doubles() -> None:
    known = modules()
    wrong = [f"{name} -> {target}" for name, path in known.items() if top(name) not in MAY_USE_TESTING
             for target in imports(name, path, known) if top(target) == "testing"]
    assert wrong == []


def test_no_import_cycles_between_modules() -> None:
    known = modules()
    graph = {name: {t for t in imports(name, path, known) if t in known and t != name}
             for name, path in known.items() if name != "watchsync"}
    graph = {name: {t for t in targets if t != "watchsync"} for name, targets in graph.items()}
    state: dict[str, int] = {}
    cycles: list[str] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*trail[trail.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []
