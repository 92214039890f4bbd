"""Where a derivative does not exist, is infinite, or the value itself is undefined: exit code and message, for grad
and trace alike; eval still gives the value where there is one. And the traps that must NOT fail."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from dcalc.app import app
from dcalc_proc import error_text

runner = CliRunner()

# expression, point, the message after "error: " (exactly): f's own left and right derivatives (kinks.py) differ, are
# infinite, or exist on neither side; the kink's node is named
NOT_DIFFERENTIABLE = [
    ("abs(x)", "0", "f is not differentiable at x = 0: left derivative -1, right derivative 1 (at u1 = abs(x) where x = 0)"),
    ("sqrt(x)", "0", ("f is not differentiable at x = 0: right derivative +inf, undefined to the left "
                      "(at u1 = sqrt(x) where x = 0)")),
    ("x^(1/3)", "0", ("f is not differentiable at x = 0: right derivative +inf, undefined to the left "
                      "(at u1 = x^(1/3) where x = 0)")),
    ("cbrt(x)", "0", ("f is not differentiable at x = 0: left derivative +inf, right derivative +inf "
                      "(at u1 = cbrt(x) where x = 0)")),
    ("asin(x)", "1", ("f is not differentiable at x = 1: left derivative +inf, undefined to the right "
                      "(at u1 = asin(x) where x = 1)")),
    ("acos(x)", "-1", ("f is not differentiable at x = -1: right derivative -inf, undefined to the left "
                       "(at u1 = acos(x) where x = -1)")),
    ("acosh(x)", "1", ("f is not differentiable at x = 1: right derivative +inf, undefined to the left "
                       "(at u1 = acosh(x) where x = 1)")),
    ("x^y", "x=-2,y=2", "f is not differentiable with respect to y at x = -2, y = 2: u1 = x^y is undefined on either side"),
    ("hypot(x, y)", "x=0,y=0", ("f is not differentiable with respect to x at x = 0, y = 0: left derivative -1, "
                               "right derivative 1 (at u1 = hypot(x, y) where x = 0, y = 0)")),
    ("atan2(y, x)", "x=0,y=0", ("f is not differentiable with respect to y at y = 0, x = 0: it jumps there "
                               "(-1.5707963267948966 to the left, 0 at the point, 1.5707963267948966 to the right) "
                               "(at u1 = atan2(y, x) where y = 0, x = 0)")),
    ("x^x", "0", ("cannot decide whether f is differentiable at x = 0: u1 = x^x where x = 0 has the base 0 and a "
                 "varying exponent")),
    ("abs(x - 1)", "1", ("f is not differentiable at x = 1: left derivative -1, right derivative 1 "
                         "(at u2 = abs(u1) where u1 = 0)")),
    ("sqrt(x^2)", "0", ("f is not differentiable at x = 0: left derivative -1, right derivative 1 "
                        "(at u2 = sqrt(u1) where u1 = 0)")),
]

UNDEFINED = [  # the value itself does not exist: exit 1 for eval too
    ("ln(x)", "0", "ln is undefined in u1 = ln(x) with x = 0 (needs x > 0)"),
    ("sqrt(x)", "-1", "sqrt is undefined in u1 = sqrt(x) with x = -1 (needs x ≥ 0)"),
    ("1/x", "0", "division by zero in u1 = 1/x with x = 0"),
    ("atanh(x)", "1", "atanh is undefined in u1 = atanh(x) with x = 1 (needs -1 < x < 1)"),
    ("asin(x)", "2", "asin is undefined in u1 = asin(x) with x = 2 (needs -1 ≤ x ≤ 1)"),
    ("acosh(x)", "0.5", "acosh is undefined in u1 = acosh(x) with x = 0.5 (needs x ≥ 1)"),
    ("x^y", "x=-2,y=0.5", ("pow is undefined in u1 = x^y with x = -2, y = 0.5 "
                          "(needs x > 0, or x = 0 and y ≥ 0, or x < 0 and y an integer)")),
    ("log(x, y)", "x=2,y=1", "log is undefined in u1 = log(x, y) with x = 2, y = 1 (needs x > 0, y > 0 and y ≠ 1)"),
    ("exp(x)", "1000", "overflow in u1 = exp(x) with x = 1000: the value is too large for a double"),
]


def _args(point):
    return ["--at", point]


@pytest.mark.parametrize("command", ["grad", "trace"])
@pytest.mark.parametrize("text, point, message", NOT_DIFFERENTIABLE, ids=[f"{c[0]}@{c[1]}" for c in NOT_DIFFERENTIABLE])
def test_not_differentiable(command, text, point, message):
    extra = ["--mode", "reverse"] if command == "trace" and "," in point else []
    r = runner.invoke(app, [command, text, *_args(point), *extra])
    assert r.exit_code == 1
    assert r.stdout == "" if command != "trace" else "\n✗ the trace stops at " in r.stdout  # issue 13: rows so far
    assert r.stderr == f"error: {message}\n"


@pytest.mark.parametrize("text, point, message", NOT_DIFFERENTIABLE, ids=[f"{c[0]}@{c[1]}" for c in NOT_DIFFERENTIABLE])
def test_eval_still_gives_the_value(text, point, message):
    r = runner.invoke(app, ["eval", text, *_args(point)])
    assert r.exit_code == 0, r.stderr
    assert r.stdout.strip()


@pytest.mark.parametrize("command", ["eval", "grad", "trace"])
@pytest.mark.parametrize("text, point, message", UNDEFINED, ids=[f"{c[0]}@{c[1]}" for c in UNDEFINED])
def test_outside_the_domain(command, text, point, message):
    extra = ["--mode", "reverse"] if command == "trace" and "," in point else []
    r = runner.invoke(app, [command, text, *_args(point), *extra])
    assert r.exit_code == 1
    assert r.stdout == "" if command != "trace" else "\n✗ the trace stops at " in r.stdout  # issue 13: rows so far
    assert r.stderr == f"error: {message}\n"


@pytest.mark.parametrize("text, point, expected", [
    ("x^2", "-1", "-2"),  # a constant exponent: ∂/∂b = a^b·ln(a) is never evaluated
    ("x^3", "-2", "12"),
    ("x^0", "0", "0"),
    ("x^1", "0", "1"),
    ("x^2", "0", "0"),
    ("0*ln(x) + x", "1", "1"),
    ("abs(x)", "-2", "-1"),
    ("sqrt(x)", "4", "0.25"),
])
def test_traps_that_must_work(text, point, expected):
    for command in (["grad"], ["trace", "--format", "json"]):
        r = runner.invoke(app, [*command, "--at", point, "--", text])
        assert r.exit_code == 0, r.stderr
    assert runner.invoke(app, ["grad", "--at", point, "--", text]).stdout == expected + "\n"


def test_grad_wrt_avoids_the_undefined_partial():
    """x^y at x = -2: ∂/∂x exists; only ∂/∂y = x^y·ln(x) does not, so asking for x alone succeeds."""
    r = runner.invoke(app, ["grad", "x^y", "--at", "x=-2,y=2", "--wrt", "x"])
    assert (r.exit_code, r.stdout) == (0, "-4\n")
    r = runner.invoke(app, ["trace", "x^y", "--at", "x=-2,y=2", "--wrt", "x"])
    assert r.exit_code == 0 and "dx^y" not in r.stdout and "df/dx" not in r.stdout and "f(-2, 2) = 4\n∂f/∂x = -4\n" in r.stdout
    r = runner.invoke(app, ["trace", "x^y", "--at", "x=-2,y=2", "--wrt", "y"])
    assert (r.exit_code, r.stderr) == (1, "error: f is not differentiable with respect to y at x = -2, y = 2: "
                                          "u1 = x^y is undefined on either side\n")


@pytest.mark.parametrize("command, message", [
    (["grad"], "error: overflow in the derivative by x: it is too large for a double\n"),
    (["grad", "--json"], "error: overflow in the derivative by x: it is too large for a double\n"),
    (["grad", "--direction", "1"], "error: overflow in the tangent of u2 = 100000000u1: it is too large for a double\n"),
    (["trace", "--format", "json"],
     "error: overflow in the tangent of u2 = 100000000u1: it is too large for a double\n"),
])
def test_derivative_that_overflows_is_a_math_error(command, message):
    """Finite partials can multiply up to inf (1e8·300·10^299): exit 1 with the node, never inf or a JSON crash."""
    r = runner.invoke(app, [*command, "1e8*x^300", "--at", "10"])
    assert (r.exit_code, r.stdout, error_text(r.stderr)) == (1, "", message)  # JSON ones as JSON
