"""Results and errors → text for people and JSON for machines. No math here."""

from __future__ import annotations

from .core.printing import number_text
from .errors import DcalcError


def number(v: float, digits: int | None = None) -> str:
    return number_text(v, digits)


def json_line(obj: dict) -> str:
    """One JSON object on one line; NaN and Infinity are never written (they are not JSON)."""
    import json  # here, not at the top: text output spares the start-up its import
    return json.dumps(obj, allow_nan=False, ensure_ascii=False)


def point_text(point: dict[str, float], digits: int | None = None) -> str:
    return ", ".join(f"{k} = {number(v, digits)}" for k, v in point.items())


CHECK_METHODS = ("forward", "reverse", "symbolic", "finite_difference")
CHECK_FIELDS = CHECK_METHODS + ("finite_difference_error", "max_disagreement")  # a partial's keys in check --json


def check_record(checked, names: list[str], tolerance: float, at: dict | None = None, status: str | None = None):
    """The JSON object of `dcalc check` at one point; in a batch with `status`, and null numbers for a failed row."""
    if checked is None:
        empty = dict.fromkeys(CHECK_FIELDS)
        return {"at": at, "ok": None, "tolerance": tolerance, "partials": {x: dict(empty) for x in names},
                "status": status}
    record = {"at": checked.at if at is None else at, "ok": checked.ok, "tolerance": checked.tolerance,
              "partials": {x: {m: getattr(p, m) for m in CHECK_FIELDS}
                           for x, p in checked.partials.items()}}
    for x, p in checked.partials.items():
        if p.symbolic_note:  # symbolic is null for a reason that is not a disagreement
            record["partials"][x]["symbolic_note"] = p.symbolic_note
    if checked.kink:
        record["kink"] = True  # the partials are the agreeing left and right derivatives
    if at is not None:
        record["status"] = status or "ok"
    return record


def check_text(checked, digits: int | None = None, heading: bool = True) -> str:
    """A table: one row per partial, one column per method, then the largest disagreement; then the verdict."""
    head = ["", "forward", "reverse", "symbolic", "finite difference", "disagreement"]
    rows = [head] + [[f"∂f/∂{x}"] + [_maybe(getattr(p, m), digits) for m in CHECK_METHODS]
                     + [f"{p.max_disagreement:.2g}"] for x, p in checked.partials.items()]
    widths = [max(len(r[c]) for r in rows) for c in range(len(head))]
    lines = [f"at {point_text(checked.at, digits)}"] if heading and checked.at else []
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    verdict = "; ".join(checked.problems()) or (f"ok: forward, reverse and symbolic agree to rounding, the "
                                                 f"finite difference within {checked.tolerance:g}")
    if checked.ok and checked.kink:
        compared = any(p.finite_difference is not None for p in checked.partials.values())
        verdict = ("ok at a kink: the left and right derivatives agree (forward and reverse); " +
                   (f"the finite difference within {checked.tolerance:g}" if compared else
                    "a finite difference would step across the kink, so none is compared"))
    notes = [f"note: ∂f/∂{x}: no symbolic value, {p.symbolic_note}"
             for x, p in checked.partials.items() if p.symbolic_note]
    return "\n".join(lines + notes + [verdict if checked.ok else f"disagreement: {verdict}"])


def _maybe(v: float | None, digits: int | None) -> str:
    return "-" if v is None else number(v, digits)


def _width(ch: str) -> int:
    """The columns a character takes on a terminal: 0 for a combining accent, 2 for a wide (CJK) one, else 1."""
    if ch.isascii():
        return 1
    import unicodedata
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def error_text(err: DcalcError, width: int = 72) -> str:
    """`error: message`, then the source line with a caret under the span when there is one."""
    src, span = err.source, err.span
    lines = []
    if src is not None and span is not None:
        start = min(span[0], len(src))
        row = src.count("\n", 0, start) + 1
        line_start = src.rfind("\n", 0, start) + 1
        line_end = src.find("\n", start)
        line = src[line_start: len(src) if line_end < 0 else line_end].rstrip("\r")
        col = start - line_start
        where = f"line {row}, column {col + 1}: " if "\n" in src.rstrip("\n") else ""
        lines.append(f"error: {where}{err.message}")
        lo = max(0, col - width // 2)  # a window around the spot, so a 10 MB line prints as one screen line
        shown = line[lo: lo + width]
        pad = "".join("\t" if ch == "\t" else " " * _width(ch) for ch in shown[: col - lo])
        reach = max(1, sum(map(_width, shown[col - lo: col - lo + span[1] - span[0]])))
        lines.append("  " + ("…" if lo else "") + shown.replace("\0", "\\0") + ("…" if lo + width < len(line) else ""))
        lines.append("  " + (" " if lo else "") + pad + "^" * reach)
    else:
        lines.append(f"error: {err.message}")
    if err.hint:
        lines.append(f"  hint: {err.hint}")
    return "\n".join(lines)
