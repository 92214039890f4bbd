"""grad --hessian by forward-over-reverse (cli/modes/hessian.py) against mpmath at 50 digits (tests only).

The three examples of issue 11's differential test, where the symbolic second-derivative formulas overflowed, cancelled
or lost digits; a property over random programs (tests/oracle_gen.py) holding every entry to the oracle's
condition-aware tolerance; symmetry to rounding; the refusals.
"""

from __future__ import annotations

import json
import math

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle_gen import Oracle, case, point_text, program_text

import dcalc
from dcalc.modes.evaluate import node_values
from dcalc.modes.hessian import hessian
from dcalc_proc import call

mp = mpmath.mp


def _hessian_json(text: str, at: str) -> dict:
    code, out, err = call(["grad", text, "--at", at, "--hessian", "--json"])
    assert (code, err) == (0, "")
    return json.loads(out)["hessian"]


def _mp_hessian(f, point: dict[str, str], names: list[str], h: str, dps: int) -> dict:
    """mpmath.diff of f (a function of mpf keyword arguments) at the point, step h, at dps digits (a step below the
    variables' size keeps mpmath.diff off a kink or a domain's edge a hair away: abs(x) at x = -1e-150)."""
    with mp.workdps(dps):
        x0 = [mpmath.mpf(point[n]) for n in names]
        out = {}
        for i, a in enumerate(names):
            for j, b in enumerate(names):
                orders = [0] * len(names)
                orders[i] += 1
                orders[j] += 1
                out[a, b] = mpmath.diff(lambda *xs: f(**dict(zip(names, xs))), x0, orders, h=mpmath.mpf(h))
        return out


def _close(got: float, want, rel: float) -> bool:
    return abs(mpmath.mpf(got) - want) <= rel * abs(want) + mpmath.mpf(2) ** -1074


def test_quotient_at_1e160_does_not_overflow():
    """x/y at x = y = 1e160: the formula -(-x/y^2)... formed y² = 1e320; the entries are 0, -1e-320, 2e-320."""
    h = _hessian_json("x/y", "x=1e160,y=1e160")
    want = _mp_hessian(lambda x, y: x / y, {"x": "1e160", "y": "1e160"}, ["x", "y"], "1e140", 60)
    assert want["x", "x"] == 0 and h["x"]["x"] == 0.0
    for a, b in (("x", "y"), ("y", "x"), ("y", "y")):  # subnormal: the nearest double, a few ulps of 5e-324 at most
        assert abs(mpmath.mpf(h[a][b]) - want[a, b]) <= 2 * mpmath.mpf(2) ** -1074, (a, b)
    assert h["x"]["y"] == h["y"]["x"] == -1e-320 and h["y"]["y"] == 2e-320


def test_abs_near_zero_does_not_cancel():
    """The formula's f_xx was 2.3e136 (abs(x)/x differentiated cancels at x = -1e-150); --order 2 and mpmath say
    -265.4."""
    text = "(6.0*6.0 - (y - x)) / log10(abs(x) + 0.25) * 0.952"
    point = {"x": "-1e-150", "y": "2.0206519115864285"}
    h = _hessian_json(text, "x=-1e-150,y=2.0206519115864285")

    def f(x, y):
        return (36 - (y - x)) / mpmath.log10(abs(x) + mpmath.mpf(0.25)) * mpmath.mpf(0.952)
    want = _mp_hessian(f, point, ["x", "y"], "1e-170", 420)  # the step stays on x's side of the kink at 0
    for a in ("x", "y"):
        for b in ("x", "y"):
            assert _close(h[a][b], want[a, b], 1e-14), (a, b, h[a][b], want[a, b])
    assert h["y"]["y"] == 0.0  # linear in y: exactly 0
    assert math.isclose(h["x"]["x"], -265.39971187449464, rel_tol=1e-14)


def test_varying_power_near_zero():
    """(z/x)^x at x = 1e-150: ∂(z/x)/∂x changes at 2z/x³ = 1e450 though f_xx = -1e150; the pass along x scaled to
    x's size keeps every coefficient a double (unscaled, the pass met an inf and refused). Every entry to 2 ulps."""
    h = _hessian_json("(z/x)^x", "x=1e-150,z=0.5525896314081811")
    want = _mp_hessian(lambda x, z: (z / x) ** x, {"x": "1e-150", "z": "0.5525896314081811"}, ["x", "z"],
                       "1e-170", 420)
    for a in ("x", "z"):
        for b in ("x", "z"):
            assert _close(h[a][b], want[a, b], 4e-16), (a, b, h[a][b], want[a, b])


def test_scaled_pass_does_not_underflow():
    """Oracle seed 51: at x = 1e-200 a pass scaled to x's size underflows (∂hypot/∂a changes at 7e-151 per unit of
    x, times 1e-200); the unscaled pass is exact."""
    text = "hypot((e - x + sin(3.967))^tanh(x), 1e+150)"
    h = _hessian_json(text, "1e-200")

    def f(x):
        return mpmath.hypot((mpmath.e - x + mpmath.sin(mpmath.mpf(3.967))) ** mpmath.tanh(x), mpmath.mpf(1e150))
    want = _mp_hessian(f, {"x": "1e-200"}, ["x"], "1e-215", 800)
    assert _close(h["x"]["x"], want["x", "x"], 1e-14), (h, want)
    assert math.isclose(h["x"]["x"], -7.0324004059016114e-152, rel_tol=1e-14)


@pytest.mark.parametrize("args, message", [
    (["x^-1", "--at", "1e-160"], "error: overflow in the derivative by x: it is too large for a double\n"),
    (["x/y + y/z + z/x", "--at", "x=1e-160,y=3e-160,z=2e-160"],  # 2z/x³ = 4e320: the entry itself overflows
     "error: overflow in the second derivative by x twice: it is too large for a double\n"),
    (["x^1.5", "--at", "0"], "error: f has no derivative of order 2 at x = 0: right +inf, undefined to the left "
                             "(at u1 = x^1.5 where x = 0)\n"),
    (["x*abs(x)", "--at", "0"], "error: f has no derivative of order 2 at x = 0: left -2, right 2 "
                                "(at u1 = abs(x) where x = 0)\n"),
])
def test_refusals(args, message):
    assert call(["grad", *args, "--hessian"]) == (1, "", message)


def test_a_partial_below_the_doubles_times_a_large_rate():
    """Oracle seed 2000169: sech²(ln x) = 4e-400 is 0 in doubles and a rate of -1e400 multiplies it (f'' came out
    -0.993, then was refused): the pass runs wide. mpmath at 120 digits; the entry is as sensitive as sech²(L) to the
    rounding of L = ln(x) = -460.5 (2·|L|·2^-53 = 1e-13 relative), hence the tolerance."""
    import mpmath as m
    src = "f(a, b) = acos(0.9 * tanh(a)) * asinh(4.62); p = log(x); atan(f(p, hypot(csc(p), x)))"
    with m.workdps(120):
        want = float(m.diff(lambda x: m.atan(m.acos(m.mpf(0.9) * m.tanh(m.log(x))) * m.asinh(m.mpf(4.62))),
                            m.mpf(1e-200), 2).real)
    assert math.isclose(want, -0.49671135753278828, rel_tol=1e-15)
    h = _hessian_json(src, "x=1e-200")
    assert math.isclose(h["x"]["x"], want, rel_tol=1e-12)
    got = float(call(["grad", src, "--at", "1e-200", "--order", "2"])[1])
    assert math.isclose(got, want, rel_tol=1e-12)


def test_reads_one_argument_twice():
    """x - x and x/x: the summed partial (0, and its t-coefficient 0) before the adjoint multiplies it."""
    h = _hessian_json("x + 1e17*(x - x) + y*(x/x)", "x=3,y=2")
    assert h == {"x": {"x": 0.0, "y": 0.0}, "y": {"x": 0.0, "y": 0.0}}


def test_a_variable_the_output_does_not_read():
    """Oracle seed 64: the pass along x, which nothing reads, has rates exactly 0 beside a gradient of 9e19 (no
    underflow to allow for); f_yy to rounding (mpmath: 92683452795.61922)."""
    code, out, _ = call(["grad", "p = hypot(x, abs(x)); q = x + x; s = y; exp(asinh(y))^(-3.0)", "--at",
                         "x=2.633917911487183,y=-1930905266.5754004", "--hessian", "--json"])  # stderr: notes
    assert code == 0
    h = json.loads(out)["hessian"]
    assert h["x"] == {"x": 0.0, "y": 0.0} and h["y"]["x"] == 0.0
    assert math.isclose(h["y"]["y"], 92683452795.6192169189453125, rel_tol=1e-13)


def test_unread_variable_is_zero():
    code, out, err = call(["grad", "x*y", "--at", "x=1,y=2", "--wrt", "x,z", "--hessian", "--json"])
    assert code == 0 and json.loads(out)["hessian"] == {"x": {"x": 0.0, "z": 0.0}, "z": {"x": 0.0, "z": 0.0}}


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10 ** 6))
def test_random_programs_against_the_oracle(seed):
    """Every entry of the Hessian of a random program within the oracle's own tolerance for a second derivative
    (the spread of its perturbed runs, 4× for order 2, plus ulps), and H symmetric to rounding."""
    prog, point = case(seed)
    text = program_text(prog, seed)
    names = prog["vars"]
    try:
        graph = dcalc.compile(text)
        vals = node_values(graph, point)
        h = hessian(graph, vals, names)
    except dcalc.DcalcError:
        return  # refusals are test_oracle's business (it confirms each against the oracle)
    oracle = Oracle(prog, point, seed)
    for i, a in enumerate(names):
        for b in names[i:]:
            expected = oracle.derivative({a: 2} if a == b else {a: 1, b: 1})
            if expected[0] != "value":
                continue
            _, q, tol = expected
            for got in (h[a][b], h[b][a]):
                assert abs(mpmath.mpf(got) - q) <= tol, (
                    f"seed {seed}: grad --hessian --at {point_text(point)} -- {text!r}: ∂²/∂{a}∂{b} = {got!r}, "
                    f"oracle {mpmath.nstr(q, 17)} ± {mpmath.nstr(tol, 3)}")
            assert abs(h[a][b] - h[b][a]) <= 2 * tol + 1e-15 * max(abs(h[a][b]), abs(h[b][a]))


SMOOTH = [("x^2*y + sin(y)", "x=1,y=2"), ("exp(x*y)/(1 + x^2)", "x=0.3,y=-1.2"), ("ln(x + y^2)*atan(x)", "x=1.5,y=0.5"),
          ("hypot(x, y)*tanh(x - y)", "x=3,y=4"), ("atan2(y, x)^z", "x=1e150,y=2e150,z=1.5"),
          ("x/y + y/z + z/x", "x=1e-100,y=3e-100,z=2e-100")]


@pytest.mark.parametrize("text, at", SMOOTH)
def test_symmetric_to_rounding(text, at):
    """H is reported as computed (column j from the pass along x_j), not symmetrised: h_ab and h_ba agree to a few
    ulps where the problem is well conditioned."""
    h = _hessian_json(text, at)
    for a in h:
        for b in h:
            assert math.isclose(h[a][b], h[b][a], rel_tol=4 * 2.0 ** -52, abs_tol=1e-300), (a, b, h[a][b], h[b][a])
