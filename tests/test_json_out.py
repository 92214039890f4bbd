"""JSON everywhere: `diff --json` (formula, LaTeX, variables, order, values at points), and with --json or --format
json every error is one JSON object on stderr ({"error", "kind", "exit_code", "span", "hint"}), one case per kind,
the exit code as commands/exits.py maps it."""

from __future__ import annotations

import json
import math

import pytest

import dcalc
from dcalc.commands import exits
from dcalc_proc import call


def one_error(err: str) -> dict:
    lines = err.splitlines()
    assert len(lines) == 1, err
    obj = json.loads(lines[0])
    assert set(obj) == {"error", "kind", "exit_code", "span", "hint"}
    return obj


# ---- every kind of error, as JSON -------------------------------------------------------------------------------

KINDS = [
    # (argv, kind, exit code, message, span as (start, end, line, column) or None)
    (["grad", "sin(x", "--at", "1", "--json"], "syntax", 2, "unexpected end of input (expected ',' or ')')",
     (5, 6, 1, 6)),
    (["grad", "a = 1\nsinn(x) + a", "--at", "1", "--json"], "name", 2, "unknown function 'sinn' (did you mean "
     "'sin'?)", (6, 10, 2, 1)),
    (["diff", "atan2(x)", "--json"], "arity", 2, "atan2 takes 2 arguments, got 1", (0, 8, 1, 1)),
    (["eval", "x + y", "--at", "x=1", "--format", "json"], "usage", 2,
     "--at x=1: no value for the free variable 'y' (use --at x=VALUE,y=VALUE)", None),
    (["grad", "ln(x)", "--at", "x=-1", "--json"], "math", 1,
     "ln is undefined in u1 = ln(x) with x = -1 (needs x > 0)", None),
    (["grad", "abs(x)", "--at", "0", "--format", "json"], "not_differentiable", 1,
     "f is not differentiable at x = 0: left derivative -1, right derivative 1 (at u1 = abs(x) where x = 0)", None),
    (["eval", "x", "--at", "2", "--expect", "3", "--json"], "check_failed", 3, "expected 3, got 2 at x = 2", None),
    (["grad", "--json", "x", "--at", "1", "--bogus"], "usage", 2, "No such option: --bogus", None),
    (["trace", "sqrt(x)", "--at", "x=-1", "--format", "json"], "math", 1, None, None),
    (["parse", "1 +", "--json"], "syntax", 2, None, (3, 4, 1, 4)),
]


@pytest.mark.parametrize("argv, kind, code, message, span", KINDS, ids=[f"{k[1]}-{i}" for i, k in enumerate(KINDS)])
def test_each_error_kind_is_one_json_object(argv, kind, code, message, span):
    got, out, err = call(argv)
    obj = one_error(err)
    assert (got, obj["kind"], obj["exit_code"]) == (code, kind, code)
    if message is not None:
        assert obj["error"] == message
    if span is None:
        assert obj["span"] is None or kind in ("syntax", "name")
    else:
        assert obj["span"] == dict(zip(("start", "end", "line", "column"), span))


def test_notes_are_json_lines_with_json_and_text_without():
    code, out, err = call(["grad", "sinx + y", "--at", "sinx=1,y=2", "--wrt", "sinx,z", "--json"])
    assert code == 0 and json.loads(out)["gradient"] == {"sinx": 1.0, "z": 0.0}
    assert [json.loads(line) for line in err.splitlines()] == [
        {"note": "'sinx' is read as one variable; write sin(x) for the function sin"},
        {"note": "the expression does not read 'z' (its variables: sinx, y), so its derivative by z is 0"}]
    code, out, err = call(["grad", "sinx", "--at", "1"])
    assert (code, out, err) == (0, "1\n", "note: 'sinx' is read as one variable; write sin(x) for the function sin\n")


def test_the_same_errors_are_text_without_json():
    code, out, err = call(["grad", "sin(x", "--at", "1"])
    assert code == 2 and err.startswith("error: unexpected end of input") and "^" in err


def test_a_hint_is_carried():
    code, _, err = call(["eval", "1 + 2\n+ 3", "--json"])
    obj = one_error(err)
    assert code == 2 and obj["kind"] == "syntax" and obj["hint"].startswith("to continue, move the '+'")


def test_an_internal_error_is_json_with_exit_70(monkeypatch):
    import dcalc.modes.evaluate as evaluate
    monkeypatch.setattr(evaluate, "value", lambda *a: 1 / 0)
    code, _, err = call(["eval", "x", "--at", "1", "--json"])
    obj = one_error(err)
    assert (code, obj["kind"], obj["exit_code"]) == (70, "internal", 70)
    assert obj["error"].startswith("internal error ZeroDivisionError: division by zero (a bug in dcalc")


def test_an_interrupt_is_json_with_exit_130(monkeypatch):
    import dcalc.modes.evaluate as evaluate

    def stop(*a):
        raise KeyboardInterrupt
    monkeypatch.setattr(evaluate, "value", stop)
    code, _, err = call(["eval", "x", "--at", "1", "--json"])
    obj = one_error(err)
    assert (code, obj["kind"], obj["exit_code"], obj["error"]) == (130, "interrupted", 130, "interrupted")


def test_an_output_failure_is_json_kind_io(monkeypatch):
    import dcalc.app as app

    def full(line):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(app, "print_line", full)
    code, _, err = call(["eval", "x", "--at", "1", "--json"])
    obj = one_error(err)
    assert (code, obj["kind"], obj["error"]) == (2, "io", "cannot write the output: no space left on device")


def test_every_kind_has_one_exit_code():
    from dcalc import errors
    for name, kind in exits.KINDS:
        e = getattr(errors, name).__new__(getattr(errors, name))
        assert exits.error_kind(e) == kind
    assert {kind: getattr(errors, name).exit_code for name, kind in exits.KINDS} == {
        "syntax": 2, "name": 2, "arity": 2, "usage": 2, "not_differentiable": 1, "math": 1, "check_failed": 3}


def test_json_after_double_dash_is_an_expression_not_the_flag():
    assert not exits.json_asked(["eval", "--", "--json"])
    assert exits.json_asked(["eval", "--format=json", "x"]) and exits.json_asked(["eval", "--format", "json"])


# ---- diff --json ----------------------------------------------------------------------------------------------------

def test_diff_json_has_formula_latex_variables_order():
    code, out, err = call(["diff", "sin(x + x^2)", "--json"])
    assert (code, err) == (0, "")
    obj = json.loads(out)
    assert obj == {"expr": "sin(x + x^2)", "variables": ["x"], "wrt": ["x"], "order": 1,
                   "formula": dcalc.diff("sin(x + x^2)"), "latex": obj["latex"]}
    assert obj["latex"] == "\\left(2 x + 1\\right) \\cos\\left(x^{2} + x\\right)"  # --format latex's right-hand side


def test_diff_json_values_at_points_agree_with_grad():
    code, out, err = call(["diff", "x^2*y", "--wrt", "x", "--json", "--at", "x=2,y=3", "--at", "x=-1,y=0.5"])
    assert (code, err) == (0, "")
    obj = json.loads(out)
    assert obj["values"] == [{"at": {"x": 2.0, "y": 3.0}, "value": 12.0, "derivative": 12.0},
                             {"at": {"x": -1.0, "y": 0.5}, "value": 0.5, "derivative": -1.0}]
    assert obj["variables"] == ["x", "y"] and obj["wrt"] == ["x"]


def test_diff_json_higher_order():
    code, out, err = call(["diff", "sin(x)", "--order", "3", "--format", "json", "--at", "1"])
    obj = json.loads(out)
    assert (code, obj["order"], obj["wrt"], obj["formula"]) == (0, 3, ["x", "x", "x"], "-cos(x)")
    assert obj["values"][0]["derivative"] == pytest.approx(-math.cos(1), rel=1e-15)


def test_diff_json_with_another_format_is_refused():
    code, out, err = call(["diff", "x^2", "--json", "--format", "latex"])
    assert (code, out) == (2, "")
    assert one_error(err)["error"] == "--json and --format latex contradict each other"
