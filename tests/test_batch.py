"""--points: CSV batches streamed in chunks, one result per row, failed rows with a status, exit 1 if any failed."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import random
import re
import subprocess
import sys
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import dcalc
from dcalc.app import app
from dcalc.commands import csv_points, progress
from dcalc.core import ops
from dcalc.core.printing import to_text
from dcalc.modes import columns
from dcalc_proc import error_text
from strategies import expressions, numbers

runner = CliRunner()


def run(*args, input: str | bytes | None = None):
    return runner.invoke(app, list(args), input=input)


def rows_json(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def rows_csv(out: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(out)))


# ---- reading ---------------------------------------------------------------------------------------------------------

def test_quoted_fields_blank_lines_and_constant_expressions():
    text = 'x,y\n"1",2\n\n  \n,\n"atan2(1, 1)",pi\n3,"4"\n'
    r = run("eval", "x*y", "--points", "-", "--json", input=text)
    assert r.exit_code == 0, r.stderr
    got = rows_json(r.stdout)
    assert [g["value"] for g in got] == [2.0, math.atan2(1, 1) * math.pi, 12.0]
    assert all(g["status"] == "ok" for g in got)


def test_cells_are_numbers_as_dcalc_reads_them():
    """float() alone would read '1_000' and other scripts' digits; a cell is dcalc's number or expression."""
    r = run("eval", "x", "--points", "-", "--json", input="x\n1\n1_000\n৪\n 2.5e1 \n")
    assert r.exit_code == 1
    assert [(g["value"], g["status"]) for g in rows_json(r.stdout)] == [
        (1.0, "ok"),
        (None, "column x must be a constant, but '1_000' reads the variable '_000'"),
        (None, "column x: unexpected character '৪' (expected a number, a name, '(', ';' or the end)"),
        (25.0, "ok"),
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_bom_and_crlf(encoding, newline):
    data = newline.join(["x,y", "1,2", "", "3,4", ""]).encode(encoding)
    r = run("grad", "x*y", "--points", "-", "--format", "csv", input=data)
    assert r.exit_code == 0, r.stderr
    got = rows_csv(r.stdout)
    assert list(got[0]) == ["x", "y", "value", "∂f/∂x", "∂f/∂y", "status"]
    assert [(float(g["∂f/∂x"]), float(g["∂f/∂y"])) for g in got] == [(2.0, 1.0), (4.0, 3.0)]


def test_a_file_path(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("x\n1\n2\n")
    r = run("eval", "x^2", "--points", str(path))
    assert (r.exit_code, r.stdout) == (0, "1\n4\n")


def test_a_missing_column_is_a_usage_error():
    r = run("eval", "x*y", "--points", "-", input="x,z\n1,2\n")
    assert r.exit_code == 2
    assert r.stderr.startswith("error: standard input has no column for the variable 'y' (its columns: x, z;")
    assert r.stdout == ""


def test_a_column_that_is_not_a_variable_is_echoed_not_used():
    """A point may name variables the expression does not read, in a batch too (--ignore-extra is now the default,
    still accepted for old scripts)."""
    text = "id,x,w\nfirst,1,9\nsecond,2,oops\n"
    expected = [{"id": "first", "x": "1", "w": "9", "value": "2.0", "status": "ok"},
                {"id": "second", "x": "2", "w": "oops", "value": "3.0", "status": "ok"}]
    for extra in ([], ["--ignore-extra"]):
        r = run("eval", "x + 1", "--points", "-", *extra, "--format", "csv", input=text)
        assert (r.exit_code, r.stderr) == (0, "")
        assert rows_csv(r.stdout) == expected
    r = run("grad", "x^2", "--points", "-", "--json", input=text)  # JSON echoes them as read, under "extra"
    assert (r.exit_code, rows_json(r.stdout)) == (0, [
        {"at": {"x": 1.0}, "extra": {"id": "first", "w": "9"}, "value": 1.0, "gradient": {"x": 2.0}, "status": "ok"},
        {"at": {"x": 2.0}, "extra": {"id": "second", "w": "oops"}, "value": 4.0, "gradient": {"x": 4.0},
         "status": "ok"}])
    r = run("check", "x^2", "--points", "-", "--json", input=text)
    assert r.exit_code == 0 and [g["ok"] for g in rows_json(r.stdout)] == [True, True]
    assert [g["extra"]["id"] for g in rows_json(r.stdout)] == ["first", "second"]


def test_a_missing_column_suggests_the_column_that_looks_like_it():
    r = run("eval", "x*y", "--points", "-", input="x,yy\n1,2\n")
    assert (r.exit_code, r.stdout, r.stderr) == (
        2, "", "error: standard input has no column for the variable 'y' (did you mean 'y' instead of 'yy'?)\n")


@pytest.mark.parametrize("cell, kind", [('"1\n2"', "a program"), ('"1;2"', "a program"), ("y=3", "an assignment"),
                                        ('"(1\n)\n;"', "a program")])
def test_a_cell_is_a_value_never_a_program(cell, kind):
    """A quoted cell with a new line, a ';' or an '=' is a failed row naming the cell, never its last statement."""
    r = run("eval", "x", "--points", "-", "--json", input=f"x\n{cell}\n3\n")
    assert r.exit_code == 1
    text = next(csv.reader(io.StringIO(cell)))[0]
    status = f"column x: {text!r} is {kind}, not a value (a value is a number or a constant expression such as pi/4)"
    assert rows_json(r.stdout) == [{"at": {"x": None}, "value": None, "status": status},
                                   {"at": {"x": 3.0}, "value": 3.0, "status": "ok"}]
    assert error_text(r.stderr) == f"error: 1 of 2 rows of standard input failed; the first, line 2: {status}\n"


@pytest.mark.parametrize("text, message", [
    ("", "error: standard input has no header row"),
    ("\n\n", "error: standard input has no header row"),
    ("x,x\n1,2\n", "error: standard input: the column 'x' appears twice"),
])
def test_bad_headers(text, message):
    r = run("eval", "x", "--points", "-", input=text)
    assert r.exit_code == 2
    assert r.stderr.startswith(message)


def test_a_header_alone_gives_no_rows():
    r = run("eval", "x", "--points", "-", "--format", "csv", input="x\n")
    assert (r.exit_code, r.stdout) == (0, "x,value,status\n")


def test_not_utf8_is_a_usage_error():
    r = run("eval", "x", "--points", "-", input=b"x\n\xff\xfe\n")
    assert r.exit_code == 2
    assert r.stderr.startswith("error: standard input is not UTF-8 text")


def test_a_missing_file_is_a_usage_error(tmp_path):
    r = run("eval", "x", "--points", str(tmp_path / "nope.csv"))
    assert r.exit_code == 2
    assert r.stderr.startswith("error: cannot read the points file")


# ---- failed rows -----------------------------------------------------------------------------------------------------

BAD = "x,y\n1,2\nabc,2\n0,1\n2\n4,5\n"  # a good row, a non-number, outside the domain, a short row, a good row


def test_failed_rows_keep_their_place_in_json():
    r = run("grad", "ln(x)*y", "--points", "-", "--json", input=BAD)
    assert r.exit_code == 1
    got = rows_json(r.stdout)
    assert [g["status"] for g in got] == [
        "ok",
        "column x must be a constant, but 'abc' reads the variable 'abc'",
        "ln is undefined in u1 = ln(x) with x = 0 (needs x > 0)",
        "the row has 1 cells, the header 2",
        "ok"]
    assert got[1] == {"at": {"x": None, "y": 2.0}, "value": None, "gradient": {"x": None, "y": None},
                      "status": got[1]["status"]}
    assert got[2]["at"] == {"x": 0.0, "y": 1.0} and got[2]["value"] is None
    assert got[4]["gradient"] == {"x": 5 / 4, "y": math.log(4)}
    assert error_text(r.stderr) == ("error: 3 of 5 rows of standard input failed; the first, line 3: column x must be a "
                        "constant, but 'abc' reads the variable 'abc'\n")


def test_failed_rows_in_csv_have_empty_numbers():
    r = run("grad", "ln(x)*y", "--points", "-", "--format", "csv", input=BAD)
    assert r.exit_code == 1
    got = rows_csv(r.stdout)
    assert [g["x"] for g in got] == ["1", "abc", "0", "2", "4"]
    assert got[2] == {"x": "0", "y": "1", "value": "", "∂f/∂x": "", "∂f/∂y": "",
                      "status": "ln is undefined in u1 = ln(x) with x = 0 (needs x > 0)"}
    assert got[3]["y"] == "" and got[3]["status"] == "the row has 1 cells, the header 2"
    assert float(got[4]["value"]) == math.log(4) * 5


def test_failed_rows_in_text_say_error_with_the_line():
    r = run("eval", "ln(x)*y", "--points", "-", input=BAD)
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert lines[0] == "0" and lines[2] == "error: line 4: ln is undefined in u1 = ln(x) with x = 0 (needs x > 0)"
    assert len(lines) == 5


def test_not_differentiable_rows_say_what_grad_says():
    r = run("grad", "abs(x)", "--points", "-", "--json", input="x\n-1\n0\n2\n")
    assert r.exit_code == 1
    single = run("grad", "abs(x)", "--at", "0")
    got = rows_json(r.stdout)
    assert [g["gradient"]["x"] for g in got] == [-1.0, None, 1.0]
    assert "error: " + got[1]["status"] + "\n" == single.stderr


def test_eval_works_where_grad_does_not():
    r = run("eval", "abs(x)", "--points", "-", "--json", input="x\n0\n")
    assert r.exit_code == 0 and rows_json(r.stdout)[0]["value"] == 0.0


def test_wrt_skips_partials_of_other_inputs():
    r = run("grad", "x^y", "--points", "-", "--wrt", "y", "--json", input="x,y\n2,3\n-2,3\n")
    got = rows_json(r.stdout)
    assert got[0]["gradient"] == {"y": 8 * math.log(2)}
    assert got[1]["status"] != "ok"  # ∂/∂y = x^y ln(x) does not exist at x = -2


def test_wrt_x_of_x_to_the_y_at_negative_x():
    r = run("grad", "x^y", "--points", "-", "--wrt", "x", "--json", input="x,y\n-2,3\n")
    assert r.exit_code == 0, r.stdout
    assert rows_json(r.stdout)[0]["gradient"] == {"x": 12.0}


def test_no_free_variables():
    r = run("eval", "2+3", "--points", "-", "--json", "--ignore-extra", input="a\n1\n2\n")
    assert rows_json(r.stdout) == [{"at": {}, "extra": {"a": "1"}, "value": 5.0, "status": "ok"},
                                   {"at": {}, "extra": {"a": "2"}, "value": 5.0, "status": "ok"}]


@pytest.mark.parametrize("args, message", [
    (["grad", "x", "--points", "-", "--direction", "x=1"], "error: --points works with gradients"),
    (["grad", "x", "--points", "-", "--hessian"], "error: --points works with gradients"),
    (["eval", "x", "--points", "-", "--at", "x=1"], "error: 'x' is given both by --at and by a column"),
    # --format xml: the parser's error (tests/test_help_completion.py)
    (["eval", "x", "--points", "-", "--format", "csv", "--json"], "error: --json and --format csv contradict"),
])
def test_option_conflicts(args, message):
    r = run(*args, input="x\n1\n")
    assert r.exit_code == 2
    assert error_text(r.stderr).startswith(message)


def test_check_batches():
    r = run("check", "x*y", "--points", "-", "--json", input="x,y\n1,2\n0,0\n")
    assert r.exit_code == 0, r.stderr
    got = rows_json(r.stdout)
    assert [g["ok"] for g in got] == [True, True] and [g["status"] for g in got] == ["ok", "ok"]
    assert got[0]["partials"]["x"]["reverse"] == 2.0
    r = run("check", "x*y", "--points", "-", "--format", "csv", input="x,y\n1,2\n")
    row = rows_csv(r.stdout)[0]
    assert row["∂f/∂y finite_difference"] and float(row["∂f/∂y reverse"]) == 1.0 and row["ok"] == "true"


def test_check_batch_failures_and_disagreements(tamper):
    r = run("check", "ln(x)", "--points", "-", "--json", input="x\n1\n-1\n")
    assert r.exit_code == 1
    assert rows_json(r.stdout)[1] == {"at": {"x": -1.0}, "ok": None, "tolerance": 1e-6,
                                      "partials": {"x": dict.fromkeys(["forward", "reverse", "symbolic",
                                                                       "finite_difference", "finite_difference_error",
                                                                       "max_disagreement"])},
                                      "status": "ln is undefined in u1 = ln(x) with x = -1 (needs x > 0)"}
    tamper("ln", (lambda a: 2 / a,))
    r = run("check", "ln(x)", "--points", "-", "--format", "csv", input="x\n1\n-1\n")
    assert r.exit_code == 3  # a disagreement outranks a failed row
    got = rows_csv(r.stdout)
    assert got[0]["ok"] == "false" and got[0]["status"].startswith("∂f/∂x: reverse mode gives 2")
    assert r.stderr.startswith("error: the derivatives disagree at 1 of 2 rows of standard input; the first, line 2")


# ---- the columns agree with the scalar interpreters ------------------------------------------------------------------

def _one_op_text(name: str) -> str:
    op = ops.OPS[name]
    if op.symbol:
        return "-x" if op.arity == 1 else f"x {op.symbol} y"
    return f"{name}(x)" if op.arity == 1 else f"{name}(x, y)"


@pytest.mark.parametrize("name", sorted(ops.OPS))
def test_columns_match_single_points_for_every_op(name):
    """Values and gradients over columns equal dcalc.evaluate / dcalc.gradient (NumPy and libm may differ by an ulp),
    and points outside the domain fail with the scalar message."""
    op = ops.OPS[name]
    text = _one_op_text(name)
    g = dcalc.compile(text)
    rng = random.Random(name)
    pts = [{n: rng.uniform(*op.sample[k]) for k, n in enumerate(g.inputs)} for _ in range(50)]
    pts += [{n: v for n in g.inputs} for v in (0.0, -1.0, 1.0, -2.5)]  # edges of domains
    data = ",".join(g.inputs) + "\n" + "".join(",".join(repr(p[n]) for n in g.inputs) + "\n" for p in pts)
    r = run("grad", "--points", "-", "--json", "--", text, input=data)
    for p, got in zip(pts, rows_json(r.stdout), strict=True):
        try:
            want = dcalc.gradient(g, p)
            value = dcalc.evaluate(g, p)
        except dcalc.DcalcError as e:
            assert got["status"] == e.message, (p, got)
            continue
        assert got["status"] == "ok", (p, got)
        assert got["value"] == pytest.approx(value, rel=4e-16, abs=1e-300)
        for n in g.inputs:
            assert got["gradient"][n] == pytest.approx(want[n], rel=4e-15, abs=4e-16), (p, n)


def test_chunks_are_bounded(monkeypatch):
    """Rows go through in chunks: a small chunk size gives the same output."""
    data = "x\n" + "".join(f"{k / 7}\n" for k in range(1000))
    whole = run("grad", "sin(x)^2", "--points", "-", "--json", input=data).stdout
    monkeypatch.setattr(csv_points, "CHUNK", 7)
    seen = []
    original = csv_points.CsvPoints.chunks

    def spy(self, size=7):
        for chunk in original(self, size):
            seen.append(len(chunk.lines))
            yield chunk
    monkeypatch.setattr(csv_points.CsvPoints, "chunks", spy)
    assert run("grad", "sin(x)^2", "--points", "-", "--json", input=data).stdout == whole
    assert max(seen) == 7 and sum(seen) == 1000


# ---- progress --------------------------------------------------------------------------------------------------------

class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_shows_on_a_terminal_only(tmp_path, monkeypatch):
    path = tmp_path / "p.csv"
    path.write_text("x\n1\n")
    points = csv_points.CsvPoints(str(path), ["x"])
    monkeypatch.setattr(progress.Progress, "DELAY", 0.0)
    monkeypatch.setattr(progress.Progress, "EVERY", 0.0)
    term, pipe = _Terminal(), io.StringIO()
    for stream in (term, pipe):
        p = progress.Progress(points, stream)
        p.update(12345)
        p.done()
    assert "12,345 rows" in term.getvalue() and "%" in term.getvalue()
    assert pipe.getvalue() == ""
    points.close()


# ---- a real pipe -----------------------------------------------------------------------------------------------------

def test_100000_rows_through_a_pipe():
    rows = 100_000
    exe = os.path.join(os.path.dirname(sys.executable), "dcalc")
    proc = subprocess.Popen([exe, "grad", "x*sin(y) + x^2", "--points", "-", "--format", "csv"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def feed():
        proc.stdin.write(b"x,y\n")
        for start in range(0, rows, 10_000):
            proc.stdin.write("".join(f"{k},{k % 7}\n" for k in range(start, start + 10_000)).encode())
        proc.stdin.close()
    writer = threading.Thread(target=feed)
    writer.start()
    out = proc.stdout.read().decode()
    writer.join()
    assert proc.wait(timeout=120) == 0
    assert proc.stderr.read() == b""  # no progress bar on a pipe
    reader = csv.reader(io.StringIO(out))
    assert next(reader) == ["x", "y", "value", "∂f/∂x", "∂f/∂y", "status"]
    n = 0
    for n, row in enumerate(reader, 1):
        if n % 9973 == 0:
            x, y = float(row[0]), float(row[1])
            assert float(row[3]) == math.sin(y) + 2 * x and row[5] == "ok"
    assert n == rows


# ---- a law: columns == the scalar interpreters, on generated expressions ------------------------------------------

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def same_up_to_rounding(got: str | None, want: str) -> bool:
    """The same message, its numbers equal up to rounding: NumPy's tanh and libm's may differ in the last bit, and a
    value shown in a message then in its last digit."""
    if got is None or NUMBER.split(got) != NUMBER.split(want):
        return False
    return all(float(a) == pytest.approx(float(b), rel=1e-12) for a, b in zip(NUMBER.findall(got), NUMBER.findall(want)))


def test_messages_compare_up_to_rounding():
    assert same_up_to_rounding("sqrt is undefined in u2 = sqrt(u1) with u1 = -0.70390560393662121 (needs u1 ≥ 0)",
                               "sqrt is undefined in u2 = sqrt(u1) with u1 = -0.7039056039366212 (needs u1 ≥ 0)")
    assert not same_up_to_rounding("ln is undefined in u1 = ln(x) with x = -1", "ln is undefined in u1 = ln(x) with x = -2")
    assert not same_up_to_rounding("ln is undefined in u1 = ln(x)", "ln is undefined in u2 = ln(x)")
    assert not same_up_to_rounding(None, "ln is undefined in u1 = ln(x)")


@settings(max_examples=150, deadline=None)
@given(expressions(max_leaves=12, numbers_=numbers(0.0, 4.0)),
       st.lists(st.tuples(*[st.floats(-3, 3, allow_nan=False)] * 3), min_size=1, max_size=6))
def test_columns_agree_with_single_points(expr, rows):
    """Every row: the same status as dcalc.evaluate/gradient, and the same numbers up to rounding."""
    try:
        g = dcalc.compile(to_text(expr))
    except dcalc.DcalcError:
        return  # a constant part outside its domain: no graph to batch
    pts = [dict(zip(g.inputs, row)) for row in rows]
    status = [None] * len(pts)
    r = columns.Rows(status)
    inputs = {x: np.array([p[x] for p in pts]) for x in g.inputs}
    vals = columns.column_values(g, inputs, r)
    grad = columns.column_gradient(g, vals, list(g.inputs), r)
    for k, p in enumerate(pts):
        try:
            want_value, want = dcalc.evaluate(g, p), dcalc.gradient(g, p)
        except dcalc.DcalcError as e:
            assert same_up_to_rounding(status[k], e.message)
            continue
        if status[k] is not None and "overflow in ∂f/∂" in status[k]:
            continue  # the scalar gradient returns inf there; the batch calls the row failed
        assert status[k] is None, (p, status[k])
        assert vals[g.output][k] == pytest.approx(want_value, rel=1e-9, abs=1e-12)
        for x in g.inputs:
            assert grad[x][k] == pytest.approx(want[x], rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("name", sorted(ops.OPS))
def test_the_table_names_a_numpy_function_of_the_right_arity(name):
    """Op.numpy is a NumPy ufunc taking the op's arguments; an op without one maps its scalar rule over the rows."""
    op = ops.OPS[name]
    if not op.numpy:
        assert name in ("sec", "csc", "cot", "sech", "log", "erf", "erfc", "sigmoid", "softplus", "relu", "logsumexp",
                        "csch", "coth", "gelu", "round")  # no NumPy counterpart: the mapped scalar rule serves
        return
    assert isinstance(getattr(np, op.numpy), np.ufunc) and getattr(np, op.numpy).nin == op.arity


@pytest.mark.parametrize(("args", "data", "header"), [
    # an output named like an input column: the input keeps its name, the output is x.1 (as pandas would name it)
    (["eval", "x, x^2"], "x\n2\n", ["x", "x.1", "f1", "status"]),
    # a data column named like dcalc's own columns (an expected value, a status kept from an earlier run)
    (["eval", "x^2"], "x,value,status\n2,4,a\n", ["x", "value", "status", "value.1", "status.1"]),
    (["grad", "x*value"], "x,value\n2,3\n", ["x", "value", "value.1", "∂f/∂x", "∂f/∂value", "status"]),
    (["grad", "x, x*y"], "x,y,x.1\n2,3,z\n",
     ["x", "y", "x.1", "x.2", "f1", "∂x/∂x", "∂x/∂y", "∂f1/∂x", "∂f1/∂y", "status"]),
])
def test_csv_column_names_are_unique(args, data, header):
    """A CSV's header names every column once, so that a reader by name loses none: dcalc's result columns yield to
    the input columns as read (issue 11's 'never read as something else', for the output side)."""
    r = run(*args, "--points", "-", "--format", "csv", input=data)
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == header
    record = next(csv.DictReader(io.StringIO(r.stdout)))
    assert len(record) == len(header) and record["status" if "status.1" not in header else "status.1"] == "ok"
    assert record[header[0]] == data.split("\n")[1].split(",")[0]  # the input cell as read, not the output's number
