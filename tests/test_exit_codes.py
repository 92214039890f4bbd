"""Every exit code of every command: 0 success, 1 math error, 2 usage/syntax/name error, 3 a failed check or
expectation, 70 an internal error; each failure with one `error: …` message on stderr and no traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dcalc.app import main
from dcalc.core import ops

CASES = [
    # command, arguments, exit code
    ("root", ["--help"], 0),
    ("root", ["--version"], 0),
    ("root", ["frobnicate"], 2),
    ("root", ["--nope"], 2),
    ("eval", ["2x^2", "--at", "3"], 0),
    ("eval", ["ln(x)", "--at", "0"], 1),
    ("eval", ["1/x", "--at", "0"], 1),
    ("eval", ["exp(x)", "--at", "1000"], 1),
    ("eval", ["2+*3"], 2),
    ("eval", ["sine(x)", "--at", "1"], 2),
    ("eval", ["x + y", "--at", "1"], 2),
    ("eval", ["x", "--at", "1", "--digits", "0"], 2),
    ("eval", ["x^2", "--at", "3", "--expect", "9"], 0),
    ("eval", ["x^2", "--at", "3", "--expect", "8"], 3),
    ("grad", ["sin(x + x^2)", "--at", "2"], 0),
    ("grad", ["abs(x)", "--at", "0"], 1),
    ("grad", ["sqrt(x)", "--at", "0"], 1),
    ("grad", ["x*y", "--at", "x=1,y=2", "--wrt", "pi"], 2),
    ("grad", ["2+3"], 2),
    ("grad", ["x*y", "--at", "x=1,y=2", "--expect", "x=2,y=1"], 0),
    ("grad", ["x*y", "--at", "x=1,y=2", "--expect", "x=1"], 3),
    ("grad", ["x^3", "--at", "2", "--order", "2"], 0),
    ("check", ["sin(x*y)", "--at", "x=1,y=2"], 0),
    ("check", ["abs(x)", "--at", "0"], 1),
    ("check", ["x", "--at", "y=1"], 2),
    ("check", ["x", "--at", "1", "--tol", "0"], 0),  # exact: x has the derivative 1 by every method
    ("diff", ["sin(x)"], 0),
    ("diff", ["ln(x)", "--at", "0"], 1),
    ("diff", ["x*y"], 2),
    ("diff", ["x", "--format", "xml"], 2),
    ("trace", ["sin(x + x^2)", "--at", "2"], 0),
    ("trace", ["abs(x)", "--at", "0"], 1),
    ("trace", ["x", "--at", "1", "--mode", "sideways"], 2),
    ("trace", ["(x"], 2),
]


def dcalc(args, capsys, stdin=None):
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("command, args, code", CASES, ids=[f"{c}-{k}-{' '.join(a)}" for c, a, k in CASES])
def test_exit_code(command, args, code, capsys):
    argv = args if command == "root" else [command, *args]
    got, out, err = dcalc(argv, capsys)
    assert got == code, (out, err)
    if code == 0:
        assert err == ""
    else:
        assert err.startswith("error: ") and "Traceback" not in err, err


BATCH = "x\n1\n0\n"  # the second row fails for ln(x)


@pytest.mark.parametrize("command, code", [("eval", 1), ("grad", 1), ("check", 1)])
def test_a_batch_with_a_failed_row_exits_1(command, code, tmp_path, capsys):
    path = tmp_path / "points.csv"
    path.write_text(BATCH)
    got, out, err = dcalc([command, "ln(x)", "--points", str(path)], capsys)
    assert got == code
    assert err.startswith("error: 1 of 2 rows of ") and len(out.splitlines()) >= 2


@pytest.mark.parametrize("command", ["eval", "grad", "check"])
def test_a_batch_that_works_exits_0_and_a_bad_header_2(command, tmp_path, capsys):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text("x\n1\n2\n")
    bad.write_text("y\n1\n")
    assert dcalc([command, "ln(x)", "--points", str(good)], capsys)[0] == 0
    assert dcalc([command, "ln(x)", "--points", str(bad)], capsys)[0] == 2


def test_check_exits_3_on_a_tampered_rule(tamper, capsys):
    tamper("exp", (lambda a: ops.exp(a) * 1.001,))
    code, _, err = dcalc(["check", "exp(x)", "--at", "0.5"], capsys)
    assert code == 3 and "reverse mode gives" in err


def test_check_batch_exits_3_on_a_tampered_rule(tamper, tmp_path, capsys):
    path = tmp_path / "p.csv"
    path.write_text("x\n0.5\n")
    tamper("exp", (lambda a: ops.exp(a) * 2,))
    assert dcalc(["check", "exp(x)", "--points", str(path)], capsys)[0] == 3


@pytest.mark.parametrize("command", ["eval", "grad", "check", "diff", "trace"])
def test_an_internal_error_exits_70_without_a_traceback(command, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(sys.modules["dcalc.language.syntax"], "parse", broken)
    monkeypatch.delenv("DCALC_DEBUG", raising=False)
    code, _, err = dcalc([command, "x", "--at", "1"], capsys)
    assert code == 70
    assert err == "error: internal error RuntimeError: boom (a bug in dcalc; DCALC_DEBUG=1 shows the traceback)\n"


def test_root_help_lists_the_exit_codes(capsys):
    code, out, _ = dcalc(["--help"], capsys)
    assert code == 0
    text = " ".join(out.split())
    assert "Exit codes: 0 success; 1 math error" in text
    assert "2 usage, syntax or name error; 3 a check or an expectation failed; 70 internal error" in text
    for command in ("eval", "grad", "check"):
        assert command in out


def _exe() -> str:
    return os.path.join(os.path.dirname(sys.executable), "dcalc")


@pytest.mark.parametrize("args, code", [
    (["eval", "x", "--at", "1"], 0),
    (["eval", "ln(x)", "--at", "-1"], 1),
    (["eval", "x +"], 2),
    (["grad", "x^2", "--at", "3", "--expect", "5"], 3),
    (["check", "x^2", "--at", "3"], 0),
])
def test_the_installed_command(args, code):
    p = subprocess.run([_exe(), *args], capture_output=True, text=True, timeout=60, check=False)
    assert p.returncode == code, p.stderr
    assert (p.stderr == "") == (code == 0)
