"""The inputs the benchmarks time: machine-generated dcalc text of a given size, the same on every run (fixed seeds).

Every generator writes explicit `*` (no implicit multiplication), so that a plain Lark parser of the grammar, without
dcalc's post-lexer, reads the same text: that parse alone is the floor the scale targets are measured against.
Sizes count AST nodes (numbers, names and operations); values stay finite at the point each case gives.
"""

from __future__ import annotations

import random

UNARY = ("sin", "cos", "tanh", "atan")
BINARY = ("+", "-", "*")


def balanced(nodes: int, variables: int = 20, seed: int = 1) -> tuple[str, dict[str, float]]:
    """A random tree of about `nodes` nodes, as balanced as a random split makes it; leaves are x1..x20 and numbers."""
    rng = random.Random(seed)
    # Built bottom-up from a list of leaves, combining random neighbours: no recursion, depth about 2 log2(nodes).
    level = [f"x{rng.randint(1, variables)}" if rng.random() < 0.7 else str(rng.randint(1, 9))
             for _ in range(nodes // 3)]
    while len(level) > 1:
        nxt = []
        for i in range(0, len(level) - 1, 2):
            a, b = level[i], level[i + 1]
            if rng.random() < 0.25:
                a = f"{rng.choice(UNARY)}({a})"
            nxt.append(f"({a} {rng.choice(BINARY)} {b})" if rng.random() < 0.8 else f"sin({a} * {b})")
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    # The bounded functions (sin, cos, tanh, atan) sprinkled through keep values small at the point (all 0.5).
    return f"tanh({level[0]})", {f"x{i}": 0.5 for i in range(1, variables + 1)}


def sin_chain(depth: int) -> tuple[str, dict[str, float]]:
    """sin(sin(…sin(x)…)), `depth` calls deep: one node per level, the deepest nesting the grammar allows."""
    return "sin(" * depth + "x" + ")" * depth, {"x": 0.5}


def horner_chain(depth: int) -> tuple[str, dict[str, float]]:
    """((…(x*x+1)*x+1)…)*x+1: a left-deep chain of `depth` multiply-adds (4 nodes each)."""
    return "(" * depth + "x" + "".join("*x+1)" for _ in range(depth)), {"x": 0.5}


def program(statements: int, seed: int = 2) -> tuple[str, dict[str, float]]:
    """A program of `statements` assignments, each about ten nodes, reading two earlier names (or x, y)."""
    rng = random.Random(seed)
    lines = []
    for i in range(1, statements + 1):
        a, b = (f"v{rng.randint(max(1, i - 50), i - 1)}" if i > 1 and rng.random() < 0.8 else rng.choice("xy")
                for _ in range(2))
        f = rng.choice(UNARY)
        lines.append(f"v{i} = {f}({a} * {b} + 0.5) - {a} * 0.25")
    return "\n".join(lines), {"x": 0.5, "y": 0.25}


def wide_sum(variables: int) -> tuple[str, dict[str, float]]:
    """Σ x_i*sin(x_i) + 0.5*x_i^2 over `variables` variables: eleven nodes per variable."""
    text = " + ".join(f"x{i}*sin(x{i}) + 0.5*x{i}^2" for i in range(1, variables + 1))
    return text, {f"x{i}": 1.0 / i for i in range(1, variables + 1)}


def node_count(definitions, final) -> int:
    """The number of expression nodes in a printed derivative program (a name counts as one): the size `diff`
    prints, as the benchmarks and tests/test_symbolic.py measure it."""
    from dcalc.language.expr import Apply
    total = 0
    for e in [d for _, d in definitions] + [final]:
        stack = [e]
        while stack:
            n = stack.pop()
            total += 1
            if isinstance(n, Apply):
                stack.extend(n.args)
    return total
