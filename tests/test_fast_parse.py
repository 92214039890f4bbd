"""The fast LALR loop (cli/language/lalr.py) builds exactly what Lark's own parser builds, and gives up wherever Lark
fails."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dcalc.core.ops import FUNCTION_NAMES
from dcalc.language import syntax

PIECES = ["x", "y1", "2", ".5", "1e3", "pi", "π", "e", "sin", "log", "f", "(", ")", ",", "+", "-", "*", "/", "^", "**",
          "=", ";", "\n", " ", "# note\n", "$", "9e999",
          "·", "×", "÷", "−", "²", "⁻¹", "√", "ℯ", "θ", "é", "sinx"]  # issue 14: pasted math, Unicode names
FUNCTIONS = frozenset(FUNCTION_NAMES)


# What the fast loop may raise on bad input: its own Rejected, or the DcalcError of a reduction (9e999 is too large)
FAST_ERRORS = {"Rejected", "MathError", "NameError_", "ArityError", "ParseError", "Discarded"}


def both(text: str, functions=None):
    """(what the fast loop returns or raises, what Lark returns or raises), as comparable values: the text with
    pasted operators translated as parse() does, read with these built-in function names (None: every name followed
    by '(' is a call) and the functions the text defines."""
    text = text.translate(syntax._PASTED)
    factors = frozenset()
    if functions is not None:
        functions, factors = frozenset(functions) | syntax._defined(text), syntax._factors(text)

    def run(f):
        try:
            return ("ok", f(text, functions, factors))
        except Exception as e:  # noqa: BLE001 - any failure counts as one
            return ("error", type(e).__name__)
    return run(syntax._fast()), run(syntax._lark)


def test_the_fast_loop_is_built_from_current_tables():
    from dcalc.grammar import tables
    assert syntax._fast() is not None
    assert tables.GRAMMAR == syntax.grammar_text(), \
        "dcalc.lark changed: run python -m dcalc.language.syntax > grammar/tables.py"


def test_correct_input_never_imports_lark():
    import subprocess
    import sys
    code = ("import sys, dcalc; print(dcalc.derivative('a = x^2; sin(x + a) # note', {'x': 2}), "
            "sorted(m for m in sys.modules if m.split('.')[0] == 'lark'))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout == "4.80085143325183 []\n"


def test_tables_read_from_lark_now_parse_alike():
    """The tables Lark builds in this process (what dcalc uses when dcalc.lark is newer than grammar/tables.py)."""
    from dcalc.language import lalr
    fresh = lalr.build(lalr.read_tables(syntax._parser()), syntax._Reductions(), syntax._PostLexer)
    for text in ["2x^2 + sin(pi/2)", "a = x^2; f(p, q) = p*q\nf(a, 2)(x+1)", ";\n;", "-x^-2^3", "log(x, 2, 3) # c"]:
        assert fresh(text) == syntax._fast()(text) == syntax._parser().parse(text)


@pytest.mark.parametrize("text", ["2x^2 + sin(pi/2)", "a = x^2; f(p, q) = p*q\nf(a, 2)(x+1)", "", ";\n;", "-x^-2^3",
                                  "log(x, 2) # c", "2π", "2(3)(4)", "((((x))))", "x**y**z", "1/2x"])
def test_same_ast_as_lark(text):
    fast, lark = both(text)
    assert fast == lark and fast[0] == "ok"


@pytest.mark.parametrize("text", ["2+*3", "(x", "x $ 2", "pi = 3", "add(1, 2)", "1e999", "f(x)+1 = 2", ")"])
def test_gives_up_where_lark_fails(text):
    fast, lark = both(text)
    assert fast[0] == lark[0] == "error"
    assert fast[1] in FAST_ERRORS


# Issue 14: every new form of input, read alike by both parsers with the built-in function names
NEW_FORMS = ["x(x+1)^2", "(x+1)x", "(x+1)sin(x)", "sin(x)cos(x)", "x sin(x)", "pi x", "2 x", "x^2 y", "x^2y", "1/2x",
             "6/2(1+2)", "x·y×z÷w−v", "x²", "x⁻¹", "x²³", "√x", "√(x+1)", "√x^2", "2√x", "πr²", "ℯ^x", "θ^2 + α",
             "sinx", "f(x) = x^2; f(2)x", "y = g(2); g(t) = t", "(x+1)2", "e(x)", "pi(x)", "x\n(x)", "(x\n(x))",
             "é", "é", "sin (x)", "x (x)", "rate = 2; rate(x+1)", "rate(x+1)", "θ(x)"]


@pytest.mark.parametrize("text", NEW_FORMS)
def test_new_forms_same_ast_as_lark(text):
    fast, lark = both(text, FUNCTIONS)
    assert fast == lark


@pytest.mark.parametrize("text", ["2 3", "x 2", "x² 3", "√", "x√", "𝑥 + 1", "x½", "µ"])
def test_new_forms_lark_refuses_the_fast_loop_gives_up(text):
    fast, lark = both(text, FUNCTIONS)
    assert fast[0] == lark[0] == "error"
    assert fast[1] in FAST_ERRORS


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
def test_agrees_with_lark_on_any_token_soup(text):
    for functions in (None, FUNCTIONS):
        fast, lark = both(text, functions)
        assert fast[0] == lark[0]
        if fast[0] == "ok":
            assert fast == lark
        else:
            assert fast[1] in FAST_ERRORS


def test_a_bug_in_the_fast_loop_is_a_failure_not_a_fallback(monkeypatch):
    """Only the loop's Rejected (and a reduction's DcalcError) send the text to Lark: any other exception is a bug,
    and parse raises it rather than quietly parsing again, slower."""
    from dcalc.grammar import tables
    from dcalc.language import lalr

    class Broken(syntax._Reductions):
        def add(self, c):
            raise TypeError("a bug in a reduction")

    monkeypatch.setattr(syntax, "_fast", lambda: lalr.build(tables.TABLES, Broken(), syntax._PostLexer))
    assert syntax.parse("x * 2").stmts == syntax._parser().parse("x * 2").stmts
    with pytest.raises(TypeError, match="a bug in a reduction"):
        syntax.parse("x + 2")
    with pytest.raises(syntax.ParseError, match=r"unexpected '\*'"):  # a syntax error still goes to Lark
        syntax.parse("2+*3")


def test_parse_falls_back_to_lark_for_its_error_messages():
    with pytest.raises(syntax.ParseError, match=r"unexpected '\*' \(expected a number, a name or '\('\)"):
        syntax.parse("2+*3")


@pytest.mark.parametrize("tmpdir", ["/nonexistent/dcalc-tmp", "corrupt"])
def test_errors_survive_a_missing_or_corrupt_lark_cache(tmp_path, tmpdir):
    """Lark, which words the syntax errors, caches its tables in the temp directory; a missing directory or a junk
    cache file only costs time."""
    import os
    import subprocess
    import sys
    env = dict(os.environ, TMPDIR=str(tmp_path) if tmpdir == "corrupt" else tmpdir)
    code = ("import dcalc\ntry: dcalc.parse('2+*3')\nexcept dcalc.DcalcError as e: print(e.message)\n"
            "print(dcalc.derivative('sin(x + x^2)', {'x': 2}))")
    if tmpdir == "corrupt":
        subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
        for f in tmp_path.glob(".lark_cache*"):
            f.write_bytes(b"junk")
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    assert out.stdout == "unexpected '*' (expected a number, a name or '(')\n4.80085143325183\n"


def test_a_changed_grammar_is_parsed_with_tables_read_from_lark(monkeypatch):
    """dcalc.lark edited and grammar/tables.py not written again: the stored tables are not used."""
    from dcalc.language import lalr
    edited = syntax.grammar_text().replace("?atom: NUMBER", "?atom: NUMBER \"!\" -> number\n     | NUMBER")
    monkeypatch.setattr(syntax, "grammar_text", lambda: edited)
    read, real = [], lalr.read_tables
    monkeypatch.setattr(lalr, "read_tables", lambda lark: read.append(lark) or real(lark))
    syntax._fast.cache_clear()
    syntax._parser.cache_clear()
    try:
        assert syntax.parse("2! + x").stmts == syntax.parse("2 + x").stmts and len(read) == 1
    finally:
        syntax._fast.cache_clear()
        syntax._parser.cache_clear()
