"""Derivatives whose chain of local partials leaves the range of doubles on the way (wide.py): every mode gives the
derivative right to rounding wherever it is a normal double, or a clear error; never a wrong number.

The expected values are computed here with mpmath, by central differences at many digits (enough that the step's
rounding and truncation are far below a double's rounding; see _diff), or are exact. A property test draws random
compositions of the primitives at points of magnitude 1e±150..1e±300 and compares forward and reverse mode with a
dual-number evaluation in mpmath written out below (the partials of tests/test_rule_oracle.py's ORACLE, shared with no
dcalc code), within a tolerance from the spread of perturbed oracle runs, as tests/oracle_gen.py does.
"""

from __future__ import annotations

import json
import math
import random

import mpmath as mp
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_rule_oracle import ORACLE
from typer.testing import CliRunner

import dcalc
from dcalc import DcalcError
from dcalc.app import app
from dcalc.core.ops import OPS
from dcalc.errors import MathError
from dcalc_proc import error_text

runner = CliRunner()
E, PI = mp.mpf(math.e), mp.mpf(math.pi)  # dcalc's constants are doubles: the oracle takes the same numbers
MAX, SUB, U = 1.7976931348623157e308, 2.0 ** -1074, 2.0 ** -53


def _diff(f, x: float, n: int = 1):
    """The n-th derivative of f at x by mpmath's central differences with a step of 1e-30 of |x|, at enough digits
    that the step's rounding (10^-dps·|f|/h^n) stays far below the truncation (h² relative)."""
    x = mp.mpf(x)
    scale = abs(x) if x else mp.mpf(1)
    digits = int(abs(mp.log10(scale)))
    with mp.workdps(900 + n * (40 + digits)):
        return mp.diff(f, x, n, h=scale * mp.mpf(10) ** -30)


def call(args: list[str]) -> tuple[int, str, str]:
    r = runner.invoke(app, args)
    return r.exit_code, r.stdout, error_text(r.stderr)  # the --json runs write their errors as JSON


def _close(got: float, want, rel: float = 1e-13) -> bool:
    return abs(mp.mpf(got) - want) <= rel * abs(want)


# (text, point, variable, the function of that variable in mpmath, the others fixed)
_Y, _W = mp.mpf(-0.5455276013272838), mp.mpf(-9.900032303881996e-08)
CASES = [
    # ∂(1/u)/∂u = -1/u² = -1.5e-347 at u = 2.6e173 (0 in doubles), then times du/dx = 2.6e173: df/dx gave 0
    ("1/hypot(sin(x), cosh(x))", {"x": 400.0}, "x", lambda x: 1 / mp.hypot(mp.sin(x), mp.cosh(x))),
    ("log2(x + x) / hypot(sin(x), cosh(x))", {"x": 400.0}, "x",  # gave 1.38e-176, truly -3.69e-173
     lambda x: mp.log(x + x, 2) / mp.hypot(mp.sin(x), mp.cosh(x))),
    ("atan((z/w)^(-2.0))", {"z": 1e150, "w": float(_W)}, "w",  # gave 0, truly -1.98e-307
     lambda w: mp.atan((mp.mpf(1e150) / w) ** -2)),
    ("atan(ln(3.68)) / ((cosh(z) + (0.0 - x)) / (z - pi**(-3.0)))", {"x": 1e200, "z": -1.0}, "z",  # gave 0
     lambda z: mp.atan(mp.log(mp.mpf(3.68))) / ((mp.cosh(z) - mp.mpf(1e200)) / (z - PI ** -3))),
    ("log(atanh(0.9tanh(atan(x^(-2.0)))))", {"x": 1e150}, "x",  # gave 0, truly -2e-150
     lambda x: mp.log(mp.atanh(mp.mpf(0.9) * mp.tanh(mp.atan(x ** -2))))),
    # the mirror: a local partial overflows (∂(2.31/y)/∂y = -2.31e400) where the derivative is a double (refused)
    ("asinh(1e-08 * (2.31 / y))", {"y": -1e-200}, "y", lambda y: mp.asinh(mp.mpf(1e-08) * (mp.mpf(2.31) / y))),
    ("p = log(pow(e, 2.0) + 0.5, 1.5 + exp(y)); log2(abs(p - x * p / cot(x)) + 0.25)",  # oracle seed 3005617
     {"y": float(_Y), "x": 1e-200}, "x",
     lambda x: mp.log(abs(mp.log(E ** 2 + 0.5) / mp.log(1.5 + mp.exp(_Y)) * (1 - x / mp.cot(x))) + 0.25, 2)),
    ("p = 4.0 * (atan2(e, 0.0) / x); log(hypot(asinh(x) + (x + x), 1.0), 1.5 + exp(p))", {"x": -1e-200}, "x",
     lambda x: mp.log(mp.hypot(mp.asinh(x) + 2 * x, 1)) / mp.log(1.5 + mp.exp(4 * (mp.atan2(E, 0) / x)))),
    ("p = 3.0 / x; -atan(hypot(p, 1.6 + 1.6))", {"x": -1e-200}, "x",  # oracle seed 3006100
     lambda x: -mp.atan(mp.hypot(3 / x, mp.mpf(1.6) + mp.mpf(1.6)))),
]


# the cases where a node's tangent is beyond the doubles (2.31/y: -2.31e400): the trace, which shows every node's, says so
BEYOND = {c[0] for c in CASES[5:9]}


@pytest.mark.parametrize("text, point, x, f", CASES, ids=[c[0][:40] for c in CASES])
def test_forward_and_reverse(text, point, x, f):
    want = _diff(f, point[x])
    assert sys_float_normal(want)
    assert _close(dcalc.derivative(text, point, x), want)
    assert _close(dcalc.gradient(text, point)[x], want)
    at = ",".join(f"{k}={v!r}" for k, v in point.items())
    code, out, err = call(["grad", text, "--at", at, "--wrt", x, "--json"])
    assert code == 0
    assert _close(json.loads(out)["gradient"][x], want)
    for mode in ("forward", "reverse"):
        code, out, err = call(["trace", text, "--at", at, "--wrt", x, "--mode", mode, "--format", "json"])
        if text in BEYOND:
            assert (code, out) == (1, "")
            assert err.startswith("error: overflow in the tangent of ") and "it is too large for a double" in err
        else:
            assert code == 0
            assert _close(json.loads(out)["derivative"], want)


def sys_float_normal(v) -> bool:
    return 2.2250738585072014e-308 <= abs(v) <= MAX


@pytest.mark.parametrize("text, point, x, f", [CASES[0], CASES[5]], ids=["hypot", "asinh"])
def test_batch_rows(text, point, x, f):
    """The NumPy columns of --points: a row where a partial or a product left the doubles takes the scalar pass."""
    want = _diff(f, point[x])
    r = runner.invoke(app, ["grad", text, "--points", "-", "--json"], input=f"{x}\n{point[x]!r}\n1\n")
    assert r.exit_code == 0, r.stderr
    first, second = (json.loads(line) for line in r.stdout.splitlines())
    assert _close(first["gradient"][x], want)
    assert _close(second["gradient"][x], _diff(f, 1.0))


def test_a_derivative_far_below_the_doubles_is_zero():
    """Oracle seed 3000148: csc(u3)^(-7e153) with csc(u3) = 4.8e157: the derivatives are 10^(-10^156), so 0 is right to
    rounding; the local partial -csc·cot = -2.3e315 used to be refused as an overflow."""
    text = "p = y; csc(hypot(p, x) * (p * x))**(hypot(sec(y), p) / -(x * p))"
    point = {"y": 1e-150, "x": 0.00014396849772676818}
    assert dcalc.gradient(text, point) == {"y": 0.0, "x": 0.0}
    assert dcalc.derivative(text, point, "y") == 0.0


def test_a_final_derivative_below_the_doubles_is_zero():
    """-e^-800 = -3.6e-348: 0 (or -0) is right to rounding; the fallback must not make it an error."""
    assert dcalc.gradient("exp(-x)", {"x": 800.0})["x"] == 0.0
    assert dcalc.derivative("exp(-x)", {"x": 800.0}) == 0.0
    assert call(["grad", "exp(-x)", "--at", "800", "--order", "2"])[:2] == (0, "0\n")


@pytest.mark.parametrize("args, message", [
    (["grad", "1/x", "--at", "1e-160"], "error: overflow in the derivative by x: it is too large for a double\n"),
    (["trace", "1/x", "--at", "1e-160"], "error: overflow in the tangent of u1 = 1/x: it is too large for a double\n"),
    (["grad", "1/x", "--at", "1e-160", "--order", "1"],
     "error: overflow in the derivative of order 1: it is too large for a double\n"),
    (["grad", "1/x", "--at", "1e-160", "--order", "3"],
     "error: overflow in the derivative of order 3: it is too large for a double\n"),
])
def test_a_final_derivative_beyond_the_doubles_is_an_error(args, message):
    assert call(args) == (1, "", message)


# -- Taylor mode and the Hessian ------------------------------------------------------------------------------------

_Z, _WW, _YY = -0.3676728722515912, -2.3470322615260937, -1e-200


def _seed_3001969(z, w, y):
    p = mp.tan(mp.sign(6 * z) * mp.cbrt(abs(6 * z)))
    q, s = PI + w, p + w
    return mp.atan2(mp.atanh(mp.mpf(0.9) * mp.tanh((q - z) ** 2)), mp.csc(w / 9) - s / y * mp.asinh(PI))


SEED_3001969 = ("f(a) = tan(cbrt(a)); p = f(z * 6.0); q = pi + w; s = p + w; "
                "atan2(atanh(0.9 * tanh((q - z) * (q - z))), csc(w / 9.0) - s / y * asinh(pi))")
AT_3001969 = f"z={_Z!r},w={_WW!r},y={_YY!r}"


@pytest.mark.parametrize("text, at, x, n, f", [
    # a coefficient of 1e-450 in the series of acosh's rule: 0 in doubles (gave 4.8e-300, truly -2e-297)
    ("acosh(1.5 + x^2)*log2(x)", "1e150", None, 2, lambda x: mp.acosh(1.5 + x ** 2) * mp.log(x, 2)),
    # oracle seed 3001969: s/y = 6e200 (the sign came out wrong at order 5)
    (SEED_3001969, AT_3001969, "z", 5, lambda z: _seed_3001969(z, mp.mpf(_WW), mp.mpf(_YY))),
    (SEED_3001969, AT_3001969, "w", 3, lambda w: _seed_3001969(mp.mpf(_Z), w, mp.mpf(_YY))),
    # oracle seed 3006853: the series of hypot(x, x) cancelled to 4e-8 where it is 0 (f'' came out 3 times the truth)
    ("p = atanh(hypot(x, x)); asinh(tan(p))", "-4.399378399017666e-09", None, 2,
     lambda x: mp.asinh(mp.tan(mp.atanh(mp.hypot(x, x))))),
])
def test_order(text, at, x, n, f):
    point = {k: float(v) for k, v in (kv.split("=") for kv in at.split(","))} if "=" in at else {"x": float(at)}
    want = _diff(f, point[x or "x"], n)
    args = ["grad", text, "--at", at, "--order", str(n)] + (["--wrt", x] if x else [])
    code, out, err = call(args)
    assert code == 0, err
    assert _close(float(out.splitlines()[-1]), want, 1e-11)


def test_hessian_of_seed_3001969():
    """The mixed entries f_zy, f_wy: the Hessian came out 0 there (by polarisation at a kink that was no kink: the
    partial 6e400 of s/y is a number, wide)."""
    code, out, err = call(["grad", SEED_3001969, "--at", AT_3001969, "--hessian", "--json"])
    assert code == 0, err
    h = json.loads(out)["hessian"]

    def f_y(z):
        return _diff(lambda y: _seed_3001969(z, mp.mpf(_WW), y), _YY)
    with mp.workdps(1200):
        want = _diff(f_y, _Z)
    assert _close(h["z"]["y"], want, 1e-11)
    assert _close(h["y"]["z"], want, 1e-11)


def test_hessian_of_seed_3006853():
    code, out, err = call(["grad", "p = atanh(hypot(x, x)); asinh(tan(p))", "--at", "-4.399378399017666e-09",
                           "--hessian", "--json"])
    assert code == 0, err
    want = _diff(lambda x: mp.asinh(mp.tan(mp.atanh(mp.hypot(x, x)))), -4.399378399017666e-09, 2)
    assert _close(json.loads(out)["hessian"]["x"]["x"], want, 1e-11)


def test_mixed_entry_at_a_kink_beside_a_large_diagonal():
    """|x|^3 + 1e100·y^2 + x·y at (0, 1): the kink sends the Hessian to the one-sided series, whose polarisation
    along e_x + e_y lost f_xy = 1 beside f_yy = 2e100 (gave 0). Exact: f_xx = 0, f_xy = 1, f_yy = 2e100."""
    code, out, err = call(["grad", "abs(x)^3 + 1e100*y^2 + x*y", "--at", "x=0,y=1", "--hessian", "--json"])
    assert code == 0, err
    assert json.loads(out)["hessian"] == {"x": {"x": 0.0, "y": 1.0}, "y": {"x": 1.0, "y": 2e100}}


# -- the property ---------------------------------------------------------------------------------------------------

_UNARY = [n for n in ORACLE if OPS[n].arity == 1 and n != "neg"]
_BINARY = ["add", "sub", "mul", "div", "pow", "atan2", "hypot", "log"]
_SYMBOL = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "^"}


@st.composite
def _trees(draw, depth: int = 4):
    """A random composition: ["x"], ["y"], ["num", c] or [op, *args]."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        kind = draw(st.sampled_from(["x", "x", "y", "num"]))
        if kind == "num":
            return ["num", draw(st.sampled_from([0.5, 2.0, 3.0, 1.5, 1e-8, 7.25, 1e150, 1e-150]))]
        return [kind]
    if draw(st.booleans()):
        return [draw(st.sampled_from(_UNARY)), draw(_trees(depth - 1))]
    return [draw(st.sampled_from(_BINARY)), draw(_trees(depth - 1)), draw(_trees(depth - 1))]


def _text(tree) -> str:
    if tree[0] in ("x", "y"):
        return tree[0]
    if tree[0] == "num":
        return f"({tree[1]!r})"
    op, *args = tree
    if op in _SYMBOL:
        return f"({_text(args[0])} {_SYMBOL[op]} {_text(args[1])})"
    if op == "neg":
        return f"(-{_text(args[0])})"
    return f"{op}({', '.join(map(_text, args))})"


def _dual(tree, point: dict, factors: list | None):
    """(value, d/dx, m) of the tree in mpmath by the ORACLE partials, m = Σ over the paths from x of |the product of the
    partials| (the scale of what any sum of those products rounds: d may cancel far below it, log(x, x); a power's
    partial counts |ln a|·|b - 1| times more, the rounding of its exponent b - 1 as tests/test_rule_oracle.py allows); with
    `factors`, every operation's result (value and derivative alike: the function perturbed smoothly) times 1 + δ_i.
    None where a value or partial does not exist."""
    stack, done = [(tree, False)], {}
    while stack:
        t, ready = stack.pop()
        if t[0] in ("x", "y"):
            done[id(t)] = (mp.mpf(point[t[0]]), *[mp.mpf(1 if t[0] == "x" else 0)] * 2)
        elif t[0] == "num":
            done[id(t)] = (mp.mpf(t[1]), mp.mpf(0), mp.mpf(0))
        elif not ready:
            stack.append((t, True))
            stack.extend((a, False) for a in t[1:])
        else:
            value, partials = ORACLE[t[0]]
            args = [done[id(a)] for a in t[1:]]
            vs = [a[0] for a in args]
            if any(v is None for v in vs):
                return None
            v = value(*vs)
            if v is None or not mp.isfinite(v) or (v != 0 and not 2.2250738585072014e-308 <= abs(v) <= MAX):
                return None  # a value outside the (normal) doubles: the values themselves would be rounded away
            d = m = mp.mpf(0)
            for k, ((av, ad, am), p) in enumerate(zip(args, partials)):
                if am:
                    pv = p(*vs)
                    if pv is None:
                        return None
                    d += pv * ad
                    m += abs(pv) * am
                    if t[0] == "pow" and k == 0 and vs[0]:  # b·a^(b-1): b - 1 rounds, and |ln a| multiplies that
                        m += abs(pv) * am * abs(mp.log(abs(vs[0]))) * abs(vs[1] - 1)
            if factors is not None:
                f = factors[len(done) % len(factors)]
                v, d = v * f, d * f
            done[id(t)] = (v, d, m)
    return done[id(tree)]


@st.composite
def _points(draw):
    def magnitude():
        e = draw(st.one_of(st.integers(150, 300), st.integers(-300, -150), st.integers(-3, 3)))
        return draw(st.sampled_from([1.0, -1.0])) * draw(st.floats(1.0, 9.9)) * 10.0 ** e
    return {"x": magnitude(), "y": magnitude()}


@settings(max_examples=300, deadline=None)
@given(_trees(), _points(), st.integers(0, 2 ** 32))
def test_extreme_points_right_to_rounding_or_an_error(tree, point, seed):
    """At points of magnitude 1e±150..1e±300, where the oracle's derivative is a normal double: forward and reverse
    mode agree with it within 16 times the spread of perturbed oracle runs, plus 64 roundings of m (the sum of the
    magnitudes along the paths: what the sums of a derivative pass round, its condition), or raise a MathError that
    says why. Never another number."""
    text = _text(tree)
    assume("x" in text)
    with mp.workdps(50):
        exact = _dual(tree, point, None)
        assume(exact is not None)
        want = exact[1]
        assume(2.2250738585072014e-308 <= abs(want) <= MAX)
        rng = random.Random(seed)
        spread = mp.mpf(0)
        for _ in range(3):
            factors = [1 + mp.mpf(rng.uniform(-4, 4)) * U for _ in range(16)]
            run = _dual(tree, point, factors)
            if run is None:  # undefined within rounding of the point: no statement about dcalc
                assume(False)
            spread = max(spread, abs(run[1] - want))
        # a problem whose perturbed runs already differ in the 8th digit (sin of hypot(x, x) = 1.4e150: the rounding
        # of the argument decides the value) is too ill-conditioned for three runs to measure: no statement then
        assume(spread <= 1e-8 * abs(want))
        tol = 16 * spread + 64 * U * exact[2] + 16 * U * abs(want)
    for mode in ("forward", "reverse"):
        try:
            got = dcalc.derivative(text, point, "x") if mode == "forward" else dcalc.gradient(text, point)["x"]
        except MathError:
            continue  # a clear error (exit 1): allowed
        except DcalcError as e:  # anything else (a usage error, an internal one) is not
            raise AssertionError(f"{mode}: {e}") from None
        assert abs(mp.mpf(got) - want) <= tol, (mode, text, point, got, want, tol)
