"""Per-primitive knowledge exists once, in the primitive table core/ops.py (issues 12 and 14): adding a primitive is
one entry there.

Two tests hold the promise. The first reads every module of the package with `ast` and fails where a module other
than the table holds a string equal to a function's name (a dict keyed by "sigmoid", `op == "csch"`), but for the
short list below, each with its reason. The operators (add, sub, mul, div, neg and pow: the arithmetic every mode,
simplifier and printer is written in) are not functions and may be named anywhere. The second copies the package,
adds one entry to the table's list (a toy function, cube(a) = a³, that no other file knows) and shows that every
mode takes it up: values, forward and reverse derivatives, Taylor (--order), NumPy columns (--points), LaTeX, diff,
the function list, suggestions, and code out refused clearly (the entry gives no code: ops.CODE has none for it).
"""

from __future__ import annotations

import ast
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

from dcalc.core.ops import FUNCTION_NAMES, OPS

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "cli" / "core" / "ops.py"
OPERATORS = {name for name, op in OPS.items() if op.symbol is not None} | {"pow"}
FUNCTIONS = (set(FUNCTION_NAMES) | set(OPS)) - OPERATORS

# (module, name): why the module may name that function. Each is knowledge that is not the function's own (a
# grammar's spelling, an identity between functions the simplifier uses) or the arithmetic's (a^b = exp(b·ln a))
ALLOWED = {
    ("language/syntax.py", "sqrt"): "the grammar: √x is read as sqrt(x)",
    ("symbolic/simplify.py", "sqrt"): "the simplifier's algebra: sqrt(u) is u^(1/2) among powers",
    ("symbolic/simplify.py", "abs"): "the simplifier's algebra: |u|^(2k) is u^(2k)",
    ("symbolic/simplify.py", "sin"): "the simplifier's identities sin² + cos² = 1 and sin/cos = tan",
    ("symbolic/simplify.py", "cos"): "the simplifier's identities sin² + cos² = 1 and sin/cos = tan",
    ("symbolic/simplify.py", "tan"): "the simplifier's identities sin/cos = tan",
    ("symbolic/simplify.py", "cot"): "the simplifier's identities cos/sin = cot",
    ("symbolic/simplify.py", "hypot"): "the simplifier's algebra: hypot(a, b)² is a² + b²",
    ("modes/series.py", "ln"): "the series of a^b with a varying exponent is exp(b·ln a)'s: the arithmetic's",
    ("symbolic/codegen.py", "abs"): "a word the generated Python reserves (its built-in abs), not dcalc's abs",
}


def _named_functions() -> set[tuple[str, str, int]]:
    """(module, function name, line) for each string literal equal to a function's name outside the table."""
    found = set()
    for path in sorted((ROOT / "cli").rglob("*.py")):
        if path == TABLE:
            continue
        module = path.relative_to(ROOT / "cli").as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in FUNCTIONS:
                found.add((module, node.value, node.lineno))
    return found


def test_no_module_but_the_table_names_a_function():
    stray = sorted(f"{m}:{line}: '{name}'" for m, name, line in _named_functions() if (m, name) not in ALLOWED)
    assert not stray, "per-primitive knowledge outside core/ops.py (move it into the table):\n" + "\n".join(stray)


def test_every_allowance_is_still_needed():
    used = {(m, name) for m, name, _ in _named_functions()}
    assert set(ALLOWED) <= used, f"allowances no module needs any more: {sorted(set(ALLOWED) - used)}"


def test_the_scan_finds_a_function_named_outside_the_table(tmp_path):
    """The scan is not vacuous: a stray literal in a copy of a module is found."""
    assert ("core/wide.py", "csch", 1) not in _named_functions()
    src = "SPECIAL = {'csch': 1}\n"
    tree = ast.parse(src)
    assert [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value in FUNCTIONS] == ["csch"]


# ---- a new primitive is one entry ---------------------------------------------------------------------------------

_ENTRY = '''    Op("cube", 1, lambda a: a * a * a, (lambda a: 3 * a ** 2,),
       latex="\\\\operatorname{{cube}}\\\\left({a}\\\\right)", doc="a toy: a cubed"),
'''

_SCRIPT = r'''
import contextlib, io, json, sys
from dcalc.app import main
results = []
for argv in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    results.append([code, out.getvalue(), err.getvalue()])
print(json.dumps(results))
'''


def _with_cube(root: Path) -> Path:
    """A copy of the package in `root` whose table has one more entry, at the end of its list."""
    shutil.copytree(ROOT / "cli", root / "dcalc", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "grammar", root / "dcalc" / "grammar", ignore=shutil.ignore_patterns("__pycache__"))
    ops = root / "dcalc" / "core" / "ops.py"
    text = ops.read_text(encoding="utf-8")
    end = text.index("]\n\nOPS: dict[str, Op]")
    ops.write_text(text[:end] + _ENTRY + text[end:], encoding="utf-8")
    return root


def test_a_new_primitive_is_one_entry_of_the_table(tmp_path):
    root = _with_cube(tmp_path / "pkg")
    csv = tmp_path / "points.csv"
    csv.write_text("x\n2\n-1\n0.5\n")
    runs = {
        "eval": ["eval", "cube(x) + 1", "--at", "x=2", "--json"],
        "grad": ["grad", "cube(x)*y", "--at", "x=2,y=3", "--json"],
        "forward": ["trace", "cube(x)", "--at", "x=2", "--mode", "forward"],
        "reverse": ["trace", "cube(x)", "--at", "x=2", "--mode", "reverse"],
        "order": ["grad", "cube(x)", "--at", "x=2", "--order", "3", "--json"],
        "points": ["grad", "cube(x)", "--points", str(csv), "--json"],
        "diff": ["diff", "cube(x)", "--wrt", "x"],
        "diff2": ["diff", "cube(sin(x))", "--wrt", "x", "--at", "x=1", "--json"],
        "latex": ["diff", "cube(x)", "--wrt", "x", "--format", "latex"],
        "hessian": ["grad", "cube(x)*y", "--at", "x=2,y=3", "--hessian", "--json"],
        "code": ["diff", "cube(x)", "--wrt", "x", "--format", "c"],
        "functions": ["functions"],
        "typo": ["eval", "cubee(x)", "--at", "x=1"],
        "check": ["check", "cube(x)*exp(x)", "--at", "x=0.7"],
        "wide": ["grad", "cube(1e-120*x)*1e300*1e60", "--at", "x=2", "--json"],
    }
    proc = subprocess.run([sys.executable, "-c", _SCRIPT, json.dumps(list(runs.values()))], cwd=tmp_path,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "COLUMNS": "80"},
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = dict(zip(runs, json.loads(proc.stdout)))
    for name in ("eval", "grad", "order", "points", "diff", "diff2", "latex", "hessian", "functions", "forward",
                 "reverse", "check", "wide"):
        assert got[name][0] == 0, (name, got[name])
    assert json.loads(got["eval"][1])["value"] == 9.0
    assert json.loads(got["grad"][1])["gradient"] == {"x": 36.0, "y": 8.0}
    assert "12" in got["forward"][1] and "12" in got["reverse"][1]
    assert json.loads(got["order"][1])["derivative"] == 6.0  # d³/dx³ x³
    rows = [json.loads(line) for line in got["points"][1].splitlines()]
    assert [r["gradient"]["x"] for r in rows] == [12.0, 3.0, 0.75]
    assert got["diff"][1].strip() == "3x^2"
    diff2 = json.loads(got["diff2"][1])
    assert diff2["formula"] == "3cos(x)*sin(x)^2"
    assert abs(diff2["values"][0]["derivative"] - 3 * math.sin(1) ** 2 * math.cos(1)) < 1e-15
    assert "3" in got["latex"][1] and "x^{2}" in got["latex"][1]
    assert json.loads(got["hessian"][1])["hessian"]["x"]["x"] == 36.0  # 6x·y
    assert got["code"][0] == 2 and got["code"][2] == "error: dcalc cannot write cube as code yet, in any language\n"
    assert "cube(a)" in got["functions"][1] and "a toy: a cubed" in got["functions"][1]
    assert got["typo"][0] == 2 and "did you mean 'cube'?" in got["typo"][2]
    assert json.loads(got["wide"][1])["gradient"]["x"] == 12.0  # cube(2e-120) underflows: the wide arithmetic
