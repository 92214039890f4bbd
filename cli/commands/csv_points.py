"""Points from a CSV file (--points): a header naming the variables, then one point per row, read in chunks.

The file is never loaded whole: rows are read a chunk at a time, so memory depends on the chunk size, not on the
number of rows. The common chunk (every cell a plain number) is converted column by column; a row with a constant
expression (pi/4) or a problem takes the slow path, and a problem becomes that row's status. The cells are separated
by the delimiter given, or the one the header line uses (a comma, a semicolon or a tab; never a guess between two).
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import sys
from dataclasses import dataclass, field
from itertools import chain, islice
from operator import itemgetter

from ..errors import DcalcError, UsageError
from .options import constant, typo

CHUNK = 4096  # rows per chunk: large enough that NumPy's per-call cost vanishes, small enough to stay in cache


@dataclass
class Chunk:
    """Rows of a CSV file as read, and their points as columns: what a batch computes and writes at a time."""

    lines: list[int] = field(default_factory=list)  # line of each row in the file, for messages
    cells: list[list[str]] = field(default_factory=list)  # each row as read, echoed by --format csv
    columns: list[list[float]] = field(default_factory=list)  # per variable, the value of each row
    status: list[str | None] = field(default_factory=list)  # None, or why the row failed
    expected: list[list[float]] = field(default_factory=list)  # per column of --expect col:NAME, each row's value


class CsvPoints:
    """A CSV source of points: a header row naming the variables, then one point per row. `inputs`: the variables
    the file must give (None: bind them later with `use`, once the header is known)."""

    def __init__(self, path: str, inputs: list[str] | None = None, delimiter: str | None = None):
        self.name = "standard input" if path == "-" else path
        self.raw = _open(path)
        self.size = _size(self.raw)
        self.text = io.TextIOWrapper(self.raw, encoding="utf-8-sig", newline="")  # utf-8-sig: drop a BOM
        try:
            before, first = self._first_line()
            self.delimiter = delimiter or sniff(first, self.name)
            self.reader = csv.reader(chain(before, self.text), delimiter=self.delimiter)
            self.header = self._header()
            if inputs is not None:
                self.use(inputs)
        except DcalcError:
            self.close()  # a wrapper left to the garbage collector would close standard input under us
            raise

    def use(self, inputs: list[str], expected: list[str] = ()) -> None:
        """Read the columns of `inputs` (each must be there) as the points, and those of `expected` as numbers too."""
        self.missing(inputs)
        column = {name: k for k, name in enumerate(self.header)}  # (header.index per input was quadratic)
        self.inputs, self.expected = inputs, list(expected)
        self.index = [column[n] for n in inputs + self.expected]

    def missing(self, inputs: list[str], hint: str = "") -> None:
        """A variable without a column is an error, with a did-you-mean for a column that looks like it."""
        seen = set(self.header)
        missing = next((n for n in inputs if n not in seen), None)
        if missing is not None:
            known = set(inputs)
            near = typo(missing, [n for n in self.header if n not in known])
            more = near or (f" (its columns: {_few(self.header)}; the variables: {_few(inputs)})"
                            + hint.replace("{name}", missing))
            raise UsageError(f"{self.name} has no column for the variable '{missing}'{more}")

    def extra(self) -> list[int]:
        """The columns that are not variables (echoed with each result, not used), by position."""
        used = set(self.inputs)
        return [k for k, name in enumerate(self.header) if name not in used]

    def position(self) -> int:
        """Bytes read so far (for the progress bar)."""
        try:
            return self.raw.tell()
        except (OSError, ValueError):
            return 0

    def _blocks(self, size: int):
        """Blocks of up to `size` rows as read (blank ones included) with their line numbers; the csv module pulls
        each block in C, so no Python runs per row on the common path."""
        reader = self.reader
        try:
            while True:
                start = reader.line_num
                block = list(islice(reader, size))
                if not block:
                    return
                yield _line_numbers(start, block, reader.line_num), block
        except UnicodeDecodeError as e:
            raise UsageError(f"{self.name} is not UTF-8 text (bad byte at offset {e.start} of a block near line "
                             f"{reader.line_num + 1})") from None
        except csv.Error as e:
            raise UsageError(f"{self.name}, line {reader.line_num}: {e}") from None

    def _first_line(self) -> tuple[list[str], str]:
        """The lines up to the first that is not blank, to find the delimiter in; the reader reads them again."""
        lines = []
        try:
            while line := self.text.readline():
                lines.append(line)
                if line.strip():
                    return lines, line
        except UnicodeDecodeError as e:
            raise UsageError(f"{self.name} is not UTF-8 text (bad byte at offset {e.start} near line "
                             f"{len(lines) + 1})") from None
        return lines, ""

    def _header(self) -> list[str]:
        """The header row. Columns that are not variables are allowed (a point may name variables the expression
        does not read, and an `id` column is echoed with the results); a variable without a column is an error."""
        # one row at a time, so that the header's block does not swallow data rows
        first = next((row for _, (row,) in self._blocks(1) if not _blank(row)), None)
        if first is None:
            raise UsageError(f"{self.name} has no header row (a header names the variables, then one point per row)")
        header = [c.strip() for c in first]
        seen = set()
        for name in header:
            if name in seen:
                raise UsageError(f"{self.name}: the column '{_clip(name)}' appears twice in the header")
            seen.add(name)
        return header

    def chunks(self, size: int = CHUNK):
        """Chunks of at most `size` rows, in order; blank rows (a row of empty cells too: ',,' from a spreadsheet)
        are skipped."""
        for lines, rows in self._blocks(size):
            chunk = self._fast(lines, rows) or self._by_row(lines, rows)
            if chunk.lines:
                yield chunk

    def _fast(self, lines: list[int], rows: list[list[str]]) -> Chunk | None:
        """The common chunk: every row complete, every cell a plain finite number; converted column by column.
        A blank row is never complete or a number, so it takes the other path."""
        if set(map(len, rows)) != {len(self.header)}:
            return None
        cells = [list(map(itemgetter(k), rows)) for k in self.index]
        if any(not (text := "".join(col)).isascii() or "_" in text for col in cells):
            return None  # float() would also read other scripts' digits and 1_000; dcalc's numbers are [0-9]
        try:
            columns = [list(map(float, col)) for col in cells]
        except ValueError:
            return None
        if any((t := sum(col)) - t != 0 for col in columns):  # an inf or nan cell (or a sum that overflows)
            return None
        n = len(self.inputs)
        return Chunk(lines, rows, columns[:n], [None] * len(rows), columns[n:])

    def _by_row(self, lines: list[int], rows: list[list[str]]) -> Chunk:
        chunk = Chunk(columns=[[] for _ in self.inputs], expected=[[] for _ in self.expected])
        for line, row in zip(lines, rows):
            if _blank(row):
                continue
            point, status = self._slow(row)
            for column, v in zip(chunk.columns + chunk.expected, point):
                column.append(v)
            chunk.lines.append(line)
            chunk.cells.append(row)
            chunk.status.append(status)
        return chunk

    def _slow(self, row: list[str]) -> tuple[list[float], str | None]:
        """The point of a row with constant expressions (pi/4) or a problem, which becomes the row's status."""
        if len(row) != len(self.header):
            return [math.nan] * len(self.index), f"the row has {len(row)} cells, the header {len(self.header)}"
        point, status = [], None
        for name, k in zip(self.inputs + self.expected, self.index):
            try:
                point.append(constant(row[k], f"column {name}"))
            except DcalcError as e:  # the row fails, but its good cells are still echoed
                point.append(math.nan)
                status = status or e.message
        return point, status

    def close(self) -> None:
        if self.raw is not sys.stdin.buffer:
            self.text.close()
        else:
            self.text.detach()


DELIMITERS = {",": "a comma", ";": "a semicolon", "\t": "a tab"}


def sniff(line: str, name: str) -> str:
    """The delimiter the header line uses: the one of a comma, a semicolon and a tab that it has outside quotes (a
    comma when it has none: one column). Two of them is a question only the user can answer."""
    found = [d for d in DELIMITERS if d in _QUOTED.sub("", line)]
    if len(found) > 1:
        both = " and ".join(DELIMITERS[d] for d in found)
        raise UsageError(f"{name}: the header line has {both}: say which separates the columns with --delimiter")
    return found[0] if found else ","


_QUOTED = re.compile(r'"[^"]*"?')


def _few(names: list[str], shown: int = 8) -> str:
    """The first few names, comma-separated: a header of 10,000 columns is not repeated whole in a message."""
    return ", ".join(map(_clip, names[:shown])) + (", …" if len(names) > shown else "") or "none"


def _clip(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[:n] + "…"


def _blank(row: list[str]) -> bool:
    return not any(c.strip() for c in row)


def _line_numbers(start: int, block: list[list[str]], end: int) -> list[int]:
    """The line on which each row of a block begins: consecutive, unless a quoted cell spans lines."""
    if end - start == len(block):
        return list(range(start + 1, end + 1))
    lines, line = [], start + 1
    for row in block:
        lines.append(line)
        line += 1 + sum(c.count("\n") for c in row)
    return lines


def _open(path: str):
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as e:
        raise UsageError(f"cannot read the points file {path!r}: {e.strerror or e}") from None


def _size(raw) -> int | None:
    """The size of a regular file (None for a pipe or a terminal: their length is unknown until the end)."""
    try:
        st = os.fstat(raw.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
    import stat
    return st.st_size if stat.S_ISREG(st.st_mode) else None
