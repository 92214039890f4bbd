"""Forward mode: tangents carried in evaluation order by the total-derivative rule du/dx = Σ ∂u/∂v · dv/dx.

The sum runs over the nodes v that u reads (an input read directly is one of them, so ∂u/∂x is included). A tangent
of None is a structural zero: such arguments are skipped and their partials never evaluated.
"""

from __future__ import annotations

from ..core.graph import Graph
from ..core.partials import TINY, Widen, finite, local_partials
from ..errors import NotDifferentiable


def tangents(graph: Graph, vals: list[float], seed: dict[str, float], every: bool = True) -> list[float | None]:
    """d(node)/dt for every node, where each input x moves as seed[x]·t (seed {x: 1} gives d/dx). Where a partial
    or a tangent leaves the doubles on the way, the pass runs wide (core/wide.py): the output's tangent is then right
    to rounding, and a node's tangent below the doubles is given as 0 or a subnormal. One beyond them is an overflow
    error if it is an output's, or if `every` node's tangent is wanted (the trace shows them); else ±inf."""
    try:
        if getattr(vals, "wide", None) is not None:  # a value underflowed: its digits are in its wide value alone
            raise Widen
        return finite(graph, _doubles(graph, vals, seed), "tangent")
    except Widen:
        tan = _wide(graph, vals, seed)
        return finite(graph, tan, "tangent", None if every else graph.outputs)


def _wide(graph: Graph, vals: list[float], seed: dict[str, float]) -> list[float | None]:
    """The tangents in wide numbers, each then the nearest double."""
    from decimal import Decimal

    from ..core import wide
    from ..core.partials import wide_local
    tan: list = [None] * len(graph.nodes)
    live = [False] * len(graph.nodes)
    with wide.localcontext(wide.CONTEXT):
        for i, node in enumerate(graph.nodes):
            if node.kind == "input":
                if seed.get(node.name, 0) != 0:
                    tan[i], live[i] = Decimal(float(seed[node.name])), True
            elif node.kind == "node" and any(live[a] for a in node.args):
                live[i] = True
                tan[i] = sum((p * tan[a] for a, p in wide_local(graph, i, vals, live)), wide.ZERO)
    return [None if d is None else wide.to_float(d) for d in tan]


def _doubles(graph: Graph, vals: list[float], seed: dict[str, float]) -> list[float | None]:
    """The tangents in doubles; Widen where a partial or a product ∂u/∂v·dv/dt under- or overflowed."""
    tan: list[float | None] = [None] * len(graph.nodes)
    live = [False] * len(graph.nodes)  # tangent not structurally zero: only those partials are evaluated (x^y, d/dx)
    for i, node in enumerate(graph.nodes):
        if node.kind == "input":
            tan[i] = float(seed[node.name]) if seed.get(node.name, 0) != 0 else None
            live[i] = tan[i] is not None
        elif node.kind == "node" and any(live[a] for a in node.args):
            live[i] = True
            args, partials = node.args, local_partials(graph, i, vals, live, widen=True)
            if len(args) == 2 and args[0] == args[1]:  # x/x: one partial, the sum over both places (as reverse.py)
                args, partials = args[:1], [sum(p for p in partials if p is not None) + 0.0]
            total = 0.0
            for a, p in zip(args, partials):
                if tan[a] is not None:
                    d = p * tan[a]
                    if -TINY < d < TINY and p and tan[a] or d - d != 0:
                        raise Widen
                    total += d
            tan[i] = total
    return tan


def derivative(graph: Graph, vals: list[float], wrt: str) -> float:
    """df/d(wrt) at the point of `vals`: one forward pass (at a kink, the one-sided derivatives decide)."""
    return directional(graph, vals, {wrt: 1.0}, wrt)


def directional(graph: Graph, vals: list[float], seed: dict[str, float], wrt: str | None = None) -> float:
    """The derivative along `seed` (wrt: the variable it is, if one): one forward pass, or where a local partial does
    not exist, the one-sided derivatives of the whole function along ±seed (kinks.py)."""
    try:
        t = tangents(graph, vals, seed, every=False)[graph.output]
    except NotDifferentiable:
        from .kinks import derivative
        return derivative(graph, vals, seed, 1, wrt)
    return 0.0 if t is None else t
