"""The commands. Thin: read the arguments, call the library, render, pick the exit code. The only module using typer.

Exit codes: 0 success, 1 math error, 2 usage, syntax or name error, 3 a check or expectation failed,
70 internal error (a bug), 130 interrupted.
"""

# No `from __future__ import annotations` here: typer reads every parameter's annotation through
# typing.get_type_hints, which compiles and evaluates annotations written as strings (2 ms of every start-up).
import functools
import os
import sys
from typing import Annotated, List, Optional

import typer

from . import __version__

EXIT_CODES = """Exit codes: 0 success; 1 math error (outside a domain, division by zero, overflow, not differentiable);
2 usage, syntax or name error; 3 a check or an expectation failed; 70 internal error."""


class _Commands(typer.core.TyperGroup):
    """The root help lists every command with its one-line example, the `Example:` of the command's docstring."""

    def format_commands(self, ctx, formatter):
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        width = max((len(name) for name, _ in commands), default=0) + 2
        with formatter.section("Commands"):
            for name, command in commands:
                example = " ".join((command.help or "").split()).partition(" Example: ")[2]
                formatter.write(f"  {name:<{width}}{command.get_short_help_str(formatter.width - width - 2)}\n")
                if example:
                    formatter.write(f"  {'':<{width}}{example.strip()}\n")


app = typer.Typer(cls=_Commands, add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  pretty_exceptions_enable=False, context_settings={"help_option_names": ["-h", "--help"]},
                  help="dcalc: values, derivatives, gradients, and how the total derivative comes about.\n\n"
                       + EXIT_CODES, epilog="Run 'dcalc COMMAND --help' for a command's options.")

EXPR_HELP = "An expression or a program ('a = x^2; a + x'); '-' reads it from standard input."
AT_HELP = ("A point: '2' for one variable or 'x=2,y=-1.5'; values may be constant expressions (x=pi/4), and names the "
           "expression does not read are allowed. Repeatable.")
JSON_HELP = "One JSON object per line, per point."
DIGITS_HELP = "Significant digits for text output (default: the shortest text that reads back exactly)."
POINTS_HELP = ("A CSV file of points ('-' reads standard input): a header naming the variables, one point per row; "
               "one result per row, a failed row gets a status and does not stop the batch (exit 1 at the end).")
FORMAT_HELP = "text, json (the same as --json) or csv (with --points: the input columns, the results, status)."
EXTRA_HELP = "Accepted for old scripts: --points columns that are not variables are always allowed (echoed, not used)."
TOL_HELP = "Relative tolerance of --expect, absolute below 1: |got - expected| <= TOL*max(|expected|, 1)."


# The options several commands share, declared once.
ExprArg = Annotated[str, typer.Argument(help=EXPR_HELP, show_default=False, metavar="EXPR")]
At = Annotated[Optional[List[str]], typer.Option("--at", help=AT_HELP, show_default=False)]
Wrt = Annotated[Optional[str], typer.Option("--wrt", help="Variables, comma-separated (default: all). A name the "
                                            "expression does not read has derivative 0 (a note says so).",
                                            show_default=False)]
Json = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
Digits = Annotated[Optional[int], typer.Option("--digits", min=1, max=17, help=DIGITS_HELP, show_default=False)]
PointsFile = Annotated[Optional[str], typer.Option("--points", help=POINTS_HELP, show_default=False)]
Format = Annotated[str, typer.Option("--format", help=FORMAT_HELP)]
IgnoreExtra = Annotated[bool, typer.Option("--ignore-extra", help=EXTRA_HELP, hidden=True)]
Strict = Annotated[bool, typer.Option("--strict", help="Refuse readings that may not be what was meant (sinx as "
                                      "one variable, 1/2x as (1/2)*x): errors (exit 2) instead of notes.")]
ExpectTol = Annotated[Optional[float], typer.Option("--tol", min=0.0, help=TOL_HELP + " Default 1e-9.",
                                                    show_default=False)]


def _version(flag: bool):
    if flag:
        typer.echo(f"dcalc {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")):
    pass


def handles_errors(command):
    """Map DcalcError to its message on stderr and its exit code: the one place errors are rendered."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        from .errors import DcalcError
        try:
            return command(*args, **kwargs)
        except DcalcError as e:
            from .render import error_text
            typer.echo(error_text(e), err=True)
            raise typer.Exit(e.exit_code) from None
        except BrokenPipeError:  # here, before typer turns it into exit 1
            _quiet_pipe()
            raise typer.Exit(0) from None
        except KeyboardInterrupt:  # main() says so: typer turns a Ctrl-C anywhere in its own code into 130 too
            raise typer.Exit(130) from None
    return run


def read_expr(expr: str) -> str:
    """The expression argument, or standard input for '-' (strict UTF-8: bad bytes are a usage error)."""
    if expr != "-":
        return expr
    from .errors import UsageError
    from .language.syntax import MAX_SOURCE
    if sys.stdin is None:  # started with `<&-`
        raise UsageError("standard input is closed")
    data = sys.stdin.buffer.read(4 * MAX_SOURCE + 1)  # enough for the longest text: never all of `< /dev/zero`
    if len(data) > 4 * MAX_SOURCE:
        raise UsageError(f"standard input is longer than dcalc reads (at most {MAX_SOURCE:,} characters)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UsageError(f"standard input is not UTF-8 text (bad byte at offset {e.start})") from None


def load(expr: str, strict: bool = False):
    """Parse and lower the expression argument."""
    from .core.graph import lower
    program = read_program(expr)
    graph = lower(program)
    reading_notes(program, strict)
    return note_unused(graph)


def read_program(expr: str):
    """Parse the expression argument, with the built-in functions' names (x(x+1) multiplies, sin(x) calls)."""
    from .core.ops import FUNCTION_NAMES
    from .language.syntax import parse
    return parse(read_expr(expr), FUNCTION_NAMES)


def reading_notes(program, strict: bool) -> None:
    """The program's notes (sinx read as one variable, 1/2x as (1/2)*x) on stderr, or with --strict the first as the
    error. After lowering, so that an error in the program comes first, alone."""
    if strict and program.notes:
        raise program.notes[0]
    for note in program.notes:
        sys.stderr.write(f"note: {note.message}\n")


def note_unused(graph):
    """A note on stderr for each definition nothing reads: it is not evaluated (README, Programs)."""
    for name in graph.unused:
        sys.stderr.write(f"note: '{name}' is defined but never used, so it is not evaluated\n")
    return graph


def points(graph, at: list[str]) -> list[dict[str, float]]:
    from .points import parse_point
    if not at:
        return [{}] if not graph.inputs else [_missing(graph)]
    return [parse_point(a, graph.inputs) for a in at]


def _missing(graph):
    from .errors import UsageError
    from .points import example
    raise UsageError(f"no value for the free variable '{graph.inputs[0]}' (use {example(graph.inputs)})")


def wrt_names(graph, wrt: Optional[str], *, as_given: bool = False, unread: bool = True) -> list[str]:
    """The variables named by --wrt (comma-separated), each checked; every free variable when --wrt is absent.

    For grad and check: each name once, the free variables in order of first appearance, then names the expression
    does not read. For diff (`as_given`): the order of differentiation, as given, repeats included. The derivative by
    a name the expression does not read is 0 (note_unread says so); with `unread` False such a name is an error
    (trace follows a variable through the graph, so it must be there)."""
    if wrt is None:
        return list(graph.inputs)
    import re

    from .core.ops import FUNCTION_NAMES
    from .errors import UsageError
    from .language.expr import CONSTANTS
    names = [w.strip() for w in wrt.split(",")]
    if not any(names):
        raise UsageError(f"--wrt {wrt!r}: name at least one variable")
    inputs = set(graph.inputs)
    for n in dict.fromkeys(names):
        what = ("an empty name" if not n else "a constant" if n in CONSTANTS else "a built-in function"
                if n in FUNCTION_NAMES else "defined by the expression, not a free variable" if n in graph.defined
                else None if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n) else "not a variable name")
        if what:
            raise UsageError(f"--wrt {wrt}: {f'{n!r} is ' if n else ''}{what}; the variables: "
                             f"{', '.join(graph.inputs) or 'none'}")
        if not unread and n not in inputs:
            raise UsageError(f"--wrt {wrt}: the expression has no variable '{n}' ({_near(graph, n)})")
    if as_given:
        return names
    wanted = set(names)
    return [n for n in graph.inputs if n in wanted] + [n for n in dict.fromkeys(names) if n not in inputs]


def note_unread(graph, names: list[str]) -> None:
    """A note on stderr for each name the expression does not read (its derivative is 0), against typos."""
    inputs = set(graph.inputs)
    for n in dict.fromkeys(names):
        if n not in inputs:
            sys.stderr.write(f"note: the expression does not read '{n}' ({_near(graph, n)}), so its derivative by "
                             f"{n} is 0\n")


def _near(graph, name: str) -> str:
    import difflib
    near = [v for v in graph.inputs if v.lower() == name.lower()] or difflib.get_close_matches(name, graph.inputs, n=1)
    return (f"did you mean '{near[0]}'?" if near else f"its variables: {', '.join(graph.inputs)}" if graph.inputs
            else "it has no variables")


def partials(graph, vals, names: list[str]) -> dict[str, float]:
    """∂f/∂x for x in names by reverse mode; 0 for a name the expression does not read."""
    from .modes.reverse import gradient
    inputs = set(graph.inputs)
    read = [n for n in names if n in inputs]
    grad = gradient(graph, vals, None if len(read) == len(graph.inputs) else read) if read else {}
    return {n: grad.get(n, 0.0) for n in names}


NO_VARIABLES = "the expression has no free variables: name the variable with --wrt (a constant's derivative is 0)"


def emit(line: str) -> None:
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
    expect: Optional[str] = typer.Option(None, "--expect", show_default=False,
                                         help="Exit 3 with 'error: expected …, got …' unless the value is VALUE."),
    tol: ExpectTol = None,
    strict: Strict = False,
):
    """Value at each point. Example: dcalc eval "2x^2 + sin(pi/2)" --at 3"""
    from .modes.evaluate import value
    from .render import json_line, number
    fmt = output_format(fmt, as_json, points_file, at, expect, digits, tol)
    graph = load(expr, strict)
    if points_file is not None:
        return run_points(graph, points_file, None, fmt, ignore_extra, digits)
    expected = expected_value(expect)
    missed = []
    for point in points(graph, at or []):
        v = value(graph, point)
        emit(json_line({"at": point, "value": v}) if fmt == "json" else number(v, digits))
        if expected is not None:
            missed += mismatches({"": v}, expected, tol, point)
    fail_on(missed)


@app.command("grad")
@handles_errors
def grad_command(
    expr: ExprArg,
    at: At = None,
    wrt: Wrt = None,
    direction: Optional[str] = typer.Option(None, "--direction", show_default=False,
                                            help="Directional derivative along x=1,y=0.5 (one forward pass)."),
    order: Optional[int] = typer.Option(None, "--order", min=1, show_default=False,
                                        help="The N-th derivative by one variable (Taylor mode, exact to rounding), "
                                             "N from 1 to 100."),
    hessian: bool = typer.Option(False, "--hessian", help="Also the matrix of second partials (forward-over-reverse, "
                                 "exact to rounding). Along a direction d, dᵀHd is --order 2 --direction d."),
    as_json: Json = False,
    digits: Digits = None,
    points_file: PointsFile = None,
    fmt: Format = "text",
    ignore_extra: IgnoreExtra = False,
    expect: Optional[str] = typer.Option(None, "--expect", show_default=False,
                                         help="Exit 3 unless the partials are these: x=7,y=2 (any of them), or a "
                                              "bare number for one variable or --direction."),
    tol: ExpectTol = None,
    strict: Strict = False,
):
    """Derivative or gradient at each point. Example: dcalc grad "x*y + sin(x)" --at x=1,y=2"""
    from .modes.evaluate import node_values
    from .modes.forward import directional
    from .render import json_line, number
    fmt = output_format(fmt, as_json, points_file, at, expect, digits, tol)
    as_json = fmt == "json"
    graph = load(expr, strict)
    from .errors import UsageError
    if not graph.inputs and wrt is None:
        raise UsageError(NO_VARIABLES)
    names = wrt_names(graph, wrt)
    if direction is not None and wrt is not None:
        raise UsageError(f"--wrt {wrt} and --direction {direction} do not go together: a directional derivative "
                         "moves every variable along the direction (leave a variable out of it to hold it still)")
    if direction is not None and hessian:
        raise UsageError(f"--hessian and --direction {direction} do not go together: the second derivative along a "
                         f"direction is --order 2 --direction {direction}")
    note_unread(graph, names)
    seed = _direction(graph, direction) if direction is not None else None
    if points_file is not None:
        only_gradient(seed is not None or order is not None or hessian, "--points")
        return run_points(graph, points_file, names, fmt, ignore_extra, digits)
    if order is not None or hessian:
        only_gradient(expect is not None, "--expect")
        return _higher(graph, names, seed, order, hessian, points(graph, at or []), as_json, digits)
    expected = expected_partials(expect, names, seed)
    missed = []
    for point in points(graph, at or []):
        vals = node_values(graph, point)
        v = vals[graph.output]
        if seed is not None:
            d = directional(graph, vals, seed) + 0.0
            emit(json_line({"at": point, "value": v, "direction": seed, "derivative": d}) if as_json
                 else number(d, digits))
            missed += mismatches({"": d}, expected, tol, point)
            continue
        grad = partials(graph, vals, names)
        if as_json:
            emit(json_line({"at": point, "value": v, "gradient": grad}))
        elif len(grad) == 1:
            emit(number(next(iter(grad.values())), digits))
        else:
            emit("  ".join(f"∂f/∂{n} = {number(d, digits)}" for n, d in grad.items()))
        missed += mismatches(grad, expected, tol, point)
    fail_on(missed)


@app.command("diff")
@handles_errors
def diff_command(
    expr: ExprArg,
    wrt: Optional[str] = typer.Option(None, "--wrt", show_default=False,
                                      help="The variables to differentiate by, in order, repeats included: x,x,y is "
                                           "∂³f/∂y∂x² taken x first (default: the only variable). A name the "
                                           "expression does not read gives 0, with a note."),
    order: Optional[int] = typer.Option(None, "--order", min=1, show_default=False,
                                        help="Differentiate N times (N up to 100,000): --wrt names one variable "
                                             "(taken N times) or exactly N; default 1, or one per --wrt name. "
                                             "Refused (exit 2) when the formulas would grow past a budget (README, "
                                             "dcalc diff)."),
    fmt: str = typer.Option("text", "--format", help="text (dcalc input, reads back with eval) or latex."),
    at: Optional[List[str]] = typer.Option(None, "--at", help=AT_HELP + " Adds a line 'at x = 2: VALUE'.",
                                           show_default=False),
    strict: Strict = False,
):
    """The derivative as a simplified formula in the free variables. Example: dcalc diff "sin(x + x^2)" """
    from .errors import UsageError
    from .render import number, point_text
    from .symbolic.formulas import differentiate, program, program_text, wrt_list
    if fmt not in ("text", "latex"):
        raise UsageError(f"--format must be text or latex, not {fmt!r}")
    graph = load(expr, strict)
    given = wrt_names(graph, wrt, as_given=True) if wrt is not None else None
    if given is not None and order is not None and len(given) not in (1, order):
        raise UsageError(f"--order {order} does not match --wrt {wrt} ({len(given)} variables): give one variable "
                         f"to take {order} times, or exactly {order} in the order of differentiation")
    note_unread(graph, given or [])
    names = wrt_list(graph, given, order)
    d = differentiate(graph, names)
    definitions, final = program(d, graph.inputs)
    if fmt == "latex":
        from .symbolic.latex import name_latex, to_latex
        emit("\n".join([f"{name_latex(n)} = {to_latex(e)}" for n, e in definitions] + [to_latex(final)]))
    else:
        emit(program_text(definitions, final))
    for point in [] if not at else points(graph, at):
        _differentiable(graph, point, names)
        emit(f"at {point_text(point)}: {number(_derivative_at(graph, d, point, names) + 0.0)}")


def _differentiable(graph, point, names):
    """The function must be defined at the point (its errors name the node) and have first derivatives there (grad's
    verdict): a formula may have a value where the derivative does not exist (0^x at x = 0, whose b-partial prints as
    0). Only "not differentiable" counts: a first derivative too large for a double may have finite higher ones."""
    from .errors import MathError, NotDifferentiable
    from .modes.evaluate import node_values
    from .modes.reverse import gradient
    vals = node_values(graph, point)
    try:
        gradient(graph, vals, sorted(set(names)))
    except MathError as e:
        if isinstance(e, NotDifferentiable):
            raise


def _derivative_at(graph, d, point, names):
    """The derivative at the point, by a mode on the graph where one computes it (one variable, any order: Taylor mode;
    two different variables: the Hessian), not from the printed formula: the formula is mathematically right, but in
    doubles an intermediate may overflow, underflow or cancel (1/hypot(x, 1) - x^2/hypot(x, 1)^3 at x = 1e100 gave
    1.3e-116 for 1e-300). Other mixed orders evaluate the formula (at a kink, x*abs(x) at 0, its 0/0 is an error)."""
    from .errors import FormulaOverflow
    from .symbolic.formulas import value_of
    if len(set(names)) == 1:
        from .modes.taylor import nth_derivative
        return nth_derivative(graph, point, names[0], len(names))
    if len(names) == 2:
        from .modes.evaluate import node_values
        from .modes.hessian import hessian
        return hessian(graph, node_values(graph, point), list(names))[names[0]][names[1]]
    try:
        return value_of(d, point, graph.source)
    except FormulaOverflow as e:
        raise _formula_overflow(e, "printed formula") from None


def _formula_overflow(e, what):
    """The error where a derivative's formula overflows in an intermediate: the derivative may be a double (y^2 in
    -x/y^2 at y = 1e160), so it says which overflows and how to get the derivative without the formula."""
    from .errors import MathError
    return MathError(f"the {what} overflows in an intermediate here ({e.message}), though the derivative itself may "
                     f"be a double: dcalc grad (first derivatives) and grad --order N (along one variable) compute "
                     f"it without the formula", source=e.source)


def _higher(graph, names, seed, order, hessian, pts, as_json, digits):
    """grad --order N (Taylor mode along one variable or --direction) and grad --hessian (forward-over-reverse)."""
    from .errors import UsageError
    from .modes.evaluate import node_values
    from .modes.hessian import hessian as second
    from .modes.taylor import MAX_ORDER, nth_derivative
    from .render import json_line, number
    if order is not None and hessian:
        raise UsageError("--order and --hessian do not go together: the Hessian is of order 2")
    if order is not None and seed is None and len(names) != 1:
        raise UsageError(f"--order {order} needs one variable, the expression has {len(names)}: give it with --wrt")
    for point in pts:
        vals = node_values(graph, point)
        v = vals[graph.output]
        if hessian:
            grad = partials(graph, vals, names)
            h = second(graph, vals, names)
            if as_json:
                emit(json_line({"at": point, "value": v, "gradient": grad, "hessian": h}))
            else:
                for x in names:
                    emit("  ".join(f"∂²f/{_pair(x, y)} = {number(d, digits)}" for y, d in h[x].items()))
            continue
        if seed is None and names[0] not in graph.inputs:  # by a variable it does not read: 0, at every order
            if order > MAX_ORDER:
                raise UsageError(f"the order must be between 1 and {MAX_ORDER}, not {order}")
            d = 0.0
        else:
            d = nth_derivative(graph, point, seed if seed is not None else names[0], order)
        if not as_json:
            emit(number(d, digits))
        else:
            along = {"direction": seed} if seed is not None else {}
            emit(json_line({"at": point, "value": v, **along, "order": order, "derivative": d}))


def _pair(x: str, y: str) -> str:
    return f"∂{x}²" if x == y else f"∂{x}∂{y}"


@app.command("trace")
@handles_errors
def trace_command(
    expr: ExprArg,
    at: Optional[List[str]] = typer.Option(None, "--at", show_default=False,
                                           help="The point: '2' for one variable or 'x=2,y=-1.5'. Repeatable: one "
                                                "trace per point, in order (text, json and latex)."),
    wrt: Optional[str] = typer.Option(None, "--wrt", show_default=False,
                                      help="The variable (default: the only one; reverse mode needs none)."),
    mode: str = typer.Option("forward", "--mode", help="forward (tangents d/dx) or reverse (adjoints ∂f/∂u)."),
    fmt: str = typer.Option("text", "--format", help="text, json, latex, dot (Graphviz) or mermaid."),
    digits: Optional[int] = typer.Option(None, "--digits", min=1, max=17, show_default=False,
                                         help="Significant digits of the numbers in text, latex, dot and mermaid "
                                              "(JSON writes every number exactly)."),
    no_legend: bool = typer.Option(False, "--no-legend", help="Leave out the key to the notation (∂ and d)."),
    strict: Strict = False,
):
    """How the derivative comes about, node by node. Example: dcalc trace "sin(x + x^2)" --at 2

    A text trace wider than the terminal (COLUMNS; 80 when not a terminal) is written one block per node."""
    from .core.graph import lower
    from .errors import UsageError
    from .output.render_trace import FORMATS, Style, render
    from .output.trace import MODES, trace_until_failure
    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if digits is not None and fmt == "json":  # one policy with eval, grad and check: JSON numbers are exact
        raise UsageError(f"--digits {digits} shapes numbers written for people; --format json writes every number "
                         "exactly: drop one of them")
    if mode not in MODES:
        raise UsageError(f"--mode must be forward or reverse, not {mode!r}")
    program = read_program(expr)
    graph = lower(program)
    reading_notes(program, strict)
    note_unused(graph)
    if wrt is not None:
        names = wrt_names(graph, wrt, unread=False)
        if len(names) != 1:
            raise UsageError(f"--wrt {wrt}: trace follows one variable; for the whole gradient use --mode reverse")
        wrt = names[0]
    if at and len(at) > 1 and fmt in ("dot", "mermaid"):
        raise UsageError(f"--format {fmt} draws the graph at one point, and {len(at)} were given: give one --at, or "
                         "use text, json or latex for a trace per point")
    colour = fmt == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    from shutil import get_terminal_size
    width = get_terminal_size((80, 24)).columns if fmt == "text" else None  # COLUMNS, the terminal, or 80
    for k, point in enumerate(points(graph, at or [])):
        t = trace_until_failure(graph, point, wrt, mode)
        if k and fmt != "json":  # JSON: one object per line; the others: a blank line between traces
            sys.stdout.write("\n")
        style = Style(digits, not no_legend, width, _as_given(at[k] if at else "", point))
        for piece in render(t, fmt, program, colour, style):
            sys.stdout.write(piece if fmt == "json" else piece + "\n")
        if t.failure is not None:  # stdout: the rows so far, the failing row and where it was written; stderr: error
            _stopped(t.failure, graph.source, fmt)


def _stopped(failure, source: str, fmt: str) -> None:
    """After a trace that stops at a node: in text, the source line with a caret under where the node was written
    (as a syntax error shows it), on stdout below the trace; then the error, raised for stderr and exit 1."""
    from .errors import DcalcError
    from .render import error_text
    if fmt == "text" and failure.span is not None and source:
        spot = DcalcError(failure.error.message, source=source, span=failure.span)
        sys.stdout.write("\n".join(error_text(spot).splitlines()[1:]) + "\n")
    sys.stdout.flush()
    raise failure.error


def _as_given(text: str, point: dict[str, float]) -> dict[str, str]:
    """The values of an --at as typed, for those typed as formulas (x=pi/4), not as the number they are."""
    from .core.printing import number_text
    from .points import split_top
    parts = split_top(text)
    if len(parts) == 1 and "=" not in parts[0] and len(point) == 1:
        parts = [f"{next(iter(point))}={parts[0]}"]
    given = {}
    for part in parts:
        name, _, value = part.partition("=")
        name, value = name.strip(), " ".join(value.split())
        if name in point and value and value != number_text(point[name]):
            try:
                same = float(value) == point[name]  # 2.0, 1e3: a number as typed, shown as the number
            except ValueError:
                same = False
            if not same:
                given[name] = value
    return given


@app.command("parse")
@handles_errors
def parse_command(expr: ExprArg, as_json: Annotated[bool, typer.Option("--json", help="One JSON object: the "
                                                                        "reading and the notes.")] = False,
                  strict: Strict = False):
    """How dcalc reads EXPR, fully parenthesised. One line, the statements joined by '; ', and a note for each
    reading that may not be what was meant. Example: dcalc parse "x(x+1)^2" """
    from .core.printing import to_text
    from .language.expr import Assign, Define
    program = read_program(expr)
    reading_notes(program, strict)
    pieces = []
    for s in program.stmts:
        if isinstance(s, Define):
            pieces.append(f"{s.name}({', '.join(s.params)}) = {to_text(s.body, explicit=True)}")
        elif isinstance(s, Assign):
            pieces.append(f"{s.name} = {to_text(s.expr, explicit=True)}")
        else:
            pieces.append(to_text(s, explicit=True))
    reading = "; ".join(pieces)
    if as_json:
        from .render import json_line
        emit(json_line({"reading": reading, "notes": [n.message for n in program.notes]}))
    else:
        emit(reading)


def _direction(graph, text: str) -> dict[str, float]:
    """The seed of a directional derivative: a point-like vector; variables left out move by 0."""
    from .points import parse_point
    seed = parse_point(text, graph.inputs, "--direction", complete=False)
    return {n: seed.get(n, 0.0) for n in graph.inputs}


@app.command("check")
@handles_errors
def check_command(
    expr: ExprArg,
    at: At = None,
    wrt: Wrt = None,
    tol: float = typer.Option(1e-6, "--tol", min=0.0,
                              help="How closely the finite difference must agree with reverse mode, relative "
                                   "(absolute below 1). Forward, reverse and symbolic must agree to 1e-9."),
    as_json: Json = False,
    digits: Digits = None,
    points_file: PointsFile = None,
    fmt: Format = "text",
    ignore_extra: IgnoreExtra = False,
    strict: Strict = False,
):
    """Every partial by forward mode, reverse mode, the symbolic derivative and a finite difference; exit 3 when
    they disagree. Example: dcalc check "sin(x*y)" --at x=1,y=2"""
    from .check import Checker
    from .errors import CheckFailed, UsageError
    from .render import check_record, check_text, json_line
    fmt = output_format(fmt, as_json, points_file, at, None, digits)
    graph = load(expr, strict)
    if not graph.inputs and wrt is None:
        raise UsageError(NO_VARIABLES)
    given, inputs = wrt_names(graph, wrt), set(graph.inputs)
    names = [n for n in given if n in inputs]  # an unread one is 0 (noted): nothing to check
    if not names:
        raise UsageError(f"--wrt {wrt}: the expression does not read these variables, so there is nothing to check "
                         f"(its derivatives by them are 0); its variables: {', '.join(graph.inputs) or 'none'}")
    note_unread(graph, given)
    checker = Checker(graph, names, tol)
    if points_file is not None:
        from .batch import checker as by_rows
        return run_points(graph, points_file, checker.names, fmt, ignore_extra, digits, by_rows(checker))
    problems = []
    for point in points(graph, at or []):
        checked = checker.check(point)
        emit(json_line(check_record(checked, checker.names, tol)) if fmt == "json" else check_text(checked, digits))
        problems += [f"at {point_text(point)}: {p}" if point else p for p in checked.problems()]
    if problems:
        raise CheckFailed(problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))


def output_format(fmt: str, as_json: bool, points_file, at, expect, digits=None, tol=None) -> str:
    """The output format of eval, grad and check; csv is for batches, and a batch takes no --at or --expect. An
    option that would have no effect is refused rather than ignored."""
    from .errors import UsageError
    if fmt not in ("text", "json", "csv"):
        raise UsageError(f"--format must be text, json or csv, not {fmt!r}")
    if as_json and fmt not in ("text", "json"):
        raise UsageError(f"--json and --format {fmt} contradict each other")
    if fmt == "csv" and points_file is None:
        raise UsageError("--format csv writes one row per point of a batch: use it with --points FILE")
    if points_file is not None and at:
        raise UsageError("give the points either with --at or with --points, not both")
    if points_file is not None and expect is not None:
        raise UsageError("--expect checks single points (--at); a batch (--points) reports a status per row")
    out = "json" if as_json else fmt
    if digits is not None and out != "text":
        raise UsageError(f"--digits {digits} shapes text output; --format {out} writes every number exactly as its "
                         "double")
    if tol is not None and expect is None:
        raise UsageError(f"--tol {tol:g} is the tolerance of --expect: use it with --expect")
    return out


def only_gradient(conflict: bool, option: str) -> None:
    from .errors import UsageError
    if conflict:
        raise UsageError(f"{option} works with gradients, not with --direction, --order or --hessian")


def run_points(graph, path: str, names, fmt: str, ignore_extra: bool, digits, compute=None) -> None:
    """A batch: stream the CSV rows of `path` through the graph; exit 1 at the end if a row failed. (`ignore_extra`,
    from --ignore-extra, changes nothing: columns that are not variables are always allowed now.)"""
    from .batch import Points, Progress, evaluator, run
    from .rows import writer
    source = Points(path, graph.inputs)
    out = writer(fmt, sys.stdout, graph.inputs, digits)
    run(source, compute or evaluator(graph, names), out, Progress(source)).raise_if_failed(source.name)


def expected_value(text: Optional[str]) -> dict[str, float] | None:
    from .points import constant
    return None if text is None else {"": constant(text, "--expect")}


def expected_partials(text: Optional[str], names: list[str], seed) -> dict[str, float] | None:
    if text is None or seed is not None:
        return expected_value(text)
    from .check import expected_partials as parse
    return parse(text, names)


def mismatches(got: dict[str, float], expected: dict[str, float] | None, tol: float | None, point) -> list[str]:
    """`expected …, got …` for each expectation that does not hold (a name "" is the value itself); tol None is
    --expect's default, 1e-9."""
    if not expected:
        return []  # no --expect: spare every run the import of the checker
    tol = 1e-9 if tol is None else tol
    from .check import close
    from .render import number, point_text
    where = f" at {point_text(point)}" if point else ""
    return [f"expected {f'∂f/∂{x} = ' if x else ''}{number(e)}, got {number(got[x])}{where}"
            for x, e in (expected or {}).items() if not close(got[x], e, tol)]


def fail_on(missed: list[str]) -> None:
    if missed:
        from .errors import CheckFailed
        raise CheckFailed(missed[0] + (f" (and {len(missed) - 1} more)" if len(missed) > 1 else ""))


def point_text(point) -> str:
    from .render import point_text as text
    return text(point)


def main(argv: list[str] | None = None) -> int:
    """The console script: run a command, turn every failure into `error: …` and an exit code."""
    if sys.stdout is None:  # started with `>&-`: nowhere to put a result
        if sys.stderr is not None:
            sys.stderr.write("error: standard output is closed\n")
        return 2
    try:
        command = typer.main.get_command(app)
        rv = command.main(args=argv, prog_name="dcalc", standalone_mode=False)
        code = rv if isinstance(rv, int) else 0
        if code == 130:  # a Ctrl-C that typer caught (while parsing the arguments) or a command turned into 130
            sys.stderr.write("error: interrupted\n")
        sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        return 130
    except BrokenPipeError:
        _quiet_pipe()
        return 0
    except OSError as e:  # a full disk under `> out.txt`, say: the system's trouble, not a bug in dcalc
        _quiet_pipe()
        why = (e.strerror or str(e)).lower()
        where = f"'{e.filename}'" if e.filename else "cannot write the output"
        sys.stderr.write(f"error: {where}: {why}\n")
        return 2
    except Exception as e:  # noqa: BLE001 - the last line of defence: never a traceback
        if type(e).__name__ == "NoArgsIsHelpError":  # plain `dcalc`: the help, then what was missing
            sys.stderr.write(f"{e.format_message()}\nerror: no command given\n")
            return 2
        if hasattr(e, "format_message") and hasattr(e, "exit_code"):  # click's usage errors
            sys.stderr.write(f"error: {e.format_message()}\n")
            if getattr(e, "ctx", None) is not None:
                sys.stderr.write(f"  try '{e.ctx.command_path} --help'\n")
            return 2
        if type(e).__name__ == "Abort":
            sys.stderr.write("error: aborted\n")
            return 130
        if os.environ.get("DCALC_DEBUG", "") not in ("", "0"):
            import traceback
            traceback.print_exc()
        what = " ".join(str(e).split())  # one line, and short: the message may quote a 1 MB input
        what = what if len(what) <= 200 else what[:200] + "…"
        sys.stderr.write(f"error: internal error {type(e).__name__}: {what} (a bug in dcalc; DCALC_DEBUG=1 shows "
                         "the traceback)\n")
        return 70


def _quiet_pipe():
    """The reader went away (dcalc … | head -1): point stdout at /dev/null so the exit flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
