"""Wide-range arithmetic: the fallback of the passes where a number leaves the range of doubles on the way.

A derivative is a product of local partials along the graph, and a product can be a double while a factor of it, or a
partial product, is not: ∂(1/u)/∂u = -1/u² is 1e-347 at u = 2.6e173 (0 in doubles) and is multiplied by du/dx =
2.6e173 afterwards; ∂(2.31/y)/∂y = -2.31e400 (inf in doubles) is multiplied by 1e-208. The passes run in doubles and
watch for a partial, tangent or adjoint that under- or overflowed; only then they are run again here, in decimal
numbers of 40 digits whose exponent reaches ±10^18 (Python's decimal module, imported by nobody else: the common path
never pays for it). The partial rules are the table's own formulas (ops.py), compiled by partials.py over the wide
versions of the table's functions given here: the arithmetic, exp, ln, sqrt, hypot, pow and the functions that grow
like them in decimals; the bounded ones (sin, atan, tanh, …) through their double rules, their arguments being the
nodes' values, which are doubles. A result converts back to the nearest double: ±inf past the largest (the callers
say "too large for a double"), 0 or a subnormal below the smallest normal one (that is right to rounding).

Values too: a node's value that underflowed (exp(-740) keeps 3 digits) and is multiplied back up later
(1e-300/exp(-740)) is evaluated on from that node with the `value` functions here (modes/evaluate.py), and the
derivative passes then read the nodes' wide values rather than their doubles (partials.wide_local).
"""

from __future__ import annotations

import decimal
import math
import operator
import sys
from decimal import Decimal, localcontext  # noqa: F401 (localcontext: for the modules that run wide)
from functools import lru_cache

from .ops import OPS as _OPS
from .ops import Op, _csch, _sech, _sigmoid, _softplus

# Traps off: 1/0 is Infinity and sqrt(-1) NaN, as in IEEE doubles, so that one place can say what failed.
CONTEXT = decimal.Context(prec=40, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN, traps=[])
ZERO, ONE = Decimal(0), Decimal(1)
TINY = Decimal(sys.float_info.min)
GROWS = 700.0  # past this |a|, exp, sinh, cosh and sech leave the normal doubles: computed from a decimal exp


def wide(x: float) -> Decimal:
    """A double as a wide number: exact."""
    return Decimal(x)


def to_float(d: Decimal) -> float:
    """The nearest double (decimal to float conversion rounds correctly): ±inf or 0 and subnormals out of range."""
    return float(d)


def _pow(a: Decimal, b: Decimal) -> Decimal:
    if b == 0:  # a^0 = 1 for every a, 0 included (IEEE pow; decimal says NaN for 0^0)
        return ONE
    return a ** b


def _cbrt(a: Decimal) -> Decimal:
    if a == 0 or not a.is_finite():
        return a
    r = (abs(a).ln() / 3).exp()
    return r.copy_negate() if a < 0 else r


def _grows(small, big, near_zero=None):
    """A function of one double argument whose value leaves the doubles for |a| > GROWS: `small` (a double rule) below
    that, `big` (over decimals) beyond; `near_zero` for an argument below the normal doubles (sinh a = a), if the
    double rule would lose it."""
    def f(a: Decimal) -> Decimal:
        if near_zero is not None and a != 0 and abs(a) < TINY:
            return near_zero(a)
        if abs(a) > GROWS:
            return big(a)
        try:
            return Decimal(small(float(a)))
        except ZeroDivisionError:  # a pole met at an argument that underflowed even here (csch(0.7^1e30)): undefined
            return Decimal("NaN")
    return f


def _exp(a: Decimal) -> Decimal:
    return a.exp()


def _through_double(op: Op, near_zero=None):
    """The op's double rule on arguments that are doubles. An argument below the normal doubles (only a formula's
    intermediate can be one) takes the op's form near 0 if it has one (sin a = a, csc a = 1/a); one beyond them is
    NaN (no rule of the table asks for that)."""
    def f(*args: Decimal) -> Decimal:
        if near_zero is not None and args[0] != 0 and abs(args[0]) < TINY:
            return near_zero(args[0])
        xs = [float(a) for a in args]
        if any(x - x != 0 for x in xs):
            return Decimal("NaN")
        return Decimal(op.value(*xs))
    return f


def _same(a: Decimal) -> Decimal:
    return a


_PI = Decimal("3.141592653589793238462643383279502884197")
# An argument below the normal doubles, which only a wide value can be (an underflowed value of evaluate.py, or a
# formula's intermediate), by the function's form near 0: the double rule would see it rounded, or as 0
_NEAR_ZERO = {"sin": _same, "tan": _same, "asin": _same, "atan": _same, "asinh": _same, "atanh": _same,
              "tanh": _same, "cos": lambda a: ONE, "erf": lambda a: 2 * a / _PI.sqrt(),
              # the activations: the double rule would see 0 (sign(1e-400) is 1, floor(-1e-400) is -1, coth 1/a)
              "coth": lambda a: ONE / a, "gelu": lambda a: a / 2, "relu": lambda a: a if a > 0 else ZERO,
              "sign": lambda a: ONE if a > 0 else -ONE, "floor": lambda a: ZERO if a > 0 else -ONE,
              "ceil": lambda a: ONE if a > 0 else ZERO}


def _atan2(a: Decimal, b: Decimal) -> Decimal:
    """atan2 where a is below the normal doubles and b > 0 is a/b (atan of a tiny ratio); else the double rule."""
    if a != 0 and abs(a) < TINY and b > 0 and b.is_finite():
        return a / b
    return _through_double(_OPS["atan2"])(a, b)


_WIDE = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv, "neg": operator.neg,
    "pow": _pow, "exp": _exp, "ln": lambda a: a.ln(), "log10": lambda a: a.log10(),
    "log2": lambda a: a.ln() / Decimal(2).ln(), "log": lambda a, b: a.ln() / b.ln(),
    "sqrt": lambda a: a.sqrt(), "cbrt": _cbrt, "abs": abs, "hypot": lambda a, b: (a * a + b * b).sqrt(),
    "sinh": _grows(math.sinh, lambda a: _exp(abs(a)) / 2 * (1 if a > 0 else -1), lambda a: a),
    "cosh": _grows(math.cosh, lambda a: _exp(abs(a)) / 2),
    "sech": _grows(_sech, lambda a: 2 * _exp(-abs(a))),
    # beyond |a| = 700 these are e^a (or 1, a) to far more than 40 digits: the double rule underflows there
    "csch": _grows(_csch, lambda a: 2 * _exp(-abs(a)) * (1 if a > 0 else -1), lambda a: ONE / a),
    "sigmoid": _grows(_sigmoid, lambda a: _exp(a) if a < 0 else ONE),
    "softplus": _grows(_softplus, lambda a: _exp(a) if a < 0 else a),
    # 1/sin(a) of a double a: sin(a) is a normal double (or a, below them), its reciprocal may not be
    "sec": lambda a: ONE / Decimal(math.cos(float(a))),
    "csc": lambda a: ONE / (a if abs(a) < TINY else Decimal(math.sin(float(a)))),
    "cot": lambda a: ONE / a if abs(a) < TINY else Decimal(math.cos(float(a))) / Decimal(math.sin(float(a))),
    "atan2": _atan2,
}


@lru_cache(maxsize=None)
def value(op: Op):
    """The function `op` is computed with over wide numbers."""
    f = _WIDE.get(op.name)
    return f if f is not None else _through_double(op, _NEAR_ZERO.get(op.name))


def times(left, right):
    """The strong zero of partials.py: a zero factor is exact (0·∞ = 0), an undefined one (nan) is not."""
    def product(args):
        if (lhs := left(args)) != 0:
            return lhs * right(args)
        rhs = right(args)
        return rhs if rhs.is_nan() else ZERO  # 0·nan stays nan, as in partials.py
    return product
