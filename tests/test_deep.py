"""Inputs nested 100,000 levels deep parse, lower, evaluate, differentiate and print without a RecursionError.

Each input is parsed and lowered once per module (that is the slow part); the tests share the result. Deep ASTs
are never compared with == or repr'd here: dataclass equality itself recurses.
"""

from __future__ import annotations

import math

import pytest

import dcalc
from dcalc.app import main
from dcalc.core.graph import lower
from dcalc.core.printing import to_text

N = 100_000
X = 0.5


def _sin_chain(x: float) -> tuple[float, float]:
    """sin∘…∘sin (N times) at x and its derivative, the product of the cosines along the way."""
    d = 1.0
    for _ in range(N):
        d *= math.cos(x)
        x = math.sin(x)
    return x, d


DEEP = {
    "parens": ("(" * N + "x" + ")" * N, "x", (X, 1.0)),
    "negations": ("-(" * N + "x" + ")" * N, "-" * N + "x", (X, 1.0)),  # an even number of signs
    "sines": ("sin(" * N + "x" + ")" * N, "sin(" * N + "x" + ")" * N, _sin_chain(X)),
}


@pytest.fixture(scope="module", params=sorted(DEEP))
def deep(request):
    text, printed, expected = DEEP[request.param]
    program = dcalc.parse(text)
    return program, lower(program), printed, expected


def test_parses_and_prints(deep):
    program, _, printed, _ = deep
    (stmt,) = program.stmts
    assert to_text(stmt) == printed


def test_value_and_derivatives(deep):
    _, graph, _, expected = deep
    value, derivative = expected
    assert dcalc.evaluate(graph, {"x": X}) == pytest.approx(value, rel=1e-12)
    assert dcalc.derivative(graph, {"x": X}) == pytest.approx(derivative, rel=1e-12)
    assert dcalc.gradient(graph, {"x": X}) == {"x": pytest.approx(derivative, rel=1e-12)}


def _tower(x: float, n: int) -> tuple[float, float]:
    """x^x^…^x^1 (n carets) and its derivative: d(x^t) = t·x^(t-1)·dx + x^t·ln(x)·dt."""
    t, dt = 1.0, 0.0
    for _ in range(n):
        t, dt = x ** t, t * x ** (t - 1) + x ** t * math.log(x) * dt
    return t, dt


def test_a_long_right_associative_power_tower():
    depth = 20_000  # far past any recursion limit, and a fifth of the time of N
    graph = lower(dcalc.parse("x^" * depth + "1"))
    value, derivative = _tower(X, depth)
    assert dcalc.evaluate(graph, {"x": X}) == pytest.approx(value, rel=1e-12)
    assert dcalc.derivative(graph, {"x": X}) == pytest.approx(derivative, rel=1e-9)
    assert dcalc.gradient(graph, {"x": X})["x"] == pytest.approx(derivative, rel=1e-9)


def test_deep_input_through_the_command(capsys):
    assert main(["eval", "(" * N + "x" + ")" * N, "--at", "3"]) == 0
    assert capsys.readouterr() == ("3\n", "")


def test_deep_syntax_error_is_an_error_not_a_crash(capsys):
    assert main(["eval", "(" * N + "x"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("error: unexpected end of input (expected ')')")
