"""Derivatives at a kink: one-sided derivatives of the whole function, read off its series on both sides.

Forward and reverse mode multiply local partials; at a kink of a primitive (|u| at u = 0, √u at u = 0) a partial does
not exist, yet the function may still be differentiable there (x·|x|, √(x⁴), x·√x at 0). Where a pass meets such a
partial, this module takes over: the series of every node along the ray point ± t·direction, t → 0+, on a grid of
fractional powers t^(k/q) (series.py, with the one-sided forms of the primitive table), give the right derivative
along +direction and the left one along −direction. The policy:
- both sides agree: that is the derivative;
- they differ, or one is infinite: not differentiable, the message names both;
- one side leaves the domain at once (√x to the left of 0): the side that exists decides (x·√x at 0 has derivative
  0); neither side: not differentiable;
- a coefficient too large for a double is an overflow, not a missing derivative (ln(x) at 5e-324).
"""

from __future__ import annotations

import math

from ..core.graph import Graph, reach
from ..core.partials import local_partials, wide_partial
from ..core.printing import number_text
from ..errors import MathError, NotDifferentiable
from .series import Overflow, Undecided, Undefined, series

GRIDS = (12, 60)  # 12 holds square and cube roots and their nesting; 60 adds fifth roots and fourth roots of those
AGREE = 2.0 ** -50
MAX_TERMS = 2400  # coefficients per series on the finer grid (the cost grows with their square)  # left and right agree when they differ by a few roundings at most


class _Side:
    """One side: the derivatives of orders 1, 2, … along the ray (±inf where the first fractional term says so, the
    list stopping there), or `undefined` (the node where the function leaves its domain at once)."""

    def __init__(self, derivs: list[float] | None, kinks: list[int], undefined: int | None = None,
                 limit: float | None = None):
        self.derivs, self.kinks, self.undefined = derivs, kinks, undefined
        self.limit = limit  # the limit of the function on this side where it jumps there (floor(x) at 1 from the left)


def _side(graph: Graph, vals: list[float], direction: dict[str, float], order: int, q: int,
          node: int | None = None) -> _Side:
    """The derivatives along the ray of the output (or of `node`)."""
    try:
        arith, out = series(graph, vals, direction, order * q, q)
    except Undefined as e:
        return _Side(None, [], e.node)
    i = graph.output if node is None else node
    s = out[i]
    limit = s[0] if arith.jumped and abs(s[0] - vals[i]) > arith.jump_tol * max(1.0, abs(vals[i])) else None
    return _Side(_derivatives(s, vals[i], arith.jumped, order, q, arith.jump_tol), arith.kinks, limit=limit)


def _derivatives(s, f0: float, jumped: bool, order: int, q: int, tol: float = 1e-12) -> list[float]:
    """Orders 1..order of the derivative along the ray from series s on the grid q (f0: the value at the point; tol:
    how far the limit may be from it by rounding, 0 for the exact constants of steps)."""
    if jumped and abs(s[0] - f0) > tol * max(1.0, abs(f0)):  # the value jumps: (f(t) − f(0))/t → ±inf
        return [math.copysign(math.inf, s[0] - f0)]
    derivs = []
    for j in range(1, order + 1):
        r = next((k for k in range((j - 1) * q + 1, j * q) if s[k] != 0), None)
        if r is not None:  # a term t^(r/q) with j − 1 < r/q < j: the j-th derivative is infinite, its sign c_r's
            derivs.append(math.copysign(math.inf, s[r]))
            break
        derivs.append(s[j * q] * math.factorial(j))
    return derivs


def node_derivatives(graph: Graph, vals: list[float], wrt: str, live: list[bool]):
    """For the trace at a kink: every node's derivative by wrt where its left and right ones agree (or only one side
    exists and is finite), and (left, right) for the others (None: undefined on that side; ±inf). Call after
    `derivative` has found f itself differentiable."""
    sides = []
    for direction in ({wrt: 1.0}, {wrt: -1.0}):
        for q in GRIDS:
            try:
                arith, out = series(graph, vals, direction, q, q)
                sides.append([_derivatives(s, vals[i], arith.jumped, 1, q, arith.jump_tol)[0]
                              for i, s in enumerate(out)])
                break
            except Undefined:
                sides.append(None)
                break
            except Undecided as e:
                if not e.off_grid or q == GRIDS[-1]:
                    raise
    right, left = sides
    tangents: list[float | None] = []
    split: dict[int, tuple] = {}
    for i in range(len(graph.nodes)):
        if not live[i]:
            tangents.append(None)
            continue
        r = None if right is None else right[i]
        lf = None if left is None else -left[i]
        ok = [v for v in (lf, r) if v is not None]
        if len(ok) == 2 and all(map(math.isfinite, ok)) and abs(r - lf) <= AGREE * max(abs(r), abs(lf)) or \
                len(ok) == 1 and math.isfinite(ok[0]):
            tangents.append(ok[-1] + 0.0)
        else:
            tangents.append(None)
            split[i] = (lf, r)
    return tangents, split


def side_text(v: float | None, side: str) -> str:
    """`left -1`, `right +inf`, `undefined to the left`."""
    return f"undefined to the {side}" if v is None else f"{side} {_signed(v)}"


def derivative(graph: Graph, vals: list[float], direction: dict[str, float], order: int = 1,
               wrt: str | None = None) -> float:
    """The two-sided derivative of the given order along `direction` at the point of `vals` (wrt: the variable the
    direction is, for messages), or NotDifferentiable naming both sides, or an overflow MathError."""
    backward = {x: -v for x, v in direction.items()}
    for q in GRIDS:
        if q > GRIDS[0] and order * q > MAX_TERMS:  # a finer grid for a high order: minutes of series, refused
            raise _undecided(graph, vals, direction, wrt, None, f"order {order} on a grid finer than t^(1/{GRIDS[0]}) "
                             "takes more terms than dcalc computes")
        try:
            right = _side(graph, vals, direction, order, q)
            left = _side(graph, vals, backward, order, q)
            break
        except Undecided as e:
            if e.off_grid and q != GRIDS[-1]:
                continue
            raise _undecided(graph, vals, direction, wrt, e.node, e.why) from None
        except Overflow as e:
            raise _overflow(graph, vals, e.node) from None
        except RecursionError:
            raise _undecided(graph, vals, direction, wrt, None, "the graph is too deep to follow beside the point") from None
    if right.derivs is None and left.derivs is None:
        raise _fail(graph, vals, direction, wrt, 1, None, None, right.undefined, both=True)
    kink = (right.kinks or left.kinks or [right.undefined if right.derivs is None else left.undefined])[0]
    d = math.nan
    for j in range(1, order + 1):
        r = _nth(right.derivs, j, 1)
        lf = _nth(left.derivs, j, (-1) ** j)
        ok = [v for v in (r, lf) if v is not None]
        if left.derivs is None or right.derivs is None:  # a domain's edge: the side that exists decides
            fine = len(ok) == 1 and math.isfinite(ok[0])
        else:
            fine = len(ok) == 2 and all(map(math.isfinite, ok)) and abs(r - lf) <= AGREE * max(abs(r), abs(lf))
        if not fine and (left.limit is not None or right.limit is not None):
            raise _jump(graph, vals, direction, wrt, left, right, kink)
        if not fine:
            raise _fail(graph, vals, direction, wrt, j, lf if left.derivs is not None else None,
                        r if right.derivs is not None else None, kink)
        d = ok[-1]
    return d + 0.0


def _nth(derivs: list[float] | None, j: int, sign: int) -> float | None:
    if derivs is None:
        return None
    if j > len(derivs):  # beyond an infinite derivative: the higher ones do not exist either
        return math.nan
    return sign * derivs[j - 1]


def hessian(graph: Graph, vals: list[float], names: list[str]) -> dict[str, dict[str, float]]:
    """Second partials at a kink: ∂²f/∂x² two-sided along ±e_x, and a mixed one by polarisation from the second
    derivative along sx·e_x + sy·e_y, D² = sx²·f_xx + 2·sx·sy·f_xy + sy²·f_yy (each a two-sided series derivative).
    The scales are powers of two (exact) that bring sx²·f_xx and sy²·f_yy near 1: along e_x + e_y, a mixed entry of 1
    beside f_yy = 2e100 was lost in the sum (|x|^3 + 1e100·y^2 + x·y at (0, 1) gave f_xy = 0)."""
    diag = {x: derivative(graph, vals, {x: 1.0}, 2, x) for x in names}
    h: dict[str, dict[str, float]] = {x: {} for x in names}
    for i, x in enumerate(names):
        for y in names[i:]:
            if x == y:
                h[x][x] = diag[x]
            else:
                sx, sy = _balance(diag[x]), _balance(diag[y])
                if sx is None:  # f_xx = 0: the cross term 2·sx·sy·f_xy is then weighed against sy²·f_yy alone
                    sx = 1.0 if sy is None else 1.0 / sy
                sy = 1.0 / sx if sy is None else sy
                both = derivative(graph, vals, {x: sx, y: sy}, 2)
                h[x][y] = h[y][x] = (both - sx * sx * diag[x] - sy * sy * diag[y]) / (2 * sx * sy) + 0.0
    return {x: {y: h[x][y] for y in names} for x in names}


def _balance(d: float) -> float | None:
    """A power of two s with s²·|d| in [1/2, 2), or None for d = 0."""
    if d == 0 or d - d != 0:
        return None
    return math.ldexp(1.0, -(math.frexp(abs(d))[1] // 2))


def reaching_kinks(graph: Graph, vals: list[float], names: list[str]) -> set[str]:
    """The variables in `names` upstream of an argument whose local partial does not exist here."""
    active = reach(graph, names)
    up = [False] * len(graph.nodes)
    for i, node in enumerate(graph.nodes):
        if node.kind == "node" and active[i]:
            for k, (a, p) in enumerate(zip(node.args, local_partials(graph, i, vals, active, strict=False))):
                # not finite in doubles, but a number beyond them (2.31/y at y = 1e-200): the pass runs wide, no kink
                if p is not None and p - p != 0 and \
                        not wide_partial(node.op, k, [vals[b] for b in node.args]).is_finite():
                    up[a] = True
    for i in range(len(graph.nodes) - 1, -1, -1):
        if up[i]:
            for a in graph.nodes[i].args:
                up[a] = True
    return {x for i, x in enumerate(graph.inputs) if up[i] and x in names}


# ---- messages ---------------------------------------------------------------------------------------------------------

def _point(graph: Graph, vals: list[float], wrt: str | None = None, most: int = 4) -> str:
    """The point, at most `most` variables of it and wrt (a message about a 2,000-variable gradient stays short)."""
    names = graph.inputs[:most] + ([wrt] if wrt in graph.inputs[most:] else [])
    index = {x: i for i, x in enumerate(graph.inputs)}
    shown = [f"{x} = {number_text(vals[index[x]])}" for x in names]
    return ", ".join(shown + (["…"] if len(graph.inputs) > len(names) else []))


def _where(graph: Graph, vals: list[float], direction: dict[str, float], wrt: str | None) -> str:
    """`at x = 0`, `with respect to x at x = 0, y = 1`, or `along (1, 0.5) at …` for a direction."""
    at = f"at {_point(graph, vals, wrt)}"
    if wrt is not None:
        return at if len(graph.inputs) == 1 else f"with respect to {wrt} {at}"
    along = ",".join(f"{x}={number_text(v)}" for x, v in direction.items() if v)
    return f"along {along} {at}"


def _node(graph: Graph, i: int | None) -> str:
    """u2 = abs(u1) where u1 = 0: the node, its formula and the values it reads."""
    if i is None:
        return ""
    node = graph.nodes[i]
    if node.kind != "node":
        return node.name or graph.text(i)
    return f"{node.name} = {graph.text(i)}"


def _node_at(graph: Graph, vals: list[float], i: int | None) -> str:
    if i is None or graph.nodes[i].kind != "node":
        return _node(graph, i)
    names = [(graph.nodes[a].name, vals[a]) for a in graph.nodes[i].args]
    at = ", ".join(dict.fromkeys(f"{n} = {number_text(v)}" for n, v in names if n))
    return f"{_node(graph, i)} where {at}" if at else _node(graph, i)


def _signed(v: float) -> str:
    return ("+inf" if v > 0 else "-inf") if math.isinf(v) else number_text(v + 0.0)


def _name(graph: Graph) -> str:
    """What the messages call the function: f, unless a variable or a node of the program has that name."""
    taken = {n.name for n in graph.nodes}
    return next((n for n in ("f", "g", "h", "F") if n not in taken), "the function")


def _fail(graph, vals, direction, wrt, j, left, right, kink, both=False) -> NotDifferentiable:
    f = _name(graph)
    where = _where(graph, vals, direction, wrt)
    if both:
        return NotDifferentiable(f"{f} is not differentiable {where}: {_node(graph, kink)} is undefined on either "
                                 "side", source=graph.source)
    sides = []
    for name, v in (("left", left), ("right", right)):
        if v is None:
            sides.append(f"undefined to the {name}")
        elif v != v:
            sides.append(f"no {name} derivative of order {j - 1} to start from")
        else:
            sides.append(f"{name} derivative {_signed(v)}" if j == 1 else f"{name} {_signed(v)}")
    if left is None:
        sides.reverse()  # what exists first: "right derivative +inf, undefined to the left"
    head = f"{f} is not differentiable {where}" if j == 1 else f"{f} has no derivative of order {j} {where}"
    hint = f" (at {_node_at(graph, vals, kink)})" if kink is not None else ""
    return NotDifferentiable(f"{head}: {', '.join(sides)}{hint}", source=graph.source)


def _jump(graph, vals, direction, wrt, left: _Side, right: _Side, kink) -> NotDifferentiable:
    """The function itself jumps at the point (sign(x) at 0, floor(x) at 1): its value and the limits beside it."""
    f0 = vals[graph.output]
    sides = [f"{_signed(f0 if s.limit is None else s.limit)} to the {name}" if s.derivs is not None
             else f"undefined to the {name}" for s, name in ((left, "left"), (right, "right"))]
    hint = f" (at {_node_at(graph, vals, kink)})" if kink is not None else ""
    return NotDifferentiable(f"{_name(graph)} is not differentiable {_where(graph, vals, direction, wrt)}: it jumps "
                             f"there ({sides[0]}, {_signed(f0)} at the point, {sides[1]}){hint}", source=graph.source)


def _undecided(graph, vals, direction, wrt, node, why) -> NotDifferentiable:
    what = f"{_node_at(graph, vals, node)} {why}" if node is not None else why
    return NotDifferentiable(f"cannot decide whether {_name(graph)} is differentiable {_where(graph, vals, direction, wrt)}: "
                             f"{what}", source=graph.source)


def _overflow(graph, vals, node) -> MathError:
    return MathError(f"overflow in the derivative of {_node_at(graph, vals, node)}: it is too large for a double",
                     source=graph.source)
