"""Local partial derivatives ∂node/∂argument as numbers, derived from the formulas of the primitive table.

Each rule (`b*a^(b-1)` for pow) is turned once into a Python closure over the table's value functions: no text is
evaluated, only the table's own formulas. Multiplication here has a strong zero (0·∞ = 0) because a zero factor in a
rule is exact: `x^0` has derivative 0·x^-1, which is 0 at x = 0 too. A partial that is still not finite means the
derivative does not exist at that point, and the error says so, with one-sided derivatives where they exist.
"""

from __future__ import annotations

import math
from functools import lru_cache
from operator import itemgetter

from .errors import MathError, NotDifferentiable
from .expr import CONSTANTS, Apply, Const, Num, Var
from .graph import Graph
from .ops import OPS, Op
from .printing import number_text, to_text


def _strong_times(left, right):
    return lambda args: 0.0 if (lhs := left(args)) == 0 else lhs * right(args)


def compile_rule(e, params: tuple[str, ...], value=lambda op: op.value, times=_strong_times):
    """A closure computing rule formula e from the argument values: `value(op)` is the function an op is computed
    with (a float one here, a NumPy one for batches) and `times` builds products with the strong zero. A rule is a
    few nodes deep, so recursion is fine."""
    if isinstance(e, (Num, Const)):
        c = e.value if isinstance(e, Num) else CONSTANTS[e.name]
        return lambda args: c
    if isinstance(e, Var):
        return itemgetter(params.index(e.name))
    parts = [compile_rule(a, params, value, times) for a in e.args]
    if e.op == "mul":
        return times(*parts)
    fn = value(OPS[e.op])
    if len(parts) == 1:
        (only,) = parts
        if isinstance(e.args[0], Var):  # fn(a), the commonest rule: one call fewer
            k = params.index(e.args[0].name)
            return lambda args: fn(args[k])
        return lambda args: fn(only(args))
    left, right = parts
    if isinstance(e.args[1], (Num, Const)):  # b - 1 in b*a^(b-1): no call for the constant
        c = right(())
        return lambda args: fn(left(args), c)
    return lambda args: fn(left(args), right(args))


class Rules(tuple):
    """The numeric partial rules of one op, one per argument. `steps` is the form the passes use: a constant rule
    (add, sub, neg) is its float and a rule that is one of the arguments (∂(a*b)/∂a = b) is that argument's position,
    so the commonest partials cost no call and a wide reverse pass stays cheap."""

    steps: tuple


@lru_cache(maxsize=None)
def numeric_rules(name: str) -> Rules:
    """Per argument of op `name`: a function of the argument values giving that partial, or None if zero."""
    op = OPS[name]
    params = ("a", "b")[: op.arity]
    symbols = [Var(p) for p in params]
    exprs = [op.rule(k, *symbols) for k in range(op.arity)]
    exprs = [r if r is None or isinstance(r, (Apply, Num, Var, Const)) else Num(float(r)) for r in exprs]
    rules = Rules(None if r is None else compile_rule(r, params) for r in exprs)
    rules.steps = tuple(r.value if isinstance(r, Num) else params.index(r.name) if isinstance(r, Var) else f
                        for r, f in zip(exprs, rules))
    return rules


def local_partials(graph: Graph, i: int, vals: list[float], active: list[bool] | None = None) -> list[float | None]:
    """∂node_i/∂(each argument) at these values; None for arguments that depend on no input (never evaluated).

    `active` narrows "depends on an input" to the inputs being differentiated by: grad --wrt x of x^y at x = -2 then
    never evaluates ∂/∂y = x^y·ln(x)."""
    ids = graph.nodes[i].args
    if active is None:
        active = graph.active
    return [None if step is None or not active[a] else partial(graph, i, step, vals)
            for a, step in zip(ids, graph.nodes[i].op.steps)]


def partial(graph: Graph, i: int, step, vals: list[float]) -> float:
    """One local partial of node i from its step (see Rules): a constant, an argument's value, or the rule computed
    (not finite: there is no derivative there)."""
    ids = graph.nodes[i].args
    if step.__class__ is float:
        return step
    if step.__class__ is int:
        return vals[ids[step]]
    args = list(map(vals.__getitem__, ids))
    p = step(args)
    if p - p != 0:
        raise not_differentiable(graph, i, graph.nodes[i].op.steps.index(step), args)
    return p


def not_differentiable(graph: Graph, i: int, k: int, args: list[float]) -> NotDifferentiable:
    node = graph.nodes[i]
    op: Op = node.op
    names = [graph.nodes[a].name for a in node.args]
    at = ", ".join(dict.fromkeys(f"{n} = {number_text(v)}" for n, v in zip(names, args) if n))  # x^x: x once
    wrt = "" if op.arity == 1 else f" with respect to {names[k]}"
    if op.arity > 1 and names.count(names[k]) > 1:  # x^x: say which of its places
        wrt = f" with respect to its {('first', 'second')[k]} argument {names[k]}"
    sides = _one_sided(op, k, args)
    if not sides:
        rule = to_text(op.rule(k, *(graph.ref(a) for a in node.args)))
        sides = f": ∂{node.name}/∂{names[k]} = {rule} is undefined there"
    return NotDifferentiable(f"{op.name} is not differentiable{wrt} at {node.name} = {graph.text(i)} where {at}"
                             f"{sides}", source=graph.source)


def _one_sided(op: Op, k: int, args: list[float]) -> str:
    """The left and right derivatives, read off the rule just beside the point: a value that keeps growing as the
    probe closes in (h = 1e-6, then 1e-12) is an infinite one-sided derivative. The rule alone cannot see a jump
    (∂atan2(y, x)/∂y is 0 beside (0, 0), yet atan2 jumps from -π/2 to π/2), so a finite answer must also agree with
    the value's own difference quotient."""
    rule = numeric_rules(op.name)[k]
    x = args[k]
    found = []
    for side, sign in (("left", -1), ("right", 1)):
        probes = []
        for h in (1e-6, 1e-12):
            probes.append(_beside(op, args, k, sign * (abs(x) or 1.0) * h, rule))
        far, close = probes
        if close - close != 0 and not math.isinf(close) or far - far != 0 and not math.isinf(far):
            continue
        if math.isinf(close) or abs(close) > 10 * abs(far):
            found.append(f"{side} derivative {'+' if close > 0 else '-'}inf")
            continue
        q1, q2 = (_quotient(op, args, k, sign * (abs(x) or 1.0) * h) for h in (1e-7, 1e-9))
        if q2 - q2 != 0:
            continue
        if abs(q2 - close) > 1e-3 * (1 + abs(close)):  # the value jumps or bends where the rule does not see it
            if abs(q2) > 10 * abs(q1):
                found.append(f"{side} derivative {'+' if q2 > 0 else '-'}inf")
            continue
        found.append(f"{side} derivative {'+' if close > 0 else ''}{number_text(round(close, 9) + 0.0)}")
    return ": " + ", ".join(found) if found else ""


def _beside(op: Op, args: list[float], k: int, step: float, rule) -> float:
    near = list(args)
    near[k] += step
    return rule(near) if op.defined is None or op.defined(*near) else math.nan


def _quotient(op: Op, args: list[float], k: int, step: float) -> float:
    near = list(args)
    near[k] += step
    return (op.value(*near) - op.value(*args)) / step


def finite(graph: Graph, derivatives: list[float | None], what: str) -> list[float | None]:
    """The tangents or adjoints of a pass, unless one overflowed: finite partials can still multiply up to inf."""
    for i, d in enumerate(derivatives):
        if d is not None and d - d != 0:
            node = graph.nodes[i]
            where = f"{node.name} = {graph.text(i)}" if node.kind == "node" else node.name
            raise MathError(f"overflow in the {what} of {where}: it is too large for a double", source=graph.source)
    return derivatives
