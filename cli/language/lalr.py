"""A tight LALR(1) loop over the tables Lark builds for grammar/dcalc.lark, runnable without importing Lark.

Lark's own loop spends most of its time per token rather than per reduction: a Token with line and column for every
operator, a generator per post-lexer, a parser-state object consulted on every step. This loop reads the same parse
table, scans with the same regular expression, inserts the same post-lexer tokens and calls the same reduction
methods with the same children, so it builds the same value; unit reductions (`?sum: product`, which only pass their
one child on) just move the state.

`read_tables(lark)` reads those tables out of a Lark parser as plain data; `python -m dcalc.language.syntax` writes
them, with the grammar they were built from, to grammar/tables.py, so a run that parses correct input never imports
Lark (a third of dcalc's start-up). If the grammar has changed since, syntax.py builds the tables with Lark instead.

It is an accelerator, never the reference: on input it does not accept (a character no terminal matches, a token the
table has no action for, the end of input where the table has none) it raises Rejected, and on a DcalcError of a
reduction (a number too large) it lets that through; the caller then runs Lark's parser, whose error says what is
wrong. Any other exception is a bug in the loop and propagates as one. Lark internals `read_tables` relies on are
checked there; if they differ, it raises Unsupported and the caller keeps using Lark alone.
"""

from __future__ import annotations

import re
from typing import Callable

FORMAT = 2  # of the data `read_tables` returns; part of what grammar/tables.py is checked against


class Unsupported(Exception):
    """This Lark parser uses something the fast loop does not reproduce (a lexer callback, a contextual lexer, …)."""


class Rejected(Exception):
    """The loop does not accept this input (a syntax error): Lark's parser words the error."""


class Token(str):
    """A terminal as a reduction sees it: its text, with `type`, `start_pos` and `end_pos` as on Lark's Token."""

    __slots__ = ("type", "start_pos", "end_pos")  # no __dict__: a 100,000-deep sin(…) holds 200,000 of them


def read_tables(lark) -> dict:
    """The scanner, the parse table and the reductions of a Lark LALR parser with a basic lexer, as plain data.

    A state's row maps a terminal or rule name to the next state (a shift, or the goto after a reduction), or to ~k
    (a negative number) for the reduction k of the list "reductions"; written this way the rows are used as they
    are, with nothing to build at start-up. A reduction is [size, rule name, builder]: builder None passes the one child on (`?sum: product`); otherwise
    [method, include], where method names the reduction method (None for a rule Lark inlines into its parent, such
    as the repetition in `args: expr ("," expr)*`, whose value is the list of its children) and include lists
    [position, splice] for the children the method receives (None: all), splice meaning "an inlined rule's list"."""
    from functools import partial

    from lark import Tree
    from lark.parse_tree_builder import ChildFilterLALR_NoPlaceholders, ExpandSingleChild
    from lark.parsers.lalr_analysis import Shift

    try:
        lexer = lark.parser.lexer.lexer  # PostLexConnector → BasicLexer
        (regex,) = lexer.scanner._mres
        parser = lark.parser.parser.parser  # LALR_Parser → _Parser
        table, callbacks = parser.parse_table, parser.callbacks
        (start,) = lark.options.start
        start_state, end_state = table.start_states[start], table.end_states[start]
    except (AttributeError, KeyError, TypeError, ValueError) as e:
        raise Unsupported(f"unexpected Lark internals: {e!r}") from None
    if lexer.callback or any(isinstance(k, str) for k in callbacks):
        raise Unsupported("lexer or terminal callbacks")

    def builder(rule, callback):
        size = len(rule.expansion)
        if isinstance(callback, ExpandSingleChild):
            if size != 1:
                raise Unsupported(f"a ?rule of {size} children: {rule}")
            return None
        include = None
        if isinstance(callback, ChildFilterLALR_NoPlaceholders):
            include = [[i, bool(splice)] for i, splice in callback.to_include]
            callback = callback.node_builder
        if isinstance(callback, partial) and callback.func is Tree and callback.args == (rule.origin.name,):
            return [None, include]  # a tree of an inlined rule: here the list of its children
        if getattr(callback, "__self__", None) is None:
            raise Unsupported(f"a reduction that is not a method: {rule}")
        return [callback.__name__, include]

    # str(): a freshly built (not cached) Lark names rules with Tokens, which would be written out as Token(…)
    rules = list(callbacks)
    number = {rule: k for k, rule in enumerate(rules)}
    reductions = [[len(rule.expansion), str(rule.origin.name), builder(rule, callbacks[rule])] for rule in rules]
    kept: set[str] = set()  # terminal types some reduction receives (the others are never made into tokens)
    for rule, (size, _, build) in zip(rules, reductions):
        if build is not None:
            keep = range(size) if build[1] is None else {i for i, _ in build[1]}
            kept.update(s.name for i, s in enumerate(rule.expansion) if s.is_term and i in keep)
    return {
        "format": FORMAT,
        "scanner": [regex.pattern, regex.flags],
        "ignore": sorted(lexer.ignore_types),
        "kept": sorted(kept),
        "start": start_state,
        "end": end_state,
        "reductions": reductions,
        "states": {state: {str(name): arg if action is Shift else ~number[arg] for name, (action, arg) in row.items()}
                   for state, row in table.states.items()},
    }


def build(data: dict, methods, postlex, scan=None) -> Callable[[str], object]:
    """A function text → the value Lark's parse with `methods` as its inline transformer would return. `postlex`
    describes what the post-lexer does: a zero-width token of type `IMPLICIT` between the (previous, next) token
    types of `PAIRS`; a new line (a `SEP` token "\\n") dropped inside `OPEN` … `CLOSE` or after `GOES_ON`; and a
    token of `LEADS` refused at the start of a line that follows a statement ended by a new line; a `FUNC` made a
    `NAME` when its text is not among the `functions` given to the parse and is one letter or among its `factors`.
    `scan`: text → its tokens (terminal, start, end) without the ignored ones, raising Rejected where no terminal
    matches, as the tables' scanner expression reads them (None: that expression, compiled here)."""
    implicit, implicit_type = postlex.PAIRS, postlex.IMPLICIT
    func, name_type = postlex.FUNC, postlex.NAME
    open_, close, sep, goes_on, leads = postlex.OPEN, postlex.CLOSE, postlex.SEP, postlex.GOES_ON, postlex.LEADS
    layout = frozenset({open_, close, sep})
    pairs = {**{(sep, t): False for t in leads}, **dict.fromkeys(implicit, True)}  # True: insert IMPLICIT
    if scan is None:
        scan = _scanner(re.compile(*data["scanner"]), frozenset(data["ignore"]))
    kept = frozenset(data["kept"])
    start_state, end_state = data["start"], data["end"]
    actions = data["states"]
    # (size, rule name, callback) by ~step: callback None for a unit reduction
    reductions = [(size, origin, None if spec is None else _callback(methods, *spec))
                  for size, origin, spec in data["reductions"]]
    new_str = str.__new__

    def token(kind: str, text: str, start: int, end: int) -> Token:
        tok = new_str(Token, text)
        tok.type, tok.start_pos, tok.end_pos = kind, start, end
        return tok

    def parse(text: str, functions=None, factors=frozenset()):
        states = [start_state]
        values: list = []

        def feed(kind: str, value) -> None:
            while True:
                try:
                    step = actions[states[-1]][kind]
                except KeyError:
                    raise Rejected(f"no action for {kind}") from None
                if step >= 0:  # shift
                    states.append(step)
                    values.append(value)
                    return
                size, origin, callback = reductions[~step]
                if callback is None:  # a unit reduction: the value stays, the state moves
                    states[-1] = actions[states[-2]][origin]
                    continue
                if size:
                    children = values[-size:]
                    del states[-size:]
                    del values[-size:]
                else:
                    children = []
                values.append(callback(children))
                states.append(actions[states[-1]][origin])

        prev = None
        depth = 0  # of parentheses
        newline = False  # the statement before the current run of SEPs ended at a new line (no ';' since)
        for kind, at, pos in scan(text):
            if kind == func and functions is not None:
                called = text[at:pos]
                if called not in functions and (len(called) == 1 or called in factors):
                    kind = name_type
            if kind in layout:
                if kind == open_:
                    depth += 1
                elif kind == close:
                    depth = max(depth - 1, 0)
                elif text[at] != "\n":
                    newline = False
                elif depth or prev in goes_on:
                    continue
                elif prev != sep:
                    newline = prev is not None
            pair = pairs.get((prev, kind))  # one look-up per token for both rules of token pairs
            if pair is not None:
                if pair:
                    feed(implicit_type, token(implicit_type, "", at, at))
                elif newline:
                    raise Rejected("a line that starts with an operator")  # Lark's post-lexer words the error
            prev = kind
            feed(kind, token(kind, text[at:pos], at, pos) if kind in kept else None)
        while True:  # the end of input: reduce until the start rule is complete
            step = actions[states[-1]].get("$END", 0)  # (Lark's tables never shift the end)
            if step >= 0:
                raise Rejected("an incomplete end of input")
            size, origin, callback = reductions[~step]
            children = values[-size:] if size else []
            if size:
                del states[-size:]
                del values[-size:]
            values.append(children[0] if callback is None else callback(children))
            states.append(actions[states[-1]][origin])
            if states[-1] == end_state:
                return values[-1]

    return parse


def _scanner(regex, ignore: frozenset):
    """The tokens as `build` takes them, from the tables' scanner expression."""
    def scan(text: str):
        pos = 0
        for m in regex.finditer(text):
            if m.start() != pos:
                raise Rejected("a character no terminal matches")
            pos = m.end()
            if m.lastgroup not in ignore:
                yield m.lastgroup, m.start(), pos
        if pos != len(text):
            raise Rejected("a character no terminal matches")
    return scan


def _callback(methods, name: str | None, include: list | None):
    """What a reduction does with its children, as Lark's tree builder does it: pick the included ones, splicing in
    the lists of inlined rules, and call the method (an inlined rule's value is the list itself)."""
    method = getattr(methods, name) if name is not None else (lambda children: children)
    if include is None:
        return method

    def picked(children):
        out: list = []
        for i, splice in include:
            if not splice:
                out.append(children[i])
            elif out:
                out += children[i]
            else:  # a left-recursive repetition: extend the list it already built rather than copy it
                out = children[i]
        return method(out)
    return picked


def source(grammar: str, data: dict) -> str:
    """The text of grammar/tables.py. (Lark numbers its states differently from run to run, so two writes of the
    same grammar can differ in their numbers; both are correct tables of it.)"""
    from pprint import pformat
    return ('"""The LALR tables of dcalc.lark, written by `python -m dcalc.language.syntax > grammar/tables.py`: '
            'do not edit.\n\n'
            'dcalc parses with them when GRAMMAR is the text of dcalc.lark, without importing Lark at all."""\n\n'
            f"GRAMMAR = {grammar!r}\n\nTABLES = {pformat(data, width=120, compact=True)}\n")

