"""Code out (`dcalc diff --format python|numpy|c|js`): the generated function is run (Python and NumPy here, C with
the system compiler, JavaScript with node, where those are installed) and must agree with dcalc's own numbers —
reverse mode (`dcalc grad`) for first derivatives, Taylor mode and the Hessian for higher and mixed ones — to rounding.
Every function of the primitive table is written in every language, or refused with a clear error."""

from __future__ import annotations

import math
import shutil
import subprocess

import numpy as np
import pytest

from dcalc.commands.options import read_program
from dcalc.core.graph import lower
from dcalc.core.ops import CODE, OPS
from dcalc.modes.evaluate import node_values
from dcalc.modes.hessian import hessian
from dcalc.modes.reverse import gradient
from dcalc.modes.taylor import nth_derivative
from dcalc.symbolic.codegen import LANGUAGES, writable
from dcalc_proc import call

# Functions a language has no way to compute (dcalc refuses them there, with the languages that can)
NOT_WRITABLE = {("erf", "js"), ("erfc", "js"), ("gelu", "js")}  # JavaScript has no erf: gelu is a·erfc(−a/√2)/2

FUNCTIONS = sorted(name for name in OPS if name not in ("add", "sub", "mul", "div", "neg"))  # codegen's _INFIX


def code_of(expr: str, fmt: str, *extra: str) -> str:
    code, out, err = call(["diff", "--format", fmt, *extra, "--", expr])
    assert (code, err) == (0, ""), (expr, fmt, err)
    return out


def _case(name: str) -> tuple[str, dict[str, float]]:
    """An expression that reads op `name` (its value and its partial rules), and a point inside its sample domain."""
    op = OPS[name]
    values = [lo + 0.37 * (hi - lo) for lo, hi in op.sample]
    call_text = f"{name}(x)" if op.arity == 1 else f"{name}(x, y)"
    point = {"x": values[0]} if op.arity == 1 else {"x": values[0], "y": values[1]}
    return f"x*{call_text} + {call_text}", point


def reference(expr: str, point: dict[str, float], names: list[str] | None = None):
    """dcalc's own value and derivatives: the gradient by reverse mode, or the derivative by `names` in order."""
    graph = lower(read_program(expr))
    vals = node_values(graph, point)
    v = vals[graph.output]
    if names is None:
        grad = gradient(graph, vals)
        return v, [grad[x] for x in graph.inputs]
    if len(set(names)) == 1:
        return v, [nth_derivative(graph, point, names[0], len(names))]
    return v, [hessian(graph, vals, names)[names[0]][names[1]]]


def ordered(expr: str, point: dict[str, float]) -> list[float]:
    """The point's values in the order of the generated function's parameters: the free variables as first read."""
    return [point[x] for x in lower(read_program(expr)).inputs]


def close(got: float, want: float, rel: float = 1e-13) -> bool:
    return abs(got - want) <= rel * max(abs(want), 1e-300) or got == want


# ---- the table: every function in every language ------------------------------------------------------------------

@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_function_has_code_knowledge(name):
    """A new op must say how each language computes it (ops.CODE), or be listed here as refused."""
    assert name in CODE, f"{name}: no entry in ops.CODE"
    for lang in LANGUAGES:
        assert writable(name, lang) != ((name, lang) in NOT_WRITABLE), (name, lang)


@pytest.mark.parametrize("name, lang", sorted(NOT_WRITABLE))
def test_a_function_a_language_lacks_is_refused_naming_the_others(name, lang):
    code, out, err = call(["diff", f"{name}(x)", "--format", lang])
    assert (code, out) == (2, "")
    assert err == (f"error: dcalc cannot write {name} in JavaScript yet (the language has no such function); it "
                   "can in c, numpy, python\n")


def _run_python(src: str, *args):
    space: dict = {}
    exec(compile(src, "<generated>", "exec"), space)  # the test runs the code dcalc generated, nothing else
    return space["f"](*args)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_python_agrees_with_grad_for_every_function(name):
    expr, point = _case(name)
    value, grad = _run_python(code_of(expr, "python"), *ordered(expr, point))
    want_v, want_g = reference(expr, point)
    grad = grad if isinstance(grad, tuple) else (grad,)
    assert close(value, want_v) and all(close(g, w) for g, w in zip(grad, want_g)), (expr, grad, want_g)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_numpy_agrees_with_grad_for_every_function_over_arrays(name):
    expr, point = _case(name)
    op = OPS[name]
    columns = [np.linspace(lo + 0.1 * (hi - lo), hi - 0.1 * (hi - lo), 7) for lo, hi in op.sample]
    value, grad = _run_python(code_of(expr, "numpy"), *columns)
    grad = grad if isinstance(grad, tuple) else (grad,)
    for k in range(7):
        p = {x: float(c[k]) for x, c in zip(point, columns)}
        want_v, want_g = reference(expr, p)
        assert close(float(value[k]), want_v), (expr, k)
        assert all(close(float(np.broadcast_to(g, (7,))[k]), w) for g, w in zip(grad, want_g)), (expr, k)


PROGRAMS = [
    ("x*y + sin(x)", {"x": 1.0, "y": 2.0}),
    ("a = x^2; b = a*y; sin(b) + b/a - x - x", {"x": 0.7, "y": -1.3}),
    ("x - x + x*x + x/x", {"x": 1.7}),
    ("c = pi/4; atan2(y, x)*c + hypot(x, y)^3", {"x": 0.6, "y": 2.5}),
    ("exp(-x^2/2)*cos(3x) + 1/(1 + exp(-x))", {"x": 0.3}),
    ("x^y + y^x", {"x": 1.3, "y": 0.8}),
    ("sqrt(x)*ln(x) + log(x, 2) + log10(x) - log2(x)", {"x": 3.5}),
    ("-x", {"x": 2.0}),
    ("-2*x - (-x)", {"x": 2.0}),
    ("x", {"x": 2.0}),
    ("(-x)^3 - -x", {"x": -1.5}),
    ("f(u, v) = u*v + u; f(x, y) + f(y, x)", {"x": 0.5, "y": 4.0}),
    ("x^2", {"x": -1.0}),  # a constant exponent: no ln(x) anywhere
]


@pytest.mark.parametrize("expr, point", PROGRAMS)
def test_python_program_agrees_with_grad(expr, point):
    src = code_of(expr, "python")
    body = "\n".join(line for line in src.splitlines() if not line.startswith("#"))
    assert " ln(" not in body and "(ln(" not in body  # every function in the language's own spelling
    value, grad = _run_python(src, *ordered(expr, point))
    want_v, want_g = reference(expr, point)
    grad = grad if isinstance(grad, tuple) else (grad,)
    assert close(value, want_v) and all(close(g, w) for g, w in zip(grad, want_g)), (expr, grad, want_g)


def test_x_squared_never_takes_a_log():
    """DESIGN's trap: a constant exponent has no exponent partial, so x^2 at x = -1 reads no ln(-1)."""
    src = code_of("x^2", "python")
    assert "math.log" not in src and _run_python(src, -1.0) == (1.0, -2.0)


def test_one_wrt_variable_of_several_is_its_derivative_alone():
    src = code_of("x^y", "python", "--wrt", "x")
    assert "math.log" not in src  # the y-partial x^y·ln(x) is never written: x < 0 works
    assert _run_python(src, -2.0, 3.0) == (-8.0, 12.0)


HIGHER = [
    ("x^3*sin(x)", {"x": 0.7}, ["x", "x"]),
    ("exp(x)*cos(x)", {"x": 1.1}, ["x", "x", "x", "x"]),
    ("x^2*y + sin(x*y)", {"x": 0.4, "y": 1.9}, ["x", "y"]),
    ("atan(x/y)", {"x": 0.4, "y": 1.9}, ["y", "x"]),
]


@pytest.mark.parametrize("expr, point, names", HIGHER)
def test_higher_and_mixed_derivatives_agree_with_taylor_and_hessian(expr, point, names):
    src = code_of(expr, "python", "--wrt", ",".join(names))
    value, d = _run_python(src, *ordered(expr, point))
    want_v, (want,) = reference(expr, point, names)
    assert close(value, want_v, 1e-12) and close(d, want, 1e-12), (expr, d, want)


def test_order_gives_the_nth_derivative():
    src = code_of("sin(x)*x", "python", "--order", "3")
    value, d = _run_python(src, 0.9)
    assert close(d, -3 * math.sin(0.9) - 0.9 * math.cos(0.9), 1e-13)


def test_shares_subexpressions_one_local_per_node():
    src = code_of("sin(x^2) + cos(x^2)", "python")
    assert src.count("math.pow(x, 2.0)") == 1  # the node u1 = x^2 once, read by both calls
    assert "u1 = math.pow(x, 2.0)" in src and "u1_bar = -math.sin(u1) + math.cos(u1)" in src


def test_names_a_language_reserves_are_renamed():
    src = code_of("lambda*def + math", "python")
    assert "def f(lambda_, def_, math_):" in src
    assert _run_python(src, 2.0, 3.0, 1.0) == (7.0, (3.0, 2.0, 1.0))
    c = code_of("int*double + M_PI + f", "c")
    assert "double f_(double int_, double double_, double vM_PI, double f, double *grad)" not in c
    assert "double f(double int_, double double_, double vM_PI, double f_, double *grad)" in c


def test_the_heading_comment_cannot_end_early():
    src = code_of("a = x # a comment \\\na + 1", "c")
    assert "\\" not in src
    assert src.splitlines()[0].startswith("// generated by dcalc diff")


def test_at_is_refused_with_code():
    code, out, err = call(["diff", "x^2", "--format", "python", "--at", "2"])
    assert (code, out) == (2, "")
    assert err.startswith("error: --at gives values of a formula; --format python writes a function")


def test_gradient_without_wrt_text_diff_still_asks():
    code, _, err = call(["diff", "x*y"])
    assert code == 2 and "say which variable" in err
    assert "(x_bar, y_bar)" in code_of("x*y + x", "python") or "(" in code_of("x*y + x", "python")


# ---- C and JavaScript: compiled and run -------------------------------------------------------------------------

def _c_and_js_cases(lang: str):
    """The programs, the higher derivatives and every function the language can write (one it cannot fails
    test_every_function_has_code_knowledge, or is refused by design: NOT_WRITABLE)."""
    cases = [(e, p, None) for e, p in PROGRAMS] + [(e, p, n) for e, p, n in HIGHER]
    cases += [(_case(name)[0], _case(name)[1], None) for name in FUNCTIONS if writable(name, lang)]
    return cases


def _expected(cases):
    out = []
    for expr, point, names in cases:
        v, ds = reference(expr, point, names)
        out.append([v] + ds)
    return out


@pytest.mark.skipif(shutil.which("gcc") is None and shutil.which("cc") is None, reason="no C compiler")
def test_c_compiles_cleanly_and_agrees(tmp_path):
    """Every case in one program: each function in a file of its own (its helpers are static there), renamed by a
    #define; compiled with -Wall -Wextra -Werror -pedantic, run, its numbers compared."""
    cc = shutil.which("gcc") or shutil.which("cc")
    cases = _c_and_js_cases("c")
    files, calls = [], []
    for k, (expr, point, names) in enumerate(cases):
        extra = ["--wrt", ",".join(names)] if names else []
        src = code_of(expr, "c", *extra)
        (tmp_path / f"f{k}.c").write_text(f"#define f f{k}\n" + src)
        files.append(str(tmp_path / f"f{k}.c"))
        n = 1 if names else len(lower(read_program(expr)).inputs) or 1
        args = ", ".join([repr(v) for v in ordered(expr, point)] + ["d"])
        decl = ", ".join(["double"] * (len(point) + 1))
        calls.append(f"    {{ double f{k}({decl}*); double d[{n}]; double v = f{k}({args}); printf(\"%.17g\", v);"
                     f" for (int i = 0; i < {n}; i++) printf(\" %.17g\", d[i]); printf(\"\\n\"); }}")
    main = "#include <stdio.h>\n" + "int main(void) {\n" + "\n".join(calls) + "\n    return 0;\n}\n"
    (tmp_path / "main.c").write_text(main)
    exe = tmp_path / "run"
    flags = ["-std=c99", "-O0", "-Wall", "-Wextra", "-Werror", "-pedantic"]
    built = subprocess.run([cc, *flags, "-o", str(exe), *files, str(tmp_path / "main.c"), "-lm"],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    lines = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.splitlines()
    for (expr, point, names), line, want in zip(cases, lines, _expected(cases)):
        got = [float(t) for t in line.split()]
        assert all(close(g, w, 1e-12) for g, w in zip(got, want)), (expr, got, want)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_js_runs_and_agrees(tmp_path):
    cases = _c_and_js_cases("js")
    parts = []
    for k, (expr, point, names) in enumerate(cases):
        extra = ["--wrt", ",".join(names)] if names else []
        src = code_of(expr, "js", *extra)
        args = ", ".join(repr(v) for v in ordered(expr, point))
        parts.append(f"{{\n{src}\nconst r = f({args}); console.log(JSON.stringify([r[0]].concat(r[1])));\n}}")
    script = tmp_path / "run.js"
    script.write_text('"use strict";\n' + "\n".join(parts))
    done = subprocess.run(["node", str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    import json
    for (expr, point, names), line, want in zip(cases, done.stdout.splitlines(), _expected(cases)):
        got = json.loads(line)
        assert all(close(g, w, 1e-12) for g, w in zip(got, want)), (expr, got, want)
