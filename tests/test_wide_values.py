"""Values whose intermediates underflow (modes/evaluate.py): exp(-740) is a subnormal with 3 digits and exp(-750) is 0
in doubles; a later node that multiplies them back up showed the digits lost (1e-300/exp(-740) was 0.26 % off, x*x/x
at 1e-170 was 0). From the node that underflowed the evaluation runs wide, each value the nearest double of its wide
value, and the derivative passes run wide over those wide values. Expected values are computed here with mpmath at 50
digits, from the doubles dcalc is given (a literal or a point is its nearest double, as everywhere in dcalc).
"""

from __future__ import annotations

import json
import math

import mpmath as mp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import dcalc
from dcalc.app import app

runner = CliRunner()
REL = 2.0 ** -50  # a few ulps


def call(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def close(got: float, want) -> bool:
    want = mp.mpf(want)
    if want == 0:
        return got == 0
    return abs(mp.mpf(got) - want) <= REL * abs(want)


def m(x: float):
    return mp.mpf(x)  # a double, exactly


# (text, x or None, the value in mpmath, its derivative by x in mpmath)
CASES = [
    ("1e-300/exp(-x)", 740.0, lambda x: m(1e-300) / mp.exp(-x), lambda x: m(1e-300) / mp.exp(-x)),
    ("1e-300/exp(-x)", 750.0, lambda x: m(1e-300) / mp.exp(-x), lambda x: m(1e-300) / mp.exp(-x)),
    ("exp(-x)/exp(-740)", 750.0, lambda x: mp.exp(-x) / mp.exp(-740), lambda x: -mp.exp(-x) / mp.exp(-740)),
    ("exp(-x)*exp(-x)*1e300", 400.0, lambda x: mp.exp(-2 * x) * m(1e300), lambda x: -2 * mp.exp(-2 * x) * m(1e300)),
    ("x*x/x", 1e-170, lambda x: x, lambda x: 1),
    ("ln(exp(-x))", 740.0, lambda x: -x, lambda x: -1),
    ("ln(exp(-x))", 760.0, lambda x: -x, lambda x: -1),
    ("x*exp(-745.1)*exp(400)*exp(345)", 3.0, lambda x: x * mp.exp(m(-745.1)) * mp.exp(745),
     lambda x: mp.exp(m(-745.1)) * mp.exp(745)),
    ("sin(exp(-x)*1e300)", 700.5, lambda x: mp.sin(mp.exp(-x) * m(1e300)), lambda x: -mp.cos(mp.exp(-x) * m(1e300))
     * mp.exp(-x) * m(1e300)),
    # a function of a value below the subnormals, which only its wide value holds (sinh a = a there, not 0)
    ("sinh(exp(-x))*1e300", 800.0, lambda x: mp.sinh(mp.exp(-x)) * m(1e300),
     lambda x: -mp.cosh(mp.exp(-x)) * mp.exp(-x) * m(1e300)),
    ("erf(exp(-x))*1e300", 800.0, lambda x: mp.erf(mp.exp(-x)) * m(1e300),
     lambda x: -2 / mp.sqrt(mp.pi) * mp.exp(-mp.exp(-x) ** 2) * mp.exp(-x) * m(1e300)),
    ("atan2(exp(-x), 2)*1e300", 800.0, lambda x: mp.atan2(mp.exp(-x), 2) * m(1e300),
     lambda x: -2 / (4 + mp.exp(-2 * x)) * mp.exp(-x) * m(1e300)),
    ("exp(-745.1)*exp(400)*exp(345)", None, lambda x: mp.exp(m(-745.1)) * mp.exp(745), None),
    ("1e-310*1e10", None, lambda x: m(1e-310) * m(1e10), None),
    ("sqrt(1e-320)*1e10", None, lambda x: mp.sqrt(m(1e-320)) * m(1e10), None),
    ("exp(-x)*1e-10", 740.0, lambda x: 0, lambda x: 0),  # below the smallest subnormal: 0, right to rounding
]


@pytest.mark.parametrize(("text", "x", "f", "df"), CASES)
def test_values_and_derivatives(text, x, f, df):
    with mp.workdps(50):
        args = ["eval", text] + ([] if x is None else ["--at", f"x={x!r}"])
        code, out, err = call(*args)
        assert code == 0, err
        if x is None:
            assert close(float(out), f(None)), out
            return
        assert close(float(out), f(m(x))), (out, f(m(x)))
        assert close(dcalc.evaluate(text, {"x": x}), f(m(x)))
        want = df(m(x))
        assert close(dcalc.derivative(text, {"x": x}, "x"), want)  # forward
        assert close(dcalc.gradient(text, {"x": x})["x"], want)  # reverse
        code, out, err = call("grad", text, "--at", f"x={x!r}")
        assert code == 0, err
        assert close(float(out), want), (out, want)


def test_before_the_fix_these_were_wrong():
    """The doubles alone give these; the answers differ (the tests above would pass on a silent wrong number
    otherwise)."""
    assert 1e-300 / math.exp(-740.0) != float(m(1e-300) / mp.exp(-740))
    assert 1e-170 * 1e-170 / 1e-170 == 0


def test_order_two_and_hessian():
    with mp.workdps(50):
        want = m(1e-300) / mp.exp(-740)
        code, out, err = call("grad", "1e-300/exp(-x)*y", "--at", "x=740,y=2", "--hessian", "--json")
        assert code == 0, err
        text = json.dumps(json.loads(out))
        assert "4.774705656769163e+21" in text and "2.387352828384581e+21" in text, text
        code, out, err = call("grad", "1e-300/exp(-x)", "--at", "740", "--order", "2")
        assert code == 0, err
        assert close(float(out.split("=")[-1]), want), out


def test_points_values_and_gradient():
    r = runner.invoke(app, ["grad", "1e-300/exp(-x)*y", "--points", "-", "--json"], input="x,y\n740,1\n1,2\n750,3\n")
    assert r.exit_code == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    assert len(rows) == 3
    with mp.workdps(50):
        for row, (x, y) in zip(rows, [(740.0, 1.0), (1.0, 2.0), (750.0, 3.0)]):
            v = m(1e-300) / mp.exp(-m(x)) * y
            assert row["status"] == "ok" and close(row["value"], v), row
            assert close(row["gradient"]["x"], v) and close(row["gradient"]["y"], v / y), row
    r = runner.invoke(app, ["eval", "x*x/x", "--points", "-"], input="x\n1e-170\n2\n")
    assert r.exit_code == 0, r.stderr
    assert [float(v) for v in r.stdout.split()] == [1e-170, 2.0]


def test_overflow_and_domain_stay_errors():
    # 1/exp(-750) is beyond the doubles, times 1e-300 it is a double again (issue 11: an intermediate may leave them)
    code, out, err = call("eval", "1/exp(-x)*1e-300", "--at", "750")
    assert code == 0 and float(out) == 5.258494541454805e+25, err  # mpmath: 5.25849454145480429858e25
    code, out, err = call("eval", "1/exp(-x)*1e-10", "--at", "750")  # a result beyond them stays an overflow
    assert code == 1 and err == "error: overflow in u3 = 1/u2: the value is too large for a double\n", err
    code, out, err = call("eval", "sqrt(exp(-x)*exp(-x) - 1)", "--at", "400")
    assert code == 1 and err.startswith("error: sqrt is undefined in"), err
    r = runner.invoke(app, ["eval", "1/exp(-x)*1e-10", "--points", "-", "--format", "csv"], input="x\n750\n1\n")
    assert r.exit_code == 1
    assert r.stdout.splitlines()[1:] == ["750,,overflow in u3 = 1/u2: the value is too large for a double",
                                         "1,2.718281828459045e-10,ok"], r.stdout


def near(got: float, want, ulps: int) -> bool:
    """got is want to `ulps` rounding errors, or, where want is below the normal doubles, its nearest double (or one
    next to it: mpmath's conversion may round twice there)."""
    if abs(want) < m(2.0 ** -1022):
        return abs(got - float(want)) <= 2.0 ** -1074
    return abs(m(got) - want) <= ulps * m(2.0 ** -53) * abs(want)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["*", "/"]), st.floats(300, 709), st.floats(0.5, 2.0)),
                min_size=2, max_size=6))
def test_chains_of_exponentials(chain):
    """Products and quotients of exp(±a)·c, the sign of each chosen to drive the running value below the normal
    doubles (down while its logarithm is above -720, then up: the doubles alone lose digits or all): the value and its derivative by x (the first factor)
    against mpmath, to a rounding error per operation; a final value below the subnormals is 0."""
    text, want, log = "x", mp.mpf(1), 0.0
    with mp.workdps(50):
        for op, a, c in chain:
            down = log > -720
            sign = -1 if down == (op == "*") else 1  # the sign of a in exp(±a) for this step to go down (or up)
            text = f"({text}){op}(exp({'-' if sign < 0 else ''}{a!r})*{c!r})"
            f = mp.exp(sign * m(a)) * m(c)
            want = want * f if op == "*" else want / f
            log = float(mp.log(abs(want)))
        ulps = 4 * len(chain) + 2
        code, out, err = call("eval", text, "--at", "x=1")
        assert code == 0, (text, err)
        assert near(float(out), want, ulps), (text, out, want)
        assert near(dcalc.derivative(text, {"x": 1.0}, "x"), want, ulps), text
        assert near(dcalc.gradient(text, {"x": 1.0})["x"], want, ulps), text


@pytest.mark.parametrize("text, exact, a, b", [
    ("x*exp(-800)*exp(700)", "exp(-800)*exp(700)", -800, 700),
    ("x*exp(-745.1)*exp(40)", "exp(-745.1)*exp(40)", "-745.1", 40),
])
def test_diff_does_not_fold_a_constant_that_underflowed(text, exact, a, b):
    """The simplifier folded exp(-800) to 0 and exp(-745.1) to the subnormal 5e-324: diff printed 0 (truly 3.7e-44)
    and 5e-324exp(40) (10 % off). An underflowed constant stays a call; the formula read back is right to rounding."""
    r = CliRunner().invoke(app, ["diff", text])
    assert (r.exit_code, r.stdout) == (0, exact + "\n")
    with mp.workdps(50):
        want = mp.exp(mp.mpf(a)) * mp.exp(mp.mpf(b))
    assert dcalc.evaluate(r.stdout.strip(), {}) == pytest.approx(float(want), rel=4e-16)
