"""Issue 6, items 4 to 6: a batch of 100,000 points, `diff` of a 1,000-node expression, `trace` of 10,000 nodes.

    python tests/bench/bench_commands.py

Batch: CPU seconds of the dcalc process (`grad --points -`, 100-node expression, JSON lines out). diff: CPU seconds of
differentiating and printing a random 1,000-node expression, and the printed size against the graph. trace: CPU
seconds for 10,000 and 20,000 nodes; streaming rows means the second costs about twice the first, not four times.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from report import Row, print_table  # noqa: E402


def cpu(f) -> float:
    t = time.process_time()
    f()
    return time.process_time() - t


def batch_row(rows: int = 100_000) -> Row:
    """In a fresh child (bench_batch.py --one), so that its CPU time and peak memory are that batch's alone."""
    out = subprocess.run([sys.executable, str(Path(__file__).parent / "bench_batch.py"), "--one", "json", str(rows)],
                         capture_output=True, text=True, check=True).stdout.split()
    seconds, peak = float(out[3]), float(out[5])  # format, rows, wall s, cpu s, rows/s, peak MB
    return Row(f"batch: grad of a 100-node expression at {rows:,} points (--points, JSON out)", "≤ 2 s CPU",
               f"{seconds:.2f} s, peak {peak:.0f} MB", seconds / 2.0, 1.0)


def diff_row() -> Row:
    from bench_diff_size import random_expression  # the generator of the size benchmark, at 1,000 nodes

    import dcalc
    text = random_expression(1000, random.Random(4))
    out = {}
    seconds = cpu(lambda: out.setdefault("d", dcalc.diff(text, "x")))
    nodes = len(dcalc.compile(text).nodes)
    return Row(f"diff: a random 1,000-node expression ({nodes:,} graph nodes)", "≤ 2 s, bounded output",
               f"{seconds:.2f} s, {len(out['d']):,} characters printed", seconds / 2.0, 1.0)


def trace_row() -> Row:
    import dcalc
    from dcalc.output.render_trace import render

    def run(depth: int) -> float:
        g = dcalc.compile("sin(" * depth + "x" + ")" * depth)
        return cpu(lambda: sum(len(p) for p in render(dcalc.trace(g, {"x": 0.5}), "text")))

    small, large = run(10_000), run(20_000)
    return Row("trace: 10,000 then 20,000 nodes (text, forward)", "streams: twice the nodes ≤ 2.5× the time",
               f"{small:.2f} s, {large:.2f} s", large / small, 2.5)


def rows() -> list[Row]:
    return [batch_row(), diff_row(), trace_row()]


if __name__ == "__main__":
    print_table(rows())
