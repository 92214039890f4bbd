"""The commands: each reads its options (commands/options.py), calls the engine, renders (output/) and leaves errors
and exit codes to commands/exits.py. With commands/, the only place typer is used.
"""

# No `from __future__ import annotations` here: typer reads every parameter's annotation through
# typing.get_type_hints, which compiles and evaluates annotations written as strings (2 ms of every start-up).
import os
import sys
from typing import Annotated, List, Optional

import typer

from . import __version__
from .commands.defaults import CHECK_TOL, DIFF_FORMATS, EXPECT_TOL, FORMATS, MODES, SHELLS, TRACE_FORMATS
from .commands.exits import EXIT_CODES, cli_message, handles_errors
from .commands.params import Expression, OneOf, Real, Whole


def _short(tol: float) -> str:
    """1e-9, not 1e-09: a tolerance as people write it, in the help."""
    return f"{tol:.0e}".replace("e-0", "e-")


def _completion(ctx, param, value):
    """--show-completion and --install-completion (commands/completion.py, imported only for them)."""
    if value is None or ctx.resilient_parsing:
        return
    from .commands import completion
    if param.name == "show_completion":
        typer.echo(completion.script(value))
    else:
        typer.echo(f"{value} completion installed in {completion.install(value)}; it takes effect in a new shell")
    raise typer.Exit()


class _Commands(typer.core.TyperGroup):
    """The root help lists every command with its one-line example, the `Example:` of the command's docstring. The
    completion options are click's own (a typer callback would cost every start-up an inspection of its signature)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        what = "the shell: commands, options, the choices of --format and --mode, function names."
        self.params += [typer.core.TyperOption(param_decls=[f"--{name}-completion"], type=OneOf(SHELLS),
                                               callback=_completion, is_eager=True, expose_value=False, help=text + what)
                        for name, text in (("show", "Print the completion script of "), ("install", "Install "
                                                                                            "completion in "))]

    def format_commands(self, ctx, formatter):
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        width = max((len(name) for name, _ in commands), default=0) + 2
        with formatter.section("Commands"):
            for name, command in commands:
                first = (command.help or "").split("\n\n")[0]  # the example closes the first paragraph
                example = " ".join(first.split()).partition(" Example: ")[2]
                formatter.write(f"  {name:<{width}}{command.get_short_help_str(formatter.width - width - 2)}\n")
                if example:
                    formatter.write(f"  {'':<{width}}{example.strip()}\n")


class _Command(typer.core.TyperCommand):
    """A command whose usage line reads `dcalc grad [OPTIONS] EXPR` (typer writes a required argument as {EXPR})."""

    def collect_usage_pieces(self, ctx):
        return [p[1:-1] if p[:1] == "{" and p[-1:] == "}" else p for p in super().collect_usage_pieces(ctx)]


class _App(typer.Typer):
    def command(self, *args, **kwargs):
        return super().command(*args, cls=kwargs.pop("cls", _Command), **kwargs)


app = _App(cls=_Commands, add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  pretty_exceptions_enable=False, context_settings={"help_option_names": ["-h", "--help"]},
                  help="dcalc: values, derivatives, gradients, and how the total derivative comes about.\n\n"
                       + EXIT_CODES, epilog="Run 'dcalc COMMAND --help' for a command's options.")

EXPR_HELP = ("An expression or a program ('a = x^2; a + x'); '-' reads it from standard input, '@FILE' from the "
             "file FILE.")
AT_HELP = ("A point: '2' for one variable or 'x=2,y=-1.5'; values may be constant expressions (x=pi/4), and names the "
           "expression does not read are allowed. Repeatable.")
JSON_HELP = "One JSON object per line, per point."
DIGITS_HELP = "Significant digits for text output (default: the shortest text that reads back exactly)."
POINTS_HELP = ("A CSV file of points ('-' reads standard input): a header naming the variables, one point per row; "
               "one result per row, a failed row gets a status and does not stop the batch (exit 1 at the end). "
               "With --at too: the columns are the data, --at the parameters (the same on every row).")
FORMAT_HELP = "text, json (the same as --json) or csv (with --points: the input columns, the results, status)."
EXTRA_HELP = "Accepted for old scripts: --points columns that are not variables are always allowed (echoed, not used)."
TOL_HELP = "Relative tolerance of --expect, absolute below 1: |got - expected| <= TOL*max(|expected|, 1)."


# The options several commands share, declared once.
ExprArg = Annotated[str, typer.Argument(help=EXPR_HELP, show_default=False, metavar="EXPR", click_type=Expression())]
At = Annotated[Optional[List[str]], typer.Option("--at", help=AT_HELP, show_default=False, metavar="POINT")]
Wrt = Annotated[Optional[str], typer.Option("--wrt", help="Variables, comma-separated (default: all). A name the "
                                            "expression does not read has derivative 0 (a note says so).",
                                            show_default=False, metavar="NAMES")]
Json = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
Digits = Annotated[Optional[int], typer.Option("--digits", click_type=Whole(1, 17), help=DIGITS_HELP,
                                               show_default=False)]
PointsFile = Annotated[Optional[str], typer.Option("--points", help=POINTS_HELP, show_default=False, metavar="FILE")]
Format = Annotated[str, typer.Option("--format", help=FORMAT_HELP, click_type=OneOf(FORMATS))]
IgnoreExtra = Annotated[bool, typer.Option("--ignore-extra", help=EXTRA_HELP, hidden=True)]
Delimiter = Annotated[Optional[str], typer.Option("--delimiter", show_default=False, metavar="CHAR",
                                                  help="With --points: the character between cells (';', 'tab', "
                                                       "…); default: the one of , ; and tab the header line uses.")]
Reduce = Annotated[Optional[str], typer.Option("--reduce", show_default=False, metavar="[mean|sum]",
                                               help="With --points: one result, the mean or the sum of the value "
                                                    "(and gradient) over every row, summed exactly.")]
Strict = Annotated[bool, typer.Option("--strict", help="Refuse readings that may not be what was meant (sinx as "
                                      "one variable, 1/2x as (1/2)*x): errors (exit 2) instead of notes.")]
ExpectTol = Annotated[Optional[float], typer.Option("--tol", click_type=Real(0.0, "TOL"), show_default=False,
                                                    help=f"{TOL_HELP} Default {_short(EXPECT_TOL)}.")]
LatexDelims = Annotated[Optional[str], typer.Option("--latex-delims", show_default=False,
                                                    metavar="[brackets|dollars|none]",
                                                    help="How --format latex marks its display math: brackets (\\[ "
                                                         "… \\], the default), dollars ($$ … $$) or none (the bare "
                                                         "lines, for a display of your own).")]



Direction = Annotated[Optional[str], typer.Option("--direction", show_default=False, metavar="VECTOR",
                                                  help="Directional derivative along x=1,y=0.5 (one forward pass).")]
Order = Annotated[Optional[int], typer.Option("--order", click_type=Whole(1), show_default=False,
                                              help="The N-th derivative by one variable (Taylor mode, exact to "
                                                   "rounding), N from 1 to 100.")]
Hessian = Annotated[bool, typer.Option("--hessian", help="Also the matrix of second partials (forward-over-reverse, "
                                       "exact to rounding). Along a direction d, dᵀHd is --order 2 --direction d.")]
GradExpect = Annotated[Optional[str], typer.Option("--expect", show_default=False, metavar="PARTIALS",
                                                   help="Exit 3 unless the partials are these: x=7,y=2 (any of them), "
                                                        "or a bare number for one variable or --direction. With "
                                                        "--points a value may be col:NAME, a column of the file.")]


def _version(flag: bool):
    if flag:
        typer.echo(f"dcalc {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")):
    pass


def print_line(line: str) -> None:
    sys.stdout.write(line + "\n")


@app.command("eval")
@handles_errors
def eval_command(
    expr: ExprArg,
    at: At = None,
    as_json: Json = False,
    digits: Digits = None,
    points_file: PointsFile = None,
    fmt: Format = "text",
    ignore_extra: IgnoreExtra = False,
    expect: Optional[str] = typer.Option(None, "--expect", show_default=False, metavar="VALUE",
                                         help="Exit 3 with 'error: expected …, got …' unless the value is VALUE "
                                              "(with --points: a constant, or col:NAME, a column of the file)."),
    tol: ExpectTol = None,
    strict: Strict = False,
    delimiter: Delimiter = None,
    reduce: Reduce = None,
):
    """Value at each point. Example: dcalc eval "2x^2 + sin(pi/2)" --at 3"""
    from .commands import options as opt
    from .commands.expect import fail_on, mismatches
    from .modes.evaluate import value
    from .output.render import json_line, number
    fmt, graph = opt.load_at_points(expr, strict, fmt, as_json, points_file, at, expect, digits, tol, delimiter, reduce)
    if len(graph.outputs) > 1:  # several outputs: commands/outputs.py
        from .commands import outputs
        return outputs.eval_command(graph, at, points_file, expect, fmt, digits, tol, delimiter, reduce)
    if points_file is not None:
        return _batch(graph, points_file, at, None, fmt, digits, delimiter, reduce, expect, tol)
    expected = opt.expected_value(expect)
    missed = []
    for point in opt.points_at(graph, at):
        v = value(graph, point)
        print_line(json_line({"at": point, "value": v}) if fmt == "json" else number(v, digits))
        missed += mismatches({"": v}, expected, tol, point)
    fail_on(missed)


@app.command("grad")
@handles_errors
def grad_command(
    expr: ExprArg,
    at: At = None,
    wrt: Wrt = None,
    direction: Direction = None,
    order: Order = None,
    hessian: Hessian = False,
    as_json: Json = False,
    digits: Digits = None,
    points_file: PointsFile = None,
    fmt: Format = "text",
    ignore_extra: IgnoreExtra = False,
    expect: GradExpect = None,
    tol: ExpectTol = None,
    strict: Strict = False,
    delimiter: Delimiter = None,
    reduce: Reduce = None,
):
    """Derivative or gradient at each point. Example: dcalc grad "x*y + sin(x)" --at x=1,y=2"""
    from .commands import options as opt
    from .commands.expect import fail_on
    fmt, graph = opt.load_at_points(expr, strict, fmt, as_json, points_file, at, expect, digits, tol, delimiter, reduce)
    names = opt.gradient_names(graph, wrt)
    opt.grad_options(wrt, direction, hessian)
    opt.note_unread(graph, names)
    seed = opt.direction_seed(graph, direction) if direction is not None else None
    if len(graph.outputs) > 1:  # several outputs: the Jacobian (commands/outputs.py)
        from .commands import outputs
        return outputs.grad_command(graph, at, names, seed, order, hessian, points_file, expect, fmt, digits, tol,
                                     delimiter, reduce, wrt)
    if points_file is not None:
        opt.only_gradient(seed is not None or order is not None or hessian, "--points")
        return _batch(graph, points_file, at, names, fmt, digits, delimiter, reduce, expect, tol, wrt)
    if order is not None or hessian:
        opt.only_gradient(expect is not None, "--expect")
        return _higher(graph, names, seed, order, hessian, opt.points_at(graph, at), fmt == "json", digits)
    expected = opt.expected_partials(expect, names, seed)
    missed = []
    for point in opt.points_at(graph, at):
        missed += _first(graph, point, names, seed, fmt == "json", digits, expected, tol)
    fail_on(missed)


def _first(graph, point, names, seed, as_json, digits, expected, tol) -> list[str]:
    """grad at one point: the gradient (or the derivative along `seed`) printed; what --expect finds wrong."""
    from .commands.derivatives import gradient_by
    from .commands.expect import mismatches
    from .modes.evaluate import node_values
    from .output.render import gradient_text, json_line, number
    vals = node_values(graph, point)
    v = vals[graph.output]
    if seed is not None:
        from .modes.forward import directional
        d = directional(graph, vals, seed) + 0.0
        print_line(json_line({"at": point, "value": v, "direction": seed, "derivative": d}) if as_json
                   else number(d, digits))
        return mismatches({"": d}, expected, tol, point)
    grad = gradient_by(graph, vals, names)
    print_line(json_line({"at": point, "value": v, "gradient": grad}) if as_json else gradient_text(grad, digits))
    return mismatches(grad, expected, tol, point)


def _higher(graph, names, seed, order, hessian, pts, as_json, digits):
    """grad --order N (Taylor mode along one variable or --direction) and grad --hessian (forward-over-reverse)."""
    from .commands import options as opt
    from .commands.derivatives import gradient_by, nth
    from .modes.evaluate import node_values
    from .modes.hessian import hessian as second
    from .output.render import hessian_text, json_line, number
    opt.higher_options(names, seed, order, hessian)
    along = {"direction": seed} if seed is not None else {}
    for point in pts:
        vals = node_values(graph, point)
        v = vals[graph.output]
        if hessian:
            grad, h = gradient_by(graph, vals, names), second(graph, vals, names)
            print_line(json_line({"at": point, "value": v, "gradient": grad, "hessian": h}) if as_json
                       else hessian_text(h, digits))
            continue
        d = nth(graph, point, names, seed, order)
        print_line(json_line({"at": point, "value": v, **along, "order": order, "derivative": d}) if as_json
                   else number(d, digits))


@app.command("diff")
@handles_errors
def diff_command(
    expr: ExprArg,
    wrt: Optional[str] = typer.Option(None, "--wrt", show_default=False, metavar="NAMES",
                                      help="The variables to differentiate by, in order, repeats included: x,x,y is "
                                           "∂³f/∂y∂x² taken x first (default: the only variable). A name the "
                                           "expression does not read gives 0, with a note."),
    order: Optional[int] = typer.Option(None, "--order", click_type=Whole(1), show_default=False,
                                        help="Differentiate N times (N up to 100,000): --wrt names one variable "
                                             "(taken N times) or exactly N; default 1, or one per --wrt name. "
                                             "Refused (exit 2) when the formulas would grow past a budget (README, "
                                             "dcalc diff)."),
    fmt: str = typer.Option("text", "--format", click_type=OneOf(DIFF_FORMATS),
                            help="text (dcalc input, reads back with eval), latex (a display block to paste), "
                            "markdown, json (the same as --json), or a function computing the value and the "
                            "derivative (the gradient for several variables without --wrt): python, numpy, c or js."),
    at: Optional[List[str]] = typer.Option(None, "--at", help=AT_HELP + " Adds a line 'at x = 2: VALUE'.",
                                           show_default=False, metavar="POINT"),
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object: formula, LaTeX, variables, order and, "
                                          "with --at, the values.")] = False,
    strict: Strict = False,
    latex_delims: LatexDelims = None,
):
    """The derivative as a simplified formula in the free variables. Example: dcalc diff "sin(x + x^2)" """
    from .commands import diff_out
    from .commands import options as opt
    from .output.render import formula_text, number, point_text
    from .symbolic.formulas import differentiate, program, wrt_list
    fmt, latex_delims = opt.diff_options(fmt, as_json, latex_delims)
    graph = opt.load(expr, strict)
    given = opt.wrt_names(graph, wrt, as_given=True) if wrt is not None else None
    opt.diff_order(wrt, given, order)
    opt.note_unread(graph, given or [])
    if len(graph.outputs) > 1:  # one formula per output, in every format (commands/outputs.py)
        from .commands.outputs import diff_outputs
        return diff_outputs(graph, given, order, fmt, at, latex_delims)
    if fmt in diff_out.CODE_FORMATS:
        sys.stdout.write(diff_out.code(graph, given, order, fmt, at, diff_out.about(graph.source, fmt, wrt, order)))
        return
    names = wrt_list(graph, given, order)
    d = differentiate(graph, names)
    if fmt == "json":
        from .output.render import json_line
        print_line(json_line(diff_out.record(graph, d, names, at)))
        return
    if fmt in ("latex", "markdown"):  # the values go inside the display, so they come first
        from .output import display, markdown
        values = [(p, _diff_at(graph, d, p, names)) for p in ([] if not at else opt.points_at(graph, at))]
        return print_line(display.diff_block(graph, names, d, values, latex_delims) if fmt == "latex"
                          else markdown.diff_markdown(graph, names, d, values))
    print_line(formula_text(*program(d, graph.inputs), fmt))
    for point in [] if not at else opt.points_at(graph, at):
        print_line(f"at {point_text(point)}: {number(_diff_at(graph, d, point, names))}")


def _diff_at(graph, d, point, names) -> float:
    from .commands.derivatives import derivative_at, differentiable
    differentiable(graph, point, names)
    return derivative_at(graph, d, point, names) + 0.0


@app.command("trace")
@handles_errors
def trace_command(
    expr: ExprArg,
    at: Optional[List[str]] = typer.Option(None, "--at", show_default=False, metavar="POINT",
                                           help="The point: '2' for one variable or 'x=2,y=-1.5'. Repeatable: one "
                                                "trace per point, in order (text, json and latex)."),
    wrt: Optional[str] = typer.Option(None, "--wrt", show_default=False, metavar="NAME",
                                      help="The variable (default: the only one; reverse mode needs none)."),
    mode: str = typer.Option("forward", "--mode", click_type=OneOf(MODES),
                             help="forward (tangents d/dx) or reverse (adjoints ∂f/∂u)."),
    fmt: str = typer.Option("text", "--format", click_type=OneOf(TRACE_FORMATS),
                            help="text, json, latex (a display block to paste), markdown, dot (Graphviz), mermaid or "
                                 "svg (runs Graphviz's dot)."),
    digits: Optional[int] = typer.Option(None, "--digits", click_type=Whole(1, 17), show_default=False,
                                         help="Significant digits of the numbers in text, latex, dot and mermaid "
                                              "(JSON writes every number exactly)."),
    no_legend: bool = typer.Option(False, "--no-legend", help="Leave out the key to the notation (∂ and d) and the "
                                                              "graphs' legend."),
    formulas: Optional[bool] = typer.Option(None, "--formulas/--no-formulas", show_default=False,
                                            help="With --at: show each derivative's formula beside its number "
                                                 "(default: for graphs up to 2,000 nodes)."),
    paths: bool = typer.Option(False, "--paths", help="List every path from the variable to the output with the "
                                                      "product of the partials on its edges (their sum is the "
                                                      "derivative), largest first."),
    max_paths: int = typer.Option(20, "--max-paths", click_type=Whole(1), help="With --paths: list at most N paths."),
    seed: Optional[str] = typer.Option(None, "--seed", show_default=False, metavar="WEIGHTS",
                                       help="Several outputs, reverse mode: the adjoints to start from, f1=1,h=0.5 "
                                            "(an output left out weighs 0): one trace of the vector-Jacobian product. "
                                            "Without it each output is traced in turn."),
    strict: Strict = False,
    latex_delims: LatexDelims = None,
):
    """How the derivative comes about, node by node (without --at: as formulas). Example: dcalc trace "sin(x + x^2)" --at 2

    A text trace wider than the terminal (COLUMNS; 80 when not a terminal) is written one block per node."""
    from .commands import options as opt
    from .commands import traces
    from .output.formats import trace_pieces
    from .output.render_trace import Style
    from .output.trace import trace_until_failure
    opt.trace_options(fmt, mode, at, digits)
    latex_delims = opt.latex_delims(latex_delims, fmt)
    program, graph = opt.load_program(expr, strict)
    wrt = opt.trace_variable(graph, wrt)
    opt.trace_drawing(fmt, at)
    colour = fmt == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    if len(graph.outputs) > 1 or seed is not None:  # several outputs: commands/outputs.py
        from shutil import get_terminal_size

        from .commands import outputs
        width = get_terminal_size((80, 24)).columns if fmt == "text" else None
        return outputs.trace_command(graph, program, wrt, mode, fmt, at, seed, paths, formulas,
                                     Style(digits, not no_legend, width, delims=latex_delims), colour, max_paths)
    if paths:
        return traces.paths_listing(graph, program, wrt, fmt, at, max_paths)
    from shutil import get_terminal_size
    width = get_terminal_size((80, 24)).columns if fmt == "text" else None  # COLUMNS, the terminal, or 80
    if not at:  # no point: the derivation as formulas
        return traces.symbolic_trace(graph, program, wrt, mode, fmt, colour,
                                     Style(digits, not no_legend, width, delims=latex_delims))
    if formulas is None:
        formulas = len(graph.nodes) <= traces.FORMULA_NODES
    for k, point in enumerate(opt.points_at(graph, at)):
        t = trace_until_failure(graph, point, wrt, mode)
        if formulas and t.failure is None:
            traces.with_formulas(t, graph, mode)
        if t.failure is not None:  # the row that stops shows the error as the command line words it
            t.failure.error.message = cli_message(t.failure.error)
        if k and fmt != "json":  # JSON: one object per line; the others: a blank line between traces
            sys.stdout.write("\n")
        style = Style(digits, not no_legend, width, opt.as_given(at[k] if at else "", point), latex_delims)
        for piece in trace_pieces(t, fmt, program, colour, style):
            sys.stdout.write(piece if fmt == "json" else piece + "\n")
        if t.failure is not None:  # stdout: the rows so far, the failing row and where it was written; stderr: error
            _stopped(t.failure, graph.source, fmt)


def _stopped(failure, source: str, fmt: str) -> None:
    """After a trace that stops at a node (commands/traces.stopped)."""
    from .commands.traces import stopped
    stopped(failure, source, fmt)


@app.command("parse")
@handles_errors
def parse_command(expr: ExprArg, as_json: Annotated[bool, typer.Option("--json", help="One JSON object: the "
                                                                        "reading and the notes.")] = False,
                  strict: Strict = False):
    """How dcalc reads EXPR, fully parenthesised. One line, the statements joined by '; ', and a note for each
    reading that may not be what was meant. Example: dcalc parse "x(x+1)^2" """
    from .commands import options as opt
    from .output.render import json_line, statement_lines
    program = opt.read_program(expr)
    opt.reading_notes(program, strict)
    reading = "; ".join(statement_lines(program))
    if as_json:
        print_line(json_line({"reading": reading, "notes": [n.message for n in program.notes]}))
    else:
        print_line(reading)


@app.command("functions")
@handles_errors
def functions_command(as_json: Annotated[bool, typer.Option("--json", help="One JSON object per function.")] = False):
    """Every built-in function: its arguments, domain and derivative rule, from the primitive table.
    Example: dcalc functions --json"""
    from .commands.functions import rows, text
    from .output.render import json_line
    table = rows()
    print_line("\n".join(map(json_line, table)) if as_json else text(table))


@app.command("check")
@handles_errors
def check_command(
    expr: ExprArg,
    at: At = None,
    wrt: Wrt = None,
    tol: float = typer.Option(CHECK_TOL, "--tol", click_type=Real(0.0, "TOL"),
                              help="How closely the finite difference must agree with reverse mode, relative "
                                   "(absolute below 1). Forward, reverse and symbolic must agree to 1e-9."),
    as_json: Json = False,
    digits: Digits = None,
    points_file: PointsFile = None,
    fmt: Format = "text",
    ignore_extra: IgnoreExtra = False,
    strict: Strict = False,
    delimiter: Delimiter = None,
):
    """Every partial by forward mode, reverse mode, the symbolic derivative and a finite difference; exit 3 when
    they disagree. Example: dcalc check "sin(x*y)" --at x=1,y=2"""
    from .commands import options as opt
    from .commands.check import Checker
    from .commands.expect import fail_on
    from .output.render import check_record, check_text, json_line, point_text
    fmt, graph = opt.load_at_points(expr, strict, fmt, as_json, points_file, at, digits=digits, delimiter=delimiter)
    given = opt.gradient_names(graph, wrt)
    if len(graph.outputs) > 1:  # each output checked (commands/outputs.py)
        from .commands import outputs
        return outputs.check_command(graph, at, wrt, given, tol, points_file, fmt, digits, delimiter)
    if points_file is not None:
        opt.note_unread(graph, given)
        return _batch(graph, points_file, at, given, fmt, digits, delimiter, wrt=wrt, check_tol=tol)
    names = opt.checked_names(graph, wrt, given)
    opt.note_unread(graph, given)
    checker = Checker(graph, names, tol)
    problems = []
    for point in opt.points_at(graph, at):
        report = checker.check(point)
        print_line(json_line(check_record(report, checker.names, tol)) if fmt == "json" else check_text(report, digits))
        problems += [f"at {point_text(point)}: {p}" if point else p for p in report.problems()]
    fail_on(problems)


def _batch(graph, path: str, at, names, fmt: str, digits, delimiter=None, reduce=None, expect=None, tol=None,
           wrt=None, check_tol=None) -> None:
    """--points: the rows of the CSV file through the graph, one result per row (or with --reduce one for all);
    exit 1 at the end if a row failed. (--ignore-extra changes nothing: columns that are not variables are always
    allowed now.)"""
    from .commands.batch import Batch, run_file
    from .commands.options import delimiter_char
    batch = Batch(path, at, delimiter_char(delimiter), reduce, expect, tol)
    run_file(graph, batch, names, fmt, digits, wrt, check_tol)


def main(argv: list[str] | None = None) -> int:
    """The console script: run a command, turn every failure into `error: …` and an exit code."""
    from .commands.exits import run_command_line
    from .commands.lazy import one_command
    return run_command_line(one_command(app, sys.argv[1:] if argv is None else argv), argv)
