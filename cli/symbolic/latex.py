"""AST → LaTeX math, from the primitive table's `latex` templates, with precedence-driven parentheses.

Iterative like printing.to_text: a stack of pending pieces instead of recursion, so a 100,000-deep expression prints.
A template such as `\\frac{{{a}}}{{{b}}}` is split once into literal text and argument slots; each slot gets the
binding strength its child needs, read from the template (a slot right before `^` is a base) and the operator.
"""

from __future__ import annotations

import math
import re
from functools import cache
from string import Formatter

from ..core.names import primitive
from ..core.printing import ATOM, MUL, POWER, UNARY, assemble, number_text, prec
from ..language.expr import Apply, Num

BASE = ATOM + 1  # a power's base: only a name or a plain number goes there without parentheses

_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu",
          "xi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda",
          "Xi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"}
_INDEXED = re.compile(r"([A-Za-z]+)_?(\d+)")  # x1, u2, x_10 → x_{1}, u_{2}, x_{10}


def name_latex(name: str) -> str:
    """A variable or node name as LaTeX: `u2` → `u_{2}`, `alpha` → `\\alpha`, `rate_2` → `\\mathit{rate\\_2}`."""
    if name == "pi" or name == "π":
        return "\\pi"
    m = _INDEXED.fullmatch(name)
    if m:
        return f"{name_latex(m.group(1))}_{{{m.group(2)}}}"
    if len(name) == 1:
        return name
    if name in _GREEK:
        return "\\" + name
    return "\\mathit{" + name.replace("_", "\\_") + "}"


def number_latex(v: float, digits: int | None = None) -> str:
    """A number as LaTeX: the shortest round-trip text, with `1e-05` written `1 \\times 10^{-5}`."""
    if math.isinf(v):
        return "-\\infty" if v < 0 else "\\infty"
    if math.isnan(v):
        return "\\mathrm{NaN}"
    text = number_text(v, digits)
    if "e" in text:
        mantissa, exp = text.split("e")
        return f"{mantissa} \\times 10^{{{int(exp)}}}"
    return text


def _op(e: Apply):
    """The primitive an application means, by its name and number of arguments as written (`log(x)` is ln, `log(x, b)`
    the log to base b, `pow(a, b)` is a^b); None for a user function."""
    return primitive(e.op, len(e.args))


@cache
def _template(op) -> tuple:
    """The template of an op as a tuple of literal strings and argument indices (0 for {a}, 1 for {b})."""
    pieces: list = []
    for literal, field, _, _ in Formatter().parse(op.latex):
        if literal and pieces and isinstance(pieces[-1], str):
            pieces[-1] += literal  # `{{` splits a literal: \operatorname{{sech}} comes in three pieces
        elif literal:
            pieces.append(literal)
        if field is not None:
            pieces.append("ab".index(field))
    return tuple(pieces)


def _prec(e) -> int:
    """How tightly e binds once printed in LaTeX: the text printer's level (printing.prec), but a \\frac is as tight
    as a call (a signed one, -\\frac{1}{x}, as a negation), a name or a plain number can be a power's base, and a
    number in scientific notation is a product."""
    p = prec(e)
    if p < ATOM:
        if isinstance(e, Apply) and e.op == "div":
            return UNARY if _signed(e.args[0]) else ATOM
        return p
    if isinstance(e, Apply):
        return BASE if _fenced(e) else ATOM
    return MUL if isinstance(e, Num) and "e" in number_text(e.value) else BASE


def _fenced(e: Apply) -> bool:
    """A call written between a pair of delimiters of its own (\\left|a\\right|): a power's base as it is, |x|^{2}."""
    op = _op(e)
    pieces = _template(op) if op is not None else ()
    return len(pieces) == 3 and pieces[0] == "\\left|" and pieces[2] == "\\right|"


def _needs(e: Apply, op) -> list[int]:
    """The binding strength each argument slot of e's template (op's) requires."""
    pieces = _template(op)
    needs = [0] * op.arity
    for j, piece in enumerate(pieces):
        if isinstance(piece, int):
            before = pieces[j - 1] if j and isinstance(pieces[j - 1], str) else ""
            after = pieces[j + 1] if j + 1 < len(pieces) and isinstance(pieces[j + 1], str) else ""
            if after.startswith("^"):
                needs[piece] = BASE
            elif before.endswith("{") and after.startswith("}"):
                needs[piece] = 0  # a braced group (\\frac{a}{b}, x^{b}, \\sqrt{a}) needs no parentheses
            elif op.symbol is not None:
                needs[piece] = _operand_need(op, piece, e.args[piece])
    return needs


def _operand_need(op, k: int, child) -> int:
    if op.arity == 1:
        return POWER  # -(-x) and -(a + b) keep their parentheses
    if k == 0:
        return op.prec
    if _prec(child) == UNARY:
        return POWER  # a signed right operand is parenthesised: a - (-b), a \\cdot (-1)
    return op.prec + 1  # left-associative: a - (b - c) keeps its parentheses


def _negative(e) -> bool:
    return isinstance(e, Num) and (e.value < 0 or math.copysign(1.0, e.value) < 0)


def _signed(e) -> bool:
    """Whether e prints with a leading minus: a negative number or a negation, alone or as a product's first factor."""
    while isinstance(e, Apply) and e.op == "mul":
        e = e.args[0]
    return _negative(e) or isinstance(e, Apply) and e.op == "neg"


def _unsigned(e):
    """e without its leading minus (_signed(e) holds): -x y → x y, -1 x → x. Iterative down the products' left spine."""
    rights = []
    while isinstance(e, Apply) and e.op == "mul":
        rights.append(e.args[1])
        e = e.args[0]
    e = Num(-e.value) if isinstance(e, Num) else e.args[0]
    for r in reversed(rights):
        e = r if isinstance(e, Num) and e.value == 1 else Apply("mul", (e, r))
    return e


def _edge_leaf(e, side: int):
    """The leaf a printed product starts (side 0) or ends (side 1) with, down the products' spine (a start also down a
    power's base); None where that is a parenthesis, a \\frac or a call."""
    while isinstance(e, Apply):
        if e.op == "mul":
            child = e.args[side]
            need = MUL if side == 0 else _operand_need(_op(e), 1, child)
        elif e.op == "pow" and side == 0 and _function_power(e) is None:
            child, need = e.args[0], BASE
        else:
            return None
        if _prec(child) < need:
            return None
        e = child
    return e


def _wordy(e) -> bool:
    """A name printed as a word (\\mathit{rate}): beside another factor it would read as one longer word."""
    return e is not None and not isinstance(e, Num) and "\\mathit" in name_latex(e.name)


def _juxtaposed(e: Apply) -> bool:
    """Whether a product prints as `2 x`, `x \\sin(x)`, `x (x + 1)` rather than with \\cdot: not before a number
    (x \\cdot 2, 2 \\cdot 3^{x}, x \\cdot (-1)), not a number before a numeric fraction (2 \\cdot \\frac{1}{3} is not
    2⅓), not beside a word-like name (\\mathit{rate}) or a number in scientific notation."""
    a, b = e.args
    last = None if _prec(a) < MUL else _edge_leaf(a, 1)
    first = None if _prec(b) < _operand_need(_op(e), 1, b) else _edge_leaf(b, 0)
    if isinstance(b, Num) or isinstance(first, Num) or _wordy(last) or _wordy(first):
        return False
    if isinstance(last, Num) and _prec(last) == MUL:
        return False  # 1 \times 10^{-5} \cdot x
    if isinstance(last, Num) and isinstance(b, Apply) and b.op == "div":
        return not (_signed(b.args[0]) or isinstance(_edge_leaf(b.args[0], 0), Num))
    return True


def _function_power(e: Apply) -> str | None:
    """sec(x)^2 as `\\sec^{2}`: the head of a named function's template when e raises its call to a whole power of at
    least 2 (a negative power would read as an inverse, \\sin^{-1}); None otherwise."""
    base, k = e.args
    if not (e.op == "pow" and isinstance(base, Apply) and isinstance(k, Num) and k.value >= 2 and k.value.is_integer()
            and k.value < 1e16):
        return None
    op = _op(base)
    pieces = _template(op) if op is not None and op.arity == 1 else ()
    if len(pieces) == 3 and pieces[1] == 0 and pieces[2] == "\\right)" and _HEAD.fullmatch(pieces[0]):
        return pieces[0][: -len("\\left(")]
    return None


_HEAD = re.compile(r"\\(?:[A-Za-z]+|operatorname\{[A-Za-z0-9]+\})\\left\(")  # \sin\left(, \operatorname{sech}\left(


def _ratio(v: float) -> tuple[int, int] | None:
    """A power's non-whole exponent as the fraction it is (1.5 → 3/2, -0.6666666666666666 → -2/3), when a fraction with
    a denominator up to 1000 is that same double; None otherwise."""
    if v.is_integer() or not math.isfinite(v):
        return None
    from fractions import Fraction  # here: only a fractional power needs it
    f = Fraction(v).limit_denominator(1000)
    return (f.numerator, f.denominator) if f.numerator / f.denominator == v else None


def to_latex(expr, *, digits: int | None = None) -> str:
    """Print an expression as LaTeX math (no surrounding `$`)."""
    def leaf(e, need):
        if isinstance(e, Num):
            text = number_latex(e.value, digits)
            return f"\\left({text}\\right)" if _prec(e) < need else text
        return name_latex(e.name)
    return assemble(expr, leaf, _pieces)


def _pieces(e: Apply, need: int) -> list:
    """One level of an application: strings to emit and (child, required strength) pairs to print."""
    op = _op(e)
    if op is None:  # a user function call, before lowering inlines it
        parts: list = [f"\\operatorname{{{e.op}}}\\left("]
        for i, a in enumerate(e.args):
            parts += [", "] if i else []
            parts.append((a, 0))
        return parts + ["\\right)"]
    head = _function_power(e) if op.name == "pow" else None
    ratio = _ratio(e.args[1].value) if op.name == "pow" and isinstance(e.args[1], Num) else None
    if head is not None:  # \sec^{2}\left(x\right)
        body: list = [head, "^{", (e.args[1], 0), "}\\left(", (e.args[0].args[0], 0), "\\right)"]
    elif ratio is not None:  # x^{\frac{3}{2}}, never x^{1.5}
        sign, (p, q) = "-" if ratio[0] < 0 else "", ratio
        body = [(e.args[0], BASE), f"^{{{sign}\\frac{{{abs(p)}}}{{{q}}}}}"]
    elif op.name == "div" and _signed(e.args[0]):  # -\frac{1}{x^{2}}, not \frac{-1}{x^{2}}
        body = ["-\\frac{", (_unsigned(e.args[0]), 0), "}{", (e.args[1], 0), "}"]
    else:
        needs = _needs(e, op)
        template = _template(op) if op.name != "mul" or not _juxtaposed(e) else (0, " ", 1)
        body = [p if isinstance(p, str) else (e.args[p], needs[p]) for p in template]
    return ["\\left(", *body, "\\right)"] if _prec(e) < need else body
