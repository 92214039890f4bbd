"""Every error case of the language and of `dcalc eval`: exit code, the whole message on stderr, the caret's column.

Run through dcalc.app.main, the console script's own error path; a few through typer's CliRunner as well.
"""

from __future__ import annotations

import importlib
import time

import pytest
from typer.testing import CliRunner

import dcalc
from dcalc.app import app, main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def caret(err: str) -> tuple[int, int]:
    """The caret line's column (0-based, within the shown source line) and width."""
    line = err.rstrip("\n").split("\n")[-1][2:]
    return len(line) - len(line.lstrip(" \t")), line.count("^")


# argv after `dcalc eval`, exit code, stderr exactly
# issue 14: x y, x(2), pi(2) and x = 2; x(3) are products now (tests/test_implicit.py)
JUXTAPOSED = "  hint: a number multiplies only before a name or '(', or after ')': write '*' between the two\n"

SYNTAX = [
    (["2+*3"], "error: unexpected '*' (expected a number, a name or '(')\n  2+*3\n    ^\n"),
    (["2+"], "error: unexpected end of input (expected a number, a name or '(')\n  2+\n    ^\n"),
    (["x^"], "error: unexpected end of input (expected a number, a name or '(')\n  x^\n    ^\n"),
    (["(2"], "error: unexpected end of input (expected ')')\n  (2\n    ^\n"),
    (["2)"], "error: unexpected ')' (expected '=', ';' or the end)\n  2)\n   ^\n"),
    (["sin(2"], "error: unexpected end of input (expected ',' or ')')\n  sin(2\n       ^\n"),
    (["sin()"], "error: unexpected ')' (expected a number, a name or '(')\n  sin()\n      ^\n"),
    (["2 3"], "error: unexpected '3' (expected '=', ';', an operator or the end)\n  2 3\n    ^\n" + JUXTAPOSED),
    (["x 2"], "error: unexpected '2' (expected '=', ';', an operator or the end)\n  x 2\n    ^\n" + JUXTAPOSED),
    (["**2"], "error: unexpected '**' (expected a number, a name, '(', ';' or the end)\n  **2\n  ^^\n"),
    (["1.2.3"], "error: unexpected '.3' (expected '=', ';', an operator or the end)\n  1.2.3\n     ^^\n"),
    (["x = = 2"], "error: unexpected '=' (expected a number, a name or '(')\n  x = = 2\n      ^\n"),
    (["2 @ 3"], "error: unexpected character '@' (expected '=', ';', an operator or the end)\n  2 @ 3\n    ^\n"),
    (["@"], "error: '@' names a file to read the expression from: write @loss.dc\n"),  # @FILE reads a file
    (["a = 2\nb = a +\n"],  # a line that ends with an operator goes on: here into the end of the input
     "error: line 2, column 8: unexpected end of input (expected a number, a name or '(')\n  b = a +\n         ^\n"),
    (["a = 2\nb = a )\nb"],
     "error: line 2, column 7: unexpected ')' (expected ';' or the end)\n  b = a )\n        ^\n"),
    (["x\t+ +* 2"], "error: unexpected '*' (expected a number, a name or '(')\n  x\t+ +* 2\n   \t   ^\n"),
]

NAMES = [
    (["sine(x)", "--at", "1"], "error: unknown function 'sine' (did you mean 'sin'?)\n  sine(x)\n  ^^^^\n"),
    (["x + lg(x)", "--at", "1"], "error: unknown function 'lg' (did you mean 'log'?)\n  x + lg(x)\n      ^^\n"),
    (["foo(x)", "--at", "1"], "error: unknown function 'foo'\n  foo(x)\n  ^^^\n"),
    (["a = 1\n\tb = sinn(a)"],
     "error: line 2, column 6: unknown function 'sinn' (did you mean 'sin'?)\n  \tb = sinn(a)\n  \t    ^^^^\n"),
    (["y = x; x = 2; y"], "error: 'x' is used before the line that defines it\n  y = x; x = 2; y\n      ^\n"),
    (["x=1; x=2"], "error: 'x' is already defined\n  x=1; x=2\n       ^\n"),
    (["x = 1\ny = 2\nz = w + q\nz = 3"], "error: line 4, column 1: 'z' is already defined\n  z = 3\n  ^\n"),
    (["f(x) = g(x); g(x) = x; f(1)"],
     "error: 'g' is used before the line that defines it\n  f(x) = g(x); g(x) = x; f(1)\n         ^\n"),
    (["a = f(1); f(x) = x; a"], "error: 'f' is used before the line that defines it\n  a = f(1); f(x) = x; a\n      ^\n"),
    (["f(x) = 1 + f(x); f(1)"],
     "error: f calls itself: a function cannot be recursive\n  f(x) = 1 + f(x); f(1)\n             ^\n"),
    (["f(t)=t; f(t)=2t; f(1)"], "error: 'f' is already defined\n  f(t)=t; f(t)=2t; f(1)\n          ^^^^\n"),
    (["pi = 3"], "error: cannot assign to the constant 'pi'\n  pi = 3\n  ^^\n"),
    (["e = 3"], "error: cannot assign to the constant 'e'\n  e = 3\n  ^\n"),
    (["x; π = 3"], "error: cannot assign to the constant 'pi'\n  x; π = 3\n     ^\n"),
    (["sin = 3"], "error: cannot assign to the built-in function 'sin'\n  sin = 3\n  ^^^\n"),
    (["ln(t) = 1; 2"], "error: cannot assign to the built-in function 'ln'\n  ln(t) = 1; 2\n  ^^^^^\n"),
    (["sin + 1"], "error: 'sin' is a function: call it as sin(…)\n  sin + 1\n  ^^^\n"),
    (["f(t)=t; f + 1"], "error: 'f' is a function: call it as f(…)\n  f(t)=t; f + 1\n          ^\n"),
    (["foo + foo(3)"], "error: 'foo' is not a function\n  foo + foo(3)\n        ^^^^^^\n"),
    (["f(a, a) = a; f(1, 2)"], "error: the parameter 'a' of f appears twice\n  f(a, a) = a; f(1, 2)\n  ^^^^^^^\n"),
    (["f(2) = 1"], "error: only a name or f(a, b, ...) can stand left of '='\n  f(2) = 1\n  ^^^^\n"),
    # the caret under the left side (a number has a span since issue 13; it pointed at the '=' before)
    (["3 = 3"], "error: only a name or f(a, b, ...) can stand left of '='\n  3 = 3\n  ^\n"),
    (["sin(1, 2)"], "error: sin takes 1 argument, got 2\n  sin(1, 2)\n  ^^^^^^^^^\n"),
    (["pow(2)"], "error: pow takes 2 arguments, got 1\n  pow(2)\n  ^^^^^^\n"),
    (["atan2(1)"], "error: atan2 takes 2 arguments, got 1\n  atan2(1)\n  ^^^^^^^^\n"),
    (["log(1, 2, 3)"], "error: log takes 1 or 2 arguments, got 3\n  log(1, 2, 3)\n  ^^^^^^^^^^^^\n"),
    (["f(a,b)=a; f(1)"], "error: f takes 2 arguments, got 1\n  f(a,b)=a; f(1)\n            ^^^^\n"),
]

USAGE = [
    # a point may name variables the expression does not read; a free variable without a value is the error, with
    # a did-you-mean when one of the names given looks like it
    (["x+yy", "--at", "x=1,y=2"],
     "error: --at x=1,y=2: no value for the free variable 'yy' (did you mean 'yy' instead of 'y'?)\n"),
    (["x", "--at", "xx=1"], "error: --at xx=1: no value for the free variable 'x' (did you mean 'x' instead of 'xx'?)\n"),
    (["x+y", "--at", "x=1,z=2"], "error: --at x=1,z=2: no value for the free variable 'y' (use --at x=VALUE,y=VALUE)\n"),
    (["x", "--at", "x=1,pi=2"], "error: --at x=1,pi=2: 'pi' is the constant pi, not a variable\n"),
    (["x", "--at", "x=1,sin=2"], "error: --at x=1,sin=2: 'sin' is the function sin, not a variable\n"),
    (["x", "--at", "x=1,2y=2"], "error: --at x=1,2y=2: '2y' is not a variable name\n"),
    (["x", "--at", "x y=2"], "error: --at x y=2: 'x y' is not a variable name\n"),
    # a value is a number or a constant expression, never a program whose last statement would be taken
    (["x", "--at", "x=1;5"], "error: --at x: '1;5' is a program, not a value (a value is a number or a constant "
                             "expression such as pi/4)\n"),
    (["x", "--at", "1;5"], "error: --at 1;5: '1;5' is a program, not a value (a value is a number or a constant "
                           "expression such as pi/4)\n"),
    (["x", "--at", "x=1\n2"], "error: --at x: '1\\n2' is a program, not a value (a value is a number or a "
                               "constant expression such as pi/4)\n"),
    (["x", "--at", "x=y=3"], "error: --at x: 'y=3' is an assignment, not a value (a value is a number or a "
                             "constant expression such as pi/4)\n"),
    (["x", "--at", "x=(y=3)"], "error: --at x: '(y=3)' is an assignment, not a value (a value is a number or a "
                               "constant expression such as pi/4)\n"),
    (["x", "--at", "x=pi/4;"], "error: --at x: 'pi/4;' is a program, not a value (a value is a number or a "
                               "constant expression such as pi/4)\n"),
    (["x+y", "--at", "x=1"], "error: --at x=1: no value for the free variable 'y' (use --at x=VALUE,y=VALUE)\n"),
    (["x+y"], "error: no value for the free variable 'x' (use --at x=VALUE,y=VALUE)\n"),
    (["x"], "error: no value for the free variable 'x' (use --at x=VALUE)\n"),
    (["x", "--at", "x=pi/y"], "error: --at x must be a constant, but 'pi/y' reads the variable 'y'\n"),
    (["2", "--at", "3"], "error: --at 3: the expression has no free variables, so it needs no --at\n"),
    (["x + y", "--at", "3"], "error: --at 3: a bare value needs exactly one variable, the expression has 2 "
                             "(use --at x=VALUE,y=VALUE)\n"),
    (["x", "--at", "x=1,x=2"], "error: --at x=1,x=2: 'x' is given twice\n"),
    (["x", "--at", "1,2"], "error: --at 1,2: expected name=value, got '1'\n"),
    (["x", "--at", "x="], "error: --at x: no value given\n"),
    (["x", "--at", "x=2+"], "error: --at x: unexpected end of input (expected a number, a name or '(')\n  2+\n    ^\n"),
    (["x", "--at", "x=sine(1)"], "error: --at x: unknown function 'sine' (did you mean 'sin'?)\n  sine(1)\n  ^^^^\n"),
    ([""], "error: there is nothing to compute: the program has no expression\n"),
    (["# nothing\n;"], "error: there is nothing to compute: the program has no expression\n"),
]

MATH = [
    (["ln(-1)"], "error: ln is undefined in ln(-1) (needs -1 > 0)\n"),
    (["1/0"], "error: division by zero in 1/0\n"),
    (["sqrt(-4)"], "error: sqrt is undefined in sqrt(-4) (needs -4 ≥ 0)\n"),
    (["asin(2)"], "error: asin is undefined in asin(2) (needs -1 ≤ 2 ≤ 1)\n"),
    # a constant beyond the doubles is a node (a later one may bring it back: exp(745)*exp(-745.1)), named as nodes are
    (["exp(1000)"], "error: overflow in u1 = exp(1000): the value is too large for a double\n"),
    (["10^400"], "error: overflow in u1 = 10^400: the value is too large for a double\n"),
    (["1e400"], "error: the number 1e400 is too large for a double\n  1e400\n  ^^^^^\n"),
    (["9^9^9^9"], "error: overflow in u2 = 9^u1: its argument u1 = 9^(9^9) is too large for a double\n"),
    (["ln(x)", "--at", "-1"], "error: ln is undefined in u1 = ln(x) with x = -1 (needs x > 0)\n"),
    (["1/x", "--at", "0"], "error: division by zero in u1 = 1/x with x = 0\n"),
    (["sqrt(x - 5)", "--at", "1"], "error: sqrt is undefined in u2 = sqrt(u1) with u1 = -4 (needs u1 ≥ 0)\n"),
    (["asin(2x)", "--at", "1"], "error: asin is undefined in u2 = asin(u1) with u1 = 2 (needs -1 ≤ u1 ≤ 1)\n"),
    (["exp(x^2)", "--at", "100"],
     "error: overflow in u2 = exp(u1) with u1 = 10000: the value is too large for a double\n"),
    (["10^x", "--at", "400"], "error: overflow in u1 = 10^x with x = 400: the value is too large for a double\n"),
    (["log(8, 1)"], "error: log is undefined in log(8, 1) (needs 8 > 0, 1 > 0 and 1 ≠ 1)\n"),
    (["acosh(x)", "--at", "0.5"], "error: acosh is undefined in u1 = acosh(x) with x = 0.5 (needs x ≥ 1)\n"),
]

CASES = [(argv, 2, err) for argv, err in SYNTAX + NAMES + USAGE] + [(argv, 1, err) for argv, err in MATH]


@pytest.mark.parametrize("argv, code, err", CASES, ids=[repr(c[0][0])[1:-1][:40] for c in CASES])
def test_error(capsys, argv, code, err):
    assert run(capsys, "eval", *argv) == (code, "", err)


@pytest.mark.parametrize("text, column, width", [
    ("2+*3", 2, 1), ("sin(x) + sinn(x)", 9, 4), ("x = 1; y = zz(x)", 11, 2), ("sin(1, 2, 3) + 1", 0, 12),
    ("   @", 3, 1), ("a=1; a=2", 5, 1),
])
def test_caret_column(capsys, text, column, width):
    code, _, err = run(capsys, "eval", text)
    assert code == 2 and caret(err) == (column, width)


def test_every_message_starts_with_error_and_has_no_traceback(capsys):
    for argv, _, _ in CASES:
        _, _, err = run(capsys, "eval", *argv)
        assert err.startswith("error: ") and "Traceback" not in err


def test_the_points_before_a_math_error_are_printed(capsys):
    assert run(capsys, "eval", "1/x", "--at", "1", "--at", "0", "--at", "2") == (
        1, "1\n", "error: division by zero in u1 = 1/x with x = 0\n")


@pytest.mark.parametrize("text", ["9^9^9^9", "9^9^9^9^9^9^9^9", "(9^9^9^9)^0", "x^9^9^9^9", "exp(exp(exp(1000)))"])
def test_huge_exponents_answer_at_once(capsys, text):
    start = time.perf_counter()
    code, _, err = run(capsys, "eval", text, *(["--at", "2"] if text.startswith("x") else []))
    assert time.perf_counter() - start < 5.0  # a guard against hanging, not a speed target
    assert code == 1 and "overflow" in err


def test_usage_errors_of_the_command_line(capsys):
    code, out, err = run(capsys, "eval")
    assert (code, out) == (2, "") and err.lower().startswith("error: missing argument 'expr'")
    code, out, err = run(capsys, "eval", "x", "--bogus")
    assert (code, out, err) == (2, "", "error: No such option: --bogus\n  try 'dcalc eval --help'\n")
    code, out, err = run(capsys, "nosuch")
    assert (code, out, err) == (2, "", "error: No such command 'nosuch'.\n  try 'dcalc --help'\n")
    code, out, err = run(capsys, "eval", "x", "--at", "1", "--digits", "0")
    assert (code, out) == (2, "") and err.startswith("error: Invalid value for '--digits'")


def test_an_internal_error_is_exit_70_without_a_traceback(capsys, monkeypatch):
    values = importlib.import_module("dcalc.modes.evaluate")

    def broken(*args):
        raise RuntimeError("boom")
    monkeypatch.setattr(values, "value", broken)
    monkeypatch.delenv("DCALC_DEBUG", raising=False)
    code, out, err = run(capsys, "eval", "1")
    assert (code, out) == (70, "")
    assert err.startswith("error: internal error RuntimeError: boom") and "Traceback" not in err


# The same contract through typer's CliRunner (stdout and stderr kept apart).
@pytest.mark.parametrize("argv, code, err", [
    (["eval", "sine(x)", "--at", "1"], 2, "error: unknown function 'sine' (did you mean 'sin'?)\n  sine(x)\n  ^^^^\n"),
    (["eval", "ln(x)", "--at", "-1"], 1, "error: ln is undefined in u1 = ln(x) with x = -1 (needs x > 0)\n"),
    (["eval", "x+y", "--at", "x=1"], 2,
     "error: --at x=1: no value for the free variable 'y' (use --at x=VALUE,y=VALUE)\n"),
])
def test_error_through_clirunner(argv, code, err):
    result = CliRunner().invoke(app, argv)
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", err)


def test_errors_of_the_python_api_are_dcalc_errors_with_spans():
    with pytest.raises(dcalc.DcalcError) as info:
        dcalc.parse("2+*3")
    assert (info.value.exit_code, info.value.span) == (2, (2, 3))
    with pytest.raises(dcalc.DcalcError) as info:
        dcalc.evaluate("ln(x)", {"x": -1})
    assert info.value.exit_code == 1


@pytest.mark.parametrize("argv, err", [
    (["৪+1"], "error: unexpected character '৪' (expected a number, a name, '(', ';' or the end)\n  ৪+1\n  ^\n"),
    (["x", "--at", "x=1_000"], "error: --at x must be a constant, but '1_000' reads the variable '_000'\n"),
    (["x", "--at", "x=nan"], "error: --at x must be a constant, but 'nan' reads the variable 'nan'\n"),
    (["x", "--at", "x=٣"], "error: --at x: unexpected character '٣' (expected a number, a name, '(', ';' or the end)\n"
                          "  ٣\n  ^\n"),
])
def test_only_ascii_digits_are_numbers(capsys, argv, err):
    """Python's float() reads other scripts' digits, '1_000' and 'nan'; dcalc's numbers are [0-9] only."""
    assert run(capsys, "eval", *argv) == (2, "", err)


def test_no_command_shows_the_help_and_says_what_is_missing(capsys):
    code, out, err = run(capsys)
    assert (code, out) == (2, "")
    assert err.startswith("Usage: dcalc [OPTIONS] COMMAND [ARGS]...\n") and err.endswith("\nerror: no command given\n")
    assert "dcalc trace \"sin(x + x^2)\" --at 2" in err


@pytest.mark.parametrize("argv, err", [
    (["x*y", "--at", "x=1,y=2", "--direction", "1"],
     "error: --direction 1: a bare value needs exactly one variable, the expression has 2 "
     "(use --direction x=VALUE,y=VALUE)\n"),
    (["x*y", "--at", "x=1,y=2", "--direction", "z=1"],
     "error: --direction z=1: the expression has no variable 'z'; its variables: x, y\n"),
    (["x*y", "--at", "x=1,y=2", "--expect", "x=1,x=2"], "error: --expect x=1,x=2: 'x' is given twice\n"),
])
def test_direction_and_expect_read_points_like_at_and_name_their_option(capsys, argv, err):
    assert run(capsys, "grad", *argv) == (2, "", err)


def test_direction_leaves_out_variables_that_do_not_move(capsys):
    assert run(capsys, "grad", "x*y", "--at", "x=1,y=2", "--direction", "x=1", "--json") == (
        0, '{"at": {"x": 1.0, "y": 2.0}, "value": 2.0, "direction": {"x": 1.0, "y": 0.0}, "derivative": 2.0}\n', "")
