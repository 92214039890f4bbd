"""Values: the graph evaluated in order over IEEE doubles, one node at a time.

Where a node's value underflowed (0 or a subnormal from nonzero finite arguments, by an op that is not exact there:
exp(-740) keeps 3 digits, exp(-750) none), a later node may multiply it back up (1e-300/exp(-740)) and the digits lost
would show. From that node on the evaluation continues in the wide numbers of core/wide.py (imported only then), and
each value is the nearest double of its wide value: the values are right to rounding, a final value below the
subnormals is 0, and an intermediate beyond the doubles is an overflow, as in doubles. The wide values stay with the
values (`Values.wide`): the derivative passes (forward.py, reverse.py) then run wide over them, not over the rounded
doubles (a subnormal partial's lost digits would show in the derivative too); the series passes (--order, Hessian)
build every node's value from the inputs themselves, wide where one leaves the safe range.
"""

from __future__ import annotations

import math
import sys

from ..core.graph import TINY, Graph, formula_graph, op_value, underflowed
from ..errors import FormulaOverflow, MissingVariables, Overflow


class Values(list):
    """Node values that needed the wide numbers: the doubles, and `wide`, each node's wide value."""

    wide: list


def node_values(graph: Graph, point: dict[str, float]) -> list[float]:
    """The value of every node at `point`, which must give every input a value."""
    missing = next((name for name in graph.inputs if name not in point), None)
    if missing is not None:
        raise MissingVariables([n for n in graph.inputs if n not in point], graph.inputs, list(point))
    nodes = graph.evaluated()  # the ignored arguments of calls too (graph.guards): f∘g is undefined where g is
    vals = [0.0] * len(nodes)
    tiny = TINY  # a local name: the check below is on every node
    for i, node in enumerate(nodes):
        if node.kind == "node":
            args = [vals[a] for a in node.args]
            v = node.op.value(*args)
            if v - v != 0:  # inf or nan: let the one checker name the node and the values
                try:
                    v = op_value(node.op, args, graph.text(i), node.name, graph.source,
                                 [graph.node(a).name or graph.text(a) for a in node.args])
                except Overflow:  # beyond the doubles, a later node may bring it back (exp(745)*exp(-745.1)): wide
                    vals = _wide(graph, nodes, vals, i, point)
                    break
            elif -tiny < v < tiny and underflowed(node.op, args):  # digits lost: wide from here on
                vals = _wide(graph, nodes, vals, i, point)
                break
            vals[i] = v
        elif node.kind == "input":
            vals[i] = float(point[node.name])
        else:
            vals[i] = node.value
    if nodes is graph.nodes:
        return vals
    if isinstance(vals, Values):
        short = Values(vals[:len(graph.nodes)])
        short.wide = vals.wide[:len(graph.nodes)]
        return short
    return vals[:len(graph.nodes)]


def _wide(graph: Graph, nodes: list, vals: list[float], start: int, point: dict[str, float]) -> Values:
    """The values from node `start` on in wide numbers (those before it are exact doubles), each then the nearest
    double. A value that is not a number even wide is the doubles' error (domain, division by zero). One beyond the
    doubles is ±inf among the doubles and exact in `wide`: an intermediate (exp(745) of exp(745)*exp(-745.1)) may be,
    an output may not (an overflow error, naming the node where it started)."""
    from decimal import Decimal

    from ..core import wide
    w = [Decimal(v) for v in vals[:start]]
    with wide.localcontext(wide.CONTEXT):
        for i in range(start, len(nodes)):
            node = nodes[i]
            if node.kind == "input":
                d = Decimal(float(point[node.name]))
            elif node.kind == "const":
                d = Decimal(node.value)
            else:
                d = wide.value(node.op)(*(w[a] for a in node.args)) + wide.ZERO  # + 0: rounded to the context
                if not d.is_finite():
                    _refuse(graph, nodes, w, i, d)
            w.append(d)
    out = Values(map(wide.to_float, w))
    out.wide = w
    for o in getattr(graph, "outputs", None) or [graph.output]:
        if out[o] - out[o] != 0:
            _refuse(graph, nodes, w, _origin(nodes, out, o))
    return out


def _origin(nodes: list, vals: list[float], i: int) -> int:
    """Where the overflow of node i's value started: following arguments beyond the doubles back from i, the first
    node none of whose arguments is (exp(x) of 2*exp(x), exp(1000) of exp(800)/exp(800) + exp(1000))."""
    while True:
        beyond = next((a for a in nodes[i].args if vals[a] - vals[a] != 0), None) if nodes[i].kind == "node" else None
        if beyond is None:
            return i
        i = beyond


def _refuse(graph: Graph, nodes: list, w: list, i: int, d=None):
    """The error of node i whose wide value (`d`, or w[i]) is not a double: not a number (the doubles' checker names
    the domain or the division by zero), or beyond them (an overflow, with the values when the doubles say so too)."""
    from ..core.wide import to_float
    d = w[i] if d is None else d
    node = nodes[i]
    args = [to_float(w[a]) for a in node.args]
    texts = [graph.node(a).name or graph.text(a) for a in node.args]
    where = f"{node.name} = {graph.text(i)}" if node.name else graph.text(i)
    far = next((a for a, x in zip(node.args, args) if x - x != 0), None)
    # the domain at an argument beyond the doubles, judged at the largest double of its sign (an integer, as every
    # wide number that large is: (-9)^(9^9^9) is defined, and beyond the doubles; ln(-exp(800)) is not defined)
    near = [math.copysign(sys.float_info.max, x) if x - x != 0 else x for x in args]
    if not d.is_finite() and far is not None and (node.op.defined is None or node.op.defined(*near)):
        # a function the wide numbers take through its double rule (sin(exp(800))): its argument is too large
        arg = f"{graph.node(far).name} = {graph.text(far)}" if graph.node(far).name else graph.text(far)
        raise Overflow(f"overflow in {where}: its argument {arg} is too large for a double", source=graph.source)
    v = node.op.value(*args)
    if not d.is_finite() or v in (math.inf, -math.inf):  # the doubles' own error: domain, division, overflow
        op_value(node.op, args, graph.text(i), node.name, graph.source, texts)
    raise Overflow(f"overflow in {where}: the value is too large for a double", source=graph.source)


def every_double(graph: Graph, vals: list[float]) -> list[float]:
    """`vals`, unless a node's value is beyond the doubles (an intermediate may be, where a later node brings it back):
    then the overflow error of the first such node, for a pass that shows or needs every node's value (a trace)."""
    exact = getattr(vals, "wide", None)
    if exact is not None:
        for i, v in enumerate(vals):
            if v - v != 0:
                _refuse(graph, graph.nodes, exact, i)
    return vals


def value(graph: Graph, point: dict[str, float]) -> float:
    return node_values(graph, point)[graph.output]


def value_of(expr, point: dict[str, float], source: str = "") -> float:
    """The value of an expression DAG (a derivative's formula) at a point: this value pass over the formula's graph
    (each shared piece once), so with the graph's domain errors, the wide numbers where a piece underflowed, and an
    overflow as a FormulaOverflow: the formula as written cannot give its value, which may well be a double (y^2 in
    -x/y^2 at y = 1e160)."""
    return formula_value(formula_graph(expr, source), point)


def formula_value(graph: Graph, point: dict[str, float]) -> float:
    """value_of over a formula's graph already built (check evaluates one formula at every point of a batch)."""
    try:
        return value(graph, point)
    except Overflow as e:
        raise FormulaOverflow(e.message, source=graph.source) from None
