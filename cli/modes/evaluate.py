"""Values: the graph evaluated in order over IEEE doubles, one node at a time."""

from __future__ import annotations

from ..core.graph import Graph, op_value
from ..errors import MissingVariables


def node_values(graph: Graph, point: dict[str, float]) -> list[float]:
    """The value of every node at `point`, which must give every input a value."""
    missing = next((name for name in graph.inputs if name not in point), None)
    if missing is not None:
        raise MissingVariables([n for n in graph.inputs if n not in point], graph.inputs, list(point))
    nodes = graph.evaluated()  # the ignored arguments of calls too (graph.guards): f∘g is undefined where g is
    vals = [0.0] * len(nodes)
    for i, node in enumerate(nodes):
        if node.kind == "node":
            args = [vals[a] for a in node.args]
            v = node.op.value(*args)
            if v - v != 0:  # inf or nan: let the one checker name the node and the values
                v = op_value(node.op, args, graph.text(i), node.name, graph.source,
                            [graph.node(a).name or graph.text(a) for a in node.args])
            vals[i] = v
        elif node.kind == "input":
            vals[i] = float(point[node.name])
        else:
            vals[i] = node.value
    return vals if nodes is graph.nodes else vals[:len(graph.nodes)]


def value(graph: Graph, point: dict[str, float]) -> float:
    return node_values(graph, point)[graph.output]
