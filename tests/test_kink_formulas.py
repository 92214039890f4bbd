"""The printed derivative of a kinked primitive is undefined at its kink or jump, as the derivative is (issue 11):
relu's used to print (1 + sign(x))/2, which a user or a script evaluating it at x = 0 got as 0.5 without a word, and
floor's printed 0, also at the integers. Each formula read back with `dcalc eval` at the kink is an error (exit 1);
elsewhere it equals `dcalc grad` exactly (the references: grad, and the textbook derivative 0 or 1 written here)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from dcalc.app import app

runner = CliRunner()


def call(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout.strip(), r.stderr


# (f, its kinks or jumps in x, points off them with the textbook derivative there)
KINKED = [
    ("relu(x)", ["0"], [("-2.5", 0.0), ("-1e-300", 0.0), ("1e-300", 1.0), ("3", 1.0)]),
    ("abs(x)", ["0"], [("-2.5", -1.0), ("5e-324", 1.0), ("7", 1.0)]),
    ("sign(x)", ["0"], [("-2.5", 0.0), ("1e-300", 0.0), ("4", 0.0)]),
    ("max(x, 2)", ["2"], [("1.5", 0.0), ("2.5", 1.0), ("-1e300", 0.0)]),
    ("min(x, 2)", ["2"], [("1.5", 1.0), ("2.5", 0.0), ("1e300", 0.0)]),
    ("max(x, -x)", ["0"], [("-1", -1.0), ("1", 1.0)]),
    ("floor(x)", ["0", "1", "-3"], [("0.5", 0.0), ("-2.75", 0.0), ("1e-300", 0.0)]),
    ("ceil(x)", ["0", "1", "-3"], [("0.5", 0.0), ("-2.75", 0.0), ("1e-300", 0.0)]),
    ("round(x)", ["0.5", "-0.5", "2.5"], [("0", 0.0), ("0.75", 0.0), ("-2.25", 0.0)]),
]


def printed(f: str, *options: str) -> str:
    code, out, err = call("diff", f, *options)
    assert code == 0, err
    return out


@pytest.mark.parametrize("f,kinks,points", KINKED, ids=[k[0] for k in KINKED])
def test_the_printed_derivative_is_undefined_at_the_kink(f, kinks, points):
    formula = printed(f)
    assert "sign(x) + 1" not in formula and formula != "0", formula
    for x in kinks:
        code, out, err = call("eval", formula, "--at", f"x={x}")
        assert code == 1 and err.startswith("error: division by zero"), (f, formula, x, out)
        code, out, err = call("grad", f, "--at", f"x={x}")  # the derivative does not exist there either
        assert code == 1, (f, x, out)


@pytest.mark.parametrize("f,kinks,points", KINKED, ids=[k[0] for k in KINKED])
def test_the_printed_derivative_is_the_derivative_elsewhere(f, kinks, points):
    formula = printed(f)
    for x, want in points:
        code, out, err = call("eval", formula, "--at", f"x={x}")
        assert code == 0 and float(out) == want, (f, formula, x, out, err)
        code, grad, err = call("grad", f, "--at", f"x={x}")
        assert code == 0 and float(grad) == want, (f, x, grad, err)


def test_the_formulas_read_well():
    assert printed("relu(x)") == "(x/abs(x) + 1)/2"
    assert printed("max(x, y)", "--wrt", "x") == "((x - y)/abs(x - y) + 1)/2"
    assert printed("min(x, y)", "--wrt", "y") == "((x - y)/abs(x - y) + 1)/2"
    assert printed("floor(x)") == "(x - floor(x))/abs(x - floor(x)) - sign(x - floor(x))"
    assert printed("sign(x)") == "x/abs(x) - sign(x)"


def test_a_composite_at_a_kink_is_an_error_not_a_number():
    # relu(x)^2 has the derivative 0 at 0 (grad says so, from the one-sided derivatives); its printed formula is
    # valid off the kink and refuses at it, rather than a value the formula cannot vouch for
    formula = printed("relu(x)^2")
    assert call("grad", "relu(x)^2", "--at", "0")[:2] == (0, "0")
    assert call("eval", formula, "--at", "x=0")[0] == 1
    assert float(call("eval", formula, "--at", "x=1.5")[1]) == 3.0
    assert float(call("eval", formula, "--at", "x=-1.5")[1]) == 0.0
    formula = printed("max(x, y)", "--wrt", "x")
    assert call("eval", formula, "--at", "x=2,y=2")[0] == 1
    assert float(call("eval", formula, "--at", "x=2,y=1")[1]) == 1.0


@pytest.mark.parametrize("f,jump,off", [("sign(x)", "0", "3"), ("floor(x)", "1", "1.5"), ("ceil(x)", "-2", "0.25"),
                                        ("round(x)", "1.5", "1.25")])
def test_the_step_derivatives_of_higher_order_are_undefined_at_the_jump_too(f, jump, off):
    for order in ("2", "3"):
        formula = printed(f, "--order", order)
        assert call("eval", formula, "--at", f"x={jump}")[0] == 1, (f, order, formula)
        assert float(call("eval", formula, "--at", f"x={off}")[1]) == 0.0, (f, order, formula)


@pytest.mark.parametrize("f,smooth", [("round(x)", ["1", "0", "-3", "1e15"]), ("floor(x)", ["0.5", "-2.5"]),
                                      ("ceil(x)", ["0.5", "-2.5"])])
def test_the_step_derivatives_of_higher_order_are_defined_off_the_jumps(f, smooth):
    # round's jumps are at the halves only: its formula once took floor's jumps at the integers into its second
    # derivative, undefined at x = 1 where round(x) is constant (seed 10000238, `log10(round(x))`)
    for order in ("2", "3"):
        formula = printed(f, "--order", order)
        for x in smooth:
            assert call("eval", formula, "--at", f"x={x}")[:2] == (0, "0"), (f, order, x, formula)
    code, out, _ = call("diff", "log10(round(x))", "--wrt", "x,x", "--at", "1")
    assert (code, out.splitlines()[-1]) == (0, "at x = 1: 0")
