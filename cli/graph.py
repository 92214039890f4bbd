"""AST → Graph: the computation as a Wengert list of nodes in evaluation order.

Inputs (free variables) come first, in order of first appearance. Every distinct subexpression is one node (hash
consing), so a variable or a subexpression used twice is one node read twice. Subexpressions without a variable are
folded into constants at once; user functions are inlined; nodes the output does not read are dropped. Unnamed nodes
are called u1, u2, … in evaluation order; names the user gave (`u1 = x^2`, `a = 3`) are kept.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from .errors import MathError, UsageError
from .expr import CONSTANTS, Apply, Assign, Define, Expr, Num, Program, Var
from .names import primitive, resolve
from .ops import Op
from .printing import number_text, to_text


@dataclass(slots=True)
class Node:
    name: str | None
    kind: str  # 'input', 'const' (folded: value known, never differentiated) or 'node' (an operation)
    op: Op | None = None
    args: tuple[int, ...] = ()
    value: float = 0.0  # the value of a constant
    expr: Expr | None = None  # a constant as written (pi/2), shown where it is read


@dataclass
class Graph:
    nodes: list[Node]
    output: int
    source: str = ""
    active: list[bool] = field(default_factory=list)  # whether a node depends on some input
    inputs: list[str] = field(default_factory=list)  # the free variables: they are nodes 0, 1, … in this order

    def ref(self, i: int) -> Expr:
        """How node i is shown where another node reads it: its name, or a folded constant as written."""
        n = self.nodes[i]
        return Var(n.name) if n.name else n.expr

    def formula(self, i: int) -> Expr:
        """The definition of node i in terms of the nodes it reads: `x + u1` for u2."""
        n = self.nodes[i]
        if n.kind == "node":
            return Apply(n.op.name, tuple(self.ref(a) for a in n.args))
        return n.expr if n.kind == "const" else Var(n.name)

    def text(self, i: int) -> str:
        return to_text(self.formula(i))

    def shown(self) -> list[int]:
        """The nodes a trace lists: inputs, operations and the constants the user named."""
        return [i for i, n in enumerate(self.nodes) if n.kind != "const" or n.name]


def lower(program: Program) -> Graph:
    """Build the graph of a checked program (see names.resolve for the checks)."""
    inputs, functions = resolve(program)
    b = _Builder(program.source)
    env: dict[str, int] = {name: b.add(Node(name, "input"), ("input", name)) for name in inputs}
    last = None
    for stmt in program.stmts:
        if isinstance(stmt, Define):
            continue
        expr = stmt.expr if isinstance(stmt, Assign) else stmt
        last = b.lower(expr, env, functions)
        if isinstance(stmt, Assign):
            env[stmt.name] = last
            node = b.nodes[last]
            if node.name is None:
                node.name = stmt.name
    if last is None:
        raise UsageError("there is nothing to compute: the program has no expression")
    return _finish(b.nodes, last, program.source, set(env) | set(functions))


class _Builder:
    def __init__(self, source: str):
        self.nodes: list[Node] = []
        self.index: dict[tuple, int] = {}
        self.source = source

    def add(self, node: Node, key: tuple) -> int:
        i = self.index.get(key)
        if i is None:
            i = self.index[key] = len(self.nodes)
            self.nodes.append(node)
        return i

    def const(self, value: float, expr: Expr) -> int:
        key = ("num", value) if isinstance(expr, Num) else ("const", expr.name)
        return self.add(Node(None, "const", value=value, expr=expr), key)

    def lower(self, expr: Expr, env: dict[str, int], functions: dict[str, Define]) -> int:
        """Lower one expression iteratively: a stack of work items and a stack of finished node indices.

        A work item (expression, scope) visits an expression; (application, None) comes back to an application
        once the indices of its arguments are on top of `out`."""
        out: list[int] = []
        push, pop = out.append, out.pop
        work: list = [(expr, env)]
        index = self.index
        while work:
            e, scope = work.pop()
            if type(e) is Apply:
                args = e.args
                if scope is not None:  # first visit: the arguments first (leftmost on top), then back here
                    work.append((e, None))
                    if len(args) == 2:
                        work.append((args[1], scope))
                        work.append((args[0], scope))
                    else:
                        work.extend([(a, scope) for a in reversed(args)])
                    continue
                n = len(args)
                if n == 1:
                    ids: tuple[int, ...] = (pop(),)
                elif n == 2:
                    b = pop()
                    ids = (pop(), b)
                else:
                    ids = tuple(out[len(out) - n:])
                    del out[len(out) - n:]
                op = primitive(e.op, n)
                if op is None:  # a user function: its body, with the parameters bound to the arguments
                    f = functions[e.op]
                    work.append((f.body, dict(zip(f.params, ids))))
                    continue
                i = index.get((op.name, ids))  # hash consing: a subexpression met before is that node
                push(self.apply(op, ids) if i is None else i)
            elif isinstance(e, Var):
                push(scope[e.name] if e.name in scope else env[e.name])
            elif isinstance(e, Num):
                push(self.const(e.value, e))
            else:
                push(self.const(CONSTANTS[e.name], e))
        return out[0]

    def apply(self, op: Op, args: tuple[int, ...]) -> int:
        nodes = self.nodes
        key = (op.name, args)
        if key in self.index:
            return self.index[key]
        if all(nodes[a].kind == "const" for a in args):  # no variable below: fold to a constant now
            formula = Apply(op.name, tuple(nodes[a].expr if nodes[a].name is None else Var(nodes[a].name)
                                           for a in args))
            value = op.value(*(nodes[a].value for a in args))
            if value - value != 0:  # name the culprit (text only now: printing every constant would be quadratic)
                checked(op, [nodes[a].value for a in args], to_text(formula), None, self.source,
                        [to_text(f) for f in formula.args])
            return self.add(Node(None, "const", value=value, expr=formula), key)
        return self.add(Node(None, "node", op, args), key)


def _finish(nodes: list[Node], output: int, source: str, taken: set[str]) -> Graph:
    """Drop what the output does not read (inputs stay: they are the function's arguments), renumber, name."""
    keep = [False] * len(nodes)
    keep[output] = True
    for i in range(len(nodes) - 1, -1, -1):
        if keep[i]:
            for a in nodes[i].args:
                keep[a] = True
        elif nodes[i].kind == "input":
            keep[i] = True
    if all(keep):  # nothing to drop (the usual case): the indices stand
        kept, new_index = nodes, range(len(nodes))
    else:
        new_index = [0] * len(nodes)
        kept = []
        for i, n in enumerate(nodes):
            if keep[i]:
                new_index[i] = len(kept)
                n.args = tuple(map(new_index.__getitem__, n.args))
                kept.append(n)
    taken = taken | {n.name for n in kept if n.name}
    counter = 0
    active: list[bool] = []
    for n in kept:
        if n.kind == "node":
            if n.name is None:
                counter += 1
                while f"u{counter}" in taken:
                    counter += 1
                n.name = f"u{counter}"
            active.append(any(map(active.__getitem__, n.args)))
        else:
            active.append(n.kind == "input")
    inputs = [n.name for n in kept if n.kind == "input"]
    assert all(n.kind == "input" for n in kept[:len(inputs)])  # lower() adds them first; pruning keeps the order
    return Graph(kept, new_index[output], source, active, inputs)


def checked(op: Op, argvals: list[float], formula: str, name: str | None, source: str, argtexts: list[str]) -> float:
    """The value of op at argvals, or a MathError naming the node, its formula and the values involved."""
    v = op.value(*argvals)
    if math.isfinite(v):
        return v
    where = f"{name} = {formula}" if name else formula
    given = [f"{t} = {number_text(x)}" for t, x in zip(argtexts, argvals) if t != number_text(x)]
    with_values = f" with {', '.join(given)}" if given else ""
    if op.defined is not None and not op.defined(*argvals):
        if op.name == "div":
            raise MathError(f"division by zero in {where}{with_values}", source=source)
        texts = dict(zip("ab", argtexts))
        needs = re.sub(r"\b[ab]\b", lambda m: texts[m.group()], op.domain)
        raise MathError(f"{op.name} is undefined in {where}{with_values} (needs {needs})", source=source)
    raise MathError(f"overflow in {where}{with_values}: the value is too large for a double", source=source)
