"""`dcalc trace --paths`: the derivative as a sum over paths. df/dx is the sum, over every path from x to the output,
of the product of the local partials on the path's edges; the listing shows the paths with their products, the one a
one-variable chain rule follows, and what that path misses.

Never exponential: the number of paths comes from a count per node (exact integers, count(u) = Σ count(v) over the
nodes v it reads), and the listed paths from a k-best search in evaluation order (each node keeps its k best paths
from x), O(edges · k log k). At a point "best" is the largest |product|; without one, the fewest edges (then the
order of the search). The one-variable chain rule's path follows each node's *main argument* backward from the
output: the argument that depends on x and was computed last (f = g(h(x)) read as g'(h)·h': for u2 = x + u1 it goes
through u1, and misses the direct edge x → u2).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from dataclasses import dataclass

from ..core.graph import Graph, reach
from ..core.printing import number_text, to_text
from ..errors import NoSuchVariable
from ..symbolic.derivation import BOUND, Derivation

MAX_FACTORS = 24  # a longer path's product is written with its middle factors elided


@dataclass(slots=True)
class Edge:
    source: int
    target: int
    rule: object  # ∂target/∂source over the node names
    free: object  # the same in the free variables
    value: float | None  # at the point, when there is one


@dataclass(slots=True)
class Path:
    nodes: list[int]
    edges: list[Edge]
    product: object  # in the free variables (a simplified formula)
    value: float | None
    chain_rule: bool = False


class Paths:
    """The paths from `wrt` to the graph's output. `partials` (optional) maps (node, node read) → the local partial's
    number at a point."""

    def __init__(self, graph: Graph, wrt: str, partials: dict | None = None):
        if wrt not in graph.inputs:
            raise NoSuchVariable(wrt, graph.inputs)
        self.graph, self.wrt = graph, wrt
        self.d = Derivation(graph, wrt, "forward")
        s = self.d.s
        self.point: dict | None = None
        self.derivative_value: float | None = None
        self.x = next(i for i, n in enumerate(graph.nodes) if n.kind == "input" and n.name == wrt)
        live = reach(graph, [wrt])
        useful = [False] * len(graph.nodes)  # the nodes the output reads, directly or not
        useful[graph.output] = True
        for i in range(len(graph.nodes) - 1, -1, -1):
            if useful[i] and graph.nodes[i].kind == "node":
                for a in graph.nodes[i].args:
                    useful[a] = True
        self.into: list[list[Edge]] = [[] for _ in graph.nodes]
        for i, node in enumerate(graph.nodes):
            if node.kind != "node" or not (live[i] and useful[i]):
                continue
            for a, named, free in self.d._local(i, live):
                value = None if partials is None else partials[(i, a)]
                self.into[i].append(Edge(a, i, named, free, value))
        count = [0] * len(graph.nodes)
        count[self.x] = 1
        for i in range(len(graph.nodes)):
            for e in self.into[i]:
                count[i] += count[e.source]
        self.count = count[graph.output]
        self.s = s

    def main_path(self) -> list[Edge]:
        """The one-variable chain rule's path: from the output back along each node's last-computed argument that
        depends on x."""
        edges: list[Edge] = []
        i = self.graph.output
        while i != self.x and self.into[i]:
            e = max(self.into[i], key=lambda e: e.source)
            edges.append(e)
            i = e.source
        return edges[::-1] if i == self.x else []

    def best(self, k: int) -> list[list[Edge]]:
        """The k best paths (largest |product| at a point, else fewest edges), by a k-best search over the DAG."""
        at_point = all(e.value is not None for es in self.into for e in es)
        # each node: up to k entries (score, tiebreak, edge, index of the entry at edge.source), best first
        best: list[list[tuple]] = [[] for _ in self.graph.nodes]
        best[self.x] = [(0.0, 0, None, -1)]
        serial = 0
        for i in range(len(self.graph.nodes)):
            if not self.into[i]:
                continue
            candidates = []
            for e in self.into[i]:
                step = _log(e.value) if at_point else -1.0
                for j, entry in enumerate(best[e.source]):
                    serial += 1
                    candidates.append((entry[0] + step, -serial, e, j))
            best[i] = heapq.nlargest(k, candidates)
        out = []
        for j in range(len(best[self.graph.output])):
            edges, i = [], self.graph.output
            while i != self.x:
                _, _, e, j2 = best[i][j]
                edges.append(e)
                i, j = e.source, j2
            out.append(edges[::-1])
        return out

    def path(self, edges: list[Edge], chain: list[Edge]) -> Path:
        s = self.s
        product = s.one if len(edges) <= MAX_FACTORS else None  # a long path's product is not written out
        value = 1.0 if all(e.value is not None for e in edges) else None
        for e in edges:
            if product is not None:
                product = s.apply("mul", product, e.free)
            if value is not None:
                value *= e.value
        nodes = [self.x] + [e.target for e in edges]
        same = len(edges) == len(chain) and all(a is b for a, b in zip(edges, chain))
        return Path(nodes, edges, product, value, same)


def _log(v: float) -> float:
    a = abs(v)
    if a != a:  # a partial that does not exist (at a kink) ranks last
        return -math.inf
    return math.log(a) if 0 < a < math.inf else (-math.inf if a == 0 else math.inf)


# ---- writing it down ------------------------------------------------------------------------------------------------

def _factor(e) -> str:
    t = to_text(e)
    return f"({t})" if t.startswith("-") or (hasattr(e, "op") and e.op in ("add", "sub", "div", "neg")) else t


def _rules(p: Paths, edges: list[Edge]) -> str:
    """2x·1: the rules along the path, from x to the output (the middle elided on a long path)."""
    parts = [_factor(e.rule) for e in edges]
    if len(parts) > MAX_FACTORS:
        parts = parts[:10] + [f"…({len(parts) - 20} factors)…"] + parts[-10:]
    return "·".join(parts)


def _route(p: Paths, nodes: list[int]) -> str:
    names = [p.graph.nodes[i].name for i in nodes]
    if len(names) > MAX_FACTORS + 1:
        names = names[:10] + [f"…({len(names) - 20} nodes)…"] + names[-10:]
    return " → ".join(names)


def _formula(p: Paths, e) -> str | None:
    return to_text(e) if e is not None and p.s.size(e) <= BOUND else None


def _missed(p: Paths, chain: Path):
    """df/dx minus the chain rule's path, in the free variables, when both are small (else None)."""
    if chain.product is None or "\n" in p.d.diff_text(p.wrt):
        return None
    missed = p.s.apply("sub", p.d.own_derivative(p.wrt), chain.product)
    return missed if p.s.size(missed) <= BOUND else None


def _num(v: float) -> str:
    return number_text(v) if v - v == 0 else ("undefined" if v != v else "+inf" if v > 0 else "-inf")


def text_lines(p: Paths, limit: int, at: str | None, f: str = "f") -> Iterator[str]:
    g, x = p.graph, p.wrt
    out = g.nodes[g.output].name or f
    dd = "d" if len(g.inputs) == 1 else "∂"
    if p.count == 0:
        yield f"no path leads from {x} to {out}: {dd}{f}/{dd}{x} = 0"
        return
    chain = p.main_path()
    listed = [p.path(es, chain) for es in p.best(limit)]
    n = p.count
    order = "largest |product| first" if at else "fewest edges first"
    where = f" at {at}" if at else ""
    yield (f"{_count(n)} path{'s' if n != 1 else ''} from {x} to {out}{where} ({order}); {dd}{f}/{dd}{x} is the sum "
           "of their products of local partials")
    yield ""
    head = ("", "path", "product of the partials on its edges", f"in {', '.join(g.inputs)}") + (
        ("value",) if at else ())
    cells = [head]
    for q in listed:
        row = ("*" if q.chain_rule else "", _route(p, q.nodes), _rules(p, q.edges), _formula(p, q.product) or "…")
        cells.append(row + ((_num(q.value),) if at else ()))
    widths = [max(len(r[k]) for r in cells) for k in range(len(head))]
    for r in cells:
        yield "  ".join(c.ljust(widths[k]) if k < len(r) - 1 else c for k, c in enumerate(r)).rstrip()
    total = None
    if n > len(listed):
        rest = f"… and {_count(n - len(listed))} more path{'s' if n - len(listed) != 1 else ''}"
        if at:
            rest += f", together {_num(_value_at(p, total) - sum(q.value for q in listed))}"
        yield rest
    yield ""
    if n == len(listed):
        terms = [_formula(p, q.product) for q in listed]
        sum_text = _join(terms) if all(terms) and len(terms) <= MAX_FACTORS else "the sum of the products"
    else:
        sum_text = f"the sum over all {_count(n)} paths"
    diff = p.d.diff_text(x)
    diff = f" = {diff}" if "\n" not in diff else f" (dcalc diff prints it as a program of {diff.count(chr(10)) + 1} lines)"
    yield f"{sum_text} = {dd}{f}/{dd}{x}{diff}" + (f" = {_num(_value_at(p, total))}" if at else "")
    if not chain:
        return
    c = p.path(chain, chain)
    missed = _missed(p, c)
    yield (f"* the path a one-variable chain rule follows ({_route(p, c.nodes)}: from {out} back along each node's "
           "main argument, the one that depends on " + x + " and was computed last) gives " +
           (_formula(p, c.product) or _rules(p, c.edges)) + (f" = {_num(c.value)}" if at else ""))
    if n == 1:
        yield "  it is the only path, so here the chain rule along it is the whole derivative"
    else:
        m = _formula(p, missed)
        rest = _value_at(p, total) - c.value if at else None
        yield (f"  it misses the other {_count(n - 1)} path{'s, which contribute ' if n > 2 else ', which contributes '}"
               + (m if m is not None else f"{dd}{f}/{dd}{x} minus it")
               + ("" if rest is None else f" = {_num(rest)}" if math.isfinite(rest) else
                  " (beyond the doubles: a path's product overflows)"))


def _join(terms: list[str]) -> str:
    out = terms[0]
    for t in terms[1:]:
        out += f" - {t[1:]}" if t.startswith("-") else f" + {t}"
    return out


def _count(n: int) -> str:
    """An exact count with thousands separators; a count of more than 30 digits as its magnitude too."""
    if n < 10 ** 30:
        return f"{n:,}"
    return f"about 10^{len(str(n)) - 1} ({len(str(n))}-digit count)"


def _value_at(p: Paths, e) -> float:
    """df/dx at the point: the trace's own number (forward mode), not the formula's."""
    return p.derivative_value


def _finite(v: float | None) -> float | None:
    return v if v is not None and v - v == 0 else None


def json_record(p: Paths, limit: int, point: dict | None) -> dict:
    g, x = p.graph, p.wrt
    chain = p.main_path()
    listed = [p.path(es, chain) for es in p.best(limit)] if p.count else []
    rec: dict = {"expr": g.source.strip() if g.source else g.text(g.output), "wrt": x}
    if point is not None:
        rec["at"] = point
    rec["path_count"] = p.count
    rec["derivative_formula"] = p.d.diff_text(x)
    rec["paths"] = []
    for q in listed:
        item = {"nodes": [g.nodes[i].name for i in q.nodes], "partial_rules": [to_text(e.rule) for e in q.edges],
                "product_formula": _formula(p, q.product),
                "chain_rule": q.chain_rule}
        if point is not None:  # a number beyond the doubles (or a partial that does not exist) is null
            item["partials"] = [_finite(e.value) for e in q.edges]
            item["product"] = _finite(q.value)
        rec["paths"].append(item)
    rec["more_paths"] = p.count - len(listed)
    if chain:
        c = p.path(chain, chain)
        rec["chain_rule_path"] = [g.nodes[i].name for i in c.nodes]
        missed = _missed(p, c)
        rec["chain_rule_misses_formula"] = None if missed is None else to_text(missed)
    return rec


def paths_at(graph: Graph, wrt: str, t=None) -> Paths:
    """Paths with the numbers of trace t (a Trace at a point), or formulas only."""
    partials = None
    if t is not None:
        partials = {}
        for row in t.rows(rules=False):
            for q in row.partials:
                partials[(row.index, q.index)] = q.value
        for i, node in enumerate(graph.nodes):  # nodes a trace does not list still carry their partials
            if node.kind == "node":
                for a in node.args:
                    partials.setdefault((i, a), math.nan)
    p = Paths(graph, wrt, partials)
    p.point = t.point if t is not None else None
    p.derivative_value = t.derivative if t is not None else None
    return p

