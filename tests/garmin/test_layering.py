"""Production modules never import the test doubles in ``watchsync.testing``."""

from __future__ import annotations

import ast
from pathlib import Path

import watchsync

# The ``watchsync server`` command and the demo ship the local server on purpose; they import it lazily.
ALLOWED = {"demo.py", "cli/garmin.py"}


def test_no_production_module_imports_watchsync_testing() -> None:
    root = Path(watchsync.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith("testing/") or relative in ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{relative}: {name}" for name in names if name.startswith("watchsync.testing")]
    assert offenders == []
