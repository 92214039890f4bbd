"""Issue 13, items 3-5: the trace's legend and marks (∂ against d), its layout on a terminal (COLUMNS, blocks,
--digits, adjoint names, the summary), and traces that stop at a failing node with the rows before it."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

import dcalc
from dcalc.app import app
from dcalc.output.render_trace import _bar, marked
from dcalc.output.trace import trace, trace_until_failure
from dcalc_proc import error_text

runner = CliRunner()


def run(*args, columns: int | None = None, monkeypatch=None):
    if columns is not None:
        monkeypatch.setenv("COLUMNS", str(columns))
    return runner.invoke(app, ["trace", *args])


def marked_names(text: str, point: dict, wrt: str | None = None, mode: str = "forward") -> set[str]:
    t = trace(dcalc.compile(text), point, wrt, mode)
    return {r.name for r in t.rows() if marked(t, r)}


# ---- item 3: the legend and the marks --------------------------------------------------------------------------------

LEGEND = ("∂u/∂v: a local partial, of u in its argument v with u's other arguments held fixed. du/dx: a total "
          "derivative, of u in x through every path from x to u.")
MARK = ("*: a node where the two differ, because it reads a node that depends on x (∂u/∂x is 0 when u does not read "
        "x itself); elsewhere du/dx = ∂u/∂x.")
ADJOINT = ("ū (adj(name) for a longer name): the adjoint, the total derivative df/du of the output f in u through "
           "every path from u to f; an input's adjoint is ∂f/∂x, the other inputs held fixed.")


def test_legend_by_default_and_dropped_by_no_legend(monkeypatch):
    out = run("x + x^2", "--at", "2", columns=250, monkeypatch=monkeypatch).stdout.splitlines()
    assert out[2:4] == [LEGEND, MARK] and out[4] == ""
    rev = run("x + x^2", "--at", "2", "--mode", "reverse", columns=250, monkeypatch=monkeypatch).stdout.splitlines()
    assert rev[2:5] == [LEGEND, MARK, ADJOINT]
    bare = run("x + x^2", "--at", "2", "--no-legend", columns=250, monkeypatch=monkeypatch).stdout.splitlines()
    assert bare[2] == "" and not any("a local partial," in line for line in bare)


def test_legend_wraps_to_the_terminal(monkeypatch):
    out = run("x + x^2", "--at", "2", columns=60, monkeypatch=monkeypatch).stdout.splitlines()
    start = next(k for k, line in enumerate(out) if line.startswith("∂u/∂v"))
    legend = out[start:out.index("")]
    assert all(len(line) <= 60 for line in legend) and len(legend) >= 4
    assert " ".join(line.strip() for line in legend) == f"{LEGEND} {MARK}"


def test_legend_in_latex_and_the_graphs_and_not_in_json():
    latex = runner.invoke(app, ["trace", "x + x^2", "--at", "2", "--format", "latex"]).stdout
    assert "\\text{ is a local partial (the other arguments of } u \\text{ held fixed); } \\frac{du}{dx}" in latex
    assert "\\ast \\text{ marks a node where }" in latex
    assert "local partial" not in runner.invoke(app, ["trace", "x + x^2", "--at", "2", "--format", "latex",
                                                      "--no-legend"]).stdout
    rev = runner.invoke(app, ["trace", "x + x^2", "--at", "2", "--format", "latex", "--mode", "reverse"]).stdout
    assert "&\\overline{u} = \\frac{df}{du} \\text{ is an adjoint" in rev
    assert "local partial" not in runner.invoke(app, ["trace", "x + x^2", "--at", "2", "--format", "json"]).stdout
    for fmt in ("dot", "mermaid"):  # the graphs' legend: example nodes, the edge label explained
        assert "edge label ∂u/∂v: the local partial" in runner.invoke(app, ["trace", "x + x^2", "--at", "2",
                                                                            "--format", fmt]).stdout
        assert "local partial" not in runner.invoke(app, ["trace", "x + x^2", "--at", "2", "--format", fmt,
                                                          "--no-legend"]).stdout


@pytest.mark.parametrize("text, expected", [
    ("sin(x)*cos(x)", {"u3"}),          # reads only through u1 and u2: the example, unmarked before
    ("x + x^2", {"u2"}),                # directly and through u1
    ("sin(x^2)", {"u2"}),               # one path, but not x itself: du2/dx = ∂u2/∂u1·du1/dx
    ("x*x", set()),                     # x read twice is one partial, summed: du1/dx = ∂u1/∂x
    ("sin(x)", set()),
    ("exp(sin(x)) + y", {"u2", "u3"}),  # y does not depend on x; u3 reads u2, which does
])
def test_marked_where_the_partial_and_the_total_derivative_differ(text, expected):
    point = {"x": 0.7, "y": 2.0}
    g = dcalc.compile(text)
    assert marked_names(text, {k: v for k, v in point.items() if k in g.inputs}, "x") == expected


@pytest.mark.parametrize("text", ["sin(x)*cos(x)", "x + x^2", "sin(x^2)", "x*x", "exp(sin(x))*x + ln(x)/x",
                                  "hypot(x, x^2)*atan2(x, 2)", "a = x^2; b = a + x; b*a - sin(b)"])
def test_unmarked_nodes_have_their_total_derivative_equal_to_one_local_partial(text):
    """The definition, checked against the numbers: an unmarked node's du/dx is its ∂u/∂x (0 if it does not read x);
    a marked one reads a node other than x that depends on x."""
    t = trace(dcalc.compile(text), {"x": 0.7}, "x")
    live = {"x"}
    for r in t.rows():
        if r.kind != "node":
            continue
        by_x = sum(p.value for p in r.partials if p.name == "x")
        if marked(t, r):
            assert any(p.name in live and p.name != "x" for p in r.partials), r.name
        else:
            assert r.derivative == by_x, r.name
        if any(p.name in live for p in r.partials):
            live.add(r.name)


def test_text_marks_every_differing_row(monkeypatch):
    out = run("sin(x)*cos(x)", "--at", "2", "--no-legend", columns=250, monkeypatch=monkeypatch).stdout
    assert re.search(r"^\*\s+u3 = u1\*u2", out, re.MULTILINE)
    assert not re.search(r"^\*\s+u[12] ", out, re.MULTILINE)
    assert "reaches" not in out  # the footnote is for nodes x reaches directly and through others


def test_graphs_and_latex_mark_the_differing_nodes():
    dot = runner.invoke(app, ["trace", "sin(x)*cos(x)", "--at", "2", "--format", "dot"]).stdout
    assert re.search(r'"u3" \[label="[^"]*", peripheries=2, color="darkorange", penwidth=2\];', dot)
    assert not re.search(r'"u1" \[[^\]]*darkorange', dot)
    mer = runner.invoke(app, ["trace", "sin(x)*cos(x)", "--at", "2", "--format", "mermaid"]).stdout
    assert "  classDef differs stroke:#d97706,stroke-width:2px\n" in mer and mer.endswith("\n  class n3 differs\n")
    tex = runner.invoke(app, ["trace", "sin(x)*cos(x)", "--at", "2", "--format", "latex"]).stdout
    assert re.search(r"^\\frac\{d u_\{3\}\}\{dx\} &= .* \\quad \(\\ast\) \\\\$", tex, re.MULTILINE)
    assert not re.search(r"^\\frac\{d u_\{1\}\}\{dx\} &= .*ast", tex, re.MULTILINE)


def test_reverse_mode_calls_the_adjoint_a_total_derivative(monkeypatch):
    out = run("x + x^2", "--at", "2", "--mode", "reverse", columns=250, monkeypatch=monkeypatch).stdout
    assert "then adjoints ū = df/du backward from ū2 = 1" in out
    assert "ū2       = 1 (the output: df/df)" in out
    assert "∂f/∂u" not in out and "∂f/∂f" not in out


# ---- item 4: layout -------------------------------------------------------------------------------------------------

BLOCKS_80 = """\
f(x) = x + (x^2)
at x = 2; forward mode: the total derivative d/dx of every node, in evaluation
  order

  x = 2 (input)
    dx/dx = 1

  u1 = x^2 = 4
    ∂u1/∂x = 2x = 4
    du1/dx = ∂u1/∂x = 2x = 4

* u2 = x + u1 = 6
    ∂u2/∂x = 1
    ∂u2/∂u1 = 1
    du2/dx = ∂u2/∂x + ∂u2/∂u1·du1/dx = 2x + 1 = 1 + 1·4 = 5

f(2) = 6
df/dx = 5

* x reaches u2 directly and through u1: ∂u2/∂x = 1 but du2/dx = 5 (a chain rule
  along one path misses the rest)
"""


def test_blocks_when_the_table_is_wider_than_the_terminal(monkeypatch):
    wide = run("x + x^2", "--at", "2", "--no-legend", columns=250, monkeypatch=monkeypatch).stdout
    assert "   node         value  local partials" in wide
    assert max(map(len, wide.splitlines())) > 80
    narrow = run("x + x^2", "--at", "2", "--no-legend", columns=80, monkeypatch=monkeypatch).stdout
    assert narrow == BLOCKS_80
    assert max(map(len, narrow.splitlines())) <= 80


def test_forty_columns_breaks_an_equation_at_its_signs_of_equality(monkeypatch):
    out = run("x + x^2", "--at", "2", "--no-legend", columns=40, monkeypatch=monkeypatch).stdout
    assert ("    du2/dx = ∂u2/∂x + ∂u2/∂u1·du1/dx\n"
            "           = 2x + 1\n"
            "           = 1 + 1·4\n"
            "           = 5\n") in out
    assert "    ∂u1/∂x = 2x = 4\n" in out  # what fits stays on one line


def test_reverse_blocks(monkeypatch):
    out = run("ln(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5", "--mode", "reverse", "--no-legend", columns=60,
              monkeypatch=monkeypatch).stdout
    assert "  u2 = x1*x2 = 10\n    ∂u2/∂x1 = x2 = 5\n    ∂u2/∂x2 = x1 = 2\n" in out
    assert ("x̄2 = ū2·∂u2/∂x2 + ū4·∂u4/∂x2\n"
            "   = x1 - cos(x2)\n"
            "   = 1·2 + (-1)·0.28366218546322625\n"
            "   = 1.7163378145367738\n") in out


def test_width_from_the_environment_and_80_when_not_a_terminal():
    """The installed command, piped: COLUMNS if set, else 80 (shutil.get_terminal_size's fallback)."""
    exe = shutil.which("dcalc")
    if exe is None:
        pytest.skip("the dcalc console script is not on PATH")
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    piped = subprocess.run([exe, "trace", "x + x^2", "--at", "2", "--no-legend"], capture_output=True, text=True,
                           env=env, check=True).stdout
    assert piped == BLOCKS_80
    wide = subprocess.run([exe, "trace", "x + x^2", "--at", "2", "--no-legend"], capture_output=True, text=True,
                          env={**env, "COLUMNS": "250"}, check=True).stdout
    assert "   node         value" in wide


def test_digits_in_every_format_but_json(monkeypatch):
    text = run("sin(x)", "--at", "1", "--digits", "3", "--no-legend", columns=250, monkeypatch=monkeypatch).stdout
    assert "u1 = sin(x)  0.841  ∂u1/∂x = cos(x) = 0.54  du1/dx = ∂u1/∂x = cos(x) = 0.54" in text
    assert text.endswith("f(1) = 0.841\ndf/dx = 0.54\n")
    latex = runner.invoke(app, ["trace", "sin(x)", "--at", "1", "--digits", "3", "--format", "latex"]).stdout
    assert "u_{1} &= \\sin\\left(x\\right) = 0.841 \\\\" in latex and "0.8414" not in latex
    dot = runner.invoke(app, ["trace", "sin(x)", "--at", "1", "--digits", "3", "--format", "dot"]).stdout
    assert '"u1" [label="u1 = sin(x) = 0.841\\ndu1/dx = cos(x)\\ndu1/dx = 0.54", peripheries=2];' in dot
    assert '[label="∂u1/∂x = cos(x) = 0.54"]' in dot
    mer = runner.invoke(app, ["trace", "sin(x)", "--at", "1", "--digits", "2", "--format", "mermaid",
                              "--mode", "reverse"]).stdout
    assert 'n1["u1 = sin(x) = 0.84<br/>du1/dx = cos(x)<br/>du1/dx = 0.54<br/>ū1 = 1"]' in mer
    r = runner.invoke(app, ["trace", "sin(x)", "--at", "1", "--digits", "3", "--format", "json"])
    assert (r.exit_code, r.stdout) == (2, "")
    assert error_text(r.stderr) == ("error: --digits 3 shapes numbers written for people; --format json writes "
                                    "every number "
                        "exactly: drop one of them\n")


def test_digits_round_the_reverse_sums(monkeypatch):
    out = run("ln(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5", "--mode", "reverse", "--digits", "2", "--no-legend",
              columns=250, monkeypatch=monkeypatch).stdout
    assert "x̄2       = ū2·∂u2/∂x2 + ū4·∂u4/∂x2 = x1 - cos(x2) = 1·2 + (-1)·0.28 = 1.7" in out
    assert out.endswith("f(2, 5) = 12\n∂f/∂x1 = x̄1 = 5.5\n∂f/∂x2 = x̄2 = 1.7\n")


@pytest.mark.parametrize("name, shown", [("u2", "ū2"), ("x", "x̄"), ("x1", "x̄1"), ("y", "ȳ"), ("loss", "adj(loss)"),
                                         ("w_1", "adj(w_1)"), ("ab", "adj(ab)")])
def test_adjoint_names(name, shown):
    assert _bar(name) == shown


def test_a_long_name_gets_adj_and_never_a_bar_over_its_first_letter(monkeypatch):
    out = run("h = w1*w2 + w1; loss = ln(h)*exp(w2)", "--at", "w1=1,w2=2", "--mode", "reverse", "--no-legend",
              columns=250, monkeypatch=monkeypatch).stdout
    assert "adjoints ū = df/du backward from adj(loss) = 1 to the inputs" in out
    assert "adj(loss)  = 1 (the output: df/df)" in out and "ū3         = adj(loss)·∂loss/∂u3" in out
    assert "l\u0304" not in out
    tex = runner.invoke(app, ["trace", "loss = ln(w)*w", "--at", "2", "--mode", "reverse", "--format",
                              "latex"]).stdout
    assert "\\overline{\\mathit{loss}} &= 1" in tex


def test_the_summary_keeps_the_programs_own_name(monkeypatch):
    out = run("h = w1*w2 + w1; loss = ln(h)*exp(w2)", "--at", "w1=1,w2=2", "--wrt", "w1", "--no-legend",
              columns=250, monkeypatch=monkeypatch).stdout
    assert (f"\nloss(1, 2) = {dcalc.evaluate('ln(w1*w2 + w1)*exp(w2)', {'w1': 1, 'w2': 2})!r}\n"
            "∂loss/∂w1 = 7.38905609893065\n") in out
    out = run("f = x^2", "--at", "3", "--no-legend", columns=250, monkeypatch=monkeypatch).stdout
    assert out.startswith("f = x^2\n") and out.endswith("f(3) = 9\ndf/dx = 6\n")
    out = run("a = 3; f(t) = t*a; f(x) + x", "--at", "1", columns=250, monkeypatch=monkeypatch).stdout
    assert "\ng(1) = 4\ndg/dx = 4\n" in out  # an expression still takes the first free name
    tex = runner.invoke(app, ["trace", "f = x^2", "--at", "3", "--format", "latex"]).stdout
    assert tex.endswith("f\\left(3\\right) &= 9 \\\\\n\\frac{df}{dx} &= 6\n\\end{aligned}\n\\]\n")


def test_the_summary_shows_a_twelve_variable_point_once(monkeypatch):
    names = [f"x{k}" for k in range(1, 13)]
    text = " + ".join(f"{n}^2" for n in names)
    at = ",".join(f"{n}={k}" for k, n in enumerate(names, 1))
    out = run(text, "--at", at, "--mode", "reverse", columns=250, monkeypatch=monkeypatch).stdout.splitlines()
    summary = out[out.index("f(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12) = 650"):]
    assert summary[1:] == [f"∂f/∂x{k} = x̄{k} = {2 * k}" for k in range(1, 13)]


def test_a_point_shows_as_given(monkeypatch):
    out = run("sin(x)", "--at", "x=pi/4", "--no-legend", columns=250, monkeypatch=monkeypatch).stdout
    assert out.splitlines()[1].startswith("at x = pi/4 = 0.7853981633974483; forward mode")
    assert out.endswith(f"f(pi/4) = {math.sin(math.pi / 4)!r}\ndf/dx = {math.cos(math.pi / 4)!r}\n")
    out = run("sin(x)", "--at", "pi / 4", "--no-legend", columns=250, monkeypatch=monkeypatch).stdout
    assert "at x = pi / 4 = 0.7853981633974483;" in out  # a single value, as typed
    out = run("x*y", "--at", "x=2.0,y=atan2(1, 1)", "--wrt", "y", "--no-legend", columns=250,
              monkeypatch=monkeypatch).stdout
    assert "at x = 2, y = atan2(1, 1) = 0.7853981633974483;" in out  # a plain number shows as the number
    assert "\nf(2, atan2(1, 1)) = 1.5707963267948966\n" in out
    tex = runner.invoke(app, ["trace", "sin(x)", "--at", "x=pi/4", "--format", "latex"]).stdout
    assert "&\\text{at } x = \\frac{\\pi}{4} \\approx 0.7853981633974483 \\\\" in tex
    assert "\\sin\\left(x\\right) = " in tex and "f\\left(\\frac{\\pi}{4}\\right) &= " in tex


# ---- item 5: traces that stop at a failing node -----------------------------------------------------------------------

SQRT_TEXT = """\
f(x) = sqrt(x - 1) + ln(x)
at x = 0.5; forward mode: the total derivative d/dx of every node, in evaluation order

   node           value      local partials  total derivative d/dx
   x (input)      0.5                        dx/dx = 1
   u1 = x - 1     -0.5       ∂u1/∂x = 1      du1/dx = ∂u1/∂x = 1
✗  u2 = sqrt(u1)  undefined

✗ the trace stops at u2: sqrt is undefined in u2 = sqrt(u1) with u1 = -0.5 (needs u1 ≥ 0)
  sqrt(x - 1) + ln(x)
  ^^^^^^^^^^^
"""


def test_a_domain_error_in_the_middle(monkeypatch):
    r = run("sqrt(x - 1) + ln(x)", "--at", "0.5", "--no-legend", columns=250, monkeypatch=monkeypatch)
    assert (r.exit_code, r.stdout, r.stderr) == (
        1, SQRT_TEXT, "error: sqrt is undefined in u2 = sqrt(u1) with u1 = -0.5 (needs u1 ≥ 0)\n")


@pytest.mark.parametrize("text, at, rows, stop, caret", [
    ("ln(x) + x", "-1", ["x (input)"], "u1", "  ln(x) + x\n  ^^^^^\n"),                          # the first node
    ("x^2 + 1/(x - 2) + x", "2", ["x (input)", "u1 = x^2", "u2 = x - 2"], "u3",
     "  x^2 + 1/(x - 2) + x\n        ^^^^^^^^^\n"),                                                 # the middle
    ("1/(x-2)", "2", ["x (input)", "u1 = x - 2"], "u2", "  1/(x-2)\n  ^^^^^^^\n"),                 # the last
    ("a = x - 1\nb = sqrt(a)\nb + 1", "0", ["x (input)", "a = x - 1"], "b", "  b = sqrt(a)\n      ^^^^^^^\n"),
])
def test_failure_at_the_first_middle_and_last_node(text, at, rows, stop, caret, monkeypatch):
    r = run(text, "--at", at, "--no-legend", columns=250, monkeypatch=monkeypatch)
    assert r.exit_code == 1 and r.stderr.startswith("error: ") and r.stderr.count("\n") == 1
    table = r.stdout.split("\n\n")[1].splitlines()[1:]
    assert [re.sub(r"^[ *✗]\s+", "", line).split("  ")[0] for line in table[:-1]] == rows
    assert table[-1].startswith(f"✗  {stop} = ")
    assert r.stdout.endswith(caret)
    assert f"\n✗ the trace stops at {stop}: {r.stderr[len('error: '):-1]}\n" in r.stdout


def test_a_kink_that_is_not_differentiable(monkeypatch):
    r = run("abs(x - 1)*x", "--at", "1", "--no-legend", columns=250, monkeypatch=monkeypatch)
    assert r.exit_code == 1
    assert r.stderr == ("error: f is not differentiable at x = 1: left derivative -1, right derivative 1 "
                        "(at u2 = abs(u1) where u1 = 0)\n")
    assert "\n✗  u2 = abs(u1)  0                      du2/dx: does not exist here\n" in r.stdout
    assert r.stdout.endswith("  abs(x - 1)*x\n  ^^^^^^^^^^\n")
    ok = run("x*abs(x)", "--at", "0", columns=250, monkeypatch=monkeypatch)  # differentiable at its kink: no stop
    assert ok.exit_code == 0 and "✗" not in ok.stdout


def test_reverse_mode_shows_the_forward_pass_before_the_stop(monkeypatch):
    r = run("1/(x-2)", "--at", "2", "--mode", "reverse", "--no-legend", columns=250, monkeypatch=monkeypatch)
    assert r.exit_code == 1 and "backward pass" not in r.stdout
    assert "forward pass: values and local partials\n" in r.stdout and "\n✗  u2 = 1/u1   undefined\n" in r.stdout
    assert "backward from the output to the inputs\n" in r.stdout


def test_failure_in_blocks(monkeypatch):
    r = run("sqrt(x - 1) + ln(x)", "--at", "0.5", "--no-legend", columns=40, monkeypatch=monkeypatch)
    assert r.exit_code == 1
    assert "\n✗ u2 = sqrt(u1) = undefined\n\n✗ the trace stops at u2: sqrt is\n  undefined in" in r.stdout
    assert all(len(line) <= 40 for line in r.stdout.splitlines())


def test_failure_as_json():
    r = runner.invoke(app, ["trace", "sqrt(x - 1) + ln(x)", "--at", "0.5", "--format", "json"])
    assert r.exit_code == 1 and error_text(r.stderr).startswith("error: sqrt is undefined")  # as JSON
    j = json.loads(r.stdout)
    assert (j["value"], j["derivative"]) == (None, None)
    assert [n["name"] for n in j["nodes"]] == ["x", "u1"]
    assert j["error"] == {"node": "u2", "expr": "sqrt(u1)", "value": None,
                          "message": "sqrt is undefined in u2 = sqrt(u1) with u1 = -0.5 (needs u1 ≥ 0)",
                          "span": [0, 11]}
    kink = json.loads(runner.invoke(app, ["trace", "abs(x - 1)*x", "--at", "1", "--format", "json", "--mode",
                                          "reverse"]).stdout)
    assert kink["gradient"] is None and kink["error"]["value"] == 0.0 and kink["error"]["node"] == "u2"


@pytest.mark.parametrize("fmt, shows", [
    ("latex", "&\\text{the trace stops at } u_{2}\\text{: sqrt is undefined in u2 = sqrt(u1) with u1 = -0.5 (needs "
              "u1 $\\geq$ 0)}\n\\end{aligned}\n\\]\n"),
    ("dot", '  "u2" [label="u2 = sqrt(u1) = undefined\\nstops here: sqrt is undefined in u2 = sqrt(u1) with u1 = '
            '-0.5 (needs u1 ≥ 0)", color="red", fontcolor="red", penwidth=2];\n  "u1" -> "u2" [style=dashed];\n}\n'),
    ("mermaid", "  n1 -.-> stop\n  classDef output stroke-width:3px\n  classDef differs stroke:#d97706,stroke-width:2px\n"
                "  classDef failed stroke:#dc2626,stroke-width:3px,color:#dc2626\n  class stop failed\n"),
])
def test_failure_in_the_other_formats(fmt, shows):
    r = runner.invoke(app, ["trace", "sqrt(x - 1) + ln(x)", "--at", "0.5", "--format", fmt, "--no-legend"])
    assert r.exit_code == 1 and r.stdout.endswith(shows)
    assert r.stderr == "error: sqrt is undefined in u2 = sqrt(u1) with u1 = -0.5 (needs u1 ≥ 0)\n"


def test_failed_dot_is_accepted_by_graphviz():
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed here")
    for text, at in (("sqrt(x - 1) + ln(x)", "0.5"), ("abs(x - 1)*x", "1")):
        out = runner.invoke(app, ["trace", text, "--at", at, "--format", "dot"]).stdout
        p = subprocess.run(["dot", "-Tsvg"], input=out, capture_output=True, text=True, timeout=60, check=False)
        assert p.returncode == 0 and not p.stderr, p.stderr


def test_the_library_trace_still_raises():
    """trace() raises as before; trace_until_failure() is the command's."""
    g = dcalc.compile("sqrt(x - 1) + ln(x)")
    with pytest.raises(dcalc.errors.MathError):
        trace(g, {"x": 0.5})
    t = trace_until_failure(g, {"x": 0.5})
    assert t.failure.name == "u2" and [r.name for r in t.rows()] == ["x", "u1"]
    assert trace_until_failure(g, {"x": 2.0}).failure is None


def test_errors_without_a_node_are_unchanged():
    r = runner.invoke(app, ["trace", "x + y", "--at", "x=1"])
    assert (r.exit_code, r.stdout) == (2, "")
    r = runner.invoke(app, ["trace", "1e200*x*x", "--at", "1e200"])  # an overflow of a value: pinned like a domain
    assert r.exit_code == 1 and "✗ the trace stops at" in r.stdout
