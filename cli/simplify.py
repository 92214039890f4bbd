"""Simplification of expressions: bottom-up local rewrites, without recursion.

Rules never change a value where the input is defined: constant folding (only when the result is exact enough to
print briefly), the identities of 0 and 1, double negation and signs pulled out of products.
"""

from __future__ import annotations

import math

from .expr import Apply, Num, children

_EXACT_DIGITS = 12  # fold a constant only if its value prints in this many significant digits (2*3 yes, 1/3 no)


def simplify(expr):
    """A simpler expression with the same value wherever `expr` is defined."""
    done: dict[int, object] = {}
    stack = [(expr, False)]
    while stack:
        e, ready = stack.pop()
        kids = children(e)
        if not kids:
            done[id(e)] = e
        elif not ready:
            stack.append((e, True))
            stack.extend((k, False) for k in kids if id(k) not in done)
        else:
            done[id(e)] = rewrite(Apply(e.op, tuple(done[id(k)] for k in kids)))
    return done[id(expr)]


def _num(e):
    return e.value if isinstance(e, Num) else None


def rewrite(e: Apply):
    """One local simplification step at the root of e, whose arguments are already simple."""
    from .ops import OPS
    args = e.args
    vals = [_num(a) for a in args]
    if all(v is not None for v in vals):
        v = OPS[e.op].value(*vals)
        if math.isfinite(v) and float(f"{v:.{_EXACT_DIGITS}g}") == v:
            return Num(v)
    op = e.op
    if op == "neg":
        a = args[0]
        if isinstance(a, Apply) and a.op == "neg":
            return a.args[0]
        return e
    if len(args) != 2:
        return e
    a, b = args
    va, vb = vals
    if op == "add":
        if va == 0:
            return b
        if vb == 0:
            return a
        if isinstance(b, Apply) and b.op == "neg":
            return Apply("sub", (a, b.args[0]))
        if vb is not None and vb < 0:
            return Apply("sub", (a, Num(-vb)))
    elif op == "sub":
        if vb == 0:
            return a
        if va == 0:
            return rewrite(Apply("neg", (b,)))
        if isinstance(b, Apply) and b.op == "neg":
            return Apply("add", (a, b.args[0]))
    elif op == "mul":
        if va == 0 or vb == 0:
            return Num(0.0)
        if va == 1:
            return b
        if vb == 1:
            return a
        if va == -1:
            return rewrite(Apply("neg", (b,)))
        if vb == -1:
            return rewrite(Apply("neg", (a,)))
        if vb is not None and va is None:  # numbers first: x*2 → 2x
            return Apply("mul", (b, a))
    elif op == "div":
        if vb == 1:
            return a
        if va == 0:
            return Num(0.0)
    elif op == "pow":
        if vb == 1:
            return a
        if vb == 0:
            return Num(1.0)
    return e
