"""THE primitive table: every operation and function of dcalc, declared once.

Each entry gives the value rule (IEEE: it returns inf or nan rather than raising, so one place can name the node),
one partial-derivative rule per argument written as a dcalc formula over the arguments `a`, `b`, the domain where the
value is defined, the notation, and a sample domain the tests draw points from. Evaluation, forward and reverse mode,
symbolic differentiation, the trace and every renderer are derived from this table; adding a function is adding an entry.

A partial rule of None means "structurally zero" (never happens for these primitives, but the modes honour it).
"""

from __future__ import annotations

import math
from typing import Callable

from ..language.expr import Const, Expr, call

inf, nan = math.inf, math.nan


class Op:
    """One primitive. Immutable; written out rather than @dataclass(frozen=True), whose generated methods cost 2 ms of
    every start-up."""

    def __init__(self, name: str, arity: int, value: Callable[..., float], partials: tuple,
                 defined: Callable[..., bool] | None = None, domain: str = "", symbol: str | None = None, prec: int = 5,
                 latex: str = "", sample: tuple = ((-3.0, 3.0),), doc: str = "", numpy: str = "",
                 commutative: bool = False):
        self.__dict__.update(
            name=name, arity=arity, value=value,
            partials=partials,  # one rule per argument: a function of argument expressions returning an expression
            defined=defined,  # where the value exists (checked when the value is not finite)
            domain=domain,  # that condition in words, over the argument names a, b
            symbol=symbol,  # infix or prefix operator symbol; None for a function written name(args)
            prec=prec,  # binding strength: 1 + -, 2 * /, 3 unary -, 4 ^, 5 atoms and calls
            latex=latex,  # LaTeX template over {a}, {b}
            sample=sample,  # an interval per argument, inside the domain, away from kinks
            doc=doc,
            numpy=numpy,  # the NumPy function computing the value over columns (batches); "" maps the value rule
            commutative=commutative)  # op(a, b) is op(b, a): the graph makes y*x the node x*y (graph.py says why)

    def __setattr__(self, name, value):
        raise AttributeError(f"cannot assign to field '{name}' of the primitive {self.name}")

    __delattr__ = __setattr__

    def __repr__(self):
        return f"Op({self.name!r}, {self.arity})"

    def rule(self, k: int, *args: Expr) -> Expr | None:
        """The partial derivative ∂op/∂(argument k) as an expression in the given argument expressions."""
        r = self.partials[k]
        return None if r is None else r(*args)


def _safe(f):
    """Wrap a math function so that domain errors give nan and overflows inf, as IEEE arithmetic would."""
    def value(*args):
        try:
            return f(*args)
        except (ValueError, ZeroDivisionError):
            return nan
        except OverflowError:
            return inf
    value.__name__ = getattr(f, "__name__", "value")
    return value


def _cbrt(a):
    return math.copysign(abs(a) ** (1.0 / 3.0), a)


def _sech(a):
    t = math.exp(-abs(a))  # in [0, 1]: no overflow; nan stays nan
    return 2 * t / (1 + t * t)


def _fn(name):
    """A builder for calls of `name`, used to write the partial rules: sin(a) builds the expression sin(a)."""
    return lambda *args: call(name, *args)


sin, cos, tan, sec, csc, cot = map(_fn, ("sin", "cos", "tan", "sec", "csc", "cot"))
sinh, cosh, tanh, sech, exp, ln, sqrt, cbrt, hypot, absf = map(
    _fn, ("sinh", "cosh", "tanh", "sech", "exp", "ln", "sqrt", "cbrt", "hypot", "abs"))

_POS = ((0.2, 5.0),)
_UNIT = ((-0.9, 0.9),)

_TABLE = [
    # operators
    Op("add", 2, lambda a, b: a + b, (lambda a, b: 1, lambda a, b: 1),
       symbol="+", prec=1, latex="{a} + {b}", sample=((-3, 3), (-3, 3)), doc="a + b", numpy="add",
       commutative=True),
    Op("sub", 2, lambda a, b: a - b, (lambda a, b: 1, lambda a, b: -1),
       symbol="-", prec=1, latex="{a} - {b}", sample=((-3, 3), (-3, 3)), doc="a - b", numpy="subtract"),
    Op("mul", 2, lambda a, b: a * b, (lambda a, b: b, lambda a, b: a),
       symbol="*", prec=2, latex="{a} \\cdot {b}", sample=((-3, 3), (-3, 3)), doc="a * b, also 2x, 2(x+1), (a)(b)",
       numpy="multiply", commutative=True),
    # The partial rules are written in forms that neither cancel nor overflow nor underflow in an intermediate where
    # the partial itself is a double (tests/test_rule_oracle.py holds each to a few ulps times its condition, from
    # 1e-150 to 1e150 and at the edges of its domain): -(a/b)/b, not -a/b^2 (b^2 overflows at 1e160); sums of squares
    # as hypot; 1 - a^2 as (1 - a)(1 + a); tanh' as sech(a)^2, not 1 - tanh^2 (0 at a = 20) nor (1/cosh(a))^2 (cosh
    # overflows at 711). Forward, reverse, Taylor, trace and batch modes compute them as written; diff prints them
    # simplified (-x/y^2).
    Op("div", 2, _safe(lambda a, b: a / b), (lambda a, b: 1 / b, lambda a, b: -(a / b) / b),
       lambda a, b: b != 0, "b ≠ 0",
       symbol="/", prec=2, latex="\\frac{{{a}}}{{{b}}}", sample=((-3, 3), (0.5, 3)), doc="a / b", numpy="divide"),
    Op("neg", 1, lambda a: -a, (lambda a: -1,),
       symbol="-", prec=3, latex="-{a}", doc="-a", numpy="negative"),
    # a^b, b*a^(b-1): with a constant exponent b is inactive, so ∂/∂b = a^b ln(a) is never evaluated (x^2 at x = -1)
    Op("pow", 2, _safe(math.pow), (lambda a, b: b * a ** (b - 1), lambda a, b: a ** b * ln(a)),
       lambda a, b: a > 0 or (a == 0 and b >= 0) or (a < 0 and float(b).is_integer()),
       "a > 0, or a = 0 and b ≥ 0, or a < 0 and b an integer",
       symbol="^", prec=4, latex="{a}^{{{b}}}", sample=((0.2, 3), (-3, 3)), doc="a ^ b, also a ** b and pow(a, b)",
       numpy="power"),
    # trigonometric
    Op("sin", 1, math.sin, (lambda a: cos(a),), latex="\\sin\\left({a}\\right)", doc="sine", numpy="sin"),
    Op("cos", 1, math.cos, (lambda a: -sin(a),), latex="\\cos\\left({a}\\right)", doc="cosine", numpy="cos"),
    Op("tan", 1, math.tan, (lambda a: sec(a) ** 2,), latex="\\tan\\left({a}\\right)",
       sample=((-1.4, 1.4),), doc="tangent", numpy="tan"),
    Op("sec", 1, _safe(lambda a: 1 / math.cos(a)), (lambda a: sec(a) * tan(a),),
       lambda a: math.cos(a) != 0, "cos(a) ≠ 0",
       latex="\\sec\\left({a}\\right)", sample=((-1.4, 1.4),), doc="secant, 1/cos"),
    Op("csc", 1, _safe(lambda a: 1 / math.sin(a)), (lambda a: -csc(a) * cot(a),),
       lambda a: math.sin(a) != 0, "sin(a) ≠ 0",
       latex="\\csc\\left({a}\\right)", sample=((0.2, 3),), doc="cosecant, 1/sin"),
    Op("cot", 1, _safe(lambda a: math.cos(a) / math.sin(a)), (lambda a: -csc(a) ** 2,),
       lambda a: math.sin(a) != 0, "sin(a) ≠ 0",
       latex="\\cot\\left({a}\\right)", sample=((0.2, 3),), doc="cotangent, cos/sin"),
    Op("asin", 1, _safe(math.asin), (lambda a: 1 / sqrt((1 - a) * (1 + a)),), lambda a: -1 <= a <= 1, "-1 ≤ a ≤ 1",
       latex="\\arcsin\\left({a}\\right)", sample=_UNIT, doc="inverse sine", numpy="arcsin"),
    Op("acos", 1, _safe(math.acos), (lambda a: -1 / sqrt((1 - a) * (1 + a)),), lambda a: -1 <= a <= 1, "-1 ≤ a ≤ 1",
       latex="\\arccos\\left({a}\\right)", sample=_UNIT, doc="inverse cosine", numpy="arccos"),
    Op("atan", 1, math.atan, (lambda a: (1 / hypot(1, a)) ** 2,), latex="\\arctan\\left({a}\\right)",
       doc="inverse tangent", numpy="arctan"),  # 1/(1 + a^2) would be 0 from a = 1.4e154 on, where it is 5e-309
    Op("atan2", 2, math.atan2, (lambda a, b: b / hypot(a, b) / hypot(a, b),
                                lambda a, b: -a / hypot(a, b) / hypot(a, b)),
       latex="\\operatorname{{atan2}}\\left({a}, {b}\\right)", sample=((0.2, 3), (0.2, 3)),
       doc="atan2(y, x), the angle of the point (x, y)", numpy="arctan2"),
    # hyperbolic
    Op("sinh", 1, _safe(math.sinh), (lambda a: cosh(a),), latex="\\sinh\\left({a}\\right)", doc="hyperbolic sine",
       numpy="sinh"),
    Op("cosh", 1, _safe(math.cosh), (lambda a: sinh(a),), latex="\\cosh\\left({a}\\right)", doc="hyperbolic cosine",
       numpy="cosh"),
    Op("tanh", 1, math.tanh, (lambda a: sech(a) ** 2,), latex="\\tanh\\left({a}\\right)",
       doc="hyperbolic tangent", numpy="tanh"),
    # sech(a) = 2e^-|a|/(1 + e^-2|a|): never overflows (1/cosh(a) does at |a| > 710, where sech is a subnormal or 0)
    Op("sech", 1, _sech, (lambda a: -sech(a) * tanh(a),), latex="\\operatorname{{sech}}\\left({a}\\right)",
       doc="hyperbolic secant, 1/cosh"),
    Op("asinh", 1, math.asinh, (lambda a: 1 / hypot(1, a),), latex="\\operatorname{{arsinh}}\\left({a}\\right)",
       doc="inverse hyperbolic sine", numpy="arcsinh"),
    Op("acosh", 1, _safe(math.acosh), (lambda a: 1 / (sqrt(a - 1) * sqrt(a + 1)),), lambda a: a >= 1, "a ≥ 1",
       latex="\\operatorname{{arcosh}}\\left({a}\\right)", sample=((1.2, 5),), doc="inverse hyperbolic cosine",
       numpy="arccosh"),
    Op("atanh", 1, _safe(math.atanh), (lambda a: 1 / ((1 - a) * (1 + a)),), lambda a: -1 < a < 1, "-1 < a < 1",
       latex="\\operatorname{{artanh}}\\left({a}\\right)", sample=_UNIT, doc="inverse hyperbolic tangent",
       numpy="arctanh"),
    # exponentials and logarithms
    Op("exp", 1, _safe(math.exp), (lambda a: exp(a),), latex="e^{{{a}}}", doc="e to the a", numpy="exp"),
    Op("ln", 1, _safe(math.log), (lambda a: 1 / a,), lambda a: a > 0, "a > 0",
       latex="\\ln\\left({a}\\right)", sample=_POS, doc="natural logarithm; log(a) is the same",
       numpy="log"),
    # 1/ln(b) and ln(a)/ln(b) are bounded (|ln b| > 2e-16): only the last division meets the range, as the partial does
    Op("log", 2, _safe(math.log), (lambda a, b: 1 / ln(b) / a, lambda a, b: -ln(a) / ln(b) / ln(b) / b),
       lambda a, b: a > 0 and b > 0 and b != 1, "a > 0, b > 0 and b ≠ 1",
       latex="\\log_{{{b}}}\\left({a}\\right)", sample=((0.2, 5), (1.5, 5)), doc="log(a, b), the logarithm to base b"),
    Op("log10", 1, _safe(math.log10), (lambda a: 1 / ln(10) / a,), lambda a: a > 0, "a > 0",
       latex="\\log_{{10}}\\left({a}\\right)", sample=_POS, doc="logarithm to base 10", numpy="log10"),
    Op("log2", 1, _safe(math.log2), (lambda a: 1 / ln(2) / a,), lambda a: a > 0, "a > 0",
       latex="\\log_{{2}}\\left({a}\\right)", sample=_POS, doc="logarithm to base 2", numpy="log2"),
    # the error function: 2/√π·e^(-a²) stays a double (e^(-a²) is 0 where that is, from |a| ≈ 27 on)
    Op("erf", 1, math.erf, (lambda a: 2 / sqrt(Const("pi")) * exp(-a ** 2),),
       latex="\\operatorname{{erf}}\\left({a}\\right)", doc="error function"),
    Op("erfc", 1, math.erfc, (lambda a: -2 / sqrt(Const("pi")) * exp(-a ** 2),),
       latex="\\operatorname{{erfc}}\\left({a}\\right)", doc="complementary error function, 1 - erf(a)"),
    # roots and the rest
    Op("sqrt", 1, _safe(math.sqrt), (lambda a: 1 / (2 * sqrt(a)),), lambda a: a >= 0, "a ≥ 0",
       latex="\\sqrt{{{a}}}", sample=_POS, doc="square root", numpy="sqrt"),
    Op("cbrt", 1, getattr(math, "cbrt", _cbrt), (lambda a: 1 / (3 * cbrt(a) ** 2),),
       latex="\\sqrt[3]{{{a}}}", sample=((0.2, 5),), doc="cube root, real for a < 0 too",
       numpy="cbrt"),
    Op("abs", 1, abs, (lambda a: a / absf(a),), latex="\\left|{a}\\right|", sample=((0.2, 3),),
       doc="absolute value; not differentiable at 0", numpy="abs"),
    Op("hypot", 2, _safe(math.hypot), (lambda a, b: a / hypot(a, b), lambda a, b: b / hypot(a, b)),
       latex="\\sqrt{{{a}^2 + {b}^2}}", sample=((0.2, 3), (0.2, 3)), doc="hypot(a, b) = sqrt(a^2 + b^2)",
       numpy="hypot", commutative=True),
]

OPS: dict[str, Op] = {op.name: op for op in _TABLE}

# Function names a user may call, with the op and arity each spelling means: log(x) is ln, pow(a, b) is a^b.
FUNCTIONS: dict[tuple[str, int], str] = {(op.name, op.arity): op.name for op in _TABLE if op.symbol is None}
FUNCTIONS[("log", 1)] = "ln"
FUNCTIONS[("pow", 2)] = "pow"
FUNCTION_NAMES = sorted({name for name, _ in FUNCTIONS})


def arities(name: str) -> list[int]:
    """The numbers of arguments a built-in function accepts."""
    return sorted(n for f, n in FUNCTIONS if f == name)


# One-sided knowledge: where a partial rule fails although the value exists (a kink, a domain's edge), what the op is
# along a ray args(t), t → 0+ (the kinks module and Taylor mode read it; series arithmetic in series.py). Per op, a
# function of the argument values at the point giving None (not a kink there) or the form to use beside it:
#   ("sign",)            |a| = s·a, s the sign of a's first nonzero term (a = 0)
#   ("power", b, odd)    a^b with a = c·t^m·(1 + w): c^b·t^(m·b)·(1 + w)^b (a = 0; odd: real for c < 0, the cube root)
#   ("angle",)           atan2(a, b) at (0, 0): the angle of the first nonzero terms, then atan2 of the scaled pair
#   a formula over a, b  an identity valid beside the point whose own kinks are the ones above (asin at 1 is
#                        π/2 − 2·asin(√((1 − a)/2)): the square root's edge, where the power rule applies)
_HALF_PI = Const("pi") / 2
ONE_SIDED: dict[str, Callable] = {
    "abs": lambda a: ("sign",) if a == 0 else None,
    "sqrt": lambda a: ("power", 0.5, False) if a == 0 else None,
    "cbrt": lambda a: ("power", 1 / 3, True) if a == 0 else None,
    "pow": lambda a, b: ("power", b, False) if a == 0 else None,  # a constant b (a varying one: series.py's
    # _zero_base_varying, the constant exponent's form below its first t^s·ln(t) term)
    "hypot": lambda a, b: (lambda u, v: sqrt(u ** 2 + v ** 2)) if a == 0 and b == 0 else None,
    "atan2": lambda a, b: ("angle",) if a == 0 and b == 0 else None,
    "asin": lambda a: ((lambda u: _HALF_PI - 2 * call("asin", sqrt((1 - u) / 2))) if a == 1 else
                       (lambda u: 2 * call("asin", sqrt((1 + u) / 2)) - _HALF_PI) if a == -1 else None),
    "acos": lambda a: ((lambda u: 2 * call("asin", sqrt((1 - u) / 2))) if a == 1 else
                       (lambda u: 2 * _HALF_PI - 2 * call("asin", sqrt((1 + u) / 2))) if a == -1 else None),
    "acosh": lambda a: (lambda u: 2 * call("asinh", sqrt((u - 1) / 2))) if a == 1 else None,
}
