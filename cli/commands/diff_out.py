"""What `dcalc diff` writes besides text and LaTeX: code (--format python|numpy|c|js, symbolic/codegen.py) and JSON
(--json or --format json: the formula, its LaTeX, the variables, the order and the values at the --at points)."""

from __future__ import annotations

from ..errors import UsageError

CODE_FORMATS = ("python", "numpy", "c", "js")


def code(graph, given: list[str] | None, order: int | None, fmt: str, at, about: str) -> str:
    """The function computing the value and the derivative. Without --wrt and --order, several free variables give
    the gradient (text diff asks which variable instead); otherwise the variables are diff's."""
    from ..symbolic.codegen import generate, generate_several
    from ..symbolic.formulas import wrt_list
    if at:
        raise UsageError(f"--at gives values of a formula; --format {fmt} writes a function to call at any point "
                         f"(dcalc grad gives the numbers)")
    gradient = given is None and order is None and len(graph.inputs) > 1
    names = None if gradient else wrt_list(graph, given, order)
    if len(graph.outputs) > 1:  # every output's value and derivative (the Jacobian) from one function
        return generate_several(graph, names, fmt, about)
    return generate(graph, names, fmt, about)


def about(expr_text: str, fmt: str, wrt: str | None, order: int | None) -> str:
    """The command line that made the code, for its heading comment."""
    parts = [f'dcalc diff "{expr_text}"'] + ([f"--wrt {wrt}"] if wrt else []) + (
        [f"--order {order}"] if order is not None else [])
    return " ".join(parts + [f"--format {fmt}"])


def record(graph, d, names: list[str], at) -> dict:
    """diff's JSON object: the derivative's formula as dcalc text (a program when shared pieces are named) and as
    LaTeX, the free variables, the variables differentiated by, the order, and the value and derivative per point."""
    from ..modes.evaluate import value
    from ..output.render import formula_text
    from ..symbolic.formulas import program
    from . import options as opt
    from .derivatives import derivative_at, differentiable
    pieces = program(d, graph.inputs)
    out = {"expr": graph.source, "variables": list(graph.inputs), "wrt": list(names), "order": len(names),
           "formula": formula_text(*pieces, "text"), "latex": formula_text(*pieces, "latex")}
    if at:
        values = []
        for point in opt.points_at(graph, at):
            differentiable(graph, point, names)
            values.append({"at": point, "value": value(graph, point),
                           "derivative": derivative_at(graph, d, point, names) + 0.0})
        out["values"] = values
    return out


def record_several(graph, parts, formulas, names: list[str], pts, at_points) -> dict:
    """diff's JSON object for several outputs: as for one, with `outputs` (the labels), and `formula`, `latex` and
    each point's `value` and `derivative` keyed by output (as grad's "value" and "jacobian" are)."""
    from ..modes.evaluate import node_values
    from ..output.render import formula_text
    from ..symbolic.formulas import program
    pieces = [program(d, graph.inputs) for d in formulas]
    out = {"expr": graph.source, "variables": list(graph.inputs), "wrt": list(names), "order": len(names),
           "outputs": list(graph.labels),
           "formula": {label: formula_text(*p, "text") for label, p in zip(graph.labels, pieces)},
           "latex": {label: formula_text(*p, "latex") for label, p in zip(graph.labels, pieces)}}
    if pts:
        out["values"] = []
        for point, got in zip(pts, at_points):
            vals = node_values(graph, point)
            out["values"].append({"at": point, "value": {label: vals[o] + 0.0 for label, o in zip(graph.labels,
                                                                                                   graph.outputs)},
                                  "derivative": dict(zip(graph.labels, got))})
    return out
