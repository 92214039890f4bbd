"""Reverse mode: adjoints carried backwards from the output, v̄ = Σ over readers u of ū · ∂u/∂v.

One backward pass gives the whole gradient, whatever the number of inputs: back-propagation. An adjoint of None is a
structural zero (the output does not read the node); such nodes are skipped.
"""

from __future__ import annotations

from .graph import Graph
from .partials import local_partials


def adjoints(graph: Graph, vals: list[float]) -> list[float | None]:
    """∂(output)/∂(node) for every node."""
    adj: list[float | None] = [None] * len(graph.nodes)
    adj[graph.output] = 1.0
    for i in range(graph.output, -1, -1):
        node = graph.nodes[i]
        if adj[i] is None or node.kind != "node":
            continue
        for a, p in zip(node.args, local_partials(graph, i, vals)):
            if p is not None:
                adj[a] = adj[i] * p if adj[a] is None else adj[a] + adj[i] * p
    return adj


def gradient(graph: Graph, vals: list[float]) -> dict[str, float]:
    """∂f/∂x for every input x, zeros included, in order of first appearance."""
    adj = adjoints(graph, vals)
    return {n.name: (adj[i] or 0.0) + 0.0 for i, n in enumerate(graph.nodes) if n.kind == "input"}
