"""Output to paste (issue 15, items 2 and 3): LaTeX display blocks with the left-hand side, Markdown, and graphs with a
title and a legend, rendered to SVG by Graphviz. The referees share no dcalc code: SymPy's LaTeX parser reads the
LaTeX back to the same function, KaTeX renders every display block, markdown-it (with its dollar-math plugin) finds
the tables and the math, Graphviz's dot draws the graphs. The node and Graphviz referees skip locally when absent,
never under CI (.ci/tools installs them)."""

from __future__ import annotations

import cmath
import html
import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sympy
from hypothesis import given, reject, settings
from hypothesis import strategies as st
from test_trace import _node, _required

import dcalc
from dcalc.core.printing import to_text
from dcalc.language.expr import Apply, Num, Var
from dcalc.symbolic.latex import to_latex
from dcalc_proc import call, dcalc_command
from strategies import expressions, numbers

README = Path(__file__).parent.parent / "README.md"
CORPUS = [line.strip() for line in (Path(__file__).parent / "diff_corpus.txt").read_text().splitlines()
          if line.strip() and not line.startswith("#")]


def tex(text: str) -> str:
    return to_latex(dcalc.parse(text).stmts[-1])


# ---- the printer's rules ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    # juxtaposition where it cannot be misread
    ("2*x", "2 x"), ("x*y", "x y"), ("2*x*sin(x)", "2 x \\sin\\left(x\\right)"), ("x*(x + 1)", "x \\left(x + 1\\right)"),
    ("cos(x)*exp(x)", "\\cos\\left(x\\right) e^{x}"), ("x1*x2", "x_{1} x_{2}"), ("2*pi*x", "2 \\pi x"),
    # \cdot where juxtaposition would misread: before a number, a number before a numeric fraction, word-like names
    ("x*2", "x \\cdot 2"), ("2*3", "2 \\cdot 3"), ("2*3^x", "2 \\cdot 3^{x}"), ("x*(-2)", "x \\cdot \\left(-2\\right)"),
    ("2*(1/3)", "2 \\cdot \\frac{1}{3}"), ("2*(x/3)", "2 \\frac{x}{3}"), ("rate*x", "\\mathit{rate} \\cdot x"),
    ("x*rate", "x \\cdot \\mathit{rate}"), ("1e-5*x", "1 \\times 10^{-5} \\cdot x"),
    # the sign in front of a fraction
    ("-1/x^2", "-\\frac{1}{x^{2}}"), ("-x/(1 + x)", "-\\frac{x}{1 + x}"), ("(-2*x)/y", "-\\frac{2 x}{y}"),
    ("-(x*y)/z", "-\\frac{x y}{z}"), ("1 - (-1)/x", "1 - \\left(-\\frac{1}{x}\\right)"),
    ("x*((-1)/y)", "x \\left(-\\frac{1}{y}\\right)"), ("(-1/x)^2", "\\left(-\\frac{1}{x}\\right)^{2}"),
    # powers of named functions
    ("sec(x)^2", "\\sec^{2}\\left(x\\right)"), ("sin(x + 1)^3", "\\sin^{3}\\left(x + 1\\right)"),
    ("sech(x)^2", "\\operatorname{sech}^{2}\\left(x\\right)"), ("ln(x)^2", "\\ln^{2}\\left(x\\right)"),
    ("sin(x)^-1", "\\left(\\sin\\left(x\\right)\\right)^{-1}"), ("sin(x)^0.5", "\\left(\\sin\\left(x\\right)\\right)^{\\frac{1}{2}}"),
    ("log(x, 2)^2", "\\left(\\log_{2}\\left(x\\right)\\right)^{2}"), ("exp(x)^2", "\\left(e^{x}\\right)^{2}"),
    ("abs(x)^2", "\\left|x\\right|^{2}"), ("(sin(x)^2)^3", "\\left(\\sin^{2}\\left(x\\right)\\right)^{3}"),
    # fractional exponents as fractions, never decimals
    ("x^1.5", "x^{\\frac{3}{2}}"), ("x^-0.5", "x^{-\\frac{1}{2}}"), ("x^(-2/3)", "x^{-\\frac{2}{3}}"),
    ("x^0.1", "x^{\\frac{1}{10}}"), ("(1 + x^2)^1.5", "\\left(1 + x^{2}\\right)^{\\frac{3}{2}}"),
    ("x^0.123456789", "x^{0.123456789}"),  # no small fraction is that double: the number as it is
])
def test_to_latex_rules(text, expected):
    assert tex(text) == expected


def test_a_fractional_exponent_is_the_same_double():
    """x^{p/q} only where p/q is the exponent's very double (1/3 as 0.3333333333333333)."""
    assert tex("x^0.3333333333333333") == "x^{\\frac{1}{3}}"
    assert tex("x^0.33333333333333") == "x^{0.33333333333333}"
    assert to_latex(Apply("pow", (Var("x"), Num(-2 / 3)))) == "x^{-\\frac{2}{3}}"


def test_the_sign_of_a_deep_numerator_is_found_without_recursion():
    depth = 20_000
    numerator = dcalc.parse("-x" + "*y" * depth).stmts[-1]
    out = to_latex(Apply("div", (numerator, Var("z"))))
    assert out.startswith("-\\frac{x y y") and out.count("y") == depth


# ---- SymPy's LaTeX parser reads dcalc's LaTeX back to the same function ------------------------------------------------

def _parse_latex(text: str):
    """SymPy's reading of a LaTeX formula. Its grammar spells |a| as bars, reads \\pi and e as names, and reads
    `x \\left(…\\right)` as a call of a function x: the test undoes that one reading as the product it is."""
    from sympy.core.function import AppliedUndef
    from sympy.parsing.latex import parse_latex
    e = parse_latex(text.replace("\\left|", "|").replace("\\right|", "|"))
    e = e.subs({sympy.Symbol("pi"): sympy.pi, sympy.Symbol("e"): sympy.E})  # the constants, read as names
    return e.replace(lambda a: isinstance(a, AppliedUndef), lambda a: sympy.Symbol(a.func.__name__) * a.args[0])


def _latex_value(text: str, point: dict[str, float]) -> complex:
    """At the point's exact doubles (Rational): a Float of 15 digits made asin(y/y) 1.5707963119, not π/2."""
    e = _parse_latex(text)
    return complex(e.subs({sympy.Symbol(k): sympy.Rational(v) for k, v in point.items()}).evalf(30))


SYMPY_OPS = ["add", "sub", "mul", "div", "neg", "pow", "sin", "cos", "tan", "sec", "csc", "cot", "exp", "ln",
             "sqrt", "abs", "sinh", "cosh", "tanh", "asin", "acos", "atan"]  # the functions SymPy's grammar reads


X, Y = sympy.Symbol("x", real=True), sympy.Symbol("y", real=True)  # the reference's; the parsed LaTeX has plain x, y
SYMPY_NAMES = {"ln": sympy.log, "log10": lambda a: sympy.log(a, 10), "log2": lambda a: sympy.log(a, 2),
               "cbrt": lambda a: a ** sympy.Rational(1, 3), "e": sympy.E, "x": X, "y": Y,  # cbrt: x > 0 below
               "hypot": lambda a, b: sympy.sqrt(a ** 2 + b ** 2)}


def _sympy_value(expr, point: dict[str, float]) -> complex:
    """SymPy's exact reading of an expression as dcalc text (fully parenthesised), at the point."""
    e = sympy.sympify(to_text(expr, explicit=True).replace("^", "**"), locals=SYMPY_NAMES)
    return complex(e.subs({X: sympy.Rational(point["x"]), Y: sympy.Rational(point["y"])}).evalf(30))


@settings(max_examples=60, deadline=None)
@given(expressions(("x", "y"), SYMPY_OPS, max_leaves=8, numbers_=st.one_of(numbers(0, 9).map(lambda n: Num(
    float(round(n.value)))), st.sampled_from([Num(0.5), Num(1.5), Num(2 / 3), Num(0.25)]))),
    st.floats(0.3, 0.9), st.floats(0.3, 0.9))
def test_sympy_reads_the_latex_back_to_the_same_value(expr, x, y):
    """Juxtaposition, the hoisted signs, the function powers and the fractional exponents never change the value:
    SymPy's reading of the LaTeX equals its reading of the same expression as dcalc text, exactly evaluated."""
    point = {"x": x, "y": y}
    try:
        want = _sympy_value(expr, point)
    except (AttributeError, KeyError, TypeError, RecursionError):  # SymPy's own failures (cot(1) of cot(sec(0)))
        reject()
    if not (cmath.isfinite(want) and abs(want) < 1e6):
        reject()  # undefined there (0/0 exactly, though 0/sin(pi) is a number in doubles)
    try:
        got = _latex_value(to_latex(expr), point)
    except (AttributeError, KeyError, TypeError, RecursionError):  # the same failures of SymPy's on the LaTeX side:
        reject()  # cot(-sec(0)) raises AttributeError once, then not (its cache): CI saw it as a flaky failure
    assert got == pytest.approx(want, rel=1e-9, abs=1e-9), (to_text(expr), to_latex(expr))


def _block(out: str) -> tuple[list[str], str]:
    """A diff display's definitions (name, LaTeX) and the derivative's right-hand side."""
    lines = out.splitlines()
    assert lines[0] == "\\[" and lines[-1] == "\\]"
    body = [line.removesuffix(" \\\\") for line in lines[1:-1] if line not in ("\\begin{aligned}", "\\end{aligned}")]
    definitions = [line.removeprefix("\\text{where } ").split(" &= ", 1) for line in body
                   if re.match(r"(\\text\{where \} )?d_\{\d+\} &= ", line)]
    (derivative,) = [line for line in body if re.match(r"\\frac\{(d|\\partial)\}", line)]
    return definitions, re.split(r"\\right\] &?= ", derivative, maxsplit=1)[1]


@pytest.mark.parametrize("text", CORPUS)
def test_diff_latex_reads_back_as_sympys_derivative(text):
    """Every derivative of the corpus (by x): SymPy's parse of the pasted LaTeX equals SymPy's own diff at two
    points."""
    code, out, err = call(["diff", text, "--wrt", "x", "--format", "latex"])
    assert (code, err) == (0, "")
    if "\\operatorname" in out:  # sech, arsinh, …: names SymPy's LaTeX grammar does not know (KaTeX checks them)
        pytest.skip("a function SymPy's LaTeX parser does not read")
    definitions, rhs = _block(out)
    reference = sympy.diff(sympy.sympify(text.replace("^", "**"), locals=SYMPY_NAMES), X)
    expr = _parse_latex(rhs)
    for name, body in reversed(definitions):  # d_{k} may name the ones before it
        expr = expr.subs(sympy.Symbol(name), _parse_latex(body))
    for x, y in ((0.37, 0.6), (0.81, -1.3)):
        got = complex(expr.subs({sympy.Symbol("x"): x, sympy.Symbol("y"): y}).evalf(30))
        want = complex(reference.subs({X: x, Y: y}).evalf(30))
        assert got == pytest.approx(want, rel=1e-12, abs=1e-12), (text, rhs)


# ---- dcalc diff --format latex: the display block ----------------------------------------------------------------------

@pytest.mark.parametrize("args, head", [
    (["sin(x + x^2)"], "\\frac{d}{dx}\\left[\\sin\\left(x + x^{2}\\right)\\right] = "),
    (["x^3", "--order", "2"], "\\frac{d^{2}}{dx^{2}}\\left[x^{3}\\right] = "),
    (["x*y^2", "--wrt", "y"], "\\frac{\\partial}{\\partial y}\\left[x y^{2}\\right] = "),
    (["x*y^2", "--wrt", "x,y,y"], "\\frac{\\partial^{3}}{\\partial y^{2} \\, \\partial x}\\left[x y^{2}\\right] = "),
    (["x^2", "--wrt", "y"], "\\frac{\\partial}{\\partial y}\\left[x^{2}\\right] = 0"),
])
def test_diff_states_what_it_differentiates(args, head):
    code, out, err = call(["diff", *args, "--format", "latex"])
    assert code == 0 and (err == "" or err.startswith("note: the expression does not read 'y'"))
    lines = out.splitlines()
    assert len(lines) == 3 and lines[0] == "\\[" and lines[1].startswith(head) and lines[2] == "\\]"


def test_diff_puts_the_program_and_the_values_inside_one_aligned_display():
    code, out, err = call(["diff", "a = x^2; loss = sin(a)*y", "--wrt", "x", "--format", "latex",
                           "--at", "x=1,y=2", "--at", "x=0,y=1"])
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:4] == ["\\[", "\\begin{aligned}", "a &= x^{2} \\\\", "\\mathit{loss} &= \\sin\\left(a\\right) y \\\\"]
    assert lines[4].startswith("\\frac{\\partial}{\\partial x}\\left[\\mathit{loss}\\right] &= ")
    value = dcalc.derivative("sin(x^2)*y", {"x": 1.0, "y": 2.0}, "x")
    assert lines[5:] == [f"\\left.\\frac{{\\partial}}{{\\partial x}}\\left[\\mathit{{loss}}\\right]\\right|_{{x = 1,\\, "
                         f"y = 2}} &= {value!r} \\\\",
                         "\\left.\\frac{\\partial}{\\partial x}\\left[\\mathit{loss}\\right]\\right|_{x = 0,\\, y = 1} "
                         "&= 0", "\\end{aligned}", "\\]"]


def test_diff_names_shared_pieces_inside_the_display():
    code, out, err = call(["diff", "x^x", "--order", "5", "--format", "latex", "--at", "2"])
    assert (code, err) == (0, "")
    lines = out.splitlines()
    where = [k for k, line in enumerate(lines) if line.startswith("\\text{where } d_{1} &= ")]
    assert len(where) == 1 and lines[where[0] + 1].startswith("d_{2} &= ")
    fifth = call(["grad", "x^x", "--at", "2", "--order", "5"])[1].strip()  # Taylor mode, as diff --at computes it
    assert lines[-3] == f"\\left.\\frac{{d^{{5}}}}{{dx^{{5}}}}\\left[x^{{x}}\\right]\\right|_{{x = 2}} &= {fifth}"
    assert lines[1] == "\\begin{aligned}" and lines[-2:] == ["\\end{aligned}", "\\]"]


@pytest.mark.parametrize("delims, first, last", [("dollars", "$$", "$$"), ("brackets", "\\[", "\\]"),
                                                 ("none", "\\frac{d}{dx}", None)])
def test_latex_delims(delims, first, last):
    for argv in (["diff", "x^3"], ["trace", "x^3", "--at", "2"]):
        code, out, err = call([*argv, "--format", "latex", "--latex-delims", delims])
        assert (code, err) == (0, "")
        lines = out.splitlines()
        if last is None:
            assert lines[0].startswith(first) or lines[0] == "\\begin{aligned}"
            assert lines[-1] != "\\]" and "$$" not in out
        else:
            assert (lines[0], lines[-1]) == (first, last)


def test_latex_delims_errors():
    assert call(["diff", "x", "--format", "latex", "--latex-delims", "parens"]) == (
        2, "", "error: --latex-delims must be one of brackets, dollars, none, not 'parens'\n")
    assert call(["trace", "x", "--at", "1", "--latex-delims", "dollars"]) == (
        2, "", "error: --latex-delims dollars marks LaTeX's display math: use it with --format latex\n")


def test_a_point_where_the_derivative_fails_writes_no_block():
    code, out, err = call(["diff", "sqrt(x)", "--format", "latex", "--at", "4", "--at", "-1"])
    assert (code, out) == (1, "") and err.startswith("error: sqrt is undefined")


# ---- KaTeX renders every display block ---------------------------------------------------------------------------------

KATEX_ALL = """import katex from 'katex';
let text = ''; for await (const c of process.stdin) text += c;
const out = [];
for (const doc of JSON.parse(text)) {
  try { katex.renderToString(doc, {displayMode: true, throwOnError: true, strict: 'error'}); out.push('ok'); }
  catch (e) { out.push('error: ' + e.message); }
}
console.log(JSON.stringify(out));"""


def _inside(out: str, delims=("\\[", "\\]")) -> list[str]:
    """The display blocks of an output: what lies between each pair of delimiter lines."""
    blocks, inside = [], None
    for line in out.splitlines():
        if inside is None and line == delims[0]:
            inside = []
        elif inside is not None and line == delims[1]:
            blocks.append("\n".join(inside))
            inside = None
        elif inside is not None:
            inside.append(line)
    assert inside is None, out
    return blocks


def _readme_commands(fmt: str) -> list[list[str]]:
    """The README's example command lines that write `--format fmt` (up to a pipe or a redirection)."""
    found = []
    for line in README.read_text(encoding="utf-8").splitlines():
        m = re.search(r"(dcalc (?:diff|trace) .*--format " + fmt + r"\b[^|>`]*)", line)
        if m:
            found.append(shlex.split(m.group(1))[1:])
    return found


LATEX_EXAMPLES = [["diff", t] for t in ("sin(x + x^2)", "tan(x)", "1/sqrt(x^2 + 1)", "x^(1/3)", "atan(1/x)",
                                        "x^x", "exp(-x^2)*sin(3x)")] + [
    ["diff", "rate*exp(-rate*t)", "--wrt", "t"],
    ["diff", "x^x", "--order", "6", "--at", "2"], ["diff", "x*y^2 + sin(x*y)", "--wrt", "x,y,y", "--at", "x=1,y=2"],
    ["diff", "a = x^2; f(t) = t/(1 + t); loss = f(a)*y", "--wrt", "x", "--at", "x=1,y=2"],
    ["trace", "sin(x + x^2)", "--at", "2"], ["trace", "x*y + abs(x)", "--at", "x=1,y=-2", "--mode", "reverse"],
    ["trace", "sqrt(x - 3)", "--at", "2"], ["trace", "x*x^2", "--mode", "reverse"]]


@pytest.fixture(scope="module")
def katex_verdicts():
    """KaTeX on every LaTeX and Markdown display block of the examples and the README's commands, in one node run."""
    docs, names = [], []
    for argv in LATEX_EXAMPLES + _readme_commands("latex"):
        argv = [a for a in argv if a not in ("--format", "latex")]
        code, out, err = call([*argv, "--format", "latex"])
        assert code in (0, 1), (argv, err)
        for block in _inside(out):
            docs.append(block)
            names.append(" ".join(argv))
    for argv in LATEX_EXAMPLES + _readme_commands("markdown"):
        argv = [a for a in argv if a not in ("--format", "markdown")]
        code, out, err = call([*argv, "--format", "markdown"])
        assert code in (0, 1), (argv, err)
        for block in _inside(out, ("$$", "$$")):
            docs.append(block)
            names.append(" ".join(argv) + " (markdown)")
    docs.append("\\frac{d}{dx}\\left[x\\right = 1")  # a broken block: the referee must refuse it
    p = _node(KATEX_ALL, json.dumps(docs))
    assert p.returncode == 0, p.stderr
    return list(zip(names + ["broken"], docs, json.loads(p.stdout)))


def test_katex_renders_every_display_block(katex_verdicts):
    assert len(katex_verdicts) > 30
    failed = [(name, doc, verdict) for name, doc, verdict in katex_verdicts[:-1] if verdict != "ok"]
    assert not failed, failed


def test_katex_refuses_a_broken_block(katex_verdicts):
    assert katex_verdicts[-1][2].startswith("error: ")


def test_the_readme_shows_latex_and_markdown_examples():
    assert _readme_commands("latex") and _readme_commands("markdown")


# ---- Markdown: markdown-it finds the tables and the math ------------------------------------------------------------

def _markdown_tokens(text: str):
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    return MarkdownIt("commonmark").enable("table").use(dollarmath_plugin).parse(text)


def _tables(tokens) -> list[list[list[str]]]:
    """Each table as rows of cell texts (a code span's content as it is)."""
    tables, row, cell = [], None, None
    for t in tokens:
        if t.type == "table_open":
            tables.append([])
        elif t.type == "tr_open":
            row = []
        elif t.type == "tr_close":
            tables[-1].append(row)
        elif t.type in ("th_open", "td_open"):
            cell = ""
        elif t.type == "inline" and cell is not None:
            cell = "".join(c.content for c in t.children or [])
            row.append(cell)
            cell = None
        elif t.type in ("th_close", "td_close") and cell is not None:
            row.append(cell)
            cell = None
    return tables


def test_trace_markdown_is_a_table_and_display_math():
    code, out, err = call(["trace", "x + x^2", "--at", "2", "--format", "markdown"])
    assert (code, err) == (0, "")
    tokens = _markdown_tokens(out)
    math = [t.content.strip() for t in tokens if t.type == "math_block"]
    assert math == ["\\begin{aligned}\nf\\left(x\\right) &= x + x^{2}\n\\end{aligned}"]
    (table,) = _tables(tokens)
    assert table == [["", "node", "value", "local partials", "total derivative d/dx"],
                     ["", "x (input)", "2", "", "dx/dx = 1"],
                     ["", "u1 = x^2", "4", "∂u1/∂x = 2x = 4", "du1/dx = ∂u1/∂x = 2x = 4"],
                     ["*", "u2 = x + u1", "6", "∂u2/∂x = 1, ∂u2/∂u1 = 1",
                      "du2/dx = ∂u2/∂x + ∂u2/∂u1·du1/dx = 2x + 1 = 1 + 1·4 = 5"]]
    items = [t.content for t in tokens if t.type == "inline" and t.map and "f(2)" in t.content]
    assert items == ["`f(2) = 6`"] and "- `df/dx = 5`" in out


def test_reverse_trace_markdown_has_both_passes():
    code, out, err = call(["trace", "x*y + sin(x)", "--at", "x=1,y=2", "--mode", "reverse", "--format", "markdown"])
    assert (code, err) == (0, "")
    forward, backward = _tables(_markdown_tokens(out))
    assert forward[0] == ["", "node", "value", "local partials"] and len(forward) == 6
    assert backward[0] == ["adjoint", "sum over the readers"]
    assert backward[-1][0] == "x̄" and backward[-1][1].endswith(f"= {2 + math.cos(1)!r}")


def test_symbolic_trace_markdown_ends_with_the_derivative_in_display_math():
    code, out, err = call(["trace", "sin(x + x^2)", "--format", "markdown"])
    assert (code, err) == (0, "")
    tokens = _markdown_tokens(out)
    math = [t.content.strip() for t in tokens if t.type == "math_block"]
    assert len(math) == 2 and math[1].startswith("\\frac{d}{dx}\\left[\\sin\\left(x + x^{2}\\right)\\right] = ")
    (table,) = _tables(tokens)
    assert table[0] == ["", "node", "local partials", "total derivative d/dx"] and len(table) == 5


def test_diff_markdown_has_the_values_as_a_table():
    code, out, err = call(["diff", "x^3*y", "--wrt", "x,x", "--format", "markdown", "--at", "x=1,y=2",
                           "--at", "x=-1,y=0.5"])
    assert (code, err) == (0, "")
    tokens = _markdown_tokens(out)
    (math,) = [t.content.strip() for t in tokens if t.type == "math_block"]
    assert math.startswith("\\frac{\\partial^{2}}{\\partial x^{2}}\\left[x^{3} y\\right] = ")
    assert _tables(tokens) == [[["x", "y", "∂²f/∂x²"], ["1", "2", "12"], ["-1", "0.5", "-3"]]]


def test_a_markdown_cell_keeps_a_pipe():
    from dcalc.output.markdown import table
    (parsed,) = _tables(_markdown_tokens("\n".join(table([("a", "b"), ("x|y", "2")], (True, False)))))
    assert parsed == [["a", "b"], ["x|y", "2"]]


def test_a_stopped_trace_in_markdown():
    code, out, err = call(["trace", "sqrt(x - 3)", "--at", "2", "--format", "markdown"])
    assert code == 1 and err.startswith("error: sqrt is undefined")
    (table,) = _tables(_markdown_tokens(out))
    assert table[-1][:3] == ["✗", "u2 = sqrt(u1)", "undefined"]
    assert out.endswith("`✗ the trace stops at u2: sqrt is undefined in u2 = sqrt(u1) with u1 = -1 (needs u1 ≥ 0)`\n")


def test_pandoc_reads_the_markdown():
    """pandoc finds the same tables and math: its AST has a Table and DisplayMath."""
    if shutil.which("pandoc") is None:
        _required("pandoc")
    for argv in (["trace", "x + x^2", "--at", "2"], ["trace", "x*y", "--mode", "reverse"], ["diff", "x^3", "--at", "2"]):
        out = call([*argv, "--format", "markdown"])[1]
        p = subprocess.run(["pandoc", "-f", "gfm+tex_math_dollars", "-t", "json"], input=out, capture_output=True,
                           text=True, check=True, timeout=60)
        assert '"t":"Table"' in p.stdout and '"DisplayMath"' in p.stdout, argv


# ---- graphs: a title, a legend, and svg through Graphviz ---------------------------------------------------------------

def test_graphs_have_a_title_with_the_function_and_the_point():
    dot = call(["trace", "sin(x + x^2)", "--at", "x=pi/4", "--format", "dot"])[1]
    assert '  label="f(x) = sin(x + x^2) at x = pi/4 = 0.7853981633974483 (forward mode, d/dx)"; labelloc="t";' in dot
    mer = call(["trace", "x*y", "--format", "mermaid", "--mode", "reverse"])[1].splitlines()
    assert mer[:4] == ["---", 'title: "f(x, y) = x*y (symbolic, reverse mode, adjoints)"', "---", "flowchart LR"]


def test_the_legend_explains_colours_borders_and_edge_labels():
    dot = call(["trace", "sqrt(x - 3) + x", "--at", "2", "--format", "dot"])[1]
    key = dot[dot.index("  subgraph cluster_key {"):]
    assert '"key input" [label="input: a variable", shape=ellipse];' in key
    assert '"key output" [label="the output", peripheries=2];' in key
    assert '"key marked" [label="orange: du/dx ≠ ∂u/∂x\\n(u reads a node that depends on x)", color="darkorange"' in key
    assert '"key failed" [label="red: where the trace stops\\n(dashed: what it reads)", color="red"' in key
    assert '"key input" -> "key node" [label="edge label ∂u/∂v: the local partial"];' in key
    mer = call(["trace", "x*y", "--format", "mermaid", "--mode", "reverse"])[1]
    assert '    key1["node: u = its formula<br/>ū: its adjoint df/du"]' in mer and "orange" not in mer
    assert '    key0 -->|"edge label ∂u/∂v: the local partial"| key1' in mer and "  class key2 output" in mer


def _dot_or_skip():
    if shutil.which("dot") is None:
        _required("Graphviz's dot")


@pytest.mark.parametrize("argv", [["sin(x + x^2)", "--at", "2"], ["x*y + sin(x)", "--mode", "reverse"],
                                  ["ln(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5", "--wrt", "x1"]])
def test_svg_is_graphviz_drawing_of_the_titled_graph(argv):
    _dot_or_skip()
    code, out, err = call(["trace", *argv, "--format", "svg"])
    assert (code, err) == (0, "")
    assert out.startswith("<?xml") and out.rstrip().endswith("</svg>")
    dot = call(["trace", *argv, "--format", "dot"])[1]
    title = re.search(r'^  label="(.*)"; labelloc="t";', dot, re.MULTILINE).group(1)
    assert f">{title}</text>" in html.unescape(out) and ">legend</text>" in out
    nodes = len(json.loads(call(["trace", *argv, "--format", "json"])[1])["nodes"])
    assert out.count('class="node"') == nodes + dot.count('\n    "key ') - 1


def test_svg_of_a_stopped_trace_then_the_error():
    _dot_or_skip()
    code, out, err = call(["trace", "sqrt(x - 3)", "--at", "2", "--format", "svg"])
    assert code == 1 and "stops here: sqrt is undefined" in html.unescape(out) and err.startswith("error: sqrt")


def test_svg_without_graphviz_is_a_clear_error(tmp_path):
    """PATH without Graphviz (only this Python's directory): exit 2, naming Graphviz and what to do; nothing on
    stdout. A real process, so that the PATH is the one dcalc searches."""
    bin_dir = Path(sys.executable).parent
    assert not (bin_dir / "dot").exists()
    env = {**os.environ, "PATH": str(bin_dir)}
    p = subprocess.run([*dcalc_command(), "trace", "x^2", "--at", "1", "--format", "svg"], capture_output=True,
                       text=True, env=env, timeout=60, check=False)
    assert (p.returncode, p.stdout) == (2, "")
    assert p.stderr == ("error: --format svg runs Graphviz's 'dot' program, which is not installed here (not on "
                        "PATH): install Graphviz (https://graphviz.org/download/, e.g. 'apt install graphviz' or "
                        "'brew install graphviz'), or write --format dot and render it elsewhere\n")
