"""Batches of points (--points): chunk after chunk of a CSV file computed (as columns, or row by row for check) and
written, one result per row in the order of the input. A row that fails keeps its place in the output with its
reason as `status` and no numbers; the batch goes on, and exits 1 at the end.

With --at beside --points the columns give the data variables and --at the parameters, the same on every row; with
--reduce the rows give one result, their mean or sum (the full-batch value and gradient of a loss), summed exactly.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from ..errors import CheckFailed, DcalcError, MathError, UsageError
from .csv_points import Chunk, CsvPoints
from .progress import Progress


@dataclass
class Batch:
    """What the command line asks of a batch besides the expression: the file and the options that shape it."""

    path: str
    at: list[str] | None = None  # the parameters: one --at
    delimiter: str | None = None
    reduce: str | None = None  # mean or sum
    expect: str | None = None
    tol: float | None = None
    params: dict[str, float] = field(default_factory=dict)  # read from `at` once the header is known


@dataclass
class Results:
    """What a chunk computed, for the writers of output/rows.py: per row a value and partials (eval, grad) or a
    check (check)."""

    names: list[str]  # the variables of the partials
    values: list[float] | None = None
    partials: dict[str, list[float]] | None = None  # None for eval
    checks: list | None = None  # check: a check.PointCheck, or None where the row failed
    tolerance: float = 0.0  # check: the tolerance of the finite differences
    missed: list[str | None] | None = None  # --expect: per row, what did not hold (the row has its numbers)
    # several outputs: their labels; then `values` is {label: per row} and `partials` {label: {x: per row}} (the
    # Jacobian's row of each output)
    outputs: list[str] | None = None

    def keyed(self) -> dict[str, list[float]]:
        """Every number of a row by the name --expect and --reduce know it: "" the value and x the partial ∂f/∂x;
        with several outputs f1 the value and ∂f1/∂x the entry of the Jacobian. In the order of the output's
        columns."""
        if self.outputs is None:
            return {"": self.values, **(self.partials or {})}
        out = dict(self.values)
        for label, row in (self.partials or {}).items():
            out.update((f"∂{label}/∂{x}", d) for x, d in row.items())
        return out


@dataclass
class Summary:
    """The rows of a batch so far, and its first failure and first disagreement, for the verdict at the end."""

    rows: int = 0
    failed: int = 0  # rows without a result
    disagreed: int = 0  # rows of `dcalc check` whose derivatives disagree, or rows whose --expect does not hold
    first: str | None = None  # the first failure: line and reason
    first_disagreement: str | None = None
    expecting: bool = False  # the disagreements are --expect's

    def count(self, chunk: Chunk, results) -> None:
        self.rows += len(chunk.lines)
        missed = results.missed or ()
        for k, (line, status) in enumerate(zip(chunk.lines, chunk.status)):
            if status is None:
                if missed and missed[k] is not None:
                    self.disagreed += 1
                    self.expecting = True
                    self.first_disagreement = self.first_disagreement or f"line {line}: {missed[k]}"
                continue
            if results.checks is not None and results.checks[k] is not None:
                self.disagreed += 1
                self.first_disagreement = self.first_disagreement or f"line {line}: {status}"
            else:
                self.failed += 1
                self.first = self.first or f"line {line}: {status}"

    def raise_if_failed(self, name: str) -> None:
        """A disagreement is what `check` (or --expect) looks for, so it outranks a row that could not be computed."""
        if self.disagreed:
            what = "the expectation does not hold" if self.expecting else "the derivatives disagree"
            raise CheckFailed(f"{what} at {self.disagreed} of {self.rows} rows of {name}; "
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
            empty = Chunk(columns=[[] for _ in points.inputs], expected=[[] for _ in points.expected])
            writer.write(empty, compute(empty))
    finally:
        if progress is not None:
            progress.done()
        points.close()
    return summary


# ---- the file, its columns and the parameters -------------------------------------------------------------------

def parameters(graph, at: list[str] | None, source: CsvPoints) -> dict[str, float]:
    """--at beside --points: the values of the free variables that are not columns, the same on every row. Every
    free variable comes from exactly one of the two."""
    if not at:
        source.missing(graph.inputs, "; or give it as a parameter, the same on every row, with --at {name}=VALUE")
        return {}
    if len(at) > 1:
        raise UsageError(f"with --points, --at gives the parameters, the same for every row: give one --at, not "
                         f"{len(at)}")
    from .options import example, parse_point, split_top, typo
    text, columns = at[0], set(source.header)
    needed = [x for x in graph.inputs if x not in columns]
    parts = split_top(text)
    if len(parts) == 1 and "=" not in parts[0]:  # a bare value: the one variable the file does not give
        if len(needed) != 1:
            raise UsageError(f"--at {text}: a bare value needs exactly one free variable that is not a column of "
                             f"{source.name}; there are {len(needed)}"
                             + (f" (use {example(needed)})" if needed else ""))
        return parse_point(text, needed)
    given = [p.partition("=")[0].strip() for p in parts]
    both = next((n for n in given if n in columns), None)
    inputs, named = set(graph.inputs), set(given)
    if both is not None:
        raise UsageError(f"'{both}' is given both by --at and by a column of {source.name}: give each variable one "
                         "way (a column varies by row, --at is the same on every row)")
    missing = next((x for x in needed if x not in named), None)
    if missing is not None:
        near = typo(missing, [n for n in given + source.header if n not in inputs])
        raise UsageError(f"no value for the free variable '{missing}': {source.name} has no column '{missing}' and "
                         f"--at {text} does not give it{near}")
    return parse_point(text, needed)


def gradient_names(graph, params: dict[str, float], given: list[str], wrt: str | None) -> list[str]:
    """The gradient of a batch: by --wrt's names, else by the parameters the expression reads (the gradient ML
    computes, of a loss by its weights), else by every free variable."""
    if wrt is not None or not params:
        return given
    return [x for x in graph.inputs if x in params] or given


# ---- running a batch -------------------------------------------------------------------------------------------

def run_file(graph, batch: Batch, names: list[str] | None, fmt: str, digits: int | None, wrt: str | None = None,
             check_tol: float | None = None) -> None:
    """The batch through the graph, written to standard output as `fmt`: values (names None), the gradient over
    `names` (or, with parameters and no --wrt, over the parameters), or with `check_tol` the checks of `dcalc check`.
    Raises at the end if a row failed or an expectation did not hold; with --reduce, at the first row that failed."""
    from ..output.rows import writer
    from .expect import batch_expectation
    checker = None
    source = CsvPoints(batch.path, None, batch.delimiter)
    try:  # the header decides which variables are columns and which are parameters
        batch.params = parameters(graph, batch.at, source)
        if names is not None:
            names = gradient_names(graph, batch.params, names, wrt)
        if check_tol is not None:
            from .check import Checker
            from .options import checked_names
            checked = checked_names(graph, wrt, names)
            checker = ([Checker(graph.part(k), checked, check_tol) for k in range(len(graph.outputs))]
                       if len(graph.outputs) > 1 else [Checker(graph, checked, check_tol)])
        want = batch_expectation(batch.expect, names, source, batch.reduce, graph)
        source.use([x for x in graph.inputs if x not in batch.params], want.columns)
    except DcalcError:
        source.close()
        raise
    data = source.inputs
    if checker is not None:  # several outputs: each checked as a program of its own, on every row
        compute = check_results(checker, list(graph.labels) if len(checker) > 1 else None, data, batch.params)
    else:
        compute = column_results(graph, data, batch.params, names, want.judge(batch.tol) if want.values else None)
    if batch.reduce is not None:
        reduction = Reduction(batch.reduce, names, source.name)
        run(source, compute, reduction, Progress(source))
        return reduction.report(fmt, digits, batch.params, want.values, batch.tol)
    out = writer(fmt, sys.stdout, data, digits, batch.params, [(source.header[k], k) for k in source.extra()])
    run(source, compute, out, Progress(source)).raise_if_failed(source.name)


def column_results(graph, data: list[str], params: dict[str, float], names: list[str] | None, judge=None):
    """Chunk → Results: values (names None) or values and the gradient over `names`, computed as columns; the
    data variables from the chunk's columns, the parameters the same on every row. `judge`: --expect's verdicts.
    Several outputs: every output's value and row of the Jacobian."""
    import numpy as np

    from ..modes import columns
    read = set(graph.inputs)
    fixed = {x: v for x, v in params.items() if x in read}
    parts = [graph.part(k) for k in range(len(graph.outputs))] if len(graph.outputs) > 1 else None

    def compute(chunk: Chunk) -> Results:
        rows = columns.Rows(chunk.status)
        n = len(chunk.status)
        inputs = {x: np.array(col, dtype=float) for x, col in zip(data, chunk.columns)}
        inputs.update((x, np.full(n, v)) for x, v in fixed.items())
        vals = columns.column_values(graph, inputs, rows)
        wrt = [x for x in names or () if x in inputs]  # by a variable it does not read: 0
        zeros = [0.0] * n
        if parts is not None:
            results = Results(names or [], {label: vals[o].tolist() for label, o in zip(graph.labels, graph.outputs)},
                              outputs=list(graph.labels))
            if names is not None:
                results.partials = {label: _part_gradient(part, label, vals, wrt, names, rows, zeros)
                                    for label, part in zip(graph.labels, parts)}
        elif names is None:
            results = Results([], vals[graph.output].tolist())
        else:
            grad = {x: g.tolist() for x, g in columns.column_gradient(graph, vals, wrt, rows).items()} if wrt else {}
            results = Results(names, vals[graph.output].tolist(), {x: grad.get(x, zeros) for x in names})
        if judge is not None:
            results.missed = judge(chunk, results)
        return results
    return compute


def _part_gradient(part, label: str, vals, wrt: list[str], names: list[str], rows, zeros) -> dict[str, list[float]]:
    """One output's row of the Jacobian on every row of a chunk: its gradient as columns over its own nodes. A row
    where it fails gets the status, led by the output's label (which of them has no derivative there)."""
    from ..modes import columns
    from ..modes.jacobian import relabelled
    if not wrt:
        return {x: zeros for x in names}
    own = columns.Rows(rows.status)  # the same statuses; the rows whose values underflowed, as this part's nodes
    own.exact = {r: [v[i] for i in part.origin] for r, v in rows.exact.items()}
    before = list(rows.status)
    grad = columns.column_gradient(part, [vals[i] for i in part.origin], wrt, own)
    for r, (was, now) in enumerate(zip(before, rows.status)):
        if was is None and now is not None:
            rows.fail(r, relabelled(now, label))
    return {x: grad[x].tolist() if x in grad else zeros for x in names}


def check_results(checkers, labels: list[str] | None, data: list[str], params: dict[str, float]):
    """Chunk → Results of `dcalc check` row by row (a check is many scalar passes; it is not the fast path). One
    checker and labels None: a row's check is its report. Several outputs (labels): each output checked as a program
    of its own, a row's check the list of their reports, and its status names the output that failed or disagreed."""
    from ..modes.jacobian import relabelled

    def compute(chunk: Chunk) -> Results:
        out = []
        for k, status in enumerate(chunk.status):
            if status is not None:
                out.append(None)
                continue
            point = {x: col[k] for x, col in zip(data, chunk.columns)} | params
            reports = []
            for j, check in enumerate(checkers):
                try:
                    reports.append(check.check(point))
                except DcalcError as e:
                    chunk.status[k] = e.message if labels is None else relabelled(e.message, labels[j])
                    reports = None
                    break
            if reports is not None and not all(r.ok for r in reports):
                chunk.status[k] = "; ".join(p for j, r in enumerate(reports)
                                            for p in r.problems("f" if labels is None else labels[j]))
            out.append(reports[0] if reports is not None and labels is None else reports)
        return Results(checkers[0].names, checks=out, tolerance=checkers[0].tol, outputs=labels)
    return compute


class Reduction:
    """--reduce: the mean or the sum of the values and partials over every row, in place of a writer. Each is
    summed exactly (modes/columns.ExactSum), chunk by chunk; a row that fails fails the whole reduction. With
    several outputs: every output's value and every entry of the Jacobian."""

    def __init__(self, how: str, names: list[str] | None, name: str):
        self.how, self.names, self.name, self.rows = how, names or [], name, 0
        self.sums: dict = {}  # by Results.keyed()'s names, made on the first chunk
        self.outputs: list[str] | None = None

    def begin(self, header: list[str]) -> None:
        pass

    def write(self, chunk: Chunk, results: Results) -> None:
        from ..modes.columns import ExactSum
        bad = next((k for k, s in enumerate(chunk.status) if s is not None), None)
        if bad is not None:
            raise MathError(f"line {chunk.lines[bad]} of {self.name}: {chunk.status[bad]} (--reduce {self.how} "
                            "needs every row)")
        self.rows += len(chunk.status)
        self.outputs = results.outputs
        try:
            for key, column in results.keyed().items():
                self.sums.setdefault(key, ExactSum()).add(column)
        except OverflowError:
            raise self._overflow() from None

    def result(self) -> dict[str, float]:
        """The sums, or the means: each exact sum rounded once, then divided by the number of rows."""
        if self.how == "mean" and not self.rows:
            raise MathError(f"the mean over no rows is undefined: {self.name} has a header and no rows")
        scale = self.rows if self.how == "mean" else 1
        try:
            return {key: s.total() / scale for key, s in self.sums.items()}
        except OverflowError:
            raise self._overflow() from None

    def _overflow(self) -> MathError:
        return MathError(f"the {self.how} over the rows of {self.name} overflows: a sum is too large for a double")

    def report(self, fmt: str, digits: int | None, params: dict[str, float], expected: dict, tol) -> None:
        """The one result on standard output; then --expect's verdict (constants only: there is one result)."""
        from ..output.rows import reduced_text
        from .expect import fail_on, mismatches
        totals = self.result()
        if self.outputs is not None:
            value = {label: totals[label] for label in self.outputs}
            jac = {label: {x: totals[f"∂{label}/∂{x}"] for x in self.names} for label in self.outputs}
            sys.stdout.write(reduced_text(fmt, digits, self.how, self.rows, params, value,
                                          jac if self.names else None) + "\n")
            return fail_on(mismatches(totals, expected, tol, None, named=True))
        grad = {x: totals[x] for x in self.names}
        sys.stdout.write(reduced_text(fmt, digits, self.how, self.rows, params, totals[""],
                                      grad if self.names else None) + "\n")
        fail_on(mismatches(grad if self.names else {"": totals[""]}, expected, tol, None))
