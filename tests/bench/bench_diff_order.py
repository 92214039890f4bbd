"""`dcalc diff --order N`: time, nodes visited and output size, answered or refused; every case must end in seconds.

Before issue 11, `diff "ln(1+x)" --order 250` ran for minutes and order 999 for over 10 minutes at 878 MB. Now each
order is built from the previous one within a work budget (formulas.WORK_BUDGET nodes for the orders after the first,
plus formulas.STEP_COST per order), a formula growing geometrically is refused as soon as the growth is clear, and 0
or a derivative met before (sin, exp) ends the work at once.

    python tests/bench/bench_diff_order.py
"""

from __future__ import annotations

import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_diff_size import random_expression  # noqa: E402

import dcalc  # noqa: E402
from cases import node_count  # noqa: E402
from dcalc.errors import DcalcError  # noqa: E402
from dcalc.symbolic import formulas  # noqa: E402
from dcalc.symbolic.formulas import differentiate, program, wrt_list  # noqa: E402
from report import Row, print_table  # noqa: E402

LIMIT_S = 10.0  # the target: any order answers or is refused within this (the old code took minutes)

CASES = [("ln(1+x)", 171), ("ln(1+x)", 250), ("ln(1+x)", 999), ("exp(sin(x))", 10), ("exp(sin(x))", 16), ("exp(sin(x))", 30),
         ("x^20000", 10000), ("sin(x) + cos(x)", 100000), ("(x^2+1)^20", 41), ("1/(1+x^2)", 8)]


def measure(text: str, order: int) -> tuple[float, int, int, str]:
    """CPU seconds, nodes visited by the derivation steps, peak MB, and the outcome."""
    visited = []
    derive = formulas.derive

    def counting(expr, wrt, s, nodes=None):
        visited.append(len(nodes))
        return derive(expr, wrt, s, nodes)

    formulas.derive = counting
    tracemalloc.start()
    start = time.process_time()
    try:
        g = dcalc.compile(text)
        d = differentiate(g, wrt_list(g, ["x"], order))
        outcome = f"{node_count(*program(d, g.inputs))} nodes printed"
    except DcalcError as e:
        outcome = "refused: " + e.message.partition("build: ")[2]
    finally:
        took = time.process_time() - start
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        formulas.derive = derive
    return took, sum(visited), peak, outcome


def rows() -> list[Row]:
    out = []
    cases = CASES + [(random_expression(300, random.Random(11)), n) for n in (1, 2, 3)]
    for text, order in cases:
        took, visited, peak, outcome = measure(text, order)
        name = text if len(text) < 30 else f"a random {len(text)}-character expression"
        out.append(Row(f"diff {name!r} --order {order}", f"≤ {LIMIT_S:g} s",
                       f"{took:.2f} s, {visited:,} nodes visited, {peak:.0f} MB; {outcome}", took / LIMIT_S, 1.0))
    return out


if __name__ == "__main__":
    print_table(rows())
