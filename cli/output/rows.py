"""Batch results written row by row, in the order of the input: JSON lines, CSV or text. No math here.

Each writer takes the chunks of commands/batch.py: a Chunk (the rows as read, their points as columns, their
status) and the Results computed for it. A row that failed has its reason as `status` and null (JSON) or empty (CSV)
numbers. The common case, a row that
worked, goes through a %-template built once per batch: at 100,000 rows the writing costs more than the computing.
"""

from __future__ import annotations

import csv
import json
import math

from ..core.printing import number_text
from .render import CHECK_METHODS, check_record, check_text, json_line

CHECK_COLUMNS = CHECK_METHODS + ("max_disagreement",)  # per partial, the CSV columns of `dcalc check`


def _json_number(v: float | None):
    return v if v is not None and math.isfinite(v) else None


class JsonWriter:
    """One JSON line per row: `at` the row's variables and the parameters, `extra` the other columns as read."""

    def __init__(self, out, inputs: list[str], params: dict[str, float] | None = None,
                 extra: list[tuple[str, int]] = ()):
        self.out, self.inputs, self.params, self.extra = out, inputs, params or {}, list(extra)

    def begin(self, header: list[str]) -> None:
        self.template = self.missed_template = None

    def _template(self, results, status: str = '"ok"') -> str:
        """`{"at": {"x": %r, "w": 0.5}, "value": %r, "gradient": {"x": %r}, "status": "ok"}`: repr of a finite float
        is JSON; the parameters are the same on every row, written into the template."""
        at = [f"{json.dumps(n)}: %r" for n in self.inputs]
        at += [f"{json.dumps(n)}: {v!r}" for n, v in self.params.items()]
        parts = [f'"at": {{{", ".join(at)}}}'] + (['"extra": %s'] if self.extra else [])
        if results.outputs is not None:  # several outputs: as at a point, {"f1": …} and the Jacobian
            parts.append(f'"value": {_keyed(results.outputs, "%r")}')
            if results.partials is not None:
                rows = [_keyed(row, "%r") for row in results.partials.values()]
                parts.append(f'"jacobian": {_keyed(results.partials, rows)}')
            return "{" + ", ".join(parts + [f'"status": {status}']) + "}\n"
        parts.append('"value": %r')
        if results.partials is not None:
            grad = ", ".join(f"{json.dumps(n)}: %r" for n in results.partials)
            parts.append(f'"gradient": {{{grad}}}')
        return "{" + ", ".join(parts + [f'"status": {status}']) + "}\n"

    def _extra(self, cells: list[str]) -> str:
        """The columns that are not variables, as read (text: an id stays '007'); null for a cell a short row lacks."""
        return "{" + ", ".join(f"{json.dumps(name, ensure_ascii=False)}: "
                               f"{json.dumps(cells[k], ensure_ascii=False) if k < len(cells) else 'null'}"
                               for name, k in self.extra) + "}"

    def write(self, chunk, results) -> None:
        if results.checks is not None:
            return self._checks(chunk, results)
        template = self.template = self.template or self._template(results)
        extra = [list(map(self._extra, chunk.cells))] if self.extra else []
        rows = zip(*chunk.columns, *extra, *results.keyed().values())  # a row without a status: only finite numbers
        missed = results.missed or [None] * len(chunk.status)
        if not any(chunk.status) and not any(missed):
            self.out.write("".join(map(template.__mod__, rows)))
            return
        self.missed_template = self.missed_template or self._template(results, "%s")
        self.out.write("".join(
            self._failed(chunk, k, results) if status is not None
            else template % row if miss is None
            else self.missed_template % (*row, json.dumps(miss, ensure_ascii=False))
            for k, (row, status, miss) in enumerate(zip(rows, chunk.status, missed))))

    def _at(self, chunk, k: int) -> dict:
        at = {x: _json_number(column[k]) for x, column in zip(self.inputs, chunk.columns)}
        return at | self.params

    def _record(self, chunk, k: int, record: dict) -> dict:
        """`at` (and `extra`) first, then the rest of the record."""
        head = {"at": self._at(chunk, k)}
        if self.extra:
            head["extra"] = json.loads(self._extra(chunk.cells[k]))
        return head | record

    def _failed(self, chunk, k: int, results) -> str:
        record = {"value": None}
        if results.outputs is not None:
            record["value"] = dict.fromkeys(results.outputs)
            if results.partials is not None:
                record["jacobian"] = {label: dict.fromkeys(row) for label, row in results.partials.items()}
        elif results.partials is not None:
            record["gradient"] = dict.fromkeys(results.partials)
        record["status"] = chunk.status[k]
        return json.dumps(self._record(chunk, k, record), ensure_ascii=False) + "\n"

    def _checks(self, chunk, results) -> None:
        if results.outputs is not None:  # several outputs: a line per row and output, "output" first (as at --at)
            return self._checks_several(chunk, results)
        for k, report in enumerate(results.checks):
            record = check_record(report, results.names, results.tolerance, self._at(chunk, k), chunk.status[k])
            self.out.write(json_line(self._record(chunk, k, record)) + "\n")


    def _checks_several(self, chunk, results) -> None:
        for k, reports in enumerate(results.checks):
            for label, report in zip(results.outputs, reports or [None] * len(results.outputs)):
                status = chunk.status[k] if report is None else "; ".join(report.problems()) or None
                record = check_record(report, results.names, results.tolerance, self._at(chunk, k), status)
                self.out.write(json_line({"output": label} | self._record(chunk, k, record)) + "\n")


def unique(names: list[str], taken: list[str]) -> list[str]:
    """dcalc's column names, each made unique beside the input columns as read (which keep theirs): a name already
    taken gets `.1` (`.2`, …), as pandas names a repeated column when it reads one (an output `x` beside the input
    column x, a column `value` or `status` in the file), so that a reader by name (csv.DictReader) loses no column."""
    seen, out = set(taken), []
    for name in names:
        new, k = name, 0
        while new in seen:
            k += 1
            new = f"{name}.{k}"
        seen.add(new)
        out.append(new)
    return out


class CsvWriter:
    """The input columns as read, then `value`, then one column per partial, then `status`."""

    def __init__(self, out, inputs: list[str]):
        self.out, self.inputs = out, inputs
        self.csv = csv.writer(out, lineterminator="\n")

    def begin(self, header: list[str]) -> None:
        self.header, self.started = header, False

    def _start(self, results) -> None:
        if results.checks is not None and results.outputs is not None:  # f1, ∂f1/∂x forward, …, f2, …, ok
            extra = [c for label in results.outputs for c in [label] + [f"∂{label}/∂{x} {m}" for x in results.names
                                                                       for m in CHECK_COLUMNS]] + ["ok"]
        elif results.checks is not None:
            extra = ["value"] + [f"∂f/∂{x} {m}" for x in results.names for m in CHECK_COLUMNS] + ["ok"]
        else:
            extra = ["value"] + [f"∂f/∂{x}" for x in results.partials or ()]
            if results.outputs is not None:  # f1, f2, then ∂f1/∂x …: as --expect names them
                extra = list(results.keyed())
        self.csv.writerow(self.header + unique(extra + ["status"], self.header))
        self.started = True

    def write(self, chunk, results) -> None:
        if not self.started:
            self._start(results)
        width = len(self.header)
        missed = results.missed or [None] * len(chunk.status)
        if (results.checks is None and not any(chunk.status) and not any(missed)
                and all(len(c) == width for c in chunk.cells)):
            return self._fast(chunk, results)
        rows = []
        for k, cells in enumerate(chunk.cells):
            cells = (cells + [""] * width)[:width]  # a short or long row still fills exactly the header's columns
            rows.append(cells + self._numbers(k, chunk.status[k], results, missed[k]))
        self.csv.writerows(rows)

    def _fast(self, chunk, results) -> None:
        """Rows that all worked: the numbers through a %-template, the cells through the csv module's quoting."""
        numbers = list(results.keyed().values())
        template = ",".join(["%r"] * len(numbers)) + ",ok\n"
        everything = "\0".join(map("\0".join, chunk.cells))
        if any(ch in everything for ch in ',"\r\n'):  # some cell needs quoting: the csv module does it
            return self.csv.writerows(c + self._numbers(k, None, results) for k, c in enumerate(chunk.cells))
        cells = map(",".join, chunk.cells)
        self.out.write("".join(map("%s,%s".__mod__, zip(cells, map(template.__mod__, zip(*numbers))))))

    def _numbers(self, k: int, status: str | None, results, missed: str | None = None) -> list:
        if results.checks is not None and results.outputs is not None:
            reports = results.checks[k]
            if reports is None:
                return [""] * ((1 + len(results.names) * len(CHECK_COLUMNS)) * len(results.outputs) + 1) + [status]
            cells = [c for r in reports for c in [_cell(r.value)] + [_cell(getattr(p, m)) for p in r.partials.values()
                                                                     for m in CHECK_COLUMNS]]
            return cells + ["true" if all(r.ok for r in reports) else "false", status or "ok"]
        if results.checks is not None:
            report = results.checks[k]
            if report is None:
                return [""] * (1 + len(results.names) * len(CHECK_COLUMNS) + 1) + [status]
            cells = [_cell(getattr(p, m)) for p in report.partials.values() for m in CHECK_COLUMNS]
            return [_cell(report.value)] + cells + ["true" if report.ok else "false", status or "ok"]
        numbers = results.keyed().values()
        if status is not None:
            return [""] * len(numbers) + [status]
        return [repr(p[k]) for p in numbers] + [missed or "ok"]


def _cell(v: float | None) -> str:
    return "" if v is None else repr(v)


class TextWriter:
    """For people: what the single-point command prints, one line per row; a failed row says `error: …`."""

    def __init__(self, out, inputs: list[str], digits: int | None = None):
        self.out, self.inputs, self.digits = out, inputs, digits

    def begin(self, header: list[str]) -> None:
        pass

    def write(self, chunk, results) -> None:
        lines = []
        for k, status in enumerate(chunk.status):
            if results.checks is not None and results.checks[k] is not None and results.outputs is not None:
                lines += [f"output {label}:\n{check_text(r, self.digits, heading=True, out=label)}"
                          for label, r in zip(results.outputs, results.checks[k])]
            elif results.checks is not None and results.checks[k] is not None:
                lines.append(check_text(results.checks[k], self.digits, heading=True))
            elif status is not None:
                lines.append(f"error: line {chunk.lines[k]}: {status}")
            else:
                lines.append(self._line(k, results))
        self.out.write("".join(line + "\n" for line in lines))

    def _line(self, k: int, results) -> str:
        if results.outputs is not None:  # one line a row: f1 = 2  f2 = 0, or ∂f1/∂x = 1  ∂f1/∂y = 0  ∂f2/∂x = …
            shown = results.keyed().items()
            if results.partials is not None:
                shown = [(key, p) for key, p in shown if key not in results.values]
            return "  ".join(f"{key} = {number_text(p[k], self.digits)}" for key, p in shown)
        partials = results.partials
        if partials is None:
            return number_text(results.values[k], self.digits)
        if len(partials) == 1:
            return number_text(next(iter(partials.values()))[k], self.digits)
        return "  ".join(f"∂f/∂{x} = {number_text(p[k], self.digits)}" for x, p in partials.items())


def _keyed(names, values) -> str:
    """A JSON object's text with these keys and these values' texts (one text for every key, or a list of them)."""
    texts = [values] * len(names) if isinstance(values, str) else values
    return "{" + ", ".join(f"{json.dumps(n, ensure_ascii=False)}: {v}" for n, v in zip(names, texts)) + "}"


def writer(fmt: str, out, inputs: list[str], digits: int | None = None, params: dict[str, float] | None = None,
           extra: list[tuple[str, int]] = ()):
    """The writer of `fmt`; `params` (the --at beside --points) and `extra` (the other columns) show in JSON; CSV
    echoes every column as read, and text shows the results alone."""
    if fmt == "json":
        return JsonWriter(out, inputs, params, extra)
    if fmt == "csv":
        return CsvWriter(out, inputs)
    return TextWriter(out, inputs, digits)


def reduced_text(fmt: str, digits: int | None, how: str, rows: int, params: dict[str, float], value,
                 derivatives: dict | None) -> str:
    """The one result of --reduce, as one point's: the number or the gradient in text, or with several outputs
    (`value` {label: …}) `f1 = …` per output or the Jacobian as a matrix; JSON with the parameters, how and over how
    many rows, and "gradient" or "jacobian"."""
    several = isinstance(value, dict)
    if fmt != "json":
        if several:
            from .several import jacobian_text, values_text
            return values_text(value, digits) if derivatives is None else jacobian_text(derivatives, digits)
        from .render import gradient_text, number
        return number(value, digits) if derivatives is None else gradient_text(derivatives, digits)
    record = {"at": params, "reduce": how, "rows": rows, "value": value}
    if derivatives is not None:
        record["jacobian" if several else "gradient"] = derivatives
    return json_line(record)
