"""The AST: immutable expression and statement nodes, and builders that read like the math they build.

Spans (source positions) ride along for error messages but take no part in equality, so `parse(print(ast)) == ast`.
Operators on expressions build expressions (`a * b ** 2` is `mul(a, pow(b, 2))`), which lets the primitive table
write its partial-derivative rules as plain formulas.
"""

from __future__ import annotations

import math

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


class _Frozen:
    """Immutable slotted records, equal when their type and shown fields are (spans and sources are not compared).

    Written out rather than @dataclass(frozen=True): a frozen dataclass assigns every field through
    object.__setattr__, which made building a 100,000-node AST 2.5× slower, and generating its methods cost several
    milliseconds of start-up. Fields are set through the slot descriptors (`_set`), so assignment can stay forbidden.
    """

    __slots__ = ()
    __match_args__: tuple[str, ...] = ()  # the compared fields, in order
    _set: tuple = ()

    def __setattr__(self, name, value):
        raise AttributeError(f"cannot assign to field '{name}' of an immutable {type(self).__name__}")

    __delattr__ = __setattr__

    def _key(self) -> tuple:
        return tuple(getattr(self, f) for f in self.__match_args__)

    def __eq__(self, other):
        return self._key() == other._key() if type(other) is type(self) else NotImplemented

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{f}={getattr(self, f)!r}' for f in self.__match_args__)})"

    def __reduce__(self):  # copy, deepcopy and pickle rebuild through __init__ (setattr is forbidden)
        return type(self), tuple(getattr(self, f) for f in self.__slots__)


def _frozen(cls):
    cls._set = tuple(getattr(cls, f).__set__ for f in cls.__slots__)
    return cls


@_frozen
class Num(_Frozen, Expr):
    __slots__ = ("value", "span")
    __match_args__ = ("value",)

    def __init__(self, value: float, span: Span | None = None):
        s = self._set
        s[0](self, value), s[1](self, span)

    def _key(self) -> tuple:  # 0 and -0 are two numbers (atan2(-0, -1) is -π), though equal as floats
        return self.value, math.copysign(1.0, self.value)


@_frozen
class Const(_Frozen, Expr):
    __slots__ = ("name", "span")  # name: 'pi' or 'e'
    __match_args__ = ("name",)

    def __init__(self, name: str, span: Span | None = None):
        s = self._set
        s[0](self, name), s[1](self, span)


@_frozen
class Var(_Frozen, Expr):
    __slots__ = ("name", "span")
    __match_args__ = ("name",)

    def __init__(self, name: str, span: Span | None = None):
        s = self._set
        s[0](self, name), s[1](self, span)


@_frozen
class Apply(_Frozen, Expr):
    """An operator or a function call: `op` names a primitive (or, before lowering, a user function)."""

    __slots__ = ("op", "args", "span")
    __match_args__ = ("op", "args")

    def __init__(self, op: str, args: tuple, span: Span | None = None):
        s = self._set
        s[0](self, op), s[1](self, args), s[2](self, span)


@_frozen
class Assign(_Frozen):
    __slots__ = ("name", "expr", "span")
    __match_args__ = ("name", "expr")

    def __init__(self, name: str, expr: Expr, span: Span | None = None):
        s = self._set
        s[0](self, name), s[1](self, expr), s[2](self, span)


@_frozen
class Define(_Frozen):
    __slots__ = ("name", "params", "body", "span")
    __match_args__ = ("name", "params", "body")

    def __init__(self, name: str, params: tuple[str, ...], body: Expr, span: Span | None = None):
        s = self._set
        s[0](self, name), s[1](self, params), s[2](self, body), s[3](self, span)


@_frozen
class Outputs(_Frozen):
    """The last statement of a program with several outputs: `a*b, a+b` (items: the expressions, in order)."""
    __slots__ = ("items", "span")
    __match_args__ = ("items",)

    def __init__(self, items: tuple, span: Span | None = None):
        s = self._set
        s[0](self, items), s[1](self, span)


@_frozen
class Program(_Frozen):
    """`notes`: ParseErrors of readings that may not be what the author meant (sinx, 1/2x), for the command layer to
    print as notes, or raise (--strict)."""
    __slots__ = ("stmts", "source", "notes")
    __match_args__ = ("stmts",)

    def __init__(self, stmts: tuple, source: str = "", notes: tuple = ()):
        s = self._set
        s[0](self, stmts), s[1](self, source), s[2](self, notes)


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
