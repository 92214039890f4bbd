"""The one table every benchmark prints: target, measured, ratio, pass/fail (Markdown, ready for the README)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Row:
    what: str
    target: str
    measured: str
    ratio: float | None  # None: could not be measured
    limit: float | None  # pass when ratio ≤ limit, or ratio ≥ -limit for a "faster by at least" target (limit < 0);
    # None for a row that is context, not a target

    @property
    def verdict(self) -> str:
        if self.ratio is None:
            return "n/a"
        if self.limit is None:
            return "(context)"
        ok = self.ratio <= self.limit if self.limit > 0 else self.ratio >= -self.limit
        return "pass" if ok else "FAIL"


def print_table(rows: list[Row], header: bool = True) -> None:
    if header:
        print("| benchmark | target | measured | ratio | result |")
        print("|---|---|---|---|---|")
    for r in rows:
        ratio = "–" if r.ratio is None else f"{r.ratio:.2f}×" if r.ratio < 10 else f"{r.ratio:.0f}×"
        print(f"| {r.what} | {r.target} | {r.measured} | {ratio} | {r.verdict} |", flush=True)
