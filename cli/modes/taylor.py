"""Taylor mode: the n-th derivative along a variable or a direction, n! times the n-th coefficient of the series
along the ray (series.py); no finite differences. Where the series is not an ordinary one (a kink, a domain's edge),
the one-sided series on both sides decide (kinks.py).
"""

from __future__ import annotations

import math

from ..core.graph import Graph
from ..errors import MathError, UsageError
from .evaluate import node_values
from .kinks import derivative
from .series import Overflow, Undecided, Undefined, series

MAX_ORDER = 100


def coefficients(graph: Graph, point: dict[str, float], direction: dict[str, float], order: int) -> list[float]:
    """The Taylor coefficients 0..order of f(point + t·direction) at t = 0, where f is smooth along the line; None
    where it is not (a kink, a domain's edge, an overflow: the kinks module decides)."""
    s = _output(graph, point, direction, order)
    return None if s is None else [float(s[k]) for k in range(order + 1)]


def _output(graph: Graph, point: dict[str, float], direction: dict[str, float], order: int):
    """The output's series (doubles or wide numbers), or None (see coefficients)."""
    if not 0 <= order <= MAX_ORDER:
        raise UsageError(f"the order must be between 1 and {MAX_ORDER}, not {order}")
    vals = node_values(graph, point)  # the value first: its domain errors name the node
    try:
        arith, out = series(graph, vals, direction, order, raw=True)
    except (Undefined, Undecided, Overflow, RecursionError):
        return None
    if arith.kinks:
        return None
    return out[graph.output]


def nth_derivative(graph: Graph, point: dict[str, float], wrt, order: int) -> float:
    """∂ⁿf/∂wrtⁿ at the point: n! times the n-th Taylor coefficient along wrt, a variable's name or a direction
    (a dict of how fast each input moves: the n-th directional derivative). Where the series along the line is not
    an ordinary one, the one-sided series on both sides decide (kinks.derivative)."""
    direction = {wrt: 1.0} if isinstance(wrt, str) else wrt
    s = _output(graph, point, direction, order)
    if s is None:
        return derivative(graph, node_values(graph, point), direction, order, wrt if isinstance(wrt, str) else None)
    c = s[order]
    if c.__class__ is not float:  # a wide coefficient: n! times it in its own numbers, then the nearest double
        from ..core.wide import CONTEXT, localcontext
        with localcontext(CONTEXT):
            d = float(c * math.factorial(order)) + 0.0
    else:
        d = c * math.factorial(order) + 0.0
    if d - d != 0:
        raise MathError(f"overflow in the derivative of order {order}: it is too large for a double",
                        source=graph.source)
    return d
