"""The printer's law: parse(print(ast)) == ast for every AST, minimal and explicit; and print∘parse is idempotent on
strings drawn from the real grammar."""

from __future__ import annotations

import os
import re
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dcalc
from dcalc.core.printing import to_text
from dcalc.language.expr import Num, Program
from strategies import expressions


def reparse(text: str):
    (stmt,) = dcalc.parse(text).stmts
    return stmt


@given(expressions())
def test_parse_of_print_is_the_ast(e):
    assert reparse(to_text(e)) == e


@given(expressions())
def test_parse_of_explicit_print_is_the_ast(e):
    assert reparse(to_text(e, explicit=True)) == e


@given(expressions(names=("x", "e1", "E2", "pi2", "x_1", "sin_")))
def test_names_that_look_like_numbers_or_constants_survive(e):
    assert reparse(to_text(e)) == e


@given(expressions(numbers_=st.sampled_from([0.0, 1e-300, 5e-324, 1e16, 1.7976931348623157e308, 0.1, 2.5])
                   .map(Num)))
def test_extreme_numbers_survive(e):
    assert reparse(to_text(e)) == e


def test_printing_is_minimal_on_a_known_case():
    assert to_text(reparse("((x + (y*z)) - ((-x)^2))")) == "x + y*z - (-x)^2"


# The real grammar as a string generator, changed only for generation: IMPLICIT is %declare'd (the post-lexer makes
# it, zero-width), so it is drawn explicitly as '', ' ' or '*'; nothing is ignored, because hypothesis draws ignored
# tokens between all others (a drawn comment swallows the rest of its line, and whitespace doubles the drawing time);
# names and numbers come from small lists, as drawing them from their regular expressions is slower still. Even so,
# from_lark's trees are large: a few dozen examples are what the suite can afford (DCALC_GRAMMAR_EXAMPLES for more).
def _generation_grammar():
    from lark import Lark
    text = resources.files("dcalc.grammar").joinpath("dcalc.lark").read_text(encoding="utf-8")
    text = re.sub(r"^%ignore .*$", "", text, flags=re.M)
    return Lark(text, parser="lalr", lexer="basic", start=["start", "expr"])


def _strings(start: str):
    from hypothesis.extra.lark import from_lark
    explicit = {"IMPLICIT": st.sampled_from(["", " ", "*"]),
                "NAME": st.sampled_from(["x", "y", "sin", "log", "atan2", "pi", "e", "e1", "f"]),
                "NUMBER": st.sampled_from(["0", "2", "3.5", ".5", "1e-3", "6.02E23", "1e400", "2."])}
    return from_lark(_generation_grammar(), start=start, explicit=explicit)


_GRAMMAR_EXAMPLES = settings(max_examples=int(os.environ.get("DCALC_GRAMMAR_EXAMPLES", "15")),
                             suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow,
                                                    HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def lark_strings():
    return {"expr": _strings("expr"), "start": _strings("start")}


@_GRAMMAR_EXAMPLES
@given(st.data())
def test_grammar_strings_parse_to_an_ast_or_a_dcalc_error(lark_strings, data):
    text = data.draw(lark_strings["start"])
    try:
        program = dcalc.parse(text)
    except dcalc.DcalcError as e:
        assert e.span is None or 0 <= e.span[0] <= len(text)
        return
    assert isinstance(program, Program)


@_GRAMMAR_EXAMPLES
@given(st.data())
def test_print_parse_print_is_idempotent_on_grammar_strings(lark_strings, data):
    text = data.draw(lark_strings["expr"])
    try:
        e = reparse(text)
    except dcalc.DcalcError:
        return  # e.g. '2 3' from IMPLICIT='' where juxtaposition is not multiplication, or a number too large
    printed = to_text(e)
    again = reparse(printed)
    assert again == e
    assert to_text(again) == printed
