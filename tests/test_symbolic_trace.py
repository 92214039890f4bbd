"""dcalc trace without --at (the derivation as formulas) and trace --paths (the derivative as a sum over paths).

References that share no dcalc code: SymPy for the derivatives of the issue's three examples, the numeric trace
(forward and reverse interpreters) and `dcalc diff` for every row of generated programs, and a brute-force path
enumeration in the test for the k-best listing."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
import sympy
from hypothesis import given, reject, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import dcalc
from dcalc.app import app
from dcalc.core.ops import OPS
from dcalc.core.printing import to_text
from dcalc.errors import DcalcError, MathError
from dcalc.language.expr import Apply, Num, Var
from dcalc.output.paths import paths_at
from dcalc.output.render_trace import TEXT
from dcalc.output.stages import formula_of
from dcalc.output.trace import trace
from dcalc.symbolic.derivation import Derivation

GOLDEN = Path(__file__).parent / "golden"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["trace", *args])


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    """The derivations row for row: a terminal wide enough for the table (the blocks' test sets its own width)."""
    monkeypatch.setenv("COLUMNS", "250")


# ---- the issue's three derivations, row for row ----------------------------------------------------------------------

SYMBOLIC_GOLDENS = [
    ("sym_x_plus_x2", ["x + x^2"]),
    ("sym_sin_x_plus_x2", ["sin(x + x^2)"]),
    ("sym_x_times_x2", ["x*x^2"]),
    ("sym_x_plus_x2_reverse", ["x + x^2", "--mode", "reverse"]),
    ("sym_sin_x_plus_x2_reverse", ["sin(x + x^2)", "--mode", "reverse"]),
    ("sym_x_times_x2_reverse", ["x*x^2", "--mode", "reverse"]),
    ("paths_x_plus_x2", ["x + x^2", "--paths"]),
    ("paths_x_plus_x2_at", ["x + x^2", "--paths", "--at", "2"]),
]


@pytest.mark.parametrize("name, args", SYMBOLIC_GOLDENS, ids=[g[0] for g in SYMBOLIC_GOLDENS])
def test_golden_text(name, args):
    """Exact text. DCALC_UPDATE_GOLDEN=1 rewrites the files after a deliberate change."""
    r = run(*args)
    assert r.exit_code == 0, r.stderr
    path = GOLDEN / f"trace_{name}.txt"
    if os.environ.get("DCALC_UPDATE_GOLDEN"):
        path.write_text(r.stdout, encoding="utf-8")
    assert r.stdout == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("text, row, sympy_d", [
    ("x + x^2", "du2/dx = ∂u2/∂x + ∂u2/∂u1·du1/dx = 1 + 1·2x = 1 + 2x = 2x + 1", "1 + 2*x"),
    ("sin(x + x^2)", "du3/dx = ∂u3/∂u2·du2/dx = cos(u2)·(2x + 1) = (2x + 1)*cos(x^2 + x)", "cos(x + x**2)*(1 + 2*x)"),
    ("x*x^2", "du2/dx = ∂u2/∂x + ∂u2/∂u1·du1/dx = u1 + x·2x = x^2 + 2x^2 = 3x^2", "3*x**2"),
])
def test_the_issue_derivations(text, row, sympy_d):
    out = run(text).stdout
    assert row in out
    assert "∂u1/∂x = 2x" in out and "du1/dx = ∂u1/∂x = 2x" in out
    last = out.split("\n\n")[2].splitlines()[0]  # the summary: df/dx = diff's formula
    assert last == f"df/dx = {dcalc.diff(text)}"
    x = sympy.Symbol("x")
    mine = sympy.sympify(last.split(" = ", 1)[1].replace("^", "**").replace("2x", "2*x").replace("3x", "3*x"))
    assert sympy.simplify(mine - sympy.sympify(sympy_d)) == 0
    assert sympy.simplify(sympy.diff(sympy.sympify(text.replace("^", "**")), x) - sympy.sympify(sympy_d)) == 0


def test_reverse_rows_are_the_adjoints_written_so():
    out = run("x + x^2", "--mode", "reverse").stdout
    assert any(line.endswith("x̄ = ū1·∂u1/∂x + ū2·∂u2/∂x = 1·2x + 1·1 = 2x + 1") for line in out.splitlines())
    assert "ū2 = 1" in out and "ū1 = ū2·∂u2/∂u1 = 1·1 = 1" in out
    out = run("sin(x + x^2)", "--mode", "reverse").stdout  # the input's row ends in diff's own printing
    assert out.split("\n\n")[1].splitlines()[-1].endswith("= (2x + 1)*cos(x^2 + x)")


def test_reverse_with_wrt_restates_only_that_derivative():
    """--wrt is not ignored in reverse mode: the summary (text, JSON, LaTeX) gives df/dx alone, equal to diff's."""
    out = run("x*y + sin(x)", "--mode", "reverse", "--wrt", "x").stdout
    assert out.rstrip().splitlines()[-1] == "∂f/∂x = y + cos(x)" and "∂f/∂y" not in out
    head = json.loads(run("x*y + sin(x)", "--mode", "reverse", "--wrt", "x", "--format", "json").stdout)
    assert head["gradient_formula"] == {"x": "y + cos(x)"}
    latex = run("x*y + sin(x)", "--mode", "reverse", "--wrt", "y", "--format", "latex").stdout
    assert "\\frac{\\partial f}{\\partial y} &= x" in latex and "\\partial f}{\\partial x}" not in latex
    both = run("x*y + sin(x)", "--mode", "reverse").stdout.rstrip().splitlines()[-2:]
    assert both == ["∂f/∂x = y + cos(x)", "∂f/∂y = x"]


def test_the_output_keeps_its_name_in_the_summary():
    """A program ending in `loss = …`, or in the bare name of an assigned variable, is summarised as dloss/dx, with or
    without a point, forward and reverse (issue 13: not df/dx)."""
    assert run("loss = sin(x)").stdout.rstrip().splitlines()[-1] == "dloss/dx = cos(x)"
    out = run("h = w1*x; loss = (h - 1)^2; loss", "--mode", "reverse").stdout.rstrip().splitlines()
    assert out[-2:] == ["∂loss/∂w1 = 2x*(w1*x - 1)", "∂loss/∂x = 2w1*(w1*x - 1)"]
    at = run("h = w1*x; loss = (h - 1)^2; loss", "--at", "w1=2,x=3", "--mode", "reverse").stdout.rstrip()
    assert at.splitlines()[-2:] == ["∂loss/∂w1 = w̄1 = 30", "∂loss/∂x = x̄ = 20"]
    assert "\\frac{d\\mathit{loss}}{dx} &= \\cos\\left(x\\right)" in run("loss = sin(x)", "--format", "latex").stdout
    assert run("sin(x)").stdout.rstrip().splitlines()[-1] == "df/dx = cos(x)"


def test_formula_beside_the_number_at_a_point():
    out = run("x*x^2", "--at", "2").stdout
    assert "du2/dx = ∂u2/∂x + ∂u2/∂u1·du1/dx = 3x^2 = 4 + 2·4 = 12" in out
    out = run("x*x^2", "--at", "2", "--mode", "reverse").stdout
    assert "x̄        = ū1·∂u1/∂x + ū2·∂u2/∂x = 3x^2 = 2·4 + 1·4 = 12" in out


# ---- JSON -------------------------------------------------------------------------------------------------------------

def test_json_without_a_point():
    r = run("x*x^2", "--format", "json")
    assert r.exit_code == 0 and r.stdout.count("\n") == 1
    assert json.loads(r.stdout) == {
        "expr": "x*x^2", "wrt": "x", "mode": "forward", "derivative_formula": "3x^2",
        "nodes": [{"name": "x", "kind": "input", "derivative_formula": "1"},
                  {"name": "u1", "kind": "node", "expr": "x^2", "inputs": ["x"], "partial_rules": {"x": "2x"},
                   "derivative_formula": "2x"},
                  {"name": "u2", "kind": "node", "expr": "x*u1", "inputs": ["x", "u1"],
                   "partial_rules": {"x": "u1", "u1": "x"}, "derivative_formula": "3x^2"}]}
    j = json.loads(run("ln(x1) + x1*x2 - sin(x2)", "--format", "json", "--mode", "reverse").stdout)
    assert j["gradient_formula"] == {"x1": "x2 + 1/x1", "x2": "x1 - cos(x2)"}
    assert [n["adjoint_formula"] for n in j["nodes"]][-2:] == ["x1 - cos(x2)", "x2 + 1/x1"]


def test_json_at_a_point_keeps_every_key_and_adds_the_formulas():
    j = json.loads(run("x*y + x", "--at", "x=2,y=3", "--mode", "reverse", "--wrt", "x", "--format", "json").stdout)
    for n in j["nodes"]:
        assert {"derivative", "adjoint", "derivative_formula", "adjoint_formula"} <= set(n)
    assert j["nodes"][0]["adjoint_formula"] == "y + 1"


# ---- the laws, on generated programs -----------------------------------------------------------------------------------

LEAVES = st.sampled_from([Var("x"), Var("y"), Num(0.5), Num(2.0)])
EXPRS = st.recursive(LEAVES, lambda kids: st.sampled_from(sorted(OPS)).flatmap(
    lambda name: st.tuples(*[kids] * OPS[name].arity).map(lambda args: Apply(name, args))), max_leaves=8)


def _agree(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-8, abs_tol=1e-9 * (1 + abs(a) + abs(b)))


def _value(formula: str, point: dict) -> float:
    return dcalc.evaluate(formula, point)


@settings(max_examples=120, deadline=None)
@given(EXPRS, st.floats(0.2, 2.5), st.floats(0.2, 2.5))
def test_every_row_formula_equals_its_number_and_the_last_equals_diff(expr, x, y):
    try:
        g = dcalc.compile(to_text(expr))
        if "x" not in g.inputs:
            reject()
        point = {n: v for n, v in (("x", x), ("y", y)) if n in g.inputs}
        t = trace(g, point, "x", "forward")
        if t.sides is not None:
            reject()  # a kink: the numbers are one-sided
        numbers = {r.index: r.derivative for r in t.rows(rules=False)}
        d = Derivation(g, "x", "forward")
        checked = 0
        for r in d.rows():
            f = formula_of(d, r, TEXT)
            if "/d" in f:
                continue  # too large to write out: named after earlier rows
            assert _agree(_value(f, point), numbers[r.index]), (r.name, f)
            checked += 1
        want = _value(dcalc.diff(g, "x"), point)
        assert _agree(want, t.derivative)
        assert checked
        # the sum over paths equals the derivative (every path listed while there are few)
        p = paths_at(g, "x", t)
        if p.count <= 200:
            listed = [p.path(es, []) for es in p.best(p.count)]
            assert len(listed) == p.count
            total = math.fsum(q.value for q in listed)
            assert _agree(total, t.derivative), (total, t.derivative)
    except MathError:
        reject()


@settings(max_examples=80, deadline=None)
@given(EXPRS, st.floats(0.2, 2.5), st.floats(0.2, 2.5))
def test_every_adjoint_formula_equals_its_number(expr, x, y):
    try:
        g = dcalc.compile(to_text(expr))
        if not g.inputs:
            reject()
        point = {n: v for n, v in (("x", x), ("y", y)) if n in g.inputs}
        t = trace(g, point, None, "reverse")
        numbers = {r.index: r.adjoint for r in t.rows(rules=False)}
        d = Derivation(g, None, "reverse")
        for r in d.rows():
            f = formula_of(d, r, TEXT)
            if "̄" not in f and "/d" not in f:
                assert _agree(_value(f, point), numbers[r.index]), (r.name, f)
    except MathError:
        reject()


# ---- paths ------------------------------------------------------------------------------------------------------------

def _diamond(n: int) -> str:
    """a_k reads a_(k-1) twice through two different nodes: 2^n paths from x to the output."""
    lines = ["a0 = x"] + [f"a{k} = sin(a{k - 1})*cos(a{k - 1})" for k in range(1, n + 1)]
    return "\n".join(lines)


def test_path_count_is_exact_and_the_listing_capped():
    r = run(_diamond(200), "--paths", "--at", "0.3", "--format", "json", "--max-paths", "7")
    assert r.exit_code == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["path_count"] == 2 ** 200 and len(j["paths"]) == 7 and j["more_paths"] == 2 ** 200 - 7
    text = run(_diamond(200), "--paths", "--at", "0.3", "--max-paths", "7").stdout
    assert "about 10^60 (61-digit count) paths from x to a200" in text
    assert "… and about 10^60 (61-digit count) more paths" in text
    small = run(_diamond(3), "--paths").stdout
    assert small.startswith("8 paths from x to a3 (fewest edges first)")


def test_k_best_listing_matches_brute_force():
    """The largest |products| first: the k-best search against every path enumerated here."""
    text = _diamond(5) + "\na5 + a2*x"
    full = json.loads(run(text, "--paths", "--at", "0.7", "--format", "json", "--max-paths", "1000").stdout)
    assert len(full["paths"]) == full["path_count"] and full["more_paths"] == 0
    products = sorted((abs(q["product"]) for q in full["paths"]), reverse=True)
    assert [abs(q["product"]) for q in full["paths"]] == products
    for q in full["paths"]:
        assert _agree(q["product"], math.prod(q["partials"]))
    assert _agree(math.fsum(q["product"] for q in full["paths"]), dcalc.derivative(text, {"x": 0.7}))
    top = json.loads(run(text, "--paths", "--at", "0.7", "--format", "json", "--max-paths", "5").stdout)
    assert [abs(q["product"]) for q in top["paths"]] == products[:5]
    assert top["more_paths"] == full["path_count"] - 5


def test_the_chain_rule_path_and_what_it_misses():
    out = run("x + x^2", "--paths", "--at", "2").stdout
    assert "*  x → u1 → u2  2x·1" in out and "   x → u2       1" in out
    assert "gives 2x = 4" in out and "it misses the other 1 path, which contributes 1 = 1" in out
    j = json.loads(run("x*x^2", "--paths", "--format", "json").stdout)
    assert j["chain_rule_path"] == ["x", "u1", "u2"] and j["chain_rule_misses_formula"] == "x^2"
    assert [q["product_formula"] for q in j["paths"]] == ["x^2", "2x^2"]
    assert run("sin(x)", "--paths").stdout.count("it is the only path") == 1


def test_paths_is_the_same_in_either_mode():
    assert run("x + x^2", "--paths", "--mode", "reverse").stdout == run("x + x^2", "--paths").stdout


@pytest.mark.parametrize("args, message", [
    (["3", "--paths"], "no free variables, so there are no paths to list"),
    (["x*y", "--paths"], "--paths follows one variable: say which with --wrt (one of x, y)"),
    (["x", "--paths", "--format", "latex"], "--paths writes text or json, not latex"),
    (["2 + 3"], "no free variables"),
    (["x*y"], "say which variable to differentiate by with --wrt"),
])
def test_errors(args, message):
    r = run(*args)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.startswith("error: ") and message in r.stderr


def test_max_paths_must_be_positive():
    assert run("x", "--paths", "--max-paths", "0").exit_code == 2


def test_no_path_when_the_output_ignores_the_variable():
    r = run("a = sin(x); y", "--wrt", "x", "--paths")
    assert r.exit_code == 0 and r.stdout == "no path leads from x to y: ∂f/∂x = 0\n"
    assert paths_at(dcalc.compile("a = sin(x); y"), "x").count == 0


# ---- size: linear, never exponential ---------------------------------------------------------------------------------

def test_deep_symbolic_trace_is_linear():
    """A 5,000-deep chain (tests/bench has bigger figures): rows past the size bound name earlier rows, so every
    line stays short and the output grows linearly."""
    depth = 5_000
    r = run("sin(" * depth + "x" + ")" * depth, "--format", "json")
    assert r.exit_code == 0
    j = json.loads(r.stdout)
    assert len(j["nodes"]) == depth + 1
    assert j["nodes"][-1]["derivative_formula"] == f"cos(u{depth - 1})·du{depth - 1}/dx"
    assert max(len(n["derivative_formula"]) for n in j["nodes"]) < 400


def test_formula_rows_past_the_bound_name_earlier_rows():
    d = Derivation(dcalc.compile("sin(" * 40 + "x" + ")" * 40), "x")
    rows = list(d.rows())
    assert all(len(formula_of(d, r, TEXT)) < 400 for r in rows)


def test_a_library_error_is_a_dcalc_error():
    with pytest.raises(DcalcError):
        paths_at(dcalc.compile("x"), "y")


def test_many_inputs_in_reverse_mode_keep_to_one_pass():
    """Past 20 inputs reverse mode does not differentiate once per input: the inputs' adjoint formulas are the
    gradient, and they agree with the numbers."""
    text = " + ".join(f"sin(x{i}*x{i + 1})" for i in range(25))
    j = json.loads(run(text, "--mode", "reverse", "--format", "json").stdout)
    assert j["gradient_formula"] is None
    point = {f"x{i}": 0.1 * (i + 1) for i in range(26)}
    grad = dcalc.gradient(text, point)
    inputs = [n for n in j["nodes"] if n["kind"] == "input"]
    assert len(inputs) == 26
    for n in inputs:
        assert _agree(_value(n["adjoint_formula"], point), grad[n["name"]]), n
    assert "the gradient: the inputs' adjoints above (26 inputs)" in run(text, "--mode", "reverse").stdout


# ---- issue 13 items 3-4 in the symbolic trace: the legend, the marks, the blocks -------------------------------------

def test_the_legend_by_default_and_not_with_no_legend():
    """The same key as the trace at a point, in text and LaTeX; reverse mode adds the adjoint's sentence."""
    from dcalc.output.render_trace import LEGEND_FORWARD, LEGEND_REVERSE
    text = run("x + x^2").stdout
    assert LEGEND_FORWARD in text and "*: a node where the two differ" in text
    assert LEGEND_REVERSE not in text
    bare = run("x + x^2", "--no-legend").stdout
    assert LEGEND_FORWARD not in bare and "*: a node" not in bare
    assert bare.splitlines()[2:] == text.splitlines()[4:]  # only the key (two sentences) goes
    reverse = run("x + x^2", "--mode", "reverse").stdout
    assert LEGEND_FORWARD in reverse and LEGEND_REVERSE in reverse
    assert LEGEND_REVERSE not in run("x + x^2", "--mode", "reverse", "--no-legend").stdout
    latex = run("x + x^2", "--format", "latex").stdout
    assert "\\text{notation: }" in latex and "\\ast \\text{ marks a node where }" in latex
    assert "notation" not in run("x + x^2", "--format", "latex", "--no-legend").stdout
    assert "adjoint: the total derivative" in run("x + x^2", "--format", "latex", "--mode", "reverse").stdout
    assert "notation" not in run("x + x^2", "--format", "json").stdout


def _marks(text: str) -> set[str]:
    """The marked rows of the table (COLUMNS=250): `*  u2 = x + u1  ...`."""
    return {line.split()[1] for line in run(text, "--no-legend").stdout.splitlines() if line.startswith("*  u")}


@pytest.mark.parametrize("text, marks", [
    ("sin(x)*cos(x)", {"u3"}),  # du3/dx = u2·cos(x) + u1·(-sin(x)), ∂u3/∂x = 0: they differ though x is not read
    ("x + x^2", {"u2"}),
    ("sin(x + x^2)", {"u2", "u3"}),
    ("sin(x)", set()),  # reads only x: du/dx = ∂u/∂x
    ("x*x", set()),
])
def test_the_mark_rule_is_the_trace_at_a_point(text, marks):
    """Marked exactly where the trace at a point marks (render_trace.marked), at any point."""
    from dcalc.output.render_trace import marked
    t = trace(dcalc.compile(text), {"x": 0.7}, "x", "forward")
    assert {r.name for r in t.rows() if marked(t, r)} == marks
    assert _marks(text) == marks


def test_blocks_when_wider_than_the_terminal(monkeypatch):
    """COLUMNS=40: one block per node, each equation one step a line, no line wider than 40; at 250 the table."""
    monkeypatch.setenv("COLUMNS", "40")
    out = run("sin(x + x^2)", "--no-legend").stdout
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 40
    assert "* u2 = x + u1" in lines and "  u1 = x^2" in lines
    k = lines.index("* u2 = x + u1")
    assert lines[k + 1:k + 6] == ["    ∂u2/∂x = 1", "    ∂u2/∂u1 = 1", "    du2/dx = ∂u2/∂x + ∂u2/∂u1·du1/dx",
                                  "           = 1 + 1·2x", "           = 1 + 2x"]
    assert lines[k + 6] == "           = 2x + 1"
    assert "df/dx = (2x + 1)*cos(x^2 + x)" in lines
    reverse = run("x*y", "--mode", "reverse", "--no-legend").stdout.splitlines()
    assert max(len(line) for line in reverse) <= 40 and "  y (input)" in reverse
    assert "    ȳ = ū1·∂u1/∂y = 1·x = x" in reverse
    monkeypatch.setenv("COLUMNS", "250")
    wide = run("sin(x + x^2)", "--no-legend").stdout
    assert "* u2  u2 = x + u1" not in wide and any(
        line.startswith("*  u2 = x + u1") and "du2/dx = ∂u2/∂x + ∂u2/∂u1·du1/dx = 1 + 1·2x = 1 + 2x = 2x + 1" in line
        for line in wide.splitlines())


def test_the_graphs_mark_by_the_same_rule():
    """dot and Mermaid highlight the marked nodes: u3 of sin(x)*cos(x), and neither u1 nor u2."""
    dot = run("sin(x)*cos(x)", "--format", "dot").stdout.splitlines()
    assert [line.split()[0] for line in dot if "darkorange" in line] == ['"u3"', '"key']  # the legend's example
    mermaid = run("sin(x)*cos(x)", "--format", "mermaid").stdout.splitlines()
    assert mermaid[-1] == "  class n3 direct"
    assert not [line for line in run("sin(x)", "--format", "mermaid").stdout.splitlines()
                if line.startswith("  class n") and line.endswith(" direct")]
