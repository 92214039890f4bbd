"""dcalc diff against the textbook corpus (tests/textbook_corpus.txt): the two figures the README reports.

1. the share of problems where dcalc's answer is no larger than the book's printed answer (target: at least 90 %);
2. the median, over the problems, of dcalc's size over SymPy's simplify(diff(f)) (target: at most 1).
Size is the number of printed tokens, a multiplication sign not counted (tests/textbook.py, the same measure for
all three). Every answer is also checked against SymPy's derivative at several points.
Run: python tests/bench/bench_textbook.py [--all]   (--all lists every problem, not only those larger than the book)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import textbook  # noqa: E402

import dcalc  # noqa: E402


def main() -> int:
    start = time.perf_counter()
    rows = textbook.measure(dcalc.diff)
    for r in rows:
        larger = r["size_dcalc"] > r["size_book"]
        if larger or "--all" in sys.argv or not (r["dcalc_ok"] and r["book_ok"]):
            mark = ("" if r["dcalc_ok"] else "  DCALC DIFFERS") + ("" if r["book_ok"] else "  BOOK DIFFERS")
            print(f"{r['source']:26} {r['f']:28} dcalc {r['dcalc']} ({r['size_dcalc']})  book {r['book']} "
                  f"({r['size_book']})  sympy {r['sympy']} ({r['size_sympy']}){mark}")
    no_larger, median_ratio = textbook.ratios(rows)
    wrong = sum(not r["dcalc_ok"] for r in rows)
    print(f"{len(rows)} problems, {wrong} with a wrong dcalc answer ({time.perf_counter() - start:.0f} s)")
    print(f"no larger than the book's answer: {no_larger:.1%} of the problems (target ≥ 90 %)")
    print(f"median size over SymPy's simplify(diff(f)): {median_ratio:.2f} (target ≤ 1); dcalc smaller on "
          f"{sum(r['size_dcalc'] < r['size_sympy'] for r in rows)}, equal on "
          f"{sum(r['size_dcalc'] == r['size_sympy'] for r in rows)}, larger on "
          f"{sum(r['size_dcalc'] > r['size_sympy'] for r in rows)}")
    return 0 if wrong == 0 and no_larger >= 0.9 and median_ratio <= 1 else 1


if __name__ == "__main__":
    sys.exit(main())
