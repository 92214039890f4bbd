"""The language of DESIGN.md, rule by rule: what each input parses to (as its canonical and its explicit printing),
the precedence traps with their values, and programs."""

from __future__ import annotations

import math

import pytest

import dcalc
from dcalc.core.printing import to_text
from dcalc.language.expr import Apply, Assign, Const, Define, Num, Var

x, y, z, a, b, c = map(Var, "xyzabc")


def expr(text: str):
    (stmt,) = dcalc.parse(text).stmts
    return stmt


# input, canonical printing, explicit printing (every compound operand in parentheses)
GRAMMAR = [
    # numbers of every form
    ("3", "3", "3"),
    ("2.5", "2.5", "2.5"),
    (".5", "0.5", "0.5"),
    ("2.", "2", "2"),
    ("007", "7", "7"),
    ("1e-3", "0.001", "0.001"),
    ("6.02E23", "6.02e+23", "6.02e+23"),
    ("1E+3", "1000", "1000"),
    ("0.1", "0.1", "0.1"),
    ("1e16", "1e+16", "1e+16"),
    # names and constants
    ("x", "x", "x"),
    ("x1", "x1", "x1"),
    ("rate_2", "rate_2", "rate_2"),
    ("_a", "_a", "_a"),
    ("e3", "e3", "e3"),
    ("pi", "pi", "pi"),
    ("π", "pi", "pi"),
    ("e", "e", "e"),
    # operators
    ("x+y", "x + y", "x + y"),
    ("x-y", "x - y", "x - y"),
    ("x*y", "x*y", "x*y"),
    ("x/y", "x/y", "x/y"),
    ("x^y", "x^y", "x^y"),
    ("x**y", "x^y", "x^y"),
    ("-x", "-x", "-x"),
    ("+x", "x", "x"),
    ("--x", "--x", "-(-x)"),
    ("-+x", "-x", "-x"),
    ("-2", "-2", "-2"),
    ("(x)", "x", "x"),
    ("((x))", "x", "x"),
    # associativity
    ("a+b+c", "a + b + c", "(a + b) + c"),
    ("a-b-c", "a - b - c", "(a - b) - c"),
    ("a-(b-c)", "a - (b - c)", "a - (b - c)"),
    ("a+(b+c)", "a + (b + c)", "a + (b + c)"),
    ("a*b*c", "a*b*c", "(a*b)*c"),
    ("a/b/c", "a/b/c", "(a/b)/c"),
    ("a/(b/c)", "a/(b/c)", "a/(b/c)"),
    ("a*(b*c)", "a*(b*c)", "a*(b*c)"),
    ("(a+b)*c", "(a + b)*c", "(a + b)*c"),
    ("a^b^c", "a^(b^c)", "a^(b^c)"),
    ("(a^b)^c", "(a^b)^c", "(a^b)^c"),
    ("a**b**c", "a^(b^c)", "a^(b^c)"),
    # unary minus against the others
    ("-x^2", "-x^2", "-(x^2)"),
    ("-2^2", "-2^2", "-(2^2)"),
    ("(-2)^2", "(-2)^2", "(-2)^2"),
    ("2^-x", "2^(-x)", "2^(-x)"),
    ("x**-2", "x^(-2)", "x^(-2)"),
    ("x^-y^z", "x^(-y^z)", "x^(-(y^z))"),
    ("-x*y", "-x*y", "(-x)*y"),
    ("-(x*y)", "-(x*y)", "-(x*y)"),
    ("x*-y", "x*-y", "x*(-y)"),
    ("2*-3", "2*-3", "2*(-3)"),
    ("x+-y", "x + -y", "x + (-y)"),
    ("x - -y", "x - -y", "x - (-y)"),
    ("-(x+y)", "-(x + y)", "-(x + y)"),
    # implicit multiplication
    ("2x", "2x", "2*x"),
    ("2 x", "2x", "2*x"),
    ("2pi", "2pi", "2*pi"),
    ("2π", "2pi", "2*pi"),
    ("2e", "2e", "2*e"),
    ("2.5e", "2.5e", "2.5*e"),
    ("2 e3", "2*e3", "2*e3"),
    ("2e3x", "2000x", "2000*x"),
    ("3sin(x)", "3sin(x)", "3*sin(x)"),
    ("2(x+1)", "2(x + 1)", "2*(x + 1)"),
    ("(x+1)(x-1)", "(x + 1)*(x - 1)", "(x + 1)*(x - 1)"),
    ("(x)(y)", "x*y", "x*y"),
    ("2x^2", "2x^2", "2*(x^2)"),
    ("2(x)^2", "2x^2", "2*(x^2)"),
    ("1/2x", "1/2*x", "(1/2)*x"),
    ("2(x+1)(x-1)", "2(x + 1)*(x - 1)", "(2*(x + 1))*(x - 1)"),
    ("x/2(y)", "x/2*y", "(x/2)*y"),
    ("2^3x", "2^3*x", "(2^3)*x"),
    # calls
    ("sin(x)", "sin(x)", "sin(x)"),
    ("sin(x+y)", "sin(x + y)", "sin(x + y)"),
    ("log(x)", "log(x)", "log(x)"),
    ("log(x, b)", "log(x, b)", "log(x, b)"),
    ("log(x,b)", "log(x, b)", "log(x, b)"),
    ("atan2(y, x)", "atan2(y, x)", "atan2(y, x)"),
    ("hypot(3, 4)", "hypot(3, 4)", "hypot(3, 4)"),
    ("pow(x, 2)", "x^2", "x^2"),
    ("fn(a, b)", "fn(a, b)", "fn(a, b)"),  # a call of a longer name (one letter, not defined, multiplies)
    ("sin(sin(x))", "sin(sin(x))", "sin(sin(x))"),
    ("sin(x)^2", "sin(x)^2", "sin(x)^2"),
    ("-sin(x)", "-sin(x)", "-sin(x)"),
    ("e^x", "e^x", "e^x"),
]


@pytest.mark.parametrize("text, canonical, explicit", GRAMMAR, ids=[g[0] for g in GRAMMAR])
def test_canonical_printing(text, canonical, explicit):
    assert to_text(expr(text)) == canonical


@pytest.mark.parametrize("text, canonical, explicit", GRAMMAR, ids=[g[0] for g in GRAMMAR])
def test_explicit_printing(text, canonical, explicit):
    assert to_text(expr(text), explicit=True) == explicit


@pytest.mark.parametrize("text, canonical, explicit", GRAMMAR, ids=[g[0] for g in GRAMMAR])
def test_both_printings_parse_back_to_the_same_ast(text, canonical, explicit):
    assert expr(canonical) == expr(explicit) == expr(text)


AST = [
    ("2x", Apply("mul", (Num(2.0), x))),
    ("-x^2", Apply("neg", (Apply("pow", (x, Num(2.0))),))),
    ("-2", Num(-2.0)),
    ("-2^2", Apply("neg", (Apply("pow", (Num(2.0), Num(2.0))),))),
    ("2^-1", Apply("pow", (Num(2.0), Num(-1.0)))),
    ("2^3^2", Apply("pow", (Num(2.0), Apply("pow", (Num(3.0), Num(2.0)))))),
    ("1/2x", Apply("mul", (Apply("div", (Num(1.0), Num(2.0))), x))),
    ("π", Const("pi")),
    ("x**y", Apply("pow", (x, y))),
    ("log(x, b)", Apply("log", (x, b))),
    ("+x", x),
]


@pytest.mark.parametrize("text, ast", AST, ids=[t for t, _ in AST])
def test_ast(text, ast):
    assert expr(text) == ast


# Precedence traps and other values: expression, point, value (exact unless noted).
VALUES = [
    ("-x^2", {"x": 3}, -9.0),
    ("-2^2", {}, -4.0),
    ("(-2)^2", {}, 4.0),
    ("2^-x", {"x": 1}, 0.5),
    ("2^-1", {}, 0.5),
    ("2^3^2", {}, 512.0),
    ("2**3**2", {}, 512.0),
    ("(2^3)^2", {}, 64.0),
    ("1/2x", {"x": 4}, 2.0),
    ("2(x+1)(x-1)", {"x": 3}, 16.0),
    ("(x+1)(x-1)", {"x": 3}, 8.0),
    ("2x^2 + sin(pi/2)", {"x": 3}, 19.0),
    ("3sin(x)", {"x": math.pi / 2}, 3.0),
    ("-x*y", {"x": 2, "y": 3}, -6.0),
    ("a-b-c", {"a": 10, "b": 3, "c": 2}, 5.0),
    ("a/b/c", {"a": 12, "b": 3, "c": 2}, 2.0),
    ("x - -y", {"x": 1, "y": 2}, 3.0),
    ("2e", {}, 2 * math.e),
    ("2pi", {}, 2 * math.pi),
    ("π", {}, math.pi),
    ("e", {}, math.e),
    ("log(x, b)", {"x": 8, "b": 2}, 3.0),
    ("log(e^2)", {}, 2.0),
    ("log(100, 10)", {}, 2.0),
    ("pow(2, 10)", {}, 1024.0),
    ("0^0", {}, 1.0),
    ("(-2)^3", {}, -8.0),
    ("cbrt(-8)", {}, -2.0),
]


@pytest.mark.parametrize("text, point, value", VALUES, ids=[v[0] for v in VALUES])
def test_value(text, point, value):
    assert dcalc.evaluate(text, point) == pytest.approx(value, rel=1e-15, abs=0)


# Programs: statements, separators, comments, intermediate variables and user functions.
PROGRAMS = [
    ("a = 2; a + 1", {}, 3.0),
    ("a = 2\na + 1", {}, 3.0),
    ("a = 2\r\na + 1\r\n", {}, 3.0),
    ("a = 2;\n;\n a + 1;", {}, 3.0),
    (";;\n\n1", {}, 1.0),
    ("x = 2", {}, 2.0),  # the last statement is an assignment: the program's value is that variable
    ("a = x^2; b = a + x", {"x": 3}, 12.0),
    ("u1 = x^2\nu2 = x + u1\nu2", {"x": 2}, 6.0),
    ("# a comment\nx + 1 # another\n# and a last one", {"x": 1}, 2.0),
    ("x + 1 # ; 1/0 is commented out", {"x": 1}, 2.0),
    ("f(a, b) = a*b + 1; f(2, 3)", {}, 7.0),
    ("f(a, b) = a - b\nf(x, 1) + f(1, x)", {"x": 5}, 0.0),
    ("f(t) = t^2; g(t) = f(t) + 1; g(f(x))", {"x": 2}, 17.0),
    ("f(a) = a*x; f(2)", {"x": 3}, 6.0),  # a free variable inside a function body is an input
    ("a = 1; f(a) = a; f(2)", {}, 2.0),  # a parameter shadows a variable
    ("k = 3; f(t) = k*t; f(2)", {}, 6.0),
    ("r = sqrt(x^2 + y^2); atan2(y, x) + r", {"x": 3, "y": 4}, math.atan2(4, 3) + 5),
    ("a = 2\n\n\nb = a*3\n\nb", {}, 6.0),
]


@pytest.mark.parametrize("text, point, value", PROGRAMS, ids=[p[0] for p in PROGRAMS])
def test_program_value(text, point, value):
    assert dcalc.evaluate(text, point) == pytest.approx(value, rel=1e-15, abs=1e-300)


def test_statements_of_a_program():
    program = dcalc.parse("a = x^2\nf(p, q) = p*q\nf(a, 2)")
    assert program.stmts == (Assign("a", Apply("pow", (x, Num(2.0)))),
                             Define("f", ("p", "q"), Apply("mul", (Var("p"), Var("q")))),
                             Apply("f", (Var("a"), Num(2.0))))


@pytest.mark.parametrize("text", ["", "\n", ";", " ; \n ; ", "# only a comment", "# c\n\n# d\r\n"])
def test_empty_programs_parse_to_no_statements(text):
    assert dcalc.parse(text).stmts == ()


def test_crlf_is_the_same_program_as_lf():
    text = "a = x^2\nf(t) = 2t\nf(a) + 1 # done\n"
    assert dcalc.parse(text.replace("\n", "\r\n")) == dcalc.parse(text)


def test_free_variables_come_in_order_of_first_appearance():
    assert dcalc.compile("w = b*z + a; c = z; c + y + w").inputs == ["b", "z", "a", "y"]


def test_a_variable_used_twice_is_one_input_node():
    g = dcalc.compile("x*x + x")
    assert [n.kind for n in g.nodes].count("input") == 1


def test_a_shared_subexpression_is_one_node():
    g = dcalc.compile("sin(x^2) + cos(x^2)")
    assert sum(1 for i in range(len(g.nodes)) if g.text(i) == "x^2") == 1


def test_user_names_of_intermediate_nodes_are_kept():
    g = dcalc.compile("u1 = x^2; u2 = x + u1; u2")
    assert [n.name for n in g.nodes if n.kind != "const"] == ["x", "u1", "u2"]


def test_log_with_one_argument_is_ln():
    assert dcalc.evaluate("log(x)", {"x": 5}) == dcalc.evaluate("ln(x)", {"x": 5}) == math.log(5)


# Issue 11: one rule for unused definitions. Before, one that reads no variable was folded at once and refused the
# program (`s = exp(csc(pi)); x`), one that reads a variable was never evaluated (`p = x/0.0; x`). Now neither is
# evaluated, and the command line notes each one nothing reads.
UNUSED = [
    ("s = exp(csc(pi)); x", ["s"]), ("p = x/0.0; x", ["p"]), ("f(a) = a/0; x", ["f"]),
    ("s = 1/0; t = s + 1; x", ["t"]),  # s is read (by t), t is not: the note names t, and neither is evaluated
    ("f(a) = exp(a); s = f(1000); x^2", ["s"]), ("p = x; q = p; q", []),
]


@pytest.mark.parametrize("text, names", UNUSED)
def test_unused_definitions_are_not_evaluated_and_are_noted(capsys, text, names):
    from dcalc.app import main
    assert dcalc.compile(text).unused == tuple(names)
    assert main(["eval", text, "--at", "x=3"]) == 0
    out, err = capsys.readouterr()
    assert out == ("9\n" if "x^2" in text else "3\n")
    assert err == "".join(f"note: '{n}' is defined but never used, so it is not evaluated\n" for n in names)


@pytest.mark.parametrize("text, message", [
    ("s = exp(csc(pi)); x + s", "error: overflow in s = exp(csc(pi)) with csc(pi) = 8165619676597685"),
    ("s = exp(csc(pi)); t = s + 1; x*t", "error: overflow in s = exp(csc(pi)) with csc(pi) = 8165619676597685"),
    ("s = exp(csc(pi)); t = s; t", "error: overflow in s = exp(csc(pi))"),  # a node since issue 11 (evaluate.py)
    ("a = 1/0; b = exp(1000); x + a + b", "error: division by zero in 1/0"),  # the first as written
    ("p = x/0.0; x + p", "error: division by zero in p = x/0 with x = 3"),
])
def test_a_definition_that_is_read_fails_with_its_own_message(capsys, text, message):
    from dcalc.app import main
    assert main(["eval", text, "--at", "x=3"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(message), err


def test_unused_definitions_are_noted_by_every_command(capsys):
    from dcalc.app import main
    note = "note: 's' is defined but never used, so it is not evaluated\n"
    for argv in (["diff", "s = exp(csc(pi)); x^2"], ["grad", "s = exp(csc(pi)); x^2", "--at", "3"],
                 ["check", "s = exp(csc(pi)); x^2", "--at", "3"], ["trace", "s = exp(csc(pi)); x^2", "--at", "3"]):
        assert main(argv) == 0, argv
        assert capsys.readouterr().err == note, argv


def test_the_grammars_operator_names_are_the_tables_operators():
    """syntax.OPERATORS (names no call may use) are the operators of the primitive table, but for pow, a function too."""
    from dcalc.core.ops import OPS
    from dcalc.language.syntax import OPERATORS
    assert OPERATORS | {"pow"} == {op.name for op in OPS.values() if op.symbol is not None}
    with pytest.raises(dcalc.DcalcError, match="unknown function 'add'"):
        dcalc.parse("add(1, 2)")
