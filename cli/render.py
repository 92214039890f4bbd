"""Results and errors → text for people and JSON for machines. No math here."""

from __future__ import annotations

import json

from .errors import DcalcError
from .printing import number_text


def number(v: float, digits: int | None = None) -> str:
    return number_text(v, digits)


def json_line(obj: dict) -> str:
    """One JSON object on one line; NaN and Infinity are never written (they are not JSON)."""
    return json.dumps(obj, allow_nan=False, ensure_ascii=False)


def point_text(point: dict[str, float], digits: int | None = None) -> str:
    return ", ".join(f"{k} = {number(v, digits)}" for k, v in point.items())


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
        pad = "".join("\t" if ch == "\t" else " " for ch in shown[: col - lo])
        reach = max(1, min(span[1] - span[0], len(shown) - (col - lo)))
        lines.append("  " + ("…" if lo else "") + shown.replace("\0", "\\0") + ("…" if lo + width < len(line) else ""))
        lines.append("  " + (" " if lo else "") + pad + "^" * reach)
    else:
        lines.append(f"error: {err.message}")
    if err.hint:
        lines.append(f"  hint: {err.hint}")
    return "\n".join(lines)
