"""The table's wide forms (ops.WIDE, run by core/wide.py) and its partial rules over wide numbers, against mpmath at
50 digits (issue 11): every function's value and derivative at arguments below the doubles (0.7^3000, drawn by
hypothesis down to 2^-5000, as a wide value can be: an underflowed node or a formula's intermediate), at ±1e±150 and
in the tails where a double underflows (erfc(30)). The references are mpmath's own functions and the textbook
derivatives written here, not dcalc's rules. Where mpmath says the function is not real there, the wide form is NaN.
"""

from __future__ import annotations

from decimal import Decimal

import mpmath as mp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dcalc.core import wide
from dcalc.core.ops import OPS
from dcalc.core.partials import wide_rules
from dcalc_proc import call

mp.mp.dps = 50


def _sigmoid(a):
    return 1 / (1 + mp.exp(-a))


def _real_cbrt(a):
    return mp.sign(a) * mp.cbrt(abs(a))


def _round(a):
    return mp.sign(a) * mp.floor(abs(a) + mp.mpf(0.5))


# value, derivative (None: the derivative is 0 wherever it exists)
ORACLE = {
    "sin": (mp.sin, mp.cos), "cos": (mp.cos, lambda a: -mp.sin(a)), "tan": (mp.tan, lambda a: mp.sec(a) ** 2),
    "sec": (mp.sec, lambda a: mp.sec(a) * mp.tan(a)), "csc": (mp.csc, lambda a: -mp.csc(a) * mp.cot(a)),
    "cot": (mp.cot, lambda a: -mp.csc(a) ** 2),
    "asin": (mp.asin, lambda a: 1 / mp.sqrt(1 - a * a)), "acos": (mp.acos, lambda a: -1 / mp.sqrt(1 - a * a)),
    "atan": (mp.atan, lambda a: 1 / (1 + a * a)),
    "sinh": (mp.sinh, mp.cosh), "cosh": (mp.cosh, mp.sinh), "tanh": (mp.tanh, lambda a: mp.sech(a) ** 2),
    "sech": (mp.sech, lambda a: -mp.sech(a) * mp.tanh(a)),
    "asinh": (mp.asinh, lambda a: 1 / mp.sqrt(1 + a * a)), "acosh": (mp.acosh, lambda a: 1 / mp.sqrt(a * a - 1)),
    "atanh": (mp.atanh, lambda a: 1 / (1 - a * a)),
    "exp": (mp.exp, mp.exp), "ln": (mp.ln, lambda a: 1 / a), "log10": (mp.log10, lambda a: 1 / (a * mp.ln(10))),
    "log2": (lambda a: mp.log(a, 2), lambda a: 1 / (a * mp.ln(2))),
    "erf": (mp.erf, lambda a: 2 / mp.sqrt(mp.pi) * mp.exp(-a * a)),
    "erfc": (mp.erfc, lambda a: -2 / mp.sqrt(mp.pi) * mp.exp(-a * a)),
    "sqrt": (mp.sqrt, lambda a: 1 / (2 * mp.sqrt(a))), "cbrt": (_real_cbrt, lambda a: 1 / (3 * _real_cbrt(a) ** 2)),
    "abs": (abs, mp.sign),
    "sigmoid": (_sigmoid, lambda a: _sigmoid(a) * _sigmoid(-a)), "softplus": (lambda a: mp.log1p(mp.exp(a)), _sigmoid),
    "relu": (lambda a: a if a > 0 else mp.mpf(0), lambda a: mp.mpf(1 if a > 0 else 0)),
    "sign": (mp.sign, None), "csch": (mp.csch, lambda a: -mp.csch(a) * mp.coth(a)),
    "coth": (mp.coth, lambda a: -mp.csch(a) ** 2),
    "gelu": (lambda a: a / 2 * mp.erfc(-a / mp.sqrt(2)),
             lambda a: mp.erfc(-a / mp.sqrt(2)) / 2 + a * mp.exp(-a * a / 2) / mp.sqrt(2 * mp.pi)),
    "floor": (mp.floor, None), "ceil": (mp.ceil, None), "round": (_round, None),
}
UNARY = sorted(name for name, op in OPS.items() if op.arity == 1 and op.symbol is None)
VALUE_REL, RULE_REL = 2.0 ** -50, 2.0 ** -46  # a few roundings to doubles (the bounded functions' double rules)
RANGE = 10 ** 17  # decimal exponents wide numbers hold (±10^18): beyond, ±inf or 0 is right


def test_every_function_has_an_oracle_here():
    assert set(UNARY) == set(ORACLE)


def _real(f, a):
    try:
        v = f(a)
    except (ValueError, ZeroDivisionError):
        return None
    return v if isinstance(v, mp.mpf) and mp.isfinite(v) else None


def _agrees(got: Decimal, want, rel: float) -> bool:
    if want is None:
        return got.is_nan()
    if want == 0:
        return got == 0
    if abs(mp.log10(abs(want))) > RANGE:  # out of the wide range: inf or 0 by its side
        return got == 0 if abs(want) < 1 else got.is_infinite()
    return got.is_finite() and abs(mp.mpf(str(got)) - want) <= rel * abs(want)


def _check(name: str, a: Decimal) -> None:
    value, slope = ORACLE[name]
    x = mp.mpf(str(a))
    with wide.localcontext(wide.CONTEXT):
        got = wide.value(OPS[name])(a)
        want = _real(value, x)
        assert _agrees(got, want, VALUE_REL), (name, a, got, want)
        if want is None or not mp.isfinite(want):
            return
        partial = wide_rules(name)[0]([a])
    # the derivative: where it exists (a jump's 0/0 is nan, the passes then take the one-sided forms)
    if slope is None:
        assert partial == 0 or partial.is_nan(), (name, a, partial)
        return
    d = _real(slope, x)
    if d is not None:
        assert _agrees(partial, d, RULE_REL), (name, a, partial, d)


@given(name=st.sampled_from(UNARY), mantissa=st.floats(0.5, 1.0, exclude_max=True),
       exponent=st.integers(-5000, -1075), negative=st.booleans())
def test_below_the_doubles(name, mantissa, exponent, negative):
    with wide.localcontext(wide.CONTEXT):
        a = Decimal(mantissa) * Decimal(2) ** exponent
    _check(name, -a if negative else a)


@pytest.mark.parametrize("name", UNARY)
def test_at_0_7_to_the_3000(name):
    with wide.localcontext(wide.CONTEXT):
        a = Decimal(0.7) ** 3000
    _check(name, a)
    _check(name, -a)


@pytest.mark.parametrize("a", [1e150, -1e150, 1e-150, -1e-150, 30.0, -40.0, 800.0, -800.0])
@pytest.mark.parametrize("name", UNARY)
def test_at_the_edges_of_the_doubles(name, a):
    _check(name, Decimal(a))


# ---- through the commands: a program whose intermediate leaves the doubles ----------------------------------------

_T = mp.mpf(0.7) ** 3000  # the double 0.7 to the 3000th, wide: below the doubles
_D = mp.mpf(0.7 ** 1000) ** 3  # 0.7^1000 is a double (rounded): dcalc divides by it three times

@pytest.mark.parametrize("expr, value, slope", [
    # erfc(30) = 2.6e-393 is 0 in doubles: the wide form's tail (was: value 0)
    ("erfc(x)*1e300*1e100", lambda x: mp.erfc(x) * mp.mpf("1e400"),
     lambda x: -2 / mp.sqrt(mp.pi) * mp.exp(-x * x) * mp.mpf("1e400")),
    # gelu(-42) = -1.2e-384: the left tail of gelu through the same erfc (was: -0 or a subnormal)
    ("gelu(-x - 12)*1e300*1e100", lambda x: (-x - 12) / 2 * mp.erfc((x + 12) / mp.sqrt(2)) * mp.mpf("1e400"), None),
    # erf(0.7^3000·x) = 2.3e-463 by erf's form near 0 (the double rule sees erf(0) = 0)
    ("erf(0.7^3000*x)/0.7^1000/0.7^1000/0.7^1000", lambda x: mp.erf(_T * x) / _D,
     lambda x: 2 / mp.sqrt(mp.pi) * mp.exp(-(_T * x) ** 2) * _T / _D),
    ("sigmoid(-30*x)*1e300*1e100", lambda x: _sigmoid(-30 * x) * mp.mpf("1e400"),
     lambda x: -30 * _sigmoid(-30 * x) * _sigmoid(30 * x) * mp.mpf("1e400")),
])
def test_programs_that_leave_the_doubles(expr, value, slope):
    import json
    x = mp.mpf(30)
    code, out, err = call(["grad", expr, "--at", "x=30", "--json"])
    assert code == 0, err
    got = json.loads(out)
    assert abs(got["value"] - value(x)) <= 2.0 ** -48 * abs(value(x)), (got, value(x))
    if slope is not None:
        assert abs(got["gradient"]["x"] - slope(x)) <= 2.0 ** -46 * abs(slope(x)), (got, slope(x))


# ---- the functions of two arguments: value and both partials, by mpmath --------------------------------------------

def _lse(a, b):
    return max(a, b) + mp.log1p(mp.exp(-abs(a - b)))  # log1p: 1 + e^-128 is 1 at 50 digits


BINARY = {  # value, ∂/∂a, ∂/∂b
    "atan2": (mp.atan2, lambda a, b: b / (a * a + b * b), lambda a, b: -a / (a * a + b * b)),
    "hypot": (lambda a, b: mp.sqrt(a * a + b * b), lambda a, b: a / mp.sqrt(a * a + b * b),
              lambda a, b: b / mp.sqrt(a * a + b * b)),
    "logsumexp": (_lse, lambda a, b: _sigmoid(a - b), lambda a, b: _sigmoid(b - a)),
    "max": (max, lambda a, b: mp.mpf(a > b), lambda a, b: mp.mpf(b > a)),
    "min": (min, lambda a, b: mp.mpf(a < b), lambda a, b: mp.mpf(b < a)),
    "log": (lambda a, b: mp.log(a) / mp.log(b), lambda a, b: 1 / (a * mp.log(b)),
            lambda a, b: -mp.log(a) / (b * mp.log(b) ** 2)),
}


@given(name=st.sampled_from(sorted(BINARY)), e1=st.integers(-3000, -1075), e2=st.integers(-3000, 300),
       m1=st.floats(0.5, 1.0, exclude_max=True), m2=st.floats(0.5, 1.0, exclude_max=True),
       s1=st.booleans(), s2=st.booleans(), swap=st.booleans())
def test_two_arguments_below_the_doubles(name, e1, e2, m1, m2, s1, s2, swap):
    with wide.localcontext(wide.CONTEXT):
        a = Decimal(m1) * Decimal(2) ** e1 * (-1 if s1 else 1)
        b = Decimal(m2) * Decimal(2) ** e2 * (-1 if s2 else 1)
    if swap:
        a, b = b, a
    value, *partials = BINARY[name]
    x, y = mp.mpf(str(a)), mp.mpf(str(b))
    with wide.localcontext(wide.CONTEXT):
        got = wide.value(OPS[name])(a, b)
        want = _real(lambda u: value(u, y), x)
        assert _agrees(got, want, VALUE_REL), (name, a, b, got, want)
        if want is None or a == b:  # max and min at a tie: one-sided (kinks.py)
            return
        for k, slope in enumerate(partials):
            p = wide_rules(name)[k]([a, b])
            assert _agrees(p, _real(lambda u: slope(u, y), x), RULE_REL), (name, k, a, b, p)
