"""The derivation as formulas, node by node: what `dcalc trace` shows without a point (and beside the numbers with one).

Forward mode: for every node u its definition, its local partials ∂u/∂v as formulas over the nodes it reads, and its
total derivative du/dx = Σ ∂u/∂v·dv/dx in three stages: the sum of symbols, the sum with the partials' rules and the
earlier rows' derivatives substituted, then each term and finally the whole simplified in the free variables.
Reverse mode: every node's adjoint ū = df/du = Σ over its readers w of w̄·∂w/∂u, in the same stages, output first.

Everything goes through one Simplifier (the one `dcalc diff` uses), so the formulas stay shared DAGs and each row costs
about the size of its node. A formula whose printed tree passes BOUND nodes is not written out: its row keeps the
names of the earlier rows (`cos(u2)·du2/dx`), so a 10,000-node chain prints in linear space.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ..core.graph import Graph, reach
from ..core.printing import to_text
from ..language.expr import Apply, Num, wrap
from .formulas import _zero_base_exponent, differentiate, expressions, program, program_text
from .simplify import Simplifier

DIFF_INPUTS = 20  # reverse mode restates diff's formula per input up to this many inputs (each costs a pass)
BOUND = 60  # the largest formula (nodes of its printed tree) a row writes out; past it the row names earlier rows


@dataclass(slots=True)
class FormulaTerm:
    """One term of a total derivative (forward: ∂u/∂v·dv/dx, with `of` = v) or of an adjoint (reverse: w̄·∂w/∂u,
    with `of` = the reader w). `rule` is the local partial over the node names; `carried` is dv/dx or w̄ in the free
    variables (None where v is x itself: the term is the partial alone); `free` the term simplified in the free
    variables."""

    of: int
    name: str
    rule: object
    carried: object | None
    free: object


@dataclass(slots=True)
class FormulaRow:
    index: int
    name: str
    kind: str
    expr: object = None  # the node in the free variables (simplified)
    partials: list[tuple[int, str, object]] = field(default_factory=list)  # (node read, its name, ∂u/∂v rule)
    terms: list[FormulaTerm] = field(default_factory=list)
    total: object = None  # du/dx (forward) or ū (reverse) in the free variables; None where it is 0 structurally
    through: list[str] = field(default_factory=list)  # forward: the nodes it reads, other than x, that depend on x
    also_through: list[str] = field(default_factory=list)  # forward: x is read directly and through these


class Derivation:
    """The formulas of a trace. `rows()` yields forward rows in evaluation order, or (reverse) adjoint rows from the
    output back to the inputs; `size(e)` is the printed size of a formula, `fits(e)` whether a row writes it out."""

    def __init__(self, graph: Graph, wrt: str | None, mode: str = "forward"):
        self.graph, self.wrt, self.mode = graph, wrt, mode
        self.s = Simplifier()
        self.exprs = self._expressions()
        self.zero, self.one = self.s.zero, self.s.one
        self._diff: dict[str, str] = {}

    def size(self, e) -> int:
        return self.s.size(e)

    def fits(self, e) -> bool:
        return e is None or self.s.size(e) <= BOUND

    def _expressions(self) -> list:
        return expressions(self.graph, self.s)

    def _local(self, i: int, active: list[bool]) -> list[tuple[int, object, object]]:
        """Node i's partials, one per distinct node read: (node read, rule over the node names, rule in the free
        variables), both simplified (x*x: ∂/∂x = 2x, the two places summed); only for the nodes read that depend on
        an input (`active`), as the numeric trace shows them."""
        g, s = self.graph, self.s
        node = g.nodes[i]
        refs = tuple(g.ref(a) for a in node.args)
        args = tuple(self.exprs[a] for a in node.args)
        by_arg: dict[int, list[int]] = {}
        for k, a in enumerate(node.args):
            if active[a] and node.op.partials[k] is not None and not _zero_base_exponent(Apply(node.op.name, args), k):
                by_arg.setdefault(a, []).append(k)
        out = []
        for a, places in by_arg.items():
            named = s.simplify(_sum([wrap(node.op.rule(k, *refs)) for k in places]))
            free = s.simplify(_sum([wrap(node.op.rule(k, *args)) for k in places]))
            out.append((a, named, free))
        return out

    def rows(self) -> Iterator[FormulaRow]:
        return self._forward() if self.mode == "forward" else self._reverse()

    def _forward(self) -> Iterator[FormulaRow]:
        g, s, x = self.graph, self.s, self.wrt
        live = reach(g, [x])
        tangent: list = [None] * len(g.nodes)
        shown = set(g.shown())
        for i, node in enumerate(g.nodes):
            row = FormulaRow(i, node.name, node.kind, self.exprs[i])
            if node.kind == "input" and node.name == x:
                tangent[i] = s.one
            elif node.kind == "node":
                local = self._local(i, live)
                row.partials = [(a, g.nodes[a].name, named) for a, named, _ in local]
                total = None
                for a, named, free in local:
                    if tangent[a] is None:
                        continue
                    is_x = g.nodes[a].kind == "input" and g.nodes[a].name == x
                    term = s.apply("mul", free, tangent[a])
                    row.terms.append(FormulaTerm(a, g.nodes[a].name, named, None if is_x else tangent[a], term))
                    total = term if total is None else s.apply("add", total, term)
                if total is not None and not (isinstance(total, Num) and total.value == 0):
                    tangent[i] = total
                row.through = [n for a, n, _ in row.partials if n != x and live[a]]
                if x in (p[1] for p in row.partials):
                    row.also_through = row.through
            row.total = tangent[i]
            if i in shown:
                yield row

    def _reverse(self) -> Iterator[FormulaRow]:
        g, s = self.graph, self.s
        n = len(g.nodes)
        adjoint: list = [None] * n
        terms: list[list[FormulaTerm]] = [[] for _ in range(n)]
        adjoint[g.output] = s.one
        shown = set(g.shown())
        for u in range(n - 1, -1, -1):
            node = g.nodes[u]
            row = FormulaRow(u, node.name, node.kind, self.exprs[u])
            row.terms = terms[u][::-1]  # the readers in evaluation order
            terms[u] = []
            row.total = adjoint[u]
            if node.kind == "node":
                local = self._local(u, g.active)
                row.partials = [(a, g.nodes[a].name, named) for a, named, _ in local]
                if adjoint[u] is not None:
                    for a, named, free in local:
                        term = s.apply("mul", adjoint[u], free)
                        terms[a].append(FormulaTerm(u, node.name, named, adjoint[u], term))
                        adjoint[a] = term if adjoint[a] is None else s.apply("add", adjoint[a], term)
            if u in shown and node.kind != "const":
                yield row

    def derivative(self, wrt: str) -> object:
        """df/d(wrt) as `dcalc diff` computes it (its simplifier and its order of work)."""
        return differentiate(self.graph, [wrt], Simplifier())

    def restates_diff(self) -> bool:
        """Whether rows and summaries restate `dcalc diff`'s formula for every variable they name: forward mode (one
        variable), or reverse mode with at most DIFF_INPUTS inputs (a differentiation per input)."""
        return self.mode == "forward" or self.wrt is not None or len(self.graph.inputs) <= DIFF_INPUTS

    def summarised(self) -> list[str]:
        """The variables whose df/dx the summary restates: the one asked for (forward mode, or reverse mode given
        --wrt), else every input while restates_diff(); none beyond it (the inputs' adjoint rows are the gradient)."""
        if self.wrt is not None:
            return [self.wrt]
        return list(self.graph.inputs) if self.restates_diff() else []

    def own_derivative(self, wrt: str) -> object:
        """df/d(wrt) built in this derivation's store (to combine with its other formulas)."""
        return differentiate(self.graph, [wrt], self.s)

    def diff_text(self, wrt: str, printer=None) -> str:
        """The derivative exactly as `dcalc diff` prints it (shared pieces named d1, d2, … when it is large)."""
        if printer is None and wrt in self._diff:
            return self._diff[wrt]
        definitions, final = program(self.derivative(wrt), self.graph.inputs)
        text = program_text(definitions, final, printer or to_text)
        if printer is None:
            self._diff[wrt] = text
        return text


def _sum(parts: list):
    total = parts[0]
    for p in parts[1:]:
        total = total + p
    return total
