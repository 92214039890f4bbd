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
        if literal:
            pieces.append(literal)
        if field is not None:
            pieces.append("ab".index(field))
    return tuple(pieces)


def _prec(e) -> int:
    """How tightly e binds once printed in LaTeX: the text printer's level (printing.prec), but a \\frac is as tight
    as a call, a name or a plain number can be a power's base, and a number in scientific notation is a product."""
    p = prec(e)
    if p < ATOM:
        return ATOM if isinstance(e, Apply) and e.op == "div" else p
    if isinstance(e, Apply):
        return ATOM
    return MUL if isinstance(e, Num) and "e" in number_text(e.value) else BASE


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
                needs[piece] = 0  # a braced group (\frac{a}{b}, x^{b}, \sqrt{a}) needs no parentheses
            elif op.symbol is not None:
                needs[piece] = _operand_need(op, piece, e.args[piece])
    return needs


def _operand_need(op, k: int, child) -> int:
    if op.arity == 1:
        return POWER  # -(-x) and -(a + b) keep their parentheses
    if k == 0:
        return op.prec
    if _prec(child) == UNARY:
        return POWER  # a signed right operand is parenthesised: a - (-b), a \cdot (-1)
    return op.prec + 1  # left-associative: a - (b - c) keeps its parentheses


def _juxtaposed(e: Apply) -> bool:
    """Whether a product prints as `2 x` rather than `2 \\cdot x`: a plain number before a name, call or power."""
    a, b = e.args
    return _prec(a) == BASE and isinstance(a, Num) and not isinstance(b, Num) and _prec(b) >= POWER and not (
        isinstance(b, Apply) and b.op == "pow" and isinstance(b.args[0], Num))


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
    if op.name == "mul" and _juxtaposed(e):
        body: list = [(e.args[0], MUL), " ", (e.args[1], POWER)]
    else:
        needs = _needs(e, op)
        body = [p if isinstance(p, str) else (e.args[p], needs[p]) for p in _template(op)]
    return ["\\left(", *body, "\\right)"] if _prec(e) < need else body
