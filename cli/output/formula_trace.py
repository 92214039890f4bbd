"""The symbolic trace (`dcalc trace EXPR` without --at) in the five formats, and the formula stages a trace at a point
shows beside its numbers. The formulas come from symbolic/derivation.py; this module only writes them down.

A forward row: du2/dx = ∂u2/∂x + ∂u2/∂u1·du1/dx = 1 + 1·2x = 1 + 2x — the sum of symbols, the partials' rules and
the earlier rows' derivatives substituted, each term in the free variables, the whole simplified (a stage equal to
the one before it is left out). A reverse row: x̄ = ū1·∂u1/∂x + ū2·∂u2/∂x, then the same stages.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

from ..core.printing import to_text
from ..language.expr import Program
from ..symbolic.derivation import Derivation, FormulaRow
from ..symbolic.latex import name_latex, to_latex
from .render_trace import (
    LATEX,
    PLAIN,
    TEXT,
    Style,
    _bar,
    _dot_head,
    _dot_key,
    _dot_str,
    _laid_out,
    _legend_latex,
    _mermaid_head,
    _mermaid_key,
    _mermaid_str,
    _paint,
    _table,
    _too_wide,
    _width,
    _wrap,
    dispatch,
    function_name,
    graph_key,
    graph_title,
    legend,
    marked,
    output_name,
    program_latex,
    read_as,
)
from .stages import adjoint_stages, formula_of, total_stages

_QUAD = ", \\quad "


# ---- text -----------------------------------------------------------------------------------------------------------

def _definition(r: FormulaRow, d: Derivation) -> str:
    if r.kind == "input":
        return f"{r.name} (input)"
    if r.kind == "const":
        return f"{r.name} (constant)"
    return f"{r.name} = {d.graph.text(r.index)}"


def _partials_text(r: FormulaRow) -> str:
    return ", ".join(f"∂{r.name}/∂{name} = {to_text(rule)}" for _, name, rule in r.partials)


def _d(d: Derivation) -> str:
    return "d" if len(d.graph.inputs) == 1 else "∂"


def _fitted(line: str, width: int | None) -> list[str]:
    return [line] if width is None or _width(line) <= width else _wrap(line, width)


def text_lines(d: Derivation, program: Program | None = None, colour: bool = False,
               style: Style = PLAIN) -> Iterator[str]:
    for line in read_as(program, d):
        yield _paint(line, "1", colour)
    f = output_name(program)  # the summary's name: dloss/dx for a program ending in loss = …
    rows = list(d.rows())
    if d.mode == "forward":
        yield from _fitted(f"symbolic, forward mode: the total derivative d/d{d.wrt} of every node, in evaluation "
                           "order", style.width)
    else:
        out = d.graph.nodes[d.graph.output].name or "f"
        yield from _fitted(f"symbolic, reverse mode: adjoints {_bar('u')} = d{f}/du, each the sum over the nodes "
                           f"that read u, backward from {_bar(out)} = 1 to the inputs", style.width)
    if style.legend:  # the same key as the trace at a point (issue 13's caution)
        for sentence in legend(d):
            yield from (_paint(line, "2", colour) for line in _wrap(sentence, style.width))
    yield ""
    if d.mode == "forward":
        cells = [("", "node", "local partials", f"total derivative d/d{d.wrt}")]
        for r in rows:
            eq = f"d{r.name}/d{d.wrt} = " + " = ".join(total_stages(d, r, TEXT))
            cells.append(("*" if marked(d, r) else "", _definition(r, d), _partials_text(r), eq))
        yield from _laid_out(cells, colour, ("33", "", "", "36"), style, values=False)
    else:
        cells = [("", "node", "local partials", "adjoint")]
        for r in rows:
            eq = f"{_bar(r.name)} = " + " = ".join(adjoint_stages(d, r, TEXT))
            cells.append(("", _definition(r, d), _partials_text(r), eq))
        # no mark column in reverse mode: the table keeps its columns, a block per node only where it is too wide
        table = _table([c[1:] for c in cells], colour, ("", "", "36"))
        too_wide = _too_wide(table, style, colour)
        yield from _laid_out(cells, colour, ("", "", "", "36"), style, values=False) if too_wide else table
    names = d.summarised()
    yield ""
    dd = _d(d)
    if not names:  # many inputs: the adjoints' rows above are the gradient
        yield f"the gradient: the inputs' adjoints above ({len(d.graph.inputs):,} inputs)"
    for name in names:
        text = d.diff_text(name)
        sep = "\n" if "\n" in text else " "
        yield _paint(f"{dd}{f}/{dd}{name} ={sep}{text}", "1;32", colour)
    notes = [r for r in rows if r.also_through]
    if notes:
        yield ""
    for r in notes:
        through = ", ".join(r.also_through)
        direct = next(rule for _, name, rule in r.partials if name == d.wrt)
        note = (f"* {d.wrt} reaches {r.name} directly and through {through}: ∂{r.name}/∂{d.wrt} = "
                f"{to_text(direct)} but d{r.name}/d{d.wrt} = {formula_of(d, r, TEXT)} "
                "(a chain rule along one path misses the rest)")
        yield from (_paint(line, "33", colour) for line in _fitted(note, style.width))


# ---- JSON -----------------------------------------------------------------------------------------------------------

def node_json(d: Derivation, r: FormulaRow) -> dict:
    out: dict = {"name": r.name, "kind": r.kind}
    if r.kind == "node":
        out["expr"] = d.graph.text(r.index)
        out["inputs"] = list(dict.fromkeys(name for _, name, _ in r.partials))
        out["partial_rules"] = {name: to_text(rule) for _, name, rule in r.partials}
    key = "adjoint_formula" if d.mode == "reverse" else "derivative_formula"
    out[key] = formula_of(d, r, TEXT)
    return out


def json_pieces(d: Derivation, program: Program | None = None) -> Iterator[str]:
    head: dict = {"expr": d.graph.source.strip() if d.graph.source else d.graph.text(d.graph.output),
                  "wrt": d.wrt, "mode": d.mode}
    if d.mode == "forward":
        head["derivative_formula"] = d.diff_text(d.wrt)
    else:
        head["gradient_formula"] = ({name: d.diff_text(name) for name in d.summarised()} if d.summarised()
                                    else None)  # many inputs: the inputs' adjoint_formula are the gradient
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "nodes": ['
    for k, r in enumerate(d.rows()):
        yield (", " if k else "") + json.dumps(node_json(d, r), ensure_ascii=False)
    yield "]}\n"


# ---- LaTeX ----------------------------------------------------------------------------------------------------------

def latex_lines(d: Derivation, program: Program | None = None, style: Style = PLAIN) -> Iterator[str]:
    yield "\\begin{aligned}"
    f = function_name(program)
    args = ", ".join(name_latex(n) for n in d.graph.inputs)
    yield from program_latex(program, d.graph, f, args)
    out = output_name(program)
    if style.legend:
        yield from _legend_latex(d)
    for r in d.rows():
        name = name_latex(r.name)
        if r.kind == "node" and d.mode == "forward":
            yield f"{name} &= {to_latex(d.graph.formula(r.index))} \\\\"
        if r.partials and d.mode == "forward":
            parts = [f"{LATEX.partial(r.name, v)} = {to_latex(rule)}" for _, v, rule in r.partials]
            first, rest = parts[0].split(" = ", 1)
            yield f"{first} &= {_QUAD.join([rest] + parts[1:])} \\\\"
        if d.mode == "forward":
            yield f"{LATEX.total(r.name, d.wrt)} &= {' = '.join(total_stages(d, r, LATEX))} \\\\"
        elif r.kind != "const":
            yield f"{LATEX.bar(r.name)} &= {' = '.join(adjoint_stages(d, r, LATEX))} \\\\"
    dd = "d" if len(d.graph.inputs) == 1 else "\\partial "
    names = d.summarised()
    lines = []
    for x in names:
        definitions, final = _diff_program(d, x)
        lines += [f"{name_latex(k)} &= {to_latex(e)}" for k, e in definitions]
        lines.append(f"\\frac{{{dd}{name_latex(out)}}}{{{dd}{name_latex(x)}}} &= {to_latex(final)}")
    yield " \\\\\n".join(lines)
    yield "\\end{aligned}"


def _diff_program(d: Derivation, x: str):
    from ..symbolic.formulas import program as diff_program
    return diff_program(d.derivative(x), d.graph.inputs)


# ---- DOT and Mermaid: formulas on the nodes, rules on the edges -----------------------------------------------------

def _labels(d: Derivation, r: FormulaRow) -> list[str]:
    first = f"{r.name}" if r.kind != "node" else f"{r.name} = {d.graph.text(r.index)}"
    if r.kind == "const":
        first += f" = {to_text(r.expr)}"
    if d.mode == "forward":
        return [first, f"d{r.name}/d{d.wrt} = {formula_of(d, r, TEXT)}"]
    return [first, f"{_bar(r.name)} = {formula_of(d, r, TEXT)}"]


def _edges(r: FormulaRow) -> Iterator[tuple[int, str]]:
    for a, name, rule in r.partials:
        yield a, f"∂{r.name}/∂{name} = {to_text(rule)}"


def dot_lines(d: Derivation, style: Style = PLAIN, program: Program | None = None) -> Iterator[str]:
    derivative = d.mode == "forward"
    yield from _dot_head(graph_title(d, program, None, derivative))
    names = {i: d.graph.nodes[i].name for i in d.graph.shown()}
    for r in sorted(d.rows(), key=lambda r: r.index) if d.mode == "reverse" else d.rows():
        label = "\\n".join(_dot_str(line)[1:-1] for line in _labels(d, r))
        attrs = [f'label="{label}"']
        if r.kind != "node":
            attrs.append("shape=ellipse")
        if r.index == d.graph.output:
            attrs.append("peripheries=2")
        if marked(d, r):
            attrs.append('color="darkorange", penwidth=2')
        yield f"  {_dot_str(r.name)} [{', '.join(attrs)}];"
        for a, text in _edges(r):
            if a in names:
                yield f"  {_dot_str(names[a])} -> {_dot_str(r.name)} [label={_dot_str(text)}];"
    if style.legend:
        yield from _dot_key(graph_key(d, False, derivative))
    yield "}"


def mermaid_lines(d: Derivation, style: Style = PLAIN, program: Program | None = None) -> Iterator[str]:
    derivative = d.mode == "forward"
    yield from _mermaid_head(graph_title(d, program, None, derivative))
    ids = {i: f"n{k}" for k, i in enumerate(d.graph.shown())}
    direct = []
    for r in sorted(d.rows(), key=lambda r: r.index) if d.mode == "reverse" else d.rows():
        label = '"' + "<br/>".join(_mermaid_str(line)[1:-1] for line in _labels(d, r)) + '"'
        shape = f"([{label}])" if r.kind != "node" else f"[{label}]"
        yield f"  {ids[r.index]}{shape}"
        for a, text in _edges(r):
            if a in ids:
                yield f"  {ids[a]} -->|{_mermaid_str(text)}| {ids[r.index]}"
        if marked(d, r):
            direct.append(ids[r.index])
    yield "  classDef output stroke-width:3px"
    yield "  classDef direct stroke:#d97706,stroke-width:2px"
    if style.legend:
        yield from _mermaid_key(graph_key(d, False, derivative), "direct")
    if d.graph.output in ids:
        yield f"  class {ids[d.graph.output]} output"
    if direct:
        yield f"  class {','.join(direct)} direct"


def render(d: Derivation, fmt: str, program: Program | None = None, colour: bool = False,
           style: Style = PLAIN) -> Iterator[str]:
    return dispatch(sys.modules[__name__], d, fmt, program, colour, style)
