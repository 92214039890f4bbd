"""Simplification of expressions: bottom-up rewrites over a shared store, without recursion.

Every simplified node is interned: two structurally equal results are the same object, so like terms and equal bases
are found by identity, and an expression that is a DAG (a derivative reuses its function's pieces) is simplified once
per distinct node. Sums are normalised as a rational constant plus coefficient·term, products as a rational coefficient
times base^exponent, which gives constant folding, the identities of 0 and 1, `x - x → 0`, `x/x → 1`, `2x + 3x → 5x`,
`x*x^2 → x^3`, signs pulled out (`-1*a → -a`, `a + -b → a - b`) and one canonical order of terms and factors.

The rules never change a value where the input is defined. Cancelling (`x - x`, `x/x`, `x^a*x^-a`) only removes points
where the input was undefined (0/0, ∞-∞). Powers merge only as a^p·a^q = a^(p+q), which holds wherever both sides are
defined, and (a^b)^c = a^(bc) only for an integer c; (x^2)^0.5 stays, since it is |x|.
"""

from __future__ import annotations

import math
import zlib
from fractions import Fraction

from ..core.graph import fold, fold_rational
from ..core.ops import OPS
from ..language.expr import CONSTANTS, Apply, Const, Num, Var, wrap

_EXACT_DIGITS = 12  # fold a constant only if its value prints in this many significant digits (2*3 yes, 1/3 no)
_CAP = 10 ** 12  # sizes saturate here: a DAG's tree size can be astronomical
_FLAT = 64  # at most this many pieces are gathered from one node's arguments, which keeps big sums linear
_OPEN = 256  # a nested sum or product larger than this stays one piece: rewriting a deep chain stays linear
_BIG_DENOMINATOR = 10 ** 6  # a coefficient with a larger denominator prints as a decimal
_ONE = Fraction(1)
_RANK = {Num: 0, Const: 1, Var: 2}  # factor order: numbers, constants, variables, calls, sums


def _short(v: float) -> bool:
    return math.isfinite(v) and float(f"{v:.{_EXACT_DIGITS}g}") == v


def _op_hash(op: str) -> int:
    return zlib.crc32(op.encode())  # str hashes vary between runs; the canonical order must not


class Simplifier:
    """A store of simplified nodes; `simplify` and `apply` return members of it (keep one store per computation)."""

    def __init__(self):
        self._table: dict[tuple, object] = {}
        self._meta: dict[int, tuple] = {}  # id(node) → (tree size, sort text or None, structural hash)
        self._split: dict[int, tuple] = {}  # id(node) → (coefficient, factors) of a product
        self.zero, self.one = self.num(0.0), self.num(1.0)

    # -- the store ------------------------------------------------------------------------------------------------
    def _intern(self, e):
        if isinstance(e, Apply):
            key = (e.op, *map(id, e.args))
        elif isinstance(e, Num):
            key = ("#", e.value, math.copysign(1.0, e.value))
        else:
            key = (type(e).__name__, e.name)
        found = self._table.get(key)
        if found is not None:
            return found
        self._table[key] = e
        if isinstance(e, Apply):
            metas = [self._meta[id(a)] for a in e.args]
            size = min(_CAP, 1 + sum(m[0] for m in metas))
            h = hash((_op_hash(e.op), *(m[2] for m in metas)))
        else:
            size = 1
            h = hash(e.value) if isinstance(e, Num) else zlib.crc32(e.name.encode())
        self._meta[id(e)] = (size, None, h)  # the sort text is printed when first needed
        return e

    def num(self, v: float):
        return self._intern(Num(float(v) + 0.0))

    def size(self, e) -> int:
        return self._meta[id(e)][0]

    def known(self, e) -> bool:
        return id(e) in self._meta

    def _open(self, e) -> bool:
        return id(e) not in self._meta or self._meta[id(e)][0] <= _OPEN

    def _key(self, e) -> tuple:
        """The canonical order: smaller first, then by text (small nodes only), then by structure."""
        size, text, h = self._meta[id(e)]
        if text is None:
            from ..core.printing import to_text
            text = to_text(e) if size <= 16 else ""
            self._meta[id(e)] = (size, text, h)
        return size, text, h

    def _node(self, op: str, *args):
        return self._intern(Apply(op, args))

    # -- entry points ---------------------------------------------------------------------------------------------
    def simplify(self, expr):
        """A simpler expression with the same value wherever `expr` is defined; shared nodes are visited once."""
        expr = wrap(expr)
        done: dict[int, object] = {}
        stack = [(expr, False)]
        while stack:
            e, ready = stack.pop()
            if id(e) in done:
                continue
            if id(e) in self._meta:
                done[id(e)] = e
            elif not isinstance(e, Apply):
                done[id(e)] = self._intern(type(e)(e.value) if isinstance(e, Num) else type(e)(e.name))
            elif not ready:
                stack.append((e, True))
                stack.extend((k, False) for k in e.args if id(k) not in done)
            else:
                done[id(e)] = self.apply(e.op, *(done[id(k)] for k in e.args))
        return done[id(expr)]

    def apply(self, op: str, *args):
        """op(args) simplified at its root; the arguments must already be members of this store."""
        if all(isinstance(a, (Num, Const)) for a in args):  # ln(e) is 1; sin(pi) is not 0 in doubles, and stays
            argvals = [a.value if isinstance(a, Num) else CONSTANTS[a.name] for a in args]
            v = fold(OPS[op], argvals, exact=True)  # the one folding policy (core/graph.fold): short, not underflowed
            if v is not None:
                return self._intern(Num(v))  # not num(v), which makes -0 into 0: atan2(sin(-0), -1) is -π
        try:
            if op in ("add", "sub", "neg"):
                return self._linear(op, args)
            if op in ("mul", "div", "pow") and not (op == "div" and isinstance(args[1], Num) and args[1].value == 0):
                return self._build(*self._factors(Apply(op, args), cache=False))
        except (OverflowError, ValueError, ZeroDivisionError):
            pass  # a coefficient beyond the doubles: leave this node as it is
        return self._node(op, *args)

    # -- sums: constant + Σ coefficient·term ----------------------------------------------------------------------
    def _linear(self, op: str, args):
        const = Fraction(0)
        terms: dict[int, list] = {}
        sign = {"add": (1, 1), "sub": (1, -1), "neg": (-1,)}[op]
        stack = list(zip(args, sign))
        budget = _FLAT
        while stack:
            e, s = stack.pop()
            if isinstance(e, Apply) and e.op in ("add", "sub", "neg") and budget > 0 and self._open(e):
                budget -= 1
                signs = {"add": (1, 1), "sub": (1, -1), "neg": (-1,)}[e.op]
                stack.extend((a, s * t) for a, t in zip(e.args, signs))
                continue
            c, core = self._coefficient(e)
            if core is None:
                const += s * c
            elif id(core) in terms:
                terms[id(core)][0] += s * c
            else:
                terms[id(core)] = [s * c, core]
        items = sorted(((c, t) for c, t in terms.values() if c != 0), key=lambda ct: self._key(ct[1]))
        if const != 0:
            items.insert(0, (const, None))
        if not items:
            return self.zero
        first = next((i for i, (c, _) in enumerate(items) if c > 0), 0)  # `x - 1`, not `-1 + x`
        items.insert(0, items.pop(first))
        out = self._scaled(*items[0])
        for c, t in items[1:]:
            out = self._node("add" if c > 0 else "sub", out, self._scaled(abs(c), t))
        return out

    def _coefficient(self, e) -> tuple:
        """e as (rational coefficient, the rest without it); the rest is None for a constant."""
        if isinstance(e, Num):
            return Fraction(e.value), None
        c, factors = self._factors(e)
        if not factors:
            return c, None
        return c, self._build(_ONE, factors)

    def _scaled(self, c: Fraction, term):
        if term is None:
            return self._fraction(c)
        if c == 1:
            return term
        c0, factors = self._factors(term)
        return self._build(c * c0, factors)

    def _fraction(self, c: Fraction):
        fold_rational(c)  # the one folding policy (core/graph): no number for a fraction that has no double
        if c.denominator == 1 and abs(c.numerator) < 2 ** 53 or _short(float(c)):
            return self.num(float(c))
        if c.denominator > _BIG_DENOMINATOR:
            return self.num(float(c))
        return self._node("div", self.num(c.numerator), self.num(c.denominator))

    # -- products: coefficient · Π base^exponent ------------------------------------------------------------------
    def _factors(self, e, cache: bool = True) -> tuple:
        """(rational coefficient, [(base, exponent)]) with equal bases merged; an exponent is a Fraction or a node.
        Only members of the store are cached (a temporary's id may be reused)."""
        cached = self._split.get(id(e)) if cache else None
        if cached is not None:
            return cached
        coef = Fraction(1)
        bases: dict[int, list] = {}
        stack = [(e, _ONE)]
        budget = _FLAT
        while stack:
            f, p = stack.pop()
            if isinstance(f, Num) and math.isfinite(f.value) and (p > 0 or f.value != 0) and p.denominator == 1:
                coef *= Fraction(f.value) ** int(p)
                continue
            if isinstance(f, Apply) and budget > 0 and (f is e or self._open(f)):
                if f.op == "mul":
                    budget -= 1
                    stack.extend((a, p) for a in f.args)
                    continue
                if f.op == "div":
                    budget -= 1
                    stack.extend(((f.args[0], p), (f.args[1], -p)))
                    continue
                if f.op == "neg":
                    budget -= 1
                    if p.numerator % 2:  # (-a)^2 = a^2
                        coef = -coef
                    stack.append((f.args[0], p))
                    continue
                if f.op == "pow" and isinstance(f.args[1], Num) and f.args[1].value.is_integer() \
                        and abs(f.args[1].value) <= 64:
                    budget -= 1  # (a^b)^n = a^(bn) for an integer n; a product base distributes: (2x)^2 = 4x^2
                    stack.append((f.args[0], p * int(f.args[1].value)))
                    continue
            if isinstance(f, Apply) and f.op == "pow":
                base, q = f.args[0], self._exponent(f.args[1])
            elif isinstance(f, Apply) and f.op == "sqrt":  # u^(1/2), u kept whole: sqrt(x^2) is |x|, not x
                base, q = f.args[0], Fraction(1, 2)
            else:
                base, q = f, _ONE
            q = self._times(q, p)
            slot = bases.get(id(base))
            if slot is None:
                bases[id(base)] = [base, q]
            else:
                slot[1] = self._plus(slot[1], q)
        factors = [(b, q) for b, q in bases.values() if not (isinstance(q, Fraction) and q == 0)]
        factors.sort(key=lambda bq: (_RANK.get(type(bq[0]), 4 if _is_sum(bq[0]) else 3), self._key(bq[0])))
        out = (coef, factors)
        if cache:
            self._split[id(e)] = out
        return out

    def _exponent(self, q):
        return Fraction(q.value) if isinstance(q, Num) else q

    def _as_node(self, q):
        return self._fraction(q) if isinstance(q, Fraction) else q

    def _times(self, q, p: Fraction):
        if isinstance(q, Fraction):
            return q * p
        return q if p == 1 else self.apply("mul", self._fraction(p), q)

    def _plus(self, q1, q2):
        if isinstance(q1, Fraction) and isinstance(q2, Fraction):
            return q1 + q2
        out = self.apply("add", self._as_node(q1), self._as_node(q2))
        return self._exponent(out) if isinstance(out, Num) else out

    def _build(self, coef: Fraction, factors: list):
        """coefficient · Π base^exponent as text reads it: `-2x^2*sin(x)/(3y)`."""
        if coef == 0:
            return self.zero
        top, bottom = [], []
        for base, q in factors:
            if isinstance(q, Fraction) and q < 0:
                bottom.append(self._power(base, -q))
            else:
                top.append(self._power(base, q))
        c = abs(coef)
        n, d = c.numerator, c.denominator
        if d > _BIG_DENOMINATOR or n >= 2 ** 53 or d >= 2 ** 53:
            n, d = fold_rational(c), 1
        if n != 1 or not top:
            top.insert(0, self.num(n))
        if d != 1:
            bottom.insert(0, self.num(d))
        if coef < 0:
            top[0] = self.num(-top[0].value) if isinstance(top[0], Num) else self._node("neg", top[0])
        out = _chain(self, top)
        return self._node("div", out, _chain(self, bottom)) if bottom else out

    def _power(self, base, q):
        if isinstance(q, Fraction) and q == 1:
            return base
        if isinstance(q, Fraction) and q == Fraction(1, 2):
            return self._node("sqrt", base)
        return self._node("pow", base, self._as_node(q))


def _chain(s: Simplifier, parts: list):
    out = parts[0]
    for p in parts[1:]:
        out = s._node("mul", out, p)
    return out


def _is_sum(e) -> bool:
    return isinstance(e, Apply) and e.op in ("add", "sub")


def simplify(expr):
    """A simpler expression with the same value wherever `expr` is defined."""
    return Simplifier().simplify(expr)
