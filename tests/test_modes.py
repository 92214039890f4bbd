"""Forward mode and reverse mode against each other, against central differences and against known values."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

import dcalc
from dcalc.core.ops import OPS
from dcalc.core.printing import to_text
from dcalc.errors import MathError
from dcalc.language.expr import Apply, Num, Var
from dcalc.modes.evaluate import node_values
from dcalc.modes.forward import derivative, tangents
from dcalc.modes.reverse import adjoints, gradient

LEAVES = st.sampled_from([Var("x"), Var("y"), Var("z"), Num(0.5), Num(2.0), Num(3.0)])


def _apply(children):
    return st.sampled_from(sorted(OPS)).flatmap(
        lambda name: st.tuples(*[children] * OPS[name].arity).map(lambda args: Apply(name, args)))


EXPRS = st.recursive(LEAVES, _apply, max_leaves=10)  # every primitive of the table, nested
COORD = st.floats(0.15, 2.5)


def _graph_and_values(expr, xyz):
    """The graph of a generated expression and its values, or reject() where it has no inputs or no value."""
    point = dict(zip(("x", "y", "z"), xyz))
    try:
        g = dcalc.compile(to_text(expr))  # constants are folded at once: ln(-3) fails here
        if not g.inputs:
            reject()
        vals = node_values(g, {n: point[n] for n in g.inputs})
    except MathError:
        reject()
    if any(abs(v) > 1e6 for v in vals):
        reject()
    return g, vals


def _or_reject(f, *args):
    try:
        return f(*args)
    except MathError:  # not differentiable there: tested in test_nondiff.py
        reject()


@settings(max_examples=300)
@given(EXPRS, st.tuples(COORD, COORD, COORD))
def test_forward_equals_reverse(expr, xyz):
    g, vals = _graph_and_values(expr, xyz)
    grad = _or_reject(gradient, g, vals)
    adj = _or_reject(adjoints, g, vals)  # a kink (abs(x - x)): the gradient came from kinks.py, tested there
    for x in g.inputs:
        tan = tangents(g, vals, {x: 1.0})
        scale = (1 + max(abs(t or 0) for t in tan)) * (1 + max(abs(a or 0) for a in adj))
        assert derivative(g, vals, x) == pytest.approx(grad[x], rel=1e-9, abs=1e-12 * scale)


def _fd(g, point, x, h):
    up, down = dict(point), dict(point)
    up[x] += h
    down[x] -= h
    return (dcalc.evaluate(g, up) - dcalc.evaluate(g, down)) / (2 * h)


@settings(max_examples=200)
@given(EXPRS, st.tuples(COORD, COORD, COORD))
def test_derivative_matches_central_differences(expr, xyz):
    g, vals = _graph_and_values(expr, xyz)
    point = {n: v for n, v in zip(("x", "y", "z"), xyz) if n in g.inputs}
    grad = _or_reject(gradient, g, vals)
    for x in g.inputs:
        h = 1e-5 * (1 + abs(point[x]))
        try:
            coarse, fine = _fd(g, point, x, h), _fd(g, point, x, h / 2)
        except MathError:
            reject()  # the point is at the edge of a domain
        if not math.isclose(coarse, fine, rel_tol=1e-4, abs_tol=1e-6):
            reject()  # differences not yet converged (a kink or a steep stretch nearby): no verdict
        assert grad[x] == pytest.approx(fine, rel=1e-4, abs=1e-6)


CLASSIC = [  # expression, point, value, derivative (by hand)
    ("x + x^2", 2.0, 6.0, 5.0),
    ("sin(x + x^2)", 2.0, math.sin(6.0), math.cos(6.0) * 5.0),
    ("x*x^2", 2.0, 8.0, 12.0),
    ("x^2", -1.0, 1.0, -2.0),  # a constant exponent never touches ln(-1)
    ("x^0", 0.0, 1.0, 0.0),
    ("x^1", 0.0, 0.0, 1.0),
    ("x^3", 0.0, 0.0, 0.0),
    ("exp(x)*ln(x)", 1.0, 0.0, math.e),
]


@pytest.mark.parametrize("text, x, value, d", CLASSIC, ids=[c[0] for c in CLASSIC])
def test_classic_examples(text, x, value, d):
    assert dcalc.evaluate(text, {"x": x}) == pytest.approx(value, rel=1e-15)
    assert dcalc.derivative(text, {"x": x}) == pytest.approx(d, rel=1e-15, abs=1e-300)
    assert dcalc.gradient(text, {"x": x})["x"] == pytest.approx(d, rel=1e-15, abs=1e-300)


def test_baydin_example_gradient():
    """Baydin, Pearlmutter, Radul, Siskind (2018), 'Automatic differentiation in machine learning: a survey'."""
    f, at = "ln(x1) + x1*x2 - sin(x2)", {"x1": 2.0, "x2": 5.0}
    assert dcalc.evaluate(f, at) == pytest.approx(11.652071455223084, rel=1e-15)
    assert repr(dcalc.evaluate(f, at)).startswith("11.652071")
    assert dcalc.gradient(f, at) == {"x1": 5.5, "x2": pytest.approx(2 - math.cos(5), rel=1e-15)}
    assert dcalc.derivative(f, at, "x1") == 5.5
    assert dcalc.derivative(f, at, "x2") == pytest.approx(1.7163378145367738, rel=1e-15)


@pytest.mark.parametrize("text, at, expected", [
    ("a = x^2; a + x", {"x": 2.0}, {"x": 5.0}),
    ("f(t) = t^2 + t; f(x)", {"x": 2.0}, {"x": 5.0}),
    ("f(s, t) = s*t; u = f(x, y); f(u, x)", {"x": 2.0, "y": 3.0}, {"x": 12.0, "y": 4.0}),
    ("x*y + 0*z", {"x": 2.0, "y": 3.0, "z": 1.0}, {"x": 3.0, "y": 2.0, "z": 0.0}),
], ids=["intermediate", "user-function", "nested-functions", "zero-entry"])
def test_programs(text, at, expected):
    assert dcalc.gradient(text, at) == expected
    for x, d in expected.items():
        assert dcalc.derivative(text, at, x) == d


def test_reverse_mode_evaluates_each_node_once_whatever_the_number_of_inputs(monkeypatch):
    """One backward pass: the partial rule of each sin node is computed once, for 40 inputs as for 1."""
    from dcalc.core.partials import RULES, Rules
    calls = []
    (cos,) = RULES["sin"].steps
    counting = Rules(RULES["sin"])
    counting.steps = (lambda args: calls.append(args[0]) or cos(args),)
    monkeypatch.setitem(RULES, "sin", counting)
    names = [f"x{k}" for k in range(40)]
    g = dcalc.compile(" + ".join(f"sin({n})*{n}" for n in names))
    point = {n: 0.5 + k / 40 for k, n in enumerate(names)}
    grad = gradient(g, node_values(g, point))
    assert calls == list(reversed(point.values()))
    assert grad["x3"] == pytest.approx(math.sin(0.575) + 0.575 * math.cos(0.575), rel=1e-15)


def test_shared_node_is_differentiated_once(monkeypatch):
    """u1 = x^2 read by three nodes: forward mode computes its tangent once (no re-walking of paths)."""
    import dcalc.modes.forward as forward
    calls = []
    real = forward.local_partials
    monkeypatch.setattr(forward, "local_partials", lambda g, i, *rest, **kw: calls.append(i) or real(g, i, *rest, **kw))
    g = dcalc.compile("a = x^2; sin(a) + cos(a) + a")
    tangents(g, node_values(g, {"x": 1.0}), {"x": 1.0})
    assert len(calls) == len(set(calls)) == sum(n.kind == "node" for n in g.nodes)


def test_grad_wrt_skips_partials_of_other_inputs():
    """x^y at x = -2: ∂/∂y = x^y·ln(x) does not exist, but ∂/∂x does, and asking for it alone works."""
    g = dcalc.compile("x^y")
    vals = node_values(g, {"x": -2.0, "y": 2.0})
    assert gradient(g, vals, ["x"]) == {"x": -4.0}
    assert derivative(g, vals, "x") == -4.0


def test_deep_expression_has_no_recursion_limit():
    depth = 20_000
    text = "sin(" * depth + "x" + ")" * depth
    g = dcalc.compile(text)
    vals = node_values(g, {"x": 0.1})
    assert derivative(g, vals, "x") == pytest.approx(gradient(g, vals)["x"], rel=1e-12)
