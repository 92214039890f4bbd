"""Local partial derivatives ∂node/∂argument as numbers, derived from the formulas of the primitive table.

Each rule (`b*a^(b-1)` for pow) is turned once into a Python closure over the table's value functions: no text is
evaluated, only the table's own formulas. Multiplication here has a strong zero (0·∞ = 0) because a zero factor in a
rule is exact: `x^0` has derivative 0·x^-1, which is 0 at x = 0 too. It is not strong against nan: a factor undefined
at the point (ln(a) of a^b·ln(a) at a < 0, where a^b underflowed to 0) leaves the partial undefined. A partial that is still not finite means the
derivative does not exist at that point, or that the function has a kink there: kinks.py decides which.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from operator import itemgetter

from ..errors import MathError, NotDifferentiable
from ..language.expr import CONSTANTS, Apply, Const, Num, Var
from .graph import Graph
from .ops import OPS, Op
from .printing import number_text, to_text

TINY = sys.float_info.min  # the smallest normal double: a computed number below it may have lost digits


class Widen(Exception):
    """A pass in doubles met a partial, tangent or adjoint that under- or overflowed although it is a number: the
    pass is run again in wide arithmetic (wide.py), where the product along the chain is right to rounding."""


def _strong_times(left, right):
    def product(args):
        if (lhs := left(args)) != 0:
            return lhs * right(args)
        rhs = right(args)
        return rhs if rhs != rhs else 0.0  # 0·nan stays nan: the other factor is undefined, so is the partial
    return product


def interpret(formula, leaf, apply):
    """The one interpreter of the table's small formulas (partial rules, one-sided identities), for every mode that
    reads them: bottom-up, `leaf(e)` for a number, a constant or an argument name, `apply(e, parts)` for an
    application once its arguments are done (their results in order). partials compiles a rule into a closure over
    floats with it, columns into one over arrays, series.py evaluates a rule as series with it. Iterative."""
    done: dict[int, object] = {}
    stack = [(formula, False)]
    while stack:
        e, ready = stack.pop()
        if id(e) in done:
            continue
        if not isinstance(e, Apply):
            done[id(e)] = leaf(e)
        elif ready:
            done[id(e)] = apply(e, [done[id(a)] for a in e.args])
        else:
            stack.append((e, True))
            stack.extend((a, False) for a in e.args)
    return done[id(formula)]


def compile_rule(e, params: tuple[str, ...], value=lambda op: op.value, times=_strong_times, number=float):
    """A closure computing rule formula e from the argument values: `value(op)` is the function an op is computed
    with (a float one here, a NumPy one for batches, a wide one in wide.py), `times` builds products with the strong
    zero and `number` makes a constant of the formula a number of that arithmetic."""
    def leaf(x):
        if isinstance(x, Var):
            return itemgetter(params.index(x.name))
        c = number(x.value if isinstance(x, Num) else CONSTANTS[x.name])
        return lambda args: c

    def apply(x, parts):
        if x.op == "mul":
            return times(*parts)
        fn = value(OPS[x.op])
        if len(parts) == 1:
            (only,) = parts
            if isinstance(x.args[0], Var):  # fn(a), the commonest rule: one call fewer
                k = params.index(x.args[0].name)
                return lambda args: fn(args[k])
            return lambda args: fn(only(args))
        left, right = parts
        if isinstance(x.args[1], (Num, Const)):  # b - 1 in b*a^(b-1): no call for the constant
            c = right(())
            return lambda args: fn(left(args), c)
        return lambda args: fn(left(args), right(args))
    return interpret(e, leaf, apply)


class Rules(tuple):
    """The numeric partial rules of one op, one per argument. `steps` is the form the passes use: a constant rule
    (add, sub, neg) is its float and a rule that is one of the arguments (∂(a*b)/∂a = b) is that argument's position,
    so the commonest partials cost no call and a wide reverse pass stays cheap."""

    steps: tuple


def compile_rules(op: Op) -> Rules:
    """Per argument of `op`: a function of the argument values giving that partial, or None if zero."""
    params = ("a", "b")[: op.arity]
    symbols = [Var(p) for p in params]
    exprs = [op.rule(k, *symbols) for k in range(op.arity)]
    exprs = [r if r is None or isinstance(r, (Apply, Num, Var, Const)) else Num(float(r)) for r in exprs]
    rules = Rules(None if r is None else compile_rule(r, params) for r in exprs)
    rules.steps = tuple(r.value if isinstance(r, Num) else params.index(r.name) if isinstance(r, Var) else f
                        for r, f in zip(exprs, rules))
    return rules


class _Table(dict):
    """Op name → its Rules, each compiled from the primitive table on first use (a run compiles only the ops it
    meets). A test that swaps an op's rules replaces its entry here as it replaces the op in ops.OPS."""

    def __missing__(self, name: str) -> Rules:
        rules = self[name] = compile_rules(OPS[name])
        return rules


RULES: dict[str, Rules] = _Table()


def numeric_rules(name: str) -> Rules:
    """The numeric partial rules of op `name` (see Rules)."""
    return RULES[name]


def local_partials(graph: Graph, i: int, vals: list[float], active: list[bool] | None = None,
                   strict: bool = True, widen: bool = False) -> list[float | None]:
    """∂node_i/∂(each argument) at these values; None for arguments that depend on no input (never evaluated).

    `active` narrows "depends on an input" to the inputs being differentiated by: grad --wrt x of x^y at x = -2 then
    never evaluates ∂/∂y = x^y·ln(x). Not `strict`: a partial that does not exist is given as computed (inf, nan)
    rather than raised (the trace of a kink shows it). `widen`: a partial outside the normal doubles raises Widen
    (a pass then runs wide); otherwise it is given as computed in doubles (0, a subnormal, inf)."""
    ids = graph.nodes[i].args
    if active is None:
        active = graph.active
    return [None if step is None or not active[a] else partial(graph, i, step, vals, strict, widen)
            for a, step in zip(ids, RULES[graph.nodes[i].op.name].steps)]


def partial(graph: Graph, i: int, step, vals: list[float], strict: bool = True, widen: bool = False) -> float:
    """One local partial of node i from its step (see Rules): a constant, an argument's value, or the rule computed
    (not finite even in wide arithmetic: there is no derivative there)."""
    ids = graph.nodes[i].args
    if step.__class__ is float:
        return step
    if step.__class__ is int:
        return vals[ids[step]]
    args = list(map(vals.__getitem__, ids))
    p = step(args)
    if p - p != 0 or -TINY < p < TINY:
        return off_range(graph, i, RULES[graph.nodes[i].op.name].steps.index(step), args, p, strict, widen)
    return p


def off_range(graph: Graph, i: int, k: int, args: list[float], p: float, strict: bool = True,
              widen: bool = True) -> float:
    """Partial k of node i, computed in doubles as p: 0, a subnormal or not finite. The wide rule decides what it is:
    not finite there too, the derivative does not exist (NotDifferentiable if `strict`); 0 there too, it is 0;
    otherwise a number the doubles lost, and a pass that multiplies it on must run wide (Widen, if `widen`)."""
    w = wide_partial(graph.nodes[i].op, k, args)
    if not w.is_finite():
        if strict:
            raise not_differentiable(graph, i, k, args)
        return p
    if w == 0:
        return p if p == 0 else 0.0
    if widen:
        raise Widen
    return p


# ---- the wide fallback (wide.py): imported only where a pass leaves the doubles -----------------------------------

@lru_cache(maxsize=None)
def wide_rules(name: str) -> tuple:
    """Per argument of op `name`: its partial rule over wide numbers, or None if structurally zero."""
    from decimal import Decimal

    from . import wide
    op = OPS[name]
    params = ("a", "b")[: op.arity]
    out = []
    for k in range(op.arity):
        r = op.rule(k, *map(Var, params))
        if r is not None and not isinstance(r, (Apply, Num, Var, Const)):
            r = Num(float(r))
        out.append(None if r is None else compile_rule(r, params, wide.value, wide.times, Decimal))
    return tuple(out)


def wide_partial(op: Op, k: int, args: list[float]):
    """∂op/∂(argument k) at these argument values, as a wide number."""
    from decimal import Decimal

    from . import wide
    with wide.localcontext(wide.CONTEXT):
        return wide_rules(op.name)[k]([Decimal(a) for a in args]) + wide.ZERO  # + 0: a constant rule in the context


def wide_local(graph: Graph, i: int, vals: list[float], live: list[bool]) -> list:
    """(argument, partial) for the live arguments of node i, wide (call in the wide context); a node that reads one
    argument twice gives it once, with the sum of both partials (as the double passes do). A partial not finite even
    wide: NotDifferentiable. Values that carry their wide values (evaluate.Values) are read from those."""
    from decimal import Decimal
    node = graph.nodes[i]
    terms = []
    exact = getattr(vals, "wide", None)  # values that underflowed on the way: their wide values (evaluate.Values)
    for k, (a, step) in enumerate(zip(node.args, RULES[node.op.name].steps)):
        if step is None or not live[a]:
            continue
        if step.__class__ is float:
            p = Decimal(step)
        elif step.__class__ is int:
            b = node.args[step]
            p = Decimal(vals[b]) if exact is None else exact[b]
        else:
            args = [vals[b] for b in node.args]
            p = wide_rules(node.op.name)[k]([Decimal(v) for v in args] if exact is None else
                                            [exact[b] for b in node.args])
            if not p.is_finite():
                raise not_differentiable(graph, i, k, args)
        terms.append((a, p))
    if len(node.args) == 2 and node.args[0] == node.args[1] and terms:
        return [(terms[0][0], sum((p for _, p in terms), Decimal(0)))]
    return terms


def not_differentiable(graph: Graph, i: int, k: int, args: list[float]) -> NotDifferentiable:
    """The signal that a local partial does not exist (a kink, a domain's edge) or overflowed: the callers go on to the
    one-sided derivatives of the whole function (kinks.py), which decide; `node` says where."""
    node = graph.nodes[i]
    op: Op = node.op
    names = [graph.nodes[a].name for a in node.args]
    at = ", ".join(dict.fromkeys(f"{n} = {number_text(v)}" for n, v in zip(names, args) if n))  # x^x: x once
    rule = to_text(op.rule(k, *(graph.ref(a) for a in node.args)))
    here = f"{node.name} = {graph.text(i)}" if node.name else graph.text(i)  # (a formula's graph: unnamed pieces)
    e = NotDifferentiable(f"∂{node.name or 'u'}/∂{names[k] or graph.text(node.args[k])} = {rule} is not finite at "
                          f"{here}{f' where {at}' if at else ''}", source=graph.source)
    e.node = i
    return e


def finite(graph: Graph, derivatives: list[float | None], what: str, nodes=None) -> list[float | None]:
    """The tangents or adjoints of a pass, unless one of `nodes` (default all) overflowed: finite partials can still
    multiply up to inf."""
    for i in range(len(derivatives)) if nodes is None else nodes:
        d = derivatives[i]
        if d is not None and d - d != 0:
            node = graph.nodes[i]
            where = f"{node.name} = {graph.text(i)}" if node.kind == "node" else node.name
            raise MathError(f"overflow in the {what} of {where}: it is too large for a double", source=graph.source)
    return derivatives
