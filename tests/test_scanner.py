"""The hand-written scanner (cli/language/scanner.py) reads every text exactly as the regular expression it replaced:
the same tokens at the same places, and a refusal at the same character. The expression is kept here as the
reference, pinned to the one Lark builds from dcalc.lark and stored in grammar/tables.py: when the grammar's
terminals change, the first test fails and the scanner must be brought in line before the others mean anything.
Also the by-hand checks that replaced options.py's regular expressions (a plain number for --at, an ASCII name)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dcalc.commands.options import _is_name, _plain
from dcalc.grammar import tables
from dcalc.language import syntax
from dcalc.language.lalr import Rejected
from dcalc.language.scanner import scan

# The scanner expression of grammar/tables.py as Lark wrote it, flags re.UNICODE.
REFERENCE = (
    "(?P<FUNC>[^\\W\\d²³¹⁰⁴-⁹πℯ](?:[^\\W²³¹⁰⁴-⁹πℯ]|[\u0300-\u036f])*(?=(?:[ \t\x0c\r\n]|#[^\n]*)*\\())"
    "|(?P<NUMBER>([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?)"
    "|(?P<NAME>[^\\W\\d²³¹⁰⁴-⁹πℯ](?:[^\\W²³¹⁰⁴-⁹πℯ]|[\u0300-\u036f])*)"
    "|(?P<SUP>[⁺⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)|(?P<WS>[ \t\r\x0c]+)|(?P<COMMENT>#[^\n]*)|(?P<POW>(?:\\*\\*|\\^))"
    "|(?P<CONST>(?:π|ℯ))|(?P<SEP>[;\n])|(?P<COMMA>,)|(?P<EQUAL>=)|(?P<LPAR>\\()|(?P<MINUS>\\-)|(?P<PLUS>\\+)"
    "|(?P<ROOT>√)|(?P<RPAR>\\))|(?P<SLASH>/)|(?P<STAR>\\*)"
)
SCANNER = re.compile(REFERENCE)
IGNORED = {"WS", "COMMENT"}


def by_expression(text: str):
    """The tokens the expression reads (the ignored ones left out) and where it stops: None at the end of the text,
    else the position of the first character no terminal matches."""
    out, pos = [], 0
    for m in SCANNER.finditer(text):
        if m.start() != pos:
            return out, pos
        pos = m.end()
        if m.lastgroup not in IGNORED:
            out.append((m.lastgroup, m.start(), pos))
    return out, None if pos == len(text) else pos


def by_hand(text: str):
    out = []
    try:
        for token in scan(text):
            out.append(token)
    except Rejected:
        end = out[-1][2] if out else 0  # the refused character is the first one after the tokens and white space
        while text[end] in " \t\r\f" or text[end] == "#":
            end = text.find("\n", end) if text[end] == "#" else end + 1
        return out, end
    return out, None


def test_the_reference_is_the_stored_scanner():
    assert tables.TABLES["scanner"] == [REFERENCE, re.UNICODE], \
        "dcalc.lark's terminals changed: bring cli/language/scanner.py in line, then update REFERENCE here"


# Every kind of character the terminals tell apart: operators ASCII and pasted, digits of every script, superscripts,
# letters of any script, combining accents, compatibility forms, white space of every kind, comments, junk.
PIECES = list("abxyzEe_019.+-*/^()=,;\n \t\r\f\v#$é") + [
    "**", "1e5", "2e", "1.e-3", ".5", "\u0301", "²", "⁺", "⁻", "¹", "⁰", "⁹", "π", "ℯ", "√", "θ", "٣", "①", "ⁱ", "µ",
    "𝑥", "\x1c", "·", "ǅ", "Ⅻ", "½", "\u036f", "\u0370", "sin", "# (\n", "#x", "ｘ", "\u00a0", "\u2028"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(PIECES) | st.characters(), max_size=16).map("".join))
def test_reads_any_text_as_the_expression_does(text):
    assert by_hand(text) == by_expression(text)


def test_every_character_starts_and_continues_a_name_as_the_expression_says():
    """All of Unicode, one character at a time, against NAME's two classes in the reference."""
    from dcalc.language.scanner import _ASCII_START, _ASCII_WORD, _goes_on, _starts_name
    first = re.compile("[^\\W\\d²³¹⁰⁴-⁹πℯ]")
    then = re.compile("[^\\W²³¹⁰⁴-⁹πℯ]|[\u0300-\u036f]")
    for cp in range(0x110000):
        c = chr(cp)
        starts, goes_on = (c in _ASCII_START, c in _ASCII_WORD) if cp < 0x80 else (_starts_name(c), _goes_on(c))
        assert (starts, goes_on) == (bool(first.match(c)), bool(then.match(c))), f"U+{cp:04X}"


@pytest.mark.parametrize("text, tokens", [
    ("sin (x)", [("FUNC", 0, 3), ("LPAR", 4, 5), ("NAME", 5, 6), ("RPAR", 6, 7)]),
    ("f # note\n (x)", [("FUNC", 0, 1), ("SEP", 8, 9), ("LPAR", 10, 11), ("NAME", 11, 12), ("RPAR", 12, 13)]),
    ("f #(", [("FUNC", 0, 1)]),  # the expression's comment may stop at the '(' inside it
    ("2ex", [("NUMBER", 0, 1), ("NAME", 1, 3)]),
    ("x**-1.5e+3", [("NAME", 0, 1), ("POW", 1, 3), ("MINUS", 3, 4), ("NUMBER", 4, 10)]),
    ("x⁻¹²·é\u0301", [("NAME", 0, 1), ("SUP", 1, 4), ("STAR", 4, 5), ("NAME", 5, 7)]),  # pasted · is *
    ("x $ 2", [("NAME", 0, 1)]),
])
def test_known_readings(text, tokens):
    text = text.translate(syntax._PASTED)
    assert by_hand(text) == by_expression(text) == (tokens, 2 if "$" in text else None)


PLAIN = re.compile(r"[ \t\n\r\f\v]*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t\n\r\f\v]*")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(list("0123456789.eE+- \t\n\r\f\v\x1c_aZ١")) | st.characters(), max_size=8).map("".join))
def test_a_plain_number_and_a_name_by_hand_as_by_expression(text):
    assert _plain(text) == bool(PLAIN.fullmatch(text))
    assert _is_name(text) == bool(NAME.fullmatch(text))
