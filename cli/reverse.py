"""Reverse mode: adjoints carried backwards from the output, v̄ = Σ over readers u of ū · ∂u/∂v.

One backward pass gives the whole gradient, whatever the number of inputs: back-propagation. An adjoint of None is a
structural zero (the output does not read the node); such nodes are skipped.
"""

from __future__ import annotations

from .graph import Graph
from .partials import finite, local_partials


def adjoints(graph: Graph, vals: list[float], wrt: list[str] | None = None) -> list[float | None]:
    """∂(output)/∂(node) for every node; with `wrt`, only for the nodes that depend on those inputs (the others'
    partials are never evaluated, so grad --wrt x of x^y at x = -2 does not trip over ln(-2))."""
    active = None if wrt is None else reach(graph, wrt)
    adj: list[float | None] = [None] * len(graph.nodes)
    adj[graph.output] = 1.0
    nodes = graph.nodes
    for i in range(graph.output, -1, -1):
        g = adj[i]
        if g is None or nodes[i].op is None:  # not read by the output, or an input or a constant
            continue
        for a, p in zip(nodes[i].args, local_partials(graph, i, vals, active)):
            if p is not None:
                adj[a] = g * p if adj[a] is None else adj[a] + g * p
    return finite(graph, adj, "adjoint")


def reach(graph: Graph, wrt: list[str]) -> list[bool]:
    """Whether each node depends on one of the inputs named in `wrt`."""
    names = set(wrt)
    out: list[bool] = []
    for n in graph.nodes:
        out.append(n.name in names if n.kind == "input" else n.kind == "node" and any(out[a] for a in n.args))
    return out


def gradient(graph: Graph, vals: list[float], wrt: list[str] | None = None) -> dict[str, float]:
    """∂f/∂x for every input x (or those in `wrt`), zeros included, in order of first appearance."""
    adj = adjoints(graph, vals, wrt)
    return {n.name: (adj[i] or 0.0) + 0.0 for i, n in enumerate(graph.nodes)
            if n.kind == "input" and (wrt is None or n.name in wrt)}
