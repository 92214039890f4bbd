"""How long `dcalc trace` takes on long and deep inputs, per format and mode. Run: python tests/bench/bench_trace.py"""

from __future__ import annotations

import time

import dcalc
from dcalc.output.render_trace import render
from dcalc.output.trace import trace

CASES = {
    "deep sin(sin(...)), 100,000 nodes": "sin(" * 100_000 + "x" + ")" * 100_000,
    "wide sum of 20,000 terms x^k/k": " + ".join(f"x^{k}/{k}" for k in range(1, 20_001)),
}


def main() -> None:
    for name, text in CASES.items():
        start = time.perf_counter()
        g = dcalc.compile(text)
        print(f"{name}: graph of {len(g.nodes)} nodes in {time.perf_counter() - start:.2f} s")
        for mode in ("forward", "reverse"):
            for fmt in ("text", "json", "latex", "dot", "mermaid"):
                start = time.perf_counter()
                size = sum(len(piece) for piece in render(trace(g, {"x": 0.5}, None, mode), fmt))
                print(f"  {mode:8} {fmt:8} {time.perf_counter() - start:6.2f} s  {size / 1e6:6.1f} MB")


if __name__ == "__main__":
    main()
