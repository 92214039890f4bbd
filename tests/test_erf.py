"""erf and erfc: one entry of the primitive table each, and every mode has them (issue 12: adding a primitive is one
table entry plus its test oracles). The reference is mpmath at 50 digits, which shares no code with dcalc."""

from __future__ import annotations

import json
import re

import mpmath as mp
import pytest

import dcalc
from dcalc.core.partials import numeric_rules
from dcalc.modes.evaluate import node_values
from dcalc.modes.forward import derivative
from dcalc.modes.reverse import gradient
from dcalc.modes.taylor import nth_derivative
from dcalc.symbolic.latex import to_latex
from dcalc_proc import call

mp.mp.dps = 50
POINTS = [0.0, 1e-150, -1e-150, 1e-8, 0.3, -0.5, 1.0, 2.5, -2.5, 6.0, -6.0, 26.0, 27.5, 30.0, -30.0]
REFERENCE = {"erf": mp.erf, "erfc": mp.erfc}


def _true(name: str, order: int, x: float):
    """The order-th derivative of erf or erfc at x, at 50 digits: the textbook (-1)^(n-1)·2/√π·H_(n-1)(x)·e^(-x²)
    with the Hermite polynomial H (erfc's are minus erf's); a numerical derivative of erf loses the tail (x = 26)."""
    x = mp.mpf(x)
    if order == 0:
        return REFERENCE[name](x)
    d = (-1) ** (order - 1) * 2 / mp.sqrt(mp.pi) * mp.hermite(order - 1, x) * mp.exp(-x * x)
    return d if name == "erf" else -d


def _close(got: float, true, ulps: float = 8) -> bool:
    """Within a few ulps of the true value, or the true value's rounding below the smallest subnormal."""
    return abs(mp.mpf(got) - true) <= ulps * 2.0 ** -52 * abs(true) + 5e-324


@pytest.mark.parametrize("name", ["erf", "erfc"])
@pytest.mark.parametrize("x", POINTS)
def test_value_forward_and_reverse_against_mpmath(name, x):
    g = dcalc.compile(f"{name}(x)")
    vals = node_values(g, {"x": x})
    assert _close(vals[g.output], _true(name, 0, x), ulps=2), vals[g.output]
    slope = _true(name, 1, x)
    forward, reverse = derivative(g, vals, "x"), gradient(g, vals)["x"]
    # 2/√π·e^(-x²): x² rounds by half an ulp, which e^(-x²) turns into x² ulps of the partial (its condition)
    tolerance = 8 + 2 * x * x
    assert _close(forward, slope, tolerance) and _close(reverse, slope, tolerance), (forward, reverse, slope)
    assert forward == reverse == numeric_rules(name)[0]([x])


def test_the_textbook_derivatives_are_mpmaths():
    for name in REFERENCE:
        for order in (1, 2, 3, 5):
            for x in (-0.7, 0.5, 2.0):
                assert abs(_true(name, order, x) - mp.diff(REFERENCE[name], mp.mpf(x), order)) < mp.mpf(10) ** -30


def test_far_tails_are_exact_zeros_and_ones():
    assert dcalc.evaluate("erf(x)", {"x": 30}) == 1.0 and dcalc.evaluate("erf(x)", {"x": -30}) == -1.0
    assert dcalc.evaluate("erfc(x)", {"x": 30}) == 0.0 and dcalc.evaluate("erfc(x)", {"x": -30}) == 2.0
    assert dcalc.gradient("erf(x)", {"x": 30}) == {"x": 0.0}  # 2/√π·e^-900 = 1e-391: below the doubles
    assert dcalc.gradient("erfc(x)", {"x": 1e200}) == {"x": 0.0}  # x² overflows to inf, e^-inf is 0: still right


def test_erfc_keeps_its_tail_where_1_minus_erf_cannot():
    assert _close(dcalc.evaluate("erfc(x)", {"x": 6}), mp.erfc(6), ulps=2)  # 2.15e-17, where 1 - erf(6) is 0
    assert dcalc.evaluate("1 - erf(x)", {"x": 6}) == 0.0


@pytest.mark.parametrize("name", ["erf", "erfc"])
@pytest.mark.parametrize("x", [1e-150, -0.7, 0.5, 2.0, -6.0])
@pytest.mark.parametrize("order", [1, 2, 3, 5])
def test_higher_orders_through_taylor_mode(name, x, order):
    """grad --order N: Taylor mode reads the table's rule (2/√π·e^(-a²)) as series, no extra knowledge of erf."""
    g = dcalc.compile(f"{name}(x)")
    got = nth_derivative(g, {"x": x}, "x", order)
    assert abs(mp.mpf(got) - _true(name, order, x)) <= 1e-12 * max(1, abs(_true(name, order, x))), (got, order)


def test_the_command_line_in_every_mode(capsys):
    code, out, err = call(["grad", "erf(x)*erfc(y)", "--at", "x=0.5,y=-1"])
    assert code == 0 and err == ""
    want = {"x": 2 / mp.sqrt(mp.pi) * mp.exp(-0.25) * mp.erfc(-1), "y": -mp.erf(0.5) * 2 / mp.sqrt(mp.pi) * mp.exp(-1)}
    got = dict(re.findall(r"∂f/∂(\w+) = (\S+)", out))
    assert got.keys() == want.keys() and all(_close(float(got[x]), want[x], 16) for x in want), out
    code, out, _ = call(["grad", "erf(x)", "--at", "0.5", "--order", "2"])
    assert code == 0 and _close(float(out), _true("erf", 2, 0.5), 64)
    code, out, _ = call(["grad", "erfc(x^2)", "--at", "0.7", "--hessian"])
    second = mp.diff(lambda t: mp.erfc(t * t), mp.mpf(0.7), 2)
    assert code == 0 and _close(float(re.findall(r"-?\d[\d.e+-]*", out.splitlines()[-1])[-1]), second, 64), out


def test_numpy_columns_map_the_scalar_rules():
    """NumPy has no erf: a batch maps the table's value function over the rows, and its partials are the table's rule
    compiled over arrays, so a batch gives what single points give."""
    xs = [0.0, 1e-150, -0.5, 2.5, -6.0, 27.5, 30.0]
    code, out, err = call(["grad", "--points", "-", "--json", "--", "erf(x) + erfc(3x)"],
                          stdin=("x\n" + "\n".join(map(repr, xs)) + "\n").encode())
    assert code == 0 and err == ""
    rows = [json.loads(line) for line in out.splitlines()]
    for x, row in zip(xs, rows, strict=True):
        assert row["status"] == "ok"
        assert row["value"] == dcalc.evaluate("erf(x) + erfc(3x)", {"x": x})
        assert row["gradient"]["x"] == pytest.approx(dcalc.gradient("erf(x) + erfc(3x)", {"x": x})["x"],
                                                     rel=4 * 2.0 ** -52, abs=5e-324)


def test_latex_and_the_diff_formula():
    assert to_latex(dcalc.parse("erf(x) + erfc(2y)").stmts[0]) == \
        "\\operatorname{erf}\\left(x\\right) + \\operatorname{erfc}\\left(2 y\\right)"
    assert dcalc.diff("erf(x)") == "2exp(-x^2)/sqrt(pi)"
    assert dcalc.diff("erfc(x)") == "-2exp(-x^2)/sqrt(pi)"
    assert dcalc.diff("erf(x)", order=2) == "-4x*exp(-x^2)/sqrt(pi)"
    d = dcalc.diff("erf(sin(x))")
    assert dcalc.evaluate(d, {"x": 0.4}) == pytest.approx(float(2 / mp.sqrt(mp.pi) * mp.exp(-mp.sin(0.4) ** 2)
                                                               * mp.cos(0.4)), rel=1e-15)
    code, out, _ = call(["diff", "erfc(x)", "--format", "latex"])
    assert code == 0 and out == ("\\[\n\\frac{d}{dx}\\left[\\operatorname{erfc}\\left(x\\right)\\right] = "
                                 "-\\frac{2 e^{-x^{2}}}{\\sqrt{\\pi}}\n\\]\n")


def test_the_names_are_functions_of_one_argument():
    with pytest.raises(dcalc.DcalcError, match="erf takes 1 argument"):
        dcalc.compile("erf(x, 2)")
    with pytest.raises(dcalc.DcalcError, match="cannot assign to the built-in function 'erfc'"):
        dcalc.compile("erfc = 2; erfc")
