"""Datasets and parameters (issue 14 items 5-6): --points with --at parameters, --reduce mean|sum summed exactly,
--expect with --points, extra columns in JSON, --delimiter and sniffing, EXPR from @file and the path-like hint.

The README's two examples (a logistic regression, a 2-2-1 tanh network) are checked against gradients derived by
hand below, in plain Python that shares no code with dcalc."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dcalc.modes.columns import ExactSum
from dcalc_proc import call, error_text

DATA = Path(__file__).parent / "data"
LOGISTIC = "ln(1 + exp(-(2y-1)*(w1*x1 + w2*x2 + b)))"
LOGISTIC_AT = {"w1": 0.5, "w2": -0.25, "b": 0.1}
MLP_AT = {"w11": 0.5, "w12": -0.4, "w21": 0.3, "w22": 0.8, "b1": 0.1, "b2": -0.1, "v1": 1.2, "v2": -0.7, "c": 0.05}


def at_text(point: dict[str, float]) -> str:
    return ",".join(f"{k}={v!r}" for k, v in point.items())


def rows(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def csv_rows(path: Path) -> list[dict[str, float]]:
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    sep = ";" if ";" in lines[0] else ","
    header = lines[0].split(sep)
    return [dict(zip(header, map(float, line.split(sep)))) for line in lines[1:]]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-13, abs_tol=1e-15)


# ---- hand-derived gradients (no dcalc) ------------------------------------------------------------------------------

def logistic_by_hand(p: dict, r: dict) -> tuple[float, dict[str, float]]:
    """L = ln(1 + exp(-s·z)), s = 2y - 1, z = w1·x1 + w2·x2 + b: dL/dz = -s/(1 + exp(s·z)), dz/dw1 = x1, …"""
    s = 2 * r["y"] - 1
    z = p["w1"] * r["x1"] + p["w2"] * r["x2"] + p["b"]
    dz = -s / (1 + math.exp(s * z))
    return math.log1p(math.exp(-s * z)), {"w1": dz * r["x1"], "w2": dz * r["x2"], "b": dz}


def mlp_by_hand(p: dict, r: dict) -> tuple[float, dict[str, float]]:
    """L = (out - y)²/2, out = v1·h1 + v2·h2 + c, hi = tanh(wi1·x1 + wi2·x2 + bi): with e = out - y,
    dL/dvi = e·hi, dL/dc = e, dL/dbi = e·vi·(1 - hi²), dL/dwij = dL/dbi·xj."""
    h = [math.tanh(p[f"w{i}1"] * r["x1"] + p[f"w{i}2"] * r["x2"] + p[f"b{i}"]) for i in (1, 2)]
    e = p["v1"] * h[0] + p["v2"] * h[1] + p["c"] - r["y"]
    grad = {"c": e}
    for i in (1, 2):
        da = e * p[f"v{i}"] * (1 - h[i - 1] ** 2)
        grad |= {f"w{i}1": da * r["x1"], f"w{i}2": da * r["x2"], f"b{i}": da, f"v{i}": e * h[i - 1]}
    return e * e / 2, grad


EXAMPLES = [
    pytest.param([LOGISTIC], DATA / "logistic.csv", LOGISTIC_AT, logistic_by_hand, id="logistic"),
    pytest.param([f"@{DATA / 'mlp.dc'}"], DATA / "xor.csv", MLP_AT, mlp_by_hand, id="mlp"),
]


@pytest.mark.parametrize("expr, data, params, by_hand", EXAMPLES)
def test_the_readme_examples_per_row_equal_the_hand_derived_gradients(expr, data, params, by_hand):
    code, out, err = call(["grad", *expr, "--points", str(data), "--at", at_text(params), "--json"])
    assert (code, err) == (0, "")
    got = rows(out)
    table = csv_rows(data)
    assert len(got) == len(table) > 3
    for row, r in zip(got, table):
        value, grad = by_hand(params, r)
        assert row["at"] == r | params and row["status"] == "ok"
        assert list(row["gradient"]) == [x for x in row["gradient"] if x in params] and set(row["gradient"]) == set(
            params)  # by default the gradient is by the parameters, and by all of them
        assert close(row["value"], value), (row, value)
        assert all(close(row["gradient"][x], grad[x]) for x in params), (row["gradient"], grad)


@pytest.mark.parametrize("expr, data, params, by_hand", EXAMPLES)
def test_the_readme_examples_reduce_mean_is_the_mean_of_the_rows(expr, data, params, by_hand):
    at = ["--points", str(data), "--at", at_text(params), "--json"]
    _, out, _ = call(["grad", *expr, *at])
    per_row = rows(out)
    code, out, err = call(["grad", *expr, *at, "--reduce", "mean"])
    assert (code, err) == (0, "")
    (mean,) = rows(out)
    n = len(per_row)
    assert (mean["at"], mean["reduce"], mean["rows"]) == (params, "mean", n)
    # exactly: the exact sum of dcalc's own per-row numbers, rounded once, over n
    assert mean["value"] == math.fsum(r["value"] for r in per_row) / n
    for x in params:
        assert mean["gradient"][x] == math.fsum(r["gradient"][x] for r in per_row) / n
    # and, to rounding, the mean of the hand-derived gradients
    hand = [by_hand(params, r)[1] for r in csv_rows(data)]
    assert all(close(mean["gradient"][x], math.fsum(g[x] for g in hand) / n) for x in params)
    code, out, err = call(["grad", *expr, *at, "--reduce", "sum"])
    (total,) = rows(out)
    assert all(total["gradient"][x] == math.fsum(r["gradient"][x] for r in per_row) for x in params)


@pytest.mark.parametrize("expr, data, params, by_hand", EXAMPLES)
def test_the_readme_examples_pass_check(expr, data, params, by_hand):
    code, out, err = call(["check", *expr, "--points", str(data), "--at", at_text(params), "--json"])
    assert (code, err) == (0, "")
    assert [r["ok"] for r in rows(out)] == [True] * len(csv_rows(data))
    assert set(rows(out)[0]["partials"]) == set(params)


def test_the_readme_mean_gradient_text():
    code, out, err = call(["grad", LOGISTIC, "--points", str(DATA / "logistic.csv"), "--at", "w1=0.5,w2=-0.25,b=0.1",
                           "--reduce", "mean"])
    assert (code, err) == (0, "")
    assert out == ("∂f/∂w1 = -0.33303364737363195  ∂f/∂w2 = -0.31086084955359145  ∂f/∂b = 0.006727925677679603\n")


# ---- exact sums -------------------------------------------------------------------------------------------------------

def exact(values: list[float], cuts: list[int]) -> float:
    s = ExactSum()
    for lo, hi in zip([0] + cuts, cuts + [len(values)]):
        s.add(values[lo:hi])
    return s.total()


def test_exact_sum_of_the_adversarial_triple():
    values = [1e16, 1.0, -1e16]
    assert sum(values) == 0.0  # a plain sum loses the 1
    assert exact(values, []) == 1.0 and exact(values, [1]) == 1.0 and exact(values, [1, 2]) == 1.0


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300)


@given(st.lists(finite | st.sampled_from([1e16, -1e16, 1.0, -1.0, 2.0 ** -1074, 1e-300]), max_size=60),
       st.lists(st.integers(0, 60), max_size=6))
def test_exact_sum_is_fsum_of_everything_however_it_is_chunked(values, cuts):
    cuts = sorted(c for c in cuts if c <= len(values))
    assert exact(values, cuts) == math.fsum(values)


def _column(values: list[float]) -> str:
    return "x\n" + "".join(f"{v!r}\n" for v in values)


def test_reduce_sums_exactly_across_chunks():
    """10,000 rows (three chunks) of large numbers that cancel and small ones that do not."""
    rng = random.Random(14)
    values = []
    for _ in range(2500):
        big = rng.choice([1e16, 3e17, 1e20]) * rng.choice([1, -1])
        values += [big, rng.uniform(0, 1), -big, rng.uniform(-1e-3, 1e-3)]
    assert sum(values) != math.fsum(values)  # the data is adversarial: a plain sum is wrong
    stdin = _column(values).encode()
    code, out, err = call(["eval", "x", "--points", "-", "--reduce", "sum", "--json"], stdin)
    assert (code, err) == (0, "")
    assert rows(out) == [{"at": {}, "reduce": "sum", "rows": 10000, "value": math.fsum(values)}]
    code, out, err = call(["grad", "a*x", "--points", "-", "--at", "a=1", "--reduce", "mean", "--json"], stdin)
    (r,) = rows(out)
    assert r["gradient"] == {"a": math.fsum(values) / 10000} and r["value"] == math.fsum(values) / 10000
    code, out, err = call(["eval", "x", "--points", "-", "--reduce", "sum"], _column([1e16, 1.0, -1e16]).encode())
    assert (code, out) == (0, "1\n")


# ---- parameters: --at beside --points -------------------------------------------------------------------------------

def test_parameters_are_the_same_on_every_row_and_the_gradient_is_by_them():
    code, out, err = call(["grad", "w*x + b", "--points", "-", "--at", "w=2,b=1", "--json"], b"x\n1\n3\n")
    assert (code, err) == (0, "")
    assert rows(out) == [
        {"at": {"x": 1.0, "w": 2.0, "b": 1.0}, "value": 3.0, "gradient": {"w": 1.0, "b": 1.0}, "status": "ok"},
        {"at": {"x": 3.0, "w": 2.0, "b": 1.0}, "value": 7.0, "gradient": {"w": 3.0, "b": 1.0}, "status": "ok"}]
    code, out, err = call(["grad", "w*x + b", "--points", "-", "--at", "w=2,b=1", "--wrt", "x"], b"x\n1\n3\n")
    assert (code, out) == (0, "2\n2\n")  # --wrt chooses: here the data variable
    code, out, err = call(["grad", "w*x", "--points", "-", "--at", "2"], b"x\n1\n3\n")
    assert (code, out) == (0, "1\n3\n")  # a bare value: the one variable that is not a column
    code, out, err = call(["grad", "w*x", "--points", "-", "--at", "w=2,q=5", "--format", "csv"], b"x\n1\n")
    assert (code, out) == (0, "x,value,∂f/∂w,status\n1,2.0,1.0,ok\n")  # CSV echoes the file; q is not read
    code, out, err = call(["grad", "x^2", "--points", "-", "--at", "q=5"], b"x\n3\n")
    assert (code, out) == (0, "6\n")  # no parameter is read: the gradient by every free variable


@pytest.mark.parametrize("argv, stdin, message", [
    (["--at", "w=1,x=2"], b"x\n1\n",
     "error: 'x' is given both by --at and by a column of standard input: give each variable one way (a column "
     "varies by row, --at is the same on every row)\n"),
    (["--at", "w=1,id=2"], b"x,id\n1,a\n", "error: 'id' is given both by --at and by a column of standard input"),
    (["--at", "w=1", "--at", "b=2"], b"x\n1\n",
     "error: with --points, --at gives the parameters, the same for every row: give one --at, not 2\n"),
    (["--at", "w=1"], b"x\n1\n",
     "error: no value for the free variable 'b': standard input has no column 'b' and --at w=1 does not give it\n"),
    (["--at", "w=1,bb=2"], b"x\n1\n",
     "error: no value for the free variable 'b': standard input has no column 'b' and --at w=1,bb=2 does not give it "
     "(did you mean 'b' instead of 'bb'?)\n"),
    (["--at", "1"], b"x\n1\n",
     "error: --at 1: a bare value needs exactly one free variable that is not a column of standard input; there are 2 "
     "(use --at w=VALUE,b=VALUE)\n"),
    ([], b"x\n1\n",
     "error: standard input has no column for the variable 'w' (its columns: x; the variables: w, x, b); or give it "
     "as a parameter, the same on every row, with --at w=VALUE\n"),
    (["--at", "w=1,b=ln(0)"], b"x\n1\n", "error: --at b: ln is undefined"),
])
def test_parameter_errors(argv, stdin, message):
    code, out, err = call(["grad", "w*x + b", "--points", "-", *argv], stdin)
    assert (code, out) == (2, "") and err.startswith(message), err


# ---- --reduce -------------------------------------------------------------------------------------------------------

def test_reduce_text_and_eval():
    code, out, err = call(["eval", "x^2", "--points", "-", "--reduce", "mean"], b"x\n1\n2\n3\n")
    assert (code, out, err) == (0, f"{14 / 3!r}\n", "")
    code, out, err = call(["grad", "x*y", "--points", "-", "--reduce", "sum", "--wrt", "x"], b"x,y\n1,2\n3,4\n")
    assert (code, out, err) == (0, "6\n", "")
    code, out, err = call(["grad", "x*y", "--points", "-", "--reduce", "sum", "--digits", "2"], b"x,y\n1,2.25\n3,4\n")
    assert (code, out, err) == (0, "∂f/∂x = 6.2  ∂f/∂y = 4\n", "")


def test_a_failing_row_fails_the_reduction_naming_the_row():
    code, out, err = call(["grad", "ln(x)", "--points", "-", "--reduce", "mean"], b"x\n1\n\n0\n2\n")
    assert (code, out) == (1, "")
    assert err == ("error: line 4 of standard input: ln is undefined in u1 = ln(x) with x = 0 (needs x > 0) "
                   "(--reduce mean needs every row)\n")
    code, out, err = call(["eval", "x", "--points", "-", "--reduce", "sum"], b"x\n1\nabc\n")
    assert (code, out) == (1, "") and err.startswith("error: line 3 of standard input: column x")


def test_reduce_over_no_rows():
    assert call(["eval", "x", "--points", "-", "--reduce", "sum"], b"x\n") == (0, "0\n", "")
    assert call(["eval", "x", "--points", "-", "--reduce", "mean"], b"x\n") == (
        1, "", "error: the mean over no rows is undefined: standard input has a header and no rows\n")


def test_reduce_overflow_is_a_math_error():
    code, out, err = call(["eval", "x", "--points", "-", "--reduce", "sum"], b"x\n1e308\n1e308\n")
    assert (code, out) == (1, "")
    assert err == "error: the sum over the rows of standard input overflows: a sum is too large for a double\n"


@pytest.mark.parametrize("argv, message", [
    (["eval", "x", "--points", "-", "--reduce", "max"], "error: --reduce must be mean or sum, not 'max'\n"),
    (["eval", "x", "--at", "1", "--reduce", "mean"],
     "error: --reduce mean shapes a batch of points: use it with --points FILE\n"),
    (["grad", "x", "--points", "-", "--reduce", "mean", "--format", "csv"],
     "error: --reduce mean gives one result, not a row per point: use text or --json, not --format csv\n"),
    (["check", "x", "--points", "-", "--reduce", "mean"], None),  # check compares row by row: no such option
])
def test_reduce_refusals(argv, message):
    code, out, err = call(argv, b"x\n1\n")
    assert (code, out) == (2, "")
    assert err == message if message else "--reduce" in err


# ---- --expect with --points ------------------------------------------------------------------------------------------

EXPECT_CSV = b"id,x,want,dwant\na,1,1,2\nb,2,4,4\nc,3,9,7\n"


def test_expect_a_column_per_row():
    code, out, err = call(["eval", "x^2", "--points", "-", "--expect", "col:want"], EXPECT_CSV)
    assert (code, out, err) == (0, "1\n4\n9\n", "")
    code, out, err = call(["grad", "x^2", "--points", "-", "--expect", "col:dwant", "--json"], EXPECT_CSV)
    assert code == 3 and [r["status"] for r in rows(out)] == ["ok", "ok", "expected ∂f/∂x = 7, got 6"]
    assert rows(out)[2]["gradient"] == {"x": 6.0}  # the numbers are still there
    assert error_text(err) == "error: the expectation does not hold at 1 of 3 rows of standard input; the first, " \
                              "line 4: expected ∂f/∂x = 7, got 6\n"  # --json: the error as JSON
    code, out, err = call(["grad", "x^2*y", "--points", "-", "--at", "y=1", "--wrt", "x,y",
                           "--expect", "x=col:dwant,y=col:want", "--format", "csv"], EXPECT_CSV)
    assert code == 3 and out.splitlines()[-1] == 'c,3,9,7,9.0,6.0,9.0,"expected ∂f/∂x = 7, got 6"'
    code, out, err = call(["grad", "x^2", "--points", "-", "--expect", "col:dwant", "--tol", "0.2"], EXPECT_CSV)
    assert code == 0  # |6 - 7| <= 0.2·7


def test_expect_a_constant_with_points_and_with_reduce():
    assert call(["eval", "sin(x)^2 + cos(x)^2", "--points", "-", "--expect", "1"], b"x\n1\n2\n")[0] == 0
    code, out, err = call(["eval", "x", "--points", "-", "--expect", "1"], b"x\n1\n2\n")
    assert (code, out) == (3, "1\n2\n")
    code, out, err = call(["grad", "x^2", "--points", "-", "--reduce", "mean", "--expect", "5"], b"x\n1\n2\n")
    assert (code, out, err) == (3, "3\n", "error: expected ∂f/∂x = 5, got 3\n")
    assert call(["grad", "x^2", "--points", "-", "--reduce", "mean", "--expect", "3"], b"x\n1\n2\n")[0] == 0


def test_an_expected_cell_that_is_not_a_number_fails_its_row():
    code, out, err = call(["eval", "x", "--points", "-", "--expect", "col:want", "--json"], b"x,want\n1,1\n2,two\n")
    assert code == 1 and rows(out)[1]["status"].startswith("column want")


@pytest.mark.parametrize("argv, message", [
    (["eval", "x^2", "--expect", "col:wnt"], "error: --expect col:wnt: standard input has no column 'wnt' (did you "
                                             "mean col:want?)\n"),
    (["eval", "x^2", "--expect", "col:zzzz"], "error: --expect col:zzzz: standard input has no column 'zzzz' (its "
                                              "columns: id, x, want, dwant)\n"),
    (["eval", "x^2", "--reduce", "sum", "--expect", "col:want"],
     "error: --expect col:want: --reduce sum gives one result, so it expects a constant, not a column\n"),
    (["grad", "x*y", "--at", "y=1", "--wrt", "x,y", "--expect", "3"],
     "error: --expect 3: a bare value needs exactly one variable, the gradient has 2 (use --expect x=VALUE,…)\n"),
    (["grad", "x*y", "--at", "y=1", "--expect", "x=col:want"],
     "error: --expect x=col:want: the gradient has no variable 'x'; its variables: y\n"),
    (["eval", "x", "--expect", "pi/"], "error: --expect: "),
])
def test_expect_errors_with_points(argv, message):
    code, out, err = call([*argv[:2], "--points", "-", *argv[2:]], EXPECT_CSV)
    assert (code, out) == (2, "") and err.startswith(message), err


# ---- extra columns ---------------------------------------------------------------------------------------------------

def test_extra_columns_are_echoed_in_json_as_read():
    code, out, err = call(["eval", "x + 1", "--points", "-", "--json", "--ignore-extra"],
                          b'id,x,note\n007,1,"a, b"\n008,2\n')
    assert code == 1
    assert rows(out) == [
        {"at": {"x": 1.0}, "extra": {"id": "007", "note": "a, b"}, "value": 2.0, "status": "ok"},
        {"at": {"x": None}, "extra": {"id": "008", "note": None}, "value": None,
         "status": "the row has 2 cells, the header 3"}]
    code, out, _ = call(["eval", "x + 1", "--points", "-", "--json"], b"x\n1\n")
    assert rows(out) == [{"at": {"x": 1.0}, "value": 2.0, "status": "ok"}]  # no extra columns: no "extra"


# ---- delimiters ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [b"x;y\n1;2\n3;4\n", b"x\ty\n1\t2\n3\t4\n", b"\n\nx;y\n1;2\n\n3;4\n",
                                  b'"x";"y"\n1;2\n3;4\n'])
def test_semicolon_and_tab_files_are_sniffed(text):
    assert call(["eval", "x*y", "--points", "-"], text) == (0, "2\n12\n", "")


@pytest.mark.parametrize("argv, text, want", [
    (["--delimiter", ";"], b"x;y\n1;2\n", (0, "2\n", "")),
    (["--delimiter", "tab"], b"x\ty\n1\t2\n", (0, "2\n", "")),
    (["--delimiter", "\\t"], b"x\ty\n1\t2\n", (0, "2\n", "")),
    (["--delimiter", "|"], b"x|y\n1|2\n", (0, "2\n", "")),
    (["--delimiter", ";"], b"x,y;z\n1,5;2\n", None),  # a header with ';' and ',' read as told
])
def test_an_explicit_delimiter(argv, text, want):
    got = call(["eval", "x*y" if want else "z", "--points", "-", *argv], text)
    assert got == (want or (0, "2\n", ""))


@pytest.mark.parametrize("text, code, message", [
    (b"x;y,z\n1;2,3\n", 2, "error: standard input: the header line has a comma and a semicolon: say which separates "
                           "the columns with --delimiter\n"),
    (b"x\ty;z\n1\t2;3\n", 2, "error: standard input: the header line has a semicolon and a tab"),
    # a decimal comma in a ';' file: the cell is not a number, so the row fails (never read as 1 and 5)
    (b"x;y\n1,5;2\n", 1, "error: 1 of 1 rows of standard input failed; the first, line 2: column x: "),
])
def test_nothing_is_misread(text, code, message):
    got_code, out, err = call(["eval", "x*y", "--points", "-"], text)
    assert got_code == code and err.startswith(message), err
    assert "1.5" not in out and out in ("", "error: line 2: column x: unexpected ',' (expected '=', ';' or the end)\n")


def test_a_semicolon_file_read_with_commas_is_an_error_not_one_column():
    code, out, err = call(["eval", "x*y", "--points", "-", "--delimiter", ","], b"x;y\n1;2\n")
    assert (code, out) == (2, "")
    assert err.startswith("error: standard input has no column for the variable 'x' (its columns: x;y;")
    # one column whose cells hold ';': each row fails, none is read as a number
    code, out, err = call(["eval", "x", "--points", "-", "--json"], b"x\n1;2\n")
    assert code == 1 and rows(out)[0]["value"] is None and "a program" in rows(out)[0]["status"]


@pytest.mark.parametrize("delimiter", ["ab", "", "1", "e", ".", "-", '"', "\n"])
def test_a_bad_delimiter_is_refused(delimiter):
    code, out, err = call(["eval", "x", "--points", "-", "--delimiter", delimiter], b"x\n1\n")
    assert (code, out) == (2, "")
    assert err.startswith(f"error: --delimiter {delimiter!r}: give one character that separates the cells")


def test_a_delimiter_needs_points():
    assert call(["check", "x", "--at", "1", "--delimiter", ";"]) == (
        2, "", "error: --delimiter ; shapes a batch of points: use it with --points FILE\n")


# ---- EXPR from @file --------------------------------------------------------------------------------------------------

def test_at_file_reads_the_program(tmp_path, monkeypatch):
    (tmp_path / "loss.dc").write_text("# a comment\na = x^2\na*y\n")
    monkeypatch.chdir(tmp_path)
    assert call(["grad", "@loss.dc", "--at", "x=1,y=3"]) == (0, "∂f/∂x = 6  ∂f/∂y = 1\n", "")
    assert call(["eval", f"@{tmp_path / 'loss.dc'}", "--at", "x=2,y=1"]) == (0, "4\n", "")
    assert call(["diff", "@loss.dc", "--wrt", "y"]) == (0, "x^2\n", "")
    assert call(["trace", "@loss.dc", "--at", "x=1,y=3", "--wrt", "x", "--format", "json"])[0] == 0
    (tmp_path / "@odd").write_text("2x")
    assert call(["eval", "@@odd", "--at", "4"]) == (0, "8\n", "")  # after the first '@', the path as given


@pytest.mark.parametrize("name, content, message", [
    ("missing.dc", None, "error: cannot read the expression file 'missing.dc': No such file or directory\n"),
    ("dir", "DIR", "error: cannot read the expression file 'dir': Is a directory\n"),
    ("bad.dc", b"x\xff", "error: 'bad.dc' is not UTF-8 text (bad byte at offset 1)\n"),
    ("", None, "error: '@' names a file to read the expression from: write @loss.dc\n"),
])
def test_at_file_errors(tmp_path, monkeypatch, name, content, message):
    monkeypatch.chdir(tmp_path)
    if content == "DIR":
        (tmp_path / name).mkdir()
    elif content is not None:
        (tmp_path / name).write_bytes(content)
    assert call(["eval", f"@{name}", "--at", "1"]) == (2, "", message)


def test_a_syntax_error_in_a_file_shows_its_line(tmp_path):
    path = tmp_path / "f.dc"
    path.write_text("a = x^2\nb = a*\n")
    code, out, err = call(["eval", f"@{path}", "--at", "1"])
    assert (code, out) == (2, "") and err.startswith("error: line 2, column 7: unexpected end of input")


@pytest.mark.parametrize("expr, there", [("loss.dc", True), ("loss.dc", False), ("./f.txt", False),
                                         ("models/mlp.dc", False), ("../x.csv", False)])
def test_a_path_like_expr_that_does_not_parse_gets_a_hint(tmp_path, monkeypatch, expr, there):
    monkeypatch.chdir(tmp_path)
    if there:
        (tmp_path / expr).write_text("x^2")
    code, out, err = call(["grad", expr, "--at", "1"])
    assert (code, out) == (2, "") and err.startswith("error: ")
    assert err.endswith(f"\n  hint: to read {'the' if there else 'a'} file write @{expr}\n"), err


@pytest.mark.parametrize("expr", ["x +* 2", "sin(x", "x^^2"])
def test_other_syntax_errors_get_no_file_hint(expr):
    code, _, err = call(["eval", expr, "--at", "1"])
    assert code == 2 and "@" not in err


# ---- the README's examples, as printed --------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


def readme_examples() -> list[tuple[str, str]]:
    """(command, output) of each `$ …` line of the README's data-and-parameters examples."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("**Data and parameters", 1)[1].split("**Expectations per row.**", 1)[0]
    examples, command, output = [], None, []
    for line in section.splitlines() + ["$ end"]:
        body = line[4:] if line.startswith("    ") else line
        if body.startswith("$ "):
            if command is not None:
                examples.append((command, "".join(o + "\n" for o in output)))
            command, output = body[2:], []
        elif line.startswith("    "):
            output.append(body)
    return examples


def test_the_readme_examples_are_all_there():
    commands = [c for c, _ in readme_examples()]
    assert [c.split()[:2] for c in commands] == [["cat", "logistic.csv"], ["dcalc", "grad"], ["dcalc", "grad"],
                                                 ["dcalc", "check"], ["cat", "mlp.dc"], ["cat", "xor.csv"],
                                                 ["dcalc", "grad"]]


@pytest.mark.parametrize("command, output", readme_examples())
def test_the_readme_examples_print_what_the_readme_shows(command, output, monkeypatch):
    """The files shown are those of tests/data; the commands print there what the README shows (tests/test_api.py
    runs them too, from the files as the README shows them)."""
    import shlex
    monkeypatch.chdir(DATA)
    words, _, pipe = command.partition(" | ")
    argv = shlex.split(words)
    if argv[0] == "dcalc":
        code, out, err = call(argv[1:])
        assert (code, err) == (0, "")
    else:
        out = (DATA / argv[1]).read_text()
    if pipe:
        head, n = shlex.split(pipe)
        lines = out.splitlines(keepends=True)
        out = "".join(lines[:int(n[1:])] if head == "head" else lines[-int(n[1:]):])
    assert out == output


def test_many_parameters():
    """2,000 parameters beside one column: each gets its partial (the parameters' checks are linear in the names)."""
    n = 2000
    expr = " + ".join(f"p{i}*x^{i % 3}" for i in range(n))
    at = ",".join(f"p{i}={i}" for i in range(n))
    code, out, err = call(["grad", expr, "--points", "-", "--at", at, "--reduce", "sum", "--json"], b"x\n2\n3\n")
    assert (code, err) == (0, "")
    (r,) = rows(out)
    assert r["gradient"] == {f"p{i}": float(2 ** (i % 3) + 3 ** (i % 3)) for i in range(n)}
