"""The Hessian by forward-over-reverse: the reverse pass of reverse.py, run in dual numbers along each variable.

For each variable x_j, every node's order-1 Taylor series along e_j comes from series.py; the reverse pass then carries
adjoint pairs (v̄, dv̄/dt): each local partial ∂u/∂v is the series of the table's partial rule at the argument series
(its value and its t-coefficient), and ū·∂u/∂v gives (ū0·p0, ū0·p1 + ū1·p0). The t-coefficients of the inputs'
adjoints are column j of the Hessian. No formula is differentiated twice: the entries inherit the table's stable rules
and Taylor mode's stable recurrences (x/y at 1e160 forms no y², abs(x)/x at 1e-150 does not cancel).

A t-coefficient may overflow where the entry is a double: ∂(z/x)/∂x changes at 2z/x³ = 1e450 at x = 1e-150, read
with an adjoint of 1e-300. The pass is then run again along s·e_j for s = 2^-64, 2^-128, … and its column divided by s
(exact): the first scale that overflows nowhere and underflows nowhere (no t-coefficient lands below the normal
doubles) gives the column. Where a partial is not finite at the point, or a series takes a one-sided form (a kink: abs
at 0, x^1.5 at 0), the one-sided second derivatives of the whole function decide (kinks.hessian). No scale serving
is an overflow, too large for a double; and where what the pass lost below the normal doubles may change an entry by
more than 2^-40 of it (sech²(ln x) at 1e-200 is 4e-400, 0 in doubles, and a rate of 1e400 multiplies it: f'' came
out twice the truth) the Hessian is refused with that reason rather than given wrong.
"""

from __future__ import annotations

import math
import sys

from ..core.graph import Graph, reach
from ..core.partials import RULES
from ..errors import MathError
from .series import Overflow, Undecided, Undefined, series

TINY = sys.float_info.min  # the smallest normal double
SUB = 2.0 ** -1074  # the smallest subnormal: the rounding unit below TINY
ROUNDINGS = 8  # roundings below TINY allowed for in one partial rule


class _Kink(Exception):
    """A partial that is not finite at the point, or a one-sided form: kinks.py decides."""


class _Range(Exception):
    """A t-coefficient that overflowed (or, in a scaled pass, underflowed): another scale may serve."""


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
    """∂²f/∂x∂wrt for every input x (0 where f does not read x): unscaled, else at the first scale that serves."""
    for e in range(0, -1025, -64):
        try:
            column = _pass(graph, vals, wrt, math.ldexp(1.0, e), active, guard=e != 0)
        except _Range:
            continue
        out = []
        for x, d in enumerate(column):
            try:
                d = math.ldexp(d, -e) + 0.0
            except OverflowError:
                d = math.inf
            if d - d != 0:
                pair = f"by {wrt} twice" if graph.inputs[x] == wrt else f"by {graph.inputs[x]} and {wrt}"
                raise MathError(f"overflow in the second derivative {pair}: it is too large for a double",
                                source=graph.source)
            out.append(d)
        return out
    raise MathError(f"overflow in the second derivative by {wrt}: an intermediate rate is too large for a double at "
                    "every scale", source=graph.source)


def _pass(graph: Graph, vals: list[float], wrt: str, scale: float, active: list[bool], guard: bool) -> list[float]:
    """d/dt of every input's adjoint along scale·e_wrt: scale·∂²f/∂x∂wrt for every input x. `guard`: a nonzero
    t-coefficient below the normal doubles, or a product of nonzero ones that is 0, is a _Range (the scale lost
    digits)."""
    try:
        arith, out = series(graph, vals, {wrt: scale}, 1)
    except Overflow:
        raise _Range from None
    except (Undefined, Undecided, RecursionError):
        raise _Kink from None
    if arith.kinks:  # a one-sided form: its t-coefficient is one side's
        raise _Kink
    if guard and any(0 < abs(s[1]) < TINY for s in out):
        raise _Range
    nodes = graph.nodes
    err, err1 = [0.0] * len(nodes), [0.0] * len(nodes)  # bounds on what the adjoint pairs lost below TINY
    adj: list[tuple[float, float] | None] = [None] * len(nodes)
    adj[graph.output] = (1.0, 0.0)
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
        except (Undefined, Undecided):  # a rule that meets its own edge (0·x^-1 at 0): the one-sided look decides
            raise _Kink from None
        # a rule computed from a formula may underflow; a constant one (±1) or an argument's value is exact
        computed = [callable(step) for step in RULES[node.op.name].steps]
        terms: list[tuple[int, float, float, bool]] = []
        if len(ids) == 2 and ids[0] == ids[1]:  # x - x, x/x: the sum of both partials first (as reverse.py does)
            present = [r for r in rules if r is not None]
            if present:
                terms.append((ids[0], sum(r[0] for r in present) + 0.0, sum(r[1] for r in present) + 0.0,
                              any(c for r, c in zip(rules, computed) if r is not None)))
        else:
            terms.extend((a, r[0], r[1], c) for a, r, c in zip(ids, rules, computed) if r is not None)
        if arith.kinks:
            raise _Kink
        moving = any(out[a][1] for a in ids)  # else every rate here is exactly 0 (the pass along an unread input)
        for a, p0, p1, formula in terms:
            if p0 - p0 != 0:  # the partial itself does not exist here
                raise _Kink
            d0, t0, t1 = g0 * p0, g0 * p1, g1 * p0
            # what a number below the normal doubles may have lost (a few roundings of 2^-1074 each), carried down
            # with the adjoints: a later rate multiplies it (sech²(ln x) = 4e-400 is 0, times d(1/x)/dt = -1e400)
            lost0 = ROUNDINGS * SUB if formula and abs(p0) < TINY else 0.0
            lost1 = ROUNDINGS * SUB if formula and moving and abs(p1) < TINY else 0.0
            e0 = err[i] * abs(p0) + abs(g0) * lost0 + (SUB if g0 and p0 and abs(d0) < TINY else 0.0)
            e1 = err[i] * abs(p1) + err1[i] * abs(p0) + abs(g0) * lost1 + abs(g1) * lost0
            err[a] += e0
            err1[a] += e1
            d1 = t0 + t1
            if d1 - d1 != 0:
                raise _Range
            if guard and (0 < abs(p1) < TINY or 0 < abs(d1) < TINY or t0 == 0 and g0 and p1 or
                          t1 == 0 and g1 and p0):
                raise _Range
            q = adj[a]
            adj[a] = (d0, d1) if q is None else (q[0] + d0, q[1] + d1)
    column = [0.0 if p is None else p[1] + 0.0 for p in adj[:len(graph.inputs)]]
    for d, e in zip(column, err1):
        # an error below the smallest normal double is a subnormal's rounding (oracle seed 12: f_yy = -2e-480 is 0)
        if e > 2.0 ** -40 * abs(d) + TINY * scale:  # beyond that, an underflow may have changed the entry: say so
            raise MathError(f"the second derivative by {wrt} is not computable to rounding here: a partial below "
                            "the smallest normal double is multiplied up by a large rate", source=graph.source)
    return column
