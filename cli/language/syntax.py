"""Text → AST: the LALR parser of grammar/dcalc.lark, building the AST during the reductions.

The reductions build the AST as the LALR parser reduces, so no tree is built and nothing recurses: an expression
nested 100,000 deep parses like a flat one. Correct input is parsed by the loop of lalr.py over the tables in
grammar/tables.py, without importing Lark; input that loop gives up on is parsed again by Lark (its inline
`transformer=` calls the same reductions), whose errors become ParseError with a span and the expected tokens in words.
"""

from __future__ import annotations

import math
import os
import re
from functools import lru_cache

from ..errors import ArityError, DcalcError, MathError, NameError_, ParseError, UsageError
from .expr import Apply, Assign, Const, Define, Num, Program, Var, neg

# What an expected terminal is called in an error message.
_WORDS = {"NUMBER": "a number", "NAME": "a name", "LPAR": "'('", "RPAR": "')'", "POW": "'^'", "$END": "the end",
          "SEP": "';'", "PI": "a name"}
_ORDER = ["NUMBER", "NAME", "PI", "LPAR"]  # operands first, in this order
_OPERAND = set(_ORDER)
_OPERATORS = {"PLUS", "MINUS", "STAR", "SLASH", "POW"}


# The nodes the operators of the grammar build (the reductions below): names of no function, so `add(1, 2)` is an
# unknown function, not a sum. pow is both the operator ^ and the function pow(a, b).
OPERATORS = frozenset({"add", "sub", "mul", "div", "neg"})


class _Reductions:
    """One method per grammar alias, called by Lark as it reduces; each returns an AST node."""

    def start(self, children):
        """The statements between the SEP tokens. An expression statement before the last is an error: its value
        would be thrown away (`x^2` then `x^3`: most likely a slip, or a line break that split an expression)."""
        stmts = [c for c in children if not isinstance(c, str)]  # the others are SEP tokens
        if any(not isinstance(s, (Assign, Define)) for s in stmts[:-1]):
            begin = 0
            for k, c in enumerate(children):
                if isinstance(c, str):
                    begin = c.end_pos
                elif not isinstance(c, (Assign, Define)):  # not the last statement: a SEP follows it
                    raise Discarded((begin, children[k + 1].start_pos))
        return Program(tuple(stmts))

    def assign(self, children):
        target, equal, expr = children
        if isinstance(target, Var):
            return Assign(target.name, expr, target.span)
        span = _span_of(target) or (equal.start_pos, equal.end_pos)  # no span of its own: point at the '='
        if isinstance(target, Const):
            raise NameError_(f"cannot assign to the constant '{target.name}'", span=span)
        if isinstance(target, Apply) and target.span and all(isinstance(a, Var) for a in target.args):
            return Define(target.op, tuple(a.name for a in target.args), expr, target.span)
        raise ParseError("only a name or f(a, b, ...) can stand left of '='", span=span)

    # An operator's span runs from its first operand's to its last one's (a parenthesised operand's without its
    # parentheses): what a trace that stops at the node underlines.
    def add(self, c): return Apply("add", (c[0], c[1]), _join(c[0], c[1]))
    def sub(self, c): return Apply("sub", (c[0], c[1]), _join(c[0], c[1]))
    def mul(self, c): return Apply("mul", (c[0], c[1]), _join(c[0], c[1]))
    def div(self, c): return Apply("div", (c[0], c[1]), _join(c[0], c[1]))
    def implicit_mul(self, c): return Apply("mul", (c[0], c[2]), _join(c[0], c[2]))
    def pow(self, c): return Apply("pow", (c[0], c[2]), _join(c[0], c[2]))
    def neg(self, c):
        a = neg(c[0])
        return Apply("neg", a.args, c[0].span) if type(a) is Apply and getattr(c[0], "span", None) else a
    def pos(self, c): return c[0]
    def group(self, c): return c[1]
    def pi(self, c): return Const("pi", (c[0].start_pos, c[0].end_pos))
    def args(self, c): return c

    def number(self, c):
        tok = c[0]
        v = float(tok)
        if math.isinf(v):
            raise MathError(f"the number {_clip(tok)} is too large for a double",
                            span=(tok.start_pos, tok.end_pos))
        return Num(v, (tok.start_pos, tok.end_pos))

    def name(self, c):
        tok = c[0]
        if tok in ("pi", "e"):
            return Const(str(tok), (tok.start_pos, tok.end_pos))
        return Var(str(tok), (tok.start_pos, tok.end_pos))

    def call(self, c):
        tok, _, args, rpar = c
        if tok in OPERATORS:  # add(…) is not a function of dcalc
            raise NameError_(f"unknown function '{tok}'", span=(tok.start_pos, tok.end_pos))
        if tok == "pow" and len(args) != 2:  # pow(…) is the operator's node: both arguments
            raise ArityError(f"pow takes 2 arguments, got {len(args)}", span=(tok.start_pos, rpar.end_pos))
        return Apply(str(tok), tuple(args), (tok.start_pos, rpar.end_pos))


def _join(a, b) -> tuple[int, int] | None:
    """The span from a's start to b's end, or the one of them that has a span."""
    sa, sb = getattr(a, "span", None), getattr(b, "span", None)
    if sa is None or sb is None:
        return sa or sb
    return (sa[0], sb[1])


class Discarded(ParseError):
    """An expression statement before the last one, whose value nothing reads; `region` runs from the separator
    before it to the one after. parse() words the message, which quotes the statement from the source."""

    def __init__(self, region: tuple[int, int]):
        super().__init__("an expression statement whose value is thrown away", span=region)
        self.region = region


class _PostLexer:
    """Between the lexer and the parser (Lark's postlex; lalr.py does the same from these attributes):

    - a zero-width IMPLICIT token where juxtaposition means multiplication (2x, 2(x), (a)(b));
    - a new line inside parentheses, or after a token that cannot end a statement (an operator, '=', ','), is
      whitespace: the statement goes on. Every other new line is a SEP, the end of a statement;
    - an operator at the start of a line, after a statement that a new line ended, is an error: `a = x^2` then
      `+ 5x` reads as two statements, the author most likely meant one (an explicit ';' before it settles it)."""

    always_accept = ()
    PAIRS = frozenset({("NUMBER", "NAME"), ("NUMBER", "PI"), ("NUMBER", "LPAR"), ("RPAR", "LPAR")})  # (before, after)
    IMPLICIT = "IMPLICIT"
    OPEN, CLOSE, SEP = "LPAR", "RPAR", "SEP"
    GOES_ON = frozenset({"PLUS", "MINUS", "STAR", "SLASH", "POW", "EQUAL", "COMMA", "LPAR"})
    LEADS = frozenset({"PLUS", "MINUS", "STAR", "SLASH", "POW"})  # refused first on a line after a statement

    def process(self, stream):
        from lark import Token
        prev = None
        depth = 0
        newline = False  # the statement before the current run of SEPs ended at a new line (no ';' since)
        for tok in stream:
            t = tok.type
            if t == self.OPEN:
                depth += 1
            elif t == self.CLOSE:
                depth = max(depth - 1, 0)  # an unmatched ')' is the parser's error to report
            elif t == self.SEP:
                if tok != "\n":
                    newline = False
                elif depth or prev in self.GOES_ON:
                    continue
                elif prev != self.SEP:
                    newline = prev is not None
            elif prev == self.SEP and newline and t in self.LEADS:
                raise _leading(tok)
            if (prev, t) in self.PAIRS:
                yield Token(self.IMPLICIT, "", tok.start_pos, tok.line, tok.column, tok.line, tok.column,
                            tok.start_pos)
            yield tok
            prev = t


def _leading(tok) -> ParseError:
    """An operator first on a line after a complete statement (see _PostLexer)."""
    span = (tok.start_pos, tok.end_pos)
    if tok.type in ("PLUS", "MINUS"):
        return ParseError(f"a line that starts with '{tok}' after a complete statement could continue it or begin "
                          "a new one", span=span, hint=f"to continue, move the '{tok}' to the end of the line above; "
                                                       "to begin a new statement, end that line with ';'")
    return ParseError(f"a line cannot start with '{tok}'", span=span,
                      hint=f"to continue the line above, move the '{tok}' to its end")


def grammar_text() -> str:
    from .. import grammar  # the grammar ships as package data of dcalc.grammar; its file sits beside __init__.py
    with open(os.path.join(os.path.dirname(grammar.__file__), "dcalc.lark"), encoding="utf-8") as f:
        return f.read()  # (importlib.resources would cost a few ms of start-up for the same file)


@lru_cache(maxsize=1)
def _parser():
    from lark import Lark
    return Lark(grammar_text(), parser="lalr", lexer="basic", transformer=_Reductions(), postlex=_PostLexer(),
                maybe_placeholders=False, cache=True)  # LALR tables cached in the temp dir: cheap start-up


@lru_cache(maxsize=1)
def _fast():
    """The fast loop (lalr.py) over the tables written to grammar/tables.py, or over tables read from Lark if the
    grammar has changed since they were written; None where this Lark version's internals differ."""
    from ..grammar import tables
    from .lalr import FORMAT, Unsupported, build, read_tables
    data = tables.TABLES
    if tables.GRAMMAR != grammar_text() or data.get("format") != FORMAT:
        try:
            data = read_tables(_parser())
        except Unsupported:
            return None
    return build(data, _Reductions(), _PostLexer)


# The longest text dcalc reads. Time and memory grow linearly (100,000-node formulas are about 600 KB); beyond this
# a run would take many seconds and hundreds of MB, so a 10 MB paste gets a clear error at once instead.
MAX_SOURCE = 1_000_000


def parse(text: str) -> Program:
    """Parse a dcalc program (or a single expression) into its AST; errors are ParseError with a span."""
    if len(text) > MAX_SOURCE:
        raise UsageError(f"the input is {len(text):,} characters long; dcalc reads at most {MAX_SOURCE:,}")
    from .lalr import Rejected
    fast = _fast()
    if fast is not None:
        try:
            return Program(fast(text).stmts, text)
        except Discarded as e:
            raise _discarded(text, e.region) from None
        except (Rejected, DcalcError):  # a syntax error, or a reduction's: Lark's own parser below words it
            pass
    from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError
    try:
        program = _parser().parse(text)
    except UnexpectedCharacters as e:
        ch = text[e.pos_in_stream]
        raise ParseError(f"unexpected character {ch!r}{_expecting(_accepted(text[:e.pos_in_stream]))}",
                         source=text, span=(e.pos_in_stream, e.pos_in_stream + 1)) from None
    except UnexpectedToken as e:
        tok = e.token
        if tok.type == "$END":
            pos = len(text.rstrip())
            raise ParseError(f"unexpected end of input{_expecting(e.accepts or e.expected)}", source=text,
                             span=(pos, pos + 1)) from None
        what = "end of line" if tok == "\n" else repr(str(tok)) if str(tok) else "juxtaposition"
        raise ParseError(f"unexpected {what}{_expecting(e.accepts or e.expected)}", source=text,
                         span=(tok.start_pos, max(tok.end_pos, tok.start_pos + 1)),
                         hint=_still_open(text, tok.start_pos)) from None
    except UnexpectedInput as e:  # pragma: no cover - other lark errors carry a position too
        raise ParseError(f"syntax error: {e}", source=text) from None
    except VisitError as e:  # an error raised inside a reduction callback
        raise e.orig_exc.at(text) from None
    except Discarded as e:
        raise _discarded(text, e.region) from None
    except DcalcError as e:
        raise e.at(text) from None
    return Program(program.stmts, text)


def _still_open(text: str, pos: int) -> str | None:
    """A hint when a '(' left open on an earlier line made the new lines since then whitespace."""
    opened: list[int] = []
    for m in re.finditer(r"#[^\n]*|[()]", text[:pos]):  # '#' only ever starts a comment, '(' only a parenthesis
        if m.group() == "(":
            opened.append(m.start())
        elif m.group() == ")" and opened:
            opened.pop()
    if not opened or "\n" not in text[opened[-1]:pos]:
        return None
    at = opened[-1]
    line, column = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
    return (f"the '(' at line {line}, column {column} is still open, and a new line inside parentheses does not "
            "end a statement")


def _discarded(text: str, region: tuple[int, int]) -> ParseError:
    """The error of a statement whose value is thrown away: its text quoted, the caret under it on its first line."""
    begin, end = region
    statement = " ".join(re.sub(r"#[^\n]*", "", text[begin:end]).split())  # '#' only ever starts a comment
    start = begin + len(text[begin:end]) - len(text[begin:end].lstrip())
    line_end = text.find("\n", start, end)
    first = text[start: end if line_end < 0 else line_end].partition("#")[0].rstrip()
    return ParseError(f"the value of '{_clip(statement, 40)}' is thrown away: only the last statement is the value "
                      "of a program", source=text, span=(start, start + max(len(first), 1)),
                      hint="assign it a name (v = …), or join the lines: a line that ends with an operator goes on "
                           "to the next")


def _accepted(prefix: str) -> set[str]:
    """The terminals the parser accepts after `prefix` (the basic lexer's own list is every terminal)."""
    try:
        interactive = _parser().parse_interactive(prefix)
        interactive.exhaust_lexer()
        return interactive.accepts()
    except Exception:  # noqa: BLE001 - the prefix has an error of its own: then say nothing about expectations
        return set()


def _expecting(names) -> str:
    """' (expected a number, a name or '(')': Lark's terminal names in words, operands first."""
    names = set(names) - {"IMPLICIT", "COMMENT", "WS"}
    if names & _OPERAND:
        names -= {"MINUS", "PLUS"}  # a sign is always possible before an operand; leave it unsaid
    if names & _OPERATORS:
        names = (names - _OPERATORS) | {"an operator"}
    words = []
    for n in sorted(names, key=lambda n: (_ORDER.index(n) if n in _OPERAND else 9, n == "$END", n)):
        w = _WORDS.get(n) or (n if n == "an operator" else _terminal_text(n))
        if w not in words:
            words.append(w)
    if not words:
        return ""
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    return f" (expected {listed})"


def _terminal_text(name: str) -> str:
    try:
        return repr(_parser().get_terminal(name).pattern.value)
    except KeyError:
        return name.lower()


def _span_of(e):
    return getattr(e, "span", None)


def _clip(text: str, n: int = 20) -> str:
    return text if len(text) <= n else text[:n] + "…"


if __name__ == "__main__":  # python -m dcalc.language.syntax > grammar/tables.py
    from .lalr import read_tables, source
    print(source(grammar_text(), read_tables(_parser())), end="")
