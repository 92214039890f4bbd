"""Checks: every partial derivative computed in every way dcalc knows, compared; and the tolerance of --expect.

Forward mode, reverse mode and the symbolic derivative evaluated at the point all follow the table's partial rules, so
they must agree to rounding (`ROUNDING`). A central finite difference with Richardson extrapolation follows only the
value rules, so it catches a wrong partial rule; it must agree with reverse mode within the tolerance the user picks.
Differences are relative, with an absolute floor near zero: |a − b| ≤ tol·max(|a|, |b|, 1).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import MathError
from .evaluate import evaluate, value
from .forward import derivative
from .graph import Graph
from .printing import number_text
from .reverse import gradient

ROUNDING = 1e-9  # how closely forward, reverse and symbolic must agree: they differ only in the order of roundings
CHECK_TOL = 1e-6  # default --tol of `dcalc check`: what a finite difference with extrapolation reliably reaches
EXPECT_TOL = 1e-9  # default --tol of --expect: about nine significant digits
STEPS = (1e-3, 1e-4, 1e-5)  # finite-difference steps, relative to the scale of the variable, tried in turn


def disagreement(a: float, b: float) -> float:
    """|a − b| relative to the larger of |a| and |b|, or absolute when both are below 1."""
    return abs(a - b) / max(abs(a), abs(b), 1.0)


def close(got: float, expected: float, tol: float) -> bool:
    return disagreement(got, expected) <= tol


@dataclass
class Partial:
    """∂f/∂x at one point by each method (None where a method gives no number) and their largest disagreement."""

    forward: float
    reverse: float
    symbolic: float | None
    finite_difference: float | None
    max_disagreement: float
    problem: str | None = None  # why this partial fails the check, in words


@dataclass
class Checked:
    at: dict[str, float]
    value: float
    tolerance: float
    partials: dict[str, Partial]

    @property
    def ok(self) -> bool:
        return all(p.problem is None for p in self.partials.values())

    def problems(self) -> list[str]:
        return [f"∂f/∂{x}: {p.problem}" for x, p in self.partials.items() if p.problem]


class Checker:
    """The checks of one graph: the symbolic derivatives are built once and evaluated at every point."""

    def __init__(self, graph: Graph, names: list[str], tol: float = CHECK_TOL):
        from .simplify import Simplifier
        from .symbolic import derive, expression
        self.graph, self.names, self.tol = graph, names, tol
        s = Simplifier()
        f = expression(graph, s)
        self.symbolic = {x: derive(f, x, s) for x in names}

    def check(self, point: dict[str, float]) -> Checked:
        """Raises MathError where the value or the derivative does not exist (as grad does)."""
        vals = evaluate(self.graph, point)
        reverse = gradient(self.graph, vals, self.names)
        out = {}
        for x in self.names:
            forward = derivative(self.graph, vals, x) + 0.0
            symbolic, problem = self._symbolic(x, point)
            out[x] = self._compare(x, point, forward, reverse[x], symbolic, problem)
        return Checked(point, vals[self.graph.output], self.tol, out)

    def _symbolic(self, x: str, point: dict[str, float]) -> tuple[float | None, str | None]:
        from .symbolic import value_of
        try:
            return value_of(self.symbolic[x], point, self.graph.source) + 0.0, None
        except MathError as e:
            return None, f"the symbolic derivative is undefined there: {e.message}"

    def _compare(self, x, point, forward, reverse, symbolic, problem) -> Partial:
        ad = {m: v for m, v in (("forward", forward), ("reverse", reverse), ("symbolic", symbolic)) if v is not None}
        pairs = [(disagreement(ad[m], ad[n]), m, n) for m in ad for n in ad if m < n]
        worst, m, n = max(pairs, default=(0.0, "", ""))
        if problem is None and worst > ROUNDING:
            problem = (f"{m} {number_text(ad[m])} and {n} {number_text(ad[n])} differ by {worst:.3g} "
                       f"(they should agree to rounding, {ROUNDING:g})")
        fd = finite_difference(self.graph, point, x, reverse, self.tol)
        if fd is not None:
            pairs.append((disagreement(reverse, fd), "reverse", "finite_difference"))
            if problem is None and pairs[-1][0] > self.tol:
                problem = (f"reverse mode gives {number_text(reverse)}, the finite difference {number_text(fd)} "
                           f"(disagreement {pairs[-1][0]:.3g}, tolerance {self.tol:g})")
        return Partial(forward, reverse, symbolic, fd, max(d for d, _, _ in pairs), problem)


def finite_difference(graph: Graph, point: dict[str, float], x: str, target: float, tol: float) -> float | None:
    """df/dx by central differences with one Richardson step, D(h/2) + (D(h/2) − D(h))/3, whose error is O(h⁴).

    No single step suits every point (rounding grows as h shrinks, truncation as it grows, and a domain's edge or a
    kink may be near), so steps relative to max(|x|, 1) and, for small x, to |x| are tried in turn; the first that
    agrees with `target` within `tol` is kept, else the closest. None when no step stays inside the domain."""
    x0 = point[x]
    scales = [max(abs(x0), 1.0)] + ([abs(x0)] if 0 < abs(x0) < 1 else [])
    best = None
    for scale in scales:
        for step in STEPS:
            d = _richardson(graph, point, x, step * scale)
            if d is None:
                continue
            if best is None or disagreement(d, target) < disagreement(best, target):
                best = d
            if disagreement(d, target) <= tol:
                return d
    return best


def _richardson(graph: Graph, point: dict[str, float], x: str, h: float) -> float | None:
    try:
        coarse, fine = _central(graph, point, x, h), _central(graph, point, x, h / 2)
    except MathError:
        return None
    return fine + (fine - coarse) / 3


def _central(graph: Graph, point: dict[str, float], x: str, h: float) -> float:
    x0 = point[x]
    up, down = dict(point), dict(point)
    up[x], down[x] = x0 + h, x0 - h
    return (value(graph, up) - value(graph, down)) / (up[x] - down[x])  # the step actually taken, after rounding


def expected_partials(text: str, names: list[str]) -> dict[str, float]:
    """--expect of grad: `x=7,y=2` (any of the variables) or a bare number when there is one variable."""
    from .points import parse_point
    return parse_point(text, names, "--expect", "the gradient", complete=False)
