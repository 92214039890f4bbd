"""Reverse mode: adjoints carried backwards from the output, v̄ = Σ over readers u of ū · ∂u/∂v.

One backward pass gives the whole gradient, whatever the number of inputs: back-propagation. An adjoint of None is a
structural zero (the output does not read the node); such nodes are skipped. With several outputs, the pass starts
from a seed ȳ on each (`seed`: node → adjoint) and gives the vector–Jacobian product ȳᵀJ: with ȳ = e_k, row k of J.
"""

from __future__ import annotations

from ..core.graph import Graph, reach
from ..core.partials import RULES, TINY, Widen, finite, off_range, partial
from ..errors import MathError, NotDifferentiable


def adjoints(graph: Graph, vals: list[float], wrt: list[str] | None = None, every: bool = True,
             seed: dict[int, float] | None = None) -> list[float | None]:
    """∂(output)/∂(node) for every node (with `seed`, node index → adjoint: Σ seed[o]·∂o/∂node); with `wrt`, only for the nodes that depend on those inputs (the others'
    partials are never evaluated, so grad --wrt x of x^y at x = -2 does not trip over ln(-2)). Where a partial or a
    product leaves the doubles on the way, the pass runs wide (core/wide.py): the inputs' adjoints are then right to
    rounding, and a node's adjoint below the doubles is given as 0 or a subnormal. One beyond them is an overflow
    error if it is an input's, or if `every` node's adjoint is wanted (the trace shows them); else ±inf."""
    active = graph.active if wrt is None else reach(graph, wrt)
    try:
        if getattr(vals, "wide", None) is not None:  # a value underflowed: its digits are in its wide value alone
            raise Widen
        adj = _doubles(graph, vals, active, seed or {graph.output: 1.0})
    except Widen:  # a partial or a product of them left the doubles: the pass again, wide
        adj = _wide(graph, vals, active, seed or {graph.output: 1.0})
        if every:
            finite(graph, adj, "adjoint", range(len(graph.inputs), len(adj)))
    for x, d in zip(graph.inputs, adj):  # an input's adjoint is a derivative of f: too large is an overflow
        if d is not None and d - d != 0:
            raise MathError(f"overflow in the derivative by {x}: it is too large for a double", source=graph.source)
    return adj


def _wide(graph: Graph, vals: list[float], active: list[bool], seed: dict[int, float]) -> list[float | None]:
    """The adjoints in wide numbers, each then the nearest double."""
    from decimal import Decimal

    from ..core import wide
    from ..core.partials import wide_local
    adj: list = [None] * len(graph.nodes)
    for o, w in seed.items():
        adj[o] = wide.ONE if w == 1.0 else Decimal(float(w))
    with wide.localcontext(wide.CONTEXT):
        for i in range(max(seed), -1, -1):
            g = adj[i]
            if g is None or graph.nodes[i].kind != "node":
                continue
            for a, p in wide_local(graph, i, vals, active):
                q = adj[a]
                adj[a] = g * p if q is None else q + g * p
    return [None if d is None else wide.to_float(d) for d in adj]


def _doubles(graph: Graph, vals: list[float], active: list[bool], seed: dict[int, float]) -> list[float | None]:
    """The adjoints in doubles; Widen where a partial, a product ū·∂u/∂v or an adjoint left the normal doubles (a
    nonzero number below them has lost digits, one above is inf, and a later factor may bring either back)."""
    nodes = graph.nodes
    adj: list[float | None] = [None] * len(nodes)
    for o, w in seed.items():
        adj[o] = float(w)
    real, position, rules = float, int, RULES  # local names: the loop below is the whole cost of a wide gradient
    for i in range(max(seed), -1, -1):
        g = adj[i]
        if g is None:  # not read by the output
            continue
        node = nodes[i]
        op = node.op
        if op is None:  # an input or a constant
            continue
        ids = node.args
        if ids[0] == ids[-1] and len(ids) == 2:  # x - x, x/x: one input read twice
            a = ids[0]
            if active[a]:
                # one partial, the sum over both places (exactly 0 for x - x), then times the adjoint: two terms
                # g·1 and g·(-1) added to x̄ one at a time would round away what x̄ held (x + 1e17*(x - x))
                p = _twice(graph, i, vals)
                d = g * p
                if -TINY < d < TINY and g and p:
                    raise Widen
                q = adj[a]
                adj[a] = d if q is None else q + d
            continue
        # partials.local_partials written out: this loop is the whole cost of a wide gradient
        steps = rules[op.name].steps
        for a, step in zip(ids, steps):
            if step is not None and active[a]:
                kind = step.__class__
                if kind is real:  # ±1: the product is exact
                    d = g * step
                else:
                    if kind is position:
                        p = vals[ids[step]]
                    else:
                        args = list(map(vals.__getitem__, ids))
                        p = step(args)
                        if p - p != 0 or -TINY < p < TINY:
                            p = off_range(graph, i, steps.index(step), args, p)
                    d = g * p
                    if -TINY < d < TINY and g and p:
                        raise Widen
                q = adj[a]
                adj[a] = d if q is None else q + d
    # an adjoint that overflowed carries inf or nan down to an input it depends on (inputs are nodes 0, 1, …)
    for d in adj[:len(graph.inputs)]:
        if d is not None and d - d != 0:
            raise Widen
    return adj


def _twice(graph: Graph, i: int, vals: list[float]) -> float:
    """∂node_i/∂x of a node that reads x in both places: the sum of its two partials (DESIGN: "a node that reads one
    input twice reports the summed partial")."""
    return sum(partial(graph, i, step, vals, widen=True)
               for step in RULES[graph.nodes[i].op.name].steps if step is not None) + 0.0


def gradient(graph: Graph, vals: list[float], wrt: list[str] | None = None) -> dict[str, float]:
    """∂f/∂x for every input x (or those in `wrt`), zeros included, in order of first appearance. Where a local
    partial does not exist (a kink), the one-sided derivatives of the whole function decide (kinks.py)."""
    wanted = set(graph.inputs if wrt is None else wrt)
    try:
        adj = adjoints(graph, vals, wrt, every=False)
    except NotDifferentiable:
        return _at_kink(graph, vals, [x for x in graph.inputs if x in wanted])
    return {name: (adj[i] or 0.0) + 0.0 for i, name in enumerate(graph.inputs) if name in wanted}


def _at_kink(graph: Graph, vals: list[float], names: list[str]) -> dict[str, float]:
    """Each partial ∂f/∂x two-sided along ±e_x (kinks.derivative); the variables that reach no kink take one reverse
    pass together (a wide gradient with one kink stays one pass and a few series)."""
    from .kinks import derivative, reaching_kinks
    near = reaching_kinks(graph, vals, names)
    rest = [x for x in names if x not in near]
    adj = adjoints(graph, vals, rest, every=False) if rest else []
    index = {x: i for i, x in enumerate(graph.inputs)}
    return {x: derivative(graph, vals, {x: 1.0}, 1, x) if x in near else (adj[index[x]] or 0.0) + 0.0
            for x in names}


def at_kink(graph: Graph, vals: list[float], wrt: list[str] | None = None) -> bool:
    """Whether a local partial does not exist at this point (a kink: the derivatives came from kinks.py)."""
    try:
        adjoints(graph, vals, wrt, every=False)
    except NotDifferentiable:
        return True
    return False
