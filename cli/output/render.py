"""Results and errors → text for people and JSON for machines. No math here."""

from __future__ import annotations

from ..core.printing import number_text, to_text
from ..errors import DcalcError
from ..language.expr import Assign, Define, Outputs, Var


def number(v: float, digits: int | None = None) -> str:
    return number_text(v, digits)


def json_line(obj: dict) -> str:
    """One JSON object on one line; NaN and Infinity are never written (they are not JSON)."""
    import json  # here, not at the top: text output spares the start-up its import
    return json.dumps(obj, allow_nan=False, ensure_ascii=False)


def point_text(point: dict[str, float], digits: int | None = None) -> str:
    return ", ".join(f"{k} = {number(v, digits)}" for k, v in point.items())


def gradient_text(grad: dict[str, float], digits: int | None = None) -> str:
    """One partial alone as its number; several as `∂f/∂x = 7  ∂f/∂y = 2`."""
    if len(grad) == 1:
        return number(next(iter(grad.values())), digits)
    return "  ".join(f"∂f/∂{n} = {number(d, digits)}" for n, d in grad.items())


def hessian_text(h: dict[str, dict[str, float]], digits: int | None = None, f: str = "f") -> str:
    """One line per row of the Hessian: `∂²f/∂x² = 2  ∂²f/∂x∂y = 1` (`f` the output's name)."""
    return "\n".join("  ".join(f"∂²{f}/{_pair(x, y)} = {number(d, digits)}" for y, d in row.items())
                     for x, row in h.items())


def _pair(x: str, y: str) -> str:
    return f"∂{x}²" if x == y else f"∂{x}∂{y}"


def statement_lines(program, lhs: str = "", labels: list[str] | None = None) -> list[str]:
    """The statements as dcalc read them, fully parenthesised, one a line: `f(a) = …`, `a = …`, and a bare expression
    after `lhs` (dcalc parse joins the lines with '; '; the trace's header writes `f(x) = ` before the expression).
    A list of outputs is `a, b` as read; with the outputs' `labels`, each expression under its label, then the list."""
    lines = []
    for s in program.stmts:
        if isinstance(s, Define):
            lines.append(f"{s.name}({', '.join(s.params)}) = {to_text(s.body, explicit=True)}")
        elif isinstance(s, Assign):
            lines.append(f"{s.name} = {to_text(s.expr, explicit=True)}")
        elif isinstance(s, Outputs) and labels is None:
            lines.append(", ".join(to_text(e, explicit=True) for e in s.items))
        elif isinstance(s, Outputs):
            lines += [f"{label} = {to_text(e, explicit=True)}" for label, e in zip(labels, s.items)
                      if not isinstance(e, Var)]
            lines.append(f"outputs: {', '.join(labels)}")
        else:
            lines.append(lhs + to_text(s, explicit=True))
    return lines


def formula_text(definitions, final, fmt: str) -> str:
    """A derivative as dcalc text (a program when shared pieces are named) or as LaTeX."""
    if fmt == "latex":
        from ..symbolic.latex import name_latex, to_latex
        return "\n".join([f"{name_latex(n)} = {to_latex(e)}" for n, e in definitions] + [to_latex(final)])
    from ..symbolic.formulas import program_text
    return program_text(definitions, final)


CHECK_METHODS = ("forward", "reverse", "symbolic", "finite_difference")
CHECK_FIELDS = CHECK_METHODS + ("finite_difference_error", "max_disagreement")  # a partial's keys in check --json


def check_record(report, names: list[str], tolerance: float, at: dict | None = None, status: str | None = None):
    """The JSON object of `dcalc check` at one point; in a batch with `status`, and null numbers for a failed row."""
    if report is None:
        empty = dict.fromkeys(CHECK_FIELDS)
        return {"at": at, "ok": None, "tolerance": tolerance, "partials": {x: dict(empty) for x in names},
                "status": status}
    record = {"at": report.at if at is None else at, "ok": report.ok, "tolerance": report.tolerance,
              "partials": {x: {m: getattr(p, m) for m in CHECK_FIELDS}
                           for x, p in report.partials.items()}}
    for x, p in report.partials.items():
        if p.symbolic_note:  # symbolic is null (or a limit) for a reason that is not a disagreement
            record["partials"][x]["symbolic_note"] = p.symbolic_note
    if report.kink:
        record["kink"] = True  # the partials are the agreeing left and right derivatives
    if at is not None:
        record["status"] = status or "ok"
    return record


def check_text(report, digits: int | None = None, heading: bool = True, out: str = "f") -> str:
    """A table: one row per partial, one column per method, then the largest disagreement; then the verdict."""
    head = ["", "forward", "reverse", "symbolic", "finite difference", "disagreement"]
    rows = [head] + [[f"∂{out}/∂{x}"] + [_maybe(getattr(p, m), digits) for m in CHECK_METHODS]
                     + [f"{p.max_disagreement:.2g}"] for x, p in report.partials.items()]
    widths = [max(len(r[c]) for r in rows) for c in range(len(head))]
    lines = [f"at {point_text(report.at, digits)}"] if heading and report.at else []
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    fd = _finite_difference_phrase(report, out)
    verdict = "; ".join(report.problems()) or f"ok: forward, reverse and symbolic agree to rounding, {fd}"
    if report.ok and report.kink:
        compared = any(p.finite_difference is not None for p in report.partials.values())
        verdict = ("ok at a kink: the one-sided derivatives agree (forward and reverse); " +
                   (fd if compared else "a finite difference would step across the kink, so none is compared"))
    notes = [f"note: ∂{out}/∂{x}: {'no symbolic value, ' if p.symbolic is None else ''}{p.symbolic_note}"
             for x, p in report.partials.items() if p.symbolic_note]
    return "\n".join(lines + notes + [verdict if report.ok else f"disagreement: {verdict}"])


def _finite_difference_phrase(report, out: str) -> str:
    """How the finite difference agreed: within the tolerance, or (where that alone would not do) within the
    tolerance plus its own error estimate, named, so that `ok` beside a finite difference 4 % off is not read as
    agreement to 1e-06 (∂/∂y of atan2(y, x) at y = 1e-12, x = -1, where the steps cannot resolve the value).
    A derivative of 0 has no scale to be relative to: there the estimate is the floor by design (README, check)."""
    text = f"the finite difference within {report.tolerance:g}"
    leaned = [(p.finite_difference_error / abs(p.reverse), x, p) for x, p in report.partials.items()
              if p.finite_difference is not None and p.reverse != 0
              and abs(p.reverse - p.finite_difference) > report.tolerance * max(abs(p.reverse), abs(p.finite_difference))]
    if not leaned:
        return text
    relative, x, p = max(leaned, key=lambda t: t[0])
    if relative >= 0.5:  # its error is as large as the derivative: it neither confirms nor refutes
        return f"the finite difference cannot tell ∂{out}/∂{x} here (its error estimate {p.finite_difference_error:.2g})"
    return f"{text} plus its own error estimate ({p.finite_difference_error:.2g} for ∂{out}/∂{x})"


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


def error_text(err: DcalcError, message: str | None = None, width: int = 72) -> str:
    """`error: message` (the error's own, or as the command line words it), then the source line with a caret under
    the span when there is one."""
    src, span, message = err.source, err.span, err.message if message is None else message
    lines = []
    if src is not None and span is not None:
        start = min(span[0], len(src))
        row = src.count("\n", 0, start) + 1
        line_start = src.rfind("\n", 0, start) + 1
        line_end = src.find("\n", start)
        line = src[line_start: len(src) if line_end < 0 else line_end].rstrip("\r")
        col = start - line_start
        where = f"line {row}, column {col + 1}: " if "\n" in src.rstrip("\n") else ""
        lines.append(f"error: {where}{message}")
        lo = max(0, col - width // 2)  # a window around the spot, so a 10 MB line prints as one screen line
        shown = line[lo: lo + width]
        pad = "".join("\t" if ch == "\t" else " " * _width(ch) for ch in shown[: col - lo])
        reach = max(1, sum(map(_width, shown[col - lo: col - lo + span[1] - span[0]])))
        lines.append("  " + ("…" if lo else "") + shown.replace("\0", "\\0") + ("…" if lo + width < len(line) else ""))
        lines.append("  " + (" " if lo else "") + pad + "^" * reach)
    else:
        lines.append(f"error: {message}")
    if err.hint:
        lines.append(f"  hint: {err.hint}")
    return "\n".join(lines)
