"""A trace shows a zero partial, term or adjoint as 0, never -0 (issue 11): -sin(x) at 0 is a zero partial, and the
sign of a zero derivative means nothing. Values keep their sign, where it matters (atan2(-0, -1) is -π)."""

from __future__ import annotations

import json
import math
import re

import pytest
from typer.testing import CliRunner

from dcalc.app import app

runner = CliRunner()
# -0 as a number in any output: "-0" not followed by a digit, a point or an exponent, or "-0.0" alone
NEGATIVE_ZERO = re.compile(r"(?<![0-9.eE])-0(?:\.0+)?(?![0-9.eE])")

CASES = [
    ("cos(x)*y", "x=0,y=2"),  # ∂cos(x)/∂x = -sin(0) = -0
    ("cos(x)*y + x*sin(y)", "x=0,y=0"),
    ("x*y - 3", "x=-0,y=5"),  # ∂(x*y)/∂y = x = -0
    ("y*x - x^3*y", "x=0,y=1"),  # -(3x^2*y) at 0
    ("exp(-x)*cos(x)", "x=0"),
]


@pytest.mark.parametrize("fmt", ["text", "json", "latex", "markdown", "dot", "mermaid"])
@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("expr,point", CASES)
def test_no_negative_zero_partial_in_any_format(expr, point, mode, fmt):
    r = runner.invoke(app, ["trace", expr, "--at", point, "--wrt", "x", "--mode", mode, "--format", fmt])
    assert r.exit_code == 0, r.output
    shown = [line for line in r.output.splitlines() if "value" not in line or fmt != "json"]
    if fmt == "json":  # values may be -0 (x = -0 as given); partials, adjoints and derivatives may not
        doc = json.loads(r.output)
        for node in doc["nodes"]:
            for key in ("derivative", "adjoint"):
                if key in node:
                    assert math.copysign(1, node[key]) == 1 or node[key] != 0, (node, key)
            for p in node.get("partials", {}).values():
                assert p != 0 or math.copysign(1, p) == 1, node
        return
    text = "\n".join(shown)
    # the value column of x = -0 as given keeps its sign: only look at the partials and sums
    partial_parts = re.findall(r"∂[^\n]*|d\w+/dx[^\n]*|[ū̄]\S*\s*=[^\n]*|\\partial[^\n]*|\\bar[^\n]*", text)
    for part in partial_parts:
        assert not NEGATIVE_ZERO.search(part), part


def test_the_old_negative_zero_is_gone_from_the_reverse_text():
    r = runner.invoke(app, ["trace", "cos(x)*y", "--at", "x=0,y=2", "--mode", "reverse"])
    assert r.exit_code == 0
    assert "∂u1/∂x = -sin(x) = 0" in r.output
    assert "2·0 = 0" in r.output and "(-0)" not in r.output


def test_a_value_keeps_its_sign_where_it_matters():
    # atan2(-0, 1) is -0 (and atan2(-0, -1) -π, on the branch cut, where the gradient is not there to trace): the
    # values keep the sign of their zeros, the partials do not have one
    r = runner.invoke(app, ["trace", "atan2(x*y, 1)", "--at", "x=0,y=-2", "--mode", "reverse", "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["value"] == 0 and math.copysign(1, doc["value"]) == -1
    u1 = next(n for n in doc["nodes"] if n.get("expr") == "x*y")
    assert u1["value"] == 0 and math.copysign(1, u1["value"]) == -1
    assert u1["partials"]["y"] == 0 and math.copysign(1, u1["partials"]["y"]) == 1
    assert doc["gradient"] == {"x": -2.0, "y": 0.0}
    assert runner.invoke(app, ["eval", "atan2(x*y, -1)", "--at", "x=0,y=-2"]).stdout == "-3.141592653589793\n"
