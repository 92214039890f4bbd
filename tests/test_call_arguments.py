"""A call's arguments are evaluated even where its function's body ignores them: f∘g is undefined where g is.

`f(a) = 4.196; f(acos(2*x))` at x = 0.9 is undefined (acos(1.8) is), as the differential test's oracle says; dcalc
inlined f and printed 4.196. The ignored argument is now domain-checked (graph.guards) and adds nothing to any
derivative: no mode sees it, so it cannot refuse a derivative either (1/x at 1e-200 has a partial past the doubles).
Unused definitions are a decided behaviour of their own: never evaluated, a note on stderr.
"""

from __future__ import annotations

import math

import pytest

import dcalc
from dcalc.errors import MathError
from dcalc_proc import call

PROGRAM = "f(a) = 4.196; f(acos(2*x)) + x"
UNDEFINED = "acos is undefined in u3 = acos(u2) with u2 = 1.8 (needs -1 ≤ u2 ≤ 1)"


@pytest.mark.parametrize("command", [["eval"], ["grad"], ["diff"], ["trace"], ["check"], ["grad", "--order", "3"],
                                     ["grad", "--hessian"]])
def test_an_ignored_argument_outside_its_domain_is_an_error(command):
    code, out, err = call([*command, PROGRAM, "--at", "0.9"])
    assert (code, out) == (1, "1\n" if command == ["diff"] else "")  # (diff prints the formula, then evaluates it)
    assert err == f"error: {UNDEFINED}\n"


@pytest.mark.parametrize(("command", "expected"), [(["eval"], "4.4959999999999996"), (["grad"], "1"),
                                                   (["diff"], "1\nat x = 0.3: 1"), (["grad", "--order", "2"], "0")])
def test_inside_its_domain_the_argument_changes_nothing(command, expected):
    code, out, err = call([*command, PROGRAM, "--at", "0.3"])
    assert (code, out.strip(), err) == (0, expected, "")


def test_the_api_agrees():
    graph = dcalc.compile(PROGRAM)
    with pytest.raises(MathError, match=r"acos is undefined in u3 = acos\(u2\)"):
        dcalc.evaluate(graph, {"x": 0.9})
    assert dcalc.evaluate(graph, {"x": 0.3}) == 4.196 + 0.3
    assert dcalc.derivative(graph, {"x": 0.3}, "x") == 1.0
    assert dcalc.gradient(graph, {"x": 0.3}) == {"x": 1.0}


def test_the_argument_adds_no_refusal_to_a_derivative():
    # d(1/x)/dx = -1e400 at 1e-200: past the doubles, but nothing reads 1/x, so every mode gives 1
    graph = dcalc.compile("f(a) = 1; f(1/x) + x")
    point = {"x": 1e-200}
    assert dcalc.evaluate(graph, point) == 1.0
    assert dcalc.derivative(graph, point, "x") == 1.0
    assert dcalc.gradient(graph, point) == {"x": 1.0}
    assert call(["grad", "f(a) = 1; f(1/x) + x", "--at", "1e-200", "--order", "2"])[:2] == (0, "0\n")
    assert call(["grad", "f(a) = 1; f(1/x) + x", "--at", "0"]) == (
        1, "", "error: division by zero in u2 = 1/x with x = 0\n")


def test_an_argument_passed_on_to_a_function_that_ignores_it():
    # g reads its parameter only to hand it to f, which ignores it: still evaluated
    graph = dcalc.compile("f(a, b) = b; g(a) = f(a, 2); g(ln(x)) * y")
    with pytest.raises(MathError, match="ln is undefined"):
        dcalc.evaluate(graph, {"x": -1.0, "y": 3.0})
    assert dcalc.gradient(graph, {"x": 2.0, "y": 3.0}) == {"x": 0.0, "y": 2.0}


def test_a_batch_row_where_the_argument_is_undefined_fails(tmp_path):
    points = tmp_path / "p.csv"
    points.write_text("x\n0.3\n0.9\n")
    code, out, err = call(["eval", PROGRAM, "--points", str(points), "--json"])
    rows = out.splitlines()
    assert code == 1 and len(rows) == 2 and '"status": "ok"' in rows[0] and UNDEFINED in rows[1]


def test_a_call_in_an_unused_definition_is_still_not_evaluated():
    code, out, err = call(["eval", "f(a) = 4.196; p = f(acos(2*x)); x", "--at", "0.9"])
    assert (code, out) == (0, "0.9\n")
    assert err == "note: 'p' is defined but never used, so it is not evaluated\n"


def test_a_constant_ignored_argument_is_checked_when_folded():
    code, out, err = call(["eval", "f(a) = 1; f(acos(2)) + x", "--at", "1"])
    assert code == 1 and err.startswith("error: acos is undefined in acos(2)")


def test_the_value_of_a_used_argument_is_unchanged():
    graph = dcalc.compile("f(a, b) = a*b; f(x, sin(x))")
    assert not graph.guards
    assert dcalc.evaluate(graph, {"x": 2.0}) == 2.0 * math.sin(2.0)


def test_the_trace_says_what_else_is_evaluated():
    code, out, err = call(["trace", PROGRAM, "--at", "0.3"])
    assert code == 0 and err == ""
    assert out.splitlines()[-1] == ("also evaluated, read by no node (arguments a function ignores: where they are "
                                    "undefined, so is the program): u2 = 2x, u3 = acos(u2)")
    assert "u1 = 4.196 + x" in out and "u3 = acos" not in out.split("also evaluated")[0]


def test_the_call_value_may_be_folded_or_shared():
    """The guard follows the statement, not the node of the call's value: a constant body folds the call away
    (log2 of it too), and f(a, b) = a gives the input y itself (seeds 7100234 and 7100537 of the long run)."""
    code, out, err = call(["eval", "f(a) = csc(pi^0.262); p = 1e30 - x; log2(f(exp(p)^y))", "--at", "x=1,y=2"])
    assert (code, out) == (1, "") and err.startswith("error: overflow in u1 = exp(p) with p = 1e+30")
    # the call sits in an unused definition whose value is the input y: not evaluated, though y is
    code, out, err = call(["eval", "f(a, b) = a; p = (-x)^0.5; q = f(y, p); x + y", "--at", "x=1,y=2"])
    assert (code, out) == (0, "3\n") and err == "note: 'q' is defined but never used, so it is not evaluated\n"
    code, out, err = call(["eval", "f(a, b) = a; p = (-x)^0.5; q = f(y, p); q + x", "--at", "x=1,y=2"])
    assert code == 1 and err.startswith("error: pow is undefined in p = ")
