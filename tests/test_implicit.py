"""Issue 14 items 1 and 2: implicit multiplication everywhere, look-alike names, --strict, `dcalc parse`, pasted math.

Every new form of input has a test that it cannot be misread: its reading (`dcalc parse`, fully parenthesised), its
value and gradient against SymPy on the same formula written out in ASCII with explicit '*' (SymPy shares no dcalc
code), the notes it gets (exact stderr) and its --strict error (exit 2, message, caret). Forms that must keep their
meaning are pinned too.
"""

from __future__ import annotations

import math

import pytest
import sympy
from hypothesis import given, settings
from typer.testing import CliRunner

import dcalc
from dcalc.app import app
from dcalc.core.printing import to_text
from strategies import expressions

runner = CliRunner()


def run(*args, input: str | None = None):
    r = runner.invoke(app, list(args), input=input)
    return r.exit_code, r.stdout, r.stderr


# (typed, the reading `dcalc parse` prints, the same formula for SymPy)
READINGS = [
    # a name that is not a function, before '(': one letter, a constant, or a name the program assigns
    ("x(x+1)", "x*(x + 1)", "x*(x+1)"),
    ("x(x+1)^2", "x*((x + 1)^2)", "x*(x+1)**2"),
    ("2x(x+1)", "(2*x)*(x + 1)", "2*x*(x+1)"),
    ("pi(x+1)", "pi*(x + 1)", "pi*(x+1)"),
    ("e(x)", "e*x", "E*x"),
    ("y(x)", "y*x", "y*x"),
    # ')' or a call before a name, a number or '('
    ("(x+1)x", "(x + 1)*x", "(x+1)*x"),
    ("(x+1)2", "(x + 1)*2", "(x+1)*2"),
    ("(x+1)sin(x)", "(x + 1)*sin(x)", "(x+1)*sin(x)"),
    ("sin(x)cos(x)", "sin(x)*cos(x)", "sin(x)*cos(x)"),
    ("sin(x)x", "sin(x)*x", "sin(x)*x"),
    ("sin(x)(x+1)", "sin(x)*(x + 1)", "sin(x)*(x+1)"),
    # a space between two operands
    ("x sin(x)", "x*sin(x)", "x*sin(x)"),
    ("pi x", "pi*x", "pi*x"),
    ("2 x", "2*x", "2*x"),
    ("x y", "x*y", "x*y"),
    ("x y z", "(x*y)*z", "x*y*z"),
    # at the precedence of '*': powers bind first, left to right with / and *
    ("x^2 y", "(x^2)*y", "x**2*y"),
    ("x^2y", "(x^2)*y", "x**2*y"),
    ("-x^2", "-(x^2)", "-x**2"),
    ("2^-1", "2^(-1)", "2**-1"),
    ("2^x(x+1)", "(2^x)*(x + 1)", "2**x*(x+1)"),
    ("1/2x", "(1/2)*x", "x/2"),
    ("6/2(1+x)", "(6/2)*(1 + x)", "3*(1+x)"),
    ("x/y z", "(x/y)*z", "x/y*z"),
    ("-2x", "(-2)*x", "-2*x"),
    # pasted math
    ("x·y", "x*y", "x*y"),
    ("x×y", "x*y", "x*y"),
    ("x⋅y", "x*y", "x*y"),
    ("x÷y", "x/y", "x/y"),
    ("x − y", "x - y", "x-y"),
    ("−x", "-x", "-x"),
    ("x²", "x^2", "x**2"),
    ("x⁻¹", "x^(-1)", "1/x"),
    ("x²³", "x^23", "x**23"),
    ("x⁺²", "x^2", "x**2"),
    ("-x²", "-(x^2)", "-x**2"),
    ("2x²", "2*(x^2)", "2*x**2"),
    ("x²y", "(x^2)*y", "x**2*y"),
    ("(x+1)²", "(x + 1)^2", "(x+1)**2"),
    ("sin(x)²", "sin(x)^2", "sin(x)**2"),
    ("√x", "sqrt(x)", "sqrt(x)"),
    ("√(x+1)", "sqrt(x + 1)", "sqrt(x+1)"),
    ("√x^2", "sqrt(x^2)", "sqrt(x**2)"),
    ("√x²", "sqrt(x^2)", "sqrt(x**2)"),
    ("√2x", "sqrt(2)*x", "sqrt(2)*x"),
    ("2√x", "2*sqrt(x)", "2*sqrt(x)"),
    ("x√y", "x*sqrt(y)", "x*sqrt(y)"),
    ("√√x", "sqrt(sqrt(x))", "sqrt(sqrt(x))"),
    ("-√x", "-sqrt(x)", "-sqrt(x)"),
    ("π x", "pi*x", "pi*x"),
    ("2π", "2*pi", "2*pi"),
    ("πx", "pi*x", "pi*x"),
    ("ℯ^x", "e^x", "exp(x)"),
    ("xℯ", "x*e", "x*E"),
    ("θ² + α", "(θ^2) + α", "theta**2 + alpha"),
    ("sin(θ)cos(φ)", "sin(θ)*cos(φ)", "sin(theta)*cos(phi)"),
    ("θ(θ+1)", "θ*(θ + 1)", "theta*(theta+1)"),
    ("2πr²", "(2*pi)*(r^2)", "2*pi*r**2"),
]


@pytest.mark.parametrize("text, reading, _", READINGS, ids=[r[0] for r in READINGS])
def test_parse_prints_the_reading(text, reading, _):
    code, out, err = run("parse", "--", text)
    assert (code, out) == (0, reading + "\n")
    assert err == "" or "/" in text  # 1/2x and its kind get a note (test_a_note_on_stderr_and_the_reading_stands)


@pytest.mark.parametrize("text, reading, _", READINGS, ids=[r[0] for r in READINGS])
def test_the_reading_reads_back_as_itself(text, reading, _):
    assert dcalc.parse(reading).stmts == dcalc.parse(text).stmts


SYMBOLS = {n: sympy.Symbol(n) for n in ("x", "y", "z", "r", "theta", "alpha", "phi")}
GREEK = {"theta": "θ", "alpha": "α", "phi": "φ"}
POINT = {"x": 0.7, "y": 1.3, "z": -0.4, "r": 2.1, "theta": 0.3, "alpha": -1.2, "phi": 0.9}


@pytest.mark.parametrize("text, _, reference", READINGS, ids=[r[0] for r in READINGS])
def test_value_and_gradient_match_sympy(text, _, reference):
    f = sympy.sympify(reference, locals={**SYMBOLS, "E": sympy.E, "pi": sympy.pi})
    free = sorted(f.free_symbols, key=lambda s: s.name)
    at = {GREEK.get(s.name, s.name): POINT[s.name] for s in free}
    subs = {s: POINT[s.name] for s in free}
    expected = float(f.evalf(30, subs=subs))
    assert math.isclose(dcalc.evaluate(text, at), expected, rel_tol=1e-13, abs_tol=1e-300)
    if free:
        grad = dcalc.gradient(text, at)
        for s in free:
            want = float(sympy.diff(f, s).evalf(30, subs=subs))
            assert math.isclose(grad[GREEK.get(s.name, s.name)], want, rel_tol=1e-12, abs_tol=1e-15), s


# Forms whose meaning must not change (they read as before issue 14).
UNCHANGED = [("2x", "2*x"), ("x^2", "x^2"), ("2x^2", "2*(x^2)"), ("2(x+1)", "2*(x + 1)"), ("(x+1)(x-1)",
             "(x + 1)*(x - 1)"), ("2sin(x)", "2*sin(x)"), ("sin(x)^2", "sin(x)^2"), ("-x^2", "-(x^2)"), ("2^-x",
             "2^(-x)"), ("x**y**z", "x^(y^z)"), ("1/2x", "(1/2)*x"), ("2e3x", "2000*x"), ("2ex", "2*ex"),
             ("f(x) = x^2; f(3)", "f(x) = x^2; f(3)"), ("a = 2; b = a(x)", "a = 2; b = a*x"), ("log(x, 2)", "log(x, 2)"),
             ("sinh(x)", "sinh(x)"), ("atan2(y, x)", "atan2(y, x)"), ("pow(x, 2)", "x^2")]


@pytest.mark.parametrize("text, reading", UNCHANGED, ids=[u[0] for u in UNCHANGED])
def test_forms_that_keep_their_meaning(text, reading):
    code, out, _ = run("parse", "--", text)
    assert (code, out) == (0, reading + "\n")


def test_parse_json_and_several_statements():
    assert run("parse", "a = x(x+1)\nf(t) = t²; f(a)y", "--json") == (
        0, '{"reading": "a = x*(x + 1); f(t) = t^2; f(a)*y", "notes": []}\n', "")
    assert run("parse", "sinx", "--json") == (
        0, '{"reading": "sinx", "notes": ["\'sinx\' is read as one variable; write sin(x) for the function sin"]}\n',
        "note: 'sinx' is read as one variable; write sin(x) for the function sin\n")


def test_the_trace_header_shows_the_reading():
    code, out, err = run("trace", "x(x+1)sin(x)", "--at", "1")
    assert (code, err) == (0, "") and out.startswith("f(x) = (x*(x + 1))*sin(x)\n")


def test_a_user_function_is_a_call_and_a_one_letter_variable_a_factor():
    assert dcalc.evaluate("g(t) = t + 1; g(2)", {}) == 3.0
    assert dcalc.evaluate("g(t) = t + 1\ng(x)g(x)", {"x": 1}) == 4.0
    assert dcalc.evaluate("x(x+1)", {"x": 3}) == 12.0
    assert dcalc.evaluate("rate = 0.5; rate(x+1)", {"x": 3}) == 2.0  # an assigned name multiplies
    assert dcalc.evaluate("θ = 2; θ(x)", {"x": 3}) == 6.0
    # a definition after its use: still a call (then the error that says so), never a silent product g*2
    code, _, err = run("eval", "y = g(2); g(t) = t; y")
    assert code == 2 and err.startswith("error: 'g' is used before the line that defines it")


@pytest.mark.parametrize("text, err", [
    ("sine(x)", "error: unknown function 'sine' (did you mean 'sin'?)\n  sine(x)\n  ^^^^\n"),
    ("foo(x)", "error: unknown function 'foo'\n  foo(x)\n  ^^^\n"),
    ("sin x", "error: 'sin' is a function: call it as sin(…)\n  sin x\n  ^^^\n"),
    ("f(a, b)", "error: unexpected ',' (expected ')')\n  f(a, b)\n     ^\n"),
])
def test_a_longer_unknown_name_before_parenthesis_stays_an_error(text, err):
    """A longer name that is neither a function nor assigned is far likelier a misspelt function than a factor."""
    assert run("eval", text, "--at", "1") == (2, "", err)


@pytest.mark.parametrize("text, caret", [("2 3", "    ^"), ("x 2", "    ^"), ("x² 3", "     ^"), ("π 2", "    ^")])
def test_a_number_after_a_space_does_not_multiply(text, caret):
    """`2 3`, `x 2` and `x² 3` look like 23, x2 and x²³: an error, not a product."""
    code, out, err = run("eval", text, "--at", "1")
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert lines[0].startswith("error: unexpected '")
    assert lines[1:] == ["  " + text, caret, "  hint: a number multiplies only before a name or '(', or after ')': "
                         "write '*' between the two"]


def test_a_new_line_is_not_a_space():
    """Between statements a new line ends the statement: `x` then `y` is not x*y (issue 11's rules)."""
    code, _, err = run("eval", "-", "--at", "x=1,y=2", input="x\ny")
    assert code == 2 and "is thrown away" in err
    code, _, err = run("eval", "-", "--at", "x=1", input="x\n(x+1)")
    assert code == 2 and "is thrown away" in err
    assert run("eval", "-", "--at", "3", input="(2\nx)") == (0, "6\n", "")  # inside parentheses: whitespace
    assert run("eval", "-", "--at", "3", input="(sin\n(x))") == (0, f"{math.sin(3)!r}\n", "")


# Look-alike names: notes on stderr (exact text), errors with --strict (exit 2, message, caret).
NOTES = [
    ("sinx", {"sinx": 1}, "'sinx' is read as one variable; write sin(x) for the function sin", "^^^^"),
    ("logx + 1", {"logx": 1}, "'logx' is read as one variable; write log(x) for the function log", "^^^^"),
    ("cos2x", {"cos2x": 1}, "'cos2x' is read as one variable; write cos(2x) for the function cos", "^^^^^"),
    ("pix", {"pix": 1}, "'pix' is read as one variable; write pi*x for the product", "^^^"),
    ("xy + x + y", {"x": 1, "y": 2, "xy": 3}, "'xy' is read as one variable; write x*y for the product", "^^"),
    ("x + sinxy + y", {"x": 1, "y": 2, "sinxy": 3},
     "'sinxy' is read as one variable; write sin(xy) for the function sin", "    ^^^^^"),
    ("1/2x", {"x": 1}, "'1/2x' is read as (1/2)*x; write 1/(2x) to divide by 2x", "^^^^"),
    ("6/2(1+x)", {"x": 2}, "'6/2(1+x)' is read as (6/2)*(1+x); write 6/(2(1+x)) to divide by 2(1+x)", "^^^^^^^^"),
    ("1/2x^2", {"x": 2}, "'1/2x^2' is read as (1/2)*x^2; write 1/(2x^2) to divide by 2x^2", "^^^^^^"),
    ("y + 1/sin(x)cos(x)", {"x": 1, "y": 0},
     "'1/sin(x)cos(x)' is read as (1/sin(x))*cos(x); write 1/(sin(x)cos(x)) to divide by sin(x)cos(x)",
     "    ^^^^^^^^^^^^^^"),
    ("1 ÷ 2x", {"x": 1}, "'1 ÷ 2x' is read as (1 ÷ 2)*x; write 1/(2x) to divide by 2x", "^^^^^^"),
]


@pytest.mark.parametrize("text, at, note, caret", NOTES, ids=[n[0] for n in NOTES])
def test_a_note_on_stderr_and_the_reading_stands(text, at, note, caret):
    point = ",".join(f"{k}={v}" for k, v in at.items())
    code, out, err = run("eval", text, "--at", point)
    assert (code, err) == (0, f"note: {note}\n")
    assert float(out) == dcalc.evaluate(text, at)


@pytest.mark.parametrize("text, at, note, caret", NOTES, ids=[n[0] for n in NOTES])
@pytest.mark.parametrize("command", ["eval", "grad", "diff", "trace", "check", "parse"])
def test_strict_makes_the_note_an_error(command, text, at, note, caret):
    point = ",".join(f"{k}={v}" for k, v in at.items())
    args = ["--at", point] if command in ("eval", "grad", "trace", "check") else []
    assert run(command, text, "--strict", *args) == (2, "", f"error: {note}\n  {text}\n  {caret}\n")


@pytest.mark.parametrize("text", ["cost = 2; cost*x", "f(sinx) = sinx^2; f(x)", "xy", "x + xz", "expm1", "sin2",
                                  "(1/2)x", "1/(2x)", "x/2*y", "exp2 + x", "logistic", "sinh(x)", "xy = x*y; xy",
                                  "ex + x"])
def test_no_note_where_nothing_is_ambiguous(text):
    program = dcalc.parse(text)
    assert program.notes == ()
    assert run("parse", text, "--strict")[0] == 0


def test_several_notes_in_order_once_each():
    code, _, err = run("parse", "sinx + 1/2x + sinx")
    assert (code, err) == (0, "note: 'sinx' is read as one variable; write sin(x) for the function sin\n"
                              "note: '1/2x' is read as (1/2)*x; write 1/(2x) to divide by 2x\n")


# Unicode names: NFC, letters by category, compatibility forms refused; carets at the right column.
def test_names_are_nfc():
    composed, decomposed = "\u00e9", "e\u0301"
    assert dcalc.evaluate(f"{composed} + {decomposed}", {composed: 2}) == 4.0
    assert dcalc.parse(decomposed).stmts == dcalc.parse(composed).stmts


@pytest.mark.parametrize("text, err", [
    ("𝑥 + 1", "error: the name '𝑥' has a plainer form 'x': write that\n  𝑥 + 1\n  ^\n"),
    ("ｘ+1", "error: the name 'ｘ' has a plainer form 'x': write that\n  ｘ+1\n  ^^\n"),  # ｘ is two columns wide
    ("µ*2", "error: the name 'µ' has a plainer form 'μ': write that\n  µ*2\n  ^\n"),
    ("x½", "error: '½' cannot be part of a name (in 'x½')\n  x½\n  ^^\n"),
])
def test_compatibility_characters_are_refused_not_folded(text, err):
    assert run("eval", text, "--at", "1") == (2, "", err)


@pytest.mark.parametrize("text, caret", [
    ("θ·α + ", "       ^"),        # the end of input: Greek letters and '·' are one column each
    ("名前 + x² ÷ ", "             ^"),  # a wide (CJK) letter takes two columns
    ("e\u0301 + √ ", "       ^"),        # a combining accent takes none
])
def test_carets_point_at_the_column_for_non_ascii_input(text, caret):
    code, _, err = run("eval", text, "--at", "1")
    assert code == 2
    assert err.splitlines()[1:] == ["  " + text, caret]


def test_an_error_quotes_the_character_as_typed():
    code, _, err = run("eval", "x ÷ ÷ 2", "--at", "1")
    assert code == 2 and err.startswith("error: unexpected '÷'")


def test_printing_never_reads_differently():
    """parse(print(ast)) == ast for the readings above, and a printed product of a one-letter name and a group."""
    for text, _, _ in READINGS:
        for s in dcalc.parse(text).stmts:
            assert dcalc.parse(to_text(s)).stmts == (s,)
            assert dcalc.parse(to_text(s, explicit=True)).stmts == (s,)


def test_the_scans_for_definitions_use_the_grammars_name():
    from dcalc.language import syntax
    assert f"NAME: /{syntax._NAME}/" in syntax.grammar_text()
    assert f"FUNC.2: /{syntax._NAME}(?=" in syntax.grammar_text()


def test_an_error_in_the_program_comes_alone_before_any_note():
    assert run("eval", "sinx + sine(x)", "--at", "x=1,sinx=2") == (
        2, "", "error: unknown function 'sine' (did you mean 'sin'?)\n  sinx + sine(x)\n         ^^^^\n")
    assert run("eval", "sinx + sine(x)", "--strict", "--at", "x=1,sinx=2")[2].startswith("error: unknown function")


@settings(max_examples=200, deadline=None)
@given(expressions(names=("θ", "x", "αβ", "y1", "é")))
def test_printing_round_trips_with_unicode_names(e):
    """parse(print(ast)) == ast over every op of the table, with Greek and accented names beside ASCII ones."""
    assert dcalc.parse(to_text(e)).stmts == (e,)
    assert dcalc.parse(to_text(e, explicit=True)).stmts == (e,)
