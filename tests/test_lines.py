"""Line breaks cannot be misread (issue 11, silent-wrong #4), and a point is a point, never a program.

- A new line inside parentheses, or after an operator, '=' or ',', is whitespace: the statement goes on.
- A new line elsewhere ends a statement; an expression statement before the last one is an error that quotes it,
  since its value would be thrown away (`x^2` then `x^3`).
- A line that starts with an operator after a statement that a new line ended is an error: `a = x^2` then `+ 5x`
  would otherwise be two statements, and the last one's value would be taken silently.
- A value in --at or in a --points cell is a number or a constant expression, never a program (`x=1;5`, `x=y=3`,
  a cell "1\\n2"); a point may name variables the expression does not read; every check is linear in its size.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import dcalc
from dcalc.app import app
from dcalc.commands import options
from dcalc.core.printing import to_text
from dcalc.errors import ParseError
from dcalc.grammar import tables
from dcalc.language import syntax
from dcalc_proc import run as run_process
from strategies import expressions

runner = CliRunner()

DISCARDED_HINT = "  hint: assign it a name (v = …), or join the lines: a line that ends with an operator goes on to the next\n"


def run(*args, input: str | None = None):
    r = runner.invoke(app, list(args), input=input)
    return r.exit_code, r.stdout, r.stderr


def discarded(where: str, statement: str, line: str, caret: str) -> str:
    return (f"error: {where}the value of '{statement}' is thrown away: only the last statement is the value of a "
            f"program\n  {line}\n  {caret}\n" + DISCARDED_HINT)


def leading(where: str, sign: str, line: str, caret: str) -> str:
    return (f"error: {where}a line that starts with '{sign}' after a complete statement could continue it or begin "
            f"a new one\n  {line}\n  {caret}\n  hint: to continue, move the '{sign}' to the end of the line above; "
            "to begin a new statement, end that line with ';'\n")


# ---- the examples of the issue, exactly ---------------------------------------------------------------------------

def test_a_line_that_starts_with_plus_after_an_assignment_is_an_error_not_2x():
    """`a = x^2` / `  + 5x` / `a` printed `2x` (the `+ 5x` line was dropped)."""
    assert run("diff", "-", input="a = x^2\n  + 5x\na") == (2, "", leading("line 2, column 3: ", "+", "  + 5x", "  ^"))


def test_the_same_split_as_the_last_statement_is_an_error_too():
    """Without the final `a` the split would silently give the value of `+ 5x`."""
    assert run("eval", "-", "--at", "2", input="a = x^2\n  + 5x") == (
        2, "", leading("line 2, column 3: ", "+", "  + 5x", "  ^"))
    assert run("eval", "-", "--at", "2", input="a = x^2\n-a") == (2, "", leading("line 2, column 1: ", "-", "-a", "^"))


def test_a_line_ending_with_an_operator_goes_on():
    assert run("diff", "-", input="a = x^2 +\n  5x\na") == (0, "2x + 5\n", "")
    assert run("eval", "-", "--at", "2", input="a = x^2 -  # minus\n\n  5x\na") == (0, "-6\n", "")
    assert run("eval", "-", "--at", "2", input="a =\n x^2\na") == (0, "4\n", "")


def test_new_lines_inside_parentheses_are_whitespace():
    assert run("diff", "-", input="a = (x^2\n  + 5x)\na") == (0, "2x + 5\n", "")
    assert run("eval", "-", "--at", "x=1,y=2", input="atan2(\n  y,\n  x\n) + hypot(x # first\n, y)") == (
        0, f"{dcalc.evaluate('atan2(y, x) + hypot(x, y)', {'x': 1, 'y': 2})!r}\n", "")
    assert run("eval", "-", "--at", "3", input="(2\nx)") == (0, "6\n", "")  # as `(2 x)`: implicit multiplication


def test_an_explicit_semicolon_settles_a_line_that_starts_with_a_sign():
    assert run("eval", "-", "--at", "3", input="a = x^2;\n-a") == (0, "-9\n", "")
    assert run("eval", "-", "--at", "3", input="-x\n") == (0, "-3\n", "")  # the first statement: nothing to continue
    assert run("eval", "-", "--at", "3", input="# note\n\n-x") == (0, "-3\n", "")


def test_two_expression_lines_are_an_error_not_the_last_line():
    """`x^2` / `x^3` at 2 printed 8."""
    assert run("eval", "-", "--at", "2", input="x^2\nx^3") == (2, "", discarded("line 1, column 1: ", "x^2", "x^2",
                                                                                "^^^"))


@pytest.mark.parametrize("text, err", [
    ("1; 2*x", discarded("", "1", "1; 2*x", "^")),
    ("a = 1\n  sin(x) # a note\na", discarded("line 2, column 3: ", "sin(x)", "  sin(x) # a note", "  ^^^^^^")),
    ("(x\n + 1)\n2x", discarded("line 1, column 1: ", "(x + 1)", "(x", "^^")),
    ("f(t) = t; f(x);; x", discarded("", "f(x)", "f(t) = t; f(x);; x", "          ^^^^")),
])
def test_a_discarded_statement_is_quoted_with_a_caret(text, err):
    assert run("eval", text, "--at", "1") == (2, "", err)


@pytest.mark.parametrize("text, op", [("a = x\n* 2\na", "*"), ("a = x\n/ 2", "/"), ("a = x\n^ 2", "^"),
                                      ("a = x\n** 2", "**")])
def test_a_line_cannot_start_with_a_binary_operator(text, op):
    code, out, err = run("eval", text, "--at", "1")
    assert (code, out) == (2, "")
    assert err == (f"error: line 2, column 1: a line cannot start with '{op}'\n  {op} 2\n  {'^' * len(op)}\n"
                   f"  hint: to continue the line above, move the '{op}' to its end\n")


def test_the_real_command_says_the_same():
    r = run_process("eval", "-", "--at", "2", stdin="x^2\nx^3")
    assert (r.code, r.out, r.err) == (2, "", discarded("line 1, column 1: ", "x^2", "x^2", "^^^"))
    r = run_process("diff", "-", stdin="a = (x^2\n  + 5x)\na")
    assert (r.code, r.out, r.err) == (0, "2x + 5\n", "")


# ---- cannot be misread: properties --------------------------------------------------------------------------------

SCANNER = re.compile(*tables.TABLES["scanner"])
GOES_ON = syntax._PostLexer.GOES_ON
EXPRS = expressions(("x", "y", "a0"), max_leaves=12)


def tokens(text: str) -> list[tuple[int, str, int]]:
    """(start, kind, depth of parentheses before it) of every token that is not whitespace or a comment."""
    out, depth = [], 0
    for m in SCANNER.finditer(text):
        kind = m.lastgroup
        if kind in ("WS", "COMMENT"):
            continue
        out.append((m.start(), kind, depth))
        depth = max(0, depth + (kind == "LPAR") - (kind == "RPAR"))
    return out


@st.composite
def programs(draw):
    """(text, statements): assignments a1… then a final expression, each printed canonically or fully
    parenthesised, separated by new lines, or by ';' before a statement that starts with a sign."""
    stmts = draw(st.lists(EXPRS, min_size=0, max_size=3))
    final = draw(EXPRS)
    explicit = draw(st.booleans())
    lines = [f"a{k + 1} = {to_text(e, explicit=explicit)}" for k, e in enumerate(stmts)]
    last = to_text(final, explicit=explicit)
    text = ""
    for line in lines + [last]:
        sep = ";\n" if line[0] in "+-" else draw(st.sampled_from(["\n", "\n\n", " # note\n", ";", "; \n"]))
        text += (sep if text else "") + line
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(), st.data())
def test_new_lines_inside_parentheses_or_after_an_operator_change_nothing(text, data):
    before = dcalc.parse(text)
    spots = [(at, kind) for (at, kind, depth), (_, prev, _) in zip(tokens(text)[1:], tokens(text))
             if depth > 0 or prev in GOES_ON]
    assume(spots)
    chosen = data.draw(st.lists(st.sampled_from(spots), min_size=1, max_size=6, unique=True))
    breaks = [data.draw(st.sampled_from(["\n", "\n  ", " # c\n", "\r\n", "\n\n"])) for _ in chosen]
    broken = text
    for (at, _), brk in sorted(zip(chosen, breaks), reverse=True):
        broken = broken[:at] + brk + broken[at:]
    assert dcalc.parse(broken) == before, broken


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(), EXPRS, st.data())
def test_a_discarded_expression_statement_is_always_an_error(text, extra, data):
    """An expression statement put before the last statement, after any other, is refused: never a value."""
    starts = [0] + [m.end() for m in re.finditer(r";\s*|\n(?:\s*#[^\n]*\n)*\s*", text)]
    at = data.draw(st.sampled_from(starts))
    inserted = to_text(extra)
    sep = data.draw(st.sampled_from(["\n", ";", " # c\n"]))
    broken = text[:at] + inserted + sep + text[at:]
    with pytest.raises(ParseError) as e:
        dcalc.parse(broken)
    if not e.value.message.startswith("a line that starts with"):  # a sign on a new line: that error comes first
        assert e.value.message.startswith("the value of ") and "is thrown away" in e.value.message
        assert e.value.span[0] == at
    code, out, err = run("eval", "--at", "x=1,y=2,a0=3", "--", broken)
    assert (code, out) == (2, "") and err.startswith("error: ")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRS, EXPRS, st.sampled_from(["+", "-", "*", "/", "^"]), st.booleans(), st.booleans())
def test_an_expression_split_before_its_operator_is_always_an_error(left, right, op, named, more):
    """`a = LEFT` / `op RIGHT` [/ `a`]: whatever the halves, never a program that quietly drops one of them."""
    text = f"a = {to_text(left)}\n  {op} ({to_text(right)})" if named else f"{to_text(left)}\n  {op} {to_text(right)}"
    text += "\na" if named and more else ""
    with pytest.raises(ParseError):
        dcalc.parse(text)
    joined = text.replace(f"\n  {op} ", f" {op}\n  ", 1)  # the operator at the end of the line: one statement
    assert dcalc.parse(joined).stmts[0] == dcalc.parse(joined.replace("\n", " ", 1)).stmts[0]


def test_the_fast_loop_and_lark_agree_on_the_new_line_rules():
    texts = ["a = (x\n+1)\na", "a = x +\n1\na", "a = x\n+1", "x\ny", "f(x,\ny)", "(\n\n)", "a=1;\n-a", "-x\n-x",
             "a = x\n* 2", "x # c\n# d\n-1", "a=(1\n)\n-a", "a = x\n\n\n  + 1"]
    for text in texts:
        def outcome(parse):
            try:
                return ("ok", parse(text))
            except Exception as e:  # noqa: BLE001 - any failure counts as one
                return ("error", None, type(e).__name__)
        fast, lark = outcome(syntax._fast()), outcome(syntax._parser().parse)
        assert fast[0] == lark[0], text
        if fast[0] == "ok":
            assert fast == lark, text


# ---- points: values are never programs; unread variables are allowed -----------------------------------------------

def test_a_point_may_name_variables_the_expression_does_not_read():
    assert run("eval", "0", "--at", "x=1") == (0, "0\n", "")
    assert run("eval", "x", "--at", "x=1,y=2") == (0, "1\n", "")
    assert run("eval", "x", "--at", "x=1,y=2", "--json") == (0, '{"at": {"x": 1.0, "y": 2.0}, "value": 1.0}\n', "")
    assert run("grad", "x^2", "--at", "x=3,y=2") == (0, "6\n", "")
    assert run("diff", "x^3", "--at", "x=2,y=1") == (0, "3x^2\nat x = 2, y = 1: 12\n", "")
    code, out, err = run("check", "sin(x)", "--at", "x=1,q=2")
    assert (code, err) == (0, "") and out.startswith("at x = 1, q = 2\n")
    code, out, err = run("trace", "x^2", "--at", "x=3,y=2")
    assert (code, err) == (0, "")


def test_a_derivative_diff_printed_evaluates_at_the_original_point():
    code, formula, _ = run("diff", "x*y^2", "--wrt", "x")
    assert (code, formula) == (0, "y^2\n")
    assert run("eval", formula.strip(), "--at", "x=5,y=3") == (0, "9\n", "")


@pytest.mark.parametrize("at, err", [
    ("xx=1", "error: --at xx=1: no value for the free variable 'x' (did you mean 'x' instead of 'xx'?)\n"),
    ("y=1", "error: --at y=1: no value for the free variable 'x' (use --at x=VALUE)\n"),
    ("x=1;5", "error: --at x: '1;5' is a program, not a value (a value is a number or a constant expression such as "
              "pi/4)\n"),
    ("x=y=3", "error: --at x: 'y=3' is an assignment, not a value (a value is a number or a constant expression "
              "such as pi/4)\n"),
    ("x=1\n2", "error: --at x: '1\\n2' is a program, not a value (a value is a number or a constant expression such "
               "as pi/4)\n"),
])
def test_bad_points_are_usage_errors_that_quote_the_text(at, err):
    assert run("eval", "x", "--at", at) == (2, "", err)
    assert run("grad", "x", "--at", at) == (2, "", err)


VALUES = st.one_of(st.floats(0, 1e6).map(repr), st.sampled_from(["pi/4", "atan2(1, 2)", "-2", "1e3", "(1)", "e"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(VALUES, min_size=2, max_size=4), st.lists(st.sampled_from([";", "\n", "; ", " ;\n", "\r\n"]),
                                                        min_size=3, max_size=3), st.sampled_from(["", "y=", "y = "]))
def test_a_value_with_statements_is_always_an_error(values, seps, name):
    """Two or more statements as a value, or an assignment, never give the last statement's value."""
    text = name + values[0] + "".join(sep + v for sep, v in zip(seps, values[1:]))
    with pytest.raises(dcalc.DcalcError, match=r"^--at x: '.*' is a program, not a value"):  # ';' or a new line
        options.parse_point(f"x={text}", ["x"])
    with pytest.raises(dcalc.DcalcError, match=r" is an assignment, not a value"):
        options.parse_point(f"x=y={values[0]}", ["x"])


def test_a_cell_with_a_new_line_is_a_failed_row():
    code, out, err = run("eval", "x", "--points", "-", input='x\n"1\n2"\n3\n')
    status = "column x: '1\\n2' is a program, not a value (a value is a number or a constant expression such as pi/4)"
    assert (code, out) == (1, f"error: line 2: {status}\n3\n")
    assert err == f"error: 1 of 2 rows of standard input failed; the first, line 2: {status}\n"


# ---- linear in the size of the input ------------------------------------------------------------------------------

class Counted(list):
    """A list that counts the elements its scans visit: `in` and index() cost len(self) each, iteration one per item."""

    visits = 0

    def __contains__(self, item):
        Counted.visits += len(self)
        return super().__contains__(item)

    def index(self, *args):
        Counted.visits += len(self)
        return super().index(*args)

    def __iter__(self):
        for item in super().__iter__():
            Counted.visits += 1
            yield item


@pytest.mark.parametrize("n", [3000])
def test_checking_a_point_visits_each_name_a_few_times(n):
    names = Counted(f"x{i}" for i in range(n))
    text = ",".join(f"x{i}={i}" for i in reversed(range(n))) + ",extra=1"
    Counted.visits = 0
    point = options.parse_point(text, names)
    assert len(point) == n + 1 and point["x7"] == 7.0
    assert Counted.visits <= 5 * n, Counted.visits  # a scan of the names per name would be n² = 9,000,000


@pytest.mark.parametrize("n", [3000])
def test_reading_a_csv_header_visits_each_name_a_few_times(n, tmp_path):
    from dcalc.commands.csv_points import CsvPoints
    names = Counted(f"x{i}" for i in range(n))
    path = tmp_path / "points.csv"
    path.write_text("id," + ",".join(reversed(names)) + "\nfirst," + ",".join(["1"] * n) + "\n")
    Counted.visits = 0
    source = CsvPoints(str(path), names)
    source.close()
    assert source.index[:2] == [n, n - 1]
    assert Counted.visits <= 5 * n, Counted.visits


def test_a_missing_variable_among_many_is_named_without_listing_them_all():
    names = [f"x{i}" for i in range(10_000)]
    with pytest.raises(dcalc.DcalcError) as e:
        options.parse_point(",".join(f"{n}=1" for n in names[1:]), names)
    assert e.value.message.endswith("no value for the free variable 'x0' (use --at x0=VALUE,x1=VALUE,x2=VALUE,"
                                    "x3=VALUE,…)")
    assert len(e.value.message) < 200



def test_a_printed_derivative_program_whose_last_line_has_a_sign_reads_back():
    """diff prints definitions, then the expression: a leading minus there would start a line after a statement."""
    from dcalc.language.expr import Apply, Var, neg
    from dcalc.symbolic.formulas import program_text
    definitions = [("d1", Apply("sin", (Var("x"),)))]
    text = program_text(definitions, Apply("mul", (neg(Var("d1")), Var("d1"))))
    assert text == "d1 = sin(x)\n(-d1*d1)"
    assert dcalc.evaluate(text, {"x": 0.5}) == pytest.approx(-(0.479425538604203 ** 2), rel=1e-15)
    assert program_text([], neg(Var("x"))) == "-x"  # nothing before it: no parentheses


def test_a_parenthesis_left_open_says_so_where_the_next_line_fails():
    """New lines inside parentheses are whitespace, so a missing ')' shows up lines later: the hint points back."""
    assert run("eval", "-", "--at", "1", input="a = (x + 1\nb = 2\nb") == (2, "", (
        "error: line 2, column 3: unexpected '=' (expected ')')\n  b = 2\n    ^\n"
        "  hint: the '(' at line 1, column 5 is still open, and a new line inside parentheses does not end a "
        "statement\n"))
    code, _, err = run("eval", "a = (x + 1 b)", "--at", "1")  # one line: nothing to point back to
    assert code == 2 and "hint" not in err


def test_the_api_names_a_missing_variable_the_same_way():
    with pytest.raises(dcalc.DcalcError, match=r"^no value for the free variable 'x' \(did you mean 'x' instead of "
                                               r"'xx'\?\)$"):
        dcalc.evaluate("x + 1", {"xx": 1})
    assert dcalc.evaluate("x + 1", {"x": 1, "y": 5}) == 2.0  # a name the expression does not read is fine
    with pytest.raises(dcalc.DcalcError) as e:
        dcalc.evaluate("+".join(f"x{i}" for i in range(10_000)), {})
    assert e.value.message == "no value for the free variable 'x0'"  # the API has no --at to suggest
    assert e.value.names == [f"x{i}" for i in range(10_000)]  # every missing one, for a caller to act on
