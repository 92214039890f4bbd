"""dcalc trace: the derivation node by node, its identities, its golden text, and its renderers checked by the
real tools (Graphviz's dot, KaTeX, Mermaid's parser). Those tools skip locally when absent, never under CI."""

from __future__ import annotations

import html
import json
import math
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import dcalc
from dcalc.app import app
from dcalc.core.ops import OPS
from dcalc.core.printing import to_text
from dcalc.errors import MathError
from dcalc.language.expr import Apply, Num, Var
from dcalc.output.render_trace import json_pieces, render, text_lines
from dcalc.output.trace import trace

GOLDEN = Path(__file__).parent / "golden"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["trace", *args])


def trace_json(text, point, wrt=None, mode="forward"):
    g = dcalc.compile(text)
    return json.loads("".join(json_pieces(trace(g, point, wrt, mode))))


# ---- golden text ----------------------------------------------------------------------------------------------------

GOLDENS = [
    ("x_plus_x2", ["x + x^2", "--at", "2"]),
    ("sin_x_plus_x2", ["sin(x + x^2)", "--at", "2"]),
    ("x_times_x2", ["x*x^2", "--at", "2"]),
    ("x_plus_x2_reverse", ["x + x^2", "--at", "2", "--mode", "reverse"]),
    ("sin_x_plus_x2_reverse", ["sin(x + x^2)", "--at", "2", "--mode", "reverse"]),
    ("x_times_x2_reverse", ["x*x^2", "--at", "2", "--mode", "reverse"]),
    ("baydin_x1", ["ln(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5", "--wrt", "x1"]),
    ("baydin_reverse", ["ln(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5", "--mode", "reverse"]),
]


@pytest.mark.parametrize("name, args", GOLDENS, ids=[g[0] for g in GOLDENS])
def test_golden_text(name, args, monkeypatch):
    """Exact text when piped (no colour) on a wide terminal, legend included. DCALC_UPDATE_GOLDEN=1 rewrites the
    files after a deliberate change."""
    monkeypatch.setenv("COLUMNS", "250")
    r = run(*args)
    assert r.exit_code == 0, r.stderr
    path = GOLDEN / f"trace_{name}.txt"
    if os.environ.get("DCALC_UPDATE_GOLDEN"):
        path.write_text(r.stdout, encoding="utf-8")
    assert r.stdout == path.read_text(encoding="utf-8")
    assert "\x1b" not in r.stdout


def test_text_shows_the_sum_with_numbers_and_the_mark(monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")  # the table: its widest row has 95 columns
    out = run("x + x^2", "--at", "2").stdout
    assert "∂u1/∂x = 2x = 4" in out
    assert "du2/dx = ∂u2/∂x + ∂u2/∂u1·du1/dx = 2x + 1 = 1 + 1·4 = 5" in out  # the formula, then the numbers
    assert "du2/dx = ∂u2/∂x + ∂u2/∂u1·du1/dx = 1 + 1·4 = 5" in run("x + x^2", "--at", "2", "--no-formulas").stdout
    assert re.search(r"^\*\s+u2 = x \+ u1", out, re.MULTILINE)
    assert not re.search(r"^\*\s+u1", out, re.MULTILINE)
    assert "* x reaches u2 directly and through u1: ∂u2/∂x = 1 but du2/dx = 5" in out
    assert out.rstrip().splitlines()[-2] == "" and "f(2) = 6\ndf/dx = 5\n" in out


@pytest.mark.parametrize("text, shown", [
    ("1/2x", "f(x) = (1/2)*x"),
    ("-x^2", "f(x) = -(x^2)"),
    ("sin(x + x^2)", "f(x) = sin(x + (x^2))"),
    ("2^x^2", "f(x) = 2^(x^2)"),
])
def test_header_is_fully_parenthesised(text, shown):
    assert run("--at", "2", "--", text).stdout.splitlines()[0] == shown


def test_header_of_a_program_and_a_user_function_named_f():
    out = run("a = 3; f(t) = t*a; f(x) + x", "--at", "1").stdout.splitlines()
    assert out[:3] == ["a = 3", "f(t) = t*a", "g(x) = f(x) + x"]
    assert "g(1) = 4" in out and "dg/dx = 4" in out


def test_columns_are_aligned(monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    lines = run("ln(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5", "--wrt", "x1").stdout.splitlines()
    table = lines[lines.index("") + 1:]
    table = table[: table.index("")]
    starts = {line.index("∂u") for line in table if "= ln" in line or "= x1*x2" in line}
    assert len(starts) == 1


def test_colour_only_when_asked_and_alignment_survives():
    t = trace(dcalc.compile("sin(x + x^2)"), {"x": 2.0})
    plain = list(text_lines(t))
    coloured = list(text_lines(t, colour=True))
    assert any("\x1b[" in line for line in coloured)
    assert [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in coloured] == plain


# ---- the three classic examples and Baydin et al. (2018) -------------------------------------------------------------

@pytest.mark.parametrize("text, value, d", [
    ("x + x^2", 6.0, 5.0),
    ("sin(x + x^2)", math.sin(6.0), 5 * math.cos(6.0)),
    ("x*x^2", 8.0, 12.0),
])
def test_classic_examples(text, value, d):
    for mode in ("forward", "reverse"):
        j = trace_json(text, {"x": 2.0}, None, mode)
        assert j["value"] == pytest.approx(value, rel=1e-15)
        assert j["derivative"] == pytest.approx(d, rel=1e-15)


BAYDIN = "ln(x1) + x1*x2 - sin(x2)"
BAYDIN_TANGENTS = {  # the survey's forward trace w.r.t. x1 (its v-1 … v5), by definition
    "x1": 1.0, "x2": 0.0, "ln(x1)": 0.5, "x1*x2": 5.0, "sin(x2)": 0.0, "u1 + u2": 5.5, "u3 - u4": 5.5}
BAYDIN_ADJOINTS = {  # and its reverse trace: v̄5 = 1 back to v̄-1 = 5.5, v̄0 = 2 - cos 5
    "u3 - u4": 1.0, "u1 + u2": 1.0, "sin(x2)": -1.0, "x1*x2": 1.0, "ln(x1)": 1.0,
    "x2": 2 - math.cos(5), "x1": 5.5}


def _by_definition(j):
    return {n.get("expr", n["name"]): n for n in j["nodes"]}


def test_baydin_forward_trace():
    j = trace_json(BAYDIN, {"x1": 2.0, "x2": 5.0}, "x1")
    assert repr(j["value"]).startswith("11.652071")
    assert j["value"] == pytest.approx(11.652071455223084, rel=1e-15)
    assert j["derivative"] == 5.5
    nodes = _by_definition(j)
    assert {k: nodes[k]["derivative"] for k in BAYDIN_TANGENTS} == BAYDIN_TANGENTS
    assert sorted(n["derivative"] for n in j["nodes"]) == sorted([1, 0, 0.5, 5, 0, 5.5, 5.5])
    assert nodes["ln(x1)"]["value"] == math.log(2) and nodes["sin(x2)"]["value"] == math.sin(5)


def test_baydin_reverse_trace():
    j = trace_json(BAYDIN, {"x1": 2.0, "x2": 5.0}, None, "reverse")
    assert j["gradient"] == {"x1": 5.5, "x2": pytest.approx(1.716337814536774, rel=1e-15)}
    nodes = _by_definition(j)
    assert {k: nodes[k]["adjoint"] for k in BAYDIN_ADJOINTS} == pytest.approx(BAYDIN_ADJOINTS, rel=1e-15)
    assert "derivative" not in j and j["wrt"] is None


# ---- JSON: the schema of DESIGN.md -----------------------------------------------------------------------------------

def test_json_schema_exactly():
    r = run("x + x^2", "--at", "2", "--format", "json")
    assert r.exit_code == 0 and r.stdout.count("\n") == 1
    assert json.loads(r.stdout) == {
        "expr": "x + x^2", "at": {"x": 2.0}, "wrt": "x", "mode": "forward", "value": 6.0, "derivative": 5.0,
        "nodes": [
            {"name": "x", "kind": "input", "value": 2.0, "derivative": 1.0, "derivative_formula": "1"},
            {"name": "u1", "kind": "node", "expr": "x^2", "inputs": ["x"], "value": 4.0,
             "partials": {"x": 4.0}, "partial_rules": {"x": "2x"}, "derivative": 4.0, "derivative_formula": "2x"},
            {"name": "u2", "kind": "node", "expr": "x + u1", "inputs": ["x", "u1"], "value": 6.0,
             "partials": {"x": 1.0, "u1": 1.0}, "partial_rules": {"x": "1", "u1": "1"}, "derivative": 5.0,
             "derivative_formula": "2x + 1"}]}
    assert list(json.loads(r.stdout)) == ["expr", "at", "wrt", "mode", "value", "derivative", "nodes"]
    # without formulas (--no-formulas, or the library's trace): DESIGN.md's keys alone
    plain = json.loads(run("x + x^2", "--at", "2", "--format", "json", "--no-formulas").stdout)
    assert all(not any(k.endswith("_formula") for k in n) for n in plain["nodes"])


def test_json_summed_partial_for_an_input_read_twice():
    j = trace_json("x*x", {"x": 3.0})
    (u1,) = [n for n in j["nodes"] if n["kind"] == "node"]
    assert u1["inputs"] == ["x"] and u1["partials"] == {"x": 6.0}
    assert dcalc.evaluate(u1["partial_rules"]["x"], {"x": 3.0}) == 6.0


def test_json_reverse_with_wrt_carries_derivatives_too():
    j = trace_json("x*y + x", {"x": 2.0, "y": 3.0}, "x", "reverse")
    assert j["derivative"] == 4.0 and j["gradient"] == {"x": 4.0, "y": 2.0}
    assert all("adjoint" in n and "derivative" in n for n in j["nodes"])


def test_reused_node_appears_once():
    j = trace_json("a = x^2; sin(a) + cos(a) + a", {"x": 1.0})
    names = [n["name"] for n in j["nodes"]]
    assert len(names) == len(set(names)) and names.count("a") == 1
    readers = [n for n in j["nodes"] if "a" in n.get("inputs", [])]
    assert len(readers) == 3


# ---- the identities, on every node of generated expressions ----------------------------------------------------------

LEAVES = st.sampled_from([Var("x"), Var("y"), Num(0.5), Num(2.0)])
EXPRS = st.recursive(LEAVES, lambda kids: st.sampled_from(sorted(OPS)).flatmap(
    lambda name: st.tuples(*[kids] * OPS[name].arity).map(lambda args: Apply(name, args))), max_leaves=10)


def _generated(expr, x, y, wrt, mode):
    try:
        g = dcalc.compile(to_text(expr))
        if not g.inputs or (wrt is not None and wrt not in g.inputs):
            reject()
        point = {n: v for n, v in (("x", x), ("y", y)) if n in g.inputs}
        t = trace(g, point, wrt, mode)
        return json.loads("".join(json_pieces(t)))
    except MathError:
        reject()


def _close(a, b, scale):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12 * scale)


@settings(max_examples=150)
@given(EXPRS, st.floats(0.15, 2.5), st.floats(0.15, 2.5))
def test_forward_identity_on_every_node(expr, x, y):
    j = _generated(expr, x, y, "x", "forward")
    d = {n["name"]: n["derivative"] for n in j["nodes"]}
    for n in j["nodes"]:
        if n["kind"] == "input":
            assert n["derivative"] == (1.0 if n["name"] == "x" else 0.0)
        elif n["kind"] == "node":
            if None in n["partials"].values() or any(d[v] is None for v in n["partials"]):
                assert j.get("one_sided")  # a kink (acos(x/x)): the derivative is the left and right ones' (kinks.py)
                continue
            terms = [p * d[v] for v, p in n["partials"].items()]
            assert set(n["partials"]) <= set(n["inputs"])
            assert _close(n["derivative"], sum(terms), 1 + sum(abs(t) for t in terms)), n
    assert j["derivative"] == d[j["nodes"][-1]["name"]]


@settings(max_examples=150)
@given(EXPRS, st.floats(0.15, 2.5), st.floats(0.15, 2.5))
def test_reverse_identity_on_every_node(expr, x, y):
    j = _generated(expr, x, y, None, "reverse")
    nodes = j["nodes"]
    out = nodes[-1]
    assert out["adjoint"] == 1.0
    for v in nodes[:-1]:
        terms = [u["adjoint"] * u["partials"][v["name"]] for u in nodes if v["name"] in u.get("partials", {})]
        assert _close(v["adjoint"], sum(terms), 1 + sum(abs(t) for t in terms)), v
    assert j["gradient"] == {n["name"]: n["adjoint"] for n in nodes if n["kind"] == "input"}
    assert j["gradient"] == pytest.approx(dcalc.gradient(to_text(expr), j["at"]), rel=1e-12, abs=1e-12)


def test_deep_trace_streams_without_recursion():
    depth = 5_000  # far past Python's recursion limit; tests/bench has the 100,000-deep figures
    g = dcalc.compile("sin(" * depth + "x" + ")" * depth)
    t = trace(g, {"x": 0.1})
    lines = 0
    for piece in render(t, "json"):
        lines += piece.count("\n")
    assert lines == 1
    assert sum(1 for _ in render(t, "text")) > depth


# ---- command-line errors ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["x*y", "--at", "x=1,y=2"], "say which variable to differentiate by with --wrt (one of x, y)"),
    (["x*y", "--at", "x=1,y=2", "--wrt", "z"], "--wrt z: the expression has no variable 'z'"),
    (["x*y", "--at", "x=1,y=2", "--wrt", "x,y"], "trace follows one variable"),
    # a --format or --mode that is not a choice: the parser's error (tests/test_help_completion.py)
    (["x*y"], "say which variable to differentiate by with --wrt (one of x, y)"),
    (["3", "--at", "1"], "no free variables"),
    (["2 + 3"], "no free variables"),
])
def test_usage_errors(args, message):
    r = run(*args)
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr.startswith("error: ") and message in r.stderr


def test_installed_command_runs():
    exe = shutil.which("dcalc")
    if exe is None:
        pytest.skip("the dcalc console script is not on PATH")
    p = subprocess.run([exe, "trace", "sin(x + x^2)", "--at", "2"], capture_output=True, text=True, check=True,
                       env={**os.environ, "COLUMNS": "250"})
    assert p.stdout == (GOLDEN / "trace_sin_x_plus_x2.txt").read_text(encoding="utf-8")


# ---- the renderers, checked by the real tools ------------------------------------------------------------------------

RENDERED = [("sin(x + x^2)", "2", []), ("x*x^2", "2", ["--mode", "reverse"]),
            (BAYDIN, "x1=2,x2=5", ["--mode", "reverse"]), (BAYDIN, "x1=2,x2=5", ["--wrt", "x2"]),
            ("a = x^2; f(t) = t/(1 + t); f(a) + abs(a - 1e-5) + \"q\"".replace(' + "q"', ""), "2", []),
            ("end = x; hypot(end, 2)^-1 - log(end, 10)", "3", ["--mode", "reverse"]),
            # the symbolic trace (no point): formulas on the nodes and rules on the edges
            ("x*x^2", None, []), ("sin(x + x^2)", None, ["--mode", "reverse"]), (BAYDIN, None, ["--wrt", "x2"]),
            (BAYDIN, None, ["--mode", "reverse"]), ("a = x^2; f(t) = t/(1 + t); f(a) + abs(a - 1e-5)", None, []),
            ("end = x; hypot(end, 2)^-1 - log(end, 10)", None, ["--mode", "reverse"])]


def _required(tool: str):
    """Under CI the tools are installed by .ci/tools and a missing one is a failure, not a skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{tool} is missing, though .ci/tools installs it")
    pytest.skip(f"{tool} is not installed here (.ci/tools installs it for CI)")


def _node_modules() -> Path:
    if shutil.which("node") is None:
        _required("node")
    for where in (os.environ.get("DCALC_NODE_MODULES"), "/tmp/dcalc-tools/node_modules"):
        if where and (Path(where) / "katex").is_dir() and (Path(where) / "mermaid").is_dir():
            return Path(where)
    _required("the npm packages katex and mermaid (DCALC_NODE_MODULES)")


def _node(script: str, stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run(["node", "--input-type=module", "-e", script], input=stdin, capture_output=True,
                          text=True, check=False, cwd=_node_modules().parent, timeout=120)


KATEX = """import katex from 'katex';
let text = ''; for await (const c of process.stdin) text += c;
katex.renderToString(text, {displayMode: true, throwOnError: true, strict: 'error'}); console.log('ok');"""

MERMAID = """import { JSDOM } from 'jsdom';
const dom = new JSDOM(''); globalThis.window = dom.window; globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
let text = ''; for await (const c of process.stdin) text += c;
const out = [];
for (const diagram of JSON.parse(text)) {
  try { out.push((await mermaid.parse(diagram)).diagramType); } catch (e) { out.push('error: ' + e.message); }
}
console.log(JSON.stringify(out));"""


def _rendered(fmt, text, at, extra):
    r = run(text, *(["--at", at] if at is not None else []), "--format", fmt, *extra)
    assert r.exit_code == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize("text, at, extra", RENDERED)
def test_dot_is_accepted_by_graphviz(text, at, extra):
    if shutil.which("dot") is None:
        _required("Graphviz's dot")
    out = _rendered("dot", text, at, extra)
    p = subprocess.run(["dot", "-Tsvg"], input=out, capture_output=True, text=True, timeout=60, check=False)
    assert p.returncode == 0 and not p.stderr, p.stderr
    key = out.count('\n    "key ') - 1  # the legend's example nodes (its one edge's line names two)
    assert key >= 3 and p.stdout.count('class="node"') == len(trace_json_for(text, at, extra)["nodes"]) + key
    title = re.search(r'^  label="(.*)"; labelloc="t";', out, re.MULTILINE).group(1)
    assert f">{title}</text>" in html.unescape(p.stdout)  # drawn (Graphviz writes - as &#45;)


def trace_json_for(text, at, extra):
    return json.loads(_rendered("json", text, at, extra))


@pytest.mark.parametrize("text, at, extra", RENDERED)
def test_latex_is_accepted_by_katex(text, at, extra):
    out = _rendered("latex", text, at, extra)
    assert out.startswith("\\[\n\\begin{aligned}\n") and out.endswith("\\end{aligned}\n\\]\n")
    p = _node(KATEX, out[3:-3])  # KaTeX renders what is inside the display delimiters, in display mode
    assert p.returncode == 0, p.stderr


def test_latex_uses_partial_and_total_notation():
    out = _rendered("latex", "x + x^2", "2", [])
    assert "\\frac{\\partial u_{2}}{\\partial x}" in out
    assert "\\frac{d u_{2}}{dx} &= \\frac{\\partial u_{2}}{\\partial x} + " in out


BROKEN = "flowchart LR\n  n0[[x = 2] --> n1\n"


@pytest.fixture(scope="module")
def mermaid_verdicts():
    """Mermaid's parser on every RENDERED case in one node run (loading Mermaid takes seconds)."""
    diagrams = [_rendered("mermaid", *case) for case in RENDERED] + [BROKEN]
    p = _node(MERMAID, json.dumps(diagrams))
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


@pytest.mark.parametrize("k", range(len(RENDERED)), ids=[f"{c[0]}|{c[2]}" for c in RENDERED])
def test_mermaid_is_accepted_by_mermaid(mermaid_verdicts, k):
    assert mermaid_verdicts[k] == "flowchart-v2"


def test_mermaid_parser_rejects_a_broken_diagram(mermaid_verdicts):
    """The referee is real: a broken diagram is refused."""
    assert mermaid_verdicts[-1].startswith("error: ")


def test_graph_structure_dot_and_mermaid():
    """Inputs, nodes with value and derivative, one edge per (node read, reader) labelled with the local partial."""
    dot = _rendered("dot", "x + x^2", "2", [])
    assert '"x" [label="x = 2\\ndx/dx = 1", shape=ellipse];' in dot
    assert '"x" -> "u2" [label="∂u2/∂x = 1"];' in dot and '"u1" -> "u2" [label="∂u2/∂u1 = 1"];' in dot
    mer = _rendered("mermaid", "x + x^2", "2", ["--mode", "reverse", "--no-legend"])
    assert 'n0(["x = 2<br/>dx/dx = 1<br/>x̄ = 2x + 1<br/>x̄ = 5"])' in mer  # the formula, then the number
    assert 'n1["u1 = x^2 = 4<br/>du1/dx = 2x<br/>du1/dx = 4<br/>ū1 = 1"]' in mer
    assert len(re.findall(r"-->\|", mer)) == 3


# ---- latex.to_latex, which `dcalc diff --format latex` uses too -------------------------------------------------------

@pytest.mark.parametrize("text, tex", [
    ("ln(x1) + x1*x2 - sin(x2)", "\\ln\\left(x_{1}\\right) + x_{1} x_{2} - \\sin\\left(x_{2}\\right)"),
    ("(x + 1)^2", "\\left(x + 1\\right)^{2}"),
    ("2^3^2", "2^{3^{2}}"),
    ("a - (b - c)", "a - \\left(b - c\\right)"),
    ("a - -b", "a - \\left(-b\\right)"),
    ("-(a/b)", "-\\frac{a}{b}"),
    ("(a/b)^2", "\\left(\\frac{a}{b}\\right)^{2}"),
    ("2sin(x)", "2 \\sin\\left(x\\right)"),
    ("hypot(x + 1, y)", "\\sqrt{\\left(x + 1\\right)^2 + y^2}"),
    ("log(x, 2) + abs(x - 1)", "\\log_{2}\\left(x\\right) + \\left|x - 1\\right|"),
    ("1e-5*alpha*pi", "1 \\times 10^{-5} \\cdot \\alpha \\pi"),
])
def test_to_latex(text, tex):
    from dcalc.symbolic.latex import to_latex
    assert to_latex(dcalc.parse(text).stmts[-1]) == tex


def test_to_latex_deep_expression():
    from dcalc.symbolic.latex import to_latex
    depth = 20_000  # far past Python's recursion limit
    tex = to_latex(dcalc.parse("-(" * depth + "x" + ")" * depth).stmts[-1])
    assert tex.count("-") == depth and tex.endswith("x" + "\\right)" * (depth - 1))


@settings(max_examples=4)
@given(st.lists(EXPRS, min_size=100, max_size=100))
def test_to_latex_of_generated_expressions_is_accepted_by_katex(exprs):
    """Every primitive's template, nested with the others: 100 expressions per KaTeX run (node starts slowly)."""
    from dcalc.symbolic.latex import to_latex
    doc = "\\begin{aligned}" + " \\\\\n".join(f"&{to_latex(e)}" for e in exprs) + "\\end{aligned}"
    p = _node(KATEX, doc)
    assert p.returncode == 0, p.stderr
