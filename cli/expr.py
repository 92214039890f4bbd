"""The AST: immutable expression and statement nodes, and builders that read like the math they build.

Spans (source positions) ride along for error messages but take no part in equality, so `parse(print(ast)) == ast`.
Operators on expressions build expressions (`a * b ** 2` is `mul(a, pow(b, 2))`), which lets the primitive table
write its partial-derivative rules as plain formulas.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Span = tuple[int, int]  # start and end offsets in the source text


class Expr:
    """Base of expression nodes; arithmetic operators build new nodes."""

    __slots__ = ()

    def __add__(self, other): return Apply("add", (self, wrap(other)))
    def __radd__(self, other): return Apply("add", (wrap(other), self))
    def __sub__(self, other): return Apply("sub", (self, wrap(other)))
    def __rsub__(self, other): return Apply("sub", (wrap(other), self))
    def __mul__(self, other): return Apply("mul", (self, wrap(other)))
    def __rmul__(self, other): return Apply("mul", (wrap(other), self))
    def __truediv__(self, other): return Apply("div", (self, wrap(other)))
    def __rtruediv__(self, other): return Apply("div", (wrap(other), self))
    def __pow__(self, other): return Apply("pow", (self, wrap(other)))
    def __rpow__(self, other): return Apply("pow", (wrap(other), self))
    def __neg__(self): return neg(self)


@dataclass(frozen=True, slots=True)
class Num(Expr):
    value: float


@dataclass(frozen=True, slots=True)
class Const(Expr):
    name: str  # 'pi' or 'e'
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Var(Expr):
    name: str
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Apply(Expr):
    """An operator or a function call: `op` names a primitive (or, before lowering, a user function)."""

    op: str
    args: tuple
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Assign:
    name: str
    expr: Expr
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Define:
    name: str
    params: tuple[str, ...]
    body: Expr
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Program:
    stmts: tuple
    source: str = field(default="", compare=False, repr=False)


CONSTANTS = {"pi": 3.141592653589793, "e": 2.718281828459045}


def wrap(x) -> Expr:
    return x if isinstance(x, Expr) else Num(float(x))


def neg(a) -> Expr:
    """Negation; a negated number literal is the negative number itself, as the parser reads `-2`."""
    a = wrap(a)
    return Num(-a.value) if isinstance(a, Num) else Apply("neg", (a,))


def call(op: str, *args) -> Expr:
    return Apply(op, tuple(wrap(a) for a in args))


def children(e) -> tuple:
    """The sub-expressions of a node (none for leaves)."""
    return e.args if isinstance(e, Apply) else ()
