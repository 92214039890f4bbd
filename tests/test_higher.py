"""Higher orders: Taylor mode and symbolic derivatives against SymPy, orders 1–10; Hessians; grad --order/--hessian."""

from __future__ import annotations

import json
import math

import pytest
import sympy as sp
from typer.testing import CliRunner

import dcalc
from dcalc.app import app
from dcalc.errors import NotDifferentiable
from dcalc.modes.evaluate import node_values, value_of
from dcalc.modes.hessian import hessian
from dcalc.modes.taylor import nth_derivative
from dcalc.symbolic.formulas import differentiate

X, Y = sp.symbols("x y", real=True)
runner = CliRunner()

FUNCTIONS = [  # the four, exact to rounding up to order 10, and a few compositions
    ("exp(x)", sp.exp(X), (-1.0, 0.5, 2.0)),
    ("sin(x)", sp.sin(X), (-1.0, 0.5, 2.0)),
    ("ln(x)", sp.log(X), (0.5, 1.0, 2.5)),
    ("1/(1 + x^2)", 1 / (1 + X ** 2), (-1.0, 0.5, 2.0)),
    ("x^x", X ** X, (0.5, 1.5)),
    ("tan(x)*exp(-x^2)", sp.tan(X) * sp.exp(-X ** 2), (0.3, 1.1)),
    ("sqrt(1 + x^2)", sp.sqrt(1 + X ** 2), (-0.7, 1.3)),
    ("atan(x)", sp.atan(X), (0.5, 2.0)),
    ("x^3 - 2x", X ** 3 - 2 * X, (-1.0, 0.0, 2.0)),
]


def exact(f, n: int, x: float) -> float:
    return float(sp.diff(f, X, n).subs(X, sp.Rational(repr(x))).evalf(40))


@pytest.mark.parametrize("text, f, xs", FUNCTIONS, ids=[t for t, _, _ in FUNCTIONS])
def test_taylor_mode_against_sympy(text, f, xs):
    g = dcalc.compile(text)
    for x in xs:
        for n in range(1, 11):
            want = exact(f, n, x)
            got = nth_derivative(g, {"x": x}, "x", n)
            assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12 * max(1.0, math.factorial(n))), (x, n)


@pytest.mark.parametrize("text, f, xs", FUNCTIONS[:4], ids=[t for t, _, _ in FUNCTIONS[:4]])
def test_symbolic_orders_against_sympy(text, f, xs):
    """The printed N-th derivative, evaluated, agrees as well (its formulas are exact; rounding is all that differs)."""
    g = dcalc.compile(text)
    for n in range(1, 11):
        d = differentiate(g, ["x"] * n)
        for x in xs:
            assert math.isclose(value_of(d, {"x": x}), exact(f, n, x), rel_tol=1e-9), (x, n)


def test_taylor_keeps_the_tables_traps():
    """x^2 at -1 never reads ln(-1); x^0 has derivative 0 at 0 too; sqrt has no derivative at 0."""
    assert nth_derivative(dcalc.compile("x^2"), {"x": -1.0}, "x", 1) == -2.0
    assert nth_derivative(dcalc.compile("x^0"), {"x": 0.0}, "x", 2) == 0.0
    with pytest.raises(NotDifferentiable, match=r"^f is not differentiable at x = 0: right derivative \+inf, "
                                                r"undefined to the left \(at u1 = sqrt\(x\) where x = 0\)$"):
        nth_derivative(dcalc.compile("sqrt(x)"), {"x": 0.0}, "x", 2)


def test_high_order_is_iterative():
    assert math.isfinite(nth_derivative(dcalc.compile("tan(x)"), {"x": 0.3}, "x", 100))


HESSIANS = [
    ("x^2*y + sin(y)", X ** 2 * Y + sp.sin(Y), {"x": 1.0, "y": 2.0}),
    ("exp(x*y)/(1 + x^2)", sp.exp(X * Y) / (1 + X ** 2), {"x": 0.3, "y": -1.2}),
    ("ln(x + y^2)*atan(x)", sp.log(X + Y ** 2) * sp.atan(X), {"x": 1.5, "y": 0.5}),
    ("hypot(x, y)", sp.sqrt(X ** 2 + Y ** 2), {"x": 3.0, "y": 4.0}),
]


@pytest.mark.parametrize("text, f, point", HESSIANS, ids=[t for t, _, _ in HESSIANS])
def test_hessian_against_sympy(text, f, point):
    graph = dcalc.compile(text)
    h = hessian(graph, node_values(graph, point), ["x", "y"])
    at = {X: sp.Rational(repr(point["x"])), Y: sp.Rational(repr(point["y"]))}
    for a, sa in (("x", X), ("y", Y)):
        for b, sb in (("x", X), ("y", Y)):
            assert math.isclose(h[a][b], float(sp.diff(f, sa, sb).subs(at).evalf(30)), rel_tol=1e-12, abs_tol=1e-14)


def run(*args):
    return runner.invoke(app, list(args))


def test_grad_order_json():
    r = run("grad", "exp(2x)", "--at", "1", "--order", "3", "--json")
    assert r.exit_code == 0
    out = json.loads(r.stdout)
    assert list(out) == ["at", "value", "order", "derivative"]
    assert out["order"] == 3 and math.isclose(out["derivative"], 8 * math.exp(2), rel_tol=1e-15)


def test_grad_order_text_and_wrt():
    assert run("grad", "x^3*y", "--at", "x=2,y=5", "--wrt", "x", "--order", "2").stdout == "60\n"


def test_grad_hessian_json():
    r = run("grad", "x^2*y + sin(y)", "--at", "x=1,y=2", "--hessian", "--json")
    out = json.loads(r.stdout)
    assert list(out) == ["at", "value", "gradient", "hessian"]
    assert out["hessian"]["x"] == {"x": 4.0, "y": 2.0}
    assert out["hessian"]["y"]["x"] == 2.0 and math.isclose(out["hessian"]["y"]["y"], -math.sin(2))


def test_grad_hessian_text():
    r = run("grad", "x*y^2", "--at", "x=1,y=3", "--hessian")
    assert r.stdout == "∂²f/∂x² = 0  ∂²f/∂x∂y = 6\n∂²f/∂y∂x = 6  ∂²f/∂y² = 2\n"


@pytest.mark.parametrize("args, code, message", [
    (("x*y", "--at", "x=1,y=2", "--order", "2"), 2, "--order 2 needs one variable"),
    (("x*y", "--at", "x=1,y=2", "--order", "2", "--hessian"), 2, "do not go together"),
    (("sqrt(x)", "--at", "0", "--order", "2"), 1, "f is not differentiable at x = 0: right derivative +inf"),
    (("x", "--at", "1", "--order", "0"), 2, "--order"),
    (("x", "--at", "1", "--order", "101"), 2, "between 1 and 100"),
])
def test_grad_order_errors(args, code, message):
    r = run("grad", *args)
    assert r.exit_code == code
    assert r.stderr.lower().startswith(("error:", "usage:")) and message in r.stderr  # click checks the range
