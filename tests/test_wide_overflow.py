"""Intermediates beyond the doubles (issue 11): exp(745)*exp(-745.1) is 0.905 although exp(745) is not a double. From
the node that overflowed, evaluation runs wide (modes/evaluate.py), and every derivative pass (forward, reverse,
Taylor, Hessian, --points) runs over those wide values; a result that is itself beyond the doubles stays an overflow
error. The reference is SymPy's derivative evaluated at 50 digits: it shares nothing with dcalc's rules. Constants and
points are multiples of 1/8 (and the points integers for powers), so that every sum dcalc computes in doubles before
an overflow is exact and the reference is the same function, not a neighbour of it.
"""

from __future__ import annotations

import json
import math

import mpmath as mp
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import dcalc
from dcalc.app import app
from dcalc.modes.evaluate import node_values
from dcalc.modes.hessian import hessian
from dcalc.modes.taylor import nth_derivative

runner = CliRunner()
X, Y = sp.symbols("x y")


def call(*args: str, input: str | None = None) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args), input=input)
    return r.exit_code, r.stdout, r.stderr


def eighths(k: int) -> tuple[str, sp.Rational]:
    """k/8 as dcalc text (exact as a double) and as SymPy's exact number."""
    return repr(k / 8), sp.Rational(k, 8)


# each piece: dcalc text and SymPy expression, for a shift c; `huge` grows like e^x, `tiny` decays like e^-x
HUGE = [("exp(x + {c})", lambda c: sp.exp(X + c)), ("cosh(x + {c})", lambda c: sp.cosh(X + c)),
        ("sinh(x + {c})", lambda c: sp.sinh(X + c)), ("exp(x/2 + {c})^2", lambda c: sp.exp(X / 2 + c) ** 2)]
TINY = [("exp({c} - x)", lambda c: sp.exp(c - X)), ("sech(x + {c})", lambda c: 1 / sp.cosh(X + c)),
        ("1/cosh(x + {c})", lambda c: 1 / sp.cosh(X + c))]
POLY = [("y", Y), ("x*y", X * Y), ("(y^2 + x)", Y ** 2 + X), ("sin(y)", sp.sin(Y))]


@st.composite
def exponential(draw):
    """(text, SymPy expression, point, rate): a product or quotient of pieces that overflow at x, times P(x, y)."""
    (ht, hf), c = draw(st.sampled_from(HUGE)), eighths(draw(st.integers(-40, 40)))
    if draw(st.booleans()):
        (bt, bf), d = draw(st.sampled_from(HUGE)), eighths(draw(st.integers(-40, 40)))
        text, f = f"{ht.format(c=c[0])}/{bt.format(c=d[0])}", hf(c[1]) / bf(d[1])
    else:
        (bt, bf), d = draw(st.sampled_from(TINY)), eighths(draw(st.integers(-40, 40)))
        text, f = f"{ht.format(c=c[0])}*{bt.format(c=d[0])}", hf(c[1]) * bf(d[1])
    pt, pf = draw(st.sampled_from(POLY))
    x = draw(st.integers(712 * 8, 1300 * 8)) / 8  # e^x from 1e309 to 1e564
    y = draw(st.integers(-24, 24)) / 8
    return f"{text}*{pt}", f * pf, {"x": x, "y": y}, 2.0


@st.composite
def powers(draw):
    """x^n/x^m or pow(x, n)*x^-m with x^n beyond the doubles, times P(x, y)."""
    n = draw(st.integers(80, 400))
    m = n - draw(st.integers(-2, 3))
    text, f = ((f"x^{n}/x^{m}", X ** n / X ** m) if draw(st.booleans()) else
               (f"pow(x, {n})*x^-{m}", X ** n * X ** -m))
    pt, pf = draw(st.sampled_from(POLY))
    x = float(draw(st.integers(10 ** 4, 10 ** 6)))
    y = draw(st.integers(-24, 24)) / 8
    return f"{text}*{pt}", f * pf, {"x": x, "y": y}, 8.0


def exact(f, point: dict[str, float]):
    """f at the point, to 50 digits (the point's doubles exactly)."""
    return sp.N(f.subs({X: sp.Rational(point["x"]), Y: sp.Rational(point["y"])}), 50)


def agrees(got: float, want, scale) -> bool:
    """got is want to a few ulps of the size of the terms that make it up (`scale`): a derivative that is 0 by
    cancellation (d/dx of exp(x)/exp(x)) is computed as a sum of terms of the size of f."""
    want, scale = mp.mpf(str(want)), mp.mpf(str(scale))
    if abs(want) < mp.mpf(2.0 ** -1022) and scale < mp.mpf(2.0 ** -1022):
        return abs(got) <= 2.0 ** -1060
    return abs(mp.mpf(got) - want) <= mp.mpf(2.0 ** -46) * (abs(want) + scale)


def size(f, point, rate: float, order: int):
    """The size of the terms of an order-k derivative of f = Q·P: |Q|·rate^k·Σ|∂^j P|, j ≤ k, over x and y."""
    terms = [f]
    for _ in range(order):
        terms += [sp.diff(t, v) for t in terms for v in (X, Y)]
    return sum(abs(exact(t, point)) for t in terms) * rate ** order + abs(exact(f, point))


def check(text: str, f, point: dict[str, float], rate: float) -> None:
    mp.mp.dps = 50
    v = exact(f, point)
    assert agrees(dcalc.evaluate(text, point), v, 0), (text, point)
    g = dcalc.compile(text)
    vals = node_values(g, point)
    first = size(f, point, rate, 1)
    grad = dcalc.gradient(g, point)  # reverse mode
    for name, s in (("x", X), ("y", Y)):
        want = exact(sp.diff(f, s), point)
        assert agrees(grad[name], want, first), (text, point, name, grad[name], want)
        assert agrees(dcalc.derivative(g, point, name), want, first), (text, point, name)  # forward mode
    second = size(f, point, rate, 2)
    for name, s in (("x", X), ("y", Y)):
        want = exact(sp.diff(f, s, 2), point)
        got = nth_derivative(g, point, name, 2)  # Taylor mode
        assert agrees(got, want, second), (text, point, name, got, want)
    h = hessian(g, vals, ["x", "y"])
    for a, sa in (("x", X), ("y", Y)):
        for b, sb in (("x", X), ("y", Y)):
            want = exact(sp.diff(f, sa, sb), point)
            assert agrees(h[a][b], want, second), (text, point, a, b, h[a][b], want)


@settings(max_examples=40, deadline=None)
@given(exponential())
def test_exponentials_that_cancel_beyond_the_doubles(case):
    check(*case)


@settings(max_examples=40, deadline=None)
@given(powers())
def test_powers_that_cancel_beyond_the_doubles(case):
    check(*case)


# ---- the examples of the issue, through the command line -----------------------------------------------------------

def test_eval_of_a_product_whose_factor_overflows():
    mp.mp.dps = 50
    code, out, err = call("eval", "exp(745)*exp(-745.1)")
    assert code == 0, err
    assert float(out) == float(mp.exp(745) * mp.exp(-mp.mpf(745.1)))  # 0.904837418035939 (745.1 as its double)


@pytest.mark.parametrize("args,want", [
    (["grad", "exp(x)*exp(-x-0.1)", "--at", "745"], 0.0),
    (["grad", "exp(x)/exp(x)", "--at", "800"], 0.0),
    (["grad", "x^400/x^399", "--at", "1e5"], 1.0),
    (["eval", "x^400/x^399", "--at", "1e5"], 1e5),
    (["eval", "exp(x)/exp(x)", "--at", "800"], 1.0),
    (["grad", "x^400/x^399", "--at", "1e5", "--order", "2"], 0.0),
    (["grad", "x^401/x^399", "--at", "1e5", "--order", "2"], 2.0),
    (["grad", "exp(x)*exp(-x)*x^3", "--at", "800", "--order", "3"], 6.0),
    (["grad", "exp(x)/exp(x)", "--at", "800", "--hessian"], 0.0),
    (["grad", "exp(x)*exp(-x)*x^3", "--at", "800", "--hessian"], 4800.0),
    (["grad", "cosh(x)/sinh(x)", "--at", "800", "--order", "2"], 0.0),  # coth: 8·e^-2400, 0 in doubles
    (["eval", "1/exp(-x)*1e-300", "--at", "750"], 5.258494541454805e+25),
])
def test_the_issues_examples(args, want):
    code, out, err = call(*args)
    assert code == 0, err
    got = float(out.split("=")[-1]) if "=" in out else float(out)
    assert got == want, (args, out)


def test_a_gradient_through_a_huge_intermediate_in_both_modes():
    mp.mp.dps = 50
    code, out, err = call("grad", "exp(x)*exp(-x-0.1)*y", "--at", "x=745,y=3", "--json")
    assert code == 0, err
    row = json.loads(out)
    # from exp(x) on the nodes are wide: -x - 0.1 is not rounded to a double, and f is 3·e^-0.1 (0.1 as its double)
    z = mp.exp(-mp.mpf(0.1))
    assert row["value"] == float(3 * z) and row["gradient"]["y"] == float(z), row
    assert abs(row["gradient"]["x"]) <= 1e-30  # exactly 0 but for the wide numbers' rounding
    for mode in ("forward", "reverse"):
        code, out, err = call("trace", "exp(x)*exp(-x-0.1)*y", "--at", "x=745,y=3", "--wrt", "x", "--mode", mode)
        assert code == 1 and "error: overflow in u1 = exp(x) with x = 745: the value is too large for a double" in err


def test_points_rows_through_a_huge_intermediate():
    code, out, err = call("grad", "exp(x)/exp(x)*x*y", "--points", "-", "--json", input="x,y\n800,2\n1,2\n1e5,3\n")
    assert code == 0, err  # e^100000 is a wide number (its exponent reaches 10^18)
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert [(r["value"], r["gradient"], r["status"]) for r in rows] == [
        (1600.0, {"x": 2.0, "y": 800.0}, "ok"), (2.0, {"x": 2.0, "y": 1.0}, "ok"),
        (3e5, {"x": 3.0, "y": 1e5}, "ok")]
    code, out, err = call("eval", "exp(x)/exp(x)*x*y", "--points", "-", input="x,y\n800,2\n1,2\n")
    assert code == 0 and out.split() == ["1600", "2"], (out, err)
    code, out, err = call("grad", "exp(x)*y", "--points", "-", "--json", input="x,y\n800,2\n1,2\n")
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert code == 1 and rows[0]["status"] == ("overflow in u1 = exp(x) with x = 800: the value is too large for a "
                                               "double") and rows[1]["status"] == "ok", out


@pytest.mark.parametrize("args,message", [
    (["eval", "2*exp(x)", "--at", "710"], "error: overflow in u1 = exp(x) with x = 710: the value is too large for a "
                                         "double\n"),
    (["eval", "exp(800)/exp(800) + exp(1000)"], "error: overflow in u3 = exp(1000): the value is too large for a "
                                                "double\n"),
    (["eval", "sin(exp(800))"], "error: overflow in u2 = sin(u1): its argument u1 = exp(800) is too large for a "
                                "double\n"),
    (["eval", "1/exp(-800)"], "error: overflow in u2 = 1/u1: the value is too large for a double\n"),
    (["grad", "exp(x)^2", "--at", "400"], "error: overflow in u2 = u1^2 with u1 = 5.221469689764144e+173: the value "
                                          "is too large for a double\n"),
    (["grad", "exp(2x)", "--at", "400", "--order", "2"], "error: overflow in u2 = exp(u1) with u1 = 800: the value "
                                                         "is too large for a double\n"),
])
def test_a_result_beyond_the_doubles_stays_an_overflow(args, message):
    code, out, err = call(*args)
    assert code == 1 and err == message, err


def test_a_domain_error_past_a_huge_intermediate_is_still_a_domain_error():
    code, out, err = call("eval", "ln(-exp(800))")
    assert code == 1 and err.startswith("error: ln is undefined in u3 = ln(u2)"), err
    code, out, err = call("eval", "sqrt(exp(800)) / exp(400)")  # e^400/e^400: fine
    assert code == 0 and math.isclose(float(out), 1.0, rel_tol=1e-15), err


def test_a_printed_formula_that_overflows_in_an_intermediate_reads_back():
    # seed 10005218 of the oracle run: d²/dw² of atan2(atan2(7, w), w - pi) at 1e200 is 4.2e-799, 0 in doubles; its
    # printed formula holds hypot(…)^4 (1e800) and used to be refused when evaluated
    code, formula, err = call("diff", "atan2(atan2(7, w), w - pi)", "--wrt", "w,w")
    assert code == 0, err
    code, out, err = call("eval", formula.strip(), "--at", "w=1e200")
    assert code == 0 and float(out) == 0.0, err


@pytest.mark.parametrize("f", ["sin", "cos", "tan", "sec", "csc", "cot"])
def test_a_periodic_function_of_an_argument_beyond_the_doubles_is_an_overflow_error(f):
    # (x*y)^2 at x = -2.1e202 is 4.5e404: no double to reduce by the period, so no value; sec, csc and cot's wide
    # forms called math.sin(inf) there, exit 70 (seed 10005097)
    code, out, err = call("eval", f"{f}((x*y)^2)", "--at", "x=-2.1e202,y=1")
    assert (code, out) == (1, "")
    assert err.startswith(f"error: overflow in u3 = {f}(u2): its argument u2 = u1^2 is too large for a double")
    # below the doubles their forms near 0 still hold: csc(a)·a = 1 at a = 0.7^3000
    code, out, _ = call("eval", f"{f}(0.7^3000*x)*0.7^3000", "--at", "x=1")
    assert (code, out) == ((0, "1\n") if f in ("csc", "cot") else (0, "0\n"))
