"""Several outputs with every option (issue 14 item 4): grad --order and --hessian per output, --expect f1=VALUE and
f1.x=VALUE, --points batches (rows, CSV, JSON, --reduce, col:NAME), diff in LaTeX, Markdown, JSON and code (run:
Python, NumPy, C compiled with -Wall -Werror, JavaScript with node), trace --seed in LaTeX and Markdown. References:
SymPy (exact derivatives), math.fsum over per-row results, and the single-point commands."""

from __future__ import annotations

import json
import math
import shutil
import subprocess

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings

import dcalc
from dcalc.app import main

POLAR = "r*cos(t), r*sin(t)"
LAYER = "h = tanh(w*x); loss = (h - y)^2; loss, h"
r_, t_, w_, x_, y_ = sp.symbols("r t w x y")
SYMPY = {POLAR: {"f1": r_ * sp.cos(t_), "f2": r_ * sp.sin(t_)},
         LAYER: {"loss": (sp.tanh(w_ * x_) - y_) ** 2, "h": sp.tanh(w_ * x_)}}
SYMBOLS = {"r": r_, "t": t_, "w": w_, "x": x_, "y": y_}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def exact(expr, point, *names):
    """SymPy's derivative of expr by names (in order) at the point, to 30 digits, as a float."""
    d = expr
    for x in names:
        d = sp.diff(d, SYMBOLS[x])
    return float(d.subs({SYMBOLS[k]: sp.Rational(v) for k, v in point.items()}).evalf(30))


def close(got, want, rel=1e-14):
    return abs(got - want) <= rel * max(abs(want), 1e-300) or got == want


# ---- grad --order and --hessian ------------------------------------------------------------------------------------

@pytest.mark.parametrize("program, point, x, order", [
    (POLAR, {"r": "2", "t": "0.5"}, "t", 2),
    (POLAR, {"r": "2", "t": "0.5"}, "t", 5),
    (POLAR, {"r": "2", "t": "0.5"}, "r", 2),  # 0 for both: linear in r
    (LAYER, {"w": "0.5", "x": "1.5", "y": "0.25"}, "w", 3),
])
def test_order_is_each_outputs_nth_derivative(capsys, program, point, x, order):
    at = ",".join(f"{k}={v}" for k, v in point.items())
    code, out, err = run(capsys, "grad", program, "--at", at, "--wrt", x, "--order", str(order), "--json")
    assert (code, err) == (0, "")
    rec = json.loads(out)
    assert rec["order"] == order and list(rec["derivative"]) == list(SYMPY[program])
    for label, f in SYMPY[program].items():
        assert close(rec["derivative"][label], exact(f, point, *[x] * order), 1e-12), label
    # text: one line per output, `label = derivative`, the same numbers
    code, text, _ = run(capsys, "grad", program, "--at", at, "--wrt", x, "--order", str(order))
    assert text == "".join(f"{label} = {dcalc.core.printing.number_text(v)}\n" for label, v in rec["derivative"].items())


def test_order_text_and_json_exact(capsys):
    assert run(capsys, "grad", POLAR, "--at", "r=2,t=0", "--wrt", "t", "--order", "2") == (0, "f1 = -2\nf2 = 0\n", "")
    code, out, _ = run(capsys, "grad", POLAR, "--at", "r=2,t=0", "--wrt", "t", "--order", "2", "--json")
    assert json.loads(out) == {"at": {"r": 2.0, "t": 0.0}, "value": {"f1": 2.0, "f2": 0.0}, "order": 2,
                               "derivative": {"f1": -2.0, "f2": -0.0}}


def test_order_along_a_direction(capsys):
    """d²/ds² f(p + s·d) at s = 0 = dᵀ H d, per output (SymPy)."""
    code, out, _ = run(capsys, "grad", POLAR, "--at", "r=2,t=0.5", "--direction", "r=1,t=3", "--order", "2", "--json")
    rec = json.loads(out)
    s = sp.symbols("s")
    for label, f in SYMPY[POLAR].items():
        g = f.subs({r_: 2 + s, t_: sp.Rational(1, 2) + 3 * s})
        assert close(rec["derivative"][label], float(sp.diff(g, s, 2).subs(s, 0).evalf(30)), 1e-13)
    assert rec["direction"] == {"r": 1.0, "t": 3.0}


def test_hessian_per_output_against_sympy(capsys):
    point = {"w": "0.5", "x": "1.5", "y": "0.25"}
    code, out, err = run(capsys, "grad", LAYER, "--at", "w=0.5,x=1.5,y=0.25", "--hessian", "--json")
    assert (code, err) == (0, "")
    rec = json.loads(out)
    assert list(rec) == ["at", "value", "jacobian", "hessian"] and list(rec["hessian"]) == ["loss", "h"]
    for label, f in SYMPY[LAYER].items():
        for a in "wxy":
            assert close(rec["jacobian"][label][a], exact(f, point, a), 1e-13)
            for b in "wxy":
                assert close(rec["hessian"][label][a][b], exact(f, point, a, b), 1e-12), (label, a, b)


def test_hessian_text_names_each_output(capsys):
    assert run(capsys, "grad", "x*y, x^2", "--at", "x=1,y=3", "--hessian") == (0, (
        "∂²f1/∂x² = 0  ∂²f1/∂x∂y = 1\n∂²f1/∂y∂x = 1  ∂²f1/∂y² = 0\n"
        "∂²f2/∂x² = 2  ∂²f2/∂x∂y = 0\n∂²f2/∂y∂x = 0  ∂²f2/∂y² = 0\n"), "")


def test_higher_errors_name_the_output(capsys):
    assert run(capsys, "grad", "x^2, x*abs(x)", "--at", "0", "--order", "2") == (
        1, "", "error: f2 has no derivative of order 2 at x = 0: left -2, right 2 (at u1 = abs(x) where x = 0)\n")
    code, out, err = run(capsys, "grad", POLAR, "--at", "r=1,t=0", "--order", "2")
    assert code == 2 and err.startswith("error: --order 2 needs one variable, the expression has 2")


# ---- --expect -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["eval", POLAR, "--at", "r=2,t=0", "--expect", "f1=2,f2=0"],
    ["eval", POLAR, "--at", "r=2,t=pi/2", "--expect", "f2=2"],          # any of the outputs; 1.2e-16 matches 0
    ["grad", POLAR, "--at", "r=2,t=0", "--expect", "f1.r=1,f2.t=2,f1.t=0"],
    ["grad", POLAR, "--at", "r=2,t=0", "--wrt", "t", "--expect", "f2=2"],  # one column: f2 alone
    ["grad", POLAR, "--at", "r=2,t=0", "--direction", "r=1,t=0.5", "--expect", "f1=1,f2=1"],
    ["grad", LAYER, "--at", "w=0,x=1,y=0.5", "--expect", "loss.w=-1,h.w=1,loss.y=1"],
])
def test_a_matching_expectation_exits_0(capsys, args):
    code, out, err = run(capsys, *args)
    assert (code, err) == (0, "") and out


@pytest.mark.parametrize("args, message", [
    (["eval", POLAR, "--at", "r=2,t=0", "--expect", "f1=2,f2=1"], "error: expected f2 = 1, got 0 at r = 2, t = 0\n"),
    (["grad", POLAR, "--at", "r=2,t=0", "--expect", "f2.t=3"], "error: expected ∂f2/∂t = 3, got 2 at r = 2, t = 0\n"),
    (["grad", POLAR, "--at", "r=2,t=0", "--at", "r=3,t=0", "--expect", "f2.t=2"],
     "error: expected ∂f2/∂t = 2, got 3 at r = 3, t = 0\n"),
    (["grad", POLAR, "--at", "r=2,t=0", "--direction", "t=1", "--expect", "f2=3"],
     "error: expected f2 = 3, got 2 at r = 2, t = 0\n"),
])
def test_a_failed_expectation_exits_3(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert (code, err) == (3, message) and out  # the results are still printed


@pytest.mark.parametrize("args, message", [
    (["eval", POLAR, "--at", "r=2,t=0", "--expect", "2"],
     "error: --expect 2: the program has 2 outputs (f1, f2): expected OUTPUT=VALUE, got '2'\n"),
    (["eval", POLAR, "--at", "r=2,t=0", "--expect", "f1.r=2"],
     "error: --expect f1.r=2: expected OUTPUT=VALUE, got 'f1.r' (a value per output)\n"),
    (["eval", POLAR, "--at", "r=2,t=0", "--expect", "g=2"],
     "error: --expect g=2: the program has no output 'g'; its outputs: f1, f2\n"),
    (["grad", POLAR, "--at", "r=2,t=0", "--expect", "f1=1"],
     "error: --expect f1=1: the Jacobian has 2 columns: name the entry, f1.r=VALUE\n"),
    (["grad", POLAR, "--at", "r=2,t=0", "--expect", "f1.z=1"],
     "error: --expect f1.z=1: the Jacobian has no column 'z'; its variables: r, t\n"),
    (["grad", POLAR, "--at", "r=2,t=0", "--expect", "f1.r=1,f1.r=2"], "error: --expect f1.r=1,f1.r=2: 'f1.r' is "
     "given twice\n"),
    (["grad", POLAR, "--at", "r=2,t=0", "--expect", "f1.r=x"],
     "error: --expect ∂f1/∂r must be a constant, but 'x' reads the variable 'x'\n"),
    (["grad", POLAR, "--at", "r=2,t=0", "--wrt", "t", "--order", "2", "--expect", "f1=1"],
     "error: --expect works with gradients, not with --direction, --order or --hessian\n"),
])
def test_expectation_usage_errors(capsys, args, message):
    assert run(capsys, *args) == (2, "", message)


# ---- --points ------------------------------------------------------------------------------------------------------

ROWS = [(2.0, 0.0), (1.0, 0.5), (3.0, -1.25), (0.5, 2.0)]


@pytest.fixture
def polar_csv(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id,r,t,want\n" + "".join(f"p{k},{r!r},{t!r},{r * math.cos(t)!r}\n"
                                               for k, (r, t) in enumerate(ROWS)))
    return str(path)


def _point(r, t):
    return dcalc.evaluate(POLAR, {"r": r, "t": t}), dcalc.jacobian(POLAR, {"r": r, "t": t})


def test_points_csv_has_a_column_per_output_and_entry(capsys, polar_csv):
    code, out, err = run(capsys, "grad", POLAR, "--points", polar_csv, "--format", "csv")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "id,r,t,want,f1,f2,∂f1/∂r,∂f1/∂t,∂f2/∂r,∂f2/∂t,status"
    for (r, t), line in zip(ROWS, lines[1:]):
        cells = line.split(",")
        v, jac = _point(r, t)
        want = [v["f1"], v["f2"], jac["f1"]["r"], jac["f1"]["t"], jac["f2"]["r"], jac["f2"]["t"]]
        assert [float(c) for c in cells[4:10]] == pytest.approx(want, rel=1e-15, abs=1e-300) and cells[10] == "ok"
    code, out, _ = run(capsys, "eval", POLAR, "--points", polar_csv, "--format", "csv")
    assert out.splitlines()[0] == "id,r,t,want,f1,f2,status"


def test_points_json_rows_are_keyed_by_output(capsys, polar_csv):
    code, out, err = run(capsys, "grad", POLAR, "--points", polar_csv, "--json")
    assert (code, err) == (0, "")
    for k, ((r, t), line) in enumerate(zip(ROWS, out.splitlines())):
        rec = json.loads(line)
        v, jac = _point(r, t)
        assert list(rec) == ["at", "extra", "value", "jacobian", "status"]
        assert rec["at"] == {"r": r, "t": t} and rec["extra"] == {"id": f"p{k}", "want": repr(r * math.cos(t))}
        assert rec["value"] == pytest.approx(v, rel=1e-15) and rec["status"] == "ok"
        assert all(rec["jacobian"][o] == pytest.approx(jac[o], rel=1e-15, abs=1e-300) for o in jac)
    code, out, _ = run(capsys, "eval", POLAR, "--points", polar_csv, "--json")
    assert list(json.loads(out.splitlines()[0])) == ["at", "extra", "value", "status"]


def test_points_text_is_one_line_a_row(capsys):
    code, out, err = run_stdin(capsys, "r,t\n2,0\n", "grad", POLAR, "--points", "-")
    assert (code, out) == (0, "∂f1/∂r = 1  ∂f1/∂t = 0  ∂f2/∂r = 0  ∂f2/∂t = 2\n")
    code, out, err = run_stdin(capsys, "r,t\n2,0\n", "eval", POLAR, "--points", "-")
    assert (code, out) == (0, "f1 = 2  f2 = 0\n")


def run_stdin(capsys, text, *argv):
    import io
    import sys
    old = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(text.encode()))
    try:
        return run(capsys, *argv)
    finally:
        sys.stdin = old


def test_a_failed_row_keeps_the_shape_and_names_its_output(capsys, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("x\n0\n1\n")
    code, out, err = run(capsys, "grad", "x^2, abs(x)", "--points", str(path), "--format", "json")
    first, second = map(json.loads, out.splitlines())
    assert code == 1 and first == {"at": {"x": 0.0}, "value": {"f1": None, "f2": None},
                                   "jacobian": {"f1": {"x": None}, "f2": {"x": None}},
                                   "status": "f2 is not differentiable at x = 0: left derivative -1, right derivative "
                                             "1 (at f2 = abs(x) where x = 0)"}
    assert second == {"at": {"x": 1.0}, "value": {"f1": 1.0, "f2": 1.0}, "jacobian": {"f1": {"x": 2.0},
                                                                                         "f2": {"x": 1.0}},
                      "status": "ok"}
    assert json.loads(err)["error"].startswith("1 of 2 rows of")
    code, out, _ = run(capsys, "grad", "x^2, abs(x)", "--points", str(path), "--format", "csv")
    assert out.splitlines()[1] == ('0,,,,,"f2 is not differentiable at x = 0: left derivative -1, right derivative 1 '
                                   '(at f2 = abs(x) where x = 0)"')


def test_parameters_and_reduce_are_the_exact_mean_of_the_rows(capsys, tmp_path):
    """Data x, y in the file, the parameter w by --at: the Jacobian by w per row, and --reduce mean/sum equal to
    math.fsum over the rows' single-point results."""
    xs = [0.5, -1.0, 2.0, 0.25, 1e-3]
    ys = [1.0, 0.0, 1.0, 0.5, 2.0]
    path = tmp_path / "d.csv"
    path.write_text("x,y\n" + "".join(f"{x!r},{y!r}\n" for x, y in zip(xs, ys)))
    rows = [(dcalc.evaluate(LAYER, {"w": 0.7, "x": x, "y": y}), dcalc.jacobian(LAYER, {"w": 0.7, "x": x, "y": y},
                                                                               ["w"])) for x, y in zip(xs, ys)]
    code, out, err = run(capsys, "grad", LAYER, "--points", str(path), "--at", "w=0.7", "--json")
    assert code == 0
    batch = [json.loads(line) for line in out.splitlines()]
    for (v, jac), rec in zip(rows, batch):  # NumPy's tanh and the C library's may differ in the last bit
        assert list(rec["jacobian"]) == ["loss", "h"] and list(rec["jacobian"]["loss"]) == ["w"]
        assert all(close(rec["jacobian"][o]["w"], jac[o]["w"], 1e-13) for o in jac)
        assert all(close(rec["value"][o], v[o], 1e-13) for o in v) and rec["at"]["w"] == 0.7
    for how in ("mean", "sum"):
        code, out, err = run(capsys, "grad", LAYER, "--points", str(path), "--at", "w=0.7", "--reduce", how, "--json")
        rec = json.loads(out)
        n = len(rows) if how == "mean" else 1
        assert rec["reduce"] == how and rec["rows"] == 5 and rec["at"] == {"w": 0.7}
        for label in ("loss", "h"):  # exactly: the rows' numbers summed once, rounded once
            assert rec["value"][label] == math.fsum(b["value"][label] for b in batch) / n
            assert rec["jacobian"][label]["w"] == math.fsum(b["jacobian"][label]["w"] for b in batch) / n
    code, out, _ = run(capsys, "grad", LAYER, "--points", str(path), "--at", "w=0.7", "--reduce", "sum")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["∂/∂w"] and lines[1].split()[0] == "loss"
    code, out, _ = run(capsys, "eval", LAYER, "--points", str(path), "--at", "w=0.7", "--reduce", "mean")
    assert out.startswith("loss = ") and out.count("\n") == 2


def test_points_expect_columns_and_constants(capsys, polar_csv):
    code, out, err = run(capsys, "eval", POLAR, "--points", polar_csv, "--expect", "f1=col:want")
    assert (code, err) == (0, "")
    code, out, err = run(capsys, "grad", POLAR, "--points", polar_csv, "--expect", "f1.r=col:want", "--format", "csv")
    assert code == 3 and err.startswith("error: the expectation does not hold at 3 of 4 rows")  # cos(0.5)·1 holds
    assert out.splitlines()[1].endswith(',"expected ∂f1/∂r = 2, got 1"')
    code, out, err = run(capsys, "grad", POLAR, "--points", polar_csv, "--reduce", "sum", "--expect", "f2.r=col:want")
    assert (code, err) == (2, "error: --expect col:want: --reduce sum gives one result, so it expects a constant, "
                               "not a column\n")
    total = math.fsum(math.sin(t) for _, t in ROWS)
    code, out, err = run(capsys, "grad", POLAR, "--points", polar_csv, "--reduce", "sum", "--expect", f"f2.r={total!r}")
    assert (code, err) == (0, "")
    code, out, err = run(capsys, "grad", POLAR, "--points", polar_csv, "--reduce", "sum", "--expect", "f2.r=1")
    assert code == 3 and err == f"error: expected ∂f2/∂r = 1, got {dcalc.core.printing.number_text(total)}\n"
    code, out, err = run(capsys, "eval", POLAR, "--points", polar_csv, "--expect", "f1=col:nope")
    assert code == 2 and err.startswith("error: --expect col:nope:")


def test_points_refuses_what_it_refuses_for_one_output(capsys, polar_csv):
    assert run(capsys, "grad", POLAR, "--points", polar_csv, "--wrt", "t", "--order", "2")[2] == \
        "error: --points works with gradients, not with --direction, --order or --hessian\n"


# ---- diff: LaTeX, Markdown, JSON -------------------------------------------------------------------------------------

def test_diff_latex_one_display_a_line_per_output(capsys):
    code, out, err = run(capsys, "diff", POLAR, "--wrt", "t", "--format", "latex", "--at", "r=2,t=0")
    assert (code, err) == (0, "")
    assert out == ("\\[\n\\begin{aligned}\n"
                   "f_{1} &= r \\cos\\left(t\\right) \\\\\n"
                   "f_{2} &= r \\sin\\left(t\\right) \\\\\n"
                   "\\frac{\\partial}{\\partial t}\\left[f_{1}\\right] &= -r \\sin\\left(t\\right) \\\\\n"
                   "\\frac{\\partial}{\\partial t}\\left[f_{2}\\right] &= r \\cos\\left(t\\right) \\\\\n"
                   "\\left.\\frac{\\partial}{\\partial t}\\left[f_{1}\\right]\\right|_{r = 2,\\, t = 0} &= 0 \\\\\n"
                   "\\left.\\frac{\\partial}{\\partial t}\\left[f_{2}\\right]\\right|_{r = 2,\\, t = 0} &= 2\n"
                   "\\end{aligned}\n\\]\n")
    code, out, _ = run(capsys, "diff", LAYER, "--wrt", "w", "--format", "latex", "--latex-delims", "none")
    assert out.splitlines()[:3] == ["\\begin{aligned}", "h &= \\tanh\\left(w x\\right) \\\\",
                                    "\\mathit{loss} &= \\left(h - y\\right)^{2} \\\\"]


def test_diff_latex_lines_are_the_json_latex(capsys):
    """Each output's line in the display is the LaTeX diff --json gives for it (which test_paste reads back)."""
    code, out, _ = run(capsys, "diff", LAYER, "--wrt", "w", "--format", "latex", "--latex-delims", "none")
    lines = [line.rstrip(" \\") for line in out.splitlines() if line.startswith("\\frac")]
    code, js, _ = run(capsys, "diff", LAYER, "--wrt", "w", "--json")
    latex = json.loads(js)["latex"]
    assert lines == [f"\\frac{{\\partial}}{{\\partial w}}\\left[{name}\\right] &= {latex[label]}"
                     for name, label in (("\\mathit{loss}", "loss"), ("h", "h"))]


def test_diff_markdown_table_has_a_column_per_output(capsys):
    code, out, err = run(capsys, "diff", POLAR, "--wrt", "t", "--format", "markdown", "--at", "r=2,t=0",
                         "--at", "r=1,t=1")
    assert (code, err) == (0, "")
    assert out.startswith("$$\n\\begin{aligned}\n") and "\\end{aligned}\n$$\n\n" in out
    assert out.endswith("| r | t | ∂f1/∂t | ∂f2/∂t |\n|--:|--:|--:|--:|\n| 2 | 0 | 0 | 2 |\n"
                        "| 1 | 1 | -0.8414709848078965 | 0.5403023058681398 |\n")


def test_diff_json_keys_the_formulas_by_output(capsys):
    code, out, err = run(capsys, "diff", POLAR, "--wrt", "t", "--json", "--at", "r=2,t=0")
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "expr": POLAR, "variables": ["r", "t"], "wrt": ["t"], "order": 1, "outputs": ["f1", "f2"],
        "formula": {"f1": "-r*sin(t)", "f2": "r*cos(t)"},
        "latex": {"f1": "-r \\sin\\left(t\\right)", "f2": "r \\cos\\left(t\\right)"},
        "values": [{"at": {"r": 2.0, "t": 0.0}, "value": {"f1": 2.0, "f2": 0.0}, "derivative": {"f1": 0.0, "f2": 2.0}}]}
    # the formulas read back give the derivative dcalc computes elsewhere (Taylor mode, --order 2)
    code, out, _ = run(capsys, "diff", LAYER, "--wrt", "x,x", "--format", "json")
    rec = json.loads(out)
    for label, formula in rec["formula"].items():
        at = {"w": 0.3, "x": 1.7, "y": 0.2}
        assert close(dcalc.evaluate(formula, at), exact(SYMPY[LAYER][label], {k: str(v) for k, v in at.items()},
                                                        "x", "x"), 1e-13)


def test_diff_text_shows_the_formulas_before_a_failing_point(capsys):
    assert run(capsys, "diff", "x^2, abs(x)", "--at", "1", "--at", "0") == (
        1, "∂f1/∂x = 2x\n∂f2/∂x = x/abs(x)\nat x = 1: ∂f1/∂x = 2\nat x = 1: ∂f2/∂x = 1\nat x = 0: ∂f1/∂x = 0\n",
        "error: f2 is not differentiable at x = 0: left derivative -1, right derivative 1 (at f2 = abs(x) where x = 0)\n")


def test_diff_errors_name_the_output(capsys):
    assert run(capsys, "diff", "x^2, abs(x)", "--format", "json", "--at", "0")[:2] == (1, "")
    code, out, err = run(capsys, "diff", "x^2, abs(x)", "--format", "latex", "--at", "0")
    assert (code, out) == (1, "") and err.startswith("error: f2 is not differentiable at x = 0")


# ---- diff: code --------------------------------------------------------------------------------------------------

PROGRAMS = [  # program, point, --wrt (None: the Jacobian)
    (POLAR, {"r": 2.0, "t": 0.5}, None),
    (POLAR, {"r": 2.0, "t": 0.5}, "t"),
    (LAYER, {"w": 0.3, "x": 1.7, "y": 0.2}, None),
    (LAYER, {"w": 0.3, "x": 1.7, "y": 0.2}, "w,w"),   # the second derivative, from the formula DAG
    (LAYER, {"w": 0.3, "x": 1.7, "y": 0.2}, "w,x"),   # mixed
    ("x, 1, x^2, sin(x)*x", {"x": 0.75}, None),        # an input, a constant, and one variable: d/dx of each
    ("sq(a) = a*a; u = sq(x) + y; u, sq(y), u*y", {"x": 1.25, "y": -0.5}, None),  # shared nodes, an output read
]


def reference(program, point, wrt):
    """Values, then the derivatives as the generated function returns them (rows of the Jacobian, or one per
    output), from dcalc grad (reverse mode) and grad --order / --hessian."""
    labels = list(dcalc.evaluate(program, point))
    values = [dcalc.evaluate(program, point)[o] for o in labels]
    graph = dcalc.compile(program)
    if wrt is None:
        jac = dcalc.jacobian(program, point)
        if len(graph.inputs) == 1:
            return values, [jac[o][graph.inputs[0]] for o in labels]
        return values, [[jac[o][x] for x in graph.inputs] for o in labels]
    names = wrt.split(",")
    rows = []
    for k in range(len(labels)):
        part = graph.part(k)
        if len(set(names)) == 1:
            from dcalc.modes.taylor import nth_derivative
            rows.append(nth_derivative(part, point, names[0], len(names)))
        else:
            from dcalc.modes.evaluate import node_values
            from dcalc.modes.hessian import hessian
            rows.append(hessian(part, node_values(part, point), names)[names[0]][names[1]])
    return values, rows


def code_of(program, fmt, wrt):
    extra = ["--wrt", wrt] if wrt else []
    code, out, err = _call(["diff", "--format", fmt, *extra, "--", program])
    assert (code, err) == (0, ""), err
    return out


def _call(argv):
    from dcalc_proc import call
    return call(argv)


def _flat(x):
    out = []
    for v in x:
        out += _flat(v) if isinstance(v, (list, tuple)) else [float(v)]
    return out


@pytest.mark.parametrize("program, point, wrt", PROGRAMS)
def test_python_and_numpy_code_agree_with_grad(program, point, wrt):
    graph = dcalc.compile(program)
    args = [point[x] for x in graph.inputs]
    want_v, want_d = reference(program, point, wrt)
    for fmt in ("python", "numpy"):
        src = code_of(program, fmt, wrt)
        space: dict = {}
        exec(compile(src, "<generated>", "exec"), space)  # the test runs the code dcalc generated, nothing else
        if fmt == "numpy":
            args_ = [np.array([a, a]) for a in args]
            got_v, got_d = space["f"](*args_)
            got_v = [np.broadcast_to(v, (2,))[1] for v in got_v]
            got_d = [[np.broadcast_to(d, (2,))[1] for d in row] if isinstance(row, tuple) else
                     np.broadcast_to(row, (2,))[1] for row in got_d]
        else:
            got_v, got_d = space["f"](*args)
        assert len(got_v) == len(want_v) and all(close(float(g), w, 1e-13) for g, w in zip(got_v, want_v))
        assert all(close(g, w, 1e-12) for g, w in zip(_flat(got_d), _flat(want_d))), (fmt, got_d, want_d)
        assert len(_flat(got_d)) == len(_flat(want_d))


def test_python_code_shape(capsys):
    code, out, _ = run(capsys, "diff", POLAR, "--format", "python")
    assert out.splitlines()[1] == ("# f(r, t) returns the values of f1, f2, in this order, and their Jacobian: a row "
                                   "per output, a column per variable (d/dr, d/dt)")
    assert out.endswith("    return (f1, f2), ((u1, t_bar_f1), (u2, t_bar_f2))\n")  # ∂f1/∂r is the node cos(t)
    assert "u1 = math.cos(t)" in out and out.count("math.cos(t)") == 2  # the value once, its partial rule once


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no C compiler")
def test_c_code_compiles_cleanly_and_agrees(tmp_path):
    files, calls = [], []
    for k, (program, point, wrt) in enumerate(PROGRAMS):
        src = code_of(program, "c", wrt)
        (tmp_path / f"f{k}.c").write_text(f"#define f f{k}\n" + src)
        files.append(str(tmp_path / f"f{k}.c"))
        want_v, want_d = reference(program, point, wrt)
        m, n = len(want_v), len(_flat(want_d))
        args = ", ".join([repr(point[x]) for x in dcalc.compile(program).inputs] + ["v", "d"])
        decl = ", ".join(["double"] * len(point) + ["double *", "double *"])
        calls.append(f"    {{ void f{k}({decl}); double v[{m}], d[{n}]; f{k}({args});"
                     f" for (int i = 0; i < {m}; i++) printf(\"%.17g \", v[i]);"
                     f" for (int i = 0; i < {n}; i++) printf(\"%.17g \", d[i]); printf(\"\\n\"); }}")
    (tmp_path / "main.c").write_text("#include <stdio.h>\nint main(void) {\n" + "\n".join(calls) + "\n    return 0;\n}\n")
    exe = tmp_path / "run"
    built = subprocess.run(["gcc", "-std=c99", "-O0", "-Wall", "-Wextra", "-Werror", "-pedantic", "-o", str(exe),
                            *files, str(tmp_path / "main.c"), "-lm"], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    lines = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.splitlines()
    for (program, point, wrt), line in zip(PROGRAMS, lines):
        want_v, want_d = reference(program, point, wrt)
        got = [float(t) for t in line.split()]
        assert all(close(g, w, 1e-12) for g, w in zip(got, want_v + _flat(want_d))), (program, got)
        assert len(got) == len(want_v) + len(_flat(want_d))


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_js_code_runs_and_agrees(tmp_path):
    parts = []
    for program, point, wrt in PROGRAMS:
        src = code_of(program, "js", wrt)
        args = ", ".join(repr(point[x]) for x in dcalc.compile(program).inputs)
        parts.append(f"{{\n{src}\nconsole.log(JSON.stringify(f({args})));\n}}")
    script = tmp_path / "run.js"
    script.write_text('"use strict";\n' + "\n".join(parts))
    done = subprocess.run(["node", str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for (program, point, wrt), line in zip(PROGRAMS, done.stdout.splitlines()):
        got_v, got_d = json.loads(line)
        want_v, want_d = reference(program, point, wrt)
        assert all(close(g, w, 1e-13) for g, w in zip(got_v, want_v)) and len(got_v) == len(want_v)
        assert all(close(g, w, 1e-12) for g, w in zip(_flat(got_d), _flat(want_d))), (program, got_d, want_d)


def test_code_refuses_at_and_a_function_the_language_lacks(capsys):
    code, out, err = run(capsys, "diff", POLAR, "--format", "c", "--at", "r=1,t=0")
    assert (code, out) == (2, "") and err.startswith("error: --at gives values of a formula; --format c writes")
    code, out, err = run(capsys, "diff", "erf(x), x", "--format", "js")
    assert (code, out) == (2, "") and "cannot write erf in JavaScript" in err


# ---- trace -------------------------------------------------------------------------------------------------------

def test_trace_seed_latex(capsys):
    code, out, err = run(capsys, "trace", LAYER, "--at", "w=0.5,x=1,y=0.2", "--mode", "reverse", "--seed",
                         "loss=1,h=2", "--format", "latex", "--no-legend")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:5] == ["\\[", "\\begin{aligned}", "h &= \\tanh\\left(w x\\right) \\\\",
                         "\\mathit{loss} &= \\left(h - y\\right)^{2} \\\\", "&\\text{outputs: } \\mathit{loss}, h \\\\"]
    assert "\\overline{\\mathit{loss}} &= 1 \\quad \\text{(its seed)} \\\\" in lines
    assert any(line.startswith("\\overline{h} &= \\text{seed} + ") for line in lines)
    jac = dcalc.jacobian(LAYER, {"w": 0.5, "x": 1, "y": 0.2})
    g = jac["loss"]["w"] + 2 * jac["h"]["w"]
    last = [line for line in lines if line.startswith("\\overline{w} &= 1 \\cdot")]
    assert len(last) == 1 and close(float(last[0].rstrip(" \\").rsplit("= ", 1)[1]), g, 1e-15)
    assert lines[-2:] == ["\\end{aligned}", "\\]"]


def test_trace_seed_markdown(capsys):
    code, out, err = run(capsys, "trace", LAYER, "--at", "w=0.5,x=1,y=0.2", "--mode", "reverse", "--seed",
                         "loss=1,h=2", "--format", "markdown")
    assert (code, err) == (0, "") and out.startswith("$$\n")
    assert "**Backward pass**: adjoints, each Σ seed(o)·∂o/∂u over the outputs o" in out
    assert "| `adj(loss)` | `= 1 (its seed)` |" in out
    assert "- `w̄ = 1·∂loss/∂w + 2·∂h/∂w = 1.9851783541290713`" in out


def test_trace_markdown_of_each_output_is_markdown(capsys):
    """Without --seed each output is traced in turn: in Markdown, not text (it used to print the text trace)."""
    code, out, err = run(capsys, "trace", POLAR, "--at", "r=2,t=0", "--wrt", "t", "--format", "markdown")
    assert (code, err) == (0, "") and out.startswith("$$\n") and out.count("| node |") == 2


def test_trace_dot_draws_every_outputs_tangent(capsys):
    """Forward mode at a point: one drawing of the whole graph, every node with its du/dw, every output marked."""
    code, out, err = run(capsys, "trace", LAYER, "--at", "w=0.5,x=1,y=0.2", "--wrt", "w", "--format", "dot",
                         "--no-legend")
    assert (code, err) == (0, "") and out.count("digraph") == 1
    jac = dcalc.jacobian(LAYER, {"w": 0.5, "x": 1, "y": 0.2})
    lines = out.splitlines()
    assert lines[2].startswith('  label="h = tanh(w*x); loss = (h - y)^2; outputs loss, h at w = 0.5, x = 1, y = 0.2 '
                               '(forward mode, d/dw)"')
    h = next(line for line in lines if line.startswith('  "h" ['))
    loss = next(line for line in lines if line.startswith('  "loss" ['))
    assert "peripheries=2" in h and "peripheries=2" in loss
    assert f"dh/dw = {jac['h']['w']!r}" in h and f"dloss/dw = {jac['loss']['w']!r}" in loss
    assert sum("peripheries=2" in line for line in lines) == 2


def test_trace_mermaid_with_seed_marks_every_output(capsys):
    code, out, err = run(capsys, "trace", LAYER, "--at", "w=0.5,x=1,y=0.2", "--mode", "reverse", "--seed",
                         "loss=1,h=2", "--format", "mermaid")
    assert (code, err) == (0, "")
    assert '  n0(["w = 0.5<br/>w̄ = 1.9851783541290713"])' in out.splitlines()  # 1·∂loss/∂w + 2·∂h/∂w
    assert "  class n6 output" in out and "  class n4 output" in out
    assert 'key1["node: u = its formula = its value<br/>ū: its adjoint Σ seed(o)·∂o/∂u"]' in out


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_trace_svg_of_several_outputs_is_one_document(capsys):
    """It wrote one SVG document per output, one after the other: no SVG file."""
    code, out, err = run(capsys, "trace", POLAR, "--at", "r=2,t=0", "--wrt", "t", "--format", "svg")
    assert (code, err) == (0, "") and out.count("<?xml") == 1 and out.count("</svg>") == 1
    code, out, err = run(capsys, "trace", POLAR, "--wrt", "t", "--format", "svg")
    assert (code, out) == (2, "") and err.startswith("error: --format svg works with one output")


def test_trace_paths_to_each_output(capsys):
    code, out, err = run(capsys, "trace", LAYER, "--paths", "--wrt", "w", "--at", "w=0.5,x=1,y=0.2", "--format", "json")
    recs = [json.loads(line) for line in out.splitlines()]
    assert (code, err) == (0, "") and [r["output"] for r in recs] == ["loss", "h"]
    jac = dcalc.jacobian(LAYER, {"w": 0.5, "x": 1, "y": 0.2})
    for rec in recs:  # the products of the partials along the paths add up to the output's derivative
        assert close(math.fsum(p["product"] for p in rec["paths"]), jac[rec["output"]]["w"], 1e-15)
        assert rec["paths"][0]["nodes"][-1] == rec["output"]
    code, out, _ = run(capsys, "trace", POLAR, "--paths", "--wrt", "t")
    assert code == 0 and out.startswith("1 path from t to f1 (fewest edges first); ∂f1/∂t is the sum")
    assert "\n\n1 path from t to f2 (fewest edges first); ∂f2/∂t is the sum" in out


@pytest.mark.parametrize("at", [[], ["--at", "r=2,t=0"]])
def test_trace_latex_delims_of_several_outputs(capsys, at):
    """--latex-delims was not passed on for several outputs: each trace came out between \\[ and \\]."""
    code, out, err = run(capsys, "trace", POLAR, *at, "--wrt", "t", "--format", "latex", "--latex-delims", "dollars")
    assert (code, err) == (0, "") and out.startswith("$$\n") and out.count("$$\n") == 4 and "\\[" not in out


# ---- check --points ------------------------------------------------------------------------------------------------

def test_check_points_checks_each_output_on_every_row(capsys, polar_csv):
    code, out, err = run(capsys, "check", POLAR, "--points", polar_csv, "--json")
    assert (code, err) == (0, "")
    recs = [json.loads(line) for line in out.splitlines()]
    assert [r["output"] for r in recs] == ["f1", "f2"] * len(ROWS)
    for k, (r, t) in enumerate(ROWS):
        for rec, label in zip(recs[2 * k: 2 * k + 2], ("f1", "f2")):
            assert rec["at"] == {"r": r, "t": t} and rec["ok"] and rec["status"] == "ok"
            jac = dcalc.jacobian(POLAR, {"r": r, "t": t})
            assert all(rec["partials"][x]["reverse"] == jac[label][x] for x in "rt")
    code, out, err = run(capsys, "check", POLAR, "--points", polar_csv, "--format", "csv")
    head = out.splitlines()[0].split(",")
    assert head[:5] == ["id", "r", "t", "want", "f1"] and head[-3:] == ["∂f2/∂t max_disagreement", "ok", "status"]
    assert len(head) == 4 + 2 * (1 + 2 * 5) + 2 and all(line.endswith(",true,ok") for line in out.splitlines()[1:])
    code, out, _ = run(capsys, "check", POLAR, "--points", polar_csv)
    assert code == 0 and out.count("output f1:\nat r = ") == len(ROWS) and out.count("output f2:\n") == len(ROWS)


def test_check_points_disagreement_names_the_output(capsys, polar_csv, tamper):
    tamper("sin", (lambda a: a,))  # a wrong rule: only the finite difference can tell, and only f2 reads sin
    code, out, err = run(capsys, "check", POLAR, "--points", polar_csv, "--format", "csv")
    assert code == 3 and err.startswith("error: the derivatives disagree at 4 of 4 rows of")
    assert "the first, line 2: ∂f2/∂t: reverse mode gives 0, the finite difference 2" in err
    assert "output f1" not in err
    assert all(",false," in line for line in out.splitlines()[1:])


def test_check_points_failed_row(capsys, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("x\n0\n1\n")
    code, out, err = run(capsys, "check", "x^2, abs(x)", "--points", str(path))
    assert code == 1 and out.splitlines()[0] == ("error: line 2: f2 is not differentiable at x = 0: left derivative "
                                                 "-1, right derivative 1 (at f2 = abs(x) where x = 0)")
    assert out.count("output f1:\nat x = 1") == 1 and err.startswith("error: 1 of 2 rows of")


# ---- a law: the batch's columns are the single points' Jacobians --------------------------------------------------

def _random_programs():
    from hypothesis import strategies as st

    from dcalc.language.expr import Num
    from strategies import expressions
    literals = st.sampled_from([0.5, 2.0, 3.0]).map(Num)
    return st.tuples(*[expressions(max_leaves=8, numbers_=literals)] * 3), st.lists(
        st.tuples(*[st.floats(0.2, 2.0)] * 3), min_size=1, max_size=4)


PROGRAM_LISTS, ROW_LISTS = _random_programs()


@pytest.mark.filterwarnings("ignore")
@settings(max_examples=120, deadline=None)
@given(PROGRAM_LISTS, ROW_LISTS)
def test_batch_rows_are_the_point_jacobians(exprs, rows):
    """Per row, the batch's values and Jacobian (NumPy columns, one reverse pass per output) equal the single point's
    (dcalc.jacobian) to rounding, and a row fails in the batch exactly where the point fails."""
    from hypothesis import reject

    from dcalc.commands.batch import column_results
    from dcalc.commands.csv_points import Chunk
    from dcalc.core.printing import to_text
    from dcalc.errors import DcalcError
    text = ", ".join(f"({to_text(e)})" for e in exprs)
    try:
        g = dcalc.compile(text)
    except DcalcError:
        reject()
    if not g.inputs:
        reject()
    points = [{x: v for x, v in zip("xyz", row) if x in g.inputs} for row in rows]
    chunk = Chunk(list(range(2, 2 + len(rows))), [[repr(p[x]) for x in g.inputs] for p in points],
                  [[p[x] for p in points] for x in g.inputs], [None] * len(rows), [])
    results = column_results(g, list(g.inputs), {}, list(g.inputs))(chunk)
    assert results.outputs == list(g.labels)
    for k, point in enumerate(points):
        try:
            v, jac = dcalc.evaluate(g, point), dcalc.jacobian(g, point)
        except DcalcError:
            assert chunk.status[k] is not None
            continue
        assert chunk.status[k] is None, chunk.status[k]  # no failure where the point works
        for label in g.labels:
            assert results.values[label][k] == pytest.approx(v[label], rel=1e-9, abs=1e-12)
            for x in g.inputs:
                assert results.partials[label][x][k] == pytest.approx(jac[label][x], rel=1e-9, abs=1e-9)
