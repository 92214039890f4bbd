"""dcalc diff (and grad, check) on the edges of issue 11: named constants in symbolic results, --wrt as the order of
differentiation, derivatives of constants and by unread variables, and bounded --order.

The oracle is SymPy: it reads dcalc's printed derivative from the text (a small tokenizer below turns dcalc's implicit
multiplication and `^` into Python syntax, nothing of dcalc is used) and differentiates a program the test builds in
parallel, never through dcalc.
"""

from __future__ import annotations

import re

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import dcalc
from dcalc.app import app
from dcalc.symbolic import formulas

runner = CliRunner()
X, Y = sp.symbols("x y", real=True)
SYMBOLS = {"x": X, "y": Y}


def run(*args: str):
    return runner.invoke(app, list(args))


# -- SymPy reads dcalc's text -------------------------------------------------------------------------------------
_TOKEN = re.compile(r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_]\w*)|(?P<op>\*\*|.))")
_SYMPY_NAMES = {"ln": sp.log, "log": sp.log, "sqrt": sp.sqrt, "exp": sp.exp, "sin": sp.sin, "cos": sp.cos,
                "tan": sp.tan, "pi": sp.pi, "e": sp.E, "abs": sp.Abs}


def python_text(text: str) -> str:
    """dcalc's printed syntax as Python's: `2x` → `2*x`, `(a)(b)` → `(a)*(b)`, `^` → `**`."""
    out, prev = [], None
    for m in _TOKEN.finditer(text.strip()):
        kind = m.lastgroup
        tok = m.group(kind)
        if (prev == "num" and (kind == "name" or tok == "(")) or (prev == ")" and tok == "("):
            out.append("*")
        out.append("**" if tok == "^" else tok)
        prev = kind if kind != "op" else tok
    return "".join(out)


def sympy_program(text: str):
    """A printed derivative (definitions `d1 = …` on lines, then the expression) as one SymPy expression."""
    names = dict(_SYMPY_NAMES, **SYMBOLS)
    *definitions, final = [line for line in text.splitlines() if line.strip()]
    for line in definitions:
        name, _, body = line.partition(" = ")
        names[name] = sp.sympify(python_text(body), locals=names)
    return sp.sympify(python_text(final), locals=names)


def close(got: float, want: float, tol: float = 1e-9) -> bool:
    return abs(got - want) <= tol * max(1.0, abs(want))


def test_python_text_reads_implicit_products():
    assert python_text("2x*sin(x)^2 + 3(1 + x)(x - 1)") == "2*x*sin(x)**2+3*(1+x)*(x-1)"
    assert python_text("7.257415615307994e+306/(1 + x)^171 + 2e") == "7.257415615307994e+306/(1+x)**171+2*e"


# -- silent wrong #1: named constants --------------------------------------------------------------------------------
@pytest.mark.parametrize("program, args, expected", [
    ("c = 3; k = c + 1; k*x", (), "4\n"),
    ("v = 2; w = v^2; w*x^2", (), "8x\n"),
    ("c = 2; c*x", (), "2\n"),
    ("c = 3; x*(c + 1)", (), "4\n"),
    ("a = 2; b = a; x^b", (), "2x\n"),
    ("v = 2; x^2", (), "2x\n"),
    ("c = pi; c*x^2", (), "2pi*x\n"),  # pi stays pi
    ("c = pi; k = c/2; sin(k*x)", (), "pi*cos(pi*x/2)/2\n"),
    ("d1 = 3; d2 = d1 + 1; d2*x^2", (), "8x\n"),
    ("c = 1/3; k = 3c; k*x", (), "1\n"),
    ("c = 3; k = c + 1; k*x^2", ("--at", "1"), "8x\nat x = 1: 8\n"),
    ("c = 3; k = c + 1; k*x^3*y", ("--wrt", "x,y"), "12x^2\n"),
])
def test_named_constants_are_folded_or_as_written(program, args, expected):
    r = run("diff", program, *args)
    unused = "note: 'v' is defined but never used, so it is not evaluated\n" if program == "v = 2; x^2" else ""
    assert (r.exit_code, r.stdout, r.stderr) == (0, expected, unused)


def test_named_constants_do_not_crash_check_or_hessian():
    r = run("check", "c = 3; k = c + 1; k*x^2", "--at", "1")
    assert r.exit_code == 0 and r.stderr == ""
    assert r.stdout.splitlines()[2].split()[:4] == ["∂f/∂x", "8", "8", "8"]  # forward, reverse, symbolic
    r = run("grad", "c = 3; k = c + 1; k*x^2", "--at", "1", "--hessian")
    assert (r.exit_code, r.stdout) == (0, "∂²f/∂x² = 8\n")
    r = run("grad", "v = 2; w = v^2; w*x^2*y", "--at", "x=1,y=2", "--hessian", "--json")
    assert r.exit_code == 0
    assert r.stdout.endswith('"hessian": {"x": {"x": 16.0, "y": 8.0}, "y": {"x": 8.0, "y": 0.0}}}\n')


def test_a_constant_named_d1_is_not_captured_by_the_printed_definitions():
    """Big enough that the printer names shared pieces d1, d2, …: the user's d1 must not leak into them."""
    text = "d1 = 2; c = d1 + 1; a = sin(c*x)*exp(x^2)*ln(x); b = a*a; b*b*b*sin(b)"
    r = run("diff", text, "--order", "2")
    assert r.exit_code == 0 and r.stdout.startswith("d1 = ")
    a = sp.sin(3 * X) * sp.exp(X ** 2) * sp.log(X)
    want = sp.diff(a ** 6 * sp.sin(a ** 2), X, 2)
    got = sympy_program(r.stdout)
    for x in (0.7, 1.3, 1.9):
        assert close(float(got.subs(X, x).evalf(30)), float(want.subs(X, x).evalf(30)))
    # and dcalc agrees with itself: the printed text read back, Taylor mode
    back = run("eval", r.stdout, "--at", "1.3")
    taylor = run("grad", text, "--order", "2", "--at", "1.3")
    assert close(float(back.stdout), float(taylor.stdout))


def test_trace_shows_the_literal_not_a_constant_of_the_same_value():
    r = run("trace", "v = 2; x^2", "--at", "1")
    assert r.exit_code == 0 and "u1 = x^2" in r.stdout and "x^v" not in r.stdout


# -- silent wrong #3: --wrt is the order of differentiation ------------------------------------------------------
@pytest.mark.parametrize("args, expected", [
    (("x^3*y", "--wrt", "x,x"), "6x*y\n"),
    (("x^3*y", "--wrt", "y,x"), "3x^2\n"),
    (("x^3*y", "--wrt", "x,y"), "3x^2\n"),
    (("x^3*y^2", "--wrt", "y,x,x"), "12x*y\n"),
    (("x^3*y^2", "--wrt", "x,y,x"), "12x*y\n"),
    (("x^3*y", "--wrt", "x,x", "--order", "2"), "6x*y\n"),
    (("x^3*y", "--wrt", "x", "--order", "3"), "6y\n"),
    (("x^3*y", "--wrt", "y,y"), "0\n"),
    (("sin(x)", "--order", "100000"), "sin(x)\n"),  # periodic: ends early
    (("sin(x)", "--order", "99999"), "-cos(x)\n"),
    (("exp(2x)", "--order", "5"), "32exp(2x)\n"),
    (("x^30", "--order", "31"), "0\n"),
])
def test_wrt_order(args, expected):
    r = run("diff", *args)
    assert (r.exit_code, r.stdout, r.stderr) == (0, expected, "")


def test_wrt_repeats_reach_the_api():
    assert dcalc.diff("x^3*y", ["x", "x"]) == "6x*y"
    assert dcalc.diff("x^3*y", ["y", "x"]) == "3x^2"
    assert dcalc.diff("x^3*y", "x", order=2) == "6x*y"


@pytest.mark.parametrize("args, message", [
    (("x^3*y", "--wrt", "x,y", "--order", "3"),
     "error: --order 3 does not match --wrt x,y (2 variables): give one variable to take 3 times, or exactly 3 in "
     "the order of differentiation\n"),
    (("x^3*y", "--wrt", "x,,y"), "error: --wrt x,,y: an empty name; the variables: x, y\n"),
    (("x^3*y", "--wrt", ","), "error: --wrt ',': name at least one variable\n"),
    (("x^3*y", "--wrt", "pi"), "error: --wrt pi: 'pi' is a constant; the variables: x, y\n"),
    (("x^3*y", "--wrt", "sin"), "error: --wrt sin: 'sin' is a built-in function; the variables: x, y\n"),
    (("x^3*y", "--wrt", "2x"), "error: --wrt 2x: '2x' is not a variable name; the variables: x, y\n"),
    (("a = x^2; a*y", "--wrt", "a"),
     "error: --wrt a: 'a' is defined by the expression, not a free variable; the variables: x, y\n"),
    (("x*y",), "error: say which variable to differentiate by with --wrt (the variables: x, y)\n"),
    (("sin(x)", "--order", "100001"), "error: the order must be between 1 and 100,000, not 100001\n"),
])
def test_wrt_errors(args, message):
    r = run("diff", *args)
    assert (r.exit_code, r.stdout, r.stderr) == (2, "", message)


def test_help_states_the_rules():
    text = " ".join(run("diff", "--help").stdout.split())
    assert "in order, repeats included" in text and "exactly N" in text and "budget" in text


# -- the derivative of a constant, or by a variable the expression does not read, is 0 --------------------------
@pytest.mark.parametrize("args, stdout, note", [
    (("5",), "0\n", ""),
    (("5", "--order", "3"), "0\n", ""),
    (("pi^2 + 1",), "0\n", ""),
    (("5", "--wrt", "x"), "0\n", "note: the expression does not read 'x' (it has no variables), so its derivative "
                                  "by x is 0\n"),
    (("y^2", "--wrt", "x"), "0\n", "note: the expression does not read 'x' (its variables: y), so its derivative by "
                                   "x is 0\n"),
    (("y^2", "--wrt", "yy"), "0\n", "note: the expression does not read 'yy' (did you mean 'y'?), so its derivative "
                                    "by yy is 0\n"),
    (("x^2", "--wrt", "X"), "0\n", "note: the expression does not read 'X' (did you mean 'x'?), so its derivative "
                                   "by X is 0\n"),
    (("x^2*y", "--wrt", "x,z"), "0\n", "note: the expression does not read 'z' (its variables: x, y), so its "
                                       "derivative by z is 0\n"),
])
def test_derivative_of_a_constant_or_by_an_unread_variable_is_0(args, stdout, note):
    r = run("diff", *args)
    assert (r.exit_code, r.stdout, r.stderr) == (0, stdout, note)


def test_grad_by_an_unread_variable_is_0():
    r = run("grad", "x*y", "--at", "x=1,y=2", "--wrt", "z,x", "--json")
    assert r.exit_code == 0
    assert r.stdout == '{"at": {"x": 1.0, "y": 2.0}, "value": 2.0, "gradient": {"x": 2.0, "z": 0.0}}\n'
    assert r.stderr == "note: the expression does not read 'z' (its variables: x, y), so its derivative by z is 0\n"
    r = run("grad", "x*y", "--at", "x=1,y=2", "--wrt", "xx")
    assert (r.exit_code, r.stdout) == (0, "0\n") and "(did you mean 'x'?)" in r.stderr
    r = run("grad", "5", "--wrt", "x", "--json")
    assert (r.exit_code, r.stdout) == (0, '{"at": {}, "value": 5.0, "gradient": {"x": 0.0}}\n')
    r = run("grad", "x*y", "--at", "x=1,y=2", "--wrt", "z", "--order", "3")
    assert (r.exit_code, r.stdout) == (0, "0\n")
    r = run("grad", "x*y", "--at", "x=1,y=2", "--wrt", "x,z", "--hessian")
    assert (r.exit_code, r.stdout) == (0, "∂²f/∂x² = 0  ∂²f/∂x∂z = 0\n∂²f/∂z∂x = 0  ∂²f/∂z² = 0\n")


def test_grad_batch_by_an_unread_variable_is_0(tmp_path):
    points = tmp_path / "p.csv"
    points.write_text("x,y\n1,2\n3,4\n")
    r = run("grad", "x*y", "--points", str(points), "--wrt", "z,x", "--format", "csv")
    assert r.exit_code == 0
    assert r.stdout == "x,y,value,∂f/∂x,∂f/∂z,status\n1,2,2.0,2.0,0.0,ok\n3,4,12.0,4.0,0.0,ok\n"


@pytest.mark.parametrize("command, args, message", [
    ("grad", ("5",), "error: the expression has no free variables: name the variable with --wrt (a constant's "
                     "derivative is 0)\n"),
    ("check", ("x*y", "--at", "x=1,y=2", "--wrt", "z"),
     "error: --wrt z: the expression does not read these variables, so there is nothing to check (its derivatives "
     "by them are 0); its variables: x, y\n"),
    ("trace", ("x*y", "--at", "x=1,y=2", "--wrt", "z"),
     "error: --wrt z: the expression has no variable 'z' (its variables: x, y)\n"),
])
def test_where_an_unread_variable_stays_an_error(command, args, message):
    r = run(command, *args)
    assert (r.exit_code, r.stdout, r.stderr) == (2, "", message)


def test_check_skips_an_unread_variable_with_a_note():
    r = run("check", "x*y", "--at", "x=1,y=2", "--wrt", "z,x")
    assert r.exit_code == 0 and "∂f/∂x" in r.stdout and "∂f/∂z" not in r.stdout
    assert r.stderr == "note: the expression does not read 'z' (its variables: x, y), so its derivative by z is 0\n"


def test_api_agrees_with_the_cli():
    assert dcalc.diff("5") == "0"
    assert dcalc.diff("x^2", "y") == "0"
    assert dcalc.diff("c = 3; k = c + 1; k*x") == "4"
    assert dcalc.derivative("x*y", {"x": 1, "y": 2}, "z") == 0


# -- --order stays bounded ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, order", [("ln(1+x)", 250), ("ln(1+x)", 999), ("exp(sin(x))", 30),
                                         ("x^20000", 10000)])
def test_a_growing_order_is_refused_within_the_budget(text, order, monkeypatch):
    """The refusal is an exit 2 with the reason, and the nodes visited stay within the documented budget (no clock)."""
    visited = []
    derive = formulas.derive

    def counting(expr, wrt, s, nodes=None):
        visited.append(len(nodes))
        return derive(expr, wrt, s, nodes)

    monkeypatch.setattr(formulas, "derive", counting)
    r = run("diff", text, "--order", str(order))
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.startswith(f"error: the derivative of order {order} is too large to build: by order ")
    assert r.stderr.endswith(f"and the budget is {formulas.WORK_BUDGET:,} (README, dcalc diff)\n")
    after_first = visited[1:]
    assert sum(n + formulas.STEP_COST for n in after_first) <= formulas.WORK_BUDGET + max(after_first)


def test_geometric_growth_is_refused_early(monkeypatch):
    """ln(1+x) grows ×3 an order once its coefficients pass the doubles (order 172): refused within a few orders."""
    steps = []
    derive = formulas.derive
    monkeypatch.setattr(formulas, "derive", lambda e, w, s, n=None: steps.append(len(n)) or derive(e, w, s, n))
    with pytest.raises(dcalc.DcalcError, match="too large to build"):
        dcalc.diff("ln(1+x)", order=999)
    assert len(steps) < 180 and sum(steps) < 5000


def test_periodic_and_vanishing_orders_end_early(monkeypatch):
    steps = []
    derive = formulas.derive
    monkeypatch.setattr(formulas, "derive", lambda e, w, s, n=None: steps.append(w) or derive(e, w, s, n))
    assert dcalc.diff("sin(x) + 2cos(x)", order=99_997) == dcalc.diff("sin(x) + 2cos(x)", order=1)
    assert len(steps) <= 4 + 1 + 1
    steps.clear()
    assert dcalc.diff("x^3 + 2x", order=50_000) == "0" and len(steps) == 4


def test_the_largest_exact_ln_order():
    r = run("diff", "ln(1+x)", "--order", "171")
    assert (r.exit_code, r.stdout) == (0, "7.257415615307994e+306/(x + 1)^171\n")


# -- the property: random programs with named constants and intermediates, against SymPy -------------------------
NAMES = ["c", "k", "d1", "d2", "d3", "u1", "u2", "w", "a", "b"]


@st.composite
def programs(draw):
    """(dcalc program text, the same function built in SymPy), with named constants and intermediates whose names
    are those the printer and the graph use (d1, u1, …)."""
    names = draw(st.permutations(NAMES))
    lines: list[str] = []
    consts: list[tuple[str, object]] = []  # name, SymPy value
    for name in names[:draw(st.integers(0, 3))]:
        kind = draw(st.integers(0, 4)) if consts else draw(st.integers(0, 1))
        n = draw(st.integers(1, 5))
        if kind == 0:
            text, value = str(n), sp.Integer(n)
        elif kind == 1:
            text, value = "pi", sp.pi
        else:
            prev, pv = draw(st.sampled_from(consts))
            text, value = [(f"{prev} + {n}", pv + n), (f"{prev}*{n}", pv * n), (f"{prev}^2", pv ** 2)][kind - 2]
        lines.append(f"{name} = {text}")
        consts.append((name, value))
    atoms = [("x", X), ("y", Y)] + consts + [("2", sp.Integer(2))]
    used = len(consts)

    def expression(depth: int):
        if depth == 0 or draw(st.integers(0, 3)) == 0:
            return draw(st.sampled_from(atoms))
        kind = draw(st.integers(0, 6))
        a, av = expression(depth - 1)
        if kind <= 2:
            b, bv = expression(depth - 1)
            return [(f"({a} + {b})", av + bv), (f"({a} - {b})", av - bv), (f"({a})*({b})", av * bv)][kind]
        if kind == 3:
            p = draw(st.integers(2, 3))
            return f"({a})^{p}", av ** p
        return [(f"sin({a})", sp.sin(av)), (f"exp(sin({a}))", sp.exp(sp.sin(av))),  # bounded: no overflow
                (f"ln(1 + ({a})^2)", sp.log(1 + av ** 2))][kind - 4]

    for name in names[used:used + draw(st.integers(0, 3))]:
        text, value = expression(3)
        lines.append(f"{name} = {text}")
        atoms.append((name, value))
    text, value = expression(3)
    lines.append(text)
    return "\n".join(lines), value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(programs(), st.lists(st.sampled_from(["x", "y"]), min_size=1, max_size=3),
       st.tuples(st.floats(0.3, 1.7), st.floats(0.3, 1.7)))
def test_random_programs_against_sympy(case, wrt, point):
    """dcalc diff of a program with named constants (named like the printer's d1, d2, …) and intermediates, read
    back by SymPy from the printed text, equals SymPy's own derivative of the program, in the order given."""
    text, f = case
    r = run("diff", text, "--wrt", ",".join(wrt))
    assert r.exit_code == 0, r.stderr
    got = sympy_program(r.stdout)
    assert got.free_symbols <= {X, Y}, r.stdout  # in the free variables only: no user name leaks
    want = sp.diff(f, *[SYMBOLS[w] for w in wrt])
    at = {X: point[0], Y: point[1]}
    expected = complex(want.subs(at).evalf(30))
    assert close(complex(got.subs(at).evalf(30)).real, expected.real, 1e-8), (text, wrt, r.stdout)
