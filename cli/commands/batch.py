"""Batches of points (--points): chunk after chunk of a CSV file computed (as columns, or row by row for check) and
written, one result per row in the order of the input. A row that fails keeps its place in the output with its
reason as `status` and no numbers; the batch goes on, and exits 1 at the end.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from ..errors import CheckFailed, DcalcError, MathError
from .csv_points import Chunk, CsvPoints
from .progress import Progress


@dataclass
class Results:
    """What a chunk computed, for the writers of output/rows.py: per row a value and partials (eval, grad) or a
    check (check)."""

    names: list[str]  # the variables of the partials
    values: list[float] | None = None
    partials: dict[str, list[float]] | None = None  # None for eval
    checks: list | None = None  # check: a check.PointCheck, or None where the row failed
    tolerance: float = 0.0  # check: the tolerance of the finite differences


@dataclass
class Summary:
    """The rows of a batch so far, and its first failure and first disagreement, for the verdict at the end."""

    rows: int = 0
    failed: int = 0  # rows without a result
    disagreed: int = 0  # rows of `dcalc check` whose derivatives disagree
    first: str | None = None  # the first failure: line and reason
    first_disagreement: str | None = None

    def count(self, chunk: Chunk, results) -> None:
        self.rows += len(chunk.lines)
        for k, (line, status) in enumerate(zip(chunk.lines, chunk.status)):
            if status is None:
                continue
            if results.checks is not None and results.checks[k] is not None:
                self.disagreed += 1
                self.first_disagreement = self.first_disagreement or f"line {line}: {status}"
            else:
                self.failed += 1
                self.first = self.first or f"line {line}: {status}"

    def raise_if_failed(self, name: str) -> None:
        """A disagreement is what `check` looks for, so it outranks a row that could not be computed."""
        if self.disagreed:
            raise CheckFailed(f"the derivatives disagree at {self.disagreed} of {self.rows} rows of {name}; "
                              f"the first, {self.first_disagreement}")
        if self.failed:
            raise MathError(f"{self.failed} of {self.rows} rows of {name} failed; the first, {self.first}")


def run(points: CsvPoints, compute, writer, progress: Progress | None = None) -> Summary:
    """Read, compute and write chunk after chunk; the summary counts the rows and the failures."""
    summary = Summary()
    writer.begin(points.header)
    try:
        for chunk in points.chunks():
            results = compute(chunk)
            writer.write(chunk, results)
            summary.count(chunk, results)
            if progress is not None:
                progress.update(summary.rows)
        if not summary.rows:  # a header alone: still a CSV header out
            empty = Chunk(columns=[[] for _ in points.inputs])
            writer.write(empty, compute(empty))
    finally:
        if progress is not None:
            progress.done()
        points.close()
    return summary


def run_file(graph, path: str, names: list[str] | None, fmt: str, digits: int | None, compute=None) -> None:
    """The batch of the CSV file at `path` ('-': standard input) through the graph, written to standard output as
    `fmt`; values (names None), the gradient over `names`, or `compute`'s results. Raises at the end if a row
    failed."""
    from ..output.rows import writer
    source = CsvPoints(path, graph.inputs)
    out = writer(fmt, sys.stdout, graph.inputs, digits)
    run(source, compute or column_results(graph, names), out, Progress(source)).raise_if_failed(source.name)


def column_results(graph, names: list[str] | None):
    """Chunk → Results: values (names None) or values and the gradient over `names`, computed as columns."""
    import numpy as np

    from ..modes import columns

    def compute(chunk: Chunk) -> Results:
        rows = columns.Rows(chunk.status)
        inputs = {x: np.array(col, dtype=float) for x, col in zip(graph.inputs, chunk.columns)}
        vals = columns.column_values(graph, inputs, rows)
        if names is None:
            return Results([], vals[graph.output].tolist())
        read = [x for x in names if x in inputs]  # by a variable it does not read: 0
        grad = {x: g.tolist() for x, g in columns.column_gradient(graph, vals, read, rows).items()} if read else {}
        zeros = [0.0] * len(chunk.status)
        return Results(names, vals[graph.output].tolist(), {x: grad.get(x, zeros) for x in names})
    return compute


def check_results(check):
    """Chunk → Results of `dcalc check` row by row (a check is many scalar passes; it is not the fast path)."""

    def compute(chunk: Chunk) -> Results:
        out = []
        for k, status in enumerate(chunk.status):
            if status is not None:
                out.append(None)
                continue
            point = {x: col[k] for x, col in zip(check.graph.inputs, chunk.columns)}
            try:
                report = check.check(point)
            except DcalcError as e:
                chunk.status[k] = e.message
                out.append(None)
                continue
            if not report.ok:
                chunk.status[k] = "; ".join(report.problems())
            out.append(report)
        return Results(check.names, checks=out, tolerance=check.tol)
    return compute
