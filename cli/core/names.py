"""Name resolution of a program: which names are inputs, which are defined, and every naming error, before lowering.

Rules (DESIGN.md, Language): a name that is not defined is a free variable (an input, in order of first appearance);
using a name before the line that defines it, defining a name twice, or assigning to a constant or a built-in function
is an error; so are unknown functions and wrong numbers of arguments.
"""

from __future__ import annotations

import difflib
from functools import lru_cache

from ..errors import ArityError, NameError_
from ..language.expr import CONSTANTS, Apply, Assign, Define, Outputs, Program, Var, children
from .ops import ALIASES, FOLDS, FUNCTION_NAMES, FUNCTIONS, OPS, arities


def walk(expr):
    """Every node of an expression in textual (pre-)order, without recursion."""
    stack = [expr]
    while stack:
        e = stack.pop()
        yield e
        stack.extend(reversed(children(e)))


_OPERATORS = frozenset(op.name for op in OPS.values() if op.symbol is not None)
_FUNCTION_NAMES = frozenset(FUNCTION_NAMES)
_arities = lru_cache(maxsize=None)(arities)


def resolve(program: Program) -> tuple[list[str], dict[str, Define]]:
    """Check every name of the program; return its free variables (inputs) and its user functions."""
    src = program.source
    assigned = {s.name: s for s in program.stmts if isinstance(s, Assign)}
    defined: set[str] = set()
    functions: dict[str, Define] = {}
    inputs: dict[str, None] = {}

    def fail(kind, message, span):
        return kind(message, source=src, span=span)

    def check_target(name, span):
        what = ("the constant" if name in CONSTANTS else "the built-in function" if name in FUNCTION_NAMES else None)
        if what:
            raise fail(NameError_, f"cannot assign to {what} '{name}'", span)
        if name in defined or name in functions:
            raise fail(NameError_, f"'{name}' is already defined", span)

    def check_expr(expr, params=()):
        stack = [expr]  # walk(expr) inlined: this loop meets every node of 100,000-node inputs
        while stack:
            e = stack.pop()
            if type(e) is Apply:
                if e.op not in _OPERATORS:
                    check_call(e, params)
                stack.extend(reversed(e.args))
            elif type(e) is Var and not (e.name in params or e.name in defined):
                check_use(e, params)

    def check_use(v: Var, params):
        n = v.name
        if n in params or n in defined:
            return
        if n in assigned:
            raise fail(NameError_, f"'{n}' is used before the line that defines it", v.span)
        if n in functions or n in FUNCTION_NAMES:
            raise fail(NameError_, f"'{n}' is a function: call it as {n}(…)", v.span)
        inputs.setdefault(n)

    def check_call(e: Apply, params):
        name, n = e.op, len(e.args)
        if name in functions:
            want = [len(functions[name].params)]
        elif name in _FUNCTION_NAMES:
            want = _arities(name)
        elif name in params or name in defined or name in assigned or name in inputs or name in CONSTANTS:
            raise fail(NameError_, f"'{name}' is not a function", e.span)
        else:
            own = [s.span for s in program.stmts if isinstance(s, Define) and s.name == name]
            if own and own[0] and e.span and own[0][0] < e.span[0]:  # defined above yet unknown: its own body
                raise fail(NameError_, f"{name} calls itself: a function cannot be recursive", _name_span(e))
            if own:
                raise fail(NameError_, f"'{name}' is used before the line that defines it", _name_span(e))
            raise fail(NameError_, f"unknown function '{name}'{suggestion(name, list(functions))}", _name_span(e))
        if name in FOLDS and n >= 2:
            return
        if n not in want:
            counts = " or ".join(map(str, want)) + (" or more" if name in FOLDS else "")
            s = "" if want == [1] else "s"
            raise fail(ArityError, f"{name} takes {counts} argument{s}, got {n}", e.span)

    for stmt in program.stmts:
        if isinstance(stmt, Define):
            check_target(stmt.name, stmt.span)
            seen = set()
            for p in stmt.params:
                if p in CONSTANTS or p in FUNCTION_NAMES:
                    raise fail(NameError_, f"the parameter '{p}' of {stmt.name} shadows a built-in name", stmt.span)
                if p in seen:
                    raise fail(NameError_, f"the parameter '{p}' of {stmt.name} appears twice", stmt.span)
                seen.add(p)
            check_expr(stmt.body, seen)
            functions[stmt.name] = stmt
        elif isinstance(stmt, Assign):
            check_expr(stmt.expr)
            check_target(stmt.name, stmt.span)
            defined.add(stmt.name)
        elif isinstance(stmt, Outputs):
            for item in stmt.items:
                check_expr(item)
        else:
            check_expr(stmt)
    return list(inputs), functions


# What people type for a function dcalc has under another name, or for one it cannot have: meaning, not spelling
# (difflib would offer 'sin' for min and nothing for heaviside). A name here maps to the hint's text.
_STEP = "dcalc has no step function: write (1 + sign(x))/2, which jumps at 0, or relu(x), whose slope it is"
MEANINGS: dict[str, str] = {other: f"did you mean '{name}'?" for name, others in ALIASES.items() for other in others}
MEANINGS.update({
    "log1p": "write ln(1 + x)", "expm1": "write exp(x) - 1", "ln1p": "write ln(1 + x)",
    "sqr": "write x^2", "square": "write x^2", "trunc": "write sign(x)*floor(abs(x))",
    "softmax": "softmax is a vector function; one component is exp(a)/(exp(a) + exp(b)), "
               "or exp(a - logsumexp(a, b)); logsumexp(a, b, …) is its scalar companion",
    "heaviside": _STEP, "step": _STEP, "unitstep": _STEP,
    "swish": "write x*sigmoid(x)", "silu": "write x*sigmoid(x)", "elu": "write relu(x) + min(0, exp(x) - 1)",
    "leakyrelu": "write max(x, 0.01x)", "leaky_relu": "write max(x, 0.01x)", "mish": "write x*tanh(softplus(x))",
})


def suggestion(name: str, own: list[str] = ()) -> str:
    """The hint after "unknown function 'name'": by meaning first (MEANINGS, then a built-in's name as a prefix:
    sigmoidal → sigmoid), by spelling only among names as long as it (min is never 'sin': a three-letter name
    suggests only a name it differs from by a transposition or one added letter)."""
    key = name.lower()
    if key in MEANINGS:
        return f" ({MEANINGS[key]})"
    if key != name and key in FUNCTION_NAMES:  # Sin, MAX
        return f" (did you mean '{key}'?)"
    known = FUNCTION_NAMES + [f for f in own if f not in FUNCTION_NAMES]
    cutoff = 0.6 if len(name) > 3 else 0.8  # short names: 'sin' for 'min' is 0.67 similar and means nothing alike
    near = difflib.get_close_matches(key, known, n=1, cutoff=cutoff)
    return f" (did you mean '{near[0]}'?)" if near else ""


def _name_span(e: Apply):
    return (e.span[0], e.span[0] + len(e.op)) if e.span else None


@lru_cache(maxsize=None)
def primitive(name: str, arity: int):
    """The primitive Op an application of `name` to `arity` arguments means (log with one argument is ln), or None
    for a user function. The parser never makes a call named like an operator but pow, so operators are their op."""
    prim = name if name in _OPERATORS else FUNCTIONS.get((name, arity))
    return None if prim is None else OPS[prim]
