"""The commands on a program with several outputs (`r*cos(t), r*sin(t)`; README, Several outputs): eval gives every
output's value, grad the Jacobian, diff one formula per output, check each output; the options that have no meaning
for several outputs are refused (exit 2) by `refuse`. A program of one output never comes here."""

from __future__ import annotations

import sys

from ..errors import MathError, UsageError
from ..modes.jacobian import labelled


def several(graph) -> bool:
    return len(graph.outputs) > 1


def refuse(graph, option: str, why: str = "") -> None:
    """A usage error for an option that works with one output only."""
    if several(graph):
        raise UsageError(f"{option} works with one output, and the program has {len(graph.outputs)} "
                         f"({', '.join(graph.labels)}){why}: list one output, or leave {option} out")


def _line(text: str) -> None:
    sys.stdout.write(text + "\n")


def values(graph, vals) -> dict[str, float]:
    return {label: vals[o] + 0.0 for label, o in zip(graph.labels, graph.outputs)}


def eval_points(graph, pts, as_json: bool, digits) -> None:
    """eval: `label = value` per output (text), or {"at", "value": {label: v}} (JSON)."""
    from ..modes.evaluate import node_values
    from ..output.render import json_line
    from ..output.several import values_text
    for point in pts:
        v = values(graph, node_values(graph, point))
        _line(json_line({"at": point, "value": v}) if as_json else values_text(v, digits))


def grad_points(graph, pts, names: list[str], seed, as_json: bool, digits) -> None:
    """grad: the Jacobian (output rows, variable columns), or with --direction every output's derivative along it
    (a Jacobian–vector product: one forward pass)."""
    from ..modes.evaluate import node_values
    from ..modes.jacobian import jacobian
    from ..output.render import json_line
    from ..output.several import jacobian_text, values_text
    for point in pts:
        vals = node_values(graph, point)
        v = values(graph, vals)
        if seed is not None:
            d = along(graph, vals, seed)
            _line(json_line({"at": point, "value": v, "direction": seed, "derivative": d}) if as_json
                  else values_text(d, digits))
            continue
        jac = jacobian(graph, vals, names)
        _line(json_line({"at": point, "value": v, "jacobian": jac}) if as_json else jacobian_text(jac, digits))


def along(graph, vals, seed: dict[str, float]) -> dict[str, float]:
    """Every output's derivative along `seed`: one forward pass, or at a kink each output's one-sided ones."""
    from ..errors import NotDifferentiable
    from ..modes.forward import directional, tangents
    try:
        tan = tangents(graph, vals, seed, every=False)
        return {label: (tan[o] or 0.0) + 0.0 for label, o in zip(graph.labels, graph.outputs)}
    except NotDifferentiable:
        pass
    from ..modes.jacobian import part_values
    out = {}
    for k, label in enumerate(graph.labels):
        part = graph.part(k)
        try:
            out[label] = directional(part, part_values(part, vals), seed) + 0.0
        except MathError as e:
            raise labelled(graph, e, k) from None
    return out


def diff_outputs(graph, names: list[str], fmt: str, pts) -> None:
    """diff: `∂f1/∂r = cos(t)` per output (a formula that needs definitions: the name, then its lines indented);
    with --at, `at r = 2: ∂f1/∂r = …` per output and point."""
    from ..output.render import formula_text, number, point_text
    from ..output.several import derivative_label
    from ..symbolic.formulas import differentiate, program
    from .derivatives import derivative_at, differentiable
    if fmt != "text":
        raise UsageError(f"diff --format {fmt} writes one formula; the program has {len(graph.outputs)} outputs "
                         f"({', '.join(graph.labels)}): use --format text, or list one output")
    parts = [graph.part(k) for k in range(len(graph.outputs))]
    formulas = [differentiate(part, names) for part in parts]
    for label, d in zip(graph.labels, formulas):
        text = formula_text(*program(d, graph.inputs), fmt)
        head = derivative_label(label, names)
        _line(f"{head} = {text}" if "\n" not in text else head + " =\n" + "\n".join("  " + t for t in text.split("\n")))
    for point in pts:
        for k, (label, part, d) in enumerate(zip(graph.labels, parts, formulas)):
            try:
                differentiable(part, point, names)
                at = derivative_at(part, d, point, names) + 0.0
            except MathError as e:
                raise labelled(graph, e, k) from None
            _line(f"at {point_text(point)}: {derivative_label(label, names)} = {number(at)}")


def check_points(graph, names: list[str], tol: float, pts, as_json: bool, digits) -> list[str]:
    """check: each output checked as a program of its own at every point; the problems, each naming its output."""
    from ..output.render import check_record, check_text, json_line, point_text
    from .check import Checker
    checkers = [Checker(graph.part(k), names, tol) for k in range(len(graph.outputs))]
    problems = []
    for point in pts:
        for k, (label, checker) in enumerate(zip(graph.labels, checkers)):
            try:
                report = checker.check(point)
            except MathError as e:
                raise labelled(graph, e, k) from None
            if as_json:
                _line(json_line({"output": label, **check_record(report, checker.names, tol)}))
            else:
                _line(f"output {label}:")
                _line(check_text(report, digits, out=label))
            where = f"at {point_text(point)}: " if point else ""
            problems += [f"{where}output {label}: {p}" for p in report.problems()]
    return problems


# ---- the commands' entries (app.py calls these when the program has several outputs) ----------------------------

def eval_command(graph, at, points_file, expect, fmt: str, digits) -> None:
    from .options import points_at
    _no_batch(graph, points_file)
    if expect is not None:
        refuse(graph, "--expect")
    eval_points(graph, points_at(graph, at), fmt == "json", digits)


def grad_command(graph, at, names, seed, order, hessian, points_file, expect, fmt: str, digits) -> None:
    from .options import points_at
    _no_batch(graph, points_file)
    if order is not None:
        refuse(graph, f"--order {order}", " (the Taylor pass follows one output)")
    if hessian:
        refuse(graph, "--hessian", " (a Hessian per output would be a tensor)")
    if expect is not None:
        refuse(graph, "--expect")
    grad_points(graph, points_at(graph, at), names, seed, fmt == "json", digits)


def check_command(graph, at, names, tol: float, points_file, fmt: str, digits) -> None:
    from .expect import fail_on
    from .options import points_at
    _no_batch(graph, points_file)
    fail_on(check_points(graph, names, tol, points_at(graph, at), fmt == "json", digits))


def _no_batch(graph, points_file) -> None:
    if points_file is not None:
        refuse(graph, "--points", " (a batch writes one value or gradient per row)")
