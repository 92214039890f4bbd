"""Several outputs (issue 14 item 4): `a*b, a+b` as the last statement; the Jacobian (grad), one formula per output
(diff), every output's value (eval), each output checked (check), traces per output and the vector–Jacobian product
of `trace --mode reverse --seed`. References: SymPy, central finite differences, the single-output modes."""

from __future__ import annotations

import json
import math

import pytest
import sympy as sp
from hypothesis import given, reject, settings
from hypothesis import strategies as st

import dcalc
from dcalc.app import main
from dcalc.core.printing import to_text
from dcalc.errors import DcalcError, MathError
from dcalc.language.expr import Apply, Assign, Define, Num, Outputs, Var
from dcalc.modes.evaluate import node_values
from dcalc.modes.jacobian import jacobian
from dcalc.output.trace import trace
from strategies import expressions


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---- the language -------------------------------------------------------------------------------------------------

def test_a_list_of_expressions_is_the_last_statement():
    (last,) = dcalc.parse("a*b, a+b").stmts
    assert last == Outputs((Apply("mul", (Var("a"), Var("b"))), Apply("add", (Var("a"), Var("b")))))


def test_a_list_of_names_after_statements():
    stmts = dcalc.parse("h1 = tanh(w1*x); loss = (h1 - y)^2; loss, h1").stmts
    assert [type(s) for s in stmts] == [Assign, Assign, Outputs]
    assert stmts[-1] == Outputs((Var("loss"), Var("h1")))


@pytest.mark.parametrize("text", [
    "atan2(x, y)",  # a call of two arguments, not two outputs
    "hypot(x, y)",
    "log(x, 2)",
    "f(a, b) = a*b; f(x, y)",  # a user function's call
    "f(a, b) = a*b\nf(x, y)",
])
def test_a_comma_inside_a_call_separates_arguments(text):
    last = dcalc.parse(text).stmts[-1]
    assert not isinstance(last, Outputs)
    assert len(dcalc.compile(text).outputs) == 1


def test_max_of_two_arguments_is_one_output_where_max_exists():
    from dcalc.core.ops import FUNCTION_NAMES
    if "max" not in FUNCTION_NAMES:
        pytest.skip("max arrives with prims14 (issue 14 item 3)")
    assert len(dcalc.compile("max(x, y)").outputs) == 1
    assert dcalc.compile("max(x, y), min(x, y)").labels == ["f1", "f2"]


@pytest.mark.parametrize("text, items", [
    ("x,\ny", 2),  # a new line after ',' goes on, as after an operator
    ("x, y, x*y", 3),
    ("atan2(x, y), hypot(x, y)", 2),
    ("a = x^2  # c\na, a + 1", 2),
])
def test_list_forms(text, items):
    assert len(dcalc.parse(text).stmts[-1].items) == items


@pytest.mark.parametrize("text", ["a*b, a+b", "loss = x^2; loss, x", "atan2(x, y), f(1, 2)", "x,\n y",
                                  "x, (y, z)", "x,", "a, b; c", "a = x, y"])
def test_fast_loop_and_lark_agree(text):
    from test_fast_parse import both

    from dcalc.core.ops import FUNCTION_NAMES
    fast, lark = both(text, FUNCTION_NAMES)
    assert fast == lark or (fast[0] == lark[0] == "error")


HINT_LIST = ("  hint: outputs separated by ',' stand alone as the last statement, without parentheses or '=': "
             "u = …; v = …; u, v\n")

ERRORS = [  # argv after `dcalc eval`, stderr exactly
    (["x,"], "error: unexpected end of input (expected a number, a name or '(')\n  x,\n    ^\n"
             "  hint: a ',' ends the list of outputs: remove it, or write the output after it\n"),
    (["x,,y"], "error: unexpected ',' (expected a number, a name or '(')\n  x,,y\n    ^\n"),
    ([", x"], "error: unexpected ',' (expected a number, a name, '(', ';' or the end)\n  , x\n  ^\n"),
    (["a, b; c"], "error: the value of 'a, b' is thrown away: only the last statement is the value of a program\n"
                  "  a, b; c\n  ^^^^\n  hint: assign it a name (v = …), or join the lines: a line that ends with an "
                  "operator goes on to the next\n"),
    (["a = x, y"], "error: unexpected ',' (expected ';' or the end)\n  a = x, y\n       ^\n" + HINT_LIST),
    (["(a, b)"], "error: unexpected ',' (expected ')')\n  (a, b)\n    ^\n" + HINT_LIST),
    (["g(a, b)"], "error: unexpected ',' (expected ')')\n  g(a, b)\n     ^\n"),  # as before (test_implicit.py)
    (["x, y = 2"], "error: unexpected '=' (expected ';' or the end)\n  x, y = 2\n       ^\n"),
    (["x, y, x"], "error: the output 'x' is listed twice\n  x, y, x\n        ^\n"),
]


@pytest.mark.parametrize("argv, err", ERRORS, ids=[a[0] for a, _ in ERRORS])
def test_syntax_errors(capsys, argv, err):
    code, out, got = run(capsys, "eval", *argv, "--at", "x=1,y=2,a=1,b=1,c=1")
    assert (code, out, got) == (2, "", err)


# ---- labels ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, labels", [
    ("r*cos(t), r*sin(t)", ["f1", "f2"]),
    ("h = tanh(w*x); loss = (h - y)^2; loss, h", ["loss", "h"]),
    ("x, x^2", ["x", "f1"]),
    ("f1 = x^2; f1 + 1, x*y", ["f2", "f3"]),  # never a user's name
    ("x*y, f2", ["f1", "f2"]),  # f2 is an input: the expression is f1, the name keeps its own
    ("f1*y, x", ["f2", "x"]),
    ("x*y, y*x", ["f1", "f2"]),  # one node (x*y is y*x), two outputs
])
def test_labels(text, labels):
    assert dcalc.compile(text).labels == labels


def test_an_expression_output_names_its_node():
    g = dcalc.compile("r*cos(t), r*sin(t)")
    assert [g.nodes[o].name for o in g.outputs] == ["f1", "f2"]
    g = dcalc.compile("a = x*y; x*y, a")  # the node is the user's a: it keeps that name
    assert [g.nodes[o].name for o in g.outputs] == ["a", "a"]


def test_part_is_the_program_of_one_output():
    g = dcalc.compile("a = x^2; b = sin(y); a + b, b*z")
    one = g.part(1)
    assert one.outputs == [one.output] and one.labels == ["f2"] and one.inputs == g.inputs
    assert [n.name for n in one.nodes] == ["x", "y", "z", "b", "f2"]
    alone = dcalc.compile("b = sin(y); b*z + 0*x")
    assert dcalc.evaluate(one, {"x": 1, "y": 2, "z": 3}) == dcalc.evaluate(alone, {"x": 1, "y": 2, "z": 3})


# ---- the Jacobian ---------------------------------------------------------------------------------------------

R, T, P, X, Y, W = sp.symbols("r t p x y w")
SYMPY = [  # text, SymPy outputs, point
    ("r*cos(t), r*sin(t)", [R * sp.cos(T), R * sp.sin(T)], {"r": 2.0, "t": 0.5}),
    ("r*sin(p)*cos(t), r*sin(p)*sin(t), r*cos(p)",
     [R * sp.sin(P) * sp.cos(T), R * sp.sin(P) * sp.sin(T), R * sp.cos(P)], {"r": 1.5, "p": 0.7, "t": -1.2}),
    ("h = tanh(w*x); loss = (h - y)^2; loss, h",
     [(sp.tanh(W * X) - Y) ** 2, sp.tanh(W * X)], {"w": 0.5, "x": 1.3, "y": 0.2}),
    ("x*y, exp(x)/y, x, 3", [X * Y, sp.exp(X) / Y, X, sp.Integer(3)], {"x": 0.3, "y": -2.0}),
    ("s = x + y; s^2, s^3, s^4, s^5, s^6", [(X + Y) ** k for k in range(2, 7)], {"x": 0.25, "y": 0.5}),
]


@pytest.mark.parametrize("text, outs, point", SYMPY, ids=[t for t, _, _ in SYMPY])
@pytest.mark.parametrize("mode", ["reverse", "forward", None])
def test_jacobian_against_sympy(text, outs, point, mode):
    g = dcalc.compile(text)
    jac = jacobian(g, node_values(g, point), g.inputs, mode)
    subs = {sp.Symbol(k): sp.Rational(repr(v)) for k, v in point.items()}
    for label, f in zip(g.labels, outs):
        for x in g.inputs:
            want = float(sp.diff(f, sp.Symbol(x)).subs(subs).evalf(40))
            assert math.isclose(jac[label][x], want, rel_tol=1e-14, abs_tol=1e-15), (label, x)


def test_the_jacobian_takes_the_fewer_passes(monkeypatch):
    """Two outputs of three variables: two reverse passes; five outputs of two variables: two forward passes."""
    import dcalc.modes.forward as forward
    import dcalc.modes.reverse as reverse
    calls = {"forward": 0, "reverse": 0}
    real_t, real_a = forward.tangents, reverse.adjoints

    def count(kind, f):
        def counted(*args, **kw):
            calls[kind] += 1
            return f(*args, **kw)
        return counted
    monkeypatch.setattr(forward, "tangents", count("forward", real_t))
    monkeypatch.setattr(reverse, "adjoints", count("reverse", real_a))
    g = dcalc.compile("x*y*z, x + y + z")
    jacobian(g, node_values(g, {"x": 1, "y": 2, "z": 3}), g.inputs)
    assert calls == {"forward": 0, "reverse": 2}
    calls.update(forward=0, reverse=0)
    g = dcalc.compile("s = x + y; s^2, s^3, s^4, s^5, s^6")
    jacobian(g, node_values(g, {"x": 1, "y": 2}), g.inputs)
    assert calls == {"forward": 2, "reverse": 0}


def test_one_output_jacobian_is_the_gradient():
    assert dcalc.jacobian("x*y + sin(x)", {"x": 1, "y": 2}) == {"f": dcalc.gradient("x*y + sin(x)", {"x": 1, "y": 2})}
    assert dcalc.jacobian("loss = x^2*y", {"x": 2, "y": 1}) == {"loss": {"x": 4.0, "y": 4.0}}
    assert dcalc.jacobian("x*y, x", {"x": 2, "y": 3}, wrt=["y", "q"]) == {"f1": {"y": 2.0, "q": 0.0},
                                                                             "x": {"y": 0.0, "q": 0.0}}


LITERALS = st.sampled_from([0.5, 2.0, 3.0]).map(Num)  # (a literal of 3e7 + x leaves a difference quotient no digits)
PAIRS = st.tuples(*[expressions(max_leaves=8, numbers_=LITERALS)] * 3)
COORDS = st.tuples(*[st.floats(0.2, 2.0)] * 3)


def _graph(exprs, xyz):
    text = ", ".join(f"({to_text(e)})" for e in exprs)
    point = dict(zip(("x", "y", "z"), xyz))
    try:
        g = dcalc.compile(text)
        if not g.inputs:
            reject()
        point = {x: point[x] for x in g.inputs}
        vals = node_values(g, point)
    except (MathError, DcalcError):
        reject()
    if any(abs(vals[o]) > 1e6 for o in g.outputs):
        reject()
    return g, point, vals


def _or_reject(f, *args):
    try:
        return f(*args)
    except MathError:
        reject()


@settings(max_examples=150)
@given(PAIRS, COORDS)
def test_reverse_and_forward_jacobians_agree(exprs, xyz):
    g, _, vals = _graph(exprs, xyz)
    rows = _or_reject(jacobian, g, vals, g.inputs, "reverse")
    cols = _or_reject(jacobian, g, vals, g.inputs, "forward")
    for label in g.labels:
        for x in g.inputs:
            assert cols[label][x] == pytest.approx(rows[label][x], rel=1e-9, abs=1e-9)


@settings(max_examples=150)
@given(PAIRS, COORDS)
def test_jacobian_against_central_differences(exprs, xyz):
    g, point, vals = _graph(exprs, xyz)
    jac = _or_reject(jacobian, g, vals, g.inputs)
    for k, label in enumerate(g.labels):
        one = g.part(k)
        for x in g.inputs:
            h = 1e-5 * (1 + abs(point[x]))

            def fd(step):
                up, down = dict(point, **{x: point[x] + step}), dict(point, **{x: point[x] - step})
                return (dcalc.evaluate(one, up) - dcalc.evaluate(one, down)) / (2 * step)
            try:
                coarse, fine = fd(h), fd(h / 2)
            except MathError:
                reject()
            if not math.isclose(coarse, fine, rel_tol=1e-4, abs_tol=1e-6):
                reject()  # not converged: a kink or a steep stretch nearby
            assert jac[label][x] == pytest.approx(fine, rel=1e-4, abs=1e-6)


@settings(max_examples=100)
@given(PAIRS, COORDS, st.tuples(*[st.floats(-3, 3)] * 3))
def test_seeded_reverse_pass_is_the_vector_jacobian_product(exprs, xyz, weights):
    g, point, vals = _graph(exprs, xyz)
    jac = _or_reject(jacobian, g, vals, g.inputs, "reverse")
    seed = dict(zip(g.labels, weights))
    t = _or_reject(trace, g, point, None, "reverse", seed)
    for x in g.inputs:
        want = math.fsum(seed[label] * jac[label][x] for label in g.labels)
        scale = sum(abs(seed[label] * jac[label][x]) for label in g.labels)
        assert t.gradient[x] == pytest.approx(want, rel=1e-9, abs=1e-12 * (1 + scale))


# ---- the commands ----------------------------------------------------------------------------------------------

POLAR = "r*cos(t), r*sin(t)"
AT = "r=2,t=0"


def test_eval(capsys):
    assert run(capsys, "eval", POLAR, "--at", AT) == (0, "f1 = 2\nf2 = 0\n", "")
    code, out, _ = run(capsys, "eval", POLAR, "--at", AT, "--json")
    assert json.loads(out) == {"at": {"r": 2.0, "t": 0.0}, "value": {"f1": 2.0, "f2": 0.0}}


def test_grad_text_is_a_labelled_matrix(capsys):
    assert run(capsys, "grad", POLAR, "--at", AT) == (0, "    ∂/∂r  ∂/∂t\nf1     1     0\nf2     0     2\n", "")


def test_grad_json(capsys):
    code, out, err = run(capsys, "grad", "h = tanh(w*x); loss = (h - y)^2; loss, h", "--at", "w=0,x=1,y=0.5")
    assert code == 0 and err == ""
    code, out, _ = run(capsys, "grad", "h = tanh(w*x); loss = (h - y)^2; loss, h", "--at", "w=0,x=1,y=0.5",
                       "--json")
    assert json.loads(out) == {"at": {"w": 0.0, "x": 1.0, "y": 0.5}, "value": {"loss": 0.25, "h": 0.0},
                               "jacobian": {"loss": {"w": -1.0, "x": -0.0, "y": 1.0},
                                            "h": {"w": 1.0, "x": 0.0, "y": 0.0}}}


def test_grad_wrt_and_direction(capsys):
    code, out, _ = run(capsys, "grad", POLAR, "--at", AT, "--wrt", "t", "--json")
    assert json.loads(out)["jacobian"] == {"f1": {"t": -0.0}, "f2": {"t": 2.0}}
    # --direction: every output's derivative along it, J·d (one forward pass)
    assert run(capsys, "grad", POLAR, "--at", AT, "--direction", "r=1,t=0.5") == (0, "f1 = 1\nf2 = 1\n", "")


def test_one_output_is_unchanged(capsys):
    assert run(capsys, "grad", "x*y", "--at", "x=1,y=2", "--json")[1] == \
        '{"at": {"x": 1.0, "y": 2.0}, "value": 2.0, "gradient": {"x": 2.0, "y": 1.0}}\n'
    assert run(capsys, "eval", "x*y", "--at", "x=1,y=2")[1] == "2\n"


def test_diff_one_formula_per_output(capsys):
    assert run(capsys, "diff", POLAR, "--wrt", "t", "--at", AT) == (
        0, "∂f1/∂t = -r*sin(t)\n∂f2/∂t = r*cos(t)\nat r = 2, t = 0: ∂f1/∂t = 0\nat r = 2, t = 0: ∂f2/∂t = 2\n", "")
    assert run(capsys, "diff", POLAR, "--wrt", "t,t,r")[1] == "∂³f1/∂r∂t² = -cos(t)\n∂³f2/∂r∂t² = -sin(t)\n"
    assert run(capsys, "diff", "x^3, x", "--order", "2")[1] == "∂²f1/∂x² = 6x\n∂²x/∂x² = 0\n"


def test_check_each_output(capsys):
    code, out, err = run(capsys, "check", POLAR, "--at", "r=2,t=0.5", "--json")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["output"] for r in records] == ["f1", "f2"] and all(r["ok"] for r in records)
    code, out, _ = run(capsys, "check", POLAR, "--at", "r=2,t=0.5")
    assert code == 0 and out.startswith("output f1:\nat r = 2, t = 0.5\n") and "∂f2/∂t" in out


def test_check_fails_naming_the_output(capsys, tamper):
    tamper("sin", (lambda a: a,))  # a wrong rule: only the finite difference can tell
    code, out, err = run(capsys, "check", POLAR, "--at", "r=2,t=0.5")
    assert code == 3 and "∂f2/∂t:" in err and "f1" not in err


def test_trace_seed_is_the_vector_jacobian_product(capsys):
    code, out, err = run(capsys, "trace", POLAR, "--at", "r=2,t=0.5", "--mode", "reverse", "--seed", "f1=1,f2=0.5",
                         "--format", "json")
    assert code == 0 and err == ""
    rec = json.loads(out)
    assert rec["seed"] == {"f1": 1.0, "f2": 0.5}
    jac = dcalc.jacobian(POLAR, {"r": 2, "t": 0.5})
    assert rec["gradient"] == pytest.approx({x: jac["f1"][x] + 0.5 * jac["f2"][x] for x in ("r", "t")}, rel=1e-15)
    # every adjoint is its seed plus the sum over its readers (DESIGN's law, with the seeds)
    nodes = {n["name"]: n for n in rec["nodes"]}
    for name, n in nodes.items():
        readers = [m["adjoint"] * m["partials"][name] for m in nodes.values() if name in m.get("partials", {})]
        assert n["adjoint"] == pytest.approx(n.get("seed", 0.0) + math.fsum(readers), rel=1e-15)


def test_trace_seed_when_one_output_reads_another(capsys):
    code, out, _ = run(capsys, "trace", "h = tanh(w*x); loss = (h - y)^2; loss, h", "--at", "w=0.5,x=1,y=0.2",
                       "--mode", "reverse", "--seed", "h=2", "--no-legend")
    assert code == 0
    assert "= seed + ū2·∂u2/∂h = 2 + 0·1 = 2\n" in out  # loss weighs 0: the seed alone reaches h
    assert "= 0 (its seed)\n" in out
    assert "w̄ = 0·∂loss/∂w + 2·∂h/∂w = 1.5728954659318548\n" in out


def test_trace_without_seed_traces_each_output(capsys):
    code, out, _ = run(capsys, "trace", POLAR, "--at", AT, "--wrt", "t", "--format", "json")
    recs = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [(r["output"], r["derivative"]) for r in recs] == [("f1", -0.0), ("f2", 2.0)]
    code, out, _ = run(capsys, "trace", POLAR, "--at", AT, "--wrt", "t")
    assert code == 0 and "∂f1/∂t = 0\n" in out and "∂f2/∂t = 2\n" in out


REFUSED = [  # argv, stderr (--order, --hessian, --points, --expect and diff's formats act: tests/test_several.py)
    (["trace", POLAR, "--at", AT, "--seed", "f1=1"],
     "error: --seed f1=1 weighs the outputs' adjoints: use it with --mode reverse\n"),
    (["trace", POLAR, "--at", AT, "--mode", "reverse", "--seed", "g=1"],
     "error: --seed g=1: the program has no output 'g'; its outputs: f1, f2\n"),
    (["trace", POLAR, "--at", AT, "--mode", "reverse", "--seed", "f1=1,f1=2"],
     "error: --seed f1=1,f1=2: 'f1' is given twice\n"),
    (["trace", POLAR, "--at", AT, "--mode", "reverse", "--seed", "f1"],
     "error: --seed f1: expected output=weight, got 'f1' (the outputs: f1, f2)\n"),
    (["trace", POLAR, "--mode", "reverse", "--seed", "f1=1"],
     "error: --seed f1=1 traces the numbers at a point: give one with --at\n"),
    (["trace", POLAR, "--mode", "reverse", "--format", "mermaid", "--wrt", "t"],
     "error: --format mermaid works with one output, and the program has 2 (f1, f2) (without --at a drawing follows "
     "one output's formulas): list one output, or leave --format mermaid out\n"),
    (["trace", POLAR, "--at", AT, "--mode", "reverse", "--seed", "f1=1", "--formulas"],
     "error: --formulas shows one output's derivation beside its numbers; a trace with --seed shows the numbers: "
     "leave --formulas out, or trace each output (no --seed)\n"),
    (["trace", POLAR, "--format", "dot", "--wrt", "t"],
     "error: --format dot works with one output, and the program has 2 (f1, f2) (without --at a drawing follows one "
     "output's formulas): list one output, or leave --format dot out\n"),
    (["trace", POLAR, "--at", AT, "--format", "dot", "--mode", "reverse"],
     "error: --format dot draws one graph: in reverse mode it starts from the outputs' seeds, so give them with "
     "--seed (f1=1,f2=1), or use forward mode, where every output's tangent is drawn\n"),
    (["trace", POLAR, "--at", AT, "--paths", "--wrt", "t", "--mode", "reverse", "--seed", "f1=1"],
     "error: --paths lists the paths to each output, --seed f1=1 weighs one backward pass: leave one of them out\n"),
    (["trace", POLAR, "--at", AT, "--paths", "--wrt", "t", "--format", "dot"],
     "error: --paths writes text or json, not dot\n"),
    (["trace", "x^2", "--at", "1", "--mode", "reverse", "--seed", "f=1"],
     "error: --seed f=1: the seeds weigh several outputs, and the program has one: leave --seed out (its adjoints "
     "start from 1)\n"),
]


@pytest.mark.parametrize("argv, err", REFUSED, ids=[" ".join(a[2:]) for a, _ in REFUSED])
def test_refusals(capsys, argv, err):
    assert run(capsys, *argv) == (2, "", err)


def test_math_errors_name_the_output(capsys):
    assert run(capsys, "grad", "x^2, abs(x)", "--at", "0") == (
        1, "", "error: f2 is not differentiable at x = 0: left derivative -1, right derivative 1 (at f2 = abs(x) "
               "where x = 0)\n")
    code, out, err = run(capsys, "eval", "x, 1/x", "--at", "0")
    assert (code, out) == (1, "") and err.startswith("error: division by zero in f1 = 1/x")


def test_api_refuses_one_output_functions():
    for call in (lambda: dcalc.gradient(POLAR, {"r": 1, "t": 0}), lambda: dcalc.derivative(POLAR, {"r": 1, "t": 0}, "r"),
                 lambda: dcalc.diff(POLAR, "r")):
        with pytest.raises(DcalcError, match="the program has 2 .f1, f2.: use"):
            call()
    with pytest.raises(DcalcError, match="a trace of several outputs .f1, f2. is the reverse one of seed"):
        dcalc.trace(POLAR, {"r": 1, "t": 0}, "r")
    assert dcalc.evaluate(POLAR, {"r": 2, "t": 0}) == {"f1": 2.0, "f2": 0.0}


def test_defined_functions_and_outputs():
    g = dcalc.compile("sq(a) = a*a; sq(x), sq(y)")
    assert isinstance(dcalc.parse("sq(a) = a*a; sq(x), sq(y)").stmts[0], Define)
    assert dcalc.jacobian(g, {"x": 3, "y": 4}) == {"f1": {"x": 6.0, "y": 0.0}, "f2": {"x": 0.0, "y": 8.0}}


def test_a_trace_stops_at_the_failing_output(capsys):
    code, out, err = run(capsys, "trace", "1/x, x", "--at", "0", "--no-legend")
    assert code == 1 and err == "error: division by zero in f1 = 1/x with x = 0\n"
    assert "✗  f1 = 1/x   undefined" in out and out.endswith("  1/x, x\n  ^^^\n")


def test_parse_prints_the_list(capsys):
    assert run(capsys, "parse", "a = x(x+1); a, 2x y") == (0, "a = x*(x + 1); a, (2*x)*y\n", "")


def test_unused_definitions_are_noted_with_a_list(capsys):
    assert run(capsys, "eval", "a = x; b = 2; a, x", "--at", "1") == (
        0, "a = 1\nx = 1\n", "note: 'b' is defined but never used, so it is not evaluated\n")


def test_a_seeded_trace_that_stops_lists_the_outputs(capsys):
    code, out, err = run(capsys, "trace", "1/x, x", "--at", "0", "--mode", "reverse", "--seed", "f1=1", "--no-legend")
    assert (code, err) == (1, "error: division by zero in f1 = 1/x with x = 0\n")
    assert out.startswith("f1 = 1/x\noutputs: f1, x\n")


@pytest.mark.parametrize("argv, err", [
    (["eval", "x", "--at", "x=1,5"], "error: --at x=1,5: expected name=value, got '5'\n"),  # the point's own split
    (["eval", "x", "--at", "(1,5)"], "error: --at (1,5): unexpected ',' (expected ')')\n  (1,5)\n    ^\n"),
    (["eval", "x", "--at", "1", "--expect", "(1),5"], "error: --expect: unexpected ',' (expected '=', ';' or the "
                                                      "end)\n  (1),5\n     ^\n"),
    (["eval", "x", "--at", "1", "--expect", "1+2,5"], "error: --expect: unexpected ',' (expected '=', ';' or the "
                                                      "end)\n  1+2,5\n     ^\n"),
])
def test_a_value_is_never_a_list(capsys, argv, err):
    """A value (--at, --expect, a CSV cell) is one expression: `1,5` is an error, never the first item, 1."""
    assert run(capsys, *argv) == (2, "", err)

