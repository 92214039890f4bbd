"""Input paths are linear in their size: CPU time of each path at n and 10n, and their ratio (about 10 when linear,
about 100 when quadratic).

    python tests/bench/bench_linear.py [N]        (N = 10,000 by default: runs at N/10, N and 10 N)

Each path runs whole commands in this process through dcalc.app.main (output to a buffer), best of three, CPU time:
a point of n names (`--at x0=1,…`), a point of n names the expression does not read, a --points header of n columns,
a program of n statements whose expressions are broken over lines inside parentheses, and --wrt with n names.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import time


def timed(argv: list[str], repeat: int = 3) -> float:
    from dcalc.app import main
    best = float("inf")
    for _ in range(repeat):
        out, err = io.StringIO(), io.StringIO()
        t = time.process_time()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
        best = min(best, time.process_time() - t)
        assert code == 0, err.getvalue()[:300]
    return best


def paths(n: int, tmp: str):
    names = [f"x{i}" for i in range(n)]
    total = "+".join(names)
    point = ",".join(f"{x}=1" for x in names)
    yield "--at with n names", ["eval", total, "--at", point]
    yield "--at with n unread names", ["eval", "x0", "--at", point]
    csv = os.path.join(tmp, f"header{n}.csv")
    with open(csv, "w") as f:
        f.write("id," + ",".join(reversed(names)) + "\nfirst," + ",".join(["1"] * n) + "\n")
    yield "--points header of n columns", ["eval", total, "--points", csv]
    program = "\n".join(f"a{i} = (x +\n  {i}\n  )" for i in range(n)) + "\n" + "a0"
    yield "n statements, new lines in ( )", ["eval", program, "--at", "1"]
    yield "--wrt with n names", ["grad", total, "--at", point, "--wrt", ",".join(names)]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    sizes = [n // 10, n, 10 * n]
    with tempfile.TemporaryDirectory() as tmp:
        table = {}
        for size in sizes:
            for name, argv in paths(size, tmp):
                table.setdefault(name, []).append(timed(argv))
    print(f"{'path':34s}" + "".join(f"{f'n={s:,}':>14s}" for s in sizes) + f"{'ratio 10n/n':>14s}")
    for name, times in table.items():
        print(f"{name:34s}" + "".join(f"{t:13.3f}s" for t in times) + f"{times[-1] / max(times[-2], 1e-9):14.1f}")


if __name__ == "__main__":
    main()
