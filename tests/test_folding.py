"""The one constant-folding policy (core/graph.fold), which the graph and the simplifier both call.

A constant operation is folded to its double unless that double is not finite (the error is evaluation's) or lost its
digits to underflow (it stays an operation, evaluated wide with the rest). The simplifier asks as well that the number
print in 12 significant digits before it writes it in place of the formula (2*3 is 6; pi/2 and 1/3 stay). References:
the math module and exact decimals, never dcalc's own values.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import dcalc
from dcalc.app import app
from dcalc.core.graph import fold, fold_rational
from dcalc.core.ops import OPS
from dcalc.core.printing import to_text
from dcalc.errors import MathError
from dcalc.language.expr import Apply, Const, Num
from dcalc.modes.evaluate import value_of
from dcalc.symbolic.simplify import Simplifier


@pytest.mark.parametrize("op, args, value, exact", [
    ("mul", (2.0, 3.0), 6.0, 6.0),
    ("div", (1.0, 3.0), 1 / 3, None),  # folded for a value; the formula 1/3 stays as written
    ("div", (math.pi, 2.0), math.pi / 2, None),
    ("ln", (math.e,), 1.0, 1.0),
    ("sin", (math.pi,), math.sin(math.pi), None),  # 1.2e-16 in doubles, not 0: stays sin(pi)
    ("sqrt", (2.0,), math.sqrt(2.0), None),
    ("add", (0.1, 0.2), 0.1 + 0.2, None),  # 0.30000000000000004 does not print in 12 digits
    ("exp", (-745.1,), None, None),  # 5e-324 with no digit left: underflowed, stays an operation
    ("exp", (-800.0,), None, None),  # 0 from a nonzero argument: underflowed
    ("mul", (1e-200, 1e-200), None, None),
    ("sub", (1e-308, 1e-308), 0.0, 0.0),  # a cancellation is exact: folded
    ("ln", (0.0,), None, None),  # -inf: not a double
    ("div", (1.0, 0.0), None, None),
    ("exp", (1000.0,), None, None),  # overflow
    ("neg", (0.0,), -0.0, -0.0),
])
def test_the_policy(op, args, value, exact):
    got, short = fold(OPS[op], list(args)), fold(OPS[op], list(args), exact=True)
    assert got == value and (value is None or math.copysign(1, got) == math.copysign(1, value))
    assert short == exact and (exact is None or math.copysign(1, short) == math.copysign(1, exact))


_OPS = ["add", "sub", "mul", "div", "pow", "exp", "ln", "sin", "cos", "sqrt", "atan", "tanh"]
_NUMBERS = st.sampled_from([0.0, -0.0, 0.5, 1.0, 2.0, 3.0, -2.0, 10.0, 1e-200, 1e200, -745.5, 800.0, math.pi])


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_OPS), _NUMBERS, _NUMBERS)
def test_the_graph_and_the_simplifier_fold_alike(name, a, b):
    """One policy: where the graph refuses a constant operation (not a double) or keeps it as an operation (its value
    underflowed), the simplifier writes no number for it either; where the graph folds it, the simplified formula has
    the same value (as a number, or as the formula that stays, evaluated)."""
    op = OPS[name]
    args = [a, b][:op.arity]
    expr = Apply(name, tuple(Num(v) for v in args))
    simplified = Simplifier().simplify(expr)
    try:
        graph = dcalc.compile(to_text(expr))
    except MathError:
        assert fold(op, args) is None and not isinstance(simplified, Num)
        return
    node = graph.nodes[graph.output]
    if fold(op, args) is None:  # underflowed: the graph evaluates it (wide), the formula keeps it
        assert node.kind == "node" and not isinstance(simplified, Num), to_text(simplified)
        return
    assert node.kind == "const" and node.value == op.value(*args)
    got = simplified.value if isinstance(simplified, Num) else value_of(simplified, {})
    assert got == node.value or name == "pow" and math.isclose(got, node.value, rel_tol=4e-16), to_text(simplified)


def test_a_product_of_numbers_that_underflows_is_no_zero():
    """The simplifier multiplies numbers as exact fractions; their double follows the policy too: 1e-200*1e-200 is
    not 0 (diff printed the derivative of x*1e-200*1e-200*1e300 as 0, for 1e-100), and a number whose fraction is a
    subnormal double exactly (1e-320 as written) is that number."""
    runner = CliRunner()
    for text, want in [("x*1e-200*1e-200*1e300", "1e-100"), ("x*(1e-200/1e300)*1e300", "1e-200"),
                       ("x*1e-170^2*1e300", "1e-40"), ("x*1e-320", "1e-320")]:
        r = runner.invoke(app, ["diff", text, "--at", "1"])
        assert (r.exit_code, r.stdout) == (0, f"{want}\nat x = 1: {want}\n"), (text, r.output)
    s = Simplifier()
    tiny = s.simplify(Apply("mul", (Num(1e-200), Num(1e-200))))
    assert not isinstance(tiny, Num) and to_text(tiny) == "1e-200*1e-200"
    with pytest.raises(ValueError):
        fold_rational(Fraction(1e-200) * Fraction(1e-200))
    assert fold_rational(Fraction(1e-320)) == 1e-320 and fold_rational(Fraction(1, 3)) == 1 / 3
    with pytest.raises(OverflowError):
        fold_rational(Fraction(1e200) * Fraction(1e200))


def test_pi_and_e_alone_stay_symbolic():
    s = Simplifier()
    assert isinstance(s.simplify(Const("pi")), Const)
    assert to_text(s.apply("div", s.simplify(Const("pi")), s.num(2.0))) == "pi/2"
    assert to_text(s.apply("ln", s.simplify(Const("e")))) == "1"


def test_the_digits_of_the_policy_against_exact_decimals():
    """A value is written as a number only when its 12-digit text is that very double (exact decimals decide)."""
    for name, args in [("mul", (0.1, 3.0)), ("div", (7.0, 8.0)), ("mul", (1.1, 1.1)), ("pow", (2.0, 0.5))]:
        v = OPS[name].value(*args)
        prints = Decimal(f"{v:.12g}") == Decimal(v)
        assert (fold(OPS[name], list(args), exact=True) is not None) == prints, (name, args)
