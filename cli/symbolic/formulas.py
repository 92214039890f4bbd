"""Symbolic differentiation: the total-derivative rule du/dx = Σ ∂u/∂v · dv/dx carried with formulas.

The graph is first stated as one expression in the free variables (intermediate variables and user functions inlined,
shared pieces kept as shared objects: a DAG). Walking that DAG in evaluation order, each node's derivative is the sum,
over the arguments that depend on the variable, of the table's partial rule (`Op.rule`) at the argument expressions
times the argument's derivative. Everything is built through one Simplifier, so results stay small and shared, and a
derivative can be differentiated again for higher orders. Printing keeps big shared pieces as named definitions.
"""

from __future__ import annotations

from ..core.graph import Graph, postorder
from ..core.ops import OPS
from ..core.printing import to_text
from ..errors import UsageError, WrtNeeded
from ..language.expr import Apply, Num, Var, wrap
from .simplify import Simplifier, textbook

_INLINE_LIMIT = 400  # print one expression while it has at most this many nodes, or is not much larger than its DAG


def expression(graph: Graph, s: Simplifier):
    """The graph's output as one simplified expression in its free variables (a DAG of shared nodes)."""
    return expressions(graph, s)[graph.output]


def expressions(graph: Graph, s: Simplifier) -> list:
    """Every node of the graph as a simplified expression in the free variables (shared nodes shared)."""
    exprs: list = []
    written: dict[int, object] = {}
    for node in graph.nodes:
        if node.kind == "input":
            exprs.append(s.simplify(Var(node.name)))
        elif node.kind == "const":
            exprs.append(_written(node.expr, graph.constants, s, written))
        else:
            exprs.append(s.apply(node.op.name, *(exprs[a] for a in node.args)))
    return exprs


def _written(expr, constants: dict, s: Simplifier, done: dict[int, object]):
    """A constant's formula as written, with the names of the constants it reads replaced by their own formulas
    (`k` of `c = 3; k = c + 1` is 4, `c = pi; c/2` is pi/2): a derivative must read only its free variables.
    Iterative; `done` (by identity) is shared by every constant of a graph, so each formula is visited once."""
    stack = [(expr, False)]
    while stack:
        e, ready = stack.pop()
        if id(e) in done:
            continue
        if isinstance(e, Var):
            inner = constants[e.name]
            if id(inner) in done:
                done[id(e)] = done[id(inner)]
            else:
                stack += [(e, False), (inner, False)]
        elif not isinstance(e, Apply):
            done[id(e)] = s.simplify(e)
        elif ready:
            done[id(e)] = s.apply(e.op, *(done[id(a)] for a in e.args))
        else:
            stack.append((e, True))
            stack.extend((a, False) for a in e.args if id(a) not in done)
    return done[id(expr)]


def derive(expr, wrt: str, s: Simplifier, order: list | None = None):
    """d(expr)/d(wrt): tangents in evaluation order; an argument without one (a structural zero) is skipped.
    `order` is postorder(expr) when the caller has it already."""
    tangent: dict[int, object] = {}
    for e in order if order is not None else postorder(expr):
        if isinstance(e, Var) and e.name == wrt:
            tangent[id(e)] = s.one
        elif isinstance(e, Apply):
            op = OPS[e.op]
            total = None
            for k, a in enumerate(e.args):
                da = tangent.get(id(a))
                if da is not None and _zero_base_exponent(e, k):
                    continue  # 0^b is 0 for all b > 0 and undefined for b < 0: its b-partial is 0 wherever it exists
                partial = None if da is None else op.rule(k, *e.args)
                if partial is None:
                    continue
                term = s.apply("mul", s.simplify(wrap(partial)), da)
                total = term if total is None else s.apply("add", total, term)
            if total is not None and not (isinstance(total, Num) and total.value == 0):
                tangent[id(e)] = total
    return tangent.get(id(expr), s.zero)


def _zero_base_exponent(e, k: int) -> bool:
    """Whether argument k of e is the exponent of a constant 0 base, 0^b: the rule a^b·ln(a) would print 0^b·ln(0),
    which has no value anywhere, where the derivative is 0 (b > 0; at b = 0 it does not exist, as grad says)."""
    return e.op == "pow" and k == 1 and isinstance(e.args[0], Num) and e.args[0].value == 0


MAX_ORDER = 100_000  # the most variables (orders) one derivative takes; the work budget usually decides first
WORK_BUDGET = 25_000  # nodes the derivatives of order 2 and up may visit in all (or 4× the first derivative's size)
STEP_COST = 8  # each order counts as this many nodes more: a long run of tiny steps costs time too


def wrt_list(graph: Graph, wrt: list[str] | None, order: int | None) -> list[str]:
    """The variables to differentiate by, in the order of differentiation, one per order.

    `wrt` as given (repeats included: x,x,y is ∂³/∂y∂x∂x, taken x first); with `order` N, one variable is taken N
    times and a list must have exactly N names. Without `wrt` the only free variable is meant; a constant has no
    variable, and any one will do (its derivatives are 0): the result is then the empty list, differentiate gives 0."""
    names = list(wrt) if wrt else []
    if order is not None and not 1 <= order <= MAX_ORDER:
        raise UsageError(f"the order must be between 1 and {MAX_ORDER:,}, not {order}")
    if not names:
        if len(graph.inputs) > 1:
            raise WrtNeeded(graph.inputs)
        if not graph.inputs:
            return []
        names = [graph.inputs[0]]
    if order is None or len(names) == order:
        if len(names) > MAX_ORDER:
            raise UsageError(f"at most {MAX_ORDER:,} variables to differentiate by, not {len(names):,}")
        return names
    if len(names) == 1:
        return names * order
    raise UsageError(f"order {order} does not match the {len(names)} variables {','.join(names)}: give one "
                     f"variable to take {order} times, or exactly {order} in the order of differentiation")


def differentiate(graph: Graph, names: list[str], s: Simplifier | None = None):
    """The derivative of the graph's output by each of `names` in turn, simplified, in textbook form when small."""
    s = s or Simplifier()
    return textbook(_differentiate(graph, names, s), s)


def _differentiate(graph: Graph, names: list[str], s: Simplifier):
    """The derivative of the graph's output by each of `names` in turn, as a simplified expression.

    Bounded: each step is linear in the size of the derivative it starts from, and the steps after the first may
    visit WORK_BUDGET nodes in all (or 4× the first derivative, for a large expression); past that dcalc refuses
    rather than run for minutes. 0 ends the work at once, and so does a derivative met before while the variable
    stays the same (sin, exp: the rest is periodic)."""
    expr = expression(graph, s)
    if not names:  # a constant: by any variable
        return s.zero
    budget, work = WORK_BUDGET, 0
    tail = len(names) - 1  # names[tail:] is the last run of one variable
    while tail and names[tail - 1] == names[-1]:
        tail -= 1
    sizes: list[int] = []
    seen: dict[int, int] = {}  # id of a derivative → its step, while the variable does not change
    history: list = []
    for k, name in enumerate(names):
        if expr is s.zero:
            return expr
        if k and name != names[k - 1]:
            seen.clear(), history.clear()
        if id(expr) in seen and k >= tail:  # met before, by the same variable to the end: periodic from here
            j = seen[id(expr)]
            return history[j + (len(names) - k) % (len(history) - j)]
        seen[id(expr)] = len(history)
        history.append(expr)
        nodes = postorder(expr)
        sizes.append(len(nodes))
        if k == 1:
            budget = max(WORK_BUDGET, 4 * len(nodes))
        if k:
            work += len(nodes) + STEP_COST
            if work > budget or _projected(sizes, work, len(names) - k - 1) > budget:
                raise UsageError(f"the derivative of order {len(names)} is too large to build: by order {k} the "
                                 f"formulas had grown to {len(nodes):,} nodes and {work:,} in all, and the budget "
                                 f"is {budget:,} (README, dcalc diff)")
        expr = derive(expr, name, s, nodes)
    return expr


def _projected(sizes: list[int], work: int, steps: int) -> float:
    """The work so far and the remaining steps would take if the derivatives keep growing as over the last two orders
    (an estimate, so that a formula growing geometrically is refused early rather than at the end of the budget)."""
    if len(sizes) < 3 or steps <= 0 or sizes[-1] < 100:  # small formulas grow irregularly
        return work
    r = min(sizes[-1] / max(sizes[-2], 1), sizes[-2] / max(sizes[-3], 1))
    if r <= 1.25:
        return work
    return work + (sizes[-1] + STEP_COST) * r * (r ** min(steps, 200) - 1) / (r - 1)


def program(expr, avoid) -> tuple[list[tuple[str, object]], object]:
    """Definitions and a final expression stating expr; a shared node whose inlining would blow up the text is named
    (d1, d2, … skipping the names in `avoid`), so the text stays about as large as the DAG."""
    order = postorder(expr)
    tree: dict[int, int] = {}
    for e in order:
        tree[id(e)] = min(10 ** 12, 1 + sum(tree[id(a)] for a in e.args)) if isinstance(e, Apply) else 1
    if tree[id(expr)] <= _INLINE_LIMIT or tree[id(expr)] <= 2 * len(order):
        return [], expr
    readers: dict[int, int] = {}
    for e in order:
        for a in (e.args if isinstance(e, Apply) else ()):
            readers[id(a)] = readers.get(id(a), 0) + 1
    taken = set(avoid)
    counter = 0
    definitions: list[tuple[str, object]] = []
    shown: dict[int, object] = {}  # id → the node as printed: arguments replaced by the names of named nodes
    size: dict[int, int] = {}  # printed size with named nodes counted as one
    for e in order:
        if not isinstance(e, Apply):
            shown[id(e)], size[id(e)] = e, 1
            continue
        node = Apply(e.op, tuple(shown[id(a)] for a in e.args))
        n = 1 + sum(size[id(a)] for a in e.args)
        if readers.get(id(e), 0) >= 2 and n >= 4 and e is not expr:
            counter += 1
            while f"d{counter}" in taken:
                counter += 1
            name = f"d{counter}"
            definitions.append((name, node))
            node, n = Var(name), 1
        shown[id(e)], size[id(e)] = node, n
    return definitions, shown[id(expr)]


def program_text(definitions, final, printer=to_text) -> str:
    """The printed program: one definition per line, then the expression (valid dcalc input: a last line that
    starts with a sign is parenthesised, since after a new line it could be read as going on from the line above)."""
    last = printer(final)
    if definitions and last[:1] in ("-", "+"):
        last = f"({last})"
    return "\n".join([f"{name} = {printer(e)}" for name, e in definitions] + [last])
