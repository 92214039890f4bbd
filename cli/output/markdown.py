"""Traces and derivatives as Markdown to paste into a page: formulas in `$$` display math (the LaTeX of display.py),
the trace's rows as a table whose cells hold the text notation in code spans, so the table reads the same on a page
that renders no math. No math here: every number and formula comes from the trace or the derivation.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..language.expr import Program
from . import render_trace as rt
from .display import delimited, diff_lines, diff_lines_several, partial, runs

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _cell(text: str, code: bool = True) -> str:
    """A table cell: a pipe escaped (GFM splits cells at `|` even inside a code span), formulas in a code span."""
    text = text.replace("|", "\\|")
    return f"`{text}`" if code and text else text


def table(rows: list[tuple], code: tuple) -> Iterator[str]:
    """A GFM table: rows[0] is the heading; `code[k]`: whether column k holds formulas (put in code spans), else plain
    text (numbers right-aligned)."""
    yield "| " + " | ".join(_cell(h, False) for h in rows[0]) + " |"
    yield "|" + "|".join("---" if c else "--:" for c in code) + "|"
    for r in rows[1:]:
        yield "| " + " | ".join(_cell(c, k) for c, k in zip(r, code)) + " |"


def _math(lines: list[str]) -> Iterator[str]:
    yield from delimited(lines, "dollars")
    yield ""


def _text_operator(names: list[str], partial: bool) -> str:
    """df/dx, d²f/dx², ∂³f/∂y∂x² (the variables in the order of differentiation, the last written first)."""
    d = "∂" if partial else "d"
    return f"{d}{_power(len(names))}f/" + "".join(f"{d}{x}{_power(k)}" for x, k in reversed(runs(names)))


def _power(k: int) -> str:
    return str(k).translate(_SUPERSCRIPT) if k > 1 else ""


def diff_markdown(graph, names: list[str], derivative, values: list[tuple[dict, float]]) -> str:
    """dcalc diff --format markdown: the derivative in display math, then its value at each point in a table."""
    out = list(delimited(diff_lines(graph, names, derivative, []), "dollars"))
    if values:
        columns = list(dict.fromkeys(k for p, _ in values for k in p))
        rows = [(*columns, _text_operator(names, partial(graph, names)))]
        rows += [(*(rt._num(p[k]) if k in p else "" for k in columns), rt._num(v)) for p, v in values]
        out += ["", *table(rows, (False,) * len(rows[0]))]
    return "\n".join(out)


def diff_markdown_several(graph, names: list[str], formulas: list, values: list[tuple[dict, list[float]]]) -> str:
    """dcalc diff --format markdown of several outputs: the derivatives in one display, then a table of each
    output's derivative at each point (a column per output, ∂f1/∂t)."""
    from .several import derivative_label
    out = list(delimited(diff_lines_several(graph, names, formulas, []), "dollars"))
    if values:
        columns = list(dict.fromkeys(k for p, _ in values for k in p))
        rows = [(*columns, *(derivative_label(label, names) for label in graph.labels))]
        rows += [(*(rt._num(p[k]) if k in p else "" for k in columns), *map(rt._num, got)) for p, got in values]
        out += ["", *table(rows, (False,) * len(rows[0]))]
    return "\n".join(out)


# ---- a trace at a point -----------------------------------------------------------------------------------------------

def _aligned(lines: list[str]) -> list[str]:
    return ["\\begin{aligned}", " \\\\\n".join(lines), "\\end{aligned}"]


def _program_lines(graph, program: Program | None) -> list[str]:
    """The program's statements as the lines of an aligned block (render_trace.program_latex's)."""
    f = rt.function_name(program)
    args = ", ".join(rt.name_latex(a) for a in graph.inputs)
    return _aligned([line.removesuffix(" \\\\") for line in rt.program_latex(program, graph, f, args)])


def _marks(rows: list[tuple]) -> list[tuple]:
    """The mark column's `*` escaped: alone in a cell it would start emphasis."""
    return [(r[0].replace("*", "\\*"), *r[1:]) for r in rows]


def trace_markdown(t, program: Program | None = None, style: rt.Style = rt.PLAIN) -> Iterator[str]:
    """dcalc trace --at P --format markdown: the function in display math, what the trace shows, the notation, the
    rows as a table (in reverse mode the forward pass, then the backward pass), then the result and the notes as the
    text trace words them."""
    n = rt._text_notation(style.digits)
    yield from _math(_program_lines(t.graph, program))
    text = list(rt.text_lines(t, program, False, rt.Style(style.digits, False, None, style.given)))
    yield from _opening(text, t, program, style.legend)
    rows = list(t.rows())
    forward = t.mode == "forward" or t.shows_derivative
    heading = ("", "node", "value", "local partials") + ((f"total derivative d/d{t.wrt}",) if forward else ())
    cells = [heading]
    for r in rows:
        cell = (rt._mark(t, r), rt._definition(r), rt._num(r.value, style.digits), rt._partials_text(r, n))
        cells.append(cell + ((rt._total_text(t, r, n),) if forward else ()))
    cells += rt._failure_cells(t, len(heading), style)
    if t.mode == "reverse":
        yield "**Forward pass**: values and local partials" + (f", total derivatives d/d{t.wrt}" if forward else "")
        yield ""
    yield from table(_marks(cells), (False, True, False, True, True)[: len(heading)])
    yield ""
    if t.failure is not None:
        yield f"`{rt.failure_text(t)}`"
        return
    if t.mode == "reverse":
        each = "the total derivative df/du" if t.seed is None else "Σ seed(o)·∂o/∂u over the outputs o"
        yield f"**Backward pass**: adjoints, each {each}, the sum over the nodes that read u"
        yield ""
        back = [("adjoint", "sum over the readers")]
        for r in reversed(rows):
            if r.kind != "const":
                formula = rt._formula(t, r, rt.TEXT, reverse=True)
                back.append((rt._bar(r.name), "= " + rt._adjoint_text(r, r.index == t.graph.output and t.seed is None, n,
                                                                   formula)))
        yield from table(back, (True, True))
        yield ""
    first = next(rt._summary(t, program, False, style))
    for line in text[text.index(first):]:  # f(2) = 6, df/dx = 5, then the notes, as the text trace has them
        yield f"- `{line}`" if line else ""


# ---- the symbolic trace (no point) -------------------------------------------------------------------------------------

def formula_markdown(d, program: Program | None = None, style: rt.Style = rt.PLAIN) -> Iterator[str]:
    """dcalc trace --format markdown without --at: the function, the rows as formulas in a table, the derivative (or
    each partial, in reverse mode) in display math, then the notes."""
    from . import formula_trace as ft
    from .stages import adjoint_stages, total_stages
    yield from _math(_program_lines(d.graph, program))
    text = list(ft.text_lines(d, program, False, rt.Style(None, False, None)))
    yield from _opening(text, d, program, style.legend)
    forward = d.mode == "forward"
    cells = [("", "node", "local partials", f"total derivative d/d{d.wrt}" if forward else "adjoint")]
    for r in d.rows():
        eq = (f"d{r.name}/d{d.wrt} = " + " = ".join(total_stages(d, r, rt.TEXT)) if forward
              else f"{rt._bar(r.name)} = " + " = ".join(adjoint_stages(d, r, rt.TEXT)))
        cells.append(("*" if forward and rt.marked(d, r) else "", ft._definition(r, d), ft._partials_text(r), eq))
    yield from table(_marks(cells), (False, True, True, True))
    yield ""
    names = [d.wrt] if forward else list(d.graph.inputs) if d.restates_diff() else []
    if not names:
        yield f"The gradient: the inputs' adjoints above ({len(d.graph.inputs):,} inputs)."
        yield ""
    for x in names:
        yield from _math(diff_lines(d.graph, [x], d.derivative(x), []))
    notes = text[len(text) - text[::-1].index(""):] if "" in text else []
    for line in notes:  # * x reaches u2 directly and through u1: …
        if line.startswith("* "):
            yield f"- `{line}`"


def _opening(text: list[str], t, program, legend: bool) -> Iterator[str]:
    """The text trace's sentence on its mode, as a Markdown sentence, then the legend as a list."""
    head = text[len(rt.read_as(program, t))]
    yield head[0].upper() + head[1:] + "."
    yield ""
    if legend:
        yield from (f"- {sentence}" for sentence in rt.legend(t))
        yield ""
