"""The Jacobian of a program with several outputs: J[out][x] = ∂out/∂x, by whichever mode takes fewer passes.

Reverse mode gives a whole row (one output's gradient) per backward pass; forward mode a whole column (every output's
derivative by one input) per forward pass. Each pass costs about the same (one visit of every node), so m outputs and
n variables take min(m, n) passes: reverse when m ≤ n (the usual case: a few outputs of many parameters), forward
when there are more outputs than variables. The numbers agree to rounding either way (a test checks).

No new interpreter: a row is reverse.gradient of the output alone (Graph.part), a column one forward.tangents pass
read at every output. Where a local partial does not exist (a kink), each row is that output's gradient, whose
one-sided derivatives decide as for a single output (reverse.gradient → kinks.py).
"""

from __future__ import annotations

from ..core.graph import Graph
from ..errors import MathError, NotDifferentiable


def jacobian(graph: Graph, vals: list[float], names: list[str], mode: str | None = None) -> dict[str, dict[str, float]]:
    """{label: {x: ∂label/∂x}} for every output and every name of `names` (0 for a name the program does not read).
    `vals` are the values of the whole graph; `mode` forces "reverse" (rows) or "forward" (columns)."""
    read = [x for x in names if x in graph.inputs]
    if mode is None:
        mode = "reverse" if len(graph.outputs) <= len(read) else "forward"
    if mode == "forward" and read:
        try:
            return _columns(graph, vals, names, read)
        except NotDifferentiable:  # a kink on the way: the rows, each with its one-sided derivatives
            pass
    return {label: row(graph, k, vals, names) for k, label in enumerate(graph.labels)}


def row(graph: Graph, k: int, vals: list[float], names: list[str]) -> dict[str, float]:
    """The gradient of output k by reverse mode (at a kink, its one-sided derivatives decide)."""
    from .reverse import gradient
    part = graph.part(k)
    read = [x for x in names if x in graph.inputs]
    try:
        grad = gradient(part, part_values(part, vals), None if len(read) == len(graph.inputs) else read) if read else {}
    except MathError as e:  # which output has no derivative here
        raise labelled(graph, e, k) from None
    return {x: grad.get(x, 0.0) for x in names}


def _columns(graph: Graph, vals: list[float], names: list[str], read: list[str]) -> dict[str, dict[str, float]]:
    from .forward import tangents
    rows: dict[str, dict[str, float]] = {label: dict.fromkeys(names, 0.0) for label in graph.labels}
    for x in read:
        tan = tangents(graph, vals, {x: 1.0}, every=False)
        for label, o in zip(graph.labels, graph.outputs):
            rows[label][x] = (tan[o] or 0.0) + 0.0
    return rows


def part_values(part: Graph, vals: list[float]) -> list[float]:
    """The values of `part`'s nodes, taken from the whole graph's (wide values with them where those needed them)."""
    index = part.origin
    out = [vals[i] for i in index]
    wide = getattr(vals, "wide", None)
    if wide is None:
        return out
    from .evaluate import Values
    kept = Values(out)
    kept.wide = [wide[i] for i in index]
    return kept


def labelled(graph, error: MathError, k: int) -> MathError:
    """An error of output k alone, its message led by the output's label (which of them fails)."""
    error.message = relabelled(error.message, graph.labels[k])
    return error


def relabelled(message: str, label: str) -> str:
    """A message about the function f as one about output `label`: `f is not …` → `f2 is not …`."""
    return f"{label}{message[1:]}" if message.startswith(("f is ", "f has ")) else f"output {label}: {message}"
