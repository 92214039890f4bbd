"""A tight LALR(1) loop over the tables, the scanner and the reduction callbacks Lark built for the grammar.

Lark's own loop spends most of its time per token rather than per reduction: a Token with line and column for every
operator, a generator per post-lexer, a parser-state object consulted on every step. This loop reads the same parse
table, scans with the same regular expression, inserts the same post-lexer tokens and calls the same callbacks, so
it builds the same value; unit reductions (`?sum: product`, which only pass their one child on) just move the state.

It is an accelerator, never the reference: on anything unusual (a character no terminal matches, a token the table
has no action for, an exception in a callback) it raises, and the caller runs Lark's parser, whose error says what
is wrong. Lark internals it relies on are checked when it is built; if they differ, `build` raises Unsupported and
the caller keeps using Lark alone.
"""

from __future__ import annotations

from typing import Callable


class Unsupported(Exception):
    """This Lark parser uses something the fast loop does not reproduce (a lexer callback, a contextual lexer, …)."""


def build(lark, implicit: frozenset, implicit_type: str) -> Callable[[str], object]:
    """A function text → the value Lark's parse would return; `implicit` holds the (previous, next) token-type pairs
    between which the post-lexer inserts a zero-width `implicit_type` token."""
    from lark import Token
    from lark.parse_tree_builder import ChildFilterLALR_NoPlaceholders, ExpandSingleChild
    from lark.parsers.lalr_analysis import Shift

    try:
        lexer = lark.parser.lexer.lexer  # PostLexConnector → BasicLexer
        scanner = lexer.scanner
        (regex,) = scanner._mres
        ignore = lexer.ignore_types
        parser = lark.parser.parser.parser  # LALR_Parser → _Parser
        table, callbacks = parser.parse_table, parser.callbacks
        (start,) = lark.options.start
        start_state, end_state = table.start_states[start], table.end_states[start]
    except (AttributeError, KeyError, TypeError, ValueError) as e:
        raise Unsupported(f"unexpected Lark internals: {e!r}") from None
    if lexer.callback or any(isinstance(k, str) for k in callbacks):
        raise Unsupported("lexer or terminal callbacks")

    # A reduction is (size, rule name, callback), or (1, rule name, None) when it only passes its one child on.
    reductions = {}
    kept: set[str] = {implicit_type}  # terminal types some callback receives (the others are filtered out)
    for rule, callback in callbacks.items():
        size = len(rule.expansion)
        unit = size == 1 and isinstance(callback, ExpandSingleChild)
        reductions[rule] = (size, rule.origin.name, None if unit else callback)
        keep = ({i for i, _ in callback.to_include} if isinstance(callback, ChildFilterLALR_NoPlaceholders)
                else range(size))
        kept.update(s.name for i, s in enumerate(rule.expansion) if s.is_term and i in keep)
    # One dict per state: a terminal or rule name → the next state (shift, goto) or a reduction tuple.
    actions = {state: {name: arg if action is Shift else reductions[arg] for name, (action, arg) in row.items()}
               for state, row in table.states.items()}
    new_str = str.__new__

    def token(kind: str, text: str, start: int, end: int):
        tok = new_str(Token, text)
        tok.type, tok.value, tok.start_pos, tok.end_pos = kind, text, start, end
        return tok

    def parse(text: str):
        states = [start_state]
        values: list = []

        def feed(kind: str, value) -> None:
            while True:
                step = actions[states[-1]][kind]
                if type(step) is not tuple:  # shift
                    states.append(step)
                    values.append(value)
                    return
                size, origin, callback = step
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

        pos = 0
        prev = None
        for m in regex.finditer(text):
            at = m.start()
            if at != pos:
                raise ValueError("a character no terminal matches")
            pos = m.end()
            kind = m.lastgroup
            if kind in ignore:
                continue
            if (prev, kind) in implicit:
                feed(implicit_type, token(implicit_type, "", at, at) if implicit_type in kept else None)
            prev = kind
            feed(kind, token(kind, m.group(), at, pos) if kind in kept else None)
        if pos != len(text):
            raise ValueError("a character no terminal matches")
        while True:  # the end of input: reduce until the start rule is complete
            size, origin, callback = actions[states[-1]]["$END"]
            children = values[-size:] if size else []
            if size:
                del states[-size:]
                del values[-size:]
            values.append(children[0] if callback is None else callback(children))
            states.append(actions[states[-1]][origin])
            if states[-1] == end_state:
                return values[-1]

    return parse
