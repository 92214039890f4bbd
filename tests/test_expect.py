"""--expect on eval and grad: exit 0 when the result matches within --tol, exit 3 with `expected …, got …` when not."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from dcalc.app import app
from dcalc.commands.check import close
from dcalc.commands.defaults import EXPECT_TOL

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


@pytest.mark.parametrize("args", [
    ["eval", "x^2", "--at", "3", "--expect", "9"],
    ["eval", "sin(pi/4)", "--expect", "sqrt(2)/2"],               # a constant expression
    ["eval", "sin(pi)", "--expect", "0"],                         # 1.2e-16: the absolute floor near zero
    ["eval", "1/3", "--expect", "0.333", "--tol", "1e-3"],
    ["eval", "x^2", "--at", "3", "--at", "-3", "--expect", "9"],  # every point
    ["grad", "x*y", "--at", "x=2,y=3", "--expect", "x=3,y=2"],
    ["grad", "x*y", "--at", "x=2,y=3", "--expect", "y=2"],        # some of the variables
    ["grad", "x^2", "--at", "3", "--expect", "6"],                # a bare number for one variable
    ["grad", "x*y", "--at", "x=2,y=3", "--wrt", "x", "--expect", "3"],
    ["grad", "x*y", "--at", "x=1,y=2", "--direction", "x=1,y=0.5", "--expect", "2.5"],
    ["grad", "sin(x)", "--at", "pi/2", "--expect", "0"],
])
def test_a_matching_expectation_exits_0(args):
    r = run(*args)
    assert r.exit_code == 0, r.stderr
    assert r.stderr == ""


@pytest.mark.parametrize("args, message", [
    (["eval", "x^2", "--at", "3", "--expect", "9.1"], "error: expected 9.1, got 9 at x = 3\n"),
    (["eval", "1/3", "--expect", "0.333"], "error: expected 0.333, got 0.3333333333333333\n"),
    (["eval", "x^2", "--at", "3", "--at", "4", "--at", "5", "--expect", "9"],
     "error: expected 9, got 16 at x = 4 (and 1 more)\n"),
    (["grad", "x*y", "--at", "x=2,y=3", "--expect", "x=3,y=2.5"], "error: expected ∂f/∂y = 2.5, got 2 at x = 2, y = 3\n"),
    (["grad", "x^2", "--at", "3", "--expect", "7"], "error: expected ∂f/∂x = 7, got 6 at x = 3\n"),
    (["grad", "x*y", "--at", "x=1,y=2", "--direction", "x=1,y=0.5", "--expect", "2"],
     "error: expected 2, got 2.5 at x = 1, y = 2\n"),
    (["eval", "1e-12", "--expect", "0", "--tol", "1e-13"], "error: expected 0, got 1e-12\n"),
])
def test_a_failed_expectation_exits_3(args, message):
    r = run(*args)
    assert r.exit_code == 3
    assert r.stderr == message


def test_the_result_is_still_printed_when_the_expectation_fails():
    r = run("eval", "x^2", "--at", "3", "--expect", "10", "--json")
    assert r.exit_code == 3
    assert r.stdout == '{"at": {"x": 3.0}, "value": 9.0}\n'


@pytest.mark.parametrize("args, message", [
    (["grad", "x*y", "--at", "x=2,y=3", "--expect", "3"], "error: --expect 3: a bare value needs exactly one variable"),
    (["grad", "x*y", "--at", "x=2,y=3", "--expect", "z=3"], "error: --expect z=3: the gradient has no variable 'z'"),
    (["grad", "x*y", "--at", "x=2,y=3", "--expect", "x=1,x=2"], "error: --expect x=1,x=2: 'x' is given twice"),
    (["eval", "x", "--at", "1", "--expect", "y"], "error: --expect must be a constant"),
    (["eval", "x", "--at", "1", "--expect", "2+"], "error: --expect: "),
    (["eval", "x", "--at", "1", "--expect", "col:y"], "error: --expect col:y: col:NAME is a column of the --points"),
    (["grad", "x^3", "--at", "1", "--order", "2", "--expect", "6"], "error: --expect works with gradients"),
])
def test_a_malformed_expectation_exits_2(args, message):
    r = run(*args)
    assert r.exit_code == 2
    assert r.stderr.startswith(message), r.stderr


def test_a_math_error_comes_before_the_expectation():
    r = run("eval", "ln(x)", "--at", "0", "--expect", "0")
    assert r.exit_code == 1


@pytest.mark.parametrize("got, expected, tol, ok", [
    (1.0, 1.0, 0.0, True),
    (1e9 + 1, 1e9, 1e-9, True),      # relative above 1
    (1e9 + 2, 1e9, 1e-9, False),
    (1e-10, 0.0, 1e-9, True),        # absolute below 1
    (2e-9, 0.0, 1e-9, False),
    (-1.0, 1.0, 1.0, False),
])
def test_close_is_relative_with_an_absolute_floor(got, expected, tol, ok):
    assert close(got, expected, tol) is ok


def test_default_tolerance_is_about_nine_digits():
    """The one default (commands/defaults.py) is what --expect applies and what the help says."""
    assert EXPECT_TOL == 1e-9
    help_text = " ".join(run("eval", "--help").stdout.split())
    assert "TOL*max(|expected|, 1)" in help_text and "Default 1e-9." in help_text
    assert run("eval", "x", "--at", "1", "--expect", "1.0000000009").exit_code == 0  # within 1e-9
    r = run("eval", "x", "--at", "1", "--expect", "1.0000000011")  # just outside
    assert (r.exit_code, r.stderr) == (3, "error: expected 1.0000000011, got 1 at x = 1\n")
    assert run("eval", "x", "--at", "1", "--expect", "1.0000000011", "--tol", "2e-9").exit_code == 0
