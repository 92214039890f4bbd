"""Forward mode: tangents carried in evaluation order by the total-derivative rule du/dx = Σ ∂u/∂v · dv/dx.

The sum runs over the nodes v that u reads (an input read directly is one of them, so ∂u/∂x is included). A tangent
of None is a structural zero: such arguments are skipped and their partials never evaluated.
"""

from __future__ import annotations

from ..core.graph import Graph
from ..core.partials import finite, local_partials
from ..errors import NotDifferentiable


def tangents(graph: Graph, vals: list[float], seed: dict[str, float]) -> list[float | None]:
    """d(node)/dt for every node, where each input x moves as seed[x]·t (seed {x: 1} gives d/dx)."""
    tan: list[float | None] = [None] * len(graph.nodes)
    live = [False] * len(graph.nodes)  # tangent not structurally zero: only those partials are evaluated (x^y, d/dx)
    for i, node in enumerate(graph.nodes):
        if node.kind == "input":
            tan[i] = float(seed[node.name]) if seed.get(node.name, 0) != 0 else None
            live[i] = tan[i] is not None
        elif node.kind == "node" and any(live[a] for a in node.args):
            live[i] = True
            args, partials = node.args, local_partials(graph, i, vals, live)
            if len(args) == 2 and args[0] == args[1]:  # x/x: one partial, the sum over both places (as reverse.py)
                args, partials = args[:1], [sum(p for p in partials if p is not None) + 0.0]
            total = 0.0
            for a, p in zip(args, partials):
                if tan[a] is not None:
                    total += p * tan[a]
            tan[i] = total
    return finite(graph, tan, "tangent")


def derivative(graph: Graph, vals: list[float], wrt: str) -> float:
    """df/d(wrt) at the point of `vals`: one forward pass (at a kink, the one-sided derivatives decide)."""
    return directional(graph, vals, {wrt: 1.0}, wrt)


def directional(graph: Graph, vals: list[float], seed: dict[str, float], wrt: str | None = None) -> float:
    """The derivative along `seed` (wrt: the variable it is, if one): one forward pass, or where a local partial does
    not exist, the one-sided derivatives of the whole function along ±seed (kinks.py)."""
    try:
        t = tangents(graph, vals, seed)[graph.output]
    except NotDifferentiable:
        from .kinks import derivative
        return derivative(graph, vals, seed, 1, wrt)
    return 0.0 if t is None else t
