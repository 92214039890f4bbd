"""Every op of the primitive table against mpmath (50 digits) and against Python's math, at points of its sample domain.

The cases are generated from dcalc.ops.OPS: an op without an oracle here fails the suite, so a new function cannot
escape its value test.
"""

from __future__ import annotations

import math

import mpmath
import pytest

import dcalc
from dcalc.core.ops import OPS
from dcalc.core.printing import to_text
from dcalc.language.expr import Apply, Var

mpmath.mp.dps = 50

MPMATH = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "neg": lambda a: -a,
    "pow": mpmath.power,
    "sin": mpmath.sin, "cos": mpmath.cos, "tan": mpmath.tan,
    "sec": mpmath.sec, "csc": mpmath.csc, "cot": mpmath.cot,
    "asin": mpmath.asin, "acos": mpmath.acos, "atan": mpmath.atan,
    "atan2": mpmath.atan2,
    "sinh": mpmath.sinh, "cosh": mpmath.cosh, "tanh": mpmath.tanh, "sech": mpmath.sech,
    "erf": mpmath.erf, "erfc": mpmath.erfc,
    "asinh": mpmath.asinh, "acosh": mpmath.acosh, "atanh": mpmath.atanh,
    "exp": mpmath.exp, "ln": mpmath.ln,
    "log": lambda a, b: mpmath.log(a, b),
    "log10": mpmath.log10, "log2": lambda a: mpmath.log(a, 2),
    "sqrt": mpmath.sqrt, "cbrt": mpmath.cbrt,
    "abs": mpmath.fabs,
    "hypot": mpmath.hypot,
    "sigmoid": lambda a: 1 / (1 + mpmath.exp(-a)), "softplus": lambda a: mpmath.log1p(mpmath.exp(a)),
    "relu": lambda a: max(a, 0), "sign": mpmath.sign, "max": max, "min": min,
    "logsumexp": lambda a, b: mpmath.log(mpmath.exp(a) + mpmath.exp(b)),
    "csch": mpmath.csch, "coth": mpmath.coth, "gelu": lambda a: a / 2 * mpmath.erfc(-a / mpmath.sqrt(2)),
    "floor": mpmath.floor, "ceil": mpmath.ceil, "round": lambda a: mpmath.sign(a) * mpmath.floor(abs(a) + 0.5),
}

MATH = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "neg": lambda a: -a,
    "pow": math.pow,
    "sin": math.sin, "cos": math.cos, "tan": math.tan,
    "sec": lambda a: 1 / math.cos(a), "csc": lambda a: 1 / math.sin(a), "cot": lambda a: 1 / math.tan(a),
    "asin": math.asin, "acos": math.acos, "atan": math.atan,
    "atan2": math.atan2,
    "sinh": math.sinh, "cosh": math.cosh, "tanh": math.tanh, "sech": lambda a: 1 / math.cosh(a),
    "erf": math.erf, "erfc": math.erfc,
    "asinh": math.asinh, "acosh": math.acosh, "atanh": math.atanh,
    "exp": math.exp, "ln": math.log,
    "log": math.log,
    "log10": math.log10, "log2": math.log2,
    "sqrt": math.sqrt, "cbrt": lambda a: math.copysign(abs(a) ** (1 / 3), a),
    "abs": abs,
    "hypot": math.hypot,
    "sigmoid": lambda a: 1 / (1 + math.exp(-a)), "softplus": lambda a: math.log(1 + math.exp(a)),
    "relu": lambda a: max(a, 0.0), "sign": lambda a: math.copysign(1.0, a) if a else 0.0, "max": max, "min": min,
    "logsumexp": lambda a, b: math.log(math.exp(a) + math.exp(b)),
    "csch": lambda a: 1 / math.sinh(a), "coth": lambda a: 1 / math.tanh(a),
    "gelu": lambda a: a / 2 * (1 + math.erf(a / math.sqrt(2))),
    "floor": math.floor, "ceil": math.ceil, "round": lambda a: math.copysign(math.floor(abs(a) + 0.5), a),
}

# Where in each sample interval the points lie: both ends and three inside (distinct per argument, so that
# a - b and a / b do not always meet the trivial a = b).
FRACTIONS = [(0.0, 1.0), (0.1, 0.7), (0.5, 0.25), (0.73, 0.5), (1.0, 0.0)]
ARGS = ("a", "b")


def points(op):
    for fa, fb in FRACTIONS:
        fs = (fa, fb)[: op.arity]
        yield tuple(lo + f * (hi - lo) for f, (lo, hi) in zip(fs, op.sample))


CASES = [(name, p) for name, op in sorted(OPS.items()) for p in points(op)]
IDS = [f"{name}{p}" for name, p in CASES]


def dcalc_value(name, args):
    """The value through the whole pipeline: text with the op's own notation → parse → graph → evaluate."""
    op = OPS[name]
    text = to_text(Apply(name, tuple(Var(v) for v in ARGS[: op.arity])))
    return dcalc.evaluate(text, dict(zip(ARGS, args)))


def test_every_op_has_an_oracle():
    assert set(OPS) == set(MPMATH) == set(MATH)


def test_every_op_has_a_sample_interval_per_argument():
    for op in OPS.values():
        assert len(op.sample) == op.arity, op.name


@pytest.mark.parametrize("name, args", CASES, ids=IDS)
def test_value_against_mpmath(name, args):
    exact = MPMATH[name](*map(mpmath.mpf, args))
    got = dcalc_value(name, args)
    # a few rounding errors at most (sec = 1/cos rounds twice); absolute slack only where the value is ~0
    assert got == pytest.approx(float(exact), rel=4e-15, abs=1e-15)


@pytest.mark.parametrize("name, args", CASES, ids=IDS)
def test_value_against_math(name, args):
    assert dcalc_value(name, args) == pytest.approx(MATH[name](*args), rel=4e-15, abs=1e-15)


@pytest.mark.parametrize("name, args", CASES, ids=IDS)
def test_table_value_rule_is_the_evaluated_value(name, args):
    assert OPS[name].value(*args) == dcalc_value(name, args)


@pytest.mark.parametrize("name, args", CASES, ids=IDS)
def test_sample_points_are_inside_the_domain(name, args):
    op = OPS[name]
    assert op.defined is None or op.defined(*args)


# Special points, exact.
SPECIAL = [
    ("sin(0)", 0.0), ("cos(0)", 1.0), ("tan(0)", 0.0), ("sec(0)", 1.0),
    ("asin(1)", math.pi / 2), ("acos(-1)", math.pi), ("atan(1)", math.pi / 4),
    ("atan2(1, 1)", math.pi / 4), ("atan2(1, -1)", 3 * math.pi / 4), ("atan2(0, -1)", math.pi),
    ("sinh(0)", 0.0), ("cosh(0)", 1.0), ("tanh(0)", 0.0), ("asinh(0)", 0.0), ("acosh(1)", 0.0), ("atanh(0)", 0.0),
    ("exp(0)", 1.0), ("exp(1)", math.e), ("ln(1)", 0.0), ("ln(e)", 1.0), ("log(1)", 0.0),
    ("log(8, 2)", 3.0), ("log(1000, 10)", 3.0), ("log10(1000)", 3.0), ("log2(1024)", 10.0),
    ("sqrt(16)", 4.0), ("sqrt(0)", 0.0), ("cbrt(27)", 3.0), ("cbrt(-27)", -3.0), ("cbrt(0)", 0.0),
    ("abs(-3)", 3.0), ("abs(3)", 3.0), ("abs(0)", 0.0),
    ("hypot(3, 4)", 5.0), ("hypot(1e200, 1e200)", math.sqrt(2) * 1e200),
    ("pow(2, 0.5)", math.sqrt(2)), ("(-8)^3", -512.0), ("0^0", 1.0), ("0^2", 0.0), ("4^-0.5", 0.5),
    ("tan(pi/2)", math.tan(math.pi / 2)),  # IEEE: large but finite, so a value, not an error
]


@pytest.mark.parametrize("text, value", SPECIAL, ids=[s[0] for s in SPECIAL])
def test_special_values(text, value):
    assert dcalc.evaluate(text) == pytest.approx(value, rel=1e-15, abs=0)


def test_abs_at_zero_has_a_value():
    assert dcalc.evaluate("abs(x)", {"x": 0}) == 0.0


def test_x_squared_at_minus_one_never_touches_ln():
    assert dcalc.evaluate("x^2", {"x": -1}) == 1.0
    assert dcalc.derivative("x^2", {"x": -1}) == -2.0


def test_negative_zero_is_kept():
    assert math.copysign(1.0, dcalc.evaluate("-x", {"x": 0.0})) == -1.0


# `dcalc eval`: points, output forms.
EVAL = [
    (["2x^2 + sin(pi/2)", "--at", "3"], "19\n"),
    (["sin(x)", "--at", "x=pi/4"], "0.7071067811865475\n"),
    (["sin(x)", "--at", "x=π/4"], "0.7071067811865475\n"),
    (["x", "--at", "atan2(1, 2)"], "0.4636476090008061\n"),
    (["x + y", "--at", "x=atan2(1, 2),y=1"], "1.4636476090008061\n"),
    (["x + y", "--at", " y = 1 , x = 2 "], "3\n"),
    (["x^2", "--at", "1", "--at", "-2", "--at", "x=3"], "1\n4\n9\n"),
    (["x*y + 1", "--at", "x=2,y=3", "--at", "x=1,y=1", "--json"],
     '{"at": {"x": 2.0, "y": 3.0}, "value": 7.0}\n{"at": {"x": 1.0, "y": 1.0}, "value": 2.0}\n'),
    (["1/3"], "0.3333333333333333\n"),
    (["1/3", "--json"], '{"at": {}, "value": 0.3333333333333333}\n'),
    (["1/3", "--digits", "5"], "0.33333\n"),
    (["2/3", "--digits", "1"], "0.7\n"),
    (["0.1 + 0.2"], "0.30000000000000004\n"),
    (["1e22"], "1e+22\n"),
    (["2^53 + 1"], "9007199254740992\n"),
    (["--at", "0", "--", "-x"], "-0\n"),
    (["abs(x)", "--at", "0"], "0\n"),
    (["x = 2"], "2\n"),
    (["a = x^2; f(t) = t + 1\nf(a)", "--at", "3"], "10\n"),
    (["--at", "3", "--", "-x^2"], "-9\n"),
]


@pytest.mark.parametrize("argv, out", EVAL, ids=[" ".join(a) for a, _ in EVAL])
def test_eval_command(capsys, argv, out):
    from dcalc.app import main
    assert main(["eval", *argv]) == 0
    assert capsys.readouterr() == (out, "")


def test_eval_reads_standard_input(capsys, monkeypatch):
    import io

    from dcalc.app import main
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO("\ufeffa = x^2\r\na + 1\r\n".encode())))
    assert main(["eval", "-", "--at", "3"]) == 0
    assert capsys.readouterr() == ("10\n", "")
