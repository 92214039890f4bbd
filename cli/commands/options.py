"""The command line's arguments → checked values, and the rules on which options go together.

The expression argument (or standard input), points (`--at 2` for one input or `x=2,y=-1.5`, each value a number or a
constant expression; also --direction, --expect and the cells of --points), variables (--wrt), formats, and the
defaults of the tolerances. Every refusal is a UsageError that names the flag: an option that would have no effect
is refused rather than ignored. (The defaults of the tolerances are in defaults.py, which the help reads.)
"""

from __future__ import annotations

import math
import re
import sys

from ..errors import DcalcError, UsageError, near_miss
from .notes import note

NO_VARIABLES = "the expression has no free variables: name the variable with --wrt (a constant's derivative is 0)"



def _is_name(text: str) -> bool:
    """An ASCII name, [A-Za-z_][A-Za-z0-9_]* as in dcalc.lark."""
    return text.isascii() and text.isidentifier()


def _plain(text: str) -> bool:
    """A number as dcalc reads one (NUMBER of dcalc.lark), signed, between ASCII white space: `float` alone would
    also take '1_000', 'nan' and other scripts' digits, and \\s would also take \\x1c-\\x1f, which float() refuses
    ("0\\x1f" raised a bare ValueError). (By hand: a regular expression cost every --at 0.3 ms to compile.)"""
    from ..language.scanner import number_end
    text = text.strip(" \t\n\r\f\v")
    i = 1 if text.startswith(("+", "-")) else 0
    end = number_end(text, i, len(text))
    return end == len(text) and end > i


def constant(text: str, what: str) -> float:
    """The value of a constant expression such as `pi/4` (a plain number takes the fast path). A value is never a
    program: `1;5`, `y=3` or a CSV cell with two lines are errors, not their last statement."""
    if _plain(text):
        v = float(text)
        if math.isfinite(v):
            return v
    if not text.strip():
        raise UsageError(f"{what}: no value given")
    program = ";" in text or "\n" in text.strip()
    if program or "=" in text:  # parse() would take either, and its value would be the last statement
        raise UsageError(f"{what}: {_quoted(text)} is {'a program' if program else 'an assignment'}, not a value "
                         "(a value is a number or a constant expression such as pi/4)")
    from ..core.graph import lower
    from ..language.syntax import one_value, parse
    from ..modes.evaluate import value
    try:
        program = parse(text)
        one_value(program)  # `1,5` (a decimal comma) is not the list 1, 5
        g = lower(program)
        if not g.inputs:  # a constant beyond the doubles is a node, evaluated here (x=exp(800)/exp(799) is e)
            return value(g, {})
    except DcalcError as e:
        raise UsageError(f"{what}: {e.message}", source=e.source, span=e.span) from None
    raise UsageError(f"{what} must be a constant, but {_quoted(text)} reads the variable '{g.inputs[0]}'")


def _quoted(text: str, n: int = 40) -> str:
    text = text.strip()
    return repr(text if len(text) <= n else text[:n] + "…")


def split_top(text: str) -> list[str]:
    """Split at the commas outside parentheses, so that `x=atan2(1, 2),y=3` has two parts."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def example(names: list[str], option: str = "--at", shown: int = 4) -> str:
    """`--at x=VALUE,y=VALUE` for the first few names (a message about 10,000 variables stays one line)."""
    more = ",…" if len(names) > shown else ""
    return f"{option} " + ",".join(f"{n}=VALUE" for n in names[:shown]) + more


def parse_point(text: str, names: list[str], option: str = "--at", owner: str = "the expression",
                complete: bool = True) -> dict[str, float]:
    """`x=2,y=-1.5` (or a bare value when there is one name) as given to `option`, each name at most once.

    With `complete` it is a point: every one of `names` must get a value, and it may give values to other names too
    (a script evaluates the derivative `diff` printed, which may read fewer variables, at the original point); those
    are kept, so the point is echoed as given. Without (--expect, --direction) every name must be one of `names`, and
    any may be left out. Linear in the length of the text and the number of names."""
    parts = split_top(text)
    where = f"{option} {_clip(text)}"  # a 10,000-name point is not repeated whole in its error
    if len(parts) == 1 and "=" not in parts[0]:
        if not names:
            raise UsageError(f"{where}: {owner} has no free variables, so it needs no {option}")
        if len(names) != 1:
            raise UsageError(f"{where}: a bare value needs exactly one variable, "
                             f"{owner} has {len(names)} (use {example(names, option)})")
        return {names[0]: constant(text, where)}
    known = set(names)
    point: dict[str, float] = {}
    for part in parts:
        name, eq, val = part.partition("=")
        name = name.strip()
        if not eq or not name:
            raise UsageError(f"{where}: expected name=value, got {part.strip()!r}")
        if name not in known and not complete:
            near = near_miss(name, names)
            hint = f" (did you mean '{near}'?)" if near else ""
            shown = ", ".join(names[:8]) + (", …" if len(names) > 8 else "")
            raise UsageError(f"{where}: {owner} has no variable '{name}'{hint}; its variables: "
                             f"{shown or 'none'}")
        if name not in known and complete:
            _check_name(name, where)
        if name in point:
            raise UsageError(f"{where}: '{name}' is given twice")
        point[name] = constant(val, f"{option} {name}")
    if complete:
        missing = next((n for n in names if n not in point), None)
        if missing is not None:
            hint = typo(missing, [n for n in point if n not in known]) or f" (use {example(names, option)})"
            raise UsageError(f"{where}: no value for the free variable '{missing}'{hint}")
    return point


def _check_name(name: str, where: str) -> None:
    """A name the expression does not read must still be a name a variable could have."""
    if not _is_name(name):
        raise UsageError(f"{where}: {_quoted(name)} is not a variable name")
    from ..core.ops import FUNCTION_NAMES
    from ..language.expr import CONSTANTS
    if name in CONSTANTS or name in FUNCTION_NAMES:
        what = "the constant" if name in CONSTANTS else "the function"
        raise UsageError(f"{where}: '{name}' is {what} {name}, not a variable")


def typo(missing: str, given: list[str]) -> str:
    """` (did you mean 'x' instead of 'xx'?)` when one of the names given but not read looks like the missing one."""
    near = near_miss(missing, given)
    return f" (did you mean '{missing}' instead of '{near}'?)" if near else ""


def _clip(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[:n] + "…"


# ---- the expression argument ------------------------------------------------------------------------------------

def read_expr(expr: str) -> str:
    """The expression argument; standard input for '-', the file PATH for '@PATH' (strict UTF-8: bad bytes are a
    usage error). Everything after the first '@' is the path, as given ('@@x' reads the file '@x'): '@' is never
    dcalc, so it needs no escape."""
    if expr.startswith("@"):
        return _read_file(expr[1:])
    if expr != "-":
        return expr
    if sys.stdin is None:  # started with `<&-`
        raise UsageError("standard input is closed")
    return _decoded(sys.stdin.buffer, "standard input")


def _decoded(stream, name: str) -> str:
    from ..language.syntax import MAX_SOURCE
    data = stream.read(4 * MAX_SOURCE + 1)  # enough for the longest text: never all of `< /dev/zero`
    if len(data) > 4 * MAX_SOURCE:
        raise UsageError(f"{name} is longer than dcalc reads (at most {MAX_SOURCE:,} characters)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UsageError(f"{name} is not UTF-8 text (bad byte at offset {e.start})") from None


def _read_file(path: str) -> str:
    """The program in the file at `path` (`~` expanded: after '@' the shell does not)."""
    import os
    if not path:
        raise UsageError("'@' names a file to read the expression from: write @loss.dc")
    try:
        with open(os.path.expanduser(path), "rb") as f:
            return _decoded(f, repr(path))
    except OSError as e:
        raise UsageError(f"cannot read the expression file {path!r}: {e.strerror or e}") from None


# a word that looks like a file name (loss.dc, ./f.txt, ~/x, dir/y): said so when it does not parse (a pattern, which
# re compiles only then)
_PATH_LIKE = r"(\.{0,2}/|~/)?([\w.-]+/)*[\w-]+\.[A-Za-z]\w{0,7}|(\.{0,2}/|~/)[\w./-]*"


def load(expr: str, strict: bool = False):
    """Parse and lower the expression argument; its reading notes on stderr (or with `strict` the first as the error)."""
    return load_program(expr, strict)[1]


def load_program(expr: str, strict: bool = False):
    """The program as read and its graph, as load makes it (trace shows the program's statements too)."""
    from ..core.graph import lower
    program = read_program(expr)
    graph = lower(program)
    reading_notes(program, strict)
    return program, note_unused(graph)


def read_program(expr: str):
    """Parse the expression argument, with the built-in functions' names (x(x+1) multiplies, sin(x) calls). A word
    that looks like a file name and does not parse (loss.dc) gets a hint: files are read with '@'."""
    from ..core.ops import FUNCTION_NAMES
    from ..errors import ParseError
    from ..language.syntax import parse
    try:
        return parse(read_expr(expr), FUNCTION_NAMES)
    except ParseError as e:
        if expr != "-" and not expr.startswith("@") and re.fullmatch(_PATH_LIKE, expr.strip()) and not e.hint:
            import os
            there = os.path.isfile(os.path.expanduser(expr.strip()))
            e.hint = f"to read {'the' if there else 'a'} file write @{expr.strip()}"
        raise


def reading_notes(program, strict: bool) -> None:
    """The program's notes (sinx read as one variable, 1/2x as (1/2)*x) on stderr, or with --strict the first as the
    error. After lowering, so that an error in the program comes first, alone."""
    if strict and program.notes:
        raise program.notes[0]
    for n in program.notes:
        note(n.message)


def note_unused(graph):
    """A note on stderr for each definition nothing reads: it is not evaluated (README, Programs)."""
    for name in graph.unused:
        note(f"'{name}' is defined but never used, so it is not evaluated")
    return graph


# ---- --at, --direction, --expect -------------------------------------------------------------------------------

def points_at(graph, at: list[str] | None) -> list[dict[str, float]]:
    """The points of the --at options, in order; none is one point when the expression has no free variables."""
    if not at:
        if graph.inputs:
            raise UsageError(f"no value for the free variable '{graph.inputs[0]}' (use {example(graph.inputs)})")
        return [{}]
    return [parse_point(a, graph.inputs) for a in at]


def direction_seed(graph, text: str) -> dict[str, float]:
    """The seed of a directional derivative: a point-like vector; variables left out move by 0."""
    seed = parse_point(text, graph.inputs, "--direction", complete=False)
    return {n: seed.get(n, 0.0) for n in graph.inputs}


def expected_value(text: str | None) -> dict[str, float] | None:
    """--expect of a single number: {"": value} (a name "" is the value itself)."""
    return None if text is None else {"": constant(text, "--expect")}


def expected_partials(text: str | None, names: list[str], seed) -> dict[str, float] | None:
    """--expect of grad: `x=7,y=2` (any of the variables) or a bare number when there is one variable or a
    direction."""
    if text is None or seed is not None:
        return expected_value(text)
    return parse_point(text, names, "--expect", "the gradient", complete=False)


# ---- --wrt ----------------------------------------------------------------------------------------------------

def wrt_names(graph, wrt: str | None, *, as_given: bool = False, unread: bool = True) -> list[str]:
    """The variables named by --wrt (comma-separated), each checked; every free variable when --wrt is absent.

    For grad and check: each name once, the free variables in order of first appearance, then names the expression
    does not read. For diff (`as_given`): the order of differentiation, as given, repeats included. The derivative by
    a name the expression does not read is 0 (note_unread says so); with `unread` False such a name is an error
    (trace follows a variable through the graph, so it must be there)."""
    if wrt is None:
        return list(graph.inputs)
    from ..core.ops import FUNCTION_NAMES
    from ..language.expr import CONSTANTS
    names = [w.strip() for w in wrt.split(",")]
    if not any(names):
        raise UsageError(f"--wrt {wrt!r}: name at least one variable")
    inputs = set(graph.inputs)
    for n in dict.fromkeys(names):
        what = ("an empty name" if not n else "a constant" if n in CONSTANTS else "a built-in function"
                if n in FUNCTION_NAMES else "defined by the expression, not a free variable" if n in graph.defined
                else None if _is_name(n) else "not a variable name")
        if what:
            raise UsageError(f"--wrt {wrt}: {f'{n!r} is ' if n else ''}{what}; the variables: "
                             f"{', '.join(graph.inputs) or 'none'}")
        if not unread and n not in inputs:
            raise UsageError(f"--wrt {wrt}: the expression has no variable '{n}' ({_near(graph, n)})")
    if as_given:
        return names
    wanted = set(names)
    return [n for n in graph.inputs if n in wanted] + [n for n in dict.fromkeys(names) if n not in inputs]


def gradient_names(graph, wrt: str | None) -> list[str]:
    """The variables of grad and check: --wrt's, or every free variable (then there must be one), noted when unread."""
    if not graph.inputs and wrt is None:
        raise UsageError(NO_VARIABLES)
    return wrt_names(graph, wrt)


def checked_names(graph, wrt: str | None, given: list[str]) -> list[str]:
    """The variables `dcalc check` compares: those of `given` the expression reads (an unread one is 0: nothing to
    check), at least one."""
    inputs = set(graph.inputs)
    names = [n for n in given if n in inputs]
    if not names:
        raise UsageError(f"--wrt {wrt}: the expression does not read these variables, so there is nothing to check "
                         f"(its derivatives by them are 0); its variables: {', '.join(graph.inputs) or 'none'}")
    return names


def trace_variable(graph, wrt: str | None) -> str | None:
    """trace --wrt: one variable, which the expression reads (None: trace decides)."""
    if wrt is None:
        return None
    names = wrt_names(graph, wrt, unread=False)
    if len(names) != 1:
        raise UsageError(f"--wrt {wrt}: trace follows one variable; for the whole gradient use --mode reverse")
    return names[0]


def note_unread(graph, names: list[str]) -> None:
    """A note on stderr for each name the expression does not read (its derivative is 0), against typos."""
    inputs = set(graph.inputs)
    for n in dict.fromkeys(names):
        if n not in inputs:
            note(f"the expression does not read '{n}' ({_near(graph, n)}), so its derivative by {n} is 0")


def _near(graph, name: str) -> str:
    near = [v for v in graph.inputs if v.lower() == name.lower()] or [near_miss(name, graph.inputs)]
    return (f"did you mean '{near[0]}'?" if near[0] else f"its variables: {', '.join(graph.inputs)}" if graph.inputs
            else "it has no variables")


# ---- which options go together --------------------------------------------------------------------------------

def load_at_points(expr: str, strict: bool, fmt: str, as_json: bool, points_file, at, expect=None, digits=None,
                   tol=None, delimiter=None, reduce=None):
    """eval, grad and check: the output format and the batch's options checked, then the expression loaded (as
    load): (format, graph)."""
    fmt = output_format(fmt, as_json, points_file, at, expect, digits, tol)
    batch_options(points_file, fmt, delimiter, reduce, expect)
    return fmt, load(expr, strict)


def output_format(fmt: str, as_json: bool, points_file, at, expect, digits=None, tol=None) -> str:
    """The output format of eval, grad and check; csv is for batches, and a batch takes no --at or --expect."""
    if fmt not in ("text", "json", "csv"):
        raise UsageError(f"--format must be text, json or csv, not {fmt!r}")
    if as_json and fmt not in ("text", "json"):
        raise UsageError(f"--json and --format {fmt} contradict each other")
    if fmt == "csv" and points_file is None:
        raise UsageError("--format csv writes one row per point of a batch: use it with --points FILE")
    out = "json" if as_json else fmt
    if digits is not None and out != "text":
        raise UsageError(f"--digits {digits} shapes text output; --format {out} writes every number exactly as its "
                         "double")
    if tol is not None and expect is None:
        raise UsageError(f"--tol {tol:g} is the tolerance of --expect: use it with --expect")
    return out


REDUCTIONS = ("mean", "sum")  # --reduce


def batch_options(points_file, fmt: str, delimiter: str | None = None, reduce: str | None = None,
                  expect: str | None = None) -> None:
    """--delimiter, --reduce and --expect col:NAME shape a batch: each needs --points; --reduce gives one result,
    not a CSV of rows."""
    for option, value in (("--delimiter", delimiter), ("--reduce", reduce)):
        if value is not None and points_file is None:
            raise UsageError(f"{option} {value} shapes a batch of points: use it with --points FILE")
    if expect is not None and points_file is None and "col:" in expect:
        raise UsageError(f"--expect {expect}: col:NAME is a column of the --points file: use it with --points FILE")
    if reduce is not None and reduce not in REDUCTIONS:
        raise UsageError(f"--reduce must be mean or sum, not {reduce!r}")
    if reduce is not None and fmt == "csv":
        raise UsageError(f"--reduce {reduce} gives one result, not a row per point: use text or --json, not "
                         "--format csv")


def delimiter_char(text: str | None) -> str | None:
    """--delimiter: one character (`tab` or `\\t` for a tab); never one that occurs in numbers or quotes cells."""
    if text is None:
        return None
    d = "\t" if text in ("tab", "\\t") else text
    if len(d) != 1 or d.isalnum() or d in '.+-_"\r\n' or (d.isspace() and d not in " \t"):
        raise UsageError(f"--delimiter {text!r}: give one character that separates the cells (',', ';', '|', 'tab' "
                         "…), not one that occurs in numbers or quotes them")
    return d


def grad_options(wrt, direction, hessian: bool) -> None:
    """--direction moves every variable: no --wrt beside it, and no --hessian (that is --order 2 --direction)."""
    if direction is not None and wrt is not None:
        raise UsageError(f"--wrt {wrt} and --direction {direction} do not go together: a directional derivative "
                         "moves every variable along the direction (leave a variable out of it to hold it still)")
    if direction is not None and hessian:
        raise UsageError(f"--hessian and --direction {direction} do not go together: the second derivative along a "
                         f"direction is --order 2 --direction {direction}")


def only_gradient(conflict: bool, option: str) -> None:
    if conflict:
        raise UsageError(f"{option} works with gradients, not with --direction, --order or --hessian")


def higher_options(names: list[str], seed, order: int | None, hessian: bool) -> None:
    """grad --order N and --hessian: one or the other; --order along one variable or a direction."""
    if order is not None and hessian:
        raise UsageError("--order and --hessian do not go together: the Hessian is of order 2")
    if order is not None and seed is None and len(names) != 1:
        raise UsageError(f"--order {order} needs one variable, the expression has {len(names)}: give it with --wrt")


def order_limit(order: int) -> None:
    """--order N within what Taylor mode computes (checked where no Taylor pass does it: an unread variable)."""
    from ..modes.taylor import MAX_ORDER
    if order > MAX_ORDER:
        raise UsageError(f"the order must be between 1 and {MAX_ORDER}, not {order}")


def diff_options(fmt: str, as_json: bool = False, delims: str | None = None) -> tuple[str, str]:
    """diff's output format (--json is --format json) and its LaTeX delimiters."""
    from .defaults import DIFF_FORMATS
    if fmt not in DIFF_FORMATS:
        raise UsageError(f"--format must be one of {', '.join(DIFF_FORMATS)}, not {fmt!r}")
    if as_json and fmt not in ("text", "json"):
        raise UsageError(f"--json and --format {fmt} contradict each other")
    fmt = "json" if as_json else fmt
    return fmt, latex_delims(delims, fmt)


def latex_delims(delims: str | None, fmt: str) -> str:
    """--latex-delims, checked: it shapes --format latex only (Markdown's display math is always $$)."""
    from ..output.display import DELIMS
    if delims is not None and delims not in DELIMS:
        raise UsageError(f"--latex-delims must be one of {', '.join(DELIMS)}, not {delims!r}")
    if delims is not None and fmt != "latex":
        raise UsageError(f"--latex-delims {delims} marks LaTeX's display math: use it with --format latex")
    return delims or "brackets"


def diff_order(wrt: str | None, given: list[str] | None, order: int | None) -> None:
    """diff --order N with --wrt: one variable taken N times, or exactly N variables."""
    if given is not None and order is not None and len(given) not in (1, order):
        raise UsageError(f"--order {order} does not match --wrt {wrt} ({len(given)} variables): give one variable "
                         f"to take {order} times, or exactly {order} in the order of differentiation")


def trace_options(fmt: str, mode: str, at, digits: int | None = None) -> None:
    """trace --format, --digits (not with JSON, whose numbers are exact, as in eval, grad and check) and --mode."""
    from ..output.render_trace import FORMATS
    from ..output.trace import MODES
    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if digits is not None and fmt == "json":  # one policy with eval, grad and check: JSON numbers are exact
        raise UsageError(f"--digits {digits} shapes numbers written for people; --format json writes every number "
                         "exactly: drop one of them")
    if mode not in MODES:
        raise UsageError(f"--mode must be forward or reverse, not {mode!r}")
    if fmt == "svg":
        graphviz()


def graphviz() -> None:
    """--format svg runs Graphviz's dot: said before any work when it is not installed."""
    import shutil
    if shutil.which("dot") is None:
        from ..output.svg import INSTALL
        raise UsageError(f"--format svg runs Graphviz's 'dot' program, which is not installed here (not on PATH): "
                         f"{INSTALL}, or write --format dot and render it elsewhere")


def trace_drawing(fmt: str, at) -> None:
    """DOT and Mermaid draw the graph at one point."""
    if at and len(at) > 1 and fmt in ("dot", "mermaid", "svg"):
        raise UsageError(f"--format {fmt} draws the graph at one point, and {len(at)} were given: give one --at, or "
                         "use text, json, latex or markdown for a trace per point")


def as_given(text: str, point: dict[str, float]) -> dict[str, str]:
    """The values of an --at as typed, for those typed as formulas (x=pi/4), not as the number they are."""
    from ..core.printing import number_text
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
