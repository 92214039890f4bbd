"""Output size of `dcalc diff` against SymPy's `diff` on tests/diff_corpus.txt, and the time for big expressions.

Sizes are node counts of the printed results, both read by dcalc's own parser (SymPy's text with `E` → `e`), so that
n-ary sums, `-1*x` and `x**-1` count as they read, not as SymPy stores them. Run: python tests/bench/bench_diff_size.py
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import time
from pathlib import Path

import sympy as sp

import dcalc
from cases import node_count
from dcalc.language.expr import Apply, Assign
from dcalc.language.syntax import parse
from dcalc.symbolic.formulas import differentiate, program, program_text

CORPUS = Path(__file__).resolve().parent.parent / "diff_corpus.txt"
SYMPY_NAMES = {"ln": sp.log, "log10": lambda a: sp.log(a, 10), "log2": lambda a: sp.log(a, 2), "cbrt": sp.cbrt,
               "hypot": lambda a, b: sp.sqrt(a ** 2 + b ** 2), "abs": sp.Abs, "e": sp.E, "pi": sp.pi,
               "x": sp.Symbol("x", real=True), "y": sp.Symbol("y", real=True)}


def corpus() -> list[str]:
    return [line.strip() for line in CORPUS.read_text().splitlines() if line.strip() and not line.startswith("#")]


def tree_size(text: str) -> int:
    total = 0
    for stmt in parse(text).stmts:
        stack = [stmt.expr if isinstance(stmt, Assign) else stmt]
        while stack:
            e = stack.pop()
            total += 1
            stack.extend(e.args if isinstance(e, Apply) else ())
    return total


def sympy_size(text: str) -> int:
    d = sp.diff(sp.sympify(text, locals=SYMPY_NAMES), SYMPY_NAMES["x"])
    return tree_size(re.sub(r"\bE\b", "e", str(d)))


def dcalc_size(text: str) -> int:
    g = dcalc.compile(text)
    definitions, final = program(differentiate(g, ["x"]), g.inputs)
    return node_count(definitions, final)


def random_expression(n: int, rng: random.Random) -> str:
    """About n nodes of smooth functions, sums, products and quotients of x and y (iterative)."""
    pieces = [rng.choice(["x", "y", "x", "1.5"]) for _ in range(n // 2)]
    while len(pieces) > 1:
        a = pieces.pop(rng.randrange(len(pieces)))
        if rng.random() < 0.3:
            pieces.append(f"{rng.choice(['sin', 'cos', 'exp', 'atan', 'tanh'])}({a})")
            continue
        b = pieces.pop(rng.randrange(len(pieces)))
        pieces.append(f"({a}) {rng.choice('+-*/')} ({b})")
    return pieces[0]


def main() -> None:
    ratios = []
    worse = []
    for text in corpus():
        ours, theirs = dcalc_size(text), sympy_size(text)
        ratios.append(ours / theirs)
        if ours > theirs:
            worse.append((ours / theirs, text, ours, theirs))
    print(f"corpus: {len(ratios)} expressions")
    print(f"node-count ratio dcalc/SymPy: median {statistics.median(ratios):.3f}, mean {statistics.mean(ratios):.3f}, "
          f"max {max(ratios):.2f}; dcalc smaller on {sum(r < 1 for r in ratios)}, equal on "
          f"{sum(r == 1 for r in ratios)}, larger on {len(worse)}")
    for r, text, ours, theirs in sorted(worse, reverse=True)[:5]:
        print(f"  larger: {text!r}: {ours} vs {theirs} nodes")
    rng = random.Random(4)
    for n in (1000, 1000, 1000):
        text = random_expression(n, rng)
        start = time.perf_counter()
        g = dcalc.compile(text)
        definitions, final = program(differentiate(g, ["x"]), g.inputs)
        out = program_text(definitions, final)
        took = time.perf_counter() - start
        print(f"{tree_size(text)}-node expression: diff in {took:.2f} s, {node_count(definitions, final)} nodes "
              f"printed ({len(definitions)} named definitions, {len(out)} characters)")


if __name__ == "__main__":
    sys.exit(main())
