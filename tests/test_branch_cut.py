"""atan2's branch cut (issue 11): atan2(y, x) jumps by 2π across y = 0 for x < 0 (π above, -π below; atan2(±0, x) is
the side of the zero's sign). ∂/∂y does not exist there and every mode says so, as for floor's jumps; ∂/∂x does (along
the cut), and so do the derivatives of a function that meets the cut from one side only. The reference values are
textbook ones: atan2(y, -1) = ±π - atan(y) near y = 0, ∂/∂y = x/(x² + y²), ∂/∂x = -y/(x² + y²)."""

from __future__ import annotations

import math

import pytest

from dcalc_proc import call, error_text

PI = "3.141592653589793"


def _jump(point: str, left: str, at: str, right: str) -> str:
    return (f"error: f is not differentiable with respect to y at {point}: it jumps there ({left} to the left, {at} at "
            f"the point, {right} to the right) (at u1 = atan2(y, x) where {point})\n")


@pytest.mark.parametrize("point, at, text", [
    ("y=0,x=-1", "y = 0, x = -1", PI),       # +0: continuous from above, a jump from below
    ("y=-0,x=-1", "y = -0, x = -1", "-" + PI),  # -0: continuous from below, a jump from above
    ("y=0,x=-2.5", "y = 0, x = -2.5", PI),
])
@pytest.mark.parametrize("command", [["grad"], ["grad", "--wrt", "y"], ["trace", "--wrt", "y"], ["trace", "--mode", "reverse"],
                                     ["grad", "--order", "2", "--wrt", "y"], ["check"]])
def test_the_derivative_across_the_cut_does_not_exist(command, point, at, text):
    code, out, err = call([command[0], "atan2(y, x)", "--at", point, *command[1:]])
    assert code == 1, (out, err)
    assert error_text(err) == _jump(at, "-" + PI, text, PI)


def test_diff_at_a_point_on_the_cut_refuses_the_derivative_by_y():
    code, out, err = call(["diff", "atan2(y, x)", "--wrt", "y", "--at", "y=0,x=-1"])
    assert code == 1
    assert error_text(err) == _jump("y = 0, x = -1", "-" + PI, PI, PI)


def test_points_report_the_row_on_the_cut(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("y,x\n1,-1\n0,-1\n")
    code, out, err = call(["grad", "atan2(y, x)", "--points", str(f)])
    assert code == 1
    assert "line 3: f is not differentiable with respect to y at y = 0, x = -1: it jumps there" in err
    assert "∂f/∂y = -0.4999999999999999" in out  # the row off the cut keeps its gradient (-1/2 to rounding)


@pytest.mark.parametrize("expr, point, expected", [
    ("atan2(y, x)", "y=0,x=-1", {"x": 0.0}),           # along the cut: y stays 0, the value π
    ("atan2(0, x)", "x=-1", {"x": 0.0}),
    ("atan2(y^2, x)", "y=0,x=-1", {"y": 0.0, "x": 0.0}),  # meets the cut from above on both sides: π - y²
    ("atan2(y, x)", "y=1e-300,x=-1", {"y": -1.0, "x": -1e-300}),  # beside the cut: no jump
    ("atan2(y, x)", "y=0,x=1", {"y": 1.0, "x": 0.0}),   # the positive axis is no cut
])
def test_derivatives_that_exist_at_the_cut_are_given(expr, point, expected):
    wrt = ",".join(expected)
    code, out, err = call(["grad", expr, "--at", point, "--wrt", wrt, "--json"])
    assert code == 0, err
    import json
    grad = json.loads(out)["gradient"]
    assert grad == pytest.approx(expected, abs=1e-300)


def test_the_value_on_the_cut_keeps_the_zeros_sign():
    for y, v in (("0", math.pi), ("-0", -math.pi)):
        code, out, _ = call(["eval", "atan2(y, x)", "--at", f"y={y},x=-1", "--json"])
        assert code == 0
        import json
        assert json.loads(out)["value"] == v
