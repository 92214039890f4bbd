"""The terminals of grammar/dcalc.lark, scanned by hand: what the stored tables' regular expression matches, token for
token, without compiling it.

Compiling that expression cost every run about 3 ms (a third of what dcalc adds to typer's start-up): Python's `re`
builds 64K-entry bitmaps for its Unicode classes. A character's first glance decides the terminal here, as it does
in the expression, whose alternatives start with disjoint characters; only a name needs a look ahead (FUNC is a name
followed by '(', past spaces, new lines and comments). The expression stays the reference: syntax.py uses this
scanner only with the stored tables, and tests/test_scanner.py checks the two agree on random text, Unicode
included, and that the stored expression is still the one this was written for.

The character classes, as Python's `re` reads them in a str pattern: `\\w` is str.isalnum() or '_', `\\d` is
str.isdecimal(). A name starts with a word character that is not a decimal digit, a superscript digit, π or ℯ, and
goes on with word characters (digits too) but those, or combining accents U+0300–U+036F.
"""

from .lalr import Rejected

# One character, one terminal. (ASCII '*' is STAR, or POW doubled; '#' starts a comment, ignored like white space.)
_SINGLE = {"(": "LPAR", ")": "RPAR", ",": "COMMA", "=": "EQUAL", "+": "PLUS", "-": "MINUS", "/": "SLASH",
           ";": "SEP", "\n": "SEP", "^": "POW", "π": "CONST", "ℯ": "CONST", "√": "ROOT"}
_SPACE = frozenset(" \t\r\f")  # WS; the look ahead of FUNC also passes "\n"
_DIGIT = frozenset("0123456789")
_SUPER = frozenset("⁰¹²³⁴⁵⁶⁷⁸⁹")
_NOT_IN_NAME = _SUPER | {"π", "ℯ"}
_ASCII_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_ASCII_WORD = _ASCII_START | _DIGIT


def _starts_name(c: str) -> bool:
    if c < "\x80":
        return c in _ASCII_START
    return c.isalnum() and not c.isdecimal() and c not in _NOT_IN_NAME


def _goes_on(c: str) -> bool:
    """A character after a name's first, beyond ASCII."""
    return (c.isalnum() and c not in _NOT_IN_NAME) or "\u0300" <= c <= "\u036f"


def _called(text: str, k: int, n: int) -> bool:
    """Whether a '(' comes at `k`, past spaces, new lines and comments: FUNC's look ahead. (The expression may also
    stop inside a comment, so a '(' anywhere in one counts, as `#[^\\n]*` backtracking to it does there.)"""
    while k < n:
        c = text[k]
        if c == "(":
            return True
        if c == "#":
            end = text.find("\n", k)
            end = n if end < 0 else end
            if text.find("(", k, end) >= 0:
                return True
            k = end
        elif c in " \t\f\r\n":
            k += 1
        else:
            return False
    return False


def number_end(text: str, i: int, n: int) -> int:
    """The end of the NUMBER at i (12, 1.5, 1., .5, with an exponent: 2e-3), or i where none starts."""
    j = i
    while j < n and text[j] in _DIGIT:
        j += 1
    if j < n and text[j] == ".":
        k = j + 1
        while k < n and text[k] in _DIGIT:
            k += 1
        if k == j + 1 == i + 1:  # a '.' alone
            return i
        j = k
    elif j == i:
        return i
    if j < n and text[j] in "eE":  # an exponent only with its digits: 2e is the number 2, then the name e
        k = j + 1
        if k < n and text[k] in "+-":
            k += 1
        if k < n and text[k] in _DIGIT:
            while k < n and text[k] in _DIGIT:
                k += 1
            j = k
    return j


def scan(text: str):
    """The tokens of `text` as (terminal, start, end), white space and comments left out; Rejected at the first
    character no terminal matches (after the tokens before it, as the expression's matches come)."""
    n = len(text)
    i = 0
    single, space, digit, word = _SINGLE, _SPACE, _DIGIT, _ASCII_WORD
    while i < n:
        c = text[i]
        kind = single.get(c)
        if kind is not None:
            yield kind, i, i + 1
            i += 1
        elif c in word and c not in digit or c >= "\x80" and _starts_name(c):  # NAME, or FUNC
            j = i + 1
            while j < n and (text[j] in word or text[j] >= "\x80" and _goes_on(text[j])):
                j += 1
            yield "FUNC" if _called(text, j, n) else "NAME", i, j
            i = j
        elif c in space:
            i += 1
            while i < n and text[i] in space:
                i += 1
        elif c in digit or c == "." and i + 1 < n and text[i + 1] in digit:
            j = number_end(text, i, n)
            yield "NUMBER", i, j
            i = j
        elif c == "*":
            j = i + 2 if text.startswith("*", i + 1) else i + 1
            yield "POW" if j == i + 2 else "STAR", i, j
            i = j
        elif c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c in _SUPER or c in "⁺⁻" and i + 1 < n and text[i + 1] in _SUPER:
            j = i + 1
            while j < n and text[j] in _SUPER:
                j += 1
            yield "SUP", i, j
            i = j
        else:
            raise Rejected("a character no terminal matches")
