"""The Hessian by forward-over-reverse: the reverse pass of reverse.py, run in dual numbers along each variable.

For each variable x_j, every node's order-1 Taylor series along e_j comes from series.py; the reverse pass then carries
adjoint pairs (v̄, dv̄/dt): each local partial ∂u/∂v is the series of the table's partial rule at the argument series
(its value and its t-coefficient), and ū·∂u/∂v gives (ū0·p0, ū0·p1 + ū1·p0). The t-coefficients of the inputs'
adjoints are column j of the Hessian. No formula is differentiated twice: the entries inherit the table's stable rules
and Taylor mode's stable recurrences (x/y at 1e160 forms no y², abs(x)/x at 1e-150 does not cancel).

The pass runs in doubles while every number of it stays where no product loses digits: the series' coefficients and
the partials' within 2^±240 (see taylor.py), no product ū·p under- or overflowing. Otherwise (∂(z/x)/∂x changes at
2z/x³ = 1e450 at x = 1e-150; sech²(ln x) at 1e-200 is 4e-400, 0 in doubles, and a rate of 1e400 multiplies it) it
runs again in the wide numbers of core/wide.py, where the entries are right to rounding; an entry beyond the doubles
is an overflow, too large for a double. Where a partial is not finite at the point even wide, or a series takes a one-sided
form (a kink: abs at 0, x^1.5 at 0), the one-sided second derivatives of the whole function decide (kinks.hessian).
"""

from __future__ import annotations

import sys

from ..core.graph import Graph, reach
from ..core.partials import RULES
from ..errors import MathError
from .series import HIGH, LOW, OutOfRange, Overflow, Undecided, Undefined, safe, series

TINY = sys.float_info.min  # the smallest normal double


class _Kink(Exception):
    """A partial that is not finite at the point, or a one-sided form: kinks.py decides."""


def hessian(graph: Graph, vals: list[float], names: list[str]) -> dict[str, dict[str, float]]:
    """∂²f/∂x∂y for x, y in names (row x, column y = the pass along y), as computed: symmetric to rounding."""
    index = {x: i for i, x in enumerate(graph.inputs)}
    active = reach(graph, names)
    h: dict[str, dict[str, float]] = {x: {} for x in names}
    try:
        for y in names:
            column = _column(graph, vals, y, active) if y in index else None
            for x in names:
                h[x][y] = 0.0 if column is None or x not in index else column[index[x]]
    except _Kink:
        from .kinks import hessian as one_sided
        return one_sided(graph, vals, names)
    return h


def _column(graph: Graph, vals: list[float], wrt: str, active: list[bool]) -> list[float]:
    """∂²f/∂x∂wrt for every input x (0 where f does not read x): in doubles, else wide."""
    try:
        column = _pass(graph, vals, wrt, active, False)
    except OutOfRange:
        from ..core.wide import CONTEXT, localcontext
        with localcontext(CONTEXT):
            column = [float(d) + 0.0 for d in _pass(graph, vals, wrt, active, True)]
    for x, d in enumerate(column):
        if d - d != 0:
            pair = f"by {wrt} twice" if graph.inputs[x] == wrt else f"by {graph.inputs[x]} and {wrt}"
            raise MathError(f"overflow in the second derivative {pair}: it is too large for a double",
                            source=graph.source)
    return column


def _lost(x, a, b) -> bool:
    """Whether product x = a·b of nonzero factors under- or overflowed in doubles."""
    return (-TINY < x < TINY and a and b) or x - x != 0


def _pass(graph: Graph, vals: list[float], wrt: str, active: list[bool], wide: bool) -> list:
    """d/dt of every input's adjoint along e_wrt: ∂²f/∂x∂wrt for every input x. In doubles (not `wide`), a number out
    of the safe range raises OutOfRange."""
    try:
        arith, out = series(graph, vals, {wrt: 1.0}, 1, widen=False, raw=True, wide=wide)
    except Overflow as e:
        if not wide:
            raise OutOfRange from None
        node = graph.nodes[e.node]
        where = f"{node.name} = {graph.text(e.node)}" if node.kind == "node" else node.name
        raise MathError(f"overflow in the second derivative by {wrt}: the rate of {where} is too large even beyond "
                        "the doubles", source=graph.source) from None
    except (Undefined, Undecided, RecursionError):
        raise _Kink from None
    if arith.kinks:  # a one-sided form: its t-coefficient is one side's
        raise _Kink
    if not wide and not safe(arith, out):
        raise OutOfRange
    nodes = graph.nodes
    zero = arith.num(0.0)
    adj: list[tuple | None] = [None] * len(nodes)
    adj[graph.output] = (arith.num(1.0), zero)
    for i in range(graph.output, -1, -1):
        if adj[i] is None or nodes[i].kind != "node":  # not read by the output; an input or a constant
            continue
        g0, g1 = adj[i]
        node = nodes[i]
        ids = node.args
        args = [out[a] for a in ids]
        arith.node = i  # a kink met inside a rule's series is marked on this node
        try:
            rules = [None if step is None or not active[a] else arith.rule(node.op.name, k, args)
                     for k, (a, step) in enumerate(zip(ids, RULES[node.op.name].steps))]
            terms = [(a, r[0], r[1]) for a, r in zip(ids, rules) if r is not None]
        except (Undefined, Undecided):  # a rule that meets its own edge (0·x^-1 at 0): the one-sided look decides
            raise _Kink from None
        if arith.kinks:
            raise _Kink
        if len(ids) == 2 and ids[0] == ids[1] and terms:  # x - x, x/x: the sum of both partials first (as reverse.py)
            terms = [(ids[0], sum((t[1] for t in terms), zero), sum((t[2] for t in terms), zero))]
        for a, p0, p1 in terms:
            if p0 - p0 != 0:  # beyond the doubles (run wide), or, wide, the partial itself does not exist here
                raise _Kink if wide else OutOfRange
            d0, t0, t1 = g0 * p0, g0 * p1, g1 * p0
            if not wide and (not (p0 == 0 or LOW <= abs(p0) <= HIGH) or not (p1 == 0 or LOW <= abs(p1) <= HIGH) or
                             _lost(d0, g0, p0) or _lost(t0, g0, p1) or _lost(t1, g1, p0)):
                raise OutOfRange
            q = adj[a]
            adj[a] = (d0, t0 + t1) if q is None else (q[0] + d0, q[1] + t0 + t1)
    column = [zero if p is None else p[1] for p in adj[:len(graph.inputs)]]
    # a sum that overflowed, or a coefficient the rules' series computed on the way (a/b inside -(a/b)/b) out of range
    if not wide and (any(d - d != 0 for d in column) or not safe(arith, out)):
        raise OutOfRange
    return column
