"""No eval, exec or compile of anything in dcalc's own code: user text is only ever parsed by the grammar.

The check reads the installed package's files (dcalc and dcalc.grammar, wherever they are installed from), both as
syntax trees (every call of the builtins, however spelled) and as text (a plain grep, for what the tree check might
miss). `re.compile(…)` and dcalc's own `compile` function (dcalc.compile builds a graph) are not the builtin.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import dcalc
import dcalc.grammar

FORBIDDEN = {"eval", "exec", "compile", "__import__"}
ROOT = Path(dcalc.__file__).parent
SOURCES = sorted({p for pkg in (dcalc, dcalc.grammar) for p in Path(pkg.__file__).parent.rglob("*.py")})


def test_the_package_files_are_found():
    """Every module, the subpackages' too (language/syntax.py, modes/evaluate.py)."""
    names = {p.relative_to(ROOT).as_posix() for p in SOURCES if p.is_relative_to(ROOT)}
    assert {"__init__.py", "app.py", "language/syntax.py", "modes/evaluate.py", "core/ops.py", "commands/options.py"} <= names


def _own_definitions(tree: ast.Module) -> set[str]:
    """Names a module defines at its top level (dcalc/__init__.py defines `compile`)."""
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


def forbidden_calls(source: str) -> list[str]:
    tree = ast.parse(source)
    own = _own_definitions(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Name) and f.id in FORBIDDEN and f.id not in own:
            found.append(f"line {node.lineno}: {f.id}(…)")
        elif isinstance(f, ast.Attribute) and f.attr in FORBIDDEN and isinstance(f.value, ast.Name) \
                and f.value.id in ("builtins", "__builtins__"):
            found.append(f"line {node.lineno}: {f.value.id}.{f.attr}(…)")
        elif isinstance(f, ast.Name) and f.id == "getattr" and len(node.args) >= 2 \
                and isinstance(node.args[1], ast.Constant) and node.args[1].value in FORBIDDEN:
            found.append(f"line {node.lineno}: getattr(…, {node.args[1].value!r})")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(p.parents[1]).as_posix())
def test_no_eval_exec_or_compile_calls(path):
    assert forbidden_calls(path.read_text(encoding="utf-8")) == []


# A call of eval/exec/compile not preceded by a dot or a name character (so evaluate(, re.compile( and
# dcalc's own `def compile(` do not count), outside comments.
GREP = re.compile(r"(?<![\w.])(eval|exec|compile)\s*\(")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(p.parents[1]).as_posix())
def test_grep_finds_no_eval_exec_or_compile(path):
    hits = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        code = line.split("#", 1)[0]
        for m in GREP.finditer(code):
            if not re.match(r"\s*def\s+$", code[:m.start()]) and not _is_dcalc_compile(path, code, m):
                hits.append(f"{path.name}:{n}: {line.strip()}")
    assert hits == []


def _is_dcalc_compile(path: Path, code: str, m: re.Match) -> bool:
    """`compile(` inside dcalc/__init__.py calls dcalc.compile (the graph), defined in that same module."""
    return m.group(1) == "compile" and path.name == "__init__.py" and "compile" in _own_definitions(
        ast.parse(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("source, found", [
    ("eval('1')", ["line 1: eval(…)"]),
    ("import builtins\nbuiltins.exec(x)", ["line 2: builtins.exec(…)"]),
    ("getattr(__builtins__, 'eval')(s)", ["line 1: getattr(…, 'eval')"]),
    ("compile(s, 'f', 'exec')", ["line 1: compile(…)"]),
    ("def compile(t): pass\ncompile(t)", []),
    ("import re\nre.compile('x')\nevaluate(g)\nx.eval()", []),
])
def test_the_checker_itself(source, found):
    assert forbidden_calls(source) == found
