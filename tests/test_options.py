"""Every option of every command either acts or is refused (exit 2, a message saying why), and `trace` works for
every function spelling in every format, once per --at, with --wrt in reverse mode too."""

from __future__ import annotations

import json

import pytest
import typer

import dcalc
from dcalc.app import app
from dcalc.commands import exits
from dcalc.core.ops import FUNCTIONS, OPS
from dcalc.core.printing import number_text
from dcalc.output.render_trace import FORMATS
from dcalc_proc import call

# ---- trace: every function spelling × every format × both modes ----------------------------------------------------


def _spelling_case(name: str, arity: int):
    """`name(x)` or `name(x, y)` at a point inside the sample domain of the op the spelling means."""
    op = OPS[FUNCTIONS[(name, arity)]]
    values = [lo + 0.37 * (hi - lo) for lo, hi in op.sample]
    if arity == 1:
        return f"{name}(x)", {"x": values[0]}, op
    return f"{name}(x, y)", {"x": values[0], "y": values[1]}, op


SPELLINGS = sorted(FUNCTIONS)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "svg"])  # svg is the dot drawing through Graphviz
@pytest.mark.parametrize("name, arity", SPELLINGS, ids=[f"{n}/{a}" for n, a in SPELLINGS])
def test_every_function_spelling_traces_in_every_format(name, arity, fmt, mode):
    text, point, op = _spelling_case(name, arity)
    at = ",".join(f"{k}={v!r}" for k, v in point.items())
    code, out, err = call(["trace", text, "--at", at, "--wrt", "x", "--mode", mode, "--format", fmt])
    assert (code, err) == (0, ""), (text, fmt, mode)
    d = dcalc.derivative(text, point, "x")
    value = dcalc.evaluate(text, point)
    lines = out.splitlines()
    if fmt == "json":
        t = json.loads(out)
        assert (t["value"], t["derivative"], t["mode"], t["wrt"]) == (value, d, mode, "x")
        (node,) = [n for n in t["nodes"] if n["kind"] == "node"]
        assert node["inputs"] == list(point) and node["partials"]["x"] == d
    elif fmt == "latex":
        head = op.latex.format(a="x", b="y")  # the table's own notation for the op the spelling means
        args = "x" if arity == 1 else "x, y"
        assert lines[:2] == ["\\[", "\\begin{aligned}"] and lines[-2:] == ["\\end{aligned}", "\\]"]
        assert lines[2] == f"f\\left({args}\\right) &= {head} \\\\"
        dfdx = "\\frac{df}{dx}" if arity == 1 else "\\frac{\\partial f}{\\partial x}"
        assert any(line.startswith(dfdx) and line.removesuffix(" \\\\").endswith(f"&= {_latex_number(d)}")
                   for line in lines), out
    elif fmt == "text":
        df = "df/dx" if arity == 1 else "∂f/∂x"
        tail = f"= x̄ = {number_text(d)}" if mode == "reverse" else f"= {number_text(d)}"
        assert any(line.startswith(df) and line.endswith(tail) for line in lines), out
    elif fmt == "markdown":
        df = "df/dx" if arity == 1 else "∂f/∂x"
        tail = f"= x̄ = {number_text(d)}`" if mode == "reverse" else f"= {number_text(d)}`"
        assert lines[:2] == ["$$", "\\begin{aligned}"] and "| `u1 = " in out and f"` | {number_text(value)} |" in out
        assert any(line.startswith(f"- `{df}") and line.endswith(tail) for line in lines), out
    elif fmt == "dot":
        assert lines[0] == "digraph trace {" and lines[-1] == "}"
        assert f"du1/dx = {number_text(d)}" in out
    else:
        where = at.replace("=", " = ").replace(",", ", ")
        assert lines[0] == "---" and lines[1].startswith(f'title: "f({", ".join(point)}) = ')
        assert lines[1].endswith(f' at {where} ({mode} mode, d/dx{", adjoints" if mode == "reverse" else ""})"')
        assert lines[3] == "flowchart LR" and f"du1/dx = {number_text(d)}" in out


def _latex_number(v: float) -> str:
    from dcalc.symbolic.latex import number_latex
    return number_latex(v)


@pytest.mark.parametrize("text, out", [
    ("log(x)", "f\\left(x\\right) &= \\ln\\left(x\\right) \\\\"),
    ("log(x, 3)", "f\\left(x\\right) &= \\log_{3}\\left(x\\right) \\\\"),
    ("pow(x, 3)", "f\\left(x\\right) &= x^{3} \\\\"),
    ("2pow(2, x)", "f\\left(x\\right) &= 2 \\cdot 2^{x} \\\\"),
    ("a = log(x); a + log(a + 3, 2)", "a &= \\ln\\left(x\\right) \\\\"),
])
def test_function_spellings_in_latex_exactly(text, out):
    code, stdout, err = call(["trace", text, "--at", "2", "--format", "latex"])
    assert (code, err) == (0, "")
    assert stdout.splitlines()[2] == out


def test_trace_log_x_latex_of_the_issue():
    code, out, err = call(["trace", "log(x)", "--at", "2", "--format", "latex", "--no-legend"])
    assert (code, err) == (0, "")
    assert out == (
        "\\[\n"
        "\\begin{aligned}\n"
        "f\\left(x\\right) &= \\ln\\left(x\\right) \\\\\n"
        "&\\text{at } x = 2 \\\\\n"
        "x &= 2 \\\\\n"
        "\\frac{d x}{dx} &= 1 \\\\\n"
        "u_{1} &= \\ln\\left(x\\right) = 0.6931471805599453 \\\\\n"
        "\\frac{\\partial u_{1}}{\\partial x} &= \\frac{1}{x} = 0.5 \\\\\n"
        "\\frac{d u_{1}}{dx} &= \\frac{\\partial u_{1}}{\\partial x} = \\frac{1}{x} = 0.5 \\\\\n"  # formula, number
        "f\\left(2\\right) &= 0.6931471805599453 \\\\\n"
        "\\frac{df}{dx} &= 0.5\n"
        "\\end{aligned}\n"
        "\\]\n")


# ---- trace: one trace per --at, in order ---------------------------------------------------------------------------


def _one(fmt: str, at: str, *more: str) -> str:
    code, out, err = call(["trace", "x^3", "--at", at, "--format", fmt, *more])
    assert (code, err) == (0, "")
    return out


@pytest.mark.parametrize("fmt", ["text", "json", "latex", "markdown"])
@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_trace_gives_one_trace_per_point_in_order(fmt, mode):
    code, out, err = call(["trace", "x^3", "--at", "2", "--at", "1", "--at", "-0.5", "--format", fmt, "--mode", mode])
    assert (code, err) == (0, "")
    each = [_one(fmt, at, "--mode", mode) for at in ("2", "1", "-0.5")]
    assert out == ("" if fmt == "json" else "\n").join(each)
    if fmt == "json":  # one object per line, one line per point
        assert [json.loads(line)["derivative"] for line in out.splitlines()] == [12.0, 3.0, 0.75]


@pytest.mark.parametrize("fmt", ["dot", "mermaid", "svg"])
def test_a_graph_format_draws_one_point_and_refuses_more(fmt):
    assert call(["trace", "x^3", "--at", "2", "--at", "1", "--format", fmt]) == (
        2, "", f"error: --format {fmt} draws the graph at one point, and 2 were given: give one --at, or use text, "
               "json, latex or markdown for a trace per point\n")
    if fmt != "svg":  # svg needs Graphviz: tests/test_paste.py
        assert _one(fmt, "2").count("\n") > 3


def test_trace_checks_every_point_before_it_writes():
    code, out, err = call(["trace", "x^3", "--at", "2", "--at", "x=1,q"])
    assert (code, out) == (2, "") and err.startswith("error: --at x=1,q: expected name=value, got 'q'")


# ---- trace --mode reverse --wrt: nodes carry derivatives too ----------------------------------------------------------

REVERSE_WRT = """\
f(x, y) = (x*y) + x
at x = 2, y = 3; reverse mode: values and derivatives d/dy forward, then adjoints ū = df/du backward from ū2 = 1 to the inputs

forward pass: values, local partials and total derivatives d/dy
   node         value  local partials                  total derivative d/dy
   x (input)    2                                      dx/dy = 0
   y (input)    3                                      dy/dy = 1
   u1 = x*y     6      ∂u1/∂x = y = 3, ∂u1/∂y = x = 2  du1/dy = ∂u1/∂x·dx/dy + ∂u1/∂y = x = 3·0 + 2 = 2
*  u2 = u1 + x  8      ∂u2/∂u1 = 1, ∂u2/∂x = 1         du2/dy = ∂u2/∂u1·du1/dy + ∂u2/∂x·dx/dy = x = 1·2 + 1·0 = 2

backward pass: adjoints, each the total derivative df/du, the sum over the nodes that read u
adjoint  sum over the readers
ū2       = 1 (the output: df/df)
ū1       = ū2·∂u2/∂u1 = 1·1 = 1
ȳ        = ū1·∂u1/∂y = x = 1·2 = 2
x̄        = ū1·∂u1/∂x + ū2·∂u2/∂x = y + 1 = 1·3 + 1·1 = 4

f(2, 3) = 8
∂f/∂x = x̄ = 4
∂f/∂y = ȳ = 2
"""


def test_reverse_trace_with_wrt_shows_the_derivatives(monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # the tables
    assert call(["trace", "x*y + x", "--at", "x=2,y=3", "--mode", "reverse", "--wrt", "y", "--no-legend"]) == (
        0, REVERSE_WRT, "")
    code, out, _ = call(["trace", "x*y + x", "--at", "x=2,y=3", "--mode", "reverse"])
    assert code == 0 and "d/dy" not in out and "forward pass: values and local partials\n" in out


def test_reverse_trace_with_wrt_in_latex():
    code, out, err = call(["trace", "x*y + x", "--at", "x=2,y=3", "--mode", "reverse", "--wrt", "y",
                           "--format", "latex"])
    assert (code, err) == (0, "")
    assert "\\frac{d u_{2}}{dy} &= \\frac{\\partial u_{2}}{\\partial u_{1}} \\frac{d u_{1}}{dy} + " \
           "\\frac{\\partial u_{2}}{\\partial x} \\frac{d x}{dy} = x = 1 \\cdot 2 + 1 \\cdot 0 = 2 \\quad (\\ast) \\\\\n" in out
    assert "\\overline{x} &= " in out
    assert out.endswith("f\\left(2, 3\\right) &= 8 \\\\\n\\frac{\\partial f}{\\partial x} &= 4 \\\\\n"
                        "\\frac{\\partial f}{\\partial y} &= 2\n\\end{aligned}\n\\]\n")


# ---- the audit: every option of every command acts or is refused -----------------------------------------------------

CSV = b"x\n1\n2\n"

# (command line without the option, the same with it, standard input): the option must change the outcome
ACTS = [
    (["eval", "x/3"], ["--at", "1"], b""),
    (["eval", "x/3", "--at", "1"], ["--json"], b""),
    (["eval", "x/3", "--at", "1"], ["--digits", "3"], b""),
    (["eval", "x/3", "--at", "1"], ["--format", "json"], b""),
    (["eval", "x/3", "--at", "1"], ["--expect", "0.5"], b""),
    (["eval", "x/3", "--at", "1", "--expect", "0.3334"], ["--tol", "1e-3"], b""),
    (["eval", "x/3"], ["--points", "-"], CSV),
    (["eval", "x/3", "--points", "-"], ["--format", "csv"], CSV),
    (["eval", "x*y", "--points", "-"], ["--delimiter", "|"], b"x|y\n1|2\n"),
    (["eval", "x/3", "--points", "-"], ["--reduce", "mean"], CSV),
    (["grad", "x*y + x"], ["--at", "x=2,y=3"], b""),
    (["grad", "x*y + x", "--at", "x=2,y=3"], ["--wrt", "y"], b""),
    (["grad", "x*y + x", "--at", "x=2,y=3"], ["--direction", "x=1"], b""),
    (["grad", "x*y + x^3", "--at", "x=2,y=3", "--wrt", "x"], ["--order", "2"], b""),
    (["grad", "x*y + x^3", "--at", "x=2,y=3", "--direction", "x=1,y=1"], ["--order", "2"], b""),
    (["grad", "x*y + x", "--at", "x=2,y=3"], ["--hessian"], b""),
    (["grad", "x*y + x", "--at", "x=2,y=3"], ["--json"], b""),
    (["grad", "x/3", "--at", "1"], ["--digits", "2"], b""),
    (["grad", "x/3", "--at", "1"], ["--format", "json"], b""),
    (["grad", "x/3", "--at", "1"], ["--expect", "0.5"], b""),
    (["grad", "x/3", "--at", "1", "--expect", "0.3334"], ["--tol", "1e-3"], b""),
    (["grad", "x/3"], ["--points", "-"], CSV),
    (["grad", "x/3", "--points", "-"], ["--format", "csv"], CSV),
    (["grad", "x*y", "--points", "-"], ["--delimiter", "|"], b"x|y\n1|2\n"),
    (["grad", "x/3", "--points", "-"], ["--reduce", "sum"], CSV),
    (["trace", "x^3"], ["--at", "2"], b""),
    (["trace", "x^3", "--at", "2"], ["--at", "1"], b""),
    (["trace", "x*y", "--at", "x=2,y=3", "--mode", "reverse"], ["--wrt", "y"], b""),
    (["trace", "x*y", "--at", "x=2,y=3", "--wrt", "y"], ["--mode", "reverse"], b""),
    (["trace", "x^3", "--at", "2"], ["--format", "json"], b""),
    (["trace", "x/3", "--at", "1"], ["--digits", "3"], b""),
    (["trace", "x/3", "--at", "1"], ["--no-legend"], b""),
    (["trace", "x + x^2"], ["--paths"], b""),
    (["trace", "x*x^2", "--paths", "--at", "2"], ["--max-paths", "1"], b""),
    (["trace", "x^3", "--at", "2"], ["--no-formulas"], b""),
    (["trace", "x^3", "--at", "2", "--no-formulas"], ["--formulas"], b""),
    (["diff", "x^3*y", "--wrt", "x"], ["--order", "2"], b""),
    (["diff", "x^3*y"], ["--wrt", "y"], b""),
    (["diff", "x^3"], ["--format", "latex"], b""),
    (["diff", "x^3"], ["--format", "markdown"], b""),
    (["diff", "x^3", "--format", "latex"], ["--latex-delims", "dollars"], b""),
    (["trace", "x^3", "--at", "2", "--format", "latex"], ["--latex-delims", "none"], b""),
    (["trace", "x^3", "--at", "2"], ["--format", "markdown"], b""),
    (["diff", "x^3"], ["--at", "2"], b""),
    (["diff", "x^3"], ["--json"], b""),
    (["diff", "x^3"], ["--format", "python"], b""),
    (["check", "x^3"], ["--at", "2"], b""),
    (["check", "x^3*y", "--at", "x=2,y=1"], ["--wrt", "y"], b""),
    (["check", "x^3", "--at", "2", "--json"], ["--tol", "1e-3"], b""),
    (["check", "x^3", "--at", "2"], ["--json"], b""),
    (["check", "x/3", "--at", "2"], ["--digits", "3"], b""),
    (["check", "x^3", "--at", "2"], ["--format", "json"], b""),
    (["check", "x^3"], ["--points", "-"], CSV),
    (["check", "x^3", "--points", "-"], ["--format", "csv"], CSV),
    (["check", "x*y", "--points", "-"], ["--delimiter", "|"], b"x|y\n1|2\n"),
    # issue 14: --strict makes a note on how the text was read an error
    (["eval", "sinx", "--at", "1"], ["--strict"], b""),
    (["grad", "1/2x", "--at", "1"], ["--strict"], b""),
    (["diff", "1/2x"], ["--strict"], b""),
    (["trace", "xy + x + y", "--at", "x=1,y=2,xy=3"], ["--strict"], b""),
    (["check", "pix", "--at", "1"], ["--strict"], b""),
    (["parse", "cos2x"], ["--strict"], b""),
    (["parse", "x(x+1)"], ["--json"], b""),
    (["functions"], ["--json"], b""),
    # issue 14 item 4: several outputs, reverse mode seeded (tests/test_outputs.py has its refusals)
    (["trace", "x*y, x+y", "--at", "x=2,y=3", "--mode", "reverse"], ["--seed", "f1=1,f2=2"], b""),
]

# an option that would have no effect in this combination: refused, exit 2, the message saying why
REFUSED = [
    (["eval", "x/3", "--at", "1", "--json", "--digits", "3"],
     "error: --digits 3 shapes text output; --format json writes every number exactly as its double\n"),
    (["eval", "x/3", "--points", "-", "--format", "csv", "--digits", "3"],
     "error: --digits 3 shapes text output; --format csv writes every number exactly as its double\n"),
    (["grad", "x/3", "--at", "1", "--json", "--digits", "3"],
     "error: --digits 3 shapes text output; --format json writes every number exactly as its double\n"),
    (["grad", "x*y", "--at", "x=1,y=2", "--hessian", "--json", "--digits", "3"],
     "error: --digits 3 shapes text output; --format json writes every number exactly as its double\n"),
    (["check", "x/3", "--at", "1", "--format", "json", "--digits", "3"],
     "error: --digits 3 shapes text output; --format json writes every number exactly as its double\n"),
    (["eval", "x/3", "--at", "1", "--tol", "0.5"], "error: --tol 0.5 is the tolerance of --expect: use it with --expect\n"),
    (["grad", "x/3", "--at", "1", "--tol", "1e-3"],
     "error: --tol 0.001 is the tolerance of --expect: use it with --expect\n"),
    (["grad", "x*y", "--at", "x=1,y=2", "--direction", "x=1", "--wrt", "y"],
     "error: --wrt y and --direction x=1 do not go together: a directional derivative moves every variable along "
     "the direction (leave a variable out of it to hold it still)\n"),
    (["grad", "x*y", "--at", "x=1,y=2", "--direction", "x=1", "--wrt", "x", "--order", "2"],
     "error: --wrt x and --direction x=1 do not go together: a directional derivative moves every variable along "
     "the direction (leave a variable out of it to hold it still)\n"),
    (["grad", "x*y", "--at", "x=1,y=2", "--hessian", "--direction", "x=1,y=1"],
     "error: --hessian and --direction x=1,y=1 do not go together: the second derivative along a direction is "
     "--order 2 --direction x=1,y=1\n"),
    (["grad", "x*y", "--at", "x=1,y=2", "--hessian", "--order", "2"],
     "error: --order and --hessian do not go together: the Hessian is of order 2\n"),
    (["grad", "x/3", "--points", "-", "--order", "2"],
     "error: --points works with gradients, not with --direction, --order or --hessian\n"),
    (["grad", "x/3", "--at", "1", "--hessian", "--expect", "1"],
     "error: --expect works with gradients, not with --direction, --order or --hessian\n"),
    (["eval", "x/3", "--at", "1", "--format", "csv"],
     "error: --format csv writes one row per point of a batch: use it with --points FILE\n"),
    (["eval", "x/3", "--at", "1", "--reduce", "mean"],
     "error: --reduce mean shapes a batch of points: use it with --points FILE\n"),
    (["grad", "x/3", "--at", "1", "--delimiter", ";"],
     "error: --delimiter ; shapes a batch of points: use it with --points FILE\n"),
    (["grad", "x/3", "--points", "-", "--reduce", "sum", "--format", "csv"],
     "error: --reduce sum gives one result, not a row per point: use text or --json, not --format csv\n"),
    (["trace", "x^3", "--at", "2", "--at", "1", "--format", "dot"],
     "error: --format dot draws the graph at one point, and 2 were given: give one --at, or use text, json, latex or "
     "markdown for a trace per point\n"),
    (["diff", "x^3", "--latex-delims", "dollars"],
     "error: --latex-delims dollars marks LaTeX's display math: use it with --format latex\n"),
    (["trace", "x^3", "--at", "2", "--format", "markdown", "--latex-delims", "none"],
     "error: --latex-delims none marks LaTeX's display math: use it with --format latex\n"),
    (["trace", "x*y", "--at", "x=1,y=2", "--wrt", "x,y"],
     "error: --wrt x,y: trace follows one variable; for the whole gradient use --mode reverse\n"),
]


@pytest.mark.parametrize("without, option, stdin", ACTS, ids=[" ".join(w[:1] + o) for w, o, _ in ACTS])
def test_an_option_acts(without, option, stdin):
    before, after = call(without, stdin), call(without + option, stdin)
    assert after != before, (without, option, after)
    refusal = option == ["--strict"]  # it acts by refusing: a note becomes the error (exit 2)
    assert after[0] in ((2,) if refusal else (0, 3)) and "internal error" not in after[2]


@pytest.mark.parametrize("argv, err", REFUSED, ids=[" ".join(a) for a, _ in REFUSED])
def test_an_option_without_effect_is_refused(argv, err):
    code, out, got = call(argv, CSV)
    if exits.json_asked(argv):  # asked for JSON: the error is one JSON object (tests/test_json_out.py)
        obj = json.loads(got)
        assert (obj["kind"], obj["exit_code"]) == ("usage", 2)
        got = f"error: {obj['error']}\n"
    assert (code, out, got) == (2, "", err)


def test_every_option_of_every_command_is_in_the_audit():
    """A new option must join ACTS (and REFUSED where it would be ignored): the audit covers them all."""
    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        # a hidden option is kept for old scripts and documented as doing nothing (--ignore-extra)
        options = {o for p in command.params if p.param_type_name == "option" and not p.hidden for o in p.opts}
        options -= {"--help", "-h"}
        tested = {a for w, o, _ in ACTS if w[0] == name for a in o if a.startswith("--")}
        assert options <= tested, (name, options - tested)


def test_directional_second_derivative_is_order_2_along_the_direction():
    """The refusal of --hessian --direction points to --order 2 --direction: dᵀHd, checked against the Hessian."""
    code, out, err = call(["grad", "x*y + x^3", "--at", "x=2,y=3", "--order", "2", "--direction", "x=1,y=-2"])
    assert (code, err) == (0, "")
    code, h, _ = call(["grad", "x*y + x^3", "--at", "x=2,y=3", "--hessian", "--json"])
    hess = json.loads(h)["hessian"]
    d = {"x": 1.0, "y": -2.0}
    assert float(out) == sum(d[a] * hess[a][b] * d[b] for a in d for b in d) == 8.0
