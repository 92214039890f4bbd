"""Every primitive's partial rules against SymPy's derivative, at points inside the op's sample domain.

The cases are generated from ops.OPS itself: a new entry in the table is tested here at once, and fails loudly until
SYMPY below says what the function means.
"""

from __future__ import annotations

import pytest
import sympy as sp

from dcalc.core.ops import OPS
from dcalc.core.partials import numeric_rules

a, b = sp.symbols("a b", real=True)

# The meaning of each primitive in SymPy's terms, over the arguments a, b.
SYMPY = {
    "add": a + b, "sub": a - b, "mul": a * b, "div": a / b, "neg": -a, "pow": a ** b,
    "sin": sp.sin(a), "cos": sp.cos(a), "tan": sp.tan(a), "sec": sp.sec(a), "csc": sp.csc(a), "cot": sp.cot(a),
    "asin": sp.asin(a), "acos": sp.acos(a), "atan": sp.atan(a), "atan2": sp.atan2(a, b),
    "sinh": sp.sinh(a), "cosh": sp.cosh(a), "tanh": sp.tanh(a), "sech": sp.sech(a),
    "erf": sp.erf(a), "erfc": sp.erfc(a),
    "asinh": sp.asinh(a), "acosh": sp.acosh(a), "atanh": sp.atanh(a),
    "exp": sp.exp(a), "ln": sp.log(a), "log": sp.log(a, b), "log10": sp.log(a, 10), "log2": sp.log(a, 2),
    "sqrt": sp.sqrt(a), "cbrt": sp.cbrt(a), "abs": sp.Abs(a), "hypot": sp.sqrt(a ** 2 + b ** 2),
    "sigmoid": 1 / (1 + sp.exp(-a)), "softplus": sp.log(1 + sp.exp(a)), "relu": sp.Max(a, 0), "sign": sp.sign(a),
    "max": sp.Max(a, b), "min": sp.Min(a, b), "logsumexp": sp.log(sp.exp(a) + sp.exp(b)),
    "csch": sp.csch(a), "coth": sp.coth(a), "gelu": a / 2 * (1 + sp.erf(a / sp.sqrt(2))),
    # the steps on their sample intervals (0.1..0.9, 0.1..0.9, 0.6..1.4), where they are constants: SymPy's floor and
    # ceiling have no derivative of their own (an unevaluated Derivative)
    "floor": 0 * a, "ceil": 1 + 0 * a, "round": 1 + 0 * a,
}

FRACTIONS = (0.1, 0.37, 0.5, 0.81, 0.95)  # where in each sample interval the points lie


def _points(op):
    """Several points inside the op's sample domain: the k-th point takes FRACTIONS[k] (rotated per argument)."""
    out = []
    for k, _ in enumerate(FRACTIONS):
        point = []
        for j, (lo, hi) in enumerate(op.sample):
            f = FRACTIONS[(k + 2 * j) % len(FRACTIONS)]
            point.append(lo + f * (hi - lo))
        out.append(tuple(point))
    return out


CASES = [pytest.param(name, k, point, id=f"{name}-d{'ab'[k]}-{i}")
         for name, op in OPS.items() for k in range(op.arity) for i, point in enumerate(_points(op))]


def test_every_op_has_a_sympy_meaning():
    assert sorted(OPS) == sorted(SYMPY), "add the new primitive's SymPy meaning to SYMPY"


def test_every_op_has_a_sample_per_argument():
    for name, op in OPS.items():
        assert len(op.sample) == op.arity, name
        assert len(op.partials) == op.arity, name


@pytest.mark.parametrize("name, k, point", CASES)
def test_partial_matches_sympy(name, k, point):
    expected = SYMPY[name].diff((a, b)[k]).subs(dict(zip((a, b), point)))
    expected = float(sp.N(expected, 30))
    got = numeric_rules(name)[k](list(point))
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-13)


@pytest.mark.parametrize("name, k, point", [c for c in CASES if c.values[1] == 0])
def test_value_matches_sympy(name, k, point):
    expected = float(sp.N(SYMPY[name].subs(dict(zip((a, b), point))), 30))
    assert OPS[name].value(*point) == pytest.approx(expected, rel=1e-13, abs=1e-14)


@pytest.mark.parametrize("name", sorted(OPS))
def test_rule_printed_as_dcalc_text_reads_back_to_the_same_number(name):
    """The trace shows rules as dcalc text (partial_rules in JSON): that text, evaluated, gives the partial."""
    import dcalc
    from dcalc.core.printing import to_text
    from dcalc.language.expr import Var, wrap
    op = OPS[name]
    for point in _points(op):
        at = dict(zip("ab", point))
        for k in range(op.arity):
            text = to_text(wrap(op.rule(k, *[Var(p) for p in "ab"[: op.arity]])))
            assert dcalc.evaluate(text, at) == pytest.approx(numeric_rules(name)[k](list(point)), rel=1e-14)


@pytest.mark.parametrize("name", sorted(OPS))
def test_partials_agree_with_central_differences(name):
    """A second, independent oracle: the op's own value rule, differenced."""
    op = OPS[name]
    for point in _points(op):
        for k in range(op.arity):
            h = 1e-6 * max(1.0, abs(point[k]))
            up, down = list(point), list(point)
            up[k] += h
            down[k] -= h
            fd = (op.value(*up) - op.value(*down)) / (2 * h)
            assert numeric_rules(name)[k](list(point)) == pytest.approx(fd, rel=1e-6, abs=1e-6)
