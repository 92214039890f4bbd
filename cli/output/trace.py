"""The derivation as data: for every node its value, its local partials (rule and number) and its total derivative
d(node)/d(wrt) (forward mode) or its adjoint ∂f/∂(node) (reverse mode), with the sums that produce them.

The numbers come from the interpreters (evaluate, forward, reverse) and the partials from partials.py, so a trace
shows exactly what `dcalc grad` computes. Rows are produced one node at a time (`Trace.rows()`), so a renderer can
stream a 100,000-node trace; the rules (∂u1/∂x = 2x) are built from the primitive table and simplified per row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ..core.graph import Graph, reach
from ..core.partials import local_partials
from ..errors import MathError, NoSuchVariable, NotDifferentiable, ReverseKink, UsageError, WrtNeeded
from ..modes.evaluate import every_double, node_values
from ..modes.forward import tangents
from ..modes.reverse import adjoints, gradient
from ..symbolic.simplify import simplify

MODES = ("forward", "reverse")


@dataclass(frozen=True, slots=True)
class LocalPartial:
    """∂(row)/∂(node read): the node, the rule as a formula over the nodes the row reads, and its number."""

    index: int
    name: str
    value: float
    rule: object = None  # an Expr; None until the row asks for rules


@dataclass(frozen=True, slots=True)
class Term:
    """One term of an adjoint sum: adjoint(v) gets adjoint(reader)·∂reader/∂v."""

    reader: str
    adjoint: float
    partial: float


@dataclass(slots=True)
class Row:
    index: int
    name: str
    kind: str  # 'input', 'const' (a constant the user named) or 'node'
    value: float
    formula: object = None  # the definition, `x + u1`, for operation nodes
    reads: list[str] = field(default_factory=list)  # the nodes of the list it reads, each once, in order
    partials: list[LocalPartial] = field(default_factory=list)
    derivative: float | None = None  # d(node)/d(wrt); forward mode, or reverse mode with --wrt
    adjoint: float | None = None  # ∂f/∂(node), reverse mode
    terms: list[Term] = field(default_factory=list)  # the adjoint sum, over the readers, in evaluation order
    through: list[str] = field(default_factory=list)  # the nodes it reads, other than wrt, that depend on wrt
    also_through: list[str] = field(default_factory=list)  # wrt is read directly and through these: ∂ ≠ d here
    sides: tuple | None = None  # at a kink, (left, right) derivatives of a node that has no two-sided one
    seed: float | None = None  # reverse mode with seeds (several outputs): this output's seed, part of its adjoint


@dataclass(frozen=True, slots=True)
class Failure:
    """Where a trace stops: the node whose value or derivative does not exist, its definition, where in the source
    it was written (a span, or None), and the error (raised once the rows before it are shown)."""

    index: int
    name: str
    formula: object
    value: float | None  # None: the value itself does not exist (a domain error); else the derivative does not
    span: tuple[int, int] | None
    error: MathError
    formula_reads: tuple[str, ...] = ()  # the named nodes it reads, in order (the graph's edges into it)


@dataclass
class Trace:
    graph: Graph
    point: dict[str, float]
    wrt: str | None
    mode: str
    values: list[float]
    tangents: list[float | None] | None = None
    adjoints: list[float | None] | None = None
    _partials: list | None = None  # reverse mode: every node's partials, needed before the backward sums
    _readers: list | None = None  # reverse mode: the terms of each adjoint's sum
    _live: list | None = None  # forward mode: which nodes depend on wrt (only their partials are evaluated)
    sides: dict | None = None  # at a kink (forward mode): node → (left, right) where they differ; else None
    wrt_given: bool = False  # wrt was asked for, not the only input taken by default: a reverse trace shows d/d(wrt)
    failure: Failure | None = None  # the trace stops at this node (trace_until_failure); rows are the ones before it
    derivation: object = None  # a symbolic.derivation.Derivation (forward) when formulas are shown beside numbers
    adjoint_derivation: object = None  # the same for the adjoints (reverse mode)
    seed: dict | None = None  # reverse mode, several outputs: output label → seed (adjoints are the VJP seedᵀJ)

    def seeds(self) -> dict[int, float]:
        """The seeds by node (two outputs that are one node, x*y and y*x: their seeds add)."""
        out: dict[int, float] = {}
        for label, o in zip(self.graph.labels, self.graph.outputs):
            if self.seed and label in self.seed:
                out[o] = out.get(o, 0.0) + self.seed[label]
        return out

    @property
    def values_by_output(self) -> dict[str, float]:
        """Each output's value by label (a trace that stopped has not every output: no values)."""
        if len(self.graph.labels) != len(self.graph.outputs):
            return {}
        return {label: self.values[o] + 0.0 for label, o in zip(self.graph.labels, self.graph.outputs)}

    @property
    def shows_derivative(self) -> bool:
        """Whether every node's d(node)/d(wrt) is part of the trace: forward mode, or reverse mode given a wrt
        (DESIGN: "Reverse mode needs no --wrt; when one is given, nodes carry derivative as well")."""
        return self.mode == "forward" or self.wrt_given

    @property
    def value(self) -> float:
        return self.values[self.graph.output]

    @property
    def derivative(self) -> float | None:
        """df/d(wrt), when there is a wrt."""
        if self.wrt is None:
            return None
        if self.mode == "reverse":
            return self.gradient[self.wrt]
        return _zero(self.tangents[self.graph.output])

    @property
    def gradient(self) -> dict[str, float]:
        """The inputs' adjoints (reverse mode)."""
        return {name: _zero(self.adjoints[i]) for i, name in enumerate(self.graph.inputs)}

    def rows(self, rules: bool = True) -> Iterator[Row]:
        """One row per shown node in evaluation order (inputs, operations, named constants); `rules=False` skips
        building the rule formulas when only numbers are wanted."""
        g = self.graph
        live = reach(g, [self.wrt]) if self.wrt is not None else None
        seeds = self.seeds() if self.seed is not None else {}
        for i in g.shown():
            node = g.nodes[i]
            row = Row(i, node.name, node.kind, self.values[i])
            if node.kind == "node":
                row.formula = g.formula(i)
                row.reads = list(dict.fromkeys(g.nodes[a].name for a in node.args if g.nodes[a].name))
                row.partials = self._row_partials(i, rules)
                if live is not None:  # where du/dx is a chain through other nodes, not the local partial ∂u/∂x
                    row.through = [p.name for p in row.partials if p.name != self.wrt and live[p.index]]
                    if self.wrt in row.reads:
                        row.also_through = row.through
            if self.tangents is not None:
                row.derivative = _zero(self.tangents[i])
                if self.sides and i in self.sides:
                    row.derivative, row.sides = None, self.sides[i]
            if self.adjoints is not None:
                row.adjoint = _zero(self.adjoints[i])
                row.seed = seeds.get(i)
                row.terms = self._readers[i] if g.active[i] else []
            yield row

    def _row_partials(self, i: int, rules: bool) -> list[LocalPartial]:
        """The node's partials, one per distinct node read (x*x: ∂/∂x = x + x, summed)."""
        g = self.graph
        node = g.nodes[i]
        nums = self._partials[i] if self._partials is not None else self._numbers(i)
        by_arg: dict[int, list] = {}
        for k, (a, p) in enumerate(zip(node.args, nums)):
            if p is not None:
                by_arg.setdefault(a, []).append((k, p))
        out = []
        for a, places in by_arg.items():
            value = sum(p for _, p in places) if len(places) > 1 else places[0][1]
            rule = None
            if rules:
                refs = tuple(g.ref(b) for b in node.args)
                parts = [node.op.rule(k, *refs) for k, _ in places]
                rule = simplify(_sum(parts))
            out.append(LocalPartial(a, g.nodes[a].name, value, rule))
        return out

    def _numbers(self, i: int) -> list[float | None]:
        if self.mode == "forward":  # at a kink a partial may not exist: shown as it is (inf, nan), not raised
            return _plain(local_partials(self.graph, i, self.values, self._live, strict=self.sides is None))
        return _plain(local_partials(self.graph, i, self.values))


def _zero(v: float | None) -> float:
    return 0.0 if v is None else v + 0.0


def _plain(partials: list[float | None]) -> list[float | None]:
    """Partials as a trace shows them: a zero partial is 0, never -0 (-sin(x) at 0, y at y = -0). The sign of a
    zero means something in a value (atan2(-0, -1) is -π, and values are shown as computed), not in a derivative:
    the passes add +0.0 to every derivative they give, and a partial shown as -0 would only raise the question."""
    return [p if p is None else p + 0.0 for p in partials]


def _sum(parts: list):
    total = parts[0]
    for p in parts[1:]:
        total = total + p
    return total


def trace_until_failure(graph: Graph, point: dict[str, float], wrt: str | None = None,
                        mode: str = "forward", seed: dict[str, float] | None = None) -> Trace:
    """trace() (`seed`: see there), or where a value or a derivative does not exist at a node, the trace of the nodes before it with
    `failure` saying where it stops (DcalcErrors without a node to pin, and usage errors, are raised as they are)."""
    try:
        return trace(graph, point, wrt, mode, seed)
    except MathError as e:
        error = e
    given = wrt is not None
    wrt = _wrt(graph, wrt, mode)
    stop = _stop(graph, point, wrt, error)
    if stop is None:
        raise error
    i, value = stop
    nodes = graph.nodes[:i]  # inputs come first, so every input is among them
    before = Graph(nodes, i - 1, graph.source, graph.active[:i], graph.inputs, graph.constants, graph.defined)
    before.labels = graph.labels  # the header still lists every output (the nodes after i are not there)
    vals = node_values(before, point)
    t = Trace(before, point, wrt, mode, vals, wrt_given=given)
    if wrt is not None:
        t._live = reach(before, [wrt])
        try:
            t.tangents = tangents(before, vals, {wrt: 1.0})
        except MathError:  # an overflow before the node that stops it: nothing better to show than the error
            raise error from None
    node = graph.nodes[i]
    reads = tuple(graph.nodes[a].name for a in node.args if graph.nodes[a].name)
    t.failure = Failure(i, node.name, graph.formula(i), value, _balanced(graph.source, node.span), error, reads)
    return t


def _balanced(source: str, span: tuple[int, int] | None) -> tuple[int, int] | None:
    """An operator's span ends at its last operand, so `1/(x-2)` is spanned as `1/(x-2`: take in the parentheses
    that close what it opened (and open what it closes)."""
    if span is None or not source:
        return span
    start, end = span
    depth = source.count("(", start, end) - source.count(")", start, end)
    while depth > 0 and end < len(source):
        depth -= source[end] == ")"
        depth += source[end] == "("
        end += 1
    while depth < 0 and start > 0:
        start -= 1
        depth += source[start] == "("
        depth -= source[start] == ")"
    return start, end


def _stop(graph: Graph, point: dict[str, float], wrt: str | None, e: MathError) -> tuple[int, float | None] | None:
    """The node where evaluation or differentiation stops, and its value if it has one: the first node whose value is
    not finite, else the node a NotDifferentiable names (the first kink in the way)."""
    vals = [0.0] * len(graph.nodes)
    for i, node in enumerate(graph.nodes):
        if node.kind == "node":
            v = node.op.value(*(vals[a] for a in node.args))
            if v - v != 0:
                return i, None
            vals[i] = v
        else:
            vals[i] = float(point[node.name]) if node.kind == "input" else node.value
    node_index = getattr(e, "node", None)
    if node_index is None:
        try:
            tangents(graph, vals, {wrt: 1.0} if wrt is not None else {x: 1.0 for x in graph.inputs})
        except NotDifferentiable as first:
            node_index = getattr(first, "node", None)
        except MathError:
            return None
    if node_index is None or graph.nodes[node_index].kind != "node":
        return None
    return node_index, vals[node_index]


def _wrt(graph: Graph, wrt: str | None, mode: str) -> str | None:
    """The variable a trace follows: the one given, or the only input (forward mode needs one)."""
    if wrt is None and mode == "forward":
        if len(graph.inputs) > 1:
            raise WrtNeeded(graph.inputs, reverse=True)
        wrt = graph.inputs[0]
    if wrt is None and len(graph.inputs) == 1:
        wrt = graph.inputs[0]
    return wrt


def trace(graph: Graph, point: dict[str, float], wrt: str | None = None, mode: str = "forward",
          seed: dict[str, float] | None = None) -> Trace:
    """Evaluate, then carry tangents (forward) or adjoints (reverse); raises DcalcError where a value or a
    derivative does not exist. `seed` (reverse mode, several outputs): each output's adjoint to start from, by label;
    the inputs' adjoints are then the vector–Jacobian product seedᵀJ."""
    if mode not in MODES:
        raise UsageError(f"mode {mode!r}: expected 'forward' or 'reverse'")
    if not graph.inputs:
        raise UsageError("the expression has no free variables, so there is no derivative to trace")
    if wrt is not None and wrt not in graph.inputs:  # a trace follows its variable through the graph
        raise NoSuchVariable(wrt, graph.inputs)
    given = wrt is not None
    wrt = _wrt(graph, wrt, mode)
    vals = every_double(graph, node_values(graph, point))  # a trace shows every value: none may be beyond the doubles
    t = Trace(graph, point, wrt, mode, vals, wrt_given=given, seed=seed)
    if mode == "forward":
        t._live = reach(graph, [wrt])
        try:
            t.tangents = tangents(graph, vals, {wrt: 1.0})
        except NotDifferentiable:  # a kink: f's own left and right derivatives decide, node by node
            from ..modes.kinks import derivative, node_derivatives
            derivative(graph, vals, {wrt: 1.0}, 1, wrt)
            t.tangents, t.sides = node_derivatives(graph, vals, wrt, t._live)
    else:
        try:
            t.adjoints = adjoints(graph, vals, seed=t.seeds() if seed is not None else None)
        except NotDifferentiable as e:
            raise _no_adjoints(graph, vals, e) from None
        t._partials = [_plain(local_partials(graph, i, vals)) if n.kind == "node" else None
                       for i, n in enumerate(graph.nodes)]
        t._readers = _readers(graph, t.adjoints, t._partials)
        if wrt is not None:
            t.tangents = tangents(graph, vals, {wrt: 1.0})
    return t


def _no_adjoints(graph: Graph, vals: list[float], e: NotDifferentiable) -> NotDifferentiable:
    """Reverse mode at a kink: adjoints multiply local partials, and one does not exist. If f is not differentiable
    the error says so as grad does; if it is, the forward trace shows how (left and right agree)."""
    if len(graph.outputs) > 1:  # each output's own one-sided derivatives, or grad's error naming the output
        from ..modes.jacobian import jacobian
        jacobian(graph, vals, graph.inputs, "reverse")
    else:
        gradient(graph, vals)  # at the kink: f's own one-sided derivatives, or grad's error
    where = graph.nodes[e.node].name if getattr(e, "node", None) is not None else "a node"
    return ReverseKink(where, getattr(e, "node", None), source=graph.source)


def _readers(graph: Graph, adj: list, partials: list) -> list[list[Term]]:
    """For every node v, the terms of v̄ = Σ ū·∂u/∂v over the nodes u that read it (x*x: one term, partials summed)."""
    readers: list[list[Term]] = [[] for _ in graph.nodes]
    for u, node in enumerate(graph.nodes):
        if node.kind != "node" or adj[u] is None:
            continue
        summed: dict[int, float] = {}
        for a, p in zip(node.args, partials[u]):
            if p is not None:
                summed[a] = summed[a] + p if a in summed else p
        for a, p in summed.items():
            readers[a].append(Term(node.name, adj[u] + 0.0, p + 0.0))  # a zero shown as 0, not -0 (_plain)
    return readers
