"""The Python API (dcalc.parse, compile, evaluate, derivative, gradient, DcalcError), and the README kept true: every
`$ dcalc eval …` and `$ dcalc grad …` example prints exactly what the README shows, and its `>>>` examples run."""

from __future__ import annotations

import doctest
import math
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import dcalc
from dcalc.language.expr import Apply, Num, Program, Var

README = Path(__file__).resolve().parents[1] / "README.md"


def test_public_names():
    assert set(dcalc.__all__) >= {"parse", "compile", "evaluate", "derivative", "gradient", "DcalcError"}
    for name in dcalc.__all__:
        assert getattr(dcalc, name) is not None


def test_parse_gives_the_ast():
    program = dcalc.parse("2x + 1")
    assert isinstance(program, Program)
    assert program.stmts == (Apply("add", (Apply("mul", (Num(2.0), Var("x"))), Num(1.0))),)


def test_compile_gives_the_graph_inputs_first():
    g = dcalc.compile("y*sin(x) + y")
    assert g.inputs == ["y", "x"]
    assert [n.kind for n in g.nodes][:2] == ["input", "input"]
    assert g.output == len(g.nodes) - 1


def test_evaluate_text_and_graph():
    g = dcalc.compile("x^2 + y")
    assert dcalc.evaluate("x^2 + y", {"x": 3, "y": 1}) == dcalc.evaluate(g, {"x": 3, "y": 1}) == 10.0
    assert dcalc.evaluate("2^10") == 1024.0


def test_no_submodule_shares_a_name_with_the_api():
    """The engine lives in subpackages: importing its modules never replaces a public function, and there is no
    dcalc.evaluate or dcalc.trace module to shadow the functions of those names (the package needs no trick for it)."""
    import importlib
    import importlib.util
    for name in ("dcalc.modes.evaluate", "dcalc.output.trace", "dcalc.modes.reverse", "dcalc.symbolic.formulas"):
        importlib.import_module(name)
    for name in dcalc.__all__:
        assert importlib.util.find_spec(f"dcalc.{name}") is None, name
    assert callable(dcalc.evaluate) and dcalc.evaluate("1 + 1") == 2.0
    assert callable(dcalc.trace) and type(dcalc) is type(importlib)  # a plain module


def test_derivative():
    assert dcalc.derivative("x^3", {"x": 2}) == 12.0
    assert dcalc.derivative("x*y", {"x": 2, "y": 5}, wrt="y") == 2.0
    assert dcalc.derivative("sin(x + x^2)", {"x": 2}) == pytest.approx(math.cos(6) * 5, rel=1e-15)


def test_derivative_needs_wrt_for_several_inputs():
    with pytest.raises(dcalc.DcalcError) as info:
        dcalc.derivative("x*y", {"x": 1, "y": 2})
    assert info.value.exit_code == 2


def test_gradient_has_every_input_in_order_of_appearance():
    assert dcalc.gradient("y + 0*x + z^2", {"x": 1, "y": 2, "z": 3}) == {"y": 1.0, "x": 0.0, "z": 6.0}


def test_dcalc_error_carries_message_span_and_exit_code():
    with pytest.raises(dcalc.DcalcError) as info:
        dcalc.compile("sin(x) + sinn(x)")
    e = info.value
    assert (e.message, e.span, e.exit_code) == ("unknown function 'sinn' (did you mean 'sin'?)", (9, 13), 2)
    with pytest.raises(dcalc.DcalcError) as info:
        dcalc.evaluate("sqrt(x)", {"x": -4})
    assert info.value.exit_code == 1 and "sqrt" in info.value.message


def test_missing_value_is_a_dcalc_error():
    with pytest.raises(dcalc.DcalcError) as info:
        dcalc.evaluate("x + y", {"x": 1})
    assert info.value.exit_code == 2 and "'y'" in info.value.message


# --- the README ---------------------------------------------------------------------------------------------------

def readme_sessions():
    """Indented blocks of `$ command` lines and their output, as (files shown by `$ cat`, command, output lines)."""
    sessions = []
    block: list[str] = []
    blanks = 0  # blank lines inside a block belong to it when the block goes on after them
    for line in README.read_text(encoding="utf-8").splitlines() + ["end"]:
        if not line.strip():
            blanks += 1
            continue
        if line.startswith("    "):
            block += [""] * blanks if block else []
            block.append(line)
        else:
            if block:
                sessions += _examples(block)
            block = []
        blanks = 0
    return sessions


def _examples(block: list[str]):
    indent = len(block[0]) - len(block[0].lstrip())
    lines = [ln[indent:] for ln in block]
    while lines and not lines[-1]:
        lines.pop()
    files: dict[str, str] = {}
    found = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith("$ "):
            i += 1
            continue
        command = lines[i][2:]
        j = i + 1
        while j < len(lines) and not lines[j].startswith("$ "):
            j += 1
        output = lines[i + 1: j]
        cat = re.fullmatch(r"cat (\S+)", command)
        if cat:
            files[cat.group(1)] = "\n".join(output) + "\n"
        elif re.match(r"(COLUMNS=\d+ )?dcalc (eval|grad|diff|trace|check)\b", command):  # COLUMNS: a trace's width
            found.append((dict(files), command, output))
        i = j
    return found


EXAMPLES = readme_sessions()


def test_the_readme_has_eval_and_grad_examples():
    commands = [c for _, c, _ in EXAMPLES]
    assert any(c.startswith("dcalc eval") for c in commands) and any(c.startswith("dcalc grad") for c in commands)


@pytest.mark.parametrize("files, command, output", EXAMPLES, ids=[c for _, c, _ in EXAMPLES])
def test_readme_example(tmp_path, files, command, output):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    # Lines from the first `error:` on are standard error, the rest standard output (the two streams are read
    # apart, since their interleaving on one terminal depends on buffering).
    first_error = next((k for k, ln in enumerate(output) if ln.startswith("error:")), len(output))
    bindir = str(Path(sys.executable).parent)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    env.pop("DCALC_DEBUG", None)
    assert shlex.split(command)  # a well-formed shell line
    r = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True,
                       encoding="utf-8", timeout=60)
    assert r.stdout.splitlines() == output[:first_error]
    assert r.stderr.splitlines() == output[first_error:]
    assert (r.returncode == 0) == (first_error == len(output))


def test_readme_python_examples():
    text = README.read_text(encoding="utf-8")
    test = doctest.DocTestParser().get_doctest(text, {}, "README.md", str(README), 0)
    assert test.examples, "the README has no >>> examples"
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0


def test_diff_gives_the_printed_derivative():
    assert dcalc.diff("sin(x + x^2)") == "(2x + 1)*cos(x^2 + x)"
    assert dcalc.diff("x^2*y", ["x", "y"]) == "2x"
    assert dcalc.diff("x^5", order=3) == "60x^2"
    with pytest.raises(dcalc.DcalcError, match="say which variable"):
        dcalc.diff("x*y")


def test_trace_gives_the_rows():
    t = dcalc.trace("sin(x + x^2)", {"x": 2})
    assert t.tangents[t.graph.output] == pytest.approx(5 * math.cos(6), rel=1e-15)
    assert dcalc.trace is not None and callable(dcalc.trace)  # the function, not the submodule dcalc.trace


@pytest.mark.parametrize("cell", ["0\x1f", "1\x1c", "\x1e2"])
def test_a_point_with_a_control_separator_is_a_usage_error(cell):
    """\\s matched the separators \\x1c-\\x1f but float() refuses them: a bare ValueError (exit 70 on the command line);
    now the value is read as an expression and refused as one (found by hypothesis in test_api_cli)."""
    from dcalc.errors import UsageError
    with pytest.raises(UsageError, match="unexpected character"):
        dcalc.evaluate("x", {"x": cell})
