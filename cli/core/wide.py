"""Wide-range arithmetic: the fallback of the passes where a number leaves the range of doubles on the way.

A derivative is a product of local partials along the graph, and a product can be a double while a factor of it, or a
partial product, is not: ∂(1/u)/∂u = -1/u² is 1e-347 at u = 2.6e173 (0 in doubles) and is multiplied by du/dx =
2.6e173 afterwards; ∂(2.31/y)/∂y = -2.31e400 (inf in doubles) is multiplied by 1e-208. The passes run in doubles and
watch for a partial, tangent or adjoint that under- or overflowed; only then they are run again here, in decimal
numbers of 40 digits whose exponent reaches ±10^18 (Python's decimal module, imported by nobody else: the common path
never pays for it). The partial rules are the table's own formulas (ops.py), compiled by partials.py over the wide
versions of the table's functions: each op's wide form is the table's too (ops.WIDE, written over the small
arithmetic of this module, which is given to it: exp, grows, double, …); the bounded functions go through their
double rules, their arguments being the nodes' values, which are doubles. A result converts back to the nearest double: ±inf past the largest (the callers
say "too large for a double"), 0 or a subnormal below the smallest normal one (that is right to rounding).

Values too: a node's value that underflowed (exp(-740) keeps 3 digits) and is multiplied back up later
(1e-300/exp(-740)) is evaluated on from that node with the `value` functions here (modes/evaluate.py), and the
derivative passes then read the nodes' wide values rather than their doubles (partials.wide_local).
"""

from __future__ import annotations

import decimal
import sys
from decimal import Decimal, localcontext  # noqa: F401 (localcontext: for the modules that run wide)
from functools import lru_cache

from .ops import WIDE, Op

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


def pow(a: Decimal, b: Decimal) -> Decimal:  # noqa: A001 (the wide arithmetic's name for a^b, read as w.pow)
    if b == 0:  # a^0 = 1 for every a, 0 included (IEEE pow; decimal says NaN for 0^0)
        return ONE
    return a ** b


def cbrt(a: Decimal) -> Decimal:
    if a == 0 or not a.is_finite():
        return a
    r = (abs(a).ln() / 3).exp()
    return r.copy_negate() if a < 0 else r


def grows(small, big, near_zero=None):
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


def exp(a: Decimal) -> Decimal:
    return a.exp()


def double(op: Op, near_zero=None):
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


num = Decimal  # a double (or an int) as a wide number, in the table's forms (ops.WIDE)
PI = Decimal("3.141592653589793238462643383279502884197")
_ARITHMETIC = sys.modules[__name__]  # what the table's forms are given: this module's functions and constants


@lru_cache(maxsize=None)
def value(op: Op):
    """The function `op` is computed with over wide numbers: the table's wide form (ops.WIDE), else the double rule."""
    make = WIDE.get(op.name)
    return make(_ARITHMETIC, op) if make is not None else double(op)


def times(left, right):
    """The strong zero of partials.py: a zero factor is exact (0·∞ = 0), an undefined one (nan) is not."""
    def product(args):
        if (lhs := left(args)) != 0:
            return lhs * right(args)
        rhs = right(args)
        return rhs if rhs.is_nan() else ZERO  # 0·nan stays nan, as in partials.py
    return product
