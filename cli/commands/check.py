"""Checks: every partial derivative computed in every way dcalc knows, compared; and how close is close.

Forward mode, reverse mode and the symbolic derivative evaluated at the point all follow the table's partial rules, so
they must agree to rounding. How much rounding depends on the problem: they sum the same terms ∂u/∂v·dv/dx in
different orders, so they may differ by about ε·(number of nodes)·B, where B is the sum of the magnitudes of those
terms (one reverse pass over absolute values, `Rounding`); on top of that, a relative `ROUNDING` for the symbolic
formula's own simplifications. A central finite difference with Richardson extrapolation follows only the value rules,
so it catches a wrong partial rule; it must agree with reverse mode within the tolerance the user picks *plus its own
error estimate*: the truncation error (the Richardson correction) and the rounding of the values it differences
(ε·Σ|∂f/∂u|·|u| over the nodes, divided by the step). Where a finite difference is ill-conditioned (a large value
with a small derivative, a step across many periods), its estimate says so instead of raising a false alarm.
Disagreements are reported relative to the larger of the two numbers (absolute below 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core.graph import Graph
from ..core.ops import LOGARITHMS
from ..core.partials import local_partials
from ..core.printing import number_text
from ..errors import FormulaOverflow, MathError
from ..modes.evaluate import formula_value, node_values, value
from ..modes.forward import derivative
from ..modes.reverse import at_kink, gradient
from .defaults import CHECK_TOL

ROUNDING = 1e-9  # relative room for the symbolic formula, simplified, beside forward and reverse mode
EPS = 2.0 ** -52  # the unit roundoff of a double (times 2: one ulp)
ORDERINGS = 4  # room for the orders of summation: ε·ORDERINGS·(nodes + 1)·B
STEPS = (1e-3, 1e-2, 1e-4, 1e-5, 1e-6, 1e-7)  # finite-difference steps relative to a scale of x, tried in turn
CONDITIONING = 16  # times the spread of the derivative over perturbed values (Rounding.condition), as the oracle
RUNS = 3  # perturbed evaluations for that spread
FD_SAFETY = 4  # the error estimate of a finite difference, times this, is what it may be off by
INFORMATIVE = 0.5  # a step tells something when its error estimate is below this share of the derivative
UNRESOLVED = 100  # a step h is of no use where h·|f'| exceeds this many times |f(x ± h)|: f turns within the step


def disagreement(a: float, b: float) -> float:
    """|a − b| relative to the larger of |a| and |b|, or absolute when both are below 1."""
    return abs(a - b) / max(abs(a), abs(b), 1.0)


def close(got: float, expected: float, tol: float) -> bool:
    return disagreement(got, expected) <= tol


@dataclass
class PartialCheck:
    """∂f/∂x at one point by each method (None where a method gives no number) and their largest disagreement."""

    forward: float
    reverse: float
    symbolic: float | None
    finite_difference: float | None
    max_disagreement: float
    problem: str | None = None  # why this partial fails the check, in words
    finite_difference_error: float | None = None  # how far the finite difference may be off (truncation, rounding)
    symbolic_note: str | None = None  # why the symbolic column is empty (or a limit) where that is no disagreement


@dataclass
class PointCheck:
    """The check at one point: the value and every partial by every method."""

    at: dict[str, float]
    value: float
    tolerance: float
    partials: dict[str, PartialCheck]
    kink: bool = False  # a local partial does not exist here: forward and reverse are one-sided derivatives that agree

    @property
    def ok(self) -> bool:
        return all(p.problem is None for p in self.partials.values())

    def problems(self, out: str = "f") -> list[str]:
        return [f"∂{out}/∂{x}: {p.problem}" for x, p in self.partials.items() if p.problem]


class Checker:
    """The checks of one graph: the symbolic derivatives are built once and evaluated at every point."""

    def __init__(self, graph: Graph, names: list[str], tol: float = CHECK_TOL):
        from ..symbolic.formulas import derive, expression
        from ..symbolic.simplify import Simplifier
        self.graph, self.names, self.tol = graph, names, tol
        s = Simplifier()
        f = expression(graph, s)
        self.symbolic = {x: derive(f, x, s) for x in names}
        self._formula_graphs: dict[str, tuple] = {}  # x → (the formula, its graph)

    def check(self, point: dict[str, float]) -> PointCheck:
        """Raises MathError where the value or the derivative does not exist (as grad does)."""
        vals = node_values(self.graph, point)
        reverse = gradient(self.graph, vals, self.names)
        rounding = Rounding(self.graph, vals)
        kink = at_kink(self.graph, vals, self.names)
        if not kink:
            rounding.condition(point, self.names)
        out = {}
        for x in self.names:
            forward = derivative(self.graph, vals, x) + 0.0
            symbolic, problem = self._symbolic(x, point)
            note = None
            if isinstance(problem, FormulaOverflow):  # unavailable, not a disagreement: the formula cannot say
                note, problem = f"the formula overflows in an intermediate: {problem.message}", None
            elif problem is not None and (limit := zero_log_limit(self.symbolic[x], point)) is not None:
                # a^b·ln(a) at a zero base (0^b with a varying exponent b > 0): undefined as written, its limit is 0
                # as the partial rules take it; compared as a number, so a wrong formula still disagrees (seed 10007127)
                note = (f"the formula as written is undefined here ({problem}); the symbolic value is its limit, "
                        f"where a zero factor multiplies the logarithm of 0")
                symbolic, problem = limit, None
            elif problem is not None:
                problem = f"the symbolic derivative is undefined there: {problem}"
            if kink and symbolic is None:  # the formula divides by the kink's 0 (x/|x|): it has no value there
                problem = None
            out[x] = self._compare(x, point, forward, reverse[x], symbolic, problem, rounding)
            out[x].symbolic_note = note
        return PointCheck(point, vals[self.graph.output], self.tol, out, kink)

    def _symbolic(self, x: str, point: dict[str, float]) -> tuple[float | None, str | None]:
        try:
            return formula_value(self._formula_graph(x), point) + 0.0, None
        except FormulaOverflow as e:  # forward and reverse gave a double: an intermediate of the formula overflowed
            return None, FormulaOverflow(e.message)
        except MathError as e:
            return None, e.message

    def _formula_graph(self, x: str) -> Graph:
        """The graph of the formula of ∂f/∂x, built once: a check over --points evaluates it on every row."""
        from ..core.graph import formula_graph
        formula, graph = self._formula_graphs.get(x, (None, None))
        if formula is not self.symbolic[x]:  # (a formula put in its place, as the tests do, is built anew)
            graph = formula_graph(self.symbolic[x], self.graph.source)
            self._formula_graphs[x] = (self.symbolic[x], graph)
        return graph

    def _formula_rounding(self, x: str, point: dict[str, float]) -> float:
        """How far the symbolic formula's own value may be off by rounding (its terms are not the graph's: the
        simplifier may split u/|u| - sign(u), 0 off the kink, into terms of 0.04 that cancel to 9e-18, seed
        10004834): the Rounding bound of the formula's graph."""
        graph = self._formula_graph(x)
        try:
            vals = node_values(graph, point)
        except MathError:
            return 0.0
        # a formula evaluated in the wide numbers (a piece under- or overflowed) carries 40 digits: no room to add
        return 0.0 if getattr(vals, "wide", None) is not None else Rounding(graph, vals).value

    def _compare(self, x, point, forward, reverse, symbolic, problem, rounding) -> PartialCheck:
        ad = {m: v for m, v in (("forward", forward), ("reverse", reverse), ("symbolic", symbolic)) if v is not None}
        pairs = [(disagreement(ad[m], ad[n]), m, n) for m in ad for n in ad if m < n]
        room = rounding.derivative(x)
        formula_room = self._formula_rounding(x, point) if symbolic is not None else 0.0
        for _, m, n in sorted(pairs, reverse=True):
            a, b = ad[m], ad[n]
            allowed = room + (formula_room if "symbolic" in (m, n) else 0.0)
            if problem is None and abs(a - b) > ROUNDING * max(abs(a), abs(b)) + allowed:
                problem = (f"{m} {number_text(a)} and {n} {number_text(b)} differ by {disagreement(a, b):.3g} "
                           f"(they should agree to rounding, {ROUNDING:g} or {allowed:.3g} here)")
        fd, error = finite_difference_estimate(self.graph, point, x, rounding.value, reverse, self.tol)
        if fd is not None:
            pairs.append((disagreement(reverse, fd), "reverse", "finite_difference"))
            if problem is None and not agrees(reverse, fd, self.tol, error):
                problem = (f"reverse mode gives {number_text(reverse)}, the finite difference {number_text(fd)} "
                           f"(disagreement {pairs[-1][0]:.3g}, tolerance {self.tol:g}, "
                           f"the finite difference's error estimate {error:.3g})")
        return PartialCheck(forward, reverse, symbolic, fd, max(d for d, _, _ in pairs), problem, error)


def zero_log_limit(formula, point: dict[str, float]) -> float | None:
    """The value of a derivative's formula that is undefined as written only because a logarithm meets 0 where a zero
    factor multiplies it: ∂(a^b)/∂b = a^b·ln(a) at a = 0 with b > 0 (0^b with a varying exponent; its derivative is 0,
    as the partial rules give it with their strong zero). Computed in doubles with ln(0) = −∞ and a product with a
    zero factor 0 unless the other is not a number; None where no logarithm met 0 or the result is no number (1/0
    stays undefined). Iterative: a pass over the formula's graph."""
    from ..core.graph import formula_graph
    graph = formula_graph(formula)
    vals: list[float] = []
    met = False
    for node in graph.nodes:
        if node.kind == "input":
            v = float(point[node.name])
        elif node.kind == "const":
            v = node.value
        else:
            args = [vals[a] for a in node.args]
            name = node.op.name
            if name in LOGARITHMS and args[0] == 0:
                v, met = -math.inf, True
            elif name == "mul" and 0 in args and all(a == a for a in args):
                v = 0.0
            else:
                v = node.op.value(*args)
        vals.append(v)
    out = vals[graph.output]
    return out + 0.0 if met and math.isfinite(out) else None


SUBNORMAL = 2.0 ** -1074  # the absolute rounding of any result is up to half of this, the spacing of the subnormals


def agrees(exact: float, fd: float, tol: float, error: float) -> bool:
    """A derivative and a finite difference agree when they are within the relative tolerance plus the finite
    difference's error estimate (which takes the place of an absolute floor near zero)."""
    return abs(exact - fd) <= tol * max(abs(exact), abs(fd)) + error


def _total(terms) -> float:
    """The exact sum of non-negative bounds, or inf where it passes the doubles (fsum raises on an intermediate
    overflow: 1e308 + x + 0 has two terms of 1e308)."""
    try:
        return math.fsum(terms)
    except OverflowError:
        return math.inf


class Rounding:
    """First-order rounding analysis at one point, by one reverse pass over absolute values: adjoint[u] = Σ over the
    paths from u to the output of the products of |∂w/∂v|. Then adjoint[x] of an input bounds the sum of the magnitudes
    of the terms every mode adds up for ∂f/∂x, and ε·Σ adjoint[u]·|u| bounds the rounding error the value carries.
    Where a partial does not exist (a kink) the bounds fall back to the magnitudes of the results."""

    def __init__(self, graph: Graph, vals: list[float]):
        self.graph, self.vals, self.size = graph, vals, len(graph.nodes) + 1
        self.spread: dict[str, float] = {}  # per input: how far rounding of the values moves ∂f/∂x (condition)
        adjoint = [0.0] * len(graph.nodes)
        adjoint[graph.output] = 1.0
        try:
            for i in range(len(graph.nodes) - 1, -1, -1):
                node = graph.nodes[i]
                if node.kind == "node" and adjoint[i]:
                    for a, p in zip(node.args, local_partials(graph, i, vals)):
                        if p:
                            adjoint[a] += abs(p) * adjoint[i]
            self.adjoint = adjoint
        except MathError:
            self.adjoint = None
        terms = [a * abs(v) for a, v, node in zip(adjoint, vals, graph.nodes) if node.kind != "input" and a]
        self.value = EPS * (_total(terms) if self.adjoint is not None else self.size * abs(vals[graph.output]))
        # and each result's absolute rounding among the subnormals, up to 2^-1075, however small the value: f = x*x
        # at x = 1e-200 is 0 in doubles on every step, so a finite difference there sees nothing (was a false alarm
        # with an error estimate of 0 for ∂f/∂x = 2e-200, seed 3005737)
        self.value += SUBNORMAL * (_total(a for a, node in zip(adjoint, graph.nodes) if node.kind != "input")
                                   if self.adjoint is not None else self.size)
        if not math.isfinite(self.value):
            self.value = math.inf

    def derivative(self, x: str) -> float:
        """How far forward, reverse and symbolic may differ on ∂f/∂x by rounding alone: the orders of summation, and
        how much the problem amplifies the rounding of the values the partials are computed from (`condition`)."""
        if self.adjoint is None:
            return ROUNDING  # the old absolute floor near zero: no bound to do better with
        b = sum(self.adjoint[i] for i, node in enumerate(self.graph.nodes) if node.kind == "input" and node.name == x)
        return EPS * ORDERINGS * self.size * b + CONDITIONING * self.spread.get(x, 0.0) + 1e-300

    def condition(self, point: dict[str, float], names: list[str]) -> None:
        """The derivative's sensitivity to rounding, measured: the graph evaluated again with every node's result off
        by a few ulps (δ_i = ±(1…4)·ε, fixed per node and run, each run's error carried downstream as rounding is),
        forward mode at each; the spread of those derivatives is what rounding alone can move ∂f/∂x by. Every method
        computes its partials from rounded values, so they may differ by that much: cos(u) with u = x²π/1.03 ≈ 7e5
        loses digits that no order of summation accounts for (seed 3000353: reverse and symbolic 1.03e-9 apart).
        A wrong rule still differs by far more than that spread: it changes the derivative, not its rounding."""
        from ..modes.forward import tangents
        spread: dict[str, float] = {}
        try:
            base = {x: tangents(self.graph, self.vals, {x: 1.0})[self.graph.output] or 0.0 for x in names}
        except MathError:
            return
        for run in range(RUNS):
            vals = _perturbed(self.graph, point, run)
            if vals is None:
                continue
            for x in names:
                try:
                    d = tangents(self.graph, vals, {x: 1.0})[self.graph.output] or 0.0
                except MathError:
                    continue
                if math.isfinite(d):
                    spread[x] = max(spread.get(x, 0.0), abs(d - base[x]))
        self.spread = spread


def _perturbed(graph: Graph, point: dict[str, float], run: int) -> list[float] | None:
    """Every node's value with its result multiplied by 1 + δ (see Rounding.condition), or None where that leaves a
    domain."""
    vals = [0.0] * len(graph.nodes)
    for i, node in enumerate(graph.nodes):
        if node.kind == "node":
            v = node.op.value(*(vals[a] for a in node.args))
            if v - v != 0:
                return None
            k = (i * 7919 + run * 104729) % 8  # a fixed pattern: check is deterministic
            vals[i] = v * (1 + (1 + k % 4) * (1 if k < 4 else -1) * EPS)
        elif node.kind == "input":
            vals[i] = float(point[node.name])
        else:
            vals[i] = node.value
    return vals


def finite_difference(graph: Graph, point: dict[str, float], x: str, target: float, tol: float) -> float | None:
    """df/dx by central differences with Richardson extrapolation: the estimate closest to `target` (see
    finite_difference_estimate)."""
    vals = node_values(graph, point)
    return finite_difference_estimate(graph, point, x, Rounding(graph, vals).value, target, tol)[0]


def finite_difference_estimate(graph: Graph, point: dict[str, float], x: str, value_error: float, target: float,
                               tol: float) -> tuple[float | None, float | None]:
    """df/dx by central differences D(h) with Richardson extrapolation, and how far that may be off.

    At each step h: R = D(h/4) + (D(h/4) − D(h/2))/3, whose truncation error is O(h⁴); the same extrapolation one step
    coarser, R' from D(h/2) and D(h), errs by more, so |R − R'| bounds it generously; and the values differenced,
    each off by up to `value_error`, add 6·value_error/h. FD_SAFETY times that sum is the error estimate.

    No single step suits every point (rounding grows as h shrinks, truncation as it grows; a domain's edge or a kink
    may be within the step, the function may turn over many times within it), so steps relative to max(|x|, 1), to 1
    and, for small x, to |x| are tried (a step across which f would change by far more than its size, sin(x) at
    x = 1e200 where no step is below ulp(x), tells nothing and is skipped). A step whose estimate is more than half
    the derivative tells little either way: the first step that tells something and agrees with `target` within `tol`
    plus its estimate is kept; else the telling step with the smallest estimate (a disagreement); else, where no
    step tells anything (a zero derivative among rounding noise), the step with the smallest estimate. (None, None) when no step stays inside the domain."""
    x0 = point[x]
    slopes = _slopes(graph, point, x)
    scales = [max(abs(x0), 1.0)] + ([1.0] if abs(x0) > 1 else []) + ([abs(x0)] if 0 < abs(x0) < 1 else [])
    best, best_error, informed, informed_error = None, math.inf, None, math.inf
    for scale in scales:
        for step in STEPS:
            h = step * scale
            got = _richardson(graph, point, x, h)
            if got is None:
                continue
            d, truncation, size, shift = got
            if h * abs(target) > UNRESOLVED * (size + value_error):
                continue  # f would change by far more than its own size within the step: the step cannot see f'
            if _turns(graph, point, x, h, slopes):
                continue  # a kink within the step (abs(x) at x = -1e-150), or a node the step cannot resolve
            error = FD_SAFETY * (truncation + 6 * value_error / h + shift)
            if not math.isfinite(error):
                continue
            telling = error <= INFORMATIVE * max(abs(target), abs(d))
            if telling and agrees(target, d, tol, error):
                return d, error
            if error < best_error:
                best, best_error = d, error
            if telling and error < informed_error:
                informed, informed_error = d, error
    if informed is not None:
        return informed, informed_error
    return (best, best_error) if best is not None else (None, None)


def _richardson(graph: Graph, point: dict[str, float], x: str, h: float) -> tuple[float, float] | None:
    """The extrapolated difference at step h and the size of its truncation error, estimated."""
    try:
        f0 = value(graph, point)
        (d1, s1, c1), (d2, s2, c2), (d4, s4, c4) = (_central(graph, point, x, h / k, f0) for k in (1, 2, 4))
    except MathError:
        return None
    if not all(map(math.isfinite, (d1, d2, d4))):
        return None
    coarse, fine = d2 + (d2 - d1) / 3, d4 + (d4 - d2) / 3
    return fine, abs(fine - coarse), max(s1, s2, s4), max(c1, c2, c4)


def _slopes(graph: Graph, point: dict[str, float], x: str) -> list[float | None] | None:
    """d(node)/dx of every node at the point (forward mode), or None where a partial does not exist or overflows."""
    from ..modes.forward import tangents
    try:
        return tangents(graph, node_values(graph, point), {x: 1.0})
    except MathError:
        return None


def _turns(graph: Graph, point: dict[str, float], x: str, h: float, slopes: list[float | None] | None = None) -> bool:
    """Whether some node's partial derivative has opposite signs at x − h and x + h, or none at one of them: the
    sign of a/|a| flips where abs has its kink, and a smooth partial that changes sign within the step (cos(u) past
    π/2) makes the step too coarse anyway. The primitive table's own rules decide; no list of kinks here.
    Also whether some node u, at its slope du/dx at the point (`slopes`), would change by more than its size at both
    ends of the step (h·|du/dx| > |u(x − h)| + |u(x + h)|): it turns within the step, which then cannot see its
    derivative (sin(x) at x = 1e200, where every step above ulp(x) spans many periods: f(x ± h) came out equal and the
    difference 0 for ∂f/∂x = -2.3e-201, seed 3001259; cos(1e8 x) with a step of 1e-7). A node with a simple zero at x
    changes by about its size at the ends (x - 1 at 1): no turn."""
    sides = []
    for sign in (1, -1, 0):
        p = dict(point)
        p[x] = point[x] + sign * h
        try:
            vals = node_values(graph, p)
            if sign == 1:
                up_vals = vals
            elif sign == -1:
                if _jumps(graph, point, up_vals, vals):
                    return True
                for t, a, b in zip(slopes or (), up_vals, vals):
                    if t is not None and h * abs(t) > abs(a) + abs(b):
                        return True
            sides.append([local_partials(graph, i, vals) if node.kind == "node" else ()
                          for i, node in enumerate(graph.nodes)])
        except MathError:
            if sign == 0:  # a partial does not exist at the point (a kink there): every sign change counts
                sides.append([[None] * len(node.args) if node.kind == "node" else () for node in graph.nodes])
                break
            return True
    # A partial near 0 at the point itself, small beside its change across the step, crosses zero smoothly near the
    # middle of the step (-sin(x) at x = 0, cos(x) at fl(π/2)): no kink. A kink's partial jumps (a/|a| is ±1 on each
    # side and at the point, or undefined there). Skipping such steps left cos(x) at 0 with no finite difference.
    # A partial that is exactly 0 on one side and not on the other, the point's own being one of the two, switches
    # there (relu(u), max(u, v): 0 and 1) rather than crossing zero smoothly.
    return any(a is not None and b is not None and (a * b < 0 and not (c is not None and 4 * abs(c) < abs(a - b)) or
                                                    a != b and (a == 0 or b == 0) and (c is None or c == a or c == b))
               for up, down, centre in zip(*sides) for a, b, c in zip(up, down, centre))


def _jumps(graph: Graph, point: dict[str, float], up: list[float], down: list[float]) -> bool:
    """Whether a step of the table (ops.ONE_SIDED gives it a "step" form: sign, floor, …) has other values at the two
    ends of the difference: it jumps within the step, which then differences the jump, not the derivative."""
    from ..core.ops import ONE_SIDED
    for i, node in enumerate(graph.nodes):
        form = ONE_SIDED.get(node.op.name) if node.kind == "node" else None
        if form is not None and up[i] != down[i]:
            shape = form(*(up[a] for a in node.args))
            if isinstance(shape, tuple) and shape[0] == "step":  # (a kink's identity is a function: no step)
                return True
    return False


def _central(graph: Graph, point: dict[str, float], x: str, h: float, f0: float) -> tuple[float, float, float]:
    """The central difference at step h, the size of the values differenced, and the error of its centre: x ± h are
    rounded, so the difference is the slope about their midpoint, which may not be x (1e-200 ± 1e-3 is ±1e-3, centred
    on 0): that moves the answer by about |f''|·|shift|, f'' from the same three values (x*x at 1e-200 gave 0 for
    ∂f/∂x = 2e-200 with an error estimate of 0, seed 3005737)."""
    x0 = point[x]
    up, down = dict(point), dict(point)
    up[x], down[x] = x0 + h, x0 - h
    if up[x] == down[x]:
        raise MathError("the step vanished beside x")
    f_up, f_down = value(graph, up), value(graph, down)
    shift = abs(math.fsum((up[x], down[x], -x0, -x0))) / 2  # exactly (fsum): 1e-2 - 1e-200 rounds to 1e-2
    centre = abs(f_up - 2 * f0 + f_down) / (h * h) * shift if shift else 0.0
    # the step actually taken, after rounding
    return (f_up - f_down) / (up[x] - down[x]), abs(f_up) + abs(f_down), centre if math.isfinite(centre) else math.inf

