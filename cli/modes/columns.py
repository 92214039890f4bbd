"""Columns of points: the graph evaluated over NumPy arrays, one array per node and one row per point (--points).

The same primitive table as the scalar interpreters: each op's NumPy function (`Op.numpy`) gives its values, and each
partial rule is compiled into a closure over arrays exactly as partials.py compiles it into one over floats. Domain
checks become masks: the first failure of a row (a value outside a domain, a partial that does not exist) is kept as
that row's status, worded by the scalar checkers for that row alone, and the row is left out from then on. Only the
batch path imports this module, so single-point calls never pay for NumPy.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from ..core.graph import Graph, op_value, reach
from ..core.ops import NO_UNDERFLOW, Op
from ..core.partials import compile_rule, numeric_rules
from ..errors import DcalcError, MathError, Overflow
from ..language.expr import Var, wrap
from .reverse import gradient as point_gradient

TINY = np.finfo(float).tiny  # the smallest normal double


@cache
def array_value(op: Op):
    """The value rule of `op` over arrays: its NumPy function, or its scalar rule mapped over the rows."""
    if op.numpy:
        return getattr(np, op.numpy)
    mapped = np.frompyfunc(op.value, op.arity, 1)
    return lambda *args: mapped(*args).astype(float)


def _array_times(left, right):
    """The strong zero of partials.py over arrays: a zero factor is exact, 0·inf = 0 (x^0 at x = 0); 0·nan is nan."""
    def product(args):
        lhs, rhs = left(args), right(args)
        return np.where((lhs == 0) & ~np.isnan(rhs), 0.0, lhs * rhs)
    return product


@cache
def array_rules(op: Op) -> tuple:
    """Per argument of `op`: a function of the argument arrays giving that partial, or None if structurally zero."""
    params = ("a", "b")[: op.arity]
    rules = (op.rule(k, *map(Var, params)) for k in range(op.arity))
    return tuple(None if r is None else compile_rule(wrap(r), params, array_value, _array_times) for r in rules)


class Rows:
    """The status of each row of a chunk: None while it is fine, else the message of its first failure."""

    def __init__(self, status: list[str | None]):
        self.status = status
        self.bad = np.array([s is not None for s in status], dtype=bool)
        # rows where a value underflowed or overflowed (evaluate.py): the scalar path evaluates them, wide, once the columns are done;
        # until then what the columns hold for them is no failure. `exact`: their values (with the wide ones) by row
        self.pending = np.zeros(len(status), dtype=bool)
        self.exact: dict[int, list[float]] = {}

    def fail(self, r: int, message: str) -> None:
        self.status[r] = message
        self.bad[r] = True

    def new_failures(self, v) -> np.ndarray:
        """The rows, still fine until now, where array v is not finite (one reduction when all are finite)."""
        if (total := float(v.sum())) - total == 0:  # inf and nan survive a sum (a sum that overflows: look closer)
            return _NONE
        return np.flatnonzero(~np.isfinite(v) & ~self.bad & ~self.pending)


_NONE = np.empty(0, dtype=np.intp)


def column_values(graph: Graph, inputs: dict[str, np.ndarray], rows: Rows) -> list[np.ndarray]:
    """The value of every node on every row; failing rows get their status and hold nan from then on."""
    n = len(rows.status)
    vals: list[np.ndarray] = []
    with np.errstate(all="ignore"):
        for i, node in enumerate(graph.evaluated()):  # the ignored arguments of calls too (graph.guards)
            if node.kind == "input":
                vals.append(np.where(rows.bad, np.nan, inputs[node.name]))
            elif node.kind == "const":
                vals.append(np.full(n, node.value))
            else:
                v = np.asarray(array_value(node.op)(*(vals[a] for a in node.args)), dtype=float)
                for r in rows.new_failures(v):
                    v[r] = _scalar_value(graph, i, vals, r, rows)
                if node.op.name not in NO_UNDERFLOW and (np.abs(v) < TINY).any():
                    _underflowed(node, v, vals, rows)
                vals.append(v)
    for r in np.flatnonzero(rows.pending):
        _wide_row(graph, inputs, vals, r, rows)
    return vals[:len(graph.nodes)]


def _underflowed(node, v, vals, rows: Rows) -> None:
    """Mark the rows where v underflowed: 0 or subnormal from nonzero finite arguments (see evaluate.py)."""
    under = (np.abs(v) < TINY) & ~rows.bad
    for a in node.args:
        under &= (vals[a] != 0) & np.isfinite(vals[a])
    rows.pending |= under


def _wide_row(graph: Graph, inputs: dict[str, np.ndarray], vals: list[np.ndarray], r: int, rows: Rows) -> None:
    """Row r's values by the scalar path, which runs wide from the value that underflowed (evaluate.py)."""
    from .evaluate import node_values
    try:
        row = node_values(graph, {x: float(inputs[x][r]) for x in graph.inputs})
    except DcalcError as e:
        rows.fail(r, e.message)
        row = [np.nan] * len(graph.nodes)
    else:
        rows.exact[r] = row
    rows.pending[r] = False
    for v, x in zip(vals, row):
        v[r] = x


def _scalar_value(graph: Graph, i: int, vals, r: int, rows: Rows) -> float:
    """Row r of node i by the scalar rule, which names the node when it fails (NumPy and libm may differ by an ulp
    near a domain's edge, and the scalar path is the reference)."""
    node = graph.node(i)
    args = [float(vals[a][r]) for a in node.args]
    try:
        return op_value(node.op, args, graph.text(i), node.name, graph.source,
                        [graph.node(a).name or graph.text(a) for a in node.args])
    except Overflow:  # beyond the doubles: a later node may bring it back (exp(x)/exp(x)); the scalar path, wide
        rows.pending[r] = True  # (evaluate.py) decides, as for a value that underflowed
        return np.inf
    except MathError as e:
        rows.fail(r, e.message)
        return np.nan


def column_gradient(graph: Graph, vals: list[np.ndarray], names: list[str], rows: Rows) -> dict[str, np.ndarray]:
    """∂f/∂x for each input x in `names` on every row, by one reverse pass over the columns:
    adjoint(v) = Σ over readers u of adjoint(u)·∂u/∂v. Rows whose partials do not exist get their status."""
    active = reach(graph, names)
    n = len(rows.status)
    kinked: dict[int, dict[str, float]] = {}  # rows at a kink: their gradient from the one-sided derivatives
    # rows where a partial or a product ū·p left the normal doubles (1/u with u = 2.6e173: -1/u² is 0 in doubles and is
    # multiplied by 2.6e173 later): their gradient comes from the scalar pass, which runs wide there (wide.py)
    redo = np.zeros(n, dtype=bool)
    adj: list[np.ndarray | None] = [None] * len(graph.nodes)
    adj[graph.output] = np.ones(n)
    with np.errstate(all="ignore"):
        for i in range(graph.output, -1, -1):
            node = graph.nodes[i]
            if adj[i] is None or node.kind != "node":
                continue
            args = [vals[a] for a in node.args]
            summed: dict = {}  # per node read: x - x has one partial, the sum over both places (see reverse.py)
            for k, (a, rule) in enumerate(zip(node.args, array_rules(node.op))):
                if rule is None or not active[a]:
                    continue
                p = rule(args)
                if np.ndim(p):
                    bad = rows.new_failures(p)
                    if len(bad):
                        p = np.array(p, dtype=float)
                        for r in bad:
                            p[r] = _scalar_partial(graph, i, k, args, r, rows, vals, names, kinked)
                    # a computed rule (not ±1 nor an argument's value) may underflow
                    if callable(numeric_rules(node.op.name).steps[k]):
                        tiny = np.abs(p) < TINY
                        if tiny.any():
                            redo |= tiny
                summed[a] = summed[a] + p if a in summed else p
            for a, p in summed.items():
                if not np.ndim(p):  # a constant rule (∂(a+b)/∂a = 1): finite everywhere
                    term = adj[i] if p == 1 else -adj[i] if p == -1 else adj[i] * p
                else:
                    term = adj[i] * p
                    tiny = np.abs(term) < TINY
                    if tiny.any():
                        redo |= tiny & (adj[i] != 0) & (p != 0)
                adj[a] = term if adj[a] is None else adj[a] + term
    index = {name: i for i, name in enumerate(graph.inputs)}  # inputs are nodes 0, 1, …
    grad = {x: np.zeros(n) if adj[index[x]] is None else adj[index[x]] + 0.0 for x in names}
    for x, g in grad.items():  # finite partials can still multiply up to inf on the way: the scalar pass decides
        redo |= ~np.isfinite(g)
    redo &= ~rows.bad
    for r in rows.exact:  # a value underflowed: the scalar pass over its wide values (reverse.py)
        redo[r] = not rows.bad[r]
    for r in np.flatnonzero(redo):
        if r not in kinked:
            try:
                kinked[r] = point_gradient(graph, rows.exact.get(r) or [float(v[r]) for v in vals], names)
            except DcalcError as e:
                rows.fail(r, e.message)
                kinked[r] = dict.fromkeys(names, np.nan)
    for r, g in kinked.items():
        for x in names:
            grad[x][r] = g[x]
    return grad


def _scalar_partial(graph: Graph, i: int, k: int, args, r: int, rows: Rows, vals, names, kinked) -> float:
    """Partial k of node i on row r by the scalar rule. Where it does not exist the row is at a kink: its gradient
    comes from the one-sided derivatives of the scalar path (kinked[r], which replaces the row's sums), or the row
    fails with the scalar message."""
    point = [float(a[r]) for a in args]
    p = numeric_rules(graph.nodes[i].op.name)[k](point)
    if p - p == 0:
        return p
    if r not in kinked:
        try:
            kinked[r] = point_gradient(graph, rows.exact.get(r) or [float(v[r]) for v in vals], names)
        except DcalcError as e:
            rows.fail(r, e.message)
            return np.nan
    return 0.0  # a stand-in: the row's gradient is kinked[r]


class ExactSum:
    """A running sum of doubles, kept exact as a few doubles that add up to it (the reductions of a batch).

    Each chunk's numbers join the parts so far, and math.fsum — the correctly rounded sum of a list — is taken again
    on what is left after the parts found, until nothing is: the remainder is a sum of doubles, so a multiple of the
    smallest subnormal, and fsum gives 0 only when it is exactly 0. The total is therefore math.fsum of every number
    added, whatever the chunks (1e16, 1, -1e16 gives 1; a plain sum gives 0)."""

    def __init__(self):
        self.parts: list[float] = []

    def add(self, values: list[float]) -> None:
        terms = self.parts + list(values)
        parts = []
        while (s := math.fsum(terms)) != 0:  # each pass leaves a remainder below half an ulp of the last part
            parts.append(s)
            terms.append(-s)
        self.parts = parts

    def total(self) -> float:
        """The sum rounded once (OverflowError when it is beyond the doubles)."""
        return math.fsum(self.parts)
