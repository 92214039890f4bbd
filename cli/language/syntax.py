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
from .expr import Apply, Assign, Const, Define, Num, Outputs, Program, Var, neg

# What an expected terminal is called in an error message.
_WORDS = {"NUMBER": "a number", "NAME": "a name", "LPAR": "'('", "RPAR": "')'", "POW": "'^'", "$END": "the end",
          "SEP": "';'", "CONST": "a name", "FUNC": "a name", "ROOT": "'√'", "SUP": "an exponent", "SLASH": "'/'"}
_ORDER = ["NUMBER", "NAME", "FUNC", "CONST", "ROOT", "LPAR"]  # operands first, in this order
_OPERAND = set(_ORDER)
_OPERATORS = {"PLUS", "MINUS", "STAR", "SLASH", "POW", "SUP"}

# Pasted math: characters that mean an ASCII operator, translated one for one, so every position stays where it was.
_PASTED = str.maketrans({"·": "*", "×": "*", "⋅": "*", "∙": "*", "÷": "/", "−": "-"})
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-")
_NAME = r"[^\W\d²³¹⁰⁴-⁹πℯ](?:[^\W²³¹⁰⁴-⁹πℯ]|[\u0300-\u036f])*"  # as NAME in dcalc.lark (a test checks)
# A definition `f(a, b) = …` anywhere in the text: its name is a function from the start of the program, so a call of
# it is a call even where the definition comes later (that is then the error "used before the line that defines it").
# An assignment `rate = …`: its name multiplies before '(' (see _PostLexer).
# (Patterns, compiled by re on first use: only a text with '=' needs them, and compiling both costs 1.5 ms.)
_DEFINITION = rf"({_NAME})[ \t\r\f]*\([^()=;\n#]*\)[ \t\r\f]*=(?!=)"
_ASSIGNMENT = rf"({_NAME})[ \t\r\f]*=(?!=)"


# The nodes the operators of the grammar build (the reductions below): names of no function, so `add(1, 2)` is an
# unknown function, not a sum. pow is both the operator ^ and the function pow(a, b).
OPERATORS = frozenset({"add", "sub", "mul", "div", "neg"})


class _Reductions:
    """One method per grammar alias, called by Lark as it reduces; each returns an AST node.

    It also keeps what the notes of a parse need (reset() before each): the names read, the divisions not in
    parentheses (by id, with the position of their '/'), and each implicit product whose left factor is one of them
    (`1/2x`, read as (1/2)*x)."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.names: list = []  # every Var made, in order
        self.divisions: dict[int, int] = {}  # id of a div node not (yet) in parentheses → position of its '/'
        self.after_division: list[tuple[int, int]] = []  # (position of '/', position of the juxtaposition)

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

    def outputs(self, children):
        """`a*b, a+b`: the outputs of a program, the last statement (start() refuses a list before it)."""
        return Outputs(tuple(children), _join(children[0], children[-1]))

    # An operator's span runs from its first operand's to its last one's (a parenthesised operand's without its
    # parentheses): what a trace that stops at the node underlines.
    def add(self, c): return Apply("add", (c[0], c[1]), _join(c[0], c[1]))
    def sub(self, c): return Apply("sub", (c[0], c[1]), _join(c[0], c[1]))
    def mul(self, c): return Apply("mul", (c[0], c[1]), _join(c[0], c[1]))
    def pow(self, c): return Apply("pow", (c[0], c[2]), _join(c[0], c[2]))
    def neg(self, c):
        a = neg(c[0])
        return Apply("neg", a.args, c[0].span) if type(a) is Apply and getattr(c[0], "span", None) else a
    def pos(self, c): return c[0]
    def args(self, c): return c

    def div(self, c):
        node = Apply("div", (c[0], c[2]), _join(c[0], c[2]))
        self.divisions[id(node)] = c[1].start_pos
        return node

    def group(self, c):
        self.divisions.pop(id(c[1]), None)  # (1/2)x: in parentheses, nothing to misread
        return c[1]

    def implicit_mul(self, c):
        slash = self.divisions.get(id(c[0]))
        if slash is not None:  # 1/2x, 6/2(1+2): read as (1/2)*x, which the author may not have meant
            self.after_division.append((slash, c[1].start_pos))
        return Apply("mul", (c[0], c[2]), _join(c[0], c[2]))

    def const(self, c):
        tok = c[0]
        return Const("pi" if tok == "π" else "e", (tok.start_pos, tok.end_pos))

    def sup(self, c):
        """x², x⁻¹, x²³: a power with an integer exponent."""
        tok = c[1]
        return Apply("pow", (c[0], Num(float(tok.translate(_SUPERSCRIPT)))), _join(c[0], Const("", (tok.start_pos, tok.end_pos))))

    def root(self, c):
        tok = c[0]
        return Apply("sqrt", (c[1],), _join(Const("", (tok.start_pos, tok.end_pos)), c[1]))

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
        var = Var(str(tok) if tok.isascii() else _unicode_name(tok), (tok.start_pos, tok.end_pos))
        self.names.append(var)
        return var

    def call(self, c):
        tok, _, args, rpar = c
        name = str(tok) if tok.isascii() else _unicode_name(tok)
        if name in OPERATORS:  # add(…) is not a function of dcalc
            raise NameError_(f"unknown function '{name}'", span=(tok.start_pos, tok.end_pos))
        if name == "pow" and len(args) != 2:  # pow(…) is the operator's node: both arguments
            raise ArityError(f"pow takes 2 arguments, got {len(args)}", span=(tok.start_pos, rpar.end_pos))
        return Apply(name, tuple(args), (tok.start_pos, rpar.end_pos))


def _unicode_name(tok) -> str:
    """A non-ASCII name, NFC-normalised (é typed as e and a combining accent is the name é). Letters of any script,
    then letters, marks, digits and '_'; a name with a compatibility form (𝑥, ｘ, µ, ﬁ) is refused rather than folded
    (NFKC): folding would make 𝑥 and x one variable silently, and keeping them apart two look-alike ones."""
    import unicodedata
    name = unicodedata.normalize("NFC", str(tok))
    span = (tok.start_pos, tok.end_pos)
    for k, ch in enumerate(name):
        cat = unicodedata.category(ch)
        if not (cat[0] == "L" or ch == "_" or (k and cat in ("Mn", "Mc", "Nd", "Pc"))):
            raise ParseError(f"'{ch}' cannot be part of a name (in '{tok}')", span=span)
    plain = unicodedata.normalize("NFKC", name)
    if plain != name:
        raise NameError_(f"the name '{tok}' has a plainer form '{plain}': write that", span=span)
    return name


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


_ENDS = ("NUMBER", "NAME", "CONST", "RPAR", "SUP")  # what an operand can end with
_STARTS = ("NAME", "CONST", "FUNC", "LPAR", "ROOT")  # what an operand can start with, but a number


class _PostLexer:
    """Between the lexer and the parser (Lark's postlex; lalr.py does the same from these attributes):

    - a FUNC (a name followed by '(') that is not in `functions` becomes a NAME when it is one letter or in `factors`
      (a constant, or a name the program assigns): x(x+1), pi(x+1) multiply; sine(x) stays a call, of an unknown
      function (an error that suggests sin). Both are set for each parse (functions None: every FUNC stays a call);
    - a zero-width IMPLICIT token where juxtaposition means multiplication (2x, 2(x), (a)(b), x y, sin(x)cos(x)). A
      number multiplies only first or after ')': `2 3`, `x 2` and `x² 3` look like 23, x2 and x²³, and are errors;
    - a new line inside parentheses, or after a token that cannot end a statement (an operator, '=', ','), is
      whitespace: the statement goes on. Every other new line is a SEP, the end of a statement;
    - an operator at the start of a line, after a statement that a new line ended, is an error: `a = x^2` then
      `+ 5x` reads as two statements, the author most likely meant one (an explicit ';' before it settles it)."""

    always_accept = ()
    PAIRS = frozenset([(a, b) for a in _ENDS for b in _STARTS] + [("RPAR", "NUMBER")])  # (before, after)
    FUNC, NAME = "FUNC", "NAME"
    functions: frozenset | None = None
    factors: frozenset = frozenset()
    IMPLICIT = "IMPLICIT"
    OPEN, CLOSE, SEP = "LPAR", "RPAR", "SEP"
    GOES_ON = frozenset({"PLUS", "MINUS", "STAR", "SLASH", "POW", "EQUAL", "COMMA", "LPAR"})
    LEADS = frozenset({"PLUS", "MINUS", "STAR", "SLASH", "POW"})  # refused first on a line after a statement

    def process(self, stream):
        from lark import Token
        prev = None
        depth = 0
        newline = False  # the statement before the current run of SEPs ended at a new line (no ';' since)
        functions, factors = self.functions, self.factors
        for tok in stream:
            t = tok.type
            if t == self.FUNC and functions is not None and tok not in functions and (len(tok) == 1 or tok in factors):
                tok = Token(self.NAME, tok, tok.start_pos, tok.line, tok.column, tok.end_line, tok.end_column,
                            tok.end_pos)
                t = self.NAME
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
    return Lark(grammar_text(), parser="lalr", lexer="basic", transformer=_REDUCTIONS, postlex=_POSTLEX,
                maybe_placeholders=False, cache=True)


_REDUCTIONS = _Reductions()  # one, for both parsers: parse() reads its notes
_POSTLEX = _PostLexer()


def _lark(text: str, functions=None, factors=frozenset()):
    """Lark's parse of `text` (already translated, see parse) with these function names and factors (_PostLexer)."""
    _POSTLEX.functions, _POSTLEX.factors = functions, factors
    _REDUCTIONS.reset()
    return _parser().parse(text)  # LALR tables cached in the temp dir: cheap start-up


@lru_cache(maxsize=1)
def _fast():
    """The fast loop (lalr.py) over the tables written to grammar/tables.py, scanning with scanner.py, or over tables
    read from Lark, scanning with their expression, if the grammar has changed since they were written; None where
    this Lark version's internals differ."""
    from ..grammar import tables
    from .lalr import FORMAT, Unsupported, build, read_tables
    if tables.GRAMMAR == grammar_text() and tables.TABLES.get("format") == FORMAT:
        from .scanner import scan
        return build(tables.TABLES, _REDUCTIONS, _PostLexer, scan)
    try:
        return build(read_tables(_parser()), _REDUCTIONS, _PostLexer)
    except Unsupported:
        return None


# The longest text dcalc reads. Time and memory grow linearly (100,000-node formulas are about 600 KB); beyond this
# a run would take many seconds and hundreds of MB, so a 10 MB paste gets a clear error at once instead.
MAX_SOURCE = 1_000_000


def parse(text: str, functions=None) -> Program:
    """Parse a dcalc program (or a single expression) into its AST; errors are ParseError with a span.

    `functions`: the names of the built-in functions (the primitive table's, which this stage cannot import); with
    the names the program defines, a name among them followed by '(' is a call and any other multiplies: x(x+1). None
    reads every name followed by '(' as a call. The Program's notes are readings the author may not have meant."""
    if len(text) > MAX_SOURCE:
        raise UsageError(f"the input is {len(text):,} characters long; dcalc reads at most {MAX_SOURCE:,}")
    source = text
    if not text.isascii():
        text = text.translate(_PASTED)
    factors = frozenset()
    if functions is not None:
        functions = frozenset(functions).union(_defined(text))
        factors = _factors(text)
    stmts = _stmts(text, source, functions, factors)
    return Program(stmts, source, _notes(stmts, source, functions))


def one_value(program: Program) -> None:
    """Refuse a list of outputs where one value is meant (a point's value, a CSV cell): `1,5` is not 1. The error is
    the syntax error a ',' there was before lists existed, at the first ','."""
    last = program.stmts[-1] if program.stmts else None
    if not isinstance(last, Outputs):
        return
    source = program.source
    pos = source.index(",", last.items[0].span[1])  # the first item ends before its ',' (a ')' may come between)
    # what the grammar takes after a statement's expression: '=', ';', the end (and ',', which starts the list)
    raise ParseError(f"unexpected ','{_expecting({'EQUAL', 'SEP', '$END'})}", source=source, span=(pos, pos + 1))


def _defined(text: str) -> set[str]:
    """The names of the functions a program defines (f in `f(x) = …`), wherever they are."""
    if "=" not in text:
        return set()
    return {m.group(1) if m.group(1).isascii() else _nfc(m.group(1)) for m in re.finditer(_DEFINITION, text)}


def _factors(text: str) -> frozenset:
    """The names longer than a letter that multiply before '(': the constants and the names the program assigns."""
    names = {"pi", "e"}
    if "=" in text:
        names.update(m.group(1) for m in re.finditer(_ASSIGNMENT, text))
    return frozenset(names)


def _nfc(name: str) -> str:
    import unicodedata
    return unicodedata.normalize("NFC", name)


def _stmts(text: str, source: str, functions, factors) -> tuple:
    """The statements: by the fast loop, or by Lark, whose errors are worded here (quoting `source`, the text as
    typed, where `text` has pasted operators translated)."""
    from .lalr import Rejected
    fast = _fast()
    if fast is not None:
        try:
            _REDUCTIONS.reset()
            return fast(text, functions, factors).stmts
        except Discarded as e:
            raise _discarded(source, e.region) from None
        except (Rejected, DcalcError):  # a syntax error, or a reduction's: Lark's own parser below words it
            pass
    from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError
    try:
        program = _lark(text, functions, factors)
    except UnexpectedCharacters as e:
        ch = source[e.pos_in_stream]
        raise ParseError(f"unexpected character {ch!r}{_expecting(_accepted(text[:e.pos_in_stream]))}",
                         source=source, span=(e.pos_in_stream, e.pos_in_stream + 1)) from None
    except UnexpectedToken as e:
        tok = e.token
        if tok.type == "$END":
            pos = len(text.rstrip())
            trailing = "a ',' ends the list of outputs: remove it, or write the output after it"
            raise ParseError(f"unexpected end of input{_expecting(e.accepts or e.expected)}", source=source,
                             span=(pos, pos + 1), hint=trailing if text[:pos].endswith(",") else None) from None
        typed = source[tok.start_pos:tok.end_pos]
        what = "end of line" if tok == "\n" else repr(typed) if typed else "juxtaposition"
        raise ParseError(f"unexpected {what}{_expecting(e.accepts or e.expected)}", source=source,
                         span=(tok.start_pos, max(tok.end_pos, tok.start_pos + 1)),
                         hint=_still_open(text, tok.start_pos) or _juxtaposed(text, tok) or _listed(text, e)) from None
    except UnexpectedInput as e:  # pragma: no cover - other lark errors carry a position too
        raise ParseError(f"syntax error: {e}", source=source) from None
    except VisitError as e:  # an error raised inside a reduction callback
        raise e.orig_exc.at(source) from None
    except Discarded as e:
        raise _discarded(source, e.region) from None
    except DcalcError as e:
        raise e.at(source) from None
    finally:
        _POSTLEX.functions = None
    return program.stmts


def _listed(text: str, e) -> str | None:
    """A hint for a ',' after an operand where a list of outputs cannot be: in parentheses, or right of '='."""
    accepts = set(e.accepts or e.expected)
    before = text[:e.token.start_pos].rstrip(" \t")
    if e.token.type != "COMMA" or "COMMA" in accepts or not before or before[-1] in ";\n,":
        return None  # (`x,,y` and `, x` lack an operand, no more)
    opened = _still_open_at(text, e.token.start_pos)
    name = re.search(rf"({_NAME})[ \t]*$", text[:opened]) if opened is not None else None
    if name:  # g(a, b) with g no function, a product g·(a, b): a list of outputs is not what was meant
        return None
    return ("outputs separated by ',' stand alone as the last statement, without parentheses or '=': "
            "u = …; v = …; u, v")


def _still_open_at(text: str, pos: int) -> int | None:
    """The position of the innermost '(' still open at `pos`, if any."""
    opened: list[int] = []
    for m in re.finditer(r"#[^\n]*|[()]", text[:pos]):
        if m.group() == "(":
            opened.append(m.start())
        elif m.group() == ")" and opened:
            opened.pop()
    return opened[-1] if opened else None


def _juxtaposed(text: str, tok) -> str | None:
    """A hint for a number a space after an operand, which dcalc does not multiply (2 3, x 2, x² 3)."""
    if tok.type == "NUMBER" and text[tok.start_pos - 1: tok.start_pos] in (" ", "\t"):
        return "a number multiplies only before a name or '(', or after ')': write '*' between the two"
    return None


# The notes: readings that are what the grammar says but perhaps not what the author meant. Each is a ParseError with
# the spot; the command layer prints it as a note, or raises it (--strict).

_PLAUSIBLE = r"[0-9]*[^\W\d_]"  # what can follow a function's name in a look-alike: x, 2x, θ (compiled when used)


def _notes(stmts: tuple, source: str, functions) -> tuple:
    red = _REDUCTIONS
    notes = [_after_division(source, slash, at) for slash, at in red.after_division]
    if functions is None or not red.names:
        return tuple(notes)
    bound = {s.name for s in stmts if isinstance(s, (Assign, Define))}
    for s in stmts:
        if isinstance(s, Define):
            bound.update(s.params)
    first: dict[str, tuple] = {}  # each longer name once, at its first use
    letters = {n for n in bound if len(n) == 1}
    for v in red.names:
        if len(v.name) == 1:
            letters.add(v.name)
        elif v.name not in first:
            first[v.name] = v.span
    prefixes: dict[str, list[str]] = {}  # by first letter, longest first
    for f in sorted(functions | {"pi"}, key=len, reverse=True):
        prefixes.setdefault(f[0], []).append(f)
    for name, span in first.items():
        if name in bound or name in functions:  # sin without (…): an error of its own, later
            continue
        f = next((f for f in prefixes.get(name[0], ()) if name.startswith(f) and len(name) > len(f)), None)
        rest = name[len(f):] if f else ""
        if f and (re.fullmatch(_PLAUSIBLE, rest) or all(ch in letters for ch in rest)):
            write = f"pi*{rest}" if f == "pi" else f"{f}({rest})"
            what = "the product" if f == "pi" else f"the function {f}"
            note = f"'{name}' is read as one variable; write {write} for {what}"
        elif all(ch in letters for ch in name):
            note = f"'{name}' is read as one variable; write {'*'.join(name)} for the product"
        else:
            continue
        notes.append(ParseError(note, source=source, span=span))
    notes.sort(key=lambda n: n.span)
    return tuple(notes)


def _after_division(source: str, slash: int, at: int) -> ParseError:
    """1/2x is (1/2)*x, left to right as * and / are: a note quoting the text, the caret under it."""
    begin = _operand_start(source, slash)
    end = _operand_end(source, at)
    left, right = source[begin:at].rstrip(), source[at:end]
    below = source[slash + 1:end].strip()
    return ParseError(f"'{source[begin:end]}' is read as ({left})*{right}; write {source[begin:slash].rstrip()}/({below})"
                      f" to divide by {below}", source=source, span=(begin, end))


def _operand_start(source: str, pos: int) -> int:
    """Where the operand before `pos` (a '/') begins: a parenthesised group with the name of a call before it, or a
    run of name and number characters."""
    k = pos
    while k and source[k - 1] in " \t":
        k -= 1
    if k and source[k - 1] == ")":
        depth = 0
        while k:
            k -= 1
            depth += {")": 1, "(": -1}.get(source[k], 0)
            if depth == 0:
                break
    while k and (source[k - 1].isalnum() or source[k - 1] in "_.πℯ"):
        k -= 1
    return k


def _operand_end(source: str, pos: int) -> int:
    """Where the operand starting at `pos` ends: a name or number, then a parenthesised group (a call's), then its
    exponent (^ and a signed operand of the same kind, or a superscript)."""
    k = _atom_end(source, pos)
    while k < len(source):
        if source[k] in "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻":
            k += 1
        elif source.startswith(("^", "**"), k):
            k += 1 if source[k] == "^" else 2
            k += source[k:k + 1] in ("-", "+")
            k = _atom_end(source, k)
        else:
            break
    return k


def _atom_end(source: str, k: int) -> int:
    while k < len(source) and (source[k].isalnum() and source[k] not in "⁰¹²³⁴⁵⁶⁷⁸⁹" or source[k] in "_.πℯ√"):
        k += 1
    if k < len(source) and source[k] == "(":
        depth = 0
        while k < len(source):
            depth += {"(": 1, ")": -1}.get(source[k], 0)
            k += 1
            if depth == 0:
                break
    return k


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
    if names & {"$END", "SEP"}:  # where a statement can end, a ',' could start a list of outputs: true, but noise
        names.discard("COMMA")
    if names & _OPERAND:
        names -= {"MINUS", "PLUS", "ROOT"}  # a sign or √ is always possible before an operand; leave it unsaid
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
