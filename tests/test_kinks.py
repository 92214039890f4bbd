"""Derivatives at kinks: the one-sided derivatives of the whole function decide, the same in every mode.

Each case of the corpus is checked twice: its exact CLI output (stdout, stderr, exit code), and that output against
a reference sharing no dcalc code, SymPy's limits of the difference quotients (f(x0 ± h) − f(x0))/(±h), h → 0+, from
which the policy gives the expected verdict: equal finite sides are the derivative; a side that is not real is
undefined (a domain's edge) and the other decides; anything else is "not differentiable", naming both sides.
"""

from __future__ import annotations

import json
import math
import re

import pytest
import sympy as sp
from hypothesis import given, reject, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import dcalc
from dcalc.app import app
from dcalc.core.ops import OPS
from dcalc.core.printing import to_text
from dcalc.errors import MathError, NotDifferentiable
from dcalc.language.expr import Apply, Num, Var
from dcalc.modes import kinks
from dcalc.modes.evaluate import node_values
from dcalc.modes.forward import tangents
from dcalc_proc import error_text

runner = CliRunner()
X = sp.Symbol("x", real=True)
H = sp.Symbol("h", positive=True)
ABS, SQRT = sp.Abs, sp.sqrt


def CBRT(u):
    return sp.sign(u) * sp.Abs(u) ** sp.Rational(1, 3)


def ND(left: str, right: str, kink: str, at: str = "0") -> str:
    return f"f is not differentiable at x = {at}: {left}, {right} (at {kink})"


# dcalc text, point, SymPy expression, expected stdout of `grad` (the derivative) or None, expected stderr message
CORPUS = [
    # the sides agree: the derivative exists though a primitive has a kink
    ("x*abs(x)", "0", X * ABS(X), "0", None),
    ("abs(x)^2", "0", ABS(X) ** 2, "0", None),
    ("sqrt(x^4)", "0", SQRT(X ** 4), "0", None),
    ("abs(0*x) + x", "1", ABS(0 * X) + X, "1", None),
    ("abs(x) - sqrt(x^2)", "0", ABS(X) - SQRT(X ** 2), "0", None),
    ("abs(x)^3", "0", ABS(X) ** 3, "0", None),
    ("abs(x)*x + 3x", "0", ABS(X) * X + 3 * X, "3", None),
    ("exp(abs(x))*x", "0", sp.exp(ABS(X)) * X, "1", None),
    ("abs(sin(x))*sin(x)", "0", ABS(sp.sin(X)) * sp.sin(X), "0", None),
    ("(abs(x) + x)^2", "0", (ABS(X) + X) ** 2, "0", None),
    ("abs(x - 1)^2", "1", ABS(X - 1) ** 2, "0", None),
    ("cbrt(x^3)", "0", CBRT(X ** 3), "1", None),  # a nested root whose tangent comes back
    ("cbrt(x^2)*cbrt(x)", "0", CBRT(X ** 2) * CBRT(X), "1", None),
    ("x*cbrt(x)", "0", X * CBRT(X), "0", None),
    ("cbrt(x)^4", "0", CBRT(X) ** 4, "0", None),
    ("sqrt(sqrt(x^8))", "0", SQRT(SQRT(X ** 8)), "0", None),  # vanishing tangents, a higher-order look
    ("acos(1 - x^4)", "0", sp.acos(1 - X ** 4), "0", None),  # acos at its edge 1, reached with a zero tangent
    ("acosh(1 + x^4)", "0", sp.acosh(1 + X ** 4), "0", None),
    ("hypot(x^2, x^3)", "0", SQRT(X ** 4 + X ** 6), "0", None),
    ("atan2(x, 1)*abs(x)", "0", sp.atan(X) * ABS(X), "0", None),
    # a domain's edge: only the right side exists, and it decides
    ("x*sqrt(x)", "0", X * SQRT(X), "0", None),
    ("sqrt(x)*sqrt(x)", "0", SQRT(X) * SQRT(X), "1", None),  # not the strong zero's 0·∞ = 0
    ("sqrt(sqrt(x))^4", "0", SQRT(SQRT(X)) ** 4, "1", None),
    ("x^2*sqrt(x)", "0", X ** 2 * SQRT(X), "0", None),
    # a negative base to an exponent that is 0 on one side of its kink: 1 there, undefined on the other side
    ("(x - 3)^relu(x)", "0", (X - 3) ** sp.Max(X, 0), "0", None),
    ("(x - 3)^min(x, 0)", "0", (X - 3) ** sp.Min(X, 0), "0", None),
    ("(x - 3)^relu(-x)*x", "0", (X - 3) ** sp.Max(-X, 0) * X, "1", None),
    ("(x - 2.5)^max(0, x)*(1 + x)", "0", (X - sp.Rational(5, 2)) ** sp.Max(0, X) * (1 + X), "1", None),
    # the sides differ, are infinite, or neither exists
    ("abs(x)", "0", ABS(X), None, ND("left derivative -1", "right derivative 1", "u1 = abs(x) where x = 0")),
    ("abs(x) + x", "0", ABS(X) + X, None, ND("left derivative 0", "right derivative 2", "u1 = abs(x) where x = 0")),
    ("sqrt(x)", "0", SQRT(X), None,
     ND("right derivative +inf", "undefined to the left", "u1 = sqrt(x) where x = 0")),
    ("cbrt(x)^2", "0", CBRT(X) ** 2, None,
     ND("left derivative -inf", "right derivative +inf", "u1 = cbrt(x) where x = 0")),
    ("asin(1 - x^2)", "0", sp.asin(1 - X ** 2), None,
     ND("left derivative 1.4142135623730951", "right derivative -1.4142135623730951", "u3 = asin(u2) where u2 = 1")),
    ("sqrt(1 - cos(x))", "0", SQRT(1 - sp.cos(X)), None,
     ND("left derivative -0.7071067811865476", "right derivative 0.7071067811865476", "u3 = sqrt(u2) where u2 = 0")),
    ("hypot(x, x^2)", "0", SQRT(X ** 2 + X ** 4), None,
     ND("left derivative -1", "right derivative 1", "u2 = hypot(x, u1) where x = 0, u1 = 0")),
    ("abs(x)/(1 + abs(x))", "0", ABS(X) / (1 + ABS(X)), None,
     ND("left derivative -1", "right derivative 1", "u1 = abs(x) where x = 0")),
    ("asin(x)", "1", sp.asin(X), None,
     ND("left derivative +inf", "undefined to the right", "u1 = asin(x) where x = 1", at="1")),
]
IDS = [f"{c[0]}@{c[1]}" for c in CORPUS]


def _real(v) -> float | None:
    """A SymPy limit as a float (±inf included), or None where it is not real: that side is undefined."""
    v = sp.nsimplify(v) if v.is_number else v
    if v in (sp.oo, -sp.oo):
        return math.inf if v == sp.oo else -math.inf
    if v.is_real is not True or v.has(sp.zoo, sp.nan):
        return None
    return float(v)


def sympy_sides(f, x0: float) -> tuple[float | None, float | None]:
    """(left, right) derivative by SymPy limits of difference quotients; None for a side where f is not real."""
    x0 = sp.nsimplify(x0)
    f0 = f.subs(X, x0)
    right = sp.limit((f.subs(X, x0 + H) - f0) / H, H, 0, "+")
    left = sp.limit((f.subs(X, x0 - H) - f0) / (-H), H, 0, "+")
    return _real(left), _real(right)


def _numbers(message: str) -> list[float]:
    """The side values a message names, in the order left, right (±inf as floats)."""
    out = {}
    for side in ("left", "right"):
        m = re.search(side + r" derivative ([-+]?(?:inf|[0-9.e+-]+))", message)
        out[side] = None if m is None else float(m.group(1))
    return [out["left"], out["right"]]


@pytest.mark.parametrize("text, point, f, stdout, message", CORPUS, ids=IDS)
def test_grad_against_sympy_limits(text, point, f, stdout, message):
    """The CLI output is exact, and it is what SymPy's one-sided limits and the policy say."""
    r = runner.invoke(app, ["grad", text, "--at", point])
    if stdout is not None:
        assert (r.exit_code, r.stdout, r.stderr) == (0, stdout + "\n", "")
    else:
        assert (r.exit_code, r.stdout, r.stderr) == (1, "", f"error: {message}\n")
    left, right = sympy_sides(f, float(point))
    assert left is not None or right is not None
    if stdout is not None:  # the sides that exist agree, and the derivative is theirs
        sides = [v for v in (left, right) if v is not None]
        assert all(math.isfinite(v) and math.isclose(v, float(stdout), abs_tol=1e-15) for v in sides), sides
    else:
        named = _numbers(message)
        for got, want in zip(named, (left, right)):
            assert (got is None) == (want is None), (named, left, right)
            if got is not None:
                assert got == want or math.isclose(got, want, rel_tol=1e-15), (named, left, right)
        assert not (left is not None and right is not None and left == right and math.isfinite(left))


def _status(r) -> tuple:
    return (r.exit_code, error_text(r.stderr))  # trace --format json and check --json write errors as JSON


@pytest.mark.parametrize("text, point, f, stdout, message", CORPUS, ids=IDS)
def test_modes_agree(text, point, f, stdout, message, tmp_path):
    """grad (reverse), --direction (forward), --order 1 (Taylor), trace (forward, JSON), check, --points, diff --at and
    the API: the same derivative, or the same error."""
    at = ["--at", point]
    expected_err = "" if message is None else f"error: {message}\n"
    code = 0 if stdout is not None else 1
    r = runner.invoke(app, ["grad", text, *at, "--order", "1"])
    assert (r.exit_code, r.stdout, r.stderr) == (code, "" if stdout is None else stdout + "\n", expected_err)
    r = runner.invoke(app, ["grad", text, *at, "--direction", "1"])
    assert r.exit_code == code and r.stdout == ("" if stdout is None else stdout + "\n")
    if stdout is None:
        assert r.stderr.startswith("error: f is not differentiable along x=1 at x = ")
    r = runner.invoke(app, ["trace", text, *at, "--format", "json"])
    assert _status(r) == (code, expected_err)
    if stdout is not None:
        assert json.loads(r.stdout)["derivative"] == float(stdout)
    r = runner.invoke(app, ["check", text, *at, "--json"])
    assert _status(r) == (code, expected_err)
    if stdout is not None:
        p = json.loads(r.stdout)["partials"]["x"]
        assert p["forward"] == p["reverse"] == float(stdout)
    csv = tmp_path / "p.csv"
    csv.write_text(f"x\n{point}\n")
    r = runner.invoke(app, ["grad", text, "--points", str(csv), "--json"])
    row = json.loads(r.stdout.splitlines()[0])
    if stdout is not None:
        assert r.exit_code == 0 and row["gradient"] == {"x": float(stdout)} and row["status"] == "ok"
    else:
        assert r.exit_code == 1 and row["gradient"] == {"x": None} and row["status"] == message
    r = runner.invoke(app, ["diff", text, *at])
    if stdout is not None:
        assert r.exit_code == 0 and r.stdout.splitlines()[-1] == f"at x = {point}: {stdout}"
    else:
        assert _status(r) == (1, expected_err)
    if stdout is not None:
        assert dcalc.derivative(text, {"x": float(point)}) == float(stdout)
    else:
        with pytest.raises(NotDifferentiable, match=re.escape(message)):
            dcalc.derivative(text, {"x": float(point)})


@pytest.mark.parametrize("args, stdout, stderr", [
    # several variables: each partial two-sided along ±e_x
    (["x*abs(y)*y + z^2", "--at", "x=1,y=0,z=3"], "∂f/∂x = 0  ∂f/∂y = 0  ∂f/∂z = 6\n", ""),
    (["x*abs(y) + z^2", "--at", "x=1,y=0,z=3"], "",
     "error: f is not differentiable with respect to y at x = 1, y = 0, z = 3: left derivative -1, right derivative "
     "1 (at u1 = abs(y) where y = 0)\n"),
    (["hypot(x, y)*x", "--at", "x=0,y=0"], "∂f/∂x = 0  ∂f/∂y = 0\n", ""),  # x·|x| along x, 0 along y
    (["x*abs(y) + z^2", "--at", "x=1,y=0,z=3", "--wrt", "x,z"], "∂f/∂x = 0  ∂f/∂z = 6\n", ""),  # y not asked
    (["x*abs(y)", "--at", "x=0,y=0", "--direction", "x=1,y=1"], "0\n", ""),  # t·|t|
    (["x + abs(y)", "--at", "x=0,y=0", "--direction", "x=1,y=1"], "",
     "error: f is not differentiable along x=1,y=1 at x = 0, y = 0: left derivative 0, right derivative 2 "
     "(at u1 = abs(y) where y = 0)\n"),
    (["x*y*abs(x)", "--at", "x=0,y=2", "--json"],
     '{"at": {"x": 0.0, "y": 2.0}, "value": 0.0, "gradient": {"x": 0.0, "y": 0.0}}\n', ""),
    # overflow is not "not differentiable"
    (["ln(x)", "--at", "5e-324"], "", "error: overflow in the derivative by x: it is too large for a double\n"),
    (["ln(x) + y", "--at", "x=5e-324,y=1"], "",
     "error: overflow in the derivative by x: it is too large for a double\n"),
    # what the series cannot decide is said, not guessed
    (["x^x", "--at", "0"], "",
     "error: cannot decide whether f is differentiable at x = 0: u1 = x^x where x = 0 has the base 0 and a varying "
     "exponent\n"),
    (["x^(1/7)", "--at", "0"], "",
     "error: cannot decide whether f is differentiable at x = 0: u1 = x^(1/7) where x = 0 is a power 0.142857 that "
     "the one-sided series cannot follow\n"),
    (["x^(8/7)", "--at", "0"], "0\n", ""),  # the same power, but its term t^(8/7) lies past the first order
    (["x^(1/5)*x", "--at", "0"], "0\n", ""),  # fifth roots: the finer grid
    (["x^1e-150", "--at", "0"], "",  # a term t^(1e-150) is not a multiple of t^(1/60): said, not rounded to t^0
     "error: cannot decide whether f is differentiable at x = 0: u1 = x^1e-150 where x = 0 is a power 1e-150 that "
     "the one-sided series cannot follow\n"),
    (["sqrt(x - x) + x", "--at", "0"], "1\n", ""),  # an exactly vanishing argument: √0 = 0 on both sides
    # x - x is 0 wherever x is: atan2(0, 0) (0 in dcalc) on both sides, a constant, so f = x + 0 near 0
    (["atan2(x - x, x - x) + x", "--at", "0"], "1\n", ""),
])
def test_grad_cases(args, stdout, stderr):
    r = runner.invoke(app, ["grad", *args])
    assert (r.stdout, r.stderr, r.exit_code) == (stdout, stderr, 0 if not stderr else 1)


@pytest.mark.parametrize("text, point, order, stdout, stderr", [
    # --order N at a kink: every order up to N must agree on both sides; the N-th is N!·c_N
    ("abs(x)^3", "0", 2, "0\n", ""),  # 6|x| at 0
    ("abs(x)^3", "0", 3, "", "error: f has no derivative of order 3 at x = 0: left -6, right 6 "
                             "(at u1 = abs(x) where x = 0)\n"),
    ("x*abs(x)", "0", 2, "", "error: f has no derivative of order 2 at x = 0: left -2, right 2 "
                             "(at u1 = abs(x) where x = 0)\n"),
    ("abs(x)", "0", 2, "", "error: f is not differentiable at x = 0: left derivative -1, right derivative 1 "
                           "(at u1 = abs(x) where x = 0)\n"),
    ("sqrt(x)*sqrt(x)*x", "0", 2, "2\n", ""),  # x², the right side alone
    ("x*sqrt(x)", "0", 2, "", "error: f has no derivative of order 2 at x = 0: right +inf, undefined to the left "
                              "(at u1 = sqrt(x) where x = 0)\n"),
    ("cbrt(x^6) + x^3*abs(x)", "0", 3, "0\n", ""),  # x² + x³|x|: orders 1 and 2 agree (0, 2), the third 24|x|
    ("exp(abs(x)^3)", "0", 2, "0\n", ""),
    ("(1e60*x)^-1", "1", 5, "-1.2e-58\n", ""),  # no a^(b-k) chain to underflow
    ("x^-3", "1e-50", 2, "1.2e+251\n", ""),
    ("x^3", "1e-150", 1, "3e-300\n", ""),  # a0^b underflows: the recurrence scaled by it is not used
])
def test_order_at_kinks(text, point, order, stdout, stderr):
    r = runner.invoke(app, ["grad", text, "--at", point, "--order", str(order)])
    assert (r.stdout, r.stderr, r.exit_code) == (stdout, stderr, 0 if not stderr else 1)


def test_order_against_sympy():
    """The --order values above against SymPy: d²/dx² of x² + x³|x| is 2 + 12x|x|, 2 at 0; (1e60x)^-1's fifth
    derivative is −5!·1e-60·x^-6, −1.2e-58 at 1; x^-3's second is 12x^-5."""
    assert float(sp.diff(X ** 2 + X ** 3 * ABS(X), X, 2).subs(X, 0)) == 2.0
    r = runner.invoke(app, ["grad", "cbrt(x^6) + x^3*abs(x)", "--at", "0", "--order", "2"])
    assert (r.exit_code, r.stdout) == (0, "2\n")
    want = float(sp.diff((sp.Integer(10) ** 60 * X) ** -1, X, 5).subs(X, 1))
    r = runner.invoke(app, ["grad", "(1e60*x)^-1", "--at", "1", "--order", "5"])
    assert math.isclose(float(r.stdout), want, rel_tol=1e-15)
    want = float(sp.diff(X ** -3, X, 2).subs(X, sp.Rational(1, 10 ** 50)))
    r = runner.invoke(app, ["grad", "x^-3", "--at", "1e-50", "--order", "2"])
    assert math.isclose(float(r.stdout), want, rel_tol=1e-15)


def test_points_rows(tmp_path):
    """A batch: rows at the kink take the one-sided derivatives, rows elsewhere the columns; a real kink fails its
    row alone with grad's message."""
    csv = tmp_path / "p.csv"
    csv.write_text("x\n0\n1\n-2\n")
    r = runner.invoke(app, ["grad", "x*abs(x)", "--points", str(csv), "--format", "csv"])
    assert (r.exit_code, r.stdout) == (0, "x,value,∂f/∂x,status\n0,0.0,0.0,ok\n1,1.0,2.0,ok\n-2,-4.0,4.0,ok\n")
    r = runner.invoke(app, ["grad", "abs(x)", "--points", str(csv), "--format", "csv"])
    assert r.exit_code == 1
    assert r.stdout == ("x,value,∂f/∂x,status\n0,,,\"f is not differentiable at x = 0: left derivative -1, right "
                        "derivative 1 (at u1 = abs(x) where x = 0)\"\n1,1.0,1.0,ok\n-2,2.0,-1.0,ok\n")
    csv.write_text("x,y\n0,2\n1,0\n")
    r = runner.invoke(app, ["grad", "x*abs(x)*y + y*abs(y)", "--points", str(csv), "--json"])
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert r.exit_code == 0
    assert [row["gradient"] for row in rows] == [{"x": 0.0, "y": 4.0}, {"x": 0.0, "y": 1.0}]  # y·2|x|, x|x| + 2|y|


def test_diff_at():
    r = runner.invoke(app, ["diff", "x*abs(x)", "--at", "0", "--at", "2"])
    assert (r.exit_code, r.stdout) == (0, "2x^2/abs(x)\nat x = 0: 0\nat x = 2: 4\n")
    r = runner.invoke(app, ["diff", "abs(x)^3", "--order", "2", "--at", "0"])
    assert r.exit_code == 0 and r.stdout.splitlines()[-1] == "at x = 0: 0"
    r = runner.invoke(app, ["diff", "abs(x)", "--at", "0"])
    assert (r.exit_code, r.stdout) == (1, "x/abs(x)\n")
    assert r.stderr == ("error: f is not differentiable at x = 0: left derivative -1, right derivative 1 "
                        "(at u1 = abs(x) where x = 0)\n")


def test_check_at_a_kink():
    r = runner.invoke(app, ["check", "x*abs(x)", "--at", "0"])
    assert r.exit_code == 0
    assert r.stdout.splitlines()[-1] == ("ok at a kink: the one-sided derivatives agree (forward and reverse); "
                                         "a finite difference would step across the kink, so none is compared")
    r = runner.invoke(app, ["check", "x*abs(x)", "--at", "0", "--json"])
    record = json.loads(r.stdout)
    assert record["ok"] is True and record["kink"] is True
    assert record["partials"]["x"]["symbolic"] is None  # x/|x| in the formula: 0/0 there
    assert "kink" not in json.loads(runner.invoke(app, ["check", "x*abs(x)", "--at", "1", "--json"]).stdout)
    r = runner.invoke(app, ["check", "abs(x)", "--at", "0"])
    assert (r.exit_code, r.stderr) == (1, "error: f is not differentiable at x = 0: left derivative -1, right "
                                          "derivative 1 (at u1 = abs(x) where x = 0)\n")


def test_trace_json_at_a_kink():
    r = runner.invoke(app, ["trace", "x*abs(x)", "--at", "0", "--format", "json"])
    assert r.exit_code == 0
    t = json.loads(r.stdout)
    assert (t["derivative"], t["one_sided"]) == (0.0, True)
    x, u1, u2 = t["nodes"]
    assert x == {"name": "x", "kind": "input", "value": 0.0, "derivative": 1.0, "derivative_formula": "1"}
    assert u1 == {"name": "u1", "kind": "node", "expr": "abs(x)", "inputs": ["x"], "value": 0.0,
                  "partials": {"x": None}, "partial_rules": {"x": "x/abs(x)"}, "derivative": None,
                  "left_derivative": -1.0, "right_derivative": 1.0,
                  "derivative_formula": "x/abs(x)"}  # the formula where it exists (issue 13); undefined at 0
    assert u2["derivative"] == 0.0 and u2["partials"] == {"x": 0.0, "u1": 0.0}
    t = json.loads(runner.invoke(app, ["trace", "sqrt(x)*sqrt(x)", "--at", "0", "--format", "json"]).stdout)
    assert t["derivative"] == 1.0
    assert (t["nodes"][1]["left_derivative"], t["nodes"][1]["right_derivative"]) == (None, "+inf")
    assert "one_sided" not in json.loads(runner.invoke(app, ["trace", "x*abs(x)", "--at", "1", "--format",
                                                             "json"]).stdout)


def test_trace_text_at_a_kink(monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # the table
    r = runner.invoke(app, ["trace", "x*abs(x)", "--at", "0"])
    assert r.exit_code == 0
    assert "∂u1/∂x = x/abs(x) = undefined     du1/dx: left -1, right 1" in r.stdout
    assert "du2/dx = 0 (one-sided derivatives)" in r.stdout
    assert "f(0) = 0\ndf/dx = 0\n" in r.stdout
    for fmt in ("latex", "dot", "mermaid"):
        r = runner.invoke(app, ["trace", "x*abs(x)", "--at", "0", "--format", fmt])
        assert r.exit_code == 0 and "left -1, right 1" in r.stdout, fmt


def test_trace_reverse_mode_says_why():
    r = runner.invoke(app, ["trace", "x*abs(y)*y", "--at", "x=1,y=0", "--mode", "reverse"])
    assert r.exit_code == 1 and "\n✗  u1 = abs(y)" in r.stdout and "✗ the trace stops at u1: reverse mode" in r.stdout
    assert r.stderr == ("error: reverse mode cannot pass the kink at u1: a local partial does not exist there, though "
                        "the gradient does; the forward trace (--mode forward --wrt NAME) shows it from the left and "
                        "right derivatives\n")
    r = runner.invoke(app, ["trace", "x*abs(y)", "--at", "x=1,y=0", "--mode", "reverse"])
    assert r.stderr.startswith("error: f is not differentiable with respect to y at x = 1, y = 0: left derivative -1")


def test_fast_path_untouched():
    """Away from kinks the passes never reach the series: a kink elsewhere in the graph costs nothing."""
    import dcalc.modes.kinks as kinks
    calls = []
    real = kinks.derivative
    kinks.derivative = lambda *a, **k: calls.append(a) or real(*a, **k)
    try:
        assert dcalc.gradient("x*abs(x) + sin(y)", {"x": 2.0, "y": 0.0}) == {"x": 4.0, "y": 1.0}
    finally:
        kinks.derivative = real
    assert calls == []


# ---- laws, over random expressions --------------------------------------------------------------------------------

_LEAVES = st.sampled_from([Var("x"), Num(0.5), Num(2.0), Num(3.0)])
# continuous functions only: the laws below read G(c) as G's value on both sides (floor(x) at c = 1 is not)
_JUMPS = {"sign", "floor", "ceil", "round"}
_SMOOTH = st.recursive(_LEAVES, lambda children: st.sampled_from(sorted(set(OPS) - _JUMPS)).flatmap(
    lambda name: st.tuples(*[children] * OPS[name].arity).map(lambda args: Apply(name, args))), max_leaves=8)


def _compiled(text: str, x: float):
    try:
        g = dcalc.compile(text)
        vals = node_values(g, {n: x for n in g.inputs})
    except MathError:
        reject()
    if "x" not in g.inputs or any(abs(v) > 1e6 for v in vals):
        reject()
    return g, vals


@settings(max_examples=150, deadline=None)
@given(_SMOOTH, st.floats(0.15, 2.5))
def test_series_agree_with_forward_mode_where_smooth(expr, x):
    """Where every local partial exists, the one-sided series on both sides give forward mode's derivative."""
    g, vals = _compiled(to_text(expr), x)
    try:
        want = tangents(g, vals, {"x": 1.0})[g.output] or 0.0
    except MathError:
        reject()
    if abs(want) > 1e6:
        reject()
    got = kinks.derivative(g, vals, {"x": 1.0}, 1, "x")
    assert got == pytest.approx(want, rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(_SMOOTH, _SMOOTH, st.floats(0.15, 2.5))
def test_a_kink_times_a_vanishing_factor_adds_nothing(g_expr, k_expr, c):
    """(x − c)·|x − c|·G(x) + K(x) and √((x − c)⁴)·G(x) + K(x) have derivative K'(c) at c: the kinked term is
    O((x − c)²) on both sides, whatever G is."""
    gtext, ktext = to_text(g_expr), to_text(k_expr)
    k, kvals = _compiled(ktext, c)
    _compiled(f"({gtext}) + x", c)  # G has a value at c
    try:
        want = tangents(k, kvals, {"x": 1.0})[k.output] or 0.0
    except MathError:
        reject()
    for kinked in (f"(x - {c!r})*abs(x - {c!r})", f"sqrt((x - {c!r})^4)"):
        f, fvals = _compiled(f"{kinked}*({gtext}) + ({ktext}) + 0*x", c)
        try:
            got = dcalc.derivative(f.source, {"x": c})
        except MathError as e:  # an overflow inside G or K only
            assert "overflow" in e.message
            continue
        assert got == pytest.approx(want, rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(_SMOOTH, _SMOOTH, st.floats(0.15, 2.5))
def test_a_kink_with_a_factor_shows_both_sides(g_expr, k_expr, c):
    """|x − c|·G(x) + K(x) at c: left K'(c) − G(c), right K'(c) + G(c); differentiable exactly when G(c) = 0."""
    gtext, ktext = to_text(g_expr), to_text(k_expr)
    k, kvals = _compiled(ktext, c)
    gg, gvals = _compiled(f"({gtext}) + 0*x", c)
    try:
        dk = tangents(k, kvals, {"x": 1.0})[k.output] or 0.0
    except MathError:
        reject()
    gc = gvals[gg.output]
    # G(c) of the size of rounding (G = sin(x) - sin(x)·1 gives -2.8e-17) is a zero dcalc may rightly see as one: the
    # sides then agree to rounding and the derivative is given, so only a G(c) clearly apart from 0 is a kink here
    if abs(gc) < 1e-12 * max(1.0, abs(dk)) or abs(dk) > 1e6:
        reject()
    with pytest.raises(NotDifferentiable) as e:
        dcalc.derivative(f"abs(x - {c!r})*({gtext}) + ({ktext})", {"x": c})
    if e.value.message.startswith("cannot decide"):  # K = (x - x)^x: a zero base with a varying exponent beside the
        reject()  # point is refused by the series (a clear error), though forward mode's partials exist at it
    left, right = _numbers(e.value.message)
    assert left == pytest.approx(dk - gc, rel=1e-9, abs=1e-9)
    assert right == pytest.approx(dk + gc, rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(_SMOOTH, st.floats(0.15, 2.5), st.sampled_from(["relu(x - C)", "relu(C - x)", "max(0, x - C)",
                                                         "max(C - x, 0)", "min(x - C, 0)", "min(0, C - x)"]))
def test_an_exponent_zero_on_one_side_of_its_kink(g_expr, c, exponent):
    """(x − c − 2.5)^E(x)·G(x) + x at c, E = relu(±(x − c)) or a max or min of it with 0: on E's zero side the power
    is 1 and f = G + x; on the other a negative base meets a non-integer power, undefined. The side that exists
    decides: G'(c) + 1 (dcalc said "undefined on either side" while E's series was not known to be the constant 0)."""
    gtext = to_text(g_expr)
    gg, gvals = _compiled(f"({gtext}) + x", c)
    try:
        want = tangents(gg, gvals, {"x": 1.0})[gg.output]
    except MathError:
        reject()
    if abs(want) > 1e6:
        reject()
    e = exponent.replace("C", repr(c))
    got = dcalc.derivative(f"(x - {c!r} - 2.5)^{e}*({gtext}) + x", {"x": c})
    assert got == pytest.approx(want, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize(("text", "stdout", "stderr"), [
    # relu written out by hand: (x + |x|)/2 is the constant 0 to the left of 0, x − |x| to the right (series.py's
    # _cancels: |u| at u's zero is −u or u by the sign of u's first term); the power of a negative base is 1 there
    ("(x - 3)^((x + abs(x))/2)", "0\n", ""),
    ("(x - 3)^(x - abs(x))*(1 + x)", "1\n", ""),
    # |x| − x, the same function as −(x − |x|), is not recognised: a refusal, not a wrong number (README, Known limits)
    ("(x - 3)^(abs(x) - x)", "", "error: f is not differentiable at x = 0: u4 = u1^u3 is undefined on either side\n"),
])
def test_an_exponent_written_with_abs_that_cancels_on_one_side(text, stdout, stderr):
    r = runner.invoke(app, ["grad", text, "--at", "0"])
    assert (r.stdout, r.stderr) == (stdout, stderr)
    for side in ("-0.25", "0.25"):  # the side where the exponent is 0 is defined, the other is not
        defined = runner.invoke(app, ["eval", text, "--at", side]).exit_code == 0
        assert defined == (side == ("-0.25" if "x + abs" in text else "0.25"))


@pytest.mark.parametrize("args, stdout, stderr", [
    # x²y + |x|³ + xy|x|³ at (0, 1): f_xx = 2, f_xy = 0, f_yy = 0 (SymPy's one-sided limits below)
    (["x^2*y + abs(x)^3 + x*y*abs(x)^3", "--at", "x=0,y=1"],
     "∂²f/∂x² = 2  ∂²f/∂x∂y = 0\n∂²f/∂y∂x = 0  ∂²f/∂y² = 0\n", ""),
    (["abs(x)^3", "--at", "0"], "∂²f/∂x² = 0\n", ""),
    (["x*abs(x)", "--at", "0"], "", "error: f has no derivative of order 2 at x = 0: left -2, right 2 "
                                    "(at u1 = abs(x) where x = 0)\n"),
])
def test_hessian_at_a_kink(args, stdout, stderr):
    """The Hessian's formulas divide by the kink's 0; the one-sided second derivatives (mixed ones by polarisation
    along e_x + e_y) decide instead."""
    r = runner.invoke(app, ["grad", *args, "--hessian"])
    assert (r.stdout, r.stderr, r.exit_code) == (stdout, stderr, 0 if not stderr else 1)
    y = sp.Symbol("y", real=True)
    f = X ** 2 * y + ABS(X) ** 3 + X * y * ABS(X) ** 3
    for a, b, want in ((X, X, 2), (X, y, 0), (y, y, 0)):
        d = sp.diff(f.rewrite(sp.Piecewise), a, b)
        assert sp.limit(d.subs(y, 1), X, 0, "+") == sp.limit(d.subs(y, 1), X, 0, "-") == want
