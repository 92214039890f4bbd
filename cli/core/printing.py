"""AST → dcalc text with the fewest parentheses (so that `parse(to_text(e)) == e`), or fully parenthesised.

Iterative: a stack of pending pieces instead of recursion, so a 100,000-deep expression prints like a shallow one.
"""

from __future__ import annotations

import math

from ..language.expr import Apply, Const, Num, Var
from .ops import OPS

# The one precedence table of both printers (text here, LaTeX in symbolic/latex.py): how tightly an expression binds.
# An operation's level is its `prec` in the primitive table; a function call, a name and a number are atoms.
ADD, MUL, UNARY, POWER, ATOM = 1, 2, 3, 4, 5


def number_text(v: float, digits: int | None = None) -> str:
    """The shortest text that reads back to the same double (`19`, not `19.0`), or `digits` significant digits."""
    if digits is not None:
        return f"{v:.{digits}g}"
    if v == 0:
        return "-0" if math.copysign(1.0, v) < 0 else "0"
    if v.is_integer() and abs(v) < 1e16:
        return str(int(v))
    return repr(v)


def prec(e) -> int:
    """How tightly an expression binds (see ADD … ATOM); a child printed where more is needed gets parentheses."""
    if isinstance(e, Num):
        return UNARY if e.value < 0 or math.copysign(1.0, e.value) < 0 else ATOM
    if isinstance(e, Apply):
        op = OPS.get(e.op)
        return op.prec if op is not None else ATOM
    return ATOM


def _leading_name(e) -> str | None:
    """The name a juxtaposed right factor would start with, or '(' / None when it cannot follow a number."""
    while True:
        if isinstance(e, (Var, Const)):
            return e.name
        if isinstance(e, Apply):
            op = OPS.get(e.op)
            if op is None or op.symbol is None:
                return e.op
            if e.op == "pow":
                e = e.args[0]
                continue
            return "("
        return None


def _implicit(e: Apply) -> bool:
    """Whether `a*b` prints as `ab`: a number before a name, a call or a parenthesis (`-3x` reads back as (-3)*x, the
    way dcalc reads a signed number literal)."""
    a, b = e.args
    if not isinstance(a, Num) or isinstance(b, Num):
        return False
    lead = _leading_name(b) if prec(b) >= POWER else "("
    if lead is None:
        return False
    return not (lead[:1] in ("e", "E") and lead[1:2].isdecimal())  # `2e3` would lex as a number: never 2 juxtaposed to e3


def assemble(expr, leaf, pieces) -> str:
    """The one printing loop, iterative: `leaf(e, need)` prints a number, name or constant; `pieces(e, need)` gives one
    level of an application as strings and (child, required precedence) pairs, which are printed in turn."""
    out: list[str] = []
    stack: list = [(expr, 0)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item[0], Apply):
            stack.extend(reversed(pieces(*item)))
        else:
            out.append(leaf(*item))
    return "".join(out)


def to_text(expr, *, explicit: bool = False, digits: int | None = None) -> str:
    """Print an expression. `explicit` parenthesises every compound operand, so `1/2x` shows as `(1/2)*x`."""
    def leaf(e, need):
        if isinstance(e, Num):
            text = number_text(e.value, digits)
            return f"({text})" if prec(e) < need else text
        return e.name
    return assemble(expr, leaf, lambda e, need: _pieces(e, need, explicit))


def _pieces(e: Apply, need: int, explicit: bool) -> list:
    """One level of an application: strings to emit and (child, required precedence) pairs to print."""
    op = OPS.get(e.op)
    if op is None or op.symbol is None:
        parts: list = [e.op + "("]
        for i, a in enumerate(e.args):
            parts += [", "] if i else []
            parts.append((a, 0))
        return parts + [")"]
    p = op.prec
    if explicit:
        inner = ATOM if p < ATOM else 0
        left, right = inner, inner
    elif op.arity == 1:
        left = right = UNARY
    elif e.op == "pow":
        left = right = ATOM  # an exponent other than a name, a call or a plain number is parenthesised: e^(x^2),
        # e^(-x), x^(-2) (right-associative, so 2^3^2 reads back as it was, though it prints 2^(3^2))
    else:
        left, right = p, p + 1  # left-associative: a - (b - c) keeps its parentheses
    if op.arity == 1:
        body = [op.symbol, (e.args[0], right)]
    elif e.op == "mul" and not explicit and _implicit(e):
        body = [(e.args[0], left), (e.args[1], POWER)]
    else:
        sym = f" {op.symbol} " if p == 1 else op.symbol
        body = [(e.args[0], left), sym, (e.args[1], right)]
    return ["(", *body, ")"] if p < need else body
