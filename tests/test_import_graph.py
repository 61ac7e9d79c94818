"""No two of our modules import each other: each layer reads only the ones below it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {
    "pubsmith": ROOT / "core" / "pubsmith",
    "pubsmith_formats": ROOT / "plugins" / "pubsmith_formats",
    "pubsmith_sandbox": ROOT / "sandbox" / "pubsmith_sandbox",
}


def _module_name(package: str, root: Path, path: Path) -> str:
    parts = [package, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.AST, known: set[str]) -> set[str]:
    """Modules of ours imported anywhere (inside functions too: an import deferred for
    start-up time still ties the two modules), but not under ``if TYPE_CHECKING:``."""
    found: set[str] = set()
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            found |= _imports(ast.Module(body=node.orelse, type_ignores=[]), known)
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        found |= _imports(node, known)
    return found & known


def import_graph() -> dict[str, set[str]]:
    sources = {
        _module_name(package, root, path): path
        for package, root in PACKAGES.items()
        for path in root.rglob("*.py")
    }
    return {
        name: _imports(ast.parse(path.read_text()), set(sources)) - {name}
        for name, path in sources.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    done: set[str] = set()
    for start in graph:
        stack: list[tuple[str, list[str]]] = [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for child in graph.get(node, ()):
                if child == start:
                    return [*trail, child]
                if child not in trail and child not in done:
                    stack.append((child, [*trail, child]))
        done.add(start)
    return None


def test_no_module_imports_one_that_imports_it_back() -> None:
    # Package __init__ modules re-export their children, which is not a cycle of ideas.
    graph = {
        name: {child for child in children if not name.startswith(f"{child}.")}
        for name, children in import_graph().items()
    }
    assert find_cycle(graph) is None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
