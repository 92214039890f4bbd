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
import re
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
_SMALL_SUM = 16  # a call times a sum this small is written (sum)*call everywhere, a trace's rows too: (2x + 1)*cos(x)
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
        self.textbook_order = False  # set by the textbook pass: factors in the order an answer key writes them
        self._degrees: dict[int, Fraction] = {}  # id(term without its coefficient) → its degree

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
        items = sorted(((c, t) for c, t in terms.values() if c != 0),
                       key=lambda ct: (-self._degree(ct[1]), self._key(ct[1])[0] * self._within, self._key(ct[1])))
        if const != 0:
            items.append((const, None))  # descending degree, as an answer key writes: 3x^2 - 8x + 7
        if not items:
            return self.zero
        # a positive term first: `2x*cos(x) - x^2*sin(x)`, `1 - x^2`; but `-x^2 - 18x + 64`, not `64 - x^2 - 18x`
        first = next((i for i, (c, t) in enumerate(items) if c > 0 and t is not None), None)
        if first is None and len(items) == 2 and const > 0:
            first = 1
        items.insert(0, items.pop(first or 0))
        out = self._scaled(*items[0])
        for c, t in items[1:]:
            out = self._node("add" if c > 0 else "sub", out, self._scaled(abs(c), t))
        return out

    @property
    def _within(self) -> int:
        """Terms of one degree: smaller first (canonical: shares more of a high order's sums), larger first in the
        textbook pass (2x*ln(x) + x)."""
        return -1 if self.textbook_order else 1

    def _degree(self, term) -> Fraction:
        """The total degree of a term in its variables (x^2*y: 3, sin(x): 0, 1/x: -1), for the order of a sum."""
        d = self._degrees.get(id(term))
        if d is None:
            d = self._degrees[id(term)] = _degree_of(self._factors(term)[1])
        return d

    def _coefficient(self, e) -> tuple:
        """e as (rational coefficient, the rest without it); the rest is None for a constant."""
        if isinstance(e, Num):
            return Fraction(e.value), None
        c, factors = self._factors(e)
        if not factors:
            return c, None
        core = self._build(_ONE, factors)
        self._degrees.setdefault(id(core), _degree_of(factors))
        return c, core

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
        for key, (b, q) in list(bases.items()):  # |u|^(2k) = u^(2k) everywhere: ln(abs(x))' = x/|x|^2 = 1/x
            if isinstance(b, Apply) and b.op == "abs" and isinstance(q, Fraction) and q.denominator == 1 \
                    and q.numerator % 2 == 0:
                del bases[key]
                u = b.args[0]
                slot = bases.get(id(u))
                if slot is None:
                    bases[id(u)] = [u, q]
                else:
                    slot[1] = self._plus(slot[1], q)
        factors = [(b, q) for b, q in bases.values() if not (isinstance(q, Fraction) and q == 0)]
        factors.sort(key=lambda bq: (_RANK.get(type(bq[0]), 4 if _is_sum(bq[0]) else 3), self._key(bq[0])))
        out = (coef, factors)
        if cache:
            self._split[id(e)] = out
        return out

    def _textbook_key(self, bq) -> tuple:
        """Factor order as an answer key writes it (the textbook pass only: the canonical order above shares more
        of a high-order derivative's products, which stays several times smaller): numbers, constants, variables, e^u, sums, calls (lower powers
        first: sin(x)*cos(x)^2): 2x*e^(x^2)*(x + 1)*sin(x)."""
        base, q = bq
        rank = _RANK.get(type(base), 4 if _is_sum(base) else 3)
        if isinstance(base, Const) and not isinstance(q, Fraction):
            rank = 2.5
        elif rank == 4:
            rank = 2.7  # (2x + 1)*cos(x^2 + x)
        power = q if isinstance(q, Fraction) else Fraction(10 ** 6)
        return rank, power if rank == 3 else 0, self._key(base)

    def _exponent(self, q):
        if isinstance(q, Num):
            return Fraction(q.value)
        ratio = _ratio(q)
        return q if ratio is None else ratio

    def _as_node(self, q):
        """An exponent as a node: a ratio of small whole numbers as a fraction, x^(3/2), never x^1.5."""
        if isinstance(q, Fraction) and 1 < q.denominator <= _BIG_DENOMINATOR and abs(q.numerator) < 2 ** 53:
            return self._node("div", self.num(q.numerator), self.num(q.denominator))
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
        if self.textbook_order or len(factors) == 2 and coef == 1 and _is_sum(factors[1][0]) \
                and self.size(factors[1][0]) <= _SMALL_SUM:
            factors = sorted(factors, key=self._textbook_key)
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


class _Textbook:
    """The last pass of `dcalc diff`: the form an answer key shows, chosen by size among equal-valued forms.

    Bottom-up over the distinct nodes (iterative), each rebuilt through the Simplifier, and at each node the smallest
    of: the node; a sum over one common denominator (taken when no larger: 2x/(x - 1) - x^2/(x - 1)^2 →
    (x^2 - 2x)/(x - 1)^2); a common factor pulled out (x^x + x^x*ln(x) → x^x*(ln(x) + 1)); a product with its sums
    multiplied out ((1 - x)*(1 + x) → 1 - x^2; x^2*(1 + 1/x^2) → x^2 + 1); hypot(a, b) as sqrt(a^2 + b^2).
    None of these narrows the domain: a rewrite only multiplies by or cancels factors the input already has, so where
    the input is defined the new form is too, with the same value (it may be defined at more points: x^2*(1 + 1/x^2)
    at 0). Applied to a formula of at most TEXTBOOK_NODES nodes; larger ones (high orders) keep the folded form."""

    def __init__(self, s: Simplifier):
        self.s = s
        self.printed: dict[int, int] = {}
        self.depth = 0
        self.work = 0  # the sizes of the arguments of the nodes built so far, against TEXTBOOK_WORK

    def apply(self, op: str, *args):
        self.work += sum(map(self.s.size, args))  # rebuilding a node costs about the size of its arguments
        if self.work > TEXTBOOK_WORK:
            raise _OverBudget
        return self.s.apply(op, *args)

    def run(self, expr):
        s = self.s
        s.textbook_order = True
        try:
            return self._run(expr)
        finally:
            s.textbook_order = False

    def _run(self, expr):
        done: dict[int, object] = {}
        stack = [(expr, False)]
        while stack:
            e, ready = stack.pop()
            if id(e) in done:
                continue
            if not isinstance(e, Apply):
                done[id(e)] = e
            elif not ready:
                stack.append((e, True))
                stack.extend((k, False) for k in e.args if id(k) not in done)
            else:
                node = self.apply(e.op, *(done[id(k)] for k in e.args))
                done[id(e)] = self.best(node)
        return done[id(expr)]

    def size(self, e) -> int:
        """The size of e as printed: its tokens, a multiplication sign not counted (so 2x*e^x and 2xe^x are alike)."""
        n = self.printed.get(id(e))
        if n is None:
            from ..core.printing import to_text
            n = self.printed[id(e)] = len(_TOKENS.findall(to_text(e)))
        return n

    def best(self, node):
        """The smallest form of a node as printed; among equal sizes, one denominator, then a common factor pulled
        out (x^x*(ln(x) + 1)), then the node as it is, and a multiplied-out form only when smaller."""
        if not isinstance(node, Apply) or self.depth > 4:
            return node
        self.depth += 1
        try:
            node = self.unhypot(node) or node  # hypot is dcalc's guard against overflow, not an answer key's notation
            node = self.trigonometric(node) or node
            if _is_sum(node) or node.op == "neg" and _is_sum(node.args[0]):
                node = self.pythagorean(node) or node
                options = [(self.together(node), 0), (node, 1), (self.distributed(node), 2)]
                options += [(self.factored(o), 0.5) for o, _ in options if o is not None]
            elif node.op in ("mul", "div", "pow", "sqrt"):
                options = [(node, 1)]
                options += [(self.together_factors(o), 0) for o, _ in options if o is not None]
                options += [(self.expanded(o), 2) for o, _ in options if o is not None]
                options += [(self.expanded(o, bottom=True), 2) for o, _ in options if o is not None]
            else:
                return node
            return min(((o, rank) for o, rank in options if o is not None), key=lambda o: (self.size(o[0]), o[1]))[0]
        finally:
            self.depth -= 1

    # -- the pieces of a sum --------------------------------------------------------------------------------------
    def terms(self, e) -> list:
        """e as [(coefficient, core or None)], a sum flattened (small sums only: the pass runs on small formulas)."""
        out, stack = [], [(e, 1)]
        while stack:
            f, sign = stack.pop()
            if _is_sum(f) or isinstance(f, Apply) and f.op == "neg":
                signs = {"add": (1, 1), "sub": (1, -1), "neg": (-1,)}[f.op]
                stack.extend((a, sign * t) for a, t in zip(f.args, signs))
            else:
                c, core = self.s._coefficient(f)
                out.append((sign * c, core))
        return out

    def add_all(self, parts: list):
        s = self.s
        out = s.zero
        for p in parts:
            out = self.apply("add", out, p)
        return out

    def small_terms(self, node) -> list:
        """terms(node), or none past _FLAT terms: the rewrites of a sum leave a big one as it is, to stay linear."""
        terms = self.terms(node)
        return terms if len(terms) <= _FLAT else []

    def term(self, c: Fraction, core):
        return self.s._scaled(c, core)

    # -- the rewrites ---------------------------------------------------------------------------------------------
    def together(self, node):
        """A sum over its least common denominator, the numerator multiplied out, or None (no denominators)."""
        s = self.s
        terms = self.small_terms(node)
        lcd: dict[int, list] = {}
        for _, core in terms:
            for base, q in ([] if core is None else s._factors(core)[1]):
                if isinstance(q, Fraction) and q < 0:
                    slot = lcd.setdefault(id(base), [base, -q])
                    slot[1] = max(slot[1], -q)
        if not lcd:
            return None
        denominator = s._build(_ONE, [(b, q) for b, q in lcd.values()])
        parts = []
        for c, core in terms:
            t = self.apply("mul", self.term(c, core), denominator)
            expanded = self.expanded(t)
            parts.append(t if expanded is None else expanded)
        numerator = self.add_all(parts)
        scale = math.lcm(*(c.denominator for c, _ in self.terms(numerator)))
        if 1 < scale <= _BIG_DENOMINATOR:  # (3x + 2)/(2sqrt(x + 1)), not (3x/2 + 1)/sqrt(x + 1)
            numerator = self.add_all([self.term(c * scale, core) for c, core in self.terms(numerator)])
            denominator = self.apply("mul", s.num(scale), denominator)
        return self.apply("div", self.best(numerator), denominator)

    def together_factors(self, node):
        """A product with each sum factor over its common denominator, so that factors cancel: x^2*(1 + 1/x^2)."""
        s = self.s
        coef, factors = s._factors(node)
        changed, out = False, []
        for base, q in factors:
            t = self.together(base) if _is_sum(base) and isinstance(q, Fraction) and q.denominator == 1 else None
            if t is not None:
                changed = True
                base = t
            out.append(s._power(base, q))
        if not changed:
            return None
        result = s.num(float(coef)) if coef.denominator == 1 and abs(coef.numerator) < 2 ** 53 else s._fraction(coef)
        for f in out:
            result = self.apply("mul", result, f)
        return result

    def expanded(self, node, bottom: bool = False):
        """A product (or quotient) with the sums of its numerator (or its denominator) multiplied out, or None
        (nothing to multiply, or more than _FLAT terms)."""
        s = self.s
        coef, factors = s._factors(node)
        sign = -1 if bottom else 1
        sums = [(b, q * sign) for b, q in factors if _is_sum(b) and isinstance(q, Fraction) and q.denominator == 1
                and 0 < q * sign <= 4]
        if not sums or bottom and len(sums) < 2:
            return None
        if not bottom and coef.denominator != 1 and any(core is None for b, _ in sums for _, core in self.terms(b)):
            return None  # a fraction times a sum with a constant term would print x^2/2 + 0.5
        rest = [(b, q) for b, q in factors if not any(b is t for t, _ in sums)]
        up = [(b, q) for b, q in rest if not (isinstance(q, Fraction) and q < 0)]
        down = [(b, -q) for b, q in rest if isinstance(q, Fraction) and q < 0]
        terms = [s._build(_ONE, down) if bottom else s._build(coef, up)]
        for base, q in sums:
            pieces = [self.term(c, core) for c, core in self.terms(base)]
            for _ in range(int(q)):
                terms = [self.apply("mul", t, p) for t in terms for p in pieces]
                if len(terms) > _FLAT:
                    return None
        product = self.add_all(terms)
        if bottom:
            return self.apply("div", s._build(coef, up), product)
        return self.apply("div", product, s._build(_ONE, down))

    def distributed(self, node):
        """A sum with each term's sums multiplied out (2x^2 + 4x*(x + 2) - 3 → 6x^2 + 8x - 3), or None."""
        parts, changed = [], False
        for c, core in self.terms(node):
            t = self.term(c, core)
            e = self.expanded(t) if isinstance(t, Apply) else None
            changed |= e is not None
            parts.append(t if e is None else e)
        return self.add_all(parts) if changed else None

    def pythagorean(self, node):
        """c*F*sin(u)^2 + c*F*cos(u)^2 → c*F (everywhere), or None."""
        s = self.s
        terms = self.small_terms(node)
        found: dict[tuple, int] = {}
        for i, (c, core) in enumerate(terms):
            if core is None:
                continue
            factors = s._factors(core)[1]
            for j, (b, q) in enumerate(factors):
                if isinstance(b, Apply) and b.op in ("sin", "cos") and isinstance(q, Fraction) and q == 2:
                    others = tuple((id(f), str(p)) for k, (f, p) in enumerate(factors) if k != j)
                    key = (c, id(b.args[0]), others)
                    partner = found.get((b.op == "sin",) + key)
                    if partner is not None:
                        rest = [f for k, f in enumerate(factors) if k != j]
                        out = [self.term(c0, t0) for k, (c0, t0) in enumerate(terms) if k not in (i, partner)]
                        return self.add_all(out + [s._build(c, rest)])
                    found[(b.op == "cos",) + key] = i
        return None

    def trigonometric(self, node):
        """sin(u)^p/cos(u)^p → tan(u)^p and cos(u)^p/sin(u)^p → cot(u)^p (the same formulas: dcalc's tan is sin/cos),
        or None."""
        s = self.s
        if node.op not in ("mul", "div"):
            return None
        coef, factors = s._factors(node)
        byarg = {(b.op, id(b.args[0])): q for b, q in factors if isinstance(b, Apply) and b.op in ("sin", "cos")}
        out, changed = [], False
        for b, q in factors:
            if isinstance(b, Apply) and b.op in ("sin", "cos") and isinstance(q, Fraction):
                partner = "cos" if b.op == "sin" else "sin"
                if byarg.get((partner, id(b.args[0]))) == -q and q > 0:
                    out.append((self.apply("tan" if b.op == "sin" else "cot", b.args[0]), q))
                    changed = True
                    continue
                if byarg.get((partner, id(b.args[0]))) == -q:
                    continue
            out.append((b, q))
        return s._build(coef, out) if changed else None

    def factored(self, node):
        """A sum with the factors all its terms share pulled out (with the greatest common whole coefficient), or None.
        A factor shared only as a power of a variable (6x^2 + 6x) stays in the terms: answer keys expand polynomials."""
        if node is None or not _is_sum(node) and not (isinstance(node, Apply) and node.op == "neg"):
            return None
        s = self.s
        terms = self.small_terms(node)
        if len(terms) < 2 or any(core is None for _, core in terms):
            return None
        splits = [{_factor_id(b, q): (b, q) for b, q in s._factors(core)[1]} for _, core in terms]
        common = []
        for key, (b, q) in splits[0].items():
            if all(key in sp for sp in splits[1:]):
                qs = [sp[key][1] for sp in splits]
                common.append((b, min(qs) if isinstance(q, Fraction) else q))
        if not any(not (isinstance(b, Var) and isinstance(q, Fraction) and q > 0 and q.denominator == 1)
                   for b, q in common):
            return None
        top = math.gcd(*(c.numerator for c, _ in terms))  # and the common denominator: (3x + 2)/(2sqrt(x + 1))
        bottom = math.lcm(*(c.denominator for c, _ in terms))
        if bottom > _BIG_DENOMINATOR:
            return None
        g = Fraction(max(top, 1), bottom) * (-1 if all(c < 0 for c, _ in terms) else 1)
        shared = s._build(g, common)
        inner = []
        for c, core in terms:
            rest = s._factors(core)[1]
            left = []
            for b, q in rest:
                match = next((q0 for b0, q0 in common if _factor_id(b0, q0) == _factor_id(b, q)), None)
                if match is None:
                    left.append((b, q))
                elif isinstance(q, Fraction) and q != match:
                    left.append((b, q - match))
            inner.append(s._build(c / g, left))
        return self.apply("mul", shared, self.add_all(inner))

    def unhypot(self, node):
        """hypot(a, b)^q as (a^2 + b^2)^(q/2) (atan's rule prints as 1/hypot(1, a)^2), or None."""
        s = self.s
        coef, factors = s._factors(node)
        out, changed = [], False
        for b, q in factors:
            if isinstance(b, Apply) and b.op == "hypot" and isinstance(q, Fraction) and all(
                    not isinstance(a, Num) or a.value == 0 or 1e-150 < abs(a.value) < 1e150 for a in b.args):
                # (a constant whose square would underflow or overflow keeps hypot: hypot(x, 1e-300) is not |x|)
                squares = self.apply("add", *(self.apply("pow", a, s.num(2)) for a in b.args))
                b, q, changed = self.best(squares), q / 2, True
            out.append((b, q))
        return s._build(coef, out) if changed else None


_TOKENS = re.compile(r"\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+|\w+|[^\s*\w]")  # a number, a name or a sign other than *
TEXTBOOK_NODES = 400  # the textbook pass runs on formulas of at most this many nodes (as a tree)
TEXTBOOK_WORK = 25_000  # and at most this much work (see _Textbook.apply; the corpus needs 2,500 at most): past
# that the formula stays as it was, so the pass takes about a second at worst


class _OverBudget(Exception):
    pass


def textbook(expr, s: Simplifier):
    """expr in the form an answer key shows (see _Textbook), or expr itself when it is larger than TEXTBOOK_NODES."""
    if s.size(expr) > TEXTBOOK_NODES:
        return expr
    try:
        return _Textbook(s).run(expr)
    except (OverflowError, ValueError, ZeroDivisionError, _OverBudget):
        return expr


def _factor_id(base, q):
    """What two terms must share for a factor to be common: the base, and a symbolic exponent itself (x^x)."""
    return id(base) if isinstance(q, Fraction) else (id(base), id(q))


def _degree_of(factors) -> Fraction:
    return sum((q for b, q in factors if isinstance(b, Var) and isinstance(q, Fraction)), Fraction(0))


def _ratio(e) -> Fraction | None:
    """n/d or -(n/d) of whole numbers as a Fraction (an exponent written 1/3), else None."""
    sign = 1
    if isinstance(e, Apply) and e.op == "neg":
        sign, e = -1, e.args[0]
    if isinstance(e, Apply) and e.op == "div" and all(isinstance(a, Num) and a.value.is_integer()
                                                       and abs(a.value) < 2 ** 53 for a in e.args) \
            and e.args[1].value != 0:
        return sign * Fraction(int(e.args[0].value), int(e.args[1].value))
    return None


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
