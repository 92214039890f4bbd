"""Taylor mode: the truncated Taylor series of every node along a line t ↦ point + t·direction.

The n-th derivative is n! times the n-th coefficient; no finite differences. Sums, products and quotients are the
arithmetic of series. Every other primitive y = f(u, v) is taken from the table: y' = ∂f/∂a·u' + ∂f/∂b·v' gives
y_k = (1/k) Σ_{j=1..k} j·(u_j·g_{k-j} + v_j·h_{k-j}), where g and h are the series of the partial rules, evaluated with
these same series (the rule of sin reads cos, whose rule reads sin: the same series, found again by identity). Series
are lazy and advanced one order at a time over the whole graph, which keeps every chain of requests short.
"""

from __future__ import annotations

import math

from .errors import NotDifferentiable, UsageError
from .evaluate import evaluate
from .expr import CONSTANTS, Const, Num, Var, wrap
from .graph import Graph
from .ops import OPS
from .printing import number_text

MAX_ORDER = 100


class _Series:
    """Coefficients computed on demand; `constant` series have only c[0]."""

    __slots__ = ("c", "step", "constant")

    def __init__(self, step=None, first: float | None = None):
        self.c: list[float] = [] if first is None else [first]
        self.step = step
        self.constant = step is None

    def __getitem__(self, k: int) -> float:
        if self.constant:
            return self.c[0] if k == 0 else 0.0
        c = self.c
        while len(c) <= k:
            try:
                c.append(self.step(len(c)))
            except (ZeroDivisionError, OverflowError, ValueError):  # IEEE would say inf or nan: the caller names it
                c.append(math.nan)
        return c[k]


class _Arithmetic:
    """Series operations, each distinct (op, arguments) built once."""

    def __init__(self):
        self.memo: dict[tuple, _Series] = {}
        self.keep: list = []  # the memo keys hold ids: keep their owners alive

    def const(self, v: float) -> _Series:
        return _Series(first=float(v))

    def apply(self, op: str, args: list[_Series]) -> _Series:
        key = (op, *map(id, args))
        s = self.memo.get(key)
        if s is None:
            s = self.memo[key] = self._make(op, args)
            self.keep.append(args)
        return s

    def _make(self, op: str, args: list[_Series]) -> _Series:
        if all(a.constant for a in args):
            return self.const(OPS[op].value(*(a.c[0] for a in args)))
        if op in ("add", "sub"):
            a, b = args
            sign = 1.0 if op == "add" else -1.0
            return _Series(lambda k: a[k] + sign * b[k])
        if op == "neg":
            (a,) = args
            return _Series(lambda k: -a[k])
        if op == "mul":
            a, b = args
            if any(x.constant and x.c[0] == 0 for x in args):  # a zero factor is exact: 0·x^-1 is 0 at x = 0
                return self.const(0.0)
            return _Series(lambda k: math.fsum(a[j] * b[k - j] for j in range(k + 1)))
        if op == "div":
            a, b = args
            c: _Series = _Series(lambda k: (a[k] - math.fsum(b[j] * c[k - j] for j in range(1, k + 1))) / b[0])
            return c
        return self._ode(op, args)

    def _ode(self, op: str, args: list[_Series]) -> _Series:
        """y = f(args) from y' = Σ ∂f/∂(arg)·arg', with the partials from the table, evaluated as series."""
        rules: list = []

        def step(k: int) -> float:
            if k == 0:
                return OPS[op].value(*(a[0] for a in args))
            if not rules:
                rules.extend(None if a.constant else self.rule(op, i, args) for i, a in enumerate(args))
            total = math.fsum(j * a[j] * g[k - j] for a, g in zip(args, rules) if g is not None
                              for j in range(1, k + 1))
            return total / k
        return _Series(step)

    def rule(self, op: str, k: int, args: list[_Series]) -> _Series:
        """The series of the table's partial rule ∂op/∂(argument k) at these argument series."""
        params = (Var("a"), Var("b"))[: len(args)]
        formula = wrap(OPS[op].rule(k, *params))
        env = dict(zip("ab", args))
        done: dict[int, _Series] = {}
        stack = [(formula, False)]
        while stack:  # the rule is a small formula; walked without recursion all the same
            e, ready = stack.pop()
            if isinstance(e, Num):
                done[id(e)] = self.const(e.value)
            elif isinstance(e, Const):
                done[id(e)] = self.const(CONSTANTS[e.name])
            elif isinstance(e, Var):
                done[id(e)] = env[e.name]
            elif not ready:
                stack.append((e, True))
                stack.extend((a, False) for a in e.args)
            else:
                done[id(e)] = self.apply(e.op, [done[id(a)] for a in e.args])
        return done[id(formula)]


def coefficients(graph: Graph, point: dict[str, float], direction: dict[str, float], order: int) -> list[float]:
    """The Taylor coefficients 0..order of f(point + t·direction) at t = 0."""
    if not 0 <= order <= MAX_ORDER:
        raise UsageError(f"the order must be between 1 and {MAX_ORDER}, not {order}")
    vals = evaluate(graph, point)  # the value first: its domain errors name the node
    arith = _Arithmetic()
    series: list[_Series] = []
    for node in graph.nodes:
        if node.kind == "input":
            x0, dx = vals[len(series)], float(direction.get(node.name, 0.0))
            series.append(_Series(lambda k, x0=x0, dx=dx: x0 if k == 0 else (dx if k == 1 else 0.0))
                          if dx else arith.const(x0))
        elif node.kind == "const":
            series.append(arith.const(node.value))
        else:
            series.append(arith.apply(node.op.name, [series[a] for a in node.args]))
    for k in range(order + 1):  # one order at a time over the whole graph
        for i, s in enumerate(series):
            v = s[k]
            if v - v != 0:
                raise _undefined(graph, i, k, point)
    out = series[graph.output]
    return [out[k] for k in range(order + 1)]


def _undefined(graph: Graph, i: int, k: int, point: dict[str, float]) -> NotDifferentiable:
    at = ", ".join(f"{n} = {number_text(v)}" for n, v in point.items())
    return NotDifferentiable(f"the derivative of order {k} does not exist at {graph.nodes[i].name} = {graph.text(i)} "
                             f"where {at}", source=graph.source)


def nth_derivative(graph: Graph, point: dict[str, float], wrt, order: int) -> float:
    """∂ⁿf/∂wrtⁿ at the point: n! times the n-th Taylor coefficient along wrt, a variable's name or a direction
    (a dict of how fast each input moves: the n-th directional derivative)."""
    c = coefficients(graph, point, {wrt: 1.0} if isinstance(wrt, str) else wrt, order)
    return c[order] * math.factorial(order) + 0.0
