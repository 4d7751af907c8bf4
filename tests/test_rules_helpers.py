"""Shared test helpers live in one home: no test module defines its own copy of one."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent
SHARED = ("support.py", "files.py")


def _top_level_functions(path: Path) -> set[str]:
    """Names of the functions a module defines at its top level."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def _shared_helpers() -> dict[str, str]:
    """Every helper defined in a shared module, with the module that defines it."""
    return {name: module for module in SHARED for name in _top_level_functions(TESTS / module)}


def test_the_guard_knows_the_shared_helpers() -> None:
    """The guard reads the helpers it protects (a renamed module would make it pass on nothing)."""
    helpers = _shared_helpers()
    assert {"count", "events_of", "event_kinds", "audit_events", "fresh", "flashes", "png", "picture"} <= set(helpers)


def test_no_test_module_redefines_a_shared_helper() -> None:
    """A test module that needs ``count`` or ``png`` imports it from tests/support.py or tests/files.py."""
    helpers = _shared_helpers()
    copies = []
    for path in sorted(TESTS.glob("*.py")):
        if path.name in SHARED:
            continue
        for name in sorted(_top_level_functions(path) & set(helpers)):
            copies.append(f"{path.name}: {name}() (shared in tests/{helpers[name]})")
    assert not copies, "Import these from the shared module instead:\n" + "\n".join(copies)
