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


def eval_points(graph, pts, as_json: bool, digits, expected=None, tol=None) -> list[str]:
    """eval: `label = value` per output (text), or {"at", "value": {label: v}} (JSON); what --expect finds wrong."""
    from ..modes.evaluate import node_values
    from ..output.render import json_line
    from ..output.several import values_text
    from .expect import mismatches
    missed = []
    for point in pts:
        v = values(graph, node_values(graph, point))
        _line(json_line({"at": point, "value": v}) if as_json else values_text(v, digits))
        missed += mismatches(v, expected, tol, point, named=True)
    return missed


def grad_points(graph, pts, names: list[str], seed, as_json: bool, digits, expected=None, tol=None) -> list[str]:
    """grad: the Jacobian (output rows, variable columns), or with --direction every output's derivative along it
    (a Jacobian–vector product: one forward pass). Returns what --expect finds wrong."""
    from ..modes.evaluate import node_values
    from ..modes.jacobian import jacobian
    from ..output.render import json_line
    from ..output.several import jacobian_text, values_text
    from .expect import mismatches
    missed = []
    for point in pts:
        vals = node_values(graph, point)
        v = values(graph, vals)
        if seed is not None:
            d = along(graph, vals, seed)
            _line(json_line({"at": point, "value": v, "direction": seed, "derivative": d}) if as_json
                  else values_text(d, digits))
            missed += mismatches(d, expected, tol, point, named=True)
            continue
        jac = jacobian(graph, vals, names)
        _line(json_line({"at": point, "value": v, "jacobian": jac}) if as_json else jacobian_text(jac, digits))
        missed += mismatches(entries(jac), expected, tol, point, named=True)
    return missed


def entries(jac: dict[str, dict[str, float]]) -> dict[str, float]:
    """The Jacobian's entries by the name --expect gives them: ∂f1/∂r."""
    return {f"∂{label}/∂{x}": d for label, row in jac.items() for x, d in row.items()}


def higher_points(graph, pts, names: list[str], seed, order, hessian: bool, as_json: bool, digits) -> None:
    """grad --order N: each output's N-th derivative (by the one variable, or along --direction), `f1 = …` per
    output; grad --hessian: each output's Hessian, its entries named by the output (∂²f1/∂r∂t)."""
    from ..modes.evaluate import node_values
    from ..modes.hessian import hessian as second
    from ..modes.jacobian import jacobian, part_values
    from ..output.render import hessian_text, json_line
    from ..output.several import values_text
    from .derivatives import nth
    along = {"direction": seed} if seed is not None else {}
    parts = [graph.part(k) for k in range(len(graph.outputs))]
    for point in pts:
        vals = node_values(graph, point)
        v = values(graph, vals)
        if hessian:
            jac = jacobian(graph, vals, names)
            h = {}
            for k, (label, part) in enumerate(zip(graph.labels, parts)):
                try:
                    h[label] = second(part, part_values(part, vals), names)
                except MathError as e:
                    raise labelled(graph, e, k) from None
            _line(json_line({"at": point, "value": v, "jacobian": jac, "hessian": h}) if as_json
                  else "\n".join(hessian_text(hk, digits, label) for label, hk in h.items()))
            continue
        d = {}
        for k, (label, part) in enumerate(zip(graph.labels, parts)):
            try:
                d[label] = nth(part, point, names, seed, order) + 0.0
            except MathError as e:
                raise labelled(graph, e, k) from None
        _line(json_line({"at": point, "value": v, **along, "order": order, "derivative": d}) if as_json
              else values_text(d, digits))


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


def diff_outputs(graph, given: list[str] | None, order: int | None, fmt: str, at, delims: str) -> None:
    """diff: one derivative per output. Text: `∂f1/∂r = cos(t)` per output (a formula that needs definitions: the
    name, then its lines indented), with --at `at r = 2: ∂f1/∂r = …` per output and point; LaTeX and Markdown: one
    display with a line per output; JSON: the formulas keyed by output; code: one function of every output."""
    from ..output.render import formula_text, number, point_text
    from ..output.several import derivative_label
    from ..symbolic.formulas import differentiate, program, wrt_list
    from . import diff_out
    from .options import points_at
    if fmt in diff_out.CODE_FORMATS:
        sys.stdout.write(diff_out.code(graph, given, order, fmt, at, diff_out.about(graph.source, fmt,
                                                                                   _wrt_text(given), order)))
        return
    names = wrt_list(graph, given, order)
    pts = points_at(graph, at) if at else []
    parts = [graph.part(k) for k in range(len(graph.outputs))]
    formulas = [differentiate(part, names) for part in parts]
    def at_points():  # each output's derivative at each point (an error names the output)
        return [[_derivative_at(graph, k, part, d, point, names) for k, (part, d) in enumerate(zip(parts, formulas))]
                for point in pts]
    if fmt == "json":
        from ..output.render import json_line
        return _line(json_line(diff_out.record_several(graph, parts, formulas, names, pts, at_points())))
    if fmt in ("latex", "markdown"):
        from ..output import display, markdown
        values = list(zip(pts, at_points()))
        return _line(display.diff_block_several(graph, names, formulas, values, delims) if fmt == "latex"
                     else markdown.diff_markdown_several(graph, names, formulas, values))
    for label, d in zip(graph.labels, formulas):
        text = formula_text(*program(d, graph.inputs), fmt)
        head = derivative_label(label, names)
        _line(f"{head} = {text}" if "\n" not in text else head + " =\n" + "\n".join("  " + t for t in text.split("\n")))
    for point in pts:  # after the formulas, as for one output: a point where one fails still shows them
        for k, (label, part, d) in enumerate(zip(graph.labels, parts, formulas)):
            v = _derivative_at(graph, k, part, d, point, names)
            _line(f"at {point_text(point)}: {derivative_label(label, names)} = {number(v)}")


def _wrt_text(given: list[str] | None) -> str | None:
    return None if given is None else ",".join(given)


def _derivative_at(graph, k: int, part, d, point, names: list[str]) -> float:
    """Output k's derivative at a point, as diff --at computes one output's; an error names the output."""
    from .derivatives import derivative_at, differentiable
    try:
        differentiable(part, point, names)
        return derivative_at(part, d, point, names) + 0.0
    except MathError as e:
        raise labelled(graph, e, k) from None


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
            problems += [f"{where}{p}" for p in report.problems(label)]
    return problems


# ---- the commands' entries (app.py calls these when the program has several outputs) ----------------------------

def eval_command(graph, at, points_file, expect, fmt: str, digits, tol=None, delimiter=None, reduce=None) -> None:
    from .expect import fail_on
    from .options import points_at
    if points_file is not None:
        return batch(graph, points_file, at, None, fmt, digits, delimiter, reduce, expect, tol)
    from .expect import expected_constants, expected_outputs
    expected = expected_constants(expected_outputs(graph, expect, None))
    fail_on(eval_points(graph, points_at(graph, at), fmt == "json", digits, expected, tol))


def grad_command(graph, at, names, seed, order, hessian, points_file, expect, fmt: str, digits, tol=None,
                 delimiter=None, reduce=None, wrt=None) -> None:
    from .expect import fail_on
    from .options import higher_options, only_gradient, points_at
    if points_file is not None:
        only_gradient(seed is not None or order is not None or hessian, "--points")
        return batch(graph, points_file, at, names, fmt, digits, delimiter, reduce, expect, tol, wrt)
    if order is not None or hessian:
        only_gradient(expect is not None, "--expect")
        higher_options(names, seed, order, hessian)
        return higher_points(graph, points_at(graph, at), names, seed, order, hessian, fmt == "json", digits)
    from .expect import expected_constants, expected_outputs
    expected = expected_constants(expected_outputs(graph, expect, None if seed is not None else names))
    fail_on(grad_points(graph, points_at(graph, at), names, seed, fmt == "json", digits, expected, tol))


def batch(graph, path, at, names, fmt, digits, delimiter, reduce, expect, tol, wrt=None) -> None:
    """--points with several outputs: per row every output's value and (grad) its row of the Jacobian
    (commands/batch.py, which knows both shapes)."""
    from .batch import Batch, run_file
    from .options import delimiter_char
    run_file(graph, Batch(path, at, delimiter_char(delimiter), reduce, expect, tol), names, fmt, digits, wrt)


def check_command(graph, at, wrt, given: list[str], tol: float, points_file, fmt: str, digits,
                  delimiter=None) -> None:
    from .expect import fail_on
    from .options import checked_names, note_unread, points_at
    if points_file is not None:  # each output checked on every row (commands/batch.py)
        from .batch import Batch, run_file
        from .options import delimiter_char
        note_unread(graph, given)
        return run_file(graph, Batch(points_file, at, delimiter_char(delimiter)), given, fmt, digits, wrt, tol)
    names = checked_names(graph, wrt, given)
    note_unread(graph, given)
    fail_on(check_points(graph, names, tol, points_at(graph, at), fmt == "json", digits))


# ---- trace ------------------------------------------------------------------------------------------------------

def parse_seed(graph, text: str) -> dict[str, float]:
    """--seed f1=1,h=0.5: a weight per output (by label; one left out weighs 0), each a constant expression."""
    from .options import constant, split_top
    if not several(graph):
        raise UsageError(f"--seed {text}: the seeds weigh several outputs, and the program has one: leave --seed out "
                         "(its adjoints start from 1)")
    seed: dict[str, float] = {}
    for part in split_top(text):
        name, eq, value = part.partition("=")
        name = name.strip()
        if not eq or not name:
            raise UsageError(f"--seed {text}: expected output=weight, got {part.strip()!r} (the outputs: "
                             f"{', '.join(graph.labels)})")
        if name not in graph.labels:
            raise UsageError(f"--seed {text}: the program has no output '{name}'; its outputs: "
                             f"{', '.join(graph.labels)}")
        if name in seed:
            raise UsageError(f"--seed {text}: '{name}' is given twice")
        seed[name] = constant(value, f"--seed {name}")
    return {label: seed.get(label, 0.0) for label in graph.labels}


def output_program(program, graph, k: int):
    """Output k as a program of its own, for a trace's header and summary: the statements, then `f1 = r*cos(t)`
    (or the bare name)."""
    from ..language.expr import Assign, Program, Var
    item = program.stmts[-1].items[k]
    final = item if isinstance(item, Var) else Assign(graph.labels[k], item, item.span)
    return Program(program.stmts[:-1] + (final,), program.source, program.notes)


def trace_command(graph, program, wrt, mode: str, fmt: str, at, seed_text, paths: bool, formulas, style,
                  colour: bool, max_paths: int = 20) -> None:
    """trace of several outputs: with --seed (reverse mode) one trace of the vector–Jacobian product seedᵀJ; without,
    one trace per output in turn (each as its own program: forward mode gives every output's tangent, reverse mode
    every output's gradient)."""
    from . import traces
    seed = parse_seed(graph, seed_text) if seed_text is not None else None
    if seed is not None and mode != "reverse":
        raise UsageError(f"--seed {seed_text} weighs the outputs' adjoints: use it with --mode reverse")
    if paths and seed is not None:
        raise UsageError(f"--paths lists the paths to each output, --seed {seed_text} weighs one backward pass: leave "
                         "one of them out")
    if paths:  # the paths to each output in turn (JSON: a line per output and point, with "output")
        for k in range(len(graph.outputs)):
            traces.paths_listing(graph.part(k), output_program(program, graph, k), wrt, fmt, at, max_paths,
                                 graph.labels[k], k > 0)
        return
    drawing = fmt in ("dot", "mermaid", "svg")
    if drawing and not at:
        refuse(graph, f"--format {fmt}", " (without --at a drawing follows one output's formulas)")
    if drawing and mode == "reverse" and seed is None:
        raise UsageError(f"--format {fmt} draws one graph: in reverse mode it starts from the outputs' seeds, so give "
                         f"them with --seed ({','.join(f'{label}=1' for label in graph.labels)}), or use forward "
                         "mode, where every output's tangent is drawn")
    if seed is not None and formulas:
        raise UsageError("--formulas shows one output's derivation beside its numbers; a trace with --seed shows the "
                         "numbers: leave --formulas out, or trace each output (no --seed)")
    if seed is not None and not at:
        raise UsageError(f"--seed {seed_text} traces the numbers at a point: give one with --at")
    parts = [(graph.part(k), output_program(program, graph, k)) for k in range(len(graph.outputs))]
    if not at:
        for k, (part, prog) in enumerate(parts):
            if k and fmt != "json":
                sys.stdout.write("\n")
            traces.symbolic_trace(part, prog, wrt, mode, fmt, colour, style)
        return
    from .options import as_given, points_at
    if drawing:  # one drawing of the whole graph at the point: every output marked (trace_drawing: one --at)
        (point,) = points_at(graph, at)
        return _trace_at(graph, program, point, wrt, mode, fmt, False, style, colour, as_given(at[0], point), False,
                         seed)
    for j, point in enumerate(points_at(graph, at)):
        given = as_given(at[j], point)
        if seed is not None:
            _trace_at(graph, program, point, wrt, mode, fmt, False, style, colour, given, j > 0, seed)
            continue
        for k, (part, prog) in enumerate(parts):
            show = len(part.nodes) <= traces.FORMULA_NODES if formulas is None else formulas
            _trace_at(part, prog, point, wrt, mode, fmt, show, style, colour, given, j > 0 or k > 0, None,
                      graph.labels[k])


def _trace_at(graph, program, point, wrt, mode, fmt, show, style, colour, given, gap: bool, seed, label=None):
    """One trace at a point, as trace_command writes it (the same rendering, the same stop at a failing node)."""
    from dataclasses import replace

    from ..output.formats import trace_pieces
    from ..output.trace import trace_until_failure
    from . import traces
    from .exits import cli_message
    t = trace_until_failure(graph, point, wrt, mode, seed)
    if show and t.failure is None:
        traces.with_formulas(t, graph, mode)
    if t.failure is not None:
        t.failure.error.message = cli_message(t.failure.error)
    if gap and fmt != "json":
        sys.stdout.write("\n")
    for k, piece in enumerate(trace_pieces(t, fmt, program, colour, replace(style, given=given))):
        if fmt == "json" and k == 0 and label is not None:
            piece = '{"output": ' + _quoted(label) + ", " + piece[1:]
        sys.stdout.write(piece if fmt == "json" else piece + "\n")
    if t.failure is not None:
        traces.stopped(t.failure, graph.source, fmt)


def _quoted(text: str) -> str:
    import json
    return json.dumps(text, ensure_ascii=False)
