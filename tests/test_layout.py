"""The package layout: every module imports on its own, and no view module is part of an import circle."""

from __future__ import annotations

import ast
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import cube

ROOT = Path(cube.__file__).resolve().parent.parent


def _modules() -> list[str]:
    names = ["cube"]
    for info in pkgutil.walk_packages(cube.__path__, prefix="cube."):
        names.append(info.name)
    return sorted(names)


MODULES = _modules()


def test_the_walk_finds_the_packages() -> None:
    """The walk below really covers the code (a broken walk would make every check pass)."""
    assert len(MODULES) > 60
    for expected in ("cube.workorders.services", "cube.products.catalog", "cube.users.services", "cube.auth.routes"):
        assert expected in MODULES


def test_every_module_imports_alone_in_a_fresh_interpreter() -> None:
    """Import each module of ``cube`` as the first of the package in a fresh interpreter state; a circle fails."""
    program = (
        "import importlib, sys, traceback\n"
        "failed = []\n"
        "for name in sys.argv[1:]:\n"
        "    for loaded in [m for m in sys.modules if m == 'cube' or m.startswith('cube.')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception:\n"
        "        failed.append(name + ': ' + traceback.format_exc(limit=1).strip().splitlines()[-1])\n"
        "print('\\n'.join(failed))\n"
        "sys.exit(1 if failed else 0)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", program, *MODULES], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"modules that do not import on their own:\n{result.stdout}{result.stderr}"


def _module_files() -> dict[str, Path]:
    """Every module of ``cube`` by dotted name."""
    found = {}
    for path in sorted((ROOT / "cube").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imported_at_load(module: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ``known`` that ``module`` imports when it loads (not inside functions or TYPE_CHECKING)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
            names.update(f"{base}.{alias.name}" for alias in node.names)
            names.add(base)
    found = set()
    for name in names:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != module:
            found.add(name)
    return found


def test_no_module_is_in_an_import_circle() -> None:
    """Read every module's load-time imports (not inside functions): no module may reach itself."""
    files = _module_files()
    graph = {module: _imported_at_load(module, path, set(files)) for module, path in files.items()}
    assert "cube.products.blueprint" in graph["cube.products.asset_routes"]

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), list(graph[start])
        while todo:
            current = todo.pop()
            if current == goal:
                return True
            if current not in seen:
                seen.add(current)
                todo.extend(graph.get(current, ()))
        return False

    assert [module for module in graph if reaches(module, module)] == []
