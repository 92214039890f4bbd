"""Every benchmark of issue 6 (start-up, scale, width, batches, diff, trace), one Markdown table (the README's "Performance" section shows its output).

    python tests/bench/run_all.py [--sympy]

Start-up is wall time of whole processes (median, interleaved); scale and width are CPU time in one process.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import bench_commands  # noqa: E402
import bench_scale  # noqa: E402
import bench_startup  # noqa: E402
import bench_width  # noqa: E402

from report import print_table  # noqa: E402

if __name__ == "__main__":
    print_table(bench_startup.rows())
    print_table(bench_scale.rows(sympy="--sympy" in sys.argv), header=False)
    print_table(bench_width.rows(), header=False)
    print_table(bench_commands.rows(), header=False)
