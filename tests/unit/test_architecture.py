"""The house rules that are about structure: module size, import direction, no cycles.

Imports are read from the source (``ast``), at module level and inside functions alike; only
those under ``if TYPE_CHECKING:`` are left out, since they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "qiskit_rest_provider"
MAX_LINES = 300


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.append(child)
            visit(child)

    visit(tree)
    return found


def _targets(name: str, path: Path) -> set[str]:
    """Full names of everything the module imports when it runs (ours and third-party)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
            continue
        if node.level:
            base = package.split(".")
            base = base[: len(base) - node.level + 1]
            module = ".".join([*base, *([node.module] if node.module else [])])
        else:
            module = node.module or ""
        for alias in node.names:
            sub = f"{module}.{alias.name}"
            out.add(sub if sub in MODULES else module)
    return out


IMPORTS = {name: _targets(name, path) for name, path in MODULES.items()}


def _ours(name: str) -> set[str]:
    return {t for t in IMPORTS[name] if t in MODULES}


def _room(name: str) -> str:
    """``qiskit_rest_provider.codec.pubs`` -> ``codec``; root modules are their own room."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_no_module_is_longer_than_300_lines():
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def _cycles() -> list[list[str]]:
    # Tarjan's strongly connected components over our modules.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(_ours(node)):
            if nxt == node or nxt == node.rpartition(".")[0]:
                continue  # a package importing its own children, or a child its package
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for name in sorted(MODULES):
        if name not in index:
            connect(name)
    return out


def test_no_import_cycle_outside_type_checking():
    # Package __init__ files re-export their children; an import of a sibling through its
    # package is not counted as importing the package.
    assert _cycles() == []


@pytest.mark.parametrize(
    ("room", "forbidden"),
    [
        ("primitives", ("http", "api", "emulator")),
        ("service", ("primitives",)),
        ("emulator", ("primitives", "service", "api", "http")),
        ("codec", ("http", "api", "service", "primitives", "emulator")),
        ("api", ("service", "primitives", "emulator", "codec")),
        ("http", ("api", "service", "primitives", "emulator", "codec")),
    ],
)
def test_rooms_import_only_downwards(room, forbidden):
    wrong = {
        name: sorted(t for t in _ours(name) if _room(t) in forbidden)
        for name in MODULES
        if _room(name) == room
    }
    assert {k: v for k, v in wrong.items() if v} == {}


@pytest.mark.parametrize("room", ["api", "http"])
def test_api_and_http_do_not_import_qiskit(room):
    wrong = {
        name: sorted(t for t in IMPORTS[name] if t.split(".")[0] == "qiskit")
        for name in MODULES
        if _room(name) == room
    }
    assert {k: v for k, v in wrong.items() if v} == {}


def test_the_client_imports_the_emulator_only_for_local_mode():
    # The command line and the pytest plugin start emulators; they are not the client.
    client = {
        name: sorted(t for t in _ours(name) if _room(t) == "emulator")
        for name in MODULES
        if _room(name) not in ("emulator", "cli", "testing")
    }
    allowed = {
        "qiskit_rest_provider.service.local_backend",
        "qiskit_rest_provider.service.local_job",
    }
    assert {k: v for k, v in client.items() if v and k not in allowed} == {}
