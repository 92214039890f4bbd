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


def _sigmoid(a):
    if a >= 0:
        return 1 / (1 + math.exp(-a))
    e = math.exp(a)  # a < 0 (or nan): e^a ≤ 1, no overflow; 1/(1 + e^-a) would overflow from a = -710 on
    return e / (1 + e)


def _softplus(a):
    # ln(1 + e^a) = max(a, 0) + ln(1 + e^-|a|): e^-|a| ≤ 1 never overflows, log1p keeps it where it is tiny
    return (a if a > 0 else 0.0) + math.log1p(math.exp(-abs(a)))


def _relu(a):
    return a if a > 0 or a != a else 0.0


def _sign(a):
    return 1.0 if a > 0 else -1.0 if a < 0 else a  # ±0 and nan are their own sign (NumPy's sign too)


def _max(a, b):
    if a > b:
        return a
    if b > a:
        return b
    return a + b if a == 0 else a if a == b else nan  # max(-0, 0) is 0; a nan argument gives nan (NumPy's maximum)


def _min(a, b):
    if a < b:
        return a
    if b < a:
        return b
    return -(-a - b) if a == 0 else a if a == b else nan  # min(0, -0) is -0


_LN2 = math.log(2)


def _logsumexp(a, b):
    """ln(e^a + e^b) = max(a, b) + ln(1 + e^-|a - b|): no exponential overflows (a, b = 1000) or underflows to a
    log of 0 (a, b = -1000)."""
    if a == b:  # also ±inf twice, where a - b is nan
        return a + _LN2
    return (a if a > b else b) + math.log1p(math.exp(-abs(a - b)))


def _csch(a):
    # 1/sinh(a) = 2e^-|a|/(1 - e^-2|a|) with a's sign: nothing overflows (sinh does past 710); expm1 keeps small a
    return math.copysign(2 * math.exp(-abs(a)) / -math.expm1(-2 * abs(a)), a)


_SQRT2 = math.sqrt(2)


def _gelu(a):
    # a·Φ(a) = a/2·(1 + erf(a/√2)) = a/2·erfc(-a/√2): erfc keeps the left tail where 1 + erf(…) cancels to 0
    return a * (0.5 * math.erfc(-a / _SQRT2))


def _whole(f):
    """floor, ceil, round as floats: ±inf and nan stay, a zero result keeps the argument's sign (as NumPy's do)."""
    def value(a):
        if a - a != 0:
            return a
        r = float(f(a))
        return math.copysign(r, a) if r == 0 else r
    value.__name__ = f.__name__
    return value


def _round_half_away(a):
    """The nearest integer, halves away from zero (2.5 → 3, -2.5 → -3), as taught and as C's round(); not Python's
    or NumPy's round, which round halves to even. floor and the difference are exact for every double."""
    r = float(math.floor(a))
    d = a - r
    return r + 1 if d > 0.5 or (d == 0.5 and r >= 0) else r


def _fn(name):
    """A builder for calls of `name`, used to write the partial rules: sin(a) builds the expression sin(a)."""
    return lambda *args: call(name, *args)


sin, cos, tan, sec, csc, cot = map(_fn, ("sin", "cos", "tan", "sec", "csc", "cot"))
sinh, cosh, tanh, sech, exp, ln, sqrt, cbrt, hypot, absf = map(
    _fn, ("sinh", "cosh", "tanh", "sech", "exp", "ln", "sqrt", "cbrt", "hypot", "abs"))
csch, coth, sigmoid, sign, erfc, floor, round_ = map(_fn, ("csch", "coth", "sigmoid", "sign", "erfc", "floor", "round"))

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
    # atan2 jumps by 2π across its cut (a = 0, b < 0: π above, -π below, atan2(±0, b) the side of the zero's sign):
    # ∂/∂a is 0/0 there (the passes then go to the one-sided form of ONE_SIDED), ∂/∂b exists (along the cut)
    Op("atan2", 2, math.atan2, (lambda a, b: b / hypot(a, b) / hypot(a, b) + 0 / (absf(a) + (absf(b) + b)),
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
    # activations, reductions and steps (issue 14). A partial that does not exist at a kink or a jump is written so
    # that it is nan there (0/0: the passes then go to the one-sided forms of ONE_SIDED below) and exact elsewhere,
    # through u/|u| (±1 exactly, 0/0 at u = 0), which simplification keeps: `diff` prints relu' as (x/abs(x) + 1)/2
    # and floor' as u/abs(u) - sign(u) with u = x - floor(x), undefined at the kink or jump as the derivative is (the
    # steps' at every order: sign(u)'s own derivative is that again), where
    # (1 + sign(x))/2 + 0/x and 0/(x - floor(x)) were printed (1 + sign(x))/2 and 0, values at the kink (issue 11)
    Op("sigmoid", 1, _sigmoid, (lambda a: sigmoid(a) * sigmoid(-a),),
       latex="\\sigma\\left({a}\\right)", doc="logistic sigmoid, 1/(1 + e^-a)"),  # σ(a)σ(-a): 1 - σ cancels
    Op("softplus", 1, _softplus, (lambda a: sigmoid(a),),
       latex="\\operatorname{{softplus}}\\left({a}\\right)", doc="ln(1 + e^a), a smooth relu"),
    Op("relu", 1, _relu, (lambda a: (1 + a / absf(a)) / 2,),
       latex="\\operatorname{{ReLU}}\\left({a}\\right)", sample=((0.2, 3),),
       doc="max(a, 0); at 0 the left derivative is 0, the right one 1"),
    Op("sign", 1, _sign, (lambda a: a / absf(a) - sign(a),),
       latex="\\operatorname{{sgn}}\\left({a}\\right)", sample=((0.2, 3),),
       doc="-1, 0 or 1; jumps at 0 (no derivative there)", numpy="sign"),
    # max(a, b, c, …) is max(max(a, b), c) (FOLDS): exact, and the one binary rule serves every arity. The samples
    # of a and b differ, so that the middle of both (tests/test_check.py) is not a tie
    Op("max", 2, _max, (lambda a, b: (1 + (a - b) / absf(a - b)) / 2, lambda a, b: (1 - (a - b) / absf(a - b)) / 2),
       latex="\\max\\left({a}, {b}\\right)", sample=((-3, 3), (-2, 3)),
       doc="the largest argument (2 or more); at a tie the one-sided derivatives", numpy="maximum", commutative=True),
    Op("min", 2, _min, (lambda a, b: (1 - (a - b) / absf(a - b)) / 2, lambda a, b: (1 + (a - b) / absf(a - b)) / 2),
       latex="\\min\\left({a}, {b}\\right)", sample=((-3, 3), (-2, 3)),
       doc="the smallest argument (2 or more); at a tie the one-sided derivatives", numpy="minimum", commutative=True),
    # ∂/∂a = e^a/(e^a + e^b) = σ(a - b): bounded, no exponential of a large argument
    Op("logsumexp", 2, _logsumexp, (lambda a, b: sigmoid(a - b), lambda a, b: sigmoid(b - a)),
       latex="\\operatorname{{logsumexp}}\\left({a}, {b}\\right)", sample=((-3, 3), (-2, 3)),
       doc="ln(e^a + e^b + …) (2 or more arguments), computed without overflow", commutative=True),
    Op("csch", 1, _safe(_csch), (lambda a: -csch(a) * coth(a),), lambda a: a != 0, "a ≠ 0",
       latex="\\operatorname{{csch}}\\left({a}\\right)", sample=((0.2, 3),), doc="hyperbolic cosecant, 1/sinh"),
    Op("coth", 1, _safe(lambda a: 1 / math.tanh(a)), (lambda a: -csch(a) ** 2,), lambda a: a != 0, "a ≠ 0",
       latex="\\coth\\left({a}\\right)", sample=((0.2, 3),), doc="hyperbolic cotangent, 1/tanh"),
    # Φ(a) + a·φ(a): erfc(-a/√2)/2 keeps the left tail; a²/2 overflowing (|a| > 1.9e154) gives e^-inf = 0, right
    Op("gelu", 1, _gelu, (lambda a: erfc(-a / sqrt(2)) / 2 + a * exp(-a ** 2 / 2) / sqrt(2 * Const("pi")),),
       latex="\\operatorname{{GELU}}\\left({a}\\right)", doc="a·Φ(a) = a/2·(1 + erf(a/√2)), exact (not the tanh form)"),
    Op("floor", 1, _whole(math.floor), (lambda a: (a - floor(a)) / absf(a - floor(a))
                                                - sign(a - floor(a)),),
       latex="\\left\\lfloor {a} \\right\\rfloor", sample=((0.1, 0.9),),
       doc="the largest integer ≤ a; derivative 0, none at an integer (a jump)", numpy="floor"),
    Op("ceil", 1, _whole(math.ceil), (lambda a: (a - floor(a)) / absf(a - floor(a))
                                                - sign(a - floor(a)),),
       latex="\\left\\lceil {a} \\right\\rceil", sample=((0.1, 0.9),),
       doc="the smallest integer ≥ a; derivative 0, none at an integer (a jump)", numpy="ceil"),
    # round's jumps are where (a - round(a))^2 = 1/4 (exact in doubles): written with floor, as a - floor(a) - 1/2,
    # its higher derivatives took floor's jumps at the integers, where round's exist (round(x)'s second, seed 10000238)
    Op("round", 1, _whole(_round_half_away), (lambda a: ((a - round_(a)) ** 2 - 0.25) / absf((a - round_(a)) ** 2 - 0.25)
                                              - sign((a - round_(a)) ** 2 - 0.25),),
       latex="\\operatorname{{round}}\\left({a}\\right)", sample=((0.6, 1.4),),
       doc="the nearest integer, halves away from zero (2.5 → 3, -2.5 → -3); derivative 0, none at a half"),
]

OPS: dict[str, Op] = {op.name: op for op in _TABLE}

# The ops whose value loses no digits to underflow: exact below the normal doubles (add, sub, neg, abs: their 0 is a
# cancellation, x - x), 0 only where exact (ln(1), acos(1)), or never below the normal doubles (cos, sqrt, …)
NO_UNDERFLOW = frozenset(("add", "sub", "neg", "abs", "ln", "log", "log10", "log2", "acos", "acosh", "cos", "cosh",
                          "sec", "csc", "sqrt", "cbrt",
                          # a 0 or a subnormal of these is exact: an argument's own, or the step's constant
                          "relu", "sign", "max", "min", "floor", "ceil", "round", "coth"))

# Function names a user may call, with the op and arity each spelling means: log(x) is ln, pow(a, b) is a^b.
FUNCTIONS: dict[tuple[str, int], str] = {(op.name, op.arity): op.name for op in _TABLE if op.symbol is None}
FUNCTIONS[("log", 1)] = "ln"
FUNCTIONS[("pow", 2)] = "pow"
FUNCTION_NAMES = sorted({name for name, _ in FUNCTIONS})
# What other libraries and textbooks call a function: an unknown name among these is answered "did you mean …?"
ALIASES: dict[str, tuple[str, ...]] = {
    "asin": ("arcsin",), "acos": ("arccos",), "atan": ("arctan",), "atan2": ("arctan2",),
    "asinh": ("arsinh", "arcsinh"), "acosh": ("arcosh", "arccosh"), "atanh": ("artanh", "arctanh"),
    "max": ("maximum", "amax", "fmax"), "min": ("minimum", "amin", "fmin"), "sigmoid": ("logistic", "expit"),
    "sign": ("sgn", "signum"), "abs": ("fabs", "absolute"), "relu": ("ramp", "rectifier"), "logsumexp": ("lse",),
    "softplus": ("log1pexp",), "pow": ("power",), "round": ("rint", "nint"), "ceil": ("ceiling",),
}
# The ops that are a constant power of their one argument, a^(p/q): Taylor mode takes the power's recurrence (which
# never forms a^(b - k)) rather than the partial rule's series
POWERS: dict[str, tuple[int, int]] = {"sqrt": (1, 2), "cbrt": (1, 3)}
# Binary ops that also take more arguments: name(a, b, c, …) is name(name(a, b), c)… (the graph folds the call when it
# lowers it). Each is associative, so the fold is exact, and each binary step is as stable as the op: one table entry
# and one set of rules serve every arity.
# Functions that are exactly u or -u near any point off u's zero (their zero: ONE_SIDED's "mirror" form).
MIRRORS = frozenset(("abs",))
# The one-argument logarithms: ln(0) = -inf, which a limit such as a^b·ln(a) at a = 0 may multiply by a zero.
LOGARITHMS = frozenset(("ln", "log2", "log10"))
FOLDS = frozenset(("max", "min", "logsumexp"))


def arities(name: str) -> list[int]:
    """The numbers of arguments a built-in function accepts (2 for max: see FOLDS for more)."""
    return sorted(n for f, n in FUNCTIONS if f == name)


# One-sided knowledge: where a partial rule fails although the value exists (a kink, a domain's edge), what the op is
# along a ray args(t), t → 0+ (the kinks module and Taylor mode read it; series arithmetic in series.py). Per op, a
# function of the argument values at the point giving None (not a kink there) or the form to use beside it:
#   ("mirror",)          |a| = s·a, s the sign of a's first nonzero term (a = 0)
#   ("power", b, odd)    a^b with a = c·t^m·(1 + w): c^b·t^(m·b)·(1 + w)^b (a = 0; odd: real for c < 0, the cube root)
#   ("angle",)           atan2(a, b) at (0, 0): the angle of the first nonzero terms, then atan2 of the scaled pair
#   ("cut", identity)    a cut along a = 0: beside the point the op is its value at a = +0 or a = -0 (the side a's
#                        first nonzero term takes) plus identity(u, v), smooth across and 0 at the point (atan2 at
#                        b < 0: ±π + atan(u/v)); a side whose limit is not the value at the point is a jump
#   ("larger", identity) max(a, b) at a tie (relu: b = 0): the argument whose difference from the other has a first
#                        nonzero term of that sign is the op along the ray, itself (so an exponent relu(x) is the
#                        constant 0 to the left of 0); identity(u, v) where the difference vanishes as far as the
#                        series look. ("smaller", identity): min
#   a formula over a, b  an identity valid beside the point whose own kinks are the ones above (asin at 1 is
#                        π/2 − 2·asin(√((1 − a)/2)): the square root's edge, where the power rule applies)
_HALF_PI = Const("pi") / 2


def _floor_step(a):
    a = float(a)  # a wide series (modes/series.py) gives a decimal
    if a - a != 0:
        return None
    f = float(math.floor(a))
    return (("step", a - 1, a) if a - 1 != a else ("unresolved",)) if a == f else ("step", f, f)


def _ceil_step(a):
    a = float(a)  # a wide series (modes/series.py) gives a decimal
    if a - a != 0:
        return None
    c = float(math.ceil(a))
    return (("step", a, a + 1) if a + 1 != a else ("unresolved",)) if a == c else ("step", c, c)


def _round_step(a):
    a = float(a)  # a wide series (modes/series.py) gives a decimal
    if a - a != 0:
        return None
    f = float(math.floor(a))
    r = _round_half_away(a)
    return ("step", f, f + 1) if a - f == 0.5 else ("step", r, r)


ONE_SIDED: dict[str, Callable] = {
    "abs": lambda a: ("mirror",) if a == 0 else None,
    "sqrt": lambda a: ("power", 0.5, False) if a == 0 else None,
    "cbrt": lambda a: ("power", 1 / 3, True) if a == 0 else None,
    "pow": lambda a, b: ("power", b, False) if a == 0 else None,  # a constant b (a varying one: series.py's
    # _zero_base_varying, the constant exponent's form below its first t^s·ln(t) term)
    "hypot": lambda a, b: (lambda u, v: sqrt(u ** 2 + v ** 2)) if a == 0 and b == 0 else None,
    "atan2": lambda a, b: (("angle",) if a == 0 and b == 0 else
                           ("cut", lambda u, v: call("atan", u / v)) if a == 0 and b < 0 else None),
    "asin": lambda a: ((lambda u: _HALF_PI - 2 * call("asin", sqrt((1 - u) / 2))) if a == 1 else
                       (lambda u: 2 * call("asin", sqrt((1 + u) / 2)) - _HALF_PI) if a == -1 else None),
    "acos": lambda a: ((lambda u: 2 * call("asin", sqrt((1 - u) / 2))) if a == 1 else
                       (lambda u: 2 * _HALF_PI - 2 * call("asin", sqrt((1 + u) / 2))) if a == -1 else None),
    "acosh": lambda a: (lambda u: 2 * call("asinh", sqrt((u - 1) / 2))) if a == 1 else None,
    # relu, max and min at their kinks: the argument that is larger (smaller) along the ray, or through |u| (the
    # "mirror" form above) where the arguments' difference vanishes as far as the series look
    "relu": lambda a: ("larger", lambda u: (u + absf(u)) / 2) if a == 0 else None,
    "max": lambda a, b: ("larger", lambda u, v: v + (u - v + absf(u - v)) / 2) if a == b else None,
    "min": lambda a, b: ("smaller", lambda u, v: v + (u - v - absf(u - v)) / 2) if a == b else None,
    # ("step", below, above): the op is a constant on each side, `below` where a's first nonzero term is negative,
    # `above` where it is positive; one that differs from the value at the point is a jump (no derivative). Given at
    # every finite point, as (v, v) off the jumps: a constant series, whatever the argument does (floor(round(x))).
    # ("unresolved",): a jump by 1 at an integer beyond 2^53, where a - 1 is a: an error rather than a silent 0
    "sign": lambda a: ("step", -1.0, 1.0) if a == 0 else ("step", _sign(float(a)), _sign(float(a))) if a - a == 0
    else None,
    "floor": _floor_step, "ceil": _ceil_step, "round": _round_step,
}

# How generated code computes each function (dcalc diff --format python|numpy|c|js, symbolic/codegen.py): per language
# (Python, C, JavaScript; NumPy takes np.<numpy> of the entry above) the function that computes it there, or None where
# the language has none. The code then defines a helper from CODE_FORMULAS (the op's value rule as a formula in
# functions the languages have), or NumPy maps the Python function over the array; where neither serves (erf in
# JavaScript) dcalc refuses that language for that function. The operators + - * / and unary - are spelled alike
# everywhere. tests/test_codegen.py enumerates the table: an op without an entry here fails it.
CODE: dict[str, tuple[str | None, str | None, str | None]] = {
    #         Python        C        JavaScript
    "pow": ("math.pow", "pow", "Math.pow"),
    "sin": ("math.sin", "sin", "Math.sin"), "cos": ("math.cos", "cos", "Math.cos"),
    "tan": ("math.tan", "tan", "Math.tan"),
    "sec": (None, None, None), "csc": (None, None, None), "cot": (None, None, None),
    "asin": ("math.asin", "asin", "Math.asin"), "acos": ("math.acos", "acos", "Math.acos"),
    "atan": ("math.atan", "atan", "Math.atan"), "atan2": ("math.atan2", "atan2", "Math.atan2"),
    "sinh": ("math.sinh", "sinh", "Math.sinh"), "cosh": ("math.cosh", "cosh", "Math.cosh"),
    "tanh": ("math.tanh", "tanh", "Math.tanh"), "sech": (None, None, None),
    "asinh": ("math.asinh", "asinh", "Math.asinh"), "acosh": ("math.acosh", "acosh", "Math.acosh"),
    "atanh": ("math.atanh", "atanh", "Math.atanh"),
    "exp": ("math.exp", "exp", "Math.exp"), "ln": ("math.log", "log", "Math.log"), "log": (None, None, None),
    "log10": ("math.log10", "log10", "Math.log10"), "log2": ("math.log2", "log2", "Math.log2"),
    "erf": ("math.erf", "erf", None), "erfc": ("math.erfc", "erfc", None),
    "sqrt": ("math.sqrt", "sqrt", "Math.sqrt"),
    "cbrt": (None, "cbrt", "Math.cbrt"),  # math.cbrt is Python 3.11+: codegen's helper, as _cbrt above
    "abs": ("abs", "fabs", "Math.abs"), "hypot": ("math.hypot", "hypot", "Math.hypot"),
    # the activations: a branch, log1p or a rounding rule each language lacks is a helper (CODE_SOURCE)
    "sigmoid": (None, None, None), "softplus": (None, None, None), "relu": (None, None, None),
    "sign": (None, None, "Math.sign"), "logsumexp": (None, None, None),
    "max": ("max", "fmax", "Math.max"), "min": ("min", "fmin", "Math.min"),
    "csch": (None, None, None), "coth": (None, None, None), "gelu": (None, None, None),
    "floor": ("math.floor", "floor", "Math.floor"), "ceil": ("math.ceil", "ceil", "Math.ceil"),
    "round": (None, "round", None),  # C's round takes halves away from zero, as dcalc does; Python's and JS's do not
}
# Helpers written out per language, where the value rule needs a branch, log1p or a rounding rule that no formula
# states (ops' value rules above, written in each language): the body of a function of the op's arguments a (, b),
# per language; a language left out takes CODE_FORMULAS below (NumPy: the Python helper mapped over the array)
CODE_SOURCE: dict[str, dict[str, str]] = {
    "cbrt": {"python": "    return math.copysign(abs(a) ** (1 / 3), a)\n"},  # math.cbrt is Python 3.11+
    "sigmoid": {
        "python": "    if a >= 0:\n        return 1 / (1 + math.exp(-a))\n    e = math.exp(a)\n    return e / (1 + e)\n",
        "c": "    if (a >= 0) return 1 / (1 + exp(-a));\n    double e = exp(a);\n    return e / (1 + e);\n",
        "js": "    if (a >= 0) return 1 / (1 + Math.exp(-a));\n    const e = Math.exp(a);\n    return e / (1 + e);\n",
        "numpy": "    e = np.exp(-np.abs(a))\n    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))\n"},
    "softplus": {
        "python": "    return (a if a > 0 else 0.0) + math.log1p(math.exp(-abs(a)))\n",
        "c": "    return (a > 0 ? a : 0.0) + log1p(exp(-fabs(a)));\n",
        "js": "    return (a > 0 ? a : 0) + Math.log1p(Math.exp(-Math.abs(a)));\n",
        "numpy": "    return np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a)))\n"},
    "relu": {
        "python": "    return a if a > 0 or a != a else 0.0\n", "c": "    return a > 0 || a != a ? a : 0.0;\n",
        "js": "    return a > 0 || a !== a ? a : 0;\n", "numpy": "    return np.where(a > 0, a, 0.0) + 0 * a\n"},
    "sign": {
        "python": "    return 1.0 if a > 0 else -1.0 if a < 0 else a\n",
        "c": "    return a > 0 ? 1.0 : a < 0 ? -1.0 : a;\n", "js": "    return Math.sign(a);\n"},
    "logsumexp": {
        "python": "    if a == b:\n        return a + math.log(2)\n"
                  "    return (a if a > b else b) + math.log1p(math.exp(-abs(a - b)))\n",
        "c": "    if (a == b) return a + log(2.0);\n    return (a > b ? a : b) + log1p(exp(-fabs(a - b)));\n",
        "js": "    if (a === b) return a + Math.log(2);\n"
              "    return (a > b ? a : b) + Math.log1p(Math.exp(-Math.abs(a - b)));\n",
        "numpy": "    return np.logaddexp(a, b)\n"},
    "round": {
        "python": "    r = float(math.floor(a))\n    d = a - r\n    return r + 1 if d > 0.5 or (d == 0.5 and r >= 0) else r\n",
        "c": "    return round(a);\n",
        "js": "    const r = Math.floor(a);\n    const d = a - r;\n    return d > 0.5 || (d === 0.5 && r >= 0) ? r + 1 : r;\n",
        "numpy": "    r = np.floor(a)\n    d = a - r\n    return np.where((d > 0.5) | ((d == 0.5) & (r >= 0)), r + 1, r)\n"},
}
# The value rules above as formulas, for a language without the function (sech as _sech computes it: no overflow)
CODE_FORMULAS: dict[str, Callable] = {
    "sec": lambda a: 1 / cos(a),
    "csc": lambda a: 1 / sin(a),
    "cot": lambda a: cos(a) / sin(a),
    "sech": lambda a: 2 * exp(-absf(a)) / (1 + exp(-absf(a)) * exp(-absf(a))),
    "log": lambda a, b: ln(a) / ln(b),
    "csch": lambda a: 1 / sinh(a),  # sinh overflows to inf where csch is 0 or a subnormal
    "coth": lambda a: 1 / tanh(a),
    "gelu": lambda a: a * call("erfc", -a / sqrt(2)) / 2,
}


# How each op is computed over wide numbers (core/wide.py: decimals of 40 digits whose exponent reaches ±10^18, the
# passes' fallback where a number leaves the doubles on the way). Per op, a function of (w, op) returning the op's
# function over wide numbers, w being the wide arithmetic (the module core/wide.py, given so that this table imports
# nothing of it): w.exp, w.pow, w.cbrt, w.num (a double as a wide number), w.ONE, w.ZERO, w.PI, w.TINY (the smallest
# normal double), w.grows(small, big, near_zero) (the double rule `small` up to |a| = 700, `big` beyond, `near_zero`
# below the normal doubles) and w.double(op, near_zero) (the double rule on double arguments; near_zero as before).
# An op without an entry is w.double(op): bounded functions of double arguments lose nothing there. A form near 0 is
# needed where an argument below the normal doubles (an underflowed value, 0.7^3000, or a formula's intermediate) is
# something the double rule would see as 0 or rounded (sin(1e-400) is 1e-400; sign(1e-400) is 1, floor(-1e-400) -1).
def _same(w, op):
    return w.double(op, lambda a: a)


def _wide_atan2(w, op):
    through = w.double(op)

    def f(a, b):
        s = max(abs(a), abs(b))
        if 0 < s < w.TINY:  # both below the normal doubles (the double rule would see atan2(0, 0)): the scaled pair
            a, b = a / s, b / s
        if a != 0 and abs(a) < w.TINY and b > 0 and b.is_finite():  # atan of the tiny ratio a/b
            return a / b
        return through(a, b)
    return f


def _sign_of(w, a):
    return w.ONE if a > 0 else -w.ONE


_TAIL = 26  # erfc(a) for a > 26 is below 1e-295: the double rule loses it to underflow from about there on


def _erfc_tail(w, a):
    """erfc(a) for a > 26: e^(-a²)/(a√π)·Σ (-1)^k (2k-1)!!/(2a²)^k, the asymptotic series; its terms fall by at least
    (2k-1)/1352 each, below 10^-42 of the sum long before they grow again."""
    x, term, total = 2 * a * a, w.ONE, w.ONE
    for k in range(1, 60):
        term = -term * (2 * k - 1) / x
        total += term
        if abs(term) < total * w.num(1e-42):
            break
    return w.exp(-a * a) / (a * w.PI.sqrt()) * total


def _wide_logsumexp(w, op):
    """ln(e^a + e^b) = max(a, b) + ln(1 + u), u = e^-|a - b|, with ln(1 + u) as its series where 1 + u would round
    to 1 (u = e^-128 beside a max of 0)."""
    def f(a, b):
        if a == b:
            return a + w.num(2).ln()
        u = w.exp(-abs(a - b))
        return (a if a > b else b) + (u - u * u / 2 + u * u * u / 3 if u < w.num(1e-14) else (1 + u).ln())
    return f


def _wide_erfc(w, op):
    through = w.double(op)
    return lambda a: _erfc_tail(w, a) if a > _TAIL else through(a)


def _wide_gelu(w, op):
    through = w.double(op, lambda a: a / 2)
    root2 = w.num(2).sqrt()
    return lambda a: a / 2 * _erfc_tail(w, -a / root2) if -a / root2 > _TAIL else through(a)


WIDE: dict[str, Callable] = {
    "add": lambda w, op: lambda a, b: a + b, "sub": lambda w, op: lambda a, b: a - b,
    "mul": lambda w, op: lambda a, b: a * b, "div": lambda w, op: lambda a, b: a / b,
    "neg": lambda w, op: lambda a: -a, "pow": lambda w, op: w.pow, "exp": lambda w, op: w.exp,
    "ln": lambda w, op: lambda a: a.ln(), "log10": lambda w, op: lambda a: a.log10(),
    "log2": lambda w, op: lambda a: a.ln() / w.num(2).ln(), "log": lambda w, op: lambda a, b: a.ln() / b.ln(),
    "sqrt": lambda w, op: lambda a: a.sqrt(), "cbrt": lambda w, op: w.cbrt,
    "abs": lambda w, op: w.num.copy_abs,  # exact, not rounded to the context: u/abs(u) is ±1 (relu's rule, …)
    "hypot": lambda w, op: lambda a, b: (a * a + b * b).sqrt(),
    "sinh": lambda w, op: w.grows(math.sinh, lambda a: w.exp(abs(a)) / 2 * _sign_of(w, a), lambda a: a),
    "cosh": lambda w, op: w.grows(math.cosh, lambda a: w.exp(abs(a)) / 2),
    "sech": lambda w, op: w.grows(_sech, lambda a: 2 * w.exp(-abs(a))),
    # beyond |a| = 700 these are e^a (or 1, a) to far more than 40 digits: the double rule underflows there
    "csch": lambda w, op: w.grows(_csch, lambda a: 2 * w.exp(-abs(a)) * _sign_of(w, a), lambda a: w.ONE / a),
    "sigmoid": lambda w, op: w.grows(_sigmoid, lambda a: w.exp(a) if a < 0 else w.ONE),
    "softplus": lambda w, op: w.grows(_softplus, lambda a: w.exp(a) if a < 0 else a),
    # 1/a below the normal doubles, where the double rule would see a as 0 (its pole); an argument beyond the doubles
    # has no double to reduce by the period: NaN, the evaluator's "argument too large" (seed 10005097, csc(x^2) at 1e202)
    "csc": lambda w, op: w.double(op, lambda a: w.ONE / a), "cot": lambda w, op: w.double(op, lambda a: w.ONE / a),
    "atan2": _wide_atan2,
    # comparisons only: exact for wide arguments too (the double rule would see two tiny arguments as 0)
    "logsumexp": _wide_logsumexp,
    "max": lambda w, op: lambda a, b: w.num(_max(a, b)), "min": lambda w, op: lambda a, b: w.num(_min(a, b)),
    # the double rule, but by the form near 0 below the normal doubles
    "sin": _same, "tan": _same, "asin": _same, "atan": _same, "asinh": _same, "atanh": _same, "tanh": _same,
    "cos": lambda w, op: w.double(op, lambda a: w.ONE),
    "erf": lambda w, op: w.double(op, lambda a: 2 * a / w.PI.sqrt()),
    "erfc": _wide_erfc, "gelu": _wide_gelu,  # the right tail (the left one of gelu) below the doubles
    "coth": lambda w, op: w.double(op, lambda a: w.ONE / a),
    "relu": lambda w, op: w.double(op, lambda a: a if a > 0 else w.ZERO),
    "sign": lambda w, op: w.double(op, lambda a: _sign_of(w, a)),
    "floor": lambda w, op: w.double(op, lambda a: w.ZERO if a > 0 else -w.ONE),
    "ceil": lambda w, op: w.double(op, lambda a: w.ONE if a > 0 else w.ZERO),
}
