"""Series arithmetic: the truncated series of every node along a ray t ↦ point + t·direction, t → 0+.

Taylor mode (taylor.py) reads the n-th derivative off it as n! times the n-th coefficient; the kinks module reads
one-sided derivatives off it, the Hessian the first coefficients of every node. Sums, products and quotients are the
arithmetic of series. Every other primitive y = f(u, v) is taken from the table: y' = ∂f/∂a·u' + ∂f/∂b·v' gives
y_k = (1/k) Σ_{j=1..k} j·(u_j·g_{k-j} + v_j·h_{k-j}), where g and h are the series of the partial rules, evaluated with
these same series (the rule of sin reads cos, whose rule reads sin: the same series, found again by identity). A power
with a constant exponent follows a·y' = b·y·a' instead, which never forms a^(b-k) (that underflows: (1e60·x)^-1).

Index k stands for t^(k/q): with q = 1 these are ordinary Taylor series; a grid q > 1 also holds the fractional powers
that appear beside a kink or a domain's edge (√t, t^(1/3)). The recurrences hold unchanged on the grid (they come from
the Euler operator t·d/dt, which multiplies t^(k/q) by k/q on both sides). Where an argument sits exactly at a kink,
the op takes the one-sided form the primitive table gives (ops.ONE_SIDED): |u| = ±u by the sign of u's first nonzero
term, u^b = c^b·t^(m·b/q)·(1 + w)^b for u = c·t^(m/q)·(1 + w), … The kinks module reads derivatives off these series.
Series are lazy and advanced one order at a time over the whole graph, which keeps every chain of requests short.

A coefficient is computed from at most four others (b·j·a_j·y_{k−j}/a_0): while every coefficient is 0 or within
2^±240, no product under- or overflows. Where one is not (a point or a constant beyond that, a coefficient that
grows or shrinks past it), the series are built again in the wide arithmetic of core/wide.py, so that no coefficient
loses digits below the normal doubles on the way (acosh(1.5 + x^2)·log2(x) at 1e150: the second derivative is -2e-297,
doubles gave 4.8e-300).
"""

from __future__ import annotations

import math
import sys

from ..core.graph import Graph
from ..core.ops import MIRRORS, ONE_SIDED, OPS, POWERS
from ..core.partials import interpret
from ..language.expr import CONSTANTS, Num, Var, wrap

LOW, HIGH = 2.0 ** -240, 2.0 ** 240  # the range where products of four coefficients stay normal doubles
TINY = sys.float_info.min
CANCEL = 2.0 ** -26  # a recurrence's sum that cancels more than this is computed again wide


class Undefined(Exception):
    """The function is undefined beside the point on this side (√u with u < 0 there): `node` says where."""

    def __init__(self, node):
        self.node = node


class Undecided(Exception):
    """The series cannot say (a power off the grid, a zero base with a varying exponent): `node`, `why`."""

    def __init__(self, node, why: str, off_grid: bool = False):
        self.node, self.why, self.off_grid = node, why, off_grid


class Overflow(Exception):
    """A coefficient of node `node` is too large for a double."""

    def __init__(self, node):
        self.node = node


class OutOfRange(Exception):
    """A coefficient left the range in which doubles are safe (or a value underflowed to 0 or a subnormal from
    nonzero arguments): the series are built again, wide."""


def _sum(terms) -> float:
    """The sum of a recurrence's terms, raising OutOfRange where it cancels to below 2^-26 of its largest term: the
    terms carry roundings of their own that the sum then keeps and a small a_0 divides (the series of hypot(x, x) at
    x = -4.4e-9 had a second coefficient of 4e-8 where it is 0, and f'' came out 3 times the truth). Wide numbers
    carry 40 digits: the roundings stay far below the result."""
    terms = list(terms)
    total = math.fsum(terms)
    if len(terms) > 1 and abs(total) < CANCEL * max(map(abs, terms)):
        raise OutOfRange
    return total


def _checked(op: str):
    """The double rule of `op`, raising OutOfRange where its value underflowed (sech(800) is 0 in doubles: a rule's
    series would then be 0 where it is 4e-348); a sum that is 0 is exact."""
    f = OPS[op].value
    if op in ("add", "sub", "neg"):
        return f

    def value(*args: float) -> float:
        v = f(*args)
        if -TINY < v < TINY and v == v and all(args):
            raise OutOfRange
        return v
    return value


class _Series:
    """Coefficients computed on demand; `constant` series have only c[0]."""

    __slots__ = ("c", "step", "constant")

    def __init__(self, step=None, first: float | None = None):
        self.c: list[float] = [] if first is None else [first]
        self.step = step
        self.constant = step is None

    def __getitem__(self, k: int) -> float:
        if self.constant:
            return self.c[0] if k == 0 else 0.0
        c = self.c
        while len(c) <= k:
            try:
                c.append(self.step(len(c)))
            except (ZeroDivisionError, OverflowError, ValueError):  # IEEE would say inf or nan: the caller names it
                c.append(math.nan)
        return c[k]

    def lead(self, start: int, stop: int) -> int | None:
        """The index of the first nonzero coefficient in start..stop, or None."""
        return next((j for j in range(start, stop + 1) if self[j] != 0), None)


class _WideSeries(_Series):
    """A series of wide numbers (wide.py): a double from a step (a constant 0) is made one, and coefficients are
    computed in the wide context whenever they are asked for."""

    __slots__ = ()

    def __getitem__(self, k: int):
        c = self.c
        if self.constant:
            return c[0] if k == 0 else _wide_zero()
        if len(c) <= k:
            from ..core.wide import CONTEXT, localcontext
            with localcontext(CONTEXT):
                while len(c) <= k:
                    v = self.step(len(c))
                    c.append(_to_wide(v) if v.__class__ is not _wide_class() else v)
        return c[k]


class _View:
    """A wide series read as doubles (the kinks module reads derivatives of small order off them)."""

    __slots__ = ("s",)

    def __init__(self, s: _Series):
        self.s = s

    def __getitem__(self, k: int) -> float:
        return float(self.s[k])

    def lead(self, start: int, stop: int) -> int | None:
        return self.s.lead(start, stop)


def _wide_class():
    from decimal import Decimal
    return Decimal


def _to_wide(v):
    from decimal import Decimal
    return Decimal(v)


def _wide_zero():
    from ..core.wide import ZERO
    return ZERO


def _scaled(a: float, y: float, a0: float) -> float:
    """a·y/a0 without an intermediate under- or overflow (a_1·y_0 underflows at a0 = 1e-301 though a_1·y_0/a0 does
    not): the mantissas multiplied, the exponents added apart."""
    if a == 0 or y == 0:
        return 0.0
    (ma, ea), (my, ey), (m0, e0) = math.frexp(a), math.frexp(y), math.frexp(a0)
    return math.ldexp(ma * my / m0, ea + ey - e0)


class _Arithmetic:
    """Series operations on the grid t^(k/q), each distinct (op, arguments) built once. `node` is the graph node being
    built (errors name it); `kinks` the nodes that took a one-sided form; `jumped` whether a limit along the ray differs
    from the value at the point (atan2 at the origin)."""

    def __init__(self, q: int = 1, reach: int = 48, wide: bool = False):
        self.q = q
        self.wide = wide  # the numbers of wide.py, else doubles
        if wide:
            from decimal import Decimal

            from ..core.wide import value
            self.num, self.series, self.value = Decimal, _WideSeries, lambda op: value(OPS[op])
            self.fsum = lambda terms: sum(terms, Decimal(0))
        else:
            self.num, self.series, self.value, self.fsum = float, _Series, _checked, _sum
        self.reach = reach  # how far a series is ever searched for its first nonzero term
        self.memo: dict[tuple, _Series] = {}
        self.made: list[_Series] = []  # the memo's series in the order they were made (safe() reads the new ones)
        self.keep: list = []  # the memo keys hold ids: keep their owners alive
        self.node: int | None = None
        self.kinks: list[int] = []
        self.jumped = False
        self.settles: dict[int, tuple] = {}  # id of an _ode series → (its settle, its rules: empty until settled)
        self.parts: dict[int, tuple] = {}  # id of a series apply() made → (op, its argument series)
        self.identities: dict[int, _Series] = {}  # id of a kink's series → the series of its identity (ONE_SIDED)
        self.jump_tol = 0.0  # how far a limit may differ from the value by rounding alone (0: steps are exact)

    def const(self, v: float) -> _Series:
        return self.series(first=self.num(v))

    def scaled(self, a, y, a0):
        return a * y / a0 if self.wide else _scaled(a, y, a0)

    def apply(self, op: str, args: list[_Series]) -> _Series:
        key = (op, *map(id, args))
        s = self.memo.get(key)
        if s is None:
            s = self.memo[key] = self._make(op, args)
            self.made.append(s)
            self.keep.append(args)
            self.parts[id(s)] = (op, args)
        return s

    def _make(self, op: str, args: list[_Series]) -> _Series:
        if op == "pow":  # an exponent (or base) constant near the point though not built from constants (_ode)
            for a in args:
                settle, rules = self.settles.get(id(a), (None, True))
                if not a.constant and not rules:
                    settle()
            if not args[1].constant and args[0][0] <= 0:  # there the exponent's constancy decides: look deeper
                for a in args:
                    self._settle_below(a)
        if all(a.constant for a in args):
            return self.const(self.value(op)(*(a.c[0] for a in args)))
        one_sided = ONE_SIDED.get(op)
        if one_sided is not None:
            form = one_sided(*(a[0] for a in args))
            if form is not None and not (op == "pow" and not args[1].constant):
                return self._kink(op, form, args)
        series, fsum = self.series, self.fsum
        if op in ("add", "sub"):
            a, b = args
            if op == "sub" and a is b:  # u − u is 0 wherever u is defined, exactly: a constant, not only 0 so far
                return self.const(0.0)
            return series(lambda k: a[k] + b[k]) if op == "add" else series(lambda k: a[k] - b[k])
        if op == "neg":
            (a,) = args
            return series(lambda k: -a[k])
        if op == "mul":
            a, b = args
            if any(x.constant and x.c[0] == 0 for x in args):  # a zero factor is exact: 0·x^-1 is 0 at x = 0
                return self.const(0.0)
            return series(lambda k: fsum(a[j] * b[k - j] for j in range(k + 1)))
        if op == "div":
            a, b = args
            if a.constant and a.c[0] == 0 and b[0] != 0:  # 0/v is 0 wherever v ≠ 0, as near the point
                return self.const(0.0)
            if b[0] != 0 and (b is a or b is self.memo.get(("neg", id(a)))):  # u/|u| off u's zero: ±1, a constant
                return self.const(1.0 if b is a else -1.0)  # (relu's rule: its exponent settles, (x - 3)^relu(x))
            # c_0 = a_0/b_0 as it is: a wide sum of one term would round a_0 first, and u/|u| would miss ±1 (ops.py)
            c: _Series = series(lambda k: (a[0] if k == 0 else
                                           fsum((a[k], *(-b[j] * c[k - j] for j in range(1, k + 1))))) / b[0])
            return c
        if op == "pow":
            a, b = args
            if b.constant:
                y0 = self.value("pow")(a[0], b.c[0])
                # the recurrence scales by y0: a0^b
                if not self.wide and a[0] != 0 and not sys.float_info.min <= abs(y0) < math.inf:
                    return self._ode(op, args)  # that under- or overflows (x^3 at 1e-150) takes the rule's a^(b-1)
                return self._power(a, b.c[0], y0)
            return self._varying_power(a, b)
        power = POWERS.get(op)
        if power is not None:
            (a,) = args
            return self._power(a, self.num(power[0]) / self.num(power[1]), self.value(op)(a[0]))
        if op in MIRRORS:  # |u| off u's zero is u or -u near the point, exactly (its zero: the one-sided form above)
            (a,) = args
            return a if a[0] > 0 else self.apply("neg", [a])
        return self._ode(op, args)

    def _ode(self, op: str, args: list[_Series]) -> _Series:
        """y = f(args) from y' = Σ ∂f/∂(arg)·arg', with the partials from the table, evaluated as series. Where some
        arguments are constant and the partial by every other one is the constant 0 (atan2(u − u, v) with v > 0:
        -a/hypot(a, b)² at a ≡ 0), y' ≡ 0 near the point: `settle` (called by a power for its exponent, see _make)
        makes y a constant then."""
        rules: list = []
        owner = self.node

        fsum = self.fsum

        def settle() -> None:
            self.node, outer = owner, self.node
            rules.extend(None if a.constant else self.rule(op, i, args) for i, a in enumerate(args))
            self.node = outer
            if all(g is None or (g.constant and g.c[0] == 0) for g in rules):  # (relu(x) at x < 0 too)
                y.constant = True  # c[0], the value, is all it has computed so far

        def step(k: int) -> float:
            if k == 0:
                return self.value(op)(*(a[0] for a in args))
            if not rules:
                settle()
            total = fsum(j * a[j] * g[k - j] for a, g in zip(args, rules) if g is not None for j in range(1, k + 1))
            return total / k
        y = self.series(step)
        self.settles[id(y)] = (settle, rules)
        return y

    def _settle_below(self, top: _Series) -> None:
        """Settle every series `top` is built from, arguments first (iteratively), and mark constant those that
        are constant near the point once their arguments are: the exponent relu(x)/(c − z) at x < 0 (seed 10006048)
        is a quotient made before relu's series was known constant (its partial is the constant 0 there), and a
        negative base to it is a constant-exponent power (1), not undefined on both sides."""
        order, seen, stack = [], set(), [(top, False)]
        while stack:  # postorder: a series after every series it reads (a shared one before all its readers)
            s, done = stack.pop()
            if done:
                order.append(s)
            elif id(s) not in seen and not s.constant:
                seen.add(id(s))
                stack.append((s, True))
                reads = [*self.parts.get(id(s), (None, ()))[1]]
                if id(s) in self.identities:
                    reads.append(self.identities[id(s)])
                stack.extend((a, False) for a in reads)
        for s in order:
            if s.constant:
                continue
            settle, rules = self.settles.get(id(s), (None, True))
            if not rules:
                s[0]  # noqa: B018 - the value first: all a series settled constant keeps
                settle()
                continue
            inner = self.identities.get(id(s))
            if inner is not None and inner.constant:  # a kink's form that is constant on this side: so is the op
                s.c[:] = [s[0]]
                s.constant = True
                continue
            op, args = self.parts.get(id(s), (None, ()))
            if not args:
                continue
            zero = (op == "mul" and any(a.constant and a.c[0] == 0 for a in args)
                    or op == "div" and args[0].constant and args[0].c[0] == 0 and args[1][0] != 0
                    or op in ("add", "sub") and self._cancels(op, *args))
            if zero or all(a.constant for a in args):
                v = s[0]  # the value: all a constant series keeps
                s.c[:] = [v * 0 if zero else v]
                s.constant = True

    def _cancels(self, op: str, a: _Series, b: _Series) -> bool:
        """Whether a + b (op add) or a − b (sub) is 0 near the point, exactly: b is −a, or |a| at a's zero where that
        is −a (add) or a (sub) by the sign of a's first nonzero term. relu's one-sided form (u + |u|)/2 is so to the
        left of its kink, and (x − 3)^relu(x) at 0 is 1 there (left derivative 0) rather than undefined."""
        for u, v in ((a, b), (b, a)) if op == "add" else ((a, b),):
            if op == "add" and v is self.memo.get(("neg", id(u))):
                return True
            form, args = self.parts.get(id(v), (None, ()))
            if form in MIRRORS and args[0] is u and u[0] == 0:
                m = u.lead(1, self.reach)
                if m is not None and (u[m] < 0) == (op == "add"):
                    return True
        return False

    def _power(self, a: _Series, b: float, y0: float) -> _Series:
        """y = a^b for a constant b, from a·y' = b·y·a': y_k = (1/(k·a0)) Σ_{j=1..k} (b·j − (k−j))·a_j·y_{k−j}."""
        a0 = a[0]
        if a0 == 0:
            return self._kink("pow", ("power", b, False), [a, self.const(b)])

        if b == 0:  # x^0 = 1, also where 1/a0 overflows (x^0 at 5e-324)
            return self.const(y0)

        fsum, scaled = self.fsum, self.scaled

        def step(k: int) -> float:
            if k == 0:
                return y0
            return fsum(f * scaled(a[j], y[k - j], a0) for j in range(1, k + 1) if (f := b * j - (k - j))) / k
        y = self.series(step)
        return y

    def _varying_power(self, a: _Series, b: _Series) -> _Series:
        """y = a^b with a varying exponent: y' = y·(b·ln a)', so y_k = (1/k) Σ j·z_j·y_{k−j} with z = b·ln(a)."""
        a0 = a[0]
        if a0 < 0:  # a^b with a < 0 needs an integer b: a moving exponent leaves the domain on both sides
            raise Undefined(self.node)
        if a0 == 0 and a.constant and b[0] > 0:  # 0^b with b > 0 near the point: 0 on both sides
            return self.const(0.0)
        if a0 == 0:
            return self._zero_base_varying(a, b)
        z = self.apply("mul", [b, self.apply("ln", [a])])
        y0 = self.value("pow")(a0, b[0])
        fsum = self.fsum

        def step(k: int) -> float:
            if k == 0:
                return y0
            return fsum(j * z[j] * y[k - j] for j in range(1, k + 1)) / k
        y = self.series(step)
        return y

    def _zero_base_varying(self, a: _Series, b: _Series) -> _Series:
        """a^b at a = 0 with a varying exponent b → b0 > 0. With a = c·t^(m/q)·(1 + w), c > 0:
        a^b = a^b0 · exp((b − b0)·ln a), and ln a = ln c + (m/q)·ln t + ln(1 + w); so a^b is a^b0 (the constant
        exponent's series, _zero_base) up to terms t^((m·b0 + r)/q)·ln(t)^j, r the index of b's first moving term.
        Coefficient k is a^b0's while m·b0 + r > k: 0 below t^(m·b0/q) (all of them where a is 0 as far as the series
        look: (x − x)^y), and the first ones beyond it when the exponent moves late (x^(2 + y^2) at (0, 0) along
        x = y: t^2 up to t^4·ln(t)). A logarithmic term at or below k is no power of t: the series cannot say (x^y at
        (0, 1) has no second derivative along x = y; another node's term might cancel it). With
        c < 0 the base is negative on this side and a moving exponent leaves the domain at once; b0 ≤ 0 (0^0 with a
        moving exponent, a pole for b0 < 0) is not decided."""
        owner, b0 = self.node, b[0]
        b0f = float(b0)  # term indices from the exponent, in doubles also when the series are wide (Decimal)
        if not b0 > 0:
            raise Undecided(owner, "has the base 0 and a varying exponent")
        state: dict = {}

        def step(k: int) -> float:
            if k == 0:
                return 0.0
            if "power" not in state:
                m = a.lead(1, min(int(k / b0f * (1 + 1e-12)), self.reach))
                if m is None:  # a's first term lands t^(m·b0/q) beyond k: so does every term of a^b
                    if k / b0f > self.reach:
                        raise Undecided(owner, "vanishes further than the one-sided series look")
                    return 0.0
                if a[m] < 0:
                    raise Undefined(owner)
                state["m"], state["power"] = m, self._zero_base(a, b0, False, owner)
            if k - state["m"] * b0f >= 1 and b.lead(1, int(k - state["m"] * b0f)) is not None:
                raise Undecided(owner, "has the base 0 and a varying exponent: beside the point it has a term "
                                      "t^s·ln(t), which the one-sided series cannot follow")
            return state["power"][k]
        return self.series(step)

    def _kink(self, op: str, form, args: list[_Series]) -> _Series:
        """The one-sided form of `op` where its arguments sit at a kink (see ops.ONE_SIDED)."""
        owner = self.node
        if isinstance(form, tuple) and form[0] in ("larger", "smaller"):  # max, min (relu: max(u, 0)) at a tie:
            a, b = args[0], args[1] if len(args) > 1 else self.const(0.0)  # the argument larger (smaller) along the ray
            d = self.apply("sub", [a, b])
            m = None if d.constant else d.lead(1, self.reach)
            if m is not None:
                self._mark(owner)
                y = b if (d[m] > 0) != (form[0] == "larger") else a
                if y.constant:
                    return self.const(y.c[0])
                same = self.series(lambda k: y[k])  # a series of its own (apply() records what it is made of)
                self.identities[id(same)] = y
                return same
            form = form[1]  # the difference vanishes as far as they look: the identity through |u − v|
        if callable(form):  # an identity valid beside the point: evaluated as series; its value is the op's own
            inner = self.formula(wrap(form(*(Var(p) for p in "uv"[:len(args)]))), dict(zip("uv", args)))
            y0 = self.value(op)(*(a[0] for a in args))
            self._mark(owner)
            y = self.series(lambda k: y0 if k == 0 else inner[k])
            self.identities[id(y)] = inner  # (_settle_below: y is constant on this side where inner is)
            return y
        kind = form[0]
        if kind == "mirror":
            self._mark(owner)
            return self._sign(args[0])
        if kind == "angle":
            self._mark(owner)
            return self._angle(op, *args)
        if kind == "cut":
            return self._cut(op, form[1], args)
        if kind == "unresolved":  # floor(x) at 1e300: a jump by 1 that the doubles cannot show
            raise Undecided(owner, "jumps there by less than the doubles resolve at this size")
        if kind == "step":
            if form[1] == form[2]:  # off the jumps: a constant
                return self.const(self.value(op)(args[0][0]))
            self._mark(owner)
            return self._step(args[0], form[1], form[2], self.value(op)(args[0][0]))
        _, b, odd = form
        if not (b >= 0 and float(b).is_integer()):
            self._mark(owner)
        return self._zero_base(args[0], b, odd, owner)

    def _mark(self, node):
        if node is not None and node not in self.kinks:
            self.kinks.append(node)

    def _sign(self, a: _Series) -> _Series:
        """|a| at a = 0: s·a, s the sign of a's first nonzero term; while every term so far is 0 so is |a|'s."""
        found: list = []  # whether the first nonzero term is negative

        def step(k: int) -> float:
            if k == 0:
                return 0.0
            if not found:
                m = a.lead(1, k)
                if m is None:
                    return 0.0
                found.append(a[m] < 0)
            return -a[k] if found[0] else a[k]
        return self.series(step)

    def _zero_base(self, a: _Series, b: float, odd: bool, owner) -> _Series:
        """a^b at a = 0: a = c·t^(m/q)·(1 + w) gives c^b·t^(m·b/q)·(1 + w)^b. The term m is searched only as far as
        the coefficient asked for needs: a later one lands beyond it (m·b > k), so the coefficient is 0."""
        if b == 0:
            return self.const(1.0)
        if b < 0:  # 0^b with b < 0 is a division by zero: the value itself does not exist beside the point
            raise Undefined(owner)
        state: dict = {"searched": 0}
        bn, b = self.num(b), float(b)  # the power in the arithmetic's numbers; the grid's arithmetic in doubles

        def step(k: int) -> float:
            if k == 0:
                return 0.0
            if "m" not in state:
                limit = int(k / b * (1 + 1e-12))
                m = a.lead(state["searched"] + 1, min(limit, self.reach))
                state["searched"] = max(state["searched"], min(limit, self.reach))
                if m is None:
                    if limit > self.reach:  # a term past the search would still land below k: u^1e-9, say
                        raise Undecided(owner, "vanishes further than the one-sided series look")
                    return 0.0
                state["m"] = m
            m = state["m"]
            e = m * b
            if not (round(e) >= 1 and abs(e - round(e)) <= 1e-9 * e):  # m·b off the grid (1e-150·12 is not 0)
                if k < e:
                    return 0.0
                raise Undecided(owner, f"is a power {b:g} that the one-sided series cannot follow",
                                off_grid=True)
            e = round(e)
            if k < e:
                return 0.0
            if "tail" not in state:
                c = a[m]
                if c < 0 and not odd and not float(b).is_integer():
                    raise Undefined(owner)
                scale = abs(c) ** bn
                if not self.wide and not LOW <= scale <= HIGH:  # a factor of every coefficient: it must not underflow
                    raise OutOfRange
                state["scale"] = -scale if c < 0 and (odd or int(b) % 2) else scale
                w = self.series(lambda i: 1.0 if i == 0 else a[m + i] / c)
                state["tail"] = self._power(w, bn, self.num(1.0))
            return state["scale"] * state["tail"][k - e]
        return self.series(step)

    def _cut(self, op: str, identity, args: list[_Series]) -> _Series:
        """An op at its cut along a = 0 (ops.ONE_SIDED's "cut"): its value at a = ±0, by the side of a's first nonzero
        term, plus the identity's series. A ray along the cut (a ≡ ±0) stays on the point's own side."""
        a = args[0]
        value = self.value(op)(*(x[0] for x in args))
        if a.constant:
            side = math.copysign(1.0, float(a[0]))
        else:
            m = a.lead(1, self.reach)
            if m is None:  # the side is decided by terms past the search, if any
                raise Undecided(self.node, "vanishes further than the one-sided series look")
            side = 1.0 if a[m] > 0 else -1.0
            self._mark(self.node)
        limit = self.value(op)(self.num(math.copysign(0.0, side)), *(x[0] for x in args[1:]))
        if limit != value:
            self.jumped = True
        inner = self.formula(wrap(identity(*(Var(p) for p in "uv"[:len(args)]))), dict(zip("uv", args)))
        return self.series(lambda k: limit if k == 0 else inner[k])

    def _angle(self, op: str, a: _Series, b: _Series) -> _Series:
        """atan2(a, b) at (0, 0): along the ray it is atan2 of the pair scaled by its first nonzero power of t, a
        limit that may differ from atan2(0, 0) (a jump)."""
        value = self.value(op)(a[0], b[0])
        p = next((j for j in range(1, self.reach + 1) if a[j] != 0 or b[j] != 0), None)
        if p is None:  # the limit's angle is decided by terms past the search, if any
            raise Undecided(self.node, "vanishes further than the one-sided series look")
        y = self.apply(op, [self.series(lambda k: a[k + p]), self.series(lambda k: b[k + p])])
        if y[0] != value:
            self.jumped = True
            self.jump_tol = 1e-12
        return y

    def _step(self, a: _Series, below: float, above: float, value: float) -> _Series:
        """A step (sign, floor, …) at its jump: constant along the ray, `below` or `above` by the sign of a's first
        nonzero term; a limit other than the value at the point is a jump (the derivative is infinite, kinks.py)."""
        m = a.lead(1, self.reach)
        if m is None:  # the side is decided by terms past the search, if any
            raise Undecided(self.node, "vanishes further than the one-sided series look")
        y = self.const(above if a[m] > 0 else below)
        if y[0] != value:
            self.jumped = True
        return y

    def rule(self, op: str, k: int, args: list[_Series]) -> _Series:
        """The series of the table's partial rule ∂op/∂(argument k) at these argument series."""
        params = (Var("a"), Var("b"))[: len(args)]
        return self.formula(wrap(OPS[op].rule(k, *params)), dict(zip("ab", args)))

    def formula(self, formula, env: dict) -> _Series:
        """The series of a small formula over the series in env (by name), read by the table's one interpreter."""
        def leaf(e):
            if isinstance(e, Var):
                return env[e.name]
            return self.const(e.value if isinstance(e, Num) else CONSTANTS[e.name])
        return interpret(formula, leaf, lambda e, parts: self.apply(e.op, parts))


def series(graph: Graph, vals: list[float], direction: dict[str, float], top: int, q: int = 1,
           widen: bool = True, raw: bool = False, wide: bool = False):
    """Every node's coefficients 0..top along the ray, on the grid t^(k/q): (arithmetic, list of series).

    In doubles while every coefficient stays in the safe range, else (if `widen`) built again wide: the series read
    as doubles then, or as they are if `raw`. Raises Undefined (the ray leaves the domain at once), Undecided, or
    Overflow (a coefficient is not finite even wide; in doubles without `widen`), OutOfRange (without `widen`).
    `wide`: wide at once."""
    try:
        if not wide:
            arith, out = _build(graph, vals, direction, top, q, False)
            if not widen or safe(arith, out):
                return arith, out
    except (Overflow, OutOfRange):
        if not widen:
            raise
    from ..core.wide import CONTEXT, localcontext
    with localcontext(CONTEXT):
        arith, out = _build(graph, vals, direction, top, q, True)
    return arith, out if raw else [_View(s) for s in out]


def safe(arith: _Arithmetic, out: list[_Series], start: int = 0) -> bool:
    """Whether every coefficient computed is 0 or within LOW..HIGH (then no product of them left the doubles), in the
    series `out` and those the arithmetic made from the start-th on."""
    for s in (*arith.made[start:], *out):
        for v in s.c:
            if v and not LOW <= abs(v) <= HIGH:
                return False
    return True


def _build(graph: Graph, vals: list[float], direction: dict[str, float], top: int, q: int, wide: bool):
    arith = _Arithmetic(q, reach=16 * max(top, q), wide=wide)
    out: list[_Series] = []
    for i, node in enumerate(graph.nodes):
        arith.node = i
        if node.kind == "input":
            x0, dx = arith.num(vals[i]), arith.num(float(direction.get(node.name, 0.0)))
            zero = arith.num(0.0)
            s = (arith.series(lambda k, x0=x0, dx=dx: x0 if k == 0 else (dx if k == q else zero)) if dx
                 else arith.const(x0))
        elif node.kind == "const":
            s = arith.const(node.value)
        else:
            s = arith.apply(node.op.name, [out[a] for a in node.args])
        if s[0] - s[0] != 0:  # in order: the arguments' first terms are known, no long chain of requests
            if not wide:  # beyond the doubles (exp(800) of exp(x)/exp(x)), or undefined: the wide numbers say which
                raise OutOfRange
            raise Undefined(i)
        out.append(s)
    arith.node = None
    for i, (s, n) in enumerate(zip(out, _needs(graph, vals, top, arith.reach))):
        for k in range(1, n + 1):  # node by node, each as far as its readers will ask: every request finds it ready
            v = s[k]
            if v - v != 0 and k <= top:
                raise Overflow(i)
    return arith, out


def _needs(graph: Graph, vals: list[float], top: int, reach: int) -> list[int]:
    """How many coefficients of each node its readers ask for: top, or more below a root at its kink (√u needs u to
    2k to find u's first nonzero term). Computed in graph order first, they are ready when asked for; otherwise a
    request would recurse through every level of a deep graph."""
    nodes = graph.nodes
    need = [top] * len(nodes)
    for i in range(len(nodes) - 1, -1, -1):
        node = nodes[i]
        if node.kind != "node":
            continue
        one_sided = ONE_SIDED.get(node.op.name)
        form = one_sided(*(vals[a] for a in node.args)) if one_sided is not None else None
        n = need[i]
        if callable(form):  # the identities take a square root
            n = 2 * n
        elif form is not None and form[0] == "power" and form[1] > 0:
            n = math.ceil(n / form[1])
        elif form is not None and (form[0] in ("angle", "cut", "larger", "smaller")
                                   or form[0] == "step" and form[1] != form[2]):
            n = n + reach
        for a in node.args:
            need[a] = max(need[a], min(n, reach))
    return need
