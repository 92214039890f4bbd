"""trace without a point (the symbolic trace) and trace --paths: what the trace command asks of the engine there."""

from __future__ import annotations

import sys

from ..errors import UsageError

FORMULA_NODES = 2_000  # a trace at a point shows formulas beside its numbers up to this many nodes, unless told


def paths_listing(graph, program, wrt, fmt, at, limit, label: str | None = None, gap: bool = False) -> None:
    """trace --paths: every path from the variable to the output with its product of partials (either mode: the sum
    over paths is what both compute, forward grouping the paths by their beginnings, reverse by their ends).
    `label`: one output of several (its JSON lines say which; `gap`: a blank line before its text)."""
    from ..output.paths import json_record, paths_at, text_lines
    from ..output.render import point_text
    from ..output.render_trace import function_name
    from ..output.trace import trace
    from .options import points_at
    if fmt not in ("text", "json"):
        raise UsageError(f"--paths writes text or json, not {fmt}")
    if not graph.inputs:
        raise UsageError("the expression has no free variables, so there are no paths to list")
    if wrt is None:
        if len(graph.inputs) > 1:
            raise UsageError(f"--paths follows one variable: say which with --wrt (one of {', '.join(graph.inputs)})")
        wrt = graph.inputs[0]
    for k, point in enumerate(points_at(graph, at) if at else [None]):
        t = None if point is None else trace(graph, point, wrt, "forward")
        p = paths_at(graph, wrt, t)
        if fmt == "json":
            import json
            record = ({"output": label} if label is not None else {}) | json_record(p, limit, point)
            sys.stdout.write(json.dumps(record, ensure_ascii=False, allow_nan=False) + "\n")
            continue
        if k or gap:
            sys.stdout.write("\n")
        where = None if point is None else point_text(point)
        for line in text_lines(p, limit, where, label or function_name(program)):
            sys.stdout.write(line + "\n")


def symbolic_trace(graph, program, wrt, mode, fmt, colour, style) -> None:
    """dcalc trace without --at: every node's derivative (or adjoint) as formulas, streamed."""
    from ..output.formats import formula_pieces
    from ..symbolic.derivation import Derivation
    if not graph.inputs:
        raise UsageError("the expression has no free variables, so there is no derivative to trace")
    if wrt is None and mode == "forward":
        if len(graph.inputs) > 1:
            raise UsageError(f"say which variable to differentiate by with --wrt (one of {', '.join(graph.inputs)}),"
                             " or use --mode reverse for the whole gradient")
        wrt = graph.inputs[0]
    for piece in formula_pieces(Derivation(graph, wrt, mode), fmt, program, colour, style):
        sys.stdout.write(piece if fmt == "json" else piece + "\n")


def with_formulas(t, graph, mode) -> None:
    """The derivation beside the numbers of a trace at a point (forward: d/dx; reverse: the adjoints)."""
    from ..symbolic.derivation import Derivation
    if t.wrt is not None:
        t.derivation = Derivation(graph, t.wrt, "forward")
    if mode == "reverse":
        t.adjoint_derivation = Derivation(graph, t.wrt, "reverse")


def stopped(failure, source: str, fmt: str) -> None:
    """After a trace that stops at a node: in text, the source line with a caret under where the node was written
    (as a syntax error shows it), on stdout below the trace; then the error, raised for stderr and exit 1."""
    from ..errors import DcalcError
    from ..output.render import error_text
    if fmt == "text" and failure.span is not None and source:
        spot = DcalcError(failure.error.message, source=source, span=failure.span)
        sys.stdout.write("\n".join(error_text(spot).splitlines()[1:]) + "\n")
    sys.stdout.flush()
    raise failure.error
