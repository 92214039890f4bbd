"""A trace → text (a table for people), JSON (DESIGN.md's schema), LaTeX (an aligned block), DOT and Mermaid (the
graph). No math: every number comes from the trace. Each renderer yields its output piece by piece, so a long trace
is written as it is produced and never assembled into one string.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from ..core.printing import number_text, to_text
from ..language.expr import Assign, Define, Outputs, Program, Var
from ..symbolic.latex import name_latex, number_latex, to_latex
from .render import statement_lines
from .trace import Row, Trace

FORMATS = ("text", "json", "latex", "markdown", "dot", "mermaid", "svg")
MACRON = "\u0304"  # combining bar: ū2 is the adjoint of u2


@dataclass(frozen=True)
class Style:
    """How a trace is laid out, apart from its content. `digits`: significant digits of every number shown (None:
    the shortest text that reads back exactly; JSON always writes numbers exactly). `legend`: the notation's key in
    text and LaTeX. `width`: the terminal's columns; a table wider than that is written one block per node (None:
    never). `given`: the point as the user typed it (`x=pi/4`), per variable, where that is not the number's text."""

    digits: int | None = None
    legend: bool = True
    width: int | None = None
    given: dict[str, str] | None = None
    delims: str = "brackets"  # LaTeX's display delimiters (output/display.py DELIMS)


PLAIN = Style()


def render(t: Trace, fmt: str, program: Program | None = None, colour: bool = False,
           style: Style = PLAIN) -> Iterator[str]:
    """The trace in one of FORMATS but Markdown (output/formats.py), as pieces of text (each ends a line unless the
    format is JSON's single line)."""
    return dispatch(sys.modules[__name__], t, fmt, program, colour, style)


def dispatch(writers, t, fmt: str, program: Program | None, colour: bool, style: Style) -> Iterator[str]:
    """A trace's pieces in `fmt` from `writers`, a module with json_pieces, latex_lines, dot_lines, mermaid_lines and
    text_lines: this one for the trace at a point, formula_trace for the symbolic trace."""
    if fmt == "json":
        return writers.json_pieces(t, program)
    if fmt == "latex":
        from .display import delimited
        return delimited(writers.latex_lines(t, program, style), style.delims)
    if fmt in ("dot", "svg"):
        from .svg import drawn
        return drawn(writers.dot_lines(t, style, program), fmt)
    if fmt == "mermaid":
        return writers.mermaid_lines(t, style, program)
    return writers.text_lines(t, program, colour, style)


# ---- shared wording -------------------------------------------------------------------------------------------------

def function_name(program: Program | None) -> str:
    """What the trace calls the whole function: f, unless the program uses that name itself."""
    taken = {s.name for s in program.stmts if isinstance(s, (Assign, Define))} if program is not None else set()
    return next((n for n in ("f", "g", "h", "F") if n not in taken), "f")


def output_name(program: Program | None) -> str:
    """What the summary calls the result: the variable a program ends by assigning (`loss = …` gives dloss/dw1, and
    a program ending in `f = …` keeps f, and one ending in the bare name of an assigned variable), else the function's name (function_name)."""
    if program is not None:
        last = next((s for s in reversed(program.stmts) if not isinstance(s, Define)), None)
        if isinstance(last, Assign):
            return last.name
        if isinstance(last, Var) and any(isinstance(s, Assign) and s.name == last.name for s in program.stmts):
            return last.name  # `…; loss = …; loss` ends in loss too
    return function_name(program)


def read_as(program: Program | None, t: Trace) -> list[str]:
    """The program as dcalc read it, fully parenthesised, one statement a line; a bare expression is f(x, …)."""
    f = function_name(program)
    if program is None:
        return [f"{f}({', '.join(t.graph.inputs)}) = {t.graph.text(t.graph.output)}"]
    return statement_lines(program, f"{f}({', '.join(t.graph.inputs)}) = ", t.graph.labels)


def _num(v: float, digits: int | None = None) -> str:
    """A number; a local partial that does not exist at a kink (0/0 in x/|x|) is `undefined`, an infinite one ±inf."""
    if v - v != 0:
        return "undefined" if v != v else "+inf" if v > 0 else "-inf"
    return number_text(v, digits)


def _sides(r: Row, digits: int | None = None) -> str:
    """At a kink, a node without a two-sided derivative: `left -1, right 1`."""
    from ..modes.kinks import side_text
    return ", ".join(side_text(v if v is None or digits is None else float(number_text(v, digits)), side)
                     for v, side in zip(r.sides, ("left", "right")))


def _one_sided(t: Trace, r: Row) -> bool:
    """At a kink, whether the node's derivative came from its left and right ones rather than the chain rule (a
    partial of it does not exist, or a node it reads has no two-sided derivative)."""
    return t.sides is not None and r.kind == "node" and any(p.value - p.value != 0 or p.index in t.sides
                                                             for p in r.partials)


def _factor(v: float, digits: int | None = None) -> str:
    """A number inside a product: a negative one in parentheses, so 1·(-4) is not read as 1 - 4."""
    s = _num(v, digits)
    return f"({s})" if s.startswith("-") else s


def _point_values(t: Trace, style: Style) -> list[str]:
    """The point's values in input order, each as the user typed it where that was not a plain number (pi/4)."""
    given = style.given or {}
    return [given.get(k) or _num(v, style.digits) for k, v in t.point.items()]


def _at(t: Trace, style: Style) -> str:
    """`x = 2, y = 3`; a value typed as a formula shows it and its double: `x = pi/4 = 0.7853981633974483`."""
    given = style.given or {}
    return ", ".join(f"{k} = {given[k]} = {_num(v, style.digits)}" if given.get(k) else f"{k} = {_num(v, style.digits)}"
                     for k, v in t.point.items())


_SHORT = re.compile(r"[A-Za-z]\d*")  # x, u2, x1: a letter, perhaps with an index


def _bar(name: str) -> str:
    """The adjoint's name: a bar over a one-letter name (ū2, x̄1: the index stays outside, as u̅₂ is read), precomposed
    where Unicode has it; a longer name gets `adj(loss)`, never a bar over its first letter alone."""
    if not _SHORT.fullmatch(name):
        return f"adj({name})"
    return unicodedata.normalize("NFC", name[0] + MACRON) + name[1:]


def _d(t: Trace) -> str:
    """How the derivative with respect to wrt is named: df/dx for one input, ∂f/∂x for several."""
    return "d" if len(t.graph.inputs) == 1 else "∂"


def marked(t: Trace, r: Row) -> bool:
    """Whether ∂u/∂x and du/dx differ at this node as formulas: it reads a node other than x that depends on x, so
    its total derivative is a chain through that node (and ∂u/∂x, the other arguments held fixed, misses it; it is
    0 when u does not read x itself). A node that reads only x (sin(x), x*x) has du/dx = ∂u/∂x."""
    return bool(r.through)  # t: kept for the renderers' one call shape


LEGEND_FORWARD = ("∂u/∂v: a local partial, of u in its argument v with u's other arguments held fixed. "
                  "du/dx: a total derivative, of u in x through every path from x to u.")
LEGEND_MARK = ("*: a node where the two differ, because it reads a node that depends on {x} (∂u/∂{x} is 0 "
               "when u does not read {x} itself); elsewhere du/d{x} = ∂u/∂{x}.")
LEGEND_REVERSE = ("ū (adj(name) for a longer name): the adjoint, the total derivative df/du of the output f in u "
                  "through every path from u to f; an input's adjoint is ∂f/∂x, the other inputs held fixed.")


LEGEND_SEED = ("ū (adj(name) for a longer name): the adjoint, Σ seed(o)·∂o/∂u over the outputs o, each through every "
               "path from u to o; an input's adjoint is the vector–Jacobian product Σ seed(o)·∂o/∂x.")


def legend(t: Trace) -> list[str]:
    """The notation's key, as sentences: the trace itself says what ∂ and d mean (issue 13's caution)."""
    out = [LEGEND_FORWARD]
    if t.wrt is not None:
        out.append(LEGEND_MARK.format(x=t.wrt))
    if t.mode == "reverse":
        out.append(LEGEND_REVERSE if getattr(t, "seed", None) is None else LEGEND_SEED)  # (a Derivation has none)
    return out

# ---- the sentences, written once for text and LaTeX ------------------------------------------------------------------

class _Notation:
    """How one output format writes the pieces of the trace's sentences: names, numbers (`num` for a value, `factor`
    for one inside a product), ∂u/∂v, du/dx, ū, formulas, the two products (of symbols, of numbers) and words."""

    def __init__(self, num, factor, partial, total, bar, formula, sym_times, num_times, words, digits=None):
        self.num, self.factor, self.partial, self.total, self.bar = num, factor, partial, total, bar
        self.formula, self.sym_times, self.num_times, self.words = formula, sym_times, num_times, words
        self.digits = digits  # --digits, for the words at a kink (left -1, right 1)


def _partial_equation(r: Row, p, n: _Notation) -> str:
    """∂u2/∂u1 = cos(u1) = 0.96 (the rule left out where it is the number itself)."""
    rule, value = n.formula(p.rule), n.num(p.value)
    head = n.partial(r.name, p.name)
    return f"{head} = {value}" if rule == value else f"{head} = {rule} = {value}"


def _formula(t: Trace, r: Row, n: _Notation, reverse: bool = False) -> str | None:
    """The row's derivative (or adjoint) as a formula, when the trace carries its derivation (the command line at a
    point): shown between the sum of symbols and the numbers."""
    d = t.adjoint_derivation if reverse else t.derivation
    if d is None:
        return None
    key = "_adjoint_rows" if reverse else "_rows"
    rows = getattr(d, key, None)
    if rows is None:
        rows = {f.index: f for f in d.rows()}
        setattr(d, key, rows)
    from .stages import formula_of
    f = rows.get(r.index)
    return None if f is None else formula_of(d, f, n)


def _total_equation(t: Trace, r: Row, n: _Notation) -> tuple[str, str]:
    """du2/dx and what it equals: ∂u2/∂x + ∂u2/∂u1·du1/dx = 1 + 1·4 = 5; at a kink the two sides, or the value from
    the one-sided derivatives, with `words` saying so. (lhs, rhs): each format places the sign of equality."""
    x = t.wrt
    head = n.total(r.name, x)
    if r.sides is not None:
        return head, n.words(_sides(r, n.digits))
    result = n.num(r.derivative)
    if _one_sided(t, r):
        return head, f"{result} {n.words('(one-sided derivatives)')}"
    if r.kind != "node" or not r.partials:
        return head, result
    syms, nums = [], []
    for p in r.partials:
        if p.name == x:
            syms.append(n.partial(r.name, x))
            nums.append(n.factor(p.value) if nums else n.num(p.value))
        else:
            syms.append(f"{n.partial(r.name, p.name)}{n.sym_times}{n.total(p.name, x)}")
            nums.append(f"{n.factor(p.value)}{n.num_times}{n.factor(_tangent(t, p.index))}")
    middle = " + ".join(nums)
    formula = _formula(t, r, n)
    formula = None if formula in (middle, result) else formula
    return head, " = ".join([" + ".join(syms)] + ([formula] if formula else []) + ([] if middle == result else [middle])
                            + [result])


def _adjoint_equation(r: Row, n: _Notation, formula: str | None = None) -> str:
    """What x̄ equals: ū1·∂u1/∂x + ū2·∂u2/∂x = 0.96·4 + 0.96·1 = 4.8 (a node nothing reads: its adjoint alone); the
    adjoint's formula, when given, between the symbols and the numbers."""
    if not r.terms:
        return n.num(r.adjoint)
    syms = " + ".join(f"{n.bar(m.reader)}{n.sym_times}{n.partial(m.reader, r.name)}" for m in r.terms)
    nums = " + ".join(f"{n.factor(m.adjoint)}{n.num_times}{n.factor(m.partial)}" for m in r.terms)
    if r.seed is not None:  # an output read by another (h, loss): its seed, then the sum over its readers
        syms, nums = f"seed + {syms}", f"{n.factor(r.seed)} + {nums}"
    result = n.num(r.adjoint)
    return " = ".join([syms] + ([formula] if formula and formula not in (nums, result) else []) + [nums, result])

# ---- text -----------------------------------------------------------------------------------------------------------

def _width(s: str) -> int:
    """Columns a cell takes: the only zero-width character dcalc writes is the adjoint's combining bar."""
    return len(s) - s.count(MACRON)


def _paint(s: str, code: str, on: bool) -> str:
    return f"\x1b[{code}m{s}\x1b[0m" if on and s else s


def _definition(row: Row) -> str:
    if row.kind == "input":
        return f"{row.name} (input)"
    if row.kind == "const":
        return f"{row.name} (constant)"
    return f"{row.name} = {to_text(row.formula)}"


def _text_notation(digits: int | None) -> _Notation:
    return _Notation(num=lambda v: _num(v, digits), factor=lambda v: _factor(v, digits),
                     partial=lambda u, v: f"∂{u}/∂{v}", total=lambda u, x: f"d{u}/d{x}", bar=_bar, formula=to_text,
                     sym_times="·", num_times="·", words=lambda s: s, digits=digits)


TEXT = _text_notation(None)


def _partials_text(row: Row, n: _Notation = TEXT) -> str:
    return ", ".join(_partial_equation(row, p, n) for p in row.partials)


def _total_text(t: Trace, row: Row, n: _Notation = TEXT) -> str:
    """du2/dx = ∂u2/∂x + ∂u2/∂u1·du1/dx = 1 + 1·4 = 5"""
    head, rhs = _total_equation(t, row, n)
    return f"{head}: {rhs}" if row.sides is not None else f"{head} = {rhs}"


def _tangent(t: Trace, i: int) -> float:
    v = t.tangents[i]
    return 0.0 if v is None else v


def _table(rows: list[tuple], colour: bool, styles: tuple) -> list[str]:
    """Aligned columns (the last one unpadded); row 0 is the heading. A style per column is applied after padding,
    so the escape codes take no room."""
    widths = [max(_width(r[k]) for r in rows) for k in range(len(rows[0]))]
    out = []
    for n, r in enumerate(rows):
        cells = []
        for k, cell in enumerate(r):
            pad = "" if k == len(r) - 1 else " " * (widths[k] - _width(cell))
            cells.append(_paint(cell, "2" if n == 0 else styles[k], colour) + pad)
        out.append("  ".join(cells).rstrip())
    return out


def _too_wide(lines: list[str], style: Style, colour: bool) -> bool:
    if style.width is None:
        return False
    if colour:
        lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]
    return max(map(_width, lines)) > style.width


def _equation_block(text: str, indent: str, width: int | None) -> list[str]:
    """`du2/dx = a = b = 5` on one line if it fits in `width`, else one line per step, the signs of equality under
    each other (a block per node)."""
    head, *steps = text.split(" = ")
    if not steps or width is None or _width(indent + text) <= width:
        return [indent + text]
    pad = " " * _width(head)
    return [f"{indent}{head} = {steps[0]}"] + [f"{indent}{pad} = {s}" for s in steps[1:]]


def _wrap(text: str, width: int | None, first: str = "", rest: str = "  ") -> list[str]:
    import textwrap  # here: only a legend wraps
    return textwrap.wrap(text, width=max(20, width or 100), initial_indent=first, subsequent_indent=rest,
                         break_on_hyphens=False)


def text_lines(t: Trace, program: Program | None = None, colour: bool = False, style: Style = PLAIN) -> Iterator[str]:
    n = _text_notation(style.digits)
    for line in read_as(program, t):
        yield _paint(line, "1", colour)
    at = _at(t, style)
    if t.mode == "forward":
        head = f"at {at}; forward mode: the total derivative d/d{t.wrt} of every node, in evaluation order"
    else:
        out = t.graph.nodes[t.graph.output].name or "f"  # a constant output (`f; 0`) has no name of its own
        start = "the output" if t.failure is not None else f"{_bar(out)} = 1"  # stopped: the graph's end is not f
        if t.seed is not None and t.failure is None:
            start = "the seeds " + ", ".join(f"{_bar(label)} = {_num(w, style.digits)}" for label, w in t.seed.items())
        forward = f"values and derivatives d/d{t.wrt}" if t.shows_derivative else "values"
        adjoint = f"{_bar('u')} = df/du" if t.seed is None else _bar("u")
        head = f"at {at}; reverse mode: {forward} forward, then adjoints {adjoint} backward from {start} to the inputs"
    yield from [head] if style.width is None or _width(head) <= style.width else _wrap(head, style.width)
    if style.legend:
        for sentence in legend(t):
            yield from (_paint(line, "2", colour) for line in _wrap(sentence, style.width))
    yield ""
    rows = list(t.rows())
    if t.mode == "forward":
        yield from _forward_table(t, rows, colour, style, n)
    else:
        yield from _reverse_tables(t, rows, colour, style, n)
    yield ""
    if t.failure is not None:
        yield from (_paint(line, "1;31", colour) for line in _wrap(failure_text(t), style.width, "", "  "))
        return
    yield from _summary(t, program, colour, style)
    g = t.graph
    if g.guards:  # evaluated with the value, read by nothing: an honest trace says so (graph.Graph.guards)
        n = len(g.nodes)
        shown = ", ".join(f"{node.name} = {g.text(n + k)}" for k, node in enumerate(g.guards) if node.kind == "node")
        yield _paint(f"also evaluated, read by no node (arguments a function ignores: where they are undefined, so "
                     f"is the program): {shown}", "2", colour)
    notes = [r for r in rows if r.also_through and marked(t, r)]
    if notes:
        yield ""
    for r in notes:
        through = ", ".join(r.also_through)
        direct = next(p for p in r.partials if p.name == t.wrt)
        note = (f"* {t.wrt} reaches {r.name} directly and through {through}: ∂{r.name}/∂{t.wrt} = "
                f"{_num(direct.value, style.digits)} but d{r.name}/d{t.wrt} = "
                f"{_num(_tangent(t, r.index), style.digits)} (a chain rule along one path misses the rest)")
        lines = [note] if style.width is None or _width(note) <= style.width else _wrap(note, style.width)
        yield from (_paint(line, "33", colour) for line in lines)


def failure_text(t: Trace) -> str:
    """✗ the line that pins the error to the node where the trace stops (the caret under the source, which the
    command writes after it, shows where that node was written)."""
    return f"✗ the trace stops at {t.failure.name}: {t.failure.error.message}"


def _failure_cells(t: Trace, columns: int, style: Style) -> list[tuple]:
    """The row of the node where the trace stops: its definition and value (`undefined` if it has none) and, when the
    value exists, that the derivative does not."""
    f = t.failure
    if f is None:
        return []
    value = "undefined" if f.value is None else _num(f.value, style.digits)
    cells = ["✗", f"{f.name} = {to_text(f.formula)}", value, ""]
    if columns == 5:
        cells.append("" if f.value is None else f"d{f.name}/d{t.wrt}: does not exist here")
    return [tuple(cells)]


def _summary(t: Trace, program: Program | None, colour: bool, style: Style) -> Iterator[str]:
    """f(2) = 6, then the derivatives without the point again: df/dx = 5 (∂f/∂x1 = x̄1 = 5.5 for each input)."""
    f = output_name(program)
    if t.seed is not None:  # several outputs: their values, then the inputs' adjoints, the product seedᵀJ
        yield _paint(", ".join(f"{o} = {_num(v, style.digits)}" for o, v in t.values_by_output.items()), "1", colour)
        for name, g in t.gradient.items():
            terms = " + ".join(f"{_factor(w, style.digits)}·∂{o}/∂{name}" for o, w in t.seed.items())
            yield _paint(f"{_bar(name)} = {terms} = {_num(g, style.digits)}", "1;32", colour)
        return
    yield _paint(f"{f}({', '.join(_point_values(t, style))}) = {_num(t.value, style.digits)}", "1", colour)
    d = _d(t)
    if t.mode == "forward":
        yield _paint(f"{d}{f}/{d}{t.wrt} = {_num(t.derivative, style.digits)}", "1;32", colour)
    else:
        for name, g in t.gradient.items():
            yield _paint(f"{d}{f}/{d}{name} = {_bar(name)} = {_num(g, style.digits)}", "1;32", colour)


def _mark(t: Trace, r: Row) -> str:
    return "*" if marked(t, r) else ""


def _forward_table(t: Trace, rows: list[Row], colour: bool, style: Style, n: _Notation) -> Iterator[str]:
    cells = [("", "node", "value", "local partials", f"total derivative d/d{t.wrt}")]
    for r in rows:
        cells.append((_mark(t, r), _definition(r), _num(r.value, style.digits), _partials_text(r, n),
                      _total_text(t, r, n)))
    cells += _failure_cells(t, 5, style)
    yield from _laid_out(cells, colour, ("33", "", "", "", "36"), style)


def _laid_out(cells: list[tuple], colour: bool, styles: tuple, style: Style, values: bool = True) -> list[str]:
    """The table, or where it is wider than the terminal one block per node: the node and its value on a line, then
    each partial and each equation on lines of their own (an equation one step a line). `values`: whether the
    third column is the node's value (the symbolic trace has none: its first line is the definition alone)."""
    lines = _table(cells, colour, styles)
    if not _too_wide(lines, style, colour):
        return lines
    out = []
    for k, (mark, definition, *rest) in enumerate(cells[1:]):
        if k:
            out.append("")
        value = rest.pop(0) if values else None
        name, kind = definition.split(" (", 1) if definition.endswith(")") and " = " not in definition else (
            definition, "")
        first = f"{mark or ' '} {definition}" if value is None else (
            f"{mark or ' '} {name} = {value}" + (f" ({kind}" if kind else ""))
        out.append(_paint(first, "1", colour))
        partials = rest[0].replace(", ∂", "\0∂").split("\0") if rest and rest[0] else []  # no formula holds ∂
        for part in partials:
            out.extend(_equation_block(part, "    ", style.width))
        for cell in filter(None, rest[1:]):
            out.extend(_paint(line, styles[-1], colour) for line in _equation_block(cell, "    ", style.width))
    return out


def _reverse_tables(t: Trace, rows: list[Row], colour: bool, style: Style, n: _Notation) -> Iterator[str]:
    if t.shows_derivative:  # a wrt was given: the forward pass carries d/d(wrt) too, as forward mode shows it
        yield _paint(f"forward pass: values, local partials and total derivatives d/d{t.wrt}", "1", colour)
        cells = [("", "node", "value", "local partials", f"total derivative d/d{t.wrt}")]
        cells += [(_mark(t, r), _definition(r), _num(r.value, style.digits), _partials_text(r, n),
                   _total_text(t, r, n)) for r in rows]
        cells += _failure_cells(t, 5, style)
        yield from _laid_out(cells, colour, ("33", "", "", "", "36"), style)
    else:
        yield _paint("forward pass: values and local partials", "1", colour)
        cells = [("", "node", "value", "local partials")]
        cells += [(_mark(t, r), _definition(r), _num(r.value, style.digits), _partials_text(r, n)) for r in rows]
        cells += _failure_cells(t, 4, style)
        yield from _laid_out(cells, colour, ("33", "", "", ""), style)
    if t.failure is not None:  # no adjoints: the backward pass starts from an output that has no derivative
        return
    yield ""
    each = "the total derivative df/du" if t.seed is None else "Σ seed(o)·∂o/∂u"
    yield _paint(f"backward pass: adjoints, each {each}, the sum over the nodes that read u", "1", colour)
    out = t.graph.output
    back = [("adjoint", "sum over the readers")]
    for r in reversed(rows):
        if r.kind == "const":
            continue
        back.append((_bar(r.name), "= " + _adjoint_text(r, r.index == out and t.seed is None, n,
                                                          _formula(t, r, TEXT, reverse=True))))
    lines = _table(back, colour, ("36", ""))
    if not _too_wide(lines, style, colour):
        yield from lines
        return
    for name, rhs in back[1:]:
        yield from (_paint(line, "36", colour) for line in _equation_block(f"{name} {rhs}", "", style.width))


def _adjoint_text(row: Row, is_output: bool, n: _Notation = TEXT, formula: str | None = None) -> str:
    """x̄ = ū1·∂u1/∂x + ū2·∂u2/∂x = 0.96·4 + 0.96·1 = 4.8"""
    if is_output:
        return "1 (the output: df/df)"
    if row.seed is not None and not row.terms:
        return f"{n.num(row.seed)} (its seed)"
    if not row.terms:
        return f"{n.num(row.adjoint)} (nothing reads {row.name})"
    return _adjoint_equation(row, n, formula)


# ---- JSON -----------------------------------------------------------------------------------------------------------

def _json(obj) -> str:
    return json.dumps(obj, allow_nan=False, ensure_ascii=False)


def node_json(t: Trace, row: Row) -> dict:
    """One node of the trace JSON, keys in DESIGN.md's order."""
    out: dict = {"name": row.name, "kind": row.kind}
    if row.kind == "node":
        out["expr"] = to_text(row.formula)
        out["inputs"] = row.reads
    out["value"] = row.value
    if row.kind == "node":
        out["partials"] = {p.name: p.value if p.value - p.value == 0 else None for p in row.partials}
        out["partial_rules"] = {p.name: to_text(p.rule) for p in row.partials}
    if row.derivative is not None:
        out["derivative"] = row.derivative
    if row.sides is not None:  # at a kink: no two-sided derivative; each side a number, "+inf"/"-inf", or null
        out["derivative"] = None
        out["left_derivative"], out["right_derivative"] = (
            None if v is None else v if v - v == 0 else _num(v) for v in row.sides)
    if row.adjoint is not None:
        out["adjoint"] = row.adjoint
    if row.seed is not None:  # adjoint = seed + Σ over the readers
        out["seed"] = row.seed
    formula = _formula(t, row, TEXT) if row.derivative is not None or row.sides is not None else None
    if formula is not None:
        out["derivative_formula"] = formula
    formula = _formula(t, row, TEXT, reverse=True) if row.adjoint is not None else None
    if formula is not None:
        out["adjoint_formula"] = formula
    return out


def failure_json(t: Trace) -> dict:
    """Where a trace stopped: the node, its definition, its value (null if it has none), the error's message and the
    source span [start, end) where the node was written (null if unknown)."""
    f = t.failure
    return {"node": f.name, "expr": to_text(f.formula), "value": f.value, "message": f.error.message,
            "span": list(f.span) if f.span is not None else None}


def json_pieces(t: Trace, program: Program | None = None) -> Iterator[str]:
    """One JSON object on one line, written node by node. A trace that stops at a node has the nodes before it,
    null for the value and the derivatives, and an "error" object (failure_json) after the nodes."""
    if t.failure is not None:
        head = {"expr": t.graph.source.strip(), "at": t.point, "wrt": t.wrt, "mode": t.mode, "value": None}
        if t.wrt is not None:
            head["derivative"] = None
        if t.mode == "reverse":
            head["gradient"] = None
        yield _json(head)[:-1] + ', "nodes": ['
        for k, row in enumerate(t.rows()):
            yield (", " if k else "") + _json(node_json(t, row))
        yield '], "error": ' + _json(failure_json(t)) + "}\n"
        return
    head: dict = {"expr": t.graph.source.strip() if t.graph.source else t.graph.text(t.graph.output),
                  "at": t.point, "wrt": t.wrt, "mode": t.mode, "value": t.value}
    if t.derivative is not None:
        head["derivative"] = t.derivative
    if t.sides is not None:
        head["one_sided"] = True  # at a kink: the derivatives are the agreeing left and right ones
    if t.mode == "reverse":
        head["gradient"] = t.gradient
    if t.seed is not None:  # several outputs: each one's value, the seeds; "gradient" is the product seedᵀJ
        head["value"], head["seed"] = t.values_by_output, t.seed
    yield _json(head)[:-1] + ', "nodes": ['
    for k, row in enumerate(t.rows()):
        yield (", " if k else "") + _json(node_json(t, row))
    yield "]}\n"


# ---- LaTeX ----------------------------------------------------------------------------------------------------------

def _dl(name: str) -> str:
    return "d" + name_latex(name)


def _partial_latex(u: str, v: str) -> str:
    return f"\\frac{{\\partial {name_latex(u)}}}{{\\partial {name_latex(v)}}}"


def _total_latex(u: str, x: str) -> str:
    return f"\\frac{{d {name_latex(u)}}}{{{_dl(x)}}}"


def _factor_latex(v: float, digits: int | None = None) -> str:
    s = _num_latex(v, digits)
    return f"\\left({s}\\right)" if s.startswith("-") else s


def _bar_latex(name: str) -> str:
    return f"\\overline{{{name_latex(name)}}}"  # over the whole name, however long


def _num_latex(v: float, digits: int | None = None) -> str:
    return number_latex(v, digits) if v == v else "\\text{undefined}"


def _latex_notation(digits: int | None) -> _Notation:
    return _Notation(num=lambda v: _num_latex(v, digits), factor=lambda v: _factor_latex(v, digits),
                     partial=_partial_latex, total=_total_latex, bar=_bar_latex, formula=to_latex, sym_times=" ",
                     num_times=" \\cdot ",
                     words=lambda s: f"\\quad \\text{{{s}}}" if s.startswith("(") else f"\\text{{{s}}}", digits=digits)


LATEX = _latex_notation(None)


def _latex_text(s: str) -> str:
    """Plain words inside \\text{…}: TeX's special characters escaped (an error message quotes formulas)."""
    for ch, tex in (("\\", "\\textbackslash{}"), ("{", "\\{"), ("}", "\\}"), ("_", "\\_"), ("^", "\\^{}"),
                    ("%", "\\%"), ("&", "\\&"), ("#", "\\#"), ("$", "\\$"), ("~", "\\~{}")):
        s = s.replace(ch, tex)
    for ch, tex in (("≥", "$\\geq$"), ("≤", "$\\leq$"), ("≠", "$\\neq$"), ("∂", "$\\partial$"), ("·", "$\\cdot$"),
                    ("π", "$\\pi$"), ("∞", "$\\infty$"), ("…", "\\dots{}"), ("−", "-")):
        s = s.replace(ch, tex)  # KaTeX's strict mode refuses these as text
    return s


def _given_latex(text: str) -> str:
    """A value typed as a formula (pi/4), in LaTeX."""
    from ..language.syntax import parse
    return to_latex(parse(text).stmts[-1])


def _legend_latex(t: Trace) -> Iterator[str]:
    yield ("&\\text{notation: } \\frac{\\partial u}{\\partial v} \\text{ is a local partial (the other arguments of "
           "} u \\text{ held fixed); } \\frac{du}{dx} \\text{ is a total derivative (through every path)} \\\\")
    if t.wrt is not None:
        x = name_latex(t.wrt)
        yield (f"&\\ast \\text{{ marks a node where }} \\frac{{du}}{{d{x}}} \\ne \\frac{{\\partial u}}{{\\partial {x}}}"
               f" \\text{{: it reads a node that depends on }} {x} \\\\")
    if t.mode == "reverse" and getattr(t, "seed", None) is not None:  # (a Derivation has none)
        yield ("&\\overline{u} = \\sum_{o} \\text{seed}(o) \\frac{\\partial o}{\\partial u} \\text{ is an adjoint, "
               "over the outputs } o \\text{; an input's is the vector-Jacobian product} \\\\")
    elif t.mode == "reverse":
        yield ("&\\overline{u} = \\frac{df}{du} \\text{ is an adjoint: the total derivative of the output } f "
               "\\text{ with respect to } u \\\\")


def latex_lines(t: Trace, program: Program | None = None, style: Style = PLAIN) -> Iterator[str]:
    """An `aligned` block: the function, then per node its value, partials and total derivative (or, in reverse
    mode, the forward pass and then the adjoints)."""
    digits = style.digits
    n = _latex_notation(digits)
    given = style.given or {}
    yield "\\begin{aligned}"
    f = function_name(program)
    args = ", ".join(name_latex(a) for a in t.graph.inputs)
    at = ", ".join(f"{name_latex(k)} = {_given_latex(given[k])} \\approx {_num_latex(v, digits)}" if given.get(k)
                   else f"{name_latex(k)} = {_num_latex(v, digits)}" for k, v in t.point.items())
    yield from program_latex(program, t.graph, f, args)
    yield f"&\\text{{at }} {at} \\\\"
    if style.legend:
        yield from _legend_latex(t)
    rows = list(t.rows())
    for r in rows:
        yield from _latex_row(t, r, n)
    if t.failure is not None:
        f = t.failure
        value = "\\text{undefined}" if f.value is None else _num_latex(f.value, digits)
        yield f"{name_latex(f.name)} &= {to_latex(f.formula)} = {value} \\\\"
        yield f"&\\text{{the trace stops at }} {name_latex(f.name)}\\text{{: {_latex_text(f.error.message)}}}"
        yield "\\end{aligned}"
        return
    if t.mode == "reverse":
        for r in reversed(rows):
            if r.kind != "const":
                yield _latex_adjoint(t, r, n) + " \\\\"
    if t.seed is not None:  # several outputs: their values, then the inputs' adjoints, the product seedᵀJ
        yield from _seeded_latex(t, digits)
        return
    point = ", ".join(_given_latex(given[k]) if given.get(k) else _num_latex(v, digits) for k, v in t.point.items())
    out = output_name(program)
    name = name_latex(out) if out != f else f
    yield f"{name}\\left({point}\\right) &= {_num_latex(t.value, digits)} \\\\"
    d = "d" if len(t.graph.inputs) == 1 else "\\partial "
    results = {t.wrt: t.derivative} if t.mode == "forward" else {**t.gradient, **(
        {t.wrt: t.derivative} if t.shows_derivative else {})}
    lines = [f"\\frac{{{d}{name}}}{{{d}{name_latex(x)}}} &= {_num_latex(v, digits)}" for x, v in results.items()]
    yield " \\\\\n".join(lines)
    yield "\\end{aligned}"


def _seeded_latex(t: Trace, digits: int | None) -> Iterator[str]:
    """The end of a seeded trace's block: each output's value, each input's adjoint as Σ seed·∂o/∂x."""
    lines = [f"{name_latex(o)} &= {_num_latex(v, digits)}" for o, v in t.values_by_output.items()]
    for x, g in t.gradient.items():
        terms = " + ".join(f"{_factor_latex(w, digits)} \\cdot \\frac{{\\partial {name_latex(o)}}}"
                           f"{{\\partial {name_latex(x)}}}" for o, w in t.seed.items())
        lines.append(f"{_bar_latex(x)} &= {terms} = {_num_latex(g, digits)}")
    yield " \\\\\n".join(lines)
    yield "\\end{aligned}"


def _latex_row(t: Trace, r: Row, n: _Notation = LATEX) -> Iterator[str]:
    name = name_latex(r.name)
    if r.kind != "node":
        yield f"{name} &= {n.num(r.value)} \\\\"
    else:
        yield f"{name} &= {to_latex(r.formula)} = {n.num(r.value)} \\\\"
        if r.partials:
            parts = [_partial_equation(r, p, n) for p in r.partials]
            first, rest = parts[0].split(" = ", 1)
            sep = ", \\quad "
            yield f"{first} &= {sep.join([rest] + parts[1:])} \\\\"
    if t.shows_derivative:
        yield _latex_total(t, r, n) + " \\\\"


def _latex_total(t: Trace, r: Row, n: _Notation = LATEX) -> str:
    head, rhs = _total_equation(t, r, n)
    line = f"{head} &: {rhs}" if r.sides is not None else f"{head} &= {rhs}"
    if r.also_through and r.sides is None and not _one_sided(t, r):  # beside a chain of partials, as text marks it
        through = ", ".join(f"${name_latex(m)}$" for m in r.also_through)
        line += f" \\quad \\text{{(${name_latex(t.wrt)}$ directly and through {through})}}"
    elif marked(t, r):
        line += " \\quad (\\ast)"
    return line


def _latex_adjoint(t: Trace, r: Row, n: _Notation = LATEX) -> str:
    if r.index == t.graph.output and t.seed is None:
        return f"{_bar_latex(r.name)} &= 1"
    if r.seed is not None and not r.terms:
        return f"{_bar_latex(r.name)} &= {n.num(r.seed)} \\quad \\text{{(its seed)}}"
    equation = _adjoint_equation(r, n, _formula(t, r, LATEX, reverse=True)).replace("seed + ", "\\text{seed} + ", 1)
    return f"{_bar_latex(r.name)} &= {equation}"


def program_latex(program, graph, f: str, args: str):
    """The program's statements as lines of an aligned block (the trace's header, at a point or symbolic)."""
    for s in (program.stmts if program is not None else [graph.formula(graph.output)]):
        if isinstance(s, Define):
            params = ", ".join(name_latex(p) for p in s.params)
            yield f"\\operatorname{{{s.name}}}\\left({params}\\right) &= {to_latex(s.body)} \\\\"
        elif isinstance(s, Assign):
            yield f"{name_latex(s.name)} &= {to_latex(s.expr)} \\\\"
        elif isinstance(s, Outputs):  # several outputs (a trace with --seed): each expression under its label
            yield from (f"{name_latex(label)} &= {to_latex(e)} \\\\" for label, e in zip(graph.labels, s.items)
                        if not isinstance(e, Var))
            yield f"&\\text{{outputs: }} {', '.join(map(name_latex, graph.labels))} \\\\"
        else:
            yield f"{f}\\left({args}\\right) &= {to_latex(s)} \\\\"


# ---- the graph: DOT and Mermaid -------------------------------------------------------------------------------------

def _labels(t: Trace, r: Row, digits: int | None = None) -> list[str]:
    """A node's label lines: definition and value, then its derivative and/or adjoint."""
    value = _num(r.value, digits)
    first = f"{r.name} = {value}" if r.kind != "node" else f"{r.name} = {to_text(r.formula)} = {value}"
    lines = [first]
    if r.derivative is not None and t.wrt is not None:
        formula = _formula(t, r, TEXT)
        if formula and formula != _num(r.derivative, digits):  # the formula on a line of its own, then the number
            lines.append(f"d{r.name}/d{t.wrt} = {formula}")
        lines.append(f"d{r.name}/d{t.wrt} = {_num(r.derivative, digits)}")
    if r.sides is not None:
        lines.append(f"d{r.name}/d{t.wrt}: {_sides(r, digits)}")
    if r.adjoint is not None:
        formula = _formula(t, r, TEXT, reverse=True)
        if formula and formula != _num(r.adjoint, digits):
            lines.append(f"{_bar(r.name)} = {formula}")
        lines.append(f"{_bar(r.name)} = {_num(r.adjoint, digits)}")
    return lines


def graph_title(t, program: Program | None, where: str | None, derivative: bool) -> str:
    """The drawing's title: the function as written (clipped), the point (`where`; None: the symbolic trace) and
    what is followed (`derivative`: d/dx): `f(x) = sin(x + x^2) at x = 2 (forward mode, d/dx)`."""
    g, f = t.graph, function_name(program)
    args = ", ".join(g.inputs)
    pieces = []
    for s in program.stmts if program is not None else [g.formula(g.output)]:
        if isinstance(s, Define):
            pieces.append(f"{s.name}({', '.join(s.params)}) = {to_text(s.body)}")
        elif isinstance(s, Assign):
            pieces.append(f"{s.name} = {to_text(s.expr)}")
        elif isinstance(s, Outputs):  # several outputs: each under its label
            pieces += [f"{label} = {to_text(e)}" for label, e in zip(g.labels, s.items) if not isinstance(e, Var)]
            pieces.append(f"outputs {', '.join(g.labels)}")
        else:
            pieces.append(f"{f}({args}) = {to_text(s)}")
    text = "; ".join(pieces)
    text = text if len(text) <= 100 else text[:99] + "…"  # a title, not the program: the nodes carry the rest
    what = f"{t.mode} mode" + (f", d/d{t.wrt}" if derivative else "") + (", adjoints" if t.mode == "reverse" else "")
    return f"{text} at {where} ({what})" if where is not None else f"{text} (symbolic, {what})"


def graph_key(t, values: bool, derivative: bool) -> list[tuple[str, list[str]]]:
    """The drawing's legend, one (kind, label lines) per entry, each drawn as the graph draws that kind (`input`,
    `node`, `output`, `marked`, `failed`); the first two are joined by an edge whose label says what edge labels are.
    `values`: the nodes carry values (a trace at a point); `derivative`: they carry du/dx."""
    x, failed = t.wrt, getattr(t, "failure", None) is not None
    node = ["node: u = its formula" + (" = its value" if values else "")]
    if derivative:
        node.append(f"du/d{x}: its total derivative")
    if t.mode == "reverse":
        seeded = getattr(t, "seed", None) is not None  # several outputs' seeds (a Derivation has none)
        node.append(f"{_bar('u')}: its adjoint " + ("Σ seed(o)·∂o/∂u" if seeded else "df/du"))
    several = len(getattr(t.graph, "outputs", None) or ()) > 1
    key = [("input", ["input: a variable"]), ("node", node), ("output", ["an output" if several else "the output"])]
    if derivative:
        key.append(("marked", [f"orange: du/d{x} ≠ ∂u/∂{x}", f"(u reads a node that depends on {x})"]))
    if failed:
        key.append(("failed", ["red: where the trace stops", "(dashed: what it reads)"]))
    return key


EDGE_KEY = "edge label ∂u/∂v: the local partial"
_DOT_KINDS = {"input": ", shape=ellipse", "node": "", "output": ", peripheries=2",
              "marked": ', color="darkorange", penwidth=2', "failed": ', color="red", fontcolor="red", penwidth=2'}


def _dot_key(key: list[tuple[str, list[str]]]) -> Iterator[str]:
    """The legend as a cluster of example nodes (ids with a space, which no dcalc name has)."""
    yield "  subgraph cluster_key {"
    yield '    label="legend"; labelloc="t"; fontsize=10; color="gray"; style="dashed";'
    yield "    node [fontsize=9]; edge [fontsize=9];"
    for kind, lines in key:
        yield f'    "key {kind}" [label={_dot_label(lines)}{_DOT_KINDS[kind]}];'
    yield f'    "key input" -> "key node" [label={_dot_str(EDGE_KEY)}];'
    yield "  }"


def _dot_label(lines: list[str]) -> str:
    """A quoted DOT label of several lines (DOT's own line break, \\n)."""
    return '"' + "\\n".join(_dot_str(line)[1:-1] for line in lines) + '"'


def _dot_head(title: str) -> Iterator[str]:
    yield "digraph trace {"
    yield "  rankdir=LR;"
    yield f'  label={_dot_str(title)}; labelloc="t"; fontname="Helvetica";'
    yield '  node [shape=box, fontname="Helvetica"];'
    yield '  edge [fontname="Helvetica", fontsize=10];'


def _mermaid_head(title: str) -> Iterator[str]:
    yield "---"
    yield f"title: {json.dumps(title, ensure_ascii=False)}"  # a JSON string is a YAML one
    yield "---"
    yield "flowchart LR"


def _mermaid_key(key: list[tuple[str, list[str]]], marked_class: str) -> Iterator[str]:
    """The legend as a subgraph of example nodes (ids key0, key1, …), drawn with the graph's own classes."""
    yield '  subgraph key["legend"]'
    classes = {"output": "output", "marked": marked_class, "failed": "failed"}
    drawn = []
    for k, (kind, lines) in enumerate(key):
        text = '"' + "<br/>".join(_mermaid_str(line)[1:-1] for line in lines) + '"'
        yield f"    key{k}" + (f"([{text}])" if kind == "input" else f"[{text}]")
        if kind in classes:
            drawn.append(f"  class key{k} {classes[kind]}")
    yield f"    key0 -->|{_mermaid_str(EDGE_KEY)}| key1"
    yield "  end"
    yield from drawn


def _edge_label(r: Row, p, n: _Notation = TEXT) -> str:
    return _partial_equation(r, p, n)


def _dot_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot_lines(t: Trace, style: Style = PLAIN, program: Program | None = None) -> Iterator[str]:
    """A Graphviz digraph titled with the function and the point: data flows left to right, edges labelled with the
    local partials; a node where ∂u/∂x and du/dx differ (marked) drawn in orange; a legend (unless style.legend is
    off) says so."""
    n = _text_notation(style.digits)
    derivative = t.wrt is not None  # the nodes carry du/dx (reverse mode too, when there is one variable)
    yield from _dot_head(graph_title(t, program, _at(t, style), derivative))
    for r in t.rows():
        label = "\\n".join(_dot_str(line)[1:-1] for line in _labels(t, r, style.digits))  # DOT's own line break, \n
        attrs = [f'label="{label}"']
        if r.kind != "node":
            attrs.append("shape=ellipse")
        if r.index in _outputs(t) and t.failure is None:
            attrs.append("peripheries=2")
        if marked(t, r):
            attrs.append('color="darkorange", penwidth=2')
        yield f"  {_dot_str(r.name)} [{', '.join(attrs)}];"
        for p in r.partials:
            yield f"  {_dot_str(p.name)} -> {_dot_str(r.name)} [label={_dot_str(_edge_label(r, p, n))}];"
    f = t.failure
    if f is not None:  # the node where the trace stops, in red, with the error; its edges unlabelled
        label = "\\n".join(_dot_str(line)[1:-1] for line in _failure_labels(f, style.digits))
        yield f'  {_dot_str(f.name)} [label="{label}", color="red", fontcolor="red", penwidth=2];'
        for a in dict.fromkeys(f.formula_reads):
            yield f"  {_dot_str(a)} -> {_dot_str(f.name)} [style=dashed];"
    if style.legend:
        yield from _dot_key(graph_key(t, True, derivative))
    yield "}"


def _outputs(t) -> list[int]:
    """The nodes a drawing marks as outputs: the output, or each of a program's several (a trace of all of them)."""
    return list(dict.fromkeys(getattr(t.graph, "outputs", None) or [t.graph.output]))


def _failure_labels(f, digits: int | None) -> list[str]:
    value = "undefined" if f.value is None else _num(f.value, digits)
    return [f"{f.name} = {to_text(f.formula)} = {value}", f"stops here: {f.error.message}"]


def _mermaid_str(s: str) -> str:
    """Text inside a quoted Mermaid label: quotes and angle brackets as entity codes (Mermaid reads HTML)."""
    return '"' + s.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;") + '"'


def mermaid_lines(t: Trace, style: Style = PLAIN, program: Program | None = None) -> Iterator[str]:
    """A Mermaid flowchart titled with the function and the point; node ids are n0, n1, … (a name like `end` would
    be a keyword); a node where ∂u/∂x and du/dx differ (marked) is of class `differs`; a legend unless style.legend
    is off."""
    n = _text_notation(style.digits)
    derivative = t.wrt is not None  # the nodes carry du/dx (reverse mode too, when there is one variable)
    yield from _mermaid_head(graph_title(t, program, _at(t, style), derivative))
    ids: dict[int, str] = {}
    differ = []
    for r in t.rows():
        ids[r.index] = f"n{len(ids)}"
        label = '"' + "<br/>".join(_mermaid_str(line)[1:-1] for line in _labels(t, r, style.digits)) + '"'
        shape = f"([{label}])" if r.kind != "node" else f"[{label}]"
        yield f"  {ids[r.index]}{shape}"
        for p in r.partials:
            yield f"  {ids[p.index]} -->|{_mermaid_str(_edge_label(r, p, n))}| {ids[r.index]}"
        if marked(t, r):
            differ.append(ids[r.index])
    f = t.failure
    if f is not None:  # the node where the trace stops, with the error; its edges dashed
        label = '"' + "<br/>".join(_mermaid_str(line)[1:-1] for line in _failure_labels(f, style.digits)) + '"'
        yield f"  stop[{label}]"
        by_name = {t.graph.nodes[i].name: i for i in ids}
        for a in dict.fromkeys(f.formula_reads):
            if a in by_name:
                yield f"  {ids[by_name[a]]} -.-> stop"
    yield "  classDef output stroke-width:3px"
    yield "  classDef differs stroke:#d97706,stroke-width:2px"
    yield "  classDef failed stroke:#dc2626,stroke-width:3px,color:#dc2626"
    if style.legend:
        yield from _mermaid_key(graph_key(t, True, derivative), "differs")
    if f is not None:
        yield "  class stop failed"
        return
    for o in _outputs(t):
        if o in ids:  # a constant output (`f; 0`) is not a row
            yield f"  class {ids[o]} output"
    if differ:
        yield f"  class {','.join(differ)} differs"
