"""Batches: the gradient of a 100-node expression at 100,000 points (--points -), streamed from standard input.

Prints wall and CPU seconds, rows per second and the peak memory (max RSS of the dcalc process) for 100,000 and 200,000 rows: streaming
means the second is no larger than the first. Run on demand: python tests/bench/bench_batch.py [ROWS]
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import tempfile
import time

VARIABLES = 5


def expression(nodes: int = 190, seed: int = 7) -> str:
    """A random expression over x1..x5 whose graph has about 100 nodes (190 AST nodes, some shared), finite
    everywhere on the sampled box."""
    rng = random.Random(seed)
    level = [f"x{rng.randint(1, VARIABLES)}" if rng.random() < 0.8 else str(rng.randint(1, 9))
             for _ in range(nodes // 3)]
    while len(level) > 1:
        nxt = []
        for i in range(0, len(level) - 1, 2):
            a, b = level[i], level[i + 1]
            if rng.random() < 0.3:
                a = f"{rng.choice(('sin', 'cos', 'tanh', 'atan', 'exp'))}({a} / 4)"
            nxt.append(f"({a} {rng.choice('+-*')} {b})")
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def points_csv(rows: int, seed: int = 3):
    """The CSV text, produced a block at a time (the benchmark itself stays small too)."""
    rng = random.Random(seed)
    yield ",".join(f"x{i}" for i in range(1, VARIABLES + 1)) + "\n"
    for start in range(0, rows, 10_000):
        yield "".join(",".join(f"{rng.uniform(-2, 2):.6f}" for _ in range(VARIABLES)) + "\n"
                      for _ in range(min(10_000, rows - start)))


def nodes_of(expr: str) -> int:
    import dcalc
    return len(dcalc.compile(expr).nodes)


def run(expr: str, path: str, fmt: str) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds and peak RSS in MB of the child, and output lines, for one batch read from
    standard input. CPU time is the figure to trust on a busy machine: wall time includes waiting for a core."""
    args = [sys.executable, "-m", "dcalc", "grad", expr, "--points", "-"] + (["--json"] if fmt == "json" else
                                                                             ["--format", "csv"])
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(path, "rb") as stdin:
        t = time.perf_counter()
        proc = subprocess.Popen(args, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        lines = sum(1 for _ in proc.stdout)
        proc.wait()
        elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        sys.exit(f"dcalc failed ({proc.returncode}): {proc.stderr.read().decode()[:500]}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, usage.ru_utime + usage.ru_stime, max(usage.ru_maxrss, before) / 1024, lines


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    expr = expression()
    print(f"expression: {nodes_of(expr)} graph nodes, {VARIABLES} variables; target: {rows:,} rows in <= 2 s")
    print(f"{'format':<8}{'rows':>10}{'wall s':>10}{'cpu s':>10}{'rows/s':>12}{'peak MB':>10}")
    for fmt in ("json", "csv"):
        for n in (rows, 2 * rows):
            # each measurement in a fresh child, so that the peak RSS is that run's own
            out = subprocess.run([sys.executable, __file__, "--one", fmt, str(n)], capture_output=True, text=True, check=False,
                                 env=dict(os.environ))
            print(out.stdout.strip() or out.stderr.strip())


def one(fmt: str, rows: int) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        for block in points_csv(rows):
            f.write(block)
    try:
        elapsed, cpu, peak, lines = run(expression(), f.name, fmt)
    finally:
        os.unlink(f.name)
    assert lines == rows + (fmt == "csv"), (lines, rows)
    print(f"{fmt:<8}{rows:>10,}{elapsed:>10.2f}{cpu:>10.2f}{rows / elapsed:>12,.0f}{peak:>10.0f}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        one(sys.argv[2], int(sys.argv[3]))
    else:
        main()
