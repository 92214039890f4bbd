"""The Python API agrees with the command line: the same numbers, the same refusals (a DcalcError of the kind whose
exit code the command gives), and only DcalcError for bad input, whatever a caller passes."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dcalc
from dcalc.errors import DcalcError
from dcalc_proc import call


def _number(out: str) -> float:
    return float(out.strip())


# (API call, command line, how to read the command's output into the API's result)
AGREE = [
    (lambda: dcalc.evaluate("2x^2 + sin(pi/2)", {"x": 3}), ["eval", "2x^2 + sin(pi/2)", "--at", "3"], _number),
    (lambda: dcalc.evaluate("x", {"x": "pi/4"}), ["eval", "x", "--at", "x=pi/4"], _number),
    (lambda: dcalc.evaluate("x + 1", {"x": 1, "y": 5}), ["eval", "x + 1", "--at", "x=1"], _number),
    (lambda: dcalc.derivative("x^3", {"x": 2}), ["grad", "x^3", "--at", "2"], _number),
    (lambda: dcalc.derivative("x*y", {"x": 2, "y": 5}, "y"), ["grad", "x*y", "--at", "x=2,y=5", "--wrt", "y"], _number),
    (lambda: dcalc.derivative("x + 1e17*(x - x)", {"x": 1}), ["grad", "x + 1e17*(x - x)", "--at", "1"], _number),
    (lambda: dcalc.gradient("ln(x1) + x1*x2 - sin(x2)", {"x1": 2, "x2": 5}),
     ["grad", "ln(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5", "--json"], lambda out: json.loads(out)["gradient"]),
    (lambda: dcalc.diff("sin(x + x^2)"), ["diff", "sin(x + x^2)"], lambda out: out.rstrip("\n")),
    (lambda: dcalc.diff("x^3*y", ["x", "y"]), ["diff", "x^3*y", "--wrt", "x,y"], lambda out: out.rstrip("\n")),
    (lambda: dcalc.trace("x*y + x", {"x": 2, "y": 3}, "y", "reverse").derivative,
     ["trace", "x*y + x", "--at", "x=2,y=3", "--wrt", "y", "--mode", "reverse", "--format", "json"],
     lambda out: json.loads(out)["derivative"]),
    pytest.param(lambda: dcalc.derivative("x*y", {"x": 1, "y": 2}, "z"), ["grad", "x*y", "--at", "x=1,y=2", "--wrt", "z"],
                 _number, id="derivative by an unread variable"),
    pytest.param(lambda: dcalc.diff("x^2", "y"), ["diff", "x^2", "--wrt", "y"], lambda out: out.rstrip("\n"),
                 id="diff by an unread variable"),
]


@pytest.mark.parametrize("api, argv, read", AGREE)
def test_the_api_and_the_command_give_the_same_answer(api, argv, read):
    code, out, err = call(argv)
    assert code == 0
    assert all(line.startswith("note: the expression does not read") for line in err.splitlines()), err
    assert api() == read(out)


def test_the_derivative_by_a_variable_the_expression_does_not_read_is_zero():
    assert dcalc.derivative("x*y", {"x": 1, "y": 2}, "z") == 0.0
    assert dcalc.diff("x^2", "y") == "0"


# (API call, command line): both refuse, with the same exit code
REFUSE = [
    (lambda: dcalc.evaluate("sin(x)", {"x": math.inf}), ["eval", "sin(x)", "--at", "x=1e999"], 2),
    (lambda: dcalc.evaluate("sin(x)", {"x": -math.inf}), ["eval", "sin(x)", "--at", "x=-1e999"], 2),
    (lambda: dcalc.evaluate("sin(x)", {"x": math.nan}), ["eval", "sin(x)", "--at", "x=nan"], 2),
    (lambda: dcalc.evaluate("x", {"x": 10 ** 400}), ["eval", "x", "--at", "x=1" + "0" * 400], 2),
    (lambda: dcalc.evaluate("x", {"x": "y"}), ["eval", "x", "--at", "x=y"], 2),
    (lambda: dcalc.evaluate("x", {"x": ""}), ["eval", "x", "--at", "x="], 2),
    (lambda: dcalc.evaluate("x", {}), ["eval", "x"], 2),
    (lambda: dcalc.evaluate("sqrt(x)", {"x": -1}), ["eval", "sqrt(x)", "--at", "-1"], 1),
    (lambda: dcalc.evaluate("sin(", {}), ["eval", "sin("], 2),
    (lambda: dcalc.evaluate("sinn(x)", {"x": 1}), ["eval", "sinn(x)", "--at", "1"], 2),
    (lambda: dcalc.derivative("abs(x)", {"x": 0}), ["grad", "abs(x)", "--at", "0"], 1),
    (lambda: dcalc.derivative("x*y", {"x": 1, "y": 2}), ["grad", "x*y", "--at", "x=1,y=2", "--order", "1"], 2),
    (lambda: dcalc.gradient("x/y", {"x": 1, "y": 0}), ["grad", "x/y", "--at", "x=1,y=0"], 1),
    (lambda: dcalc.trace("x", {"x": 1}, mode="sideways"), ["trace", "x", "--at", "1", "--mode", "sideways"], 2),
    (lambda: dcalc.trace("3", {}), ["trace", "3"], 2),
    # a trace follows its variable through the graph: one the expression does not read is refused by both
    (lambda: dcalc.trace("x*y", {"x": 1, "y": 2}, "z"), ["trace", "x*y", "--at", "x=1,y=2", "--wrt", "z"], 2),
]


@pytest.mark.parametrize("api, argv, code", REFUSE)
def test_the_api_and_the_command_refuse_alike(api, argv, code):
    got = call(argv)
    assert got[0] == code and got[1] == "" and got[2].startswith("error: ")
    with pytest.raises(DcalcError) as info:
        api()
    assert info.value.exit_code == code


def test_evaluate_of_infinity_is_a_dcalc_error_naming_the_variable():
    with pytest.raises(dcalc.DcalcError) as info:
        dcalc.evaluate("sin(x)", {"x": math.inf})
    assert (info.value.message, info.value.exit_code) == ("the value of 'x' must be a finite number, not inf", 2)


# bad input only the API can be given: each a DcalcError of exit code 2 with this message
API_ONLY = [
    (lambda: dcalc.evaluate(3), "expected the text of a dcalc expression or program, not int"),
    (lambda: dcalc.parse(None), "expected the text of a dcalc expression or program, not NoneType"),
    (lambda: dcalc.compile(b"x"), "expected the text of a dcalc expression or program, not bytes"),
    (lambda: dcalc.evaluate("x", [1]), "a point is a dict of variable values, not list"),
    (lambda: dcalc.evaluate("x", {1: 2}), "a point names its variables with strings, not 1"),
    (lambda: dcalc.evaluate("x", {"x": None}), "the value of 'x' must be a real number, not None"),
    (lambda: dcalc.evaluate("x", {"x": True}), "the value of 'x' must be a real number, not True"),
    (lambda: dcalc.evaluate("x", {"x": 1j}), "the value of 'x' must be a real number, not 1j"),
    (lambda: dcalc.evaluate("x", {"x": [1.0]}), "the value of 'x' must be a real number, not [1.0]"),
    (lambda: dcalc.gradient("x", {"x": np.float64("nan")}), "the value of 'x' must be a finite number, not nan"),
    (lambda: dcalc.derivative("x", {"x": 1}, 3), "wrt must be a variable name, not 3"),
    (lambda: dcalc.derivative("x", {"x": 1}, "2x"), "wrt must be a variable name, not '2x'"),
    (lambda: dcalc.derivative("x", None), "no value for the free variable 'x'"),
    (lambda: dcalc.diff("x^2", order=0), "order must be a whole number of at least 1, not 0"),
    (lambda: dcalc.diff("x^2", order=2.0), "order must be a whole number of at least 1, not 2.0"),
    (lambda: dcalc.diff("x^2", order=True), "order must be a whole number of at least 1, not True"),
    (lambda: dcalc.diff("x^2", wrt=["x", None]), "wrt must be a variable name, not None"),
    (lambda: dcalc.diff("x^2", wrt=5), "wrt must be a variable name or a list of them, not int"),
    (lambda: dcalc.trace("x", {"x": 1}, mode=None), "mode must be 'forward' or 'reverse', not None"),
    (lambda: dcalc.derivative("a = x^2; a", {"x": 1}, "a"),
     "wrt 'a' is defined by the expression, not a free variable; the variables: x"),
    (lambda: dcalc.diff("f(t) = t^2; f(x)", "f"), "wrt 'f' is defined by the expression, not a free variable; the "
                                                   "variables: x"),
    (lambda: dcalc.derivative("x", {"x": 1}, "pi"), "wrt 'pi' is a constant; the variables: x"),
    (lambda: dcalc.derivative("x", {"x": 1}, "sin"), "wrt 'sin' is a built-in function; the variables: x"),
]


@pytest.mark.parametrize("api, message", API_ONLY, ids=[m for _, m in API_ONLY])
def test_bad_api_input_is_a_dcalc_error(api, message):
    with pytest.raises(DcalcError) as info:
        api()
    assert (info.value.message, info.value.exit_code) == (message, 2)


@pytest.mark.parametrize("value", [2, 2.0, np.float32(2.0), np.int64(2), Fraction(2), "2", "4/2"])
def test_any_real_number_is_a_point_value(value):
    assert dcalc.evaluate("x^3", {"x": value}) == 8.0
    assert dcalc.derivative("x^3", {"x": value}) == 12.0


VALUES = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10 ** 500, 10 ** 500), st.none(),
                   st.booleans(), st.complex_numbers(), st.text(max_size=8), st.lists(st.floats(), max_size=2),
                   st.fractions())


@given(VALUES, st.sampled_from(["evaluate", "derivative", "gradient", "trace"]))
def test_whatever_a_point_holds_the_api_answers_or_raises_a_dcalc_error(v, entry):
    f = getattr(dcalc, entry)
    try:
        got = f("sqrt(x) + x", {"x": v})
    except DcalcError as e:
        assert e.exit_code in (1, 2)
        return
    if entry == "trace":
        got = got.derivative
    if entry == "gradient":
        got = got["x"]
    assert isinstance(got, float) and math.isfinite(got)
