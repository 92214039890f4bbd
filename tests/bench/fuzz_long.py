"""The long fuzz run, on demand: tests/test_fuzz.py with many more examples and fresh random seeds.

    python tests/bench/fuzz_long.py [EXAMPLES]        # default 5000 per fuzz test; a few minutes per 1000

Runs pytest on tests/test_fuzz.py with DCALC_FUZZ_EXAMPLES=EXAMPLES (the in-process tests draw that many inputs, the
ones through the installed dcalc a fiftieth of it) and the `dev` hypothesis profile (random, not derandomized), then
prints the figures. A failure prints hypothesis's smallest failing input: fix the bug, and add the input to
tests/fuzz_regressions.txt (one JSON string per line) so that the bounded run in CI keeps checking it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent


def main() -> int:
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    env = {**os.environ, "DCALC_FUZZ_EXAMPLES": str(examples), "HYPOTHESIS_PROFILE": "dev"}
    env.pop("CI", None)
    start = time.perf_counter()
    code = subprocess.call([sys.executable, "-m", "pytest", str(TESTS / "test_fuzz.py"), "-q",
                            "--hypothesis-show-statistics"], env=env, cwd=TESTS.parent)
    print(f"fuzz_long: {examples} examples per test, {time.perf_counter() - start:.0f} s, "
          f"{'no failures' if code == 0 else 'FAILURES (see above)'}")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
