"""Hostile inputs: huge, deep, overflowing, binary, oddly encoded. Each gets a result or a clear `error:`, with the
right exit code, within CPU-time and memory bounds measured on the real process (os.wait4's rusage).

dcalc reads at most 1,000,000 characters (syntax.MAX_SOURCE): larger inputs are refused at once with exit 2, and
everything up to the limit is computed without recursion.
"""

from __future__ import annotations

import json

import pytest

import dcalc
from dcalc.errors import DcalcError, MathError, UsageError
from dcalc.language.syntax import MAX_SOURCE
from dcalc_proc import call, run

BASE_MB = 150  # a generous ceiling for start-up plus a small input; the big inputs below get their own


def refused(text_or_bytes, *args) -> None:
    """Refused as too long: exit 2 with a clear message, quickly and without reading it all into big structures."""
    result = run("eval", "-", *args, stdin=text_or_bytes)
    result.assert_contract(codes=(2,), cpu_limit=2.0)
    assert "dcalc reads at most 1,000,000" in result.err or "longer than dcalc reads" in result.err
    assert result.err.count("\n") == 1, result.err  # one line: never the input echoed back
    assert result.peak_mb < BASE_MB, f"{result.peak_mb:.0f} MB"


# ---------------------------------------------------------------------------------------------------------------
# Size and depth

def test_a_10_mb_expression_is_refused_quickly():
    refused(("1.5*x + " * 1_250_000 + "1").encode(), "--at", "1")


def test_endless_standard_input_is_refused_after_the_limit():
    refused(b"\0" * (4 * MAX_SOURCE + 10))


def test_the_limit_holds_for_the_library_too():
    with pytest.raises(UsageError, match="the input is 2,000,001 characters long; dcalc reads at most 1,000,000"):
        dcalc.parse("x" * 2_000_001)


def test_a_million_terms_is_refused():
    refused("+".join(["x"] * 1_000_000), "--at", "1")


def test_a_hundred_thousand_terms_give_the_exact_result():
    text = "+".join(["x"] * 100_000)
    result = run("grad", "-", "--at", "1", "--json", stdin=text)
    result.assert_contract(codes=(0,), cpu_limit=15.0)
    assert json.loads(result.out) == {"at": {"x": 1.0}, "value": 100000.0, "gradient": {"x": 100000.0}}
    assert result.peak_mb < 250, f"{result.peak_mb:.0f} MB"


def test_a_million_nested_parentheses_is_a_clear_error():
    refused("(" * 1_000_000 + "x" + ")" * 1_000_000, "--at", "1")


def test_two_hundred_thousand_nested_parentheses_give_a_result():
    """As deep as the length limit allows for a result in a few seconds: no recursion anywhere."""
    depth = 200_000
    result = run("grad", "-", "--at", "3", "--json", stdin="(" * depth + "x^2" + ")" * depth)
    result.assert_contract(codes=(0,), cpu_limit=15.0)
    assert json.loads(result.out) == {"at": {"x": 3.0}, "value": 9.0, "gradient": {"x": 6.0}}
    assert result.peak_mb < 250, f"{result.peak_mb:.0f} MB"


def test_unbalanced_deep_parentheses_point_at_the_end():
    text = "(" * 100_000 + "x"
    with pytest.raises(DcalcError) as e:
        dcalc.parse(text)
    assert "unexpected end of input" in e.value.message and "')'" in e.value.message
    assert e.value.span[0] == len(text)


# ---------------------------------------------------------------------------------------------------------------
# Numbers too large or too long

@pytest.mark.parametrize("text", ["9^9^9^9", "9^9^9^9^9^9^9", "(-9)^9^9^9", "2^2^2^2^2^2", "pow(9, 9^9^9)",
                                  "9**9**9**9"])
def test_a_power_tower_overflows_as_a_math_error(text):
    code, out, err = call(["eval", text])
    assert (code, out) == (1, "")
    assert err.startswith("error: overflow in ") and "too large for a double" in err


def test_9_9_9_9_in_the_real_process_is_quick():
    """No big-integer arithmetic: doubles overflow at once."""
    run("eval", "9^9^9^9").assert_contract(codes=(1,), cpu_limit=2.0)


X_TOWER = "^".join(["x"] * 1000)  # x^x^…^x, 1,000 levels (right-associative)


@pytest.mark.parametrize("command, point, expected", [("eval", "1", "1\n"), ("grad", "1", "1\n"),
                                                     ("eval", "0.5", None), ("grad", "0.5", None)])
def test_a_thousand_level_x_tower(command, point, expected):
    code, out, err = call([command, X_TOWER, "--at", point])
    assert (code, err) == (0, ""), err
    if expected is not None:
        assert out == expected  # T = 1 at x = 1, and dT/dx = T·(T'·ln x + T/x) = 1 there
    else:
        assert 0 < float(out) < 1 if command == "eval" else float(out) == float(out)


def test_a_thousand_level_x_tower_overflows_past_one():
    code, out, err = call(["eval", X_TOWER, "--at", "2"])
    assert (code, out) == (1, "") and err.startswith("error: overflow in ")


def test_a_number_with_100000_digits_is_too_large_for_a_double():
    digits = "1" * 100_000
    code, out, err = call(["eval", digits])
    assert (code, out) == (1, "")
    first, line, caret = err.splitlines()
    assert first == "error: the number 11111111111111111111… is too large for a double"
    assert len(line) < 100 and len(caret) < 100  # the source line shown as a window, not 100,000 characters


@pytest.mark.parametrize("text, value", [("0." + "0" * 99_999 + "1", "0"), ("1" + "0" * 100_000 + "e-100000", "1"),
                                         ("0." + "3" * 100_000, "0.3333333333333333")])
def test_long_numbers_that_fit_a_double(text, value):
    assert call(["eval", text]) == (0, value + "\n", "")


def test_a_100000_digit_number_through_the_real_process():
    run("eval", "-", stdin="1" * 100_000).assert_contract(codes=(1,), cpu_limit=2.0)


# ---------------------------------------------------------------------------------------------------------------
# Bytes and characters

def test_nul_bytes_are_a_syntax_error_shown_visibly():
    result = run("eval", "-", stdin=b"1+\x00 2")
    result.assert_contract(codes=(2,))
    assert result.err == ("error: unexpected character '\\x00' (expected a number, a name or '(')\n"
                          "  1+\\0 2\n"
                          "    ^\n")


def test_nul_in_the_library():
    with pytest.raises(DcalcError, match="unexpected character '\\\\x00'"):
        dcalc.parse("x\0")


@pytest.mark.parametrize("data, offset", [(b"1+\xff", 2), (b"\x80", 0), (b"x + \xed\xa0\x80", 4), (b"\xc3", 0),
                                          (b"2*\xc0\xafx", 2)])
def test_invalid_utf8_on_stdin_exits_2(data, offset):
    result = run("eval", "-", stdin=data) if offset == 2 else None
    code, out, err = call(["eval", "-"], data) if result is None else (result.code, result.out, result.err)
    assert (code, out) == (2, "")
    assert err == f"error: standard input is not UTF-8 text (bad byte at offset {offset})\n"


def test_crlf_line_ends():
    program = b"a = 2\r\nb = a*x\r\n\r\nb + 1\r\n"
    result = run("eval", "-", "--at", "3", stdin=program)
    result.assert_contract(codes=(0,))
    assert result.out == "7\n"


def test_crlf_error_shows_the_line_without_its_cr():
    code, _, err = call(["eval", "-", "--at", "1"], b"a = 2\r\nb = a*x\r\nb + * 1\r\n")
    assert code == 2
    assert err == ("error: line 3, column 5: unexpected '*' (expected a number, a name or '(')\n"
                   "  b + * 1\n"
                   "      ^\n")


def test_tabs_are_whitespace_and_the_caret_follows_them():
    assert call(["eval", "-", "--at", "3"], b"\t2\t*\tx\t") == (0, "6\n", "")
    code, _, err = call(["eval", "-"], b"\t2\t*\t\t$")
    assert code == 2
    assert err.splitlines()[1:] == ["  \t2\t*\t\t$", "  \t \t \t\t^"]  # tabs kept under tabs: aligned in any terminal


@pytest.mark.parametrize("text, bad", [("x\u00a0+1", "\u00a0"), ("2 – 1", "–"), ("x ∗∗ 2", "∗"),
                                       ("2 ≤ x", "≤")])
def test_other_non_ascii_symbols_are_a_syntax_error_with_a_caret(text, bad):
    """Issue 14 reads pasted math (· × ÷ − ² √ π ℯ, Unicode letters: tests/test_implicit.py); the rest is refused."""
    code, out, err = call(["eval", text, "--at", "1"])
    assert (code, out) == (2, "")
    first, line, caret = err.splitlines()
    assert first.startswith(f"error: unexpected character {bad!r}")
    assert line == "  " + text and caret == "  " + " " * text.index(bad) + "^"


def test_pi_and_e_are_the_non_ascii_constants():
    assert call(["eval", "2π"]) == (0, "6.283185307179586\n", "")
    assert call(["eval", "2ℯ"]) == (0, "5.43656365691809\n", "")


def test_a_byte_order_mark_is_skipped():
    assert call(["eval", "-"], b"\xef\xbb\xbf2+2") == (0, "4\n", "")


@pytest.mark.parametrize("data", [b"", b"\n", b"   \t ", b"# only a comment\n", b";;\n;", b"\r\n"])
def test_an_empty_file_is_a_usage_error(data, tmp_path):
    code, out, err = call(["eval", "-"], data)
    assert (code, out) == (2, "")
    assert err == "error: there is nothing to compute: the program has no expression\n"


def test_an_empty_file_through_the_real_process(tmp_path):
    run("eval", "-", stdin=b"").assert_contract(codes=(2,))
    run("grad", "-", stdin=b"").assert_contract(codes=(2,))


def test_hostile_values_in_at():
    for value in ("9^9^9", "1e999", "1/0", "ln(-1)"):  # a bad --at value is the caller's: usage, exit 2
        code, out, err = call(["eval", "x", "--at", "x=" + value])
        assert (code, out) == (2, "") and err.startswith("error: --at x: "), err
    assert call(["eval", "x", "--at", "x=" + "(" * 50_000 + "1" + ")" * 50_000]) == (0, "1\n", "")
    code, _, err = call(["eval", "x", "--at", "x=\0"])
    assert code == 2 and err.startswith("error: ")


def test_math_errors_are_exit_1_not_crashes():
    for text in ["1/0", "ln(0)", "sqrt(-1)", "0^-1", "asin(2)", "1e308*10", "tan(pi/2)^1e10"]:
        code, _, err = call(["eval", text])
        assert code in (0, 1) and "Traceback" not in err
        if code:
            assert err.startswith("error: ")
    with pytest.raises(MathError):
        dcalc.evaluate("1/0")
