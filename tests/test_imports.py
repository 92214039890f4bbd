"""The package's import graph, read from the source with `ast`: no cycles, and every import points down the stages.

Every Import and ImportFrom node counts, wherever it is (a function-level, lazy import is an edge like any other):
a cycle hidden in a function body still ties its modules into one unit that cannot be understood, tested or moved
apart. The stages, bottom up (README, "How the code is laid out"): errors; language (text → AST, with the grammar
tables of dcalc.grammar); core (the primitive table, the graph, the compiled rules); modes and symbolic, side by side
and independent of each other; output; the command layer and the top-level modules (the API, app, launch).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = {"dcalc": ROOT / "cli", "dcalc.grammar": ROOT / "grammar"}

BELOW_CORE = {"errors", "grammar", "language", "core"}
# What each stage may import from (its own stage included). The command layer and the top level may import anything.
ALLOWED = {
    "errors": set(),
    "grammar": {"grammar"},
    "language": {"errors", "grammar", "language"},
    "core": BELOW_CORE,
    "modes": BELOW_CORE | {"modes"},
    "symbolic": BELOW_CORE | {"symbolic"},
    "output": BELOW_CORE | {"modes", "symbolic", "output"},
}

def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its own name, for its __init__.py)."""
    found = {}
    for base, folder in SOURCES.items():
        for path in folder.rglob("*.py"):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            if base == "dcalc" and parts[:1] == ["grammar"]:
                continue
            found[".".join([base, *parts])] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that module `name` imports, anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                head = ".".join(base + ([node.module] if node.module else []))
            else:
                head = node.module or ""
            # `from . import syntax` imports a module; `from .expr import Var` the module expr
            targets = [f"{head}.{a.name}" if f"{head}.{a.name}" in known else head for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in known:  # `import dcalc.core.ops` names the module; a name inside one, its module
                t = t.rpartition(".")[0]
            if t and t != name:
                out.add(t)
    return out


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(name, path, set(found))
            for name, path in found.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the directed graph as a list of nodes [a, b, …, a], or None. Iterative depth-first search."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(edges):
        if state.get(start):
            continue
        path = [start]
        state[start] = 1
        stack = [iter(sorted(edges.get(start, ())))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(edges.get(nxt, ()))))
    return None


def stage(name: str) -> str:
    """The stage of a module: its subpackage, errors, or "top" (the API, app, launch, the command layer)."""
    parts = name.split(".")
    if parts[1:2] == ["errors"]:
        return "errors"
    if len(parts) > 2 or parts[1:2] in (["grammar"], ["language"], ["core"], ["modes"], ["symbolic"], ["output"]):
        return parts[1] if parts[1] in ALLOWED else "top"
    return "top"


def test_the_cycle_finder_finds_a_cycle_and_only_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set(), "d": {"a"}}) is None  # a diamond is no cycle
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"x": {"a"}, "a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
    assert find_cycle({"a": {"a"}}) == ["a", "a"]


def test_the_import_reader_sees_lazy_and_relative_imports(tmp_path):
    (tmp_path / "m.py").write_text("from .x import f\ndef g():\n    from . import y\n    import p.z\n")
    assert imports("p.m", tmp_path / "m.py", {"p", "p.x", "p.y", "p.z", "p.m"}) == {"p.x", "p.y", "p.z"}
    (tmp_path / "__init__.py").write_text("def h():\n    from .sub.inner import k\n    from ..top import t\n")
    assert imports("p.q", tmp_path / "__init__.py", {"p.q", "p.q.sub.inner", "p.top"}) == {"p.q.sub.inner", "p.top"}


def test_the_package_is_read():
    edges = graph()
    assert {"dcalc", "dcalc.core.ops", "dcalc.language.syntax", "dcalc.grammar.tables"} <= set(edges)
    assert "dcalc.language.expr" in edges["dcalc.core.ops"]
    assert "dcalc.core.graph" in edges["dcalc.modes.evaluate"]


def test_no_import_cycles():
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle)


@pytest.mark.parametrize("name", sorted(modules()))
def test_imports_point_down_the_stages(name):
    edges = graph()
    own = stage(name)
    if own == "top":
        return
    wrong = sorted(t for t in edges[name] if stage(t) not in ALLOWED[own])
    assert not wrong, f"{name} ({own}) imports {', '.join(f'{t} ({stage(t)})' for t in wrong)}"


def test_the_primitive_table_depends_on_the_ast_builders_alone():
    assert graph()["dcalc.core.ops"] == {"dcalc.language.expr"}


def test_subpackages_import_nothing_and_are_one_docstring():
    for folder in (ROOT / "cli").iterdir():
        init = folder / "__init__.py"
        if init.is_file():
            text = init.read_text(encoding="utf-8")
            assert text.count("\n") == 1 and text.startswith('"""') and text.endswith('"""\n'), init


def readme_tree() -> set[str]:
    """The files the folder tree of README "How the code is laid out" lists, as paths from the repository root."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## How the code is laid out\n", 1)[1].split("\n## ", 1)[0]
    paths, folders = set(), []
    for line in section.splitlines():
        if not line.startswith("    ") or not line.strip():
            continue
        body = line[4:]
        name = re.sub(r"^[│├└─ ]*", "", body).split()[0]
        depth = (len(body) - len(body.lstrip("│├└─ "))) // 4
        folders[depth:] = []
        if name.endswith("/"):
            folders.append(name)
        else:
            paths.add("".join(folders) + name)
    return paths


def test_the_readme_tree_lists_every_module():
    files = {str(p.relative_to(ROOT)) for folder in SOURCES.values() for p in folder.rglob("*")
             if p.is_file() and p.suffix in (".py", ".lark") and "__pycache__" not in p.parts}
    listed = readme_tree()
    assert listed == files, \
        f"missing from the README: {sorted(files - listed)}; not in the code: {sorted(listed - files)}"
