"""Width: the full gradient over 10,000 variables against one value evaluation of the same graph (parsing excluded).

    python tests/bench/bench_width.py [--variables N]

The gradient is what `dcalc grad` computes per point: a value pass (the reverse pass needs the values) and one
reverse pass, whatever the number of variables. Best of nine each, taking turns, on one graph.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import cases  # noqa: E402
from report import Row, print_table  # noqa: E402


def best_of(fs, repeat: int = 9) -> list[float]:
    """The least CPU time of each function over `repeat` rounds, the functions taking turns within a round, so that
    a slow spell of a shared machine falls on all of them alike."""
    times = [[] for _ in fs]
    for _ in range(repeat):
        for f, ts in zip(fs, times):
            t = time.process_time()
            f()
            ts.append(time.process_time() - t)
    return [min(ts) for ts in times]


def rows(variables: int = 10_000) -> list[Row]:
    import dcalc
    from dcalc.modes.evaluate import node_values
    from dcalc.modes.reverse import gradient
    text, point = cases.wide_sum(variables)
    graph = dcalc.compile(text)
    value_s, grad_s = best_of([lambda: node_values(graph, point), lambda: gradient(graph, node_values(graph, point))])
    return [Row(f"width: gradient over {variables:,} variables ({len(graph.nodes):,} nodes)",
                "value + gradient ≤ 3× one value pass", f"{grad_s * 1e3:.0f} ms vs {value_s * 1e3:.0f} ms",
                grad_s / value_s, 3.0)]


if __name__ == "__main__":
    n = int(sys.argv[sys.argv.index("--variables") + 1]) if "--variables" in sys.argv else 10_000
    print_table(rows(n))
