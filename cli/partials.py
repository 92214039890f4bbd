"""Local partial derivatives ∂node/∂argument as numbers, derived from the formulas of the primitive table.

Each rule (`b*a^(b-1)` for pow) is turned once into a Python closure over the table's value functions: no text is
evaluated, only the table's own formulas. Multiplication here has a strong zero (0·∞ = 0) because a zero factor in a
rule is exact: `x^0` has derivative 0·x^-1, which is 0 at x = 0 too. A partial that is still not finite means the
derivative does not exist at that point, and the error says so, with one-sided derivatives where they exist.
"""

from __future__ import annotations

import math
from functools import lru_cache

from .errors import NotDifferentiable
from .expr import Apply, Const, CONSTANTS, Num, Var
from .graph import Graph
from .ops import OPS, Op
from .printing import number_text, to_text


def _compile(e, params: tuple[str, ...]):
    """A closure computing expression e from the argument values (e is a small rule formula, so recursion is fine)."""
    if isinstance(e, Num) or isinstance(e, Const):
        c = e.value if isinstance(e, Num) else CONSTANTS[e.name]
        return lambda args: c
    if isinstance(e, Var):
        k = params.index(e.name)
        return lambda args: args[k]
    fn = OPS[e.op].value
    parts = [_compile(a, params) for a in e.args]
    if e.op == "mul":
        left, right = parts
        return lambda args: 0.0 if (l := left(args)) == 0 else l * right(args)
    if len(parts) == 1:
        (only,) = parts
        return lambda args: fn(only(args))
    left, right = parts
    return lambda args: fn(left(args), right(args))


@lru_cache(maxsize=None)
def numeric_rules(name: str) -> tuple:
    """Per argument of op `name`: a function of the argument values giving that partial, or None if zero."""
    op = OPS[name]
    params = ("a", "b")[: op.arity]
    symbols = [Var(p) for p in params]
    out = []
    for k in range(op.arity):
        rule = op.rule(k, *symbols)
        out.append(None if rule is None else _compile(rule if isinstance(rule, (Apply, Num, Var, Const))
                                                       else Num(float(rule)), params))
    return tuple(out)


def local_partials(graph: Graph, i: int, vals: list[float]) -> list[float | None]:
    """∂node_i/∂(each argument) at these values; None for arguments that depend on no input (never evaluated)."""
    node = graph.nodes[i]
    args = [vals[a] for a in node.args]
    rules = numeric_rules(node.op.name)
    out: list[float | None] = []
    for k, a in enumerate(node.args):
        if not graph.active[a] or rules[k] is None:
            out.append(None)
            continue
        p = rules[k](args)
        if p - p != 0:
            raise _not_differentiable(graph, i, k, args)
        out.append(p)
    return out


def _not_differentiable(graph: Graph, i: int, k: int, args: list[float]) -> NotDifferentiable:
    node = graph.nodes[i]
    op: Op = node.op
    names = [graph.nodes[a].name for a in node.args]
    at = ", ".join(f"{n} = {number_text(v)}" for n, v in zip(names, args) if n)
    wrt = "" if op.arity == 1 else f" with respect to {names[k]}"
    sides = _one_sided(op, k, args)
    if not sides:
        rule = to_text(op.rule(k, *(graph.ref(a) for a in node.args)))
        sides = f": ∂{node.name}/∂{names[k]} = {rule} is undefined there"
    return NotDifferentiable(f"{op.name} is not differentiable{wrt} at {node.name} = {graph.text(i)} where {at}"
                             f"{sides}", source=graph.source)


def _one_sided(op: Op, k: int, args: list[float]) -> str:
    """The left and right derivatives, read off the rule just beside the point: a value that keeps growing as the
    probe closes in (h = 1e-6, then 1e-12) is an infinite one-sided derivative."""
    rule = numeric_rules(op.name)[k]
    x = args[k]
    found = []
    for side, sign in (("left", -1), ("right", 1)):
        probes = []
        for h in (1e-6, 1e-12):
            near = list(args)
            near[k] = x + sign * (abs(x) or 1.0) * h
            probes.append(rule(near) if op.defined is None or op.defined(*near) else math.nan)
        far, close = probes
        if close - close != 0 and not math.isinf(close) or far - far != 0 and not math.isinf(far):
            continue
        if math.isinf(close) or abs(close) > 10 * abs(far):
            found.append(f"{side} derivative {'+' if close > 0 else '-'}inf")
        else:
            found.append(f"{side} derivative {'+' if close > 0 else ''}{number_text(round(close, 9) + 0.0)}")
    return ": " + ", ".join(found) if found else ""
