"""The symbolic trace (`dcalc trace EXPR`, no --at) and `trace --paths` on large graphs: wall seconds and output size
for chains of N nodes (sin(sin(…x))) and for diamonds (a_k = a_(k-1)*sin(a_(k-1)) + 1, 2^N paths). Linear means
doubling N about doubles both. Run on demand: python tests/bench/bench_symbolic_trace.py [N]
"""

from __future__ import annotations

import subprocess
import sys
import time


def _run(args: list[str], text: str) -> tuple[float, int]:
    start = time.perf_counter()
    p = subprocess.run(["dcalc", "trace", "-", *args], input=text, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, len(p.stdout.encode())


def main(n: int = 5000) -> None:
    for size in (n // 2, n):
        chain = "sin(" * size + "x" + ")" * size
        diamond = "\n".join(["a0 = x"] + [f"a{k} = a{k - 1}*sin(a{k - 1}) + 1" for k in range(1, size // 3)])
        for name, text, args in [("chain, text", chain, []), ("chain, json", chain, ["--format", "json"]),
                                 ("chain, reverse", chain, ["--mode", "reverse"]),
                                 ("diamond --paths --at 0.5", diamond, ["--paths", "--at", "0.5"])]:
            seconds, size_out = _run(args, text)
            print(f"{name:28} N = {size:6,}: {seconds:6.2f} s, {size_out / 1e6:6.2f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
