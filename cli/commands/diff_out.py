"""What `dcalc diff` writes besides text and LaTeX: code (--format python|numpy|c|js, symbolic/codegen.py) and JSON
(--json or --format json: the formula, its LaTeX, the variables, the order and the values at the --at points)."""

from __future__ import annotations

from ..errors import UsageError

CODE_FORMATS = ("python", "numpy", "c", "js")


def code(graph, given: list[str] | None, order: int | None, fmt: str, at, about: str) -> str:
    """The function computing the value and the derivative. Without --wrt and --order, several free variables give
    the gradient (text diff asks which variable instead); otherwise the variables are diff's."""
    from ..symbolic.codegen import generate
    from ..symbolic.formulas import wrt_list
    if at:
        raise UsageError(f"--at gives values of a formula; --format {fmt} writes a function to call at any point "
                         f"(dcalc grad gives the numbers)")
    gradient = given is None and order is None and len(graph.inputs) > 1
    names = None if gradient else wrt_list(graph, given, order)
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
