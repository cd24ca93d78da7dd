"""The package's structure: no import cycles, writers never depend on the build.

Every import counts, those inside functions too (an import made late to save start-up
time is still a dependency); only imports under ``if TYPE_CHECKING:`` are left out, as
they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import accesspub

PACKAGE = Path(accesspub.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(name: str) -> set[str]:
    """The accesspub modules ``name`` imports, anywhere in its code."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # ``from accesspub.engines.piper import voice``: a module, not a name in it
            found.update(f"{node.module}.{a.name}" for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: imports_of(name) for name in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    return found


def test_the_graph_is_read():
    # the test reads real imports: a few that must be there
    assert "accesspub.audio.narration" in GRAPH["accesspub.build"]     # inside a function
    assert "accesspub.read.rawblocks" in GRAPH["accesspub.read.htmlblocks"]
    assert "accesspub.model" in GRAPH["accesspub.writers.feed"]


def test_no_import_cycles():
    assert cycles(GRAPH) == []


def test_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_writers_take_data_not_the_build():
    build_side = {"accesspub.build", "accesspub.results", "accesspub.report"}
    for name, imported in GRAPH.items():
        if name.startswith("accesspub.writers"):
            assert not imported & build_side, f"{name} imports {imported & build_side}"


def test_testing_tools_stay_out_of_the_runtime():
    for name, imported in GRAPH.items():
        if not name.startswith("accesspub.testing"):
            assert not any(m.startswith("accesspub.testing") for m in imported), name
