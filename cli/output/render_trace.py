"""A trace → text (a table for people), JSON (DESIGN.md's schema), LaTeX (an aligned block), DOT and Mermaid (the
graph). No math: every number comes from the trace. Each renderer yields its output piece by piece, so a long trace
is written as it is produced and never assembled into one string.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator

from ..core.printing import number_text, to_text
from ..language.expr import Assign, Define, Program
from ..symbolic.latex import name_latex, number_latex, to_latex
from .trace import Row, Trace

FORMATS = ("text", "json", "latex", "dot", "mermaid")
MACRON = "\u0304"  # combining bar: ū2 is the adjoint of u2


def render(t: Trace, fmt: str, program: Program | None = None, colour: bool = False) -> Iterator[str]:
    """The trace in one of FORMATS, as pieces of text (each ends a line unless the format is JSON's single line)."""
    if fmt == "json":
        return json_pieces(t, program)
    if fmt == "latex":
        return latex_lines(t, program)
    if fmt == "dot":
        return dot_lines(t)
    if fmt == "mermaid":
        return mermaid_lines(t)
    return text_lines(t, program, colour)


# ---- shared wording -------------------------------------------------------------------------------------------------

def function_name(program: Program | None) -> str:
    """What the trace calls the whole function: f, unless the program uses that name itself."""
    taken = {s.name for s in program.stmts if isinstance(s, (Assign, Define))} if program is not None else set()
    return next((n for n in ("f", "g", "h", "F") if n not in taken), "f")


def read_as(program: Program | None, t: Trace) -> list[str]:
    """The program as dcalc read it, fully parenthesised, one statement a line; a bare expression is f(x, …)."""
    f = function_name(program)
    if program is None:
        return [f"{f}({', '.join(t.graph.inputs)}) = {t.graph.text(t.graph.output)}"]
    lines = []
    for s in program.stmts:
        if isinstance(s, Define):
            lines.append(f"{s.name}({', '.join(s.params)}) = {to_text(s.body, explicit=True)}")
        elif isinstance(s, Assign):
            lines.append(f"{s.name} = {to_text(s.expr, explicit=True)}")
        else:
            lines.append(f"{f}({', '.join(t.graph.inputs)}) = {to_text(s, explicit=True)}")
    return lines


def _num(v: float) -> str:
    """A number; a local partial that does not exist at a kink (0/0 in x/|x|) is `undefined`, an infinite one ±inf."""
    if v - v != 0:
        return "undefined" if v != v else "+inf" if v > 0 else "-inf"
    return number_text(v)


def _sides(r: Row) -> str:
    """At a kink, a node without a two-sided derivative: `left -1, right 1`."""
    from ..modes.kinks import side_text
    return ", ".join(side_text(v, side) for v, side in zip(r.sides, ("left", "right")))


def _one_sided(t: Trace, r: Row) -> bool:
    """At a kink, whether the node's derivative came from its left and right ones rather than the chain rule (a
    partial of it does not exist, or a node it reads has no two-sided derivative)."""
    return t.sides is not None and r.kind == "node" and any(p.value - p.value != 0 or p.index in t.sides
                                                             for p in r.partials)


def _factor(v: float) -> str:
    """A number inside a product: a negative one in parentheses, so 1·(-4) is not read as 1 - 4."""
    s = number_text(v)
    return f"({s})" if s.startswith("-") else s


def _args(t: Trace) -> str:
    return ", ".join(_num(v) for v in t.point.values())


def _bar(name: str) -> str:
    """The adjoint's name: a bar over the first letter, precomposed where Unicode has it (ū2), combining otherwise."""
    return unicodedata.normalize("NFC", name[0] + MACRON) + name[1:]


def _d(t: Trace) -> str:
    """How the derivative with respect to wrt is named: df/dx for one input, ∂f/∂x for several."""
    return "d" if len(t.graph.inputs) == 1 else "∂"


# ---- the sentences, written once for text and LaTeX ------------------------------------------------------------------

class _Notation:
    """How one output format writes the pieces of the trace's sentences: names, numbers (`num` for a value, `factor`
    for one inside a product), ∂u/∂v, du/dx, ū, formulas, the two products (of symbols, of numbers) and words."""

    def __init__(self, num, factor, partial, total, bar, formula, sym_times, num_times, words):
        self.num, self.factor, self.partial, self.total, self.bar = num, factor, partial, total, bar
        self.formula, self.sym_times, self.num_times, self.words = formula, sym_times, num_times, words


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
        return head, n.words(_sides(r))
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


TEXT = _Notation(num=_num, factor=_factor, partial=lambda u, v: f"∂{u}/∂{v}", total=lambda u, x: f"d{u}/d{x}",
                 bar=_bar, formula=to_text, sym_times="·", num_times="·", words=lambda s: s)


def _partials_text(row: Row) -> str:
    return ", ".join(_partial_equation(row, p, TEXT) for p in row.partials)


def _total_text(t: Trace, row: Row) -> str:
    """du2/dx = ∂u2/∂x + ∂u2/∂u1·du1/dx = 1 + 1·4 = 5"""
    head, rhs = _total_equation(t, row, TEXT)
    return f"{head}: {rhs}" if row.sides is not None else f"{head} = {rhs}"


def _tangent(t: Trace, i: int) -> float:
    v = t.tangents[i]
    return 0.0 if v is None else v


def _table(rows: list[tuple], colour: bool, styles: tuple) -> Iterator[str]:
    """Aligned columns (the last one unpadded); row 0 is the heading. A style per column is applied after padding,
    so the escape codes take no room."""
    widths = [max(_width(r[k]) for r in rows) for k in range(len(rows[0]))]
    for n, r in enumerate(rows):
        cells = []
        for k, cell in enumerate(r):
            pad = "" if k == len(r) - 1 else " " * (widths[k] - _width(cell))
            cells.append(_paint(cell, "2" if n == 0 else styles[k], colour) + pad)
        yield "  ".join(cells).rstrip()


def text_lines(t: Trace, program: Program | None = None, colour: bool = False) -> Iterator[str]:
    for line in read_as(program, t):
        yield _paint(line, "1", colour)
    at = ", ".join(f"{k} = {_num(v)}" for k, v in t.point.items())
    if t.mode == "forward":
        yield f"at {at}; forward mode: the total derivative d/d{t.wrt} of every node, in evaluation order"
    else:
        out = t.graph.nodes[t.graph.output].name or "f"  # a constant output (`f; 0`) has no name of its own
        forward = f"values and derivatives d/d{t.wrt}" if t.shows_derivative else "values"
        yield (f"at {at}; reverse mode: {forward} forward, then adjoints {_bar('u')} = ∂f/∂u backward from "
               f"{_bar(out)} = 1 to the inputs")
    yield ""
    rows = list(t.rows())
    if t.mode == "forward":
        yield from _forward_table(t, rows, colour)
    else:
        yield from _reverse_tables(t, rows, colour)
    yield ""
    f = function_name(program)
    yield _paint(f"{f}({_args(t)}) = {_num(t.value)}", "1", colour)
    d = _d(t)
    if t.mode == "forward":
        yield _paint(f"{d}{f}/{d}{t.wrt}({_args(t)}) = {_num(t.derivative)}", "1;32", colour)
    else:
        for name, g in t.gradient.items():
            yield _paint(f"{d}{f}/{d}{name}({_args(t)}) = {_bar(name)} = {_num(g)}", "1;32", colour)
    g = t.graph
    if g.guards:  # evaluated with the value, read by nothing: an honest trace says so (graph.Graph.guards)
        n = len(g.nodes)
        shown = ", ".join(f"{node.name} = {g.text(n + k)}" for k, node in enumerate(g.guards) if node.kind == "node")
        yield _paint(f"also evaluated, read by no node (arguments a function ignores: where they are undefined, so is the program): "
                     f"{shown}", "2", colour)
    marked = [r for r in rows if r.also_through]
    if marked:
        yield ""
    for r in marked:
        through = ", ".join(r.also_through)
        direct = next(p for p in r.partials if p.name == t.wrt)
        yield _paint(f"* {t.wrt} reaches {r.name} directly and through {through}: ∂{r.name}/∂{t.wrt} = "
                     f"{_num(direct.value)} but d{r.name}/d{t.wrt} = {_num(_tangent(t, r.index))} "
                     "(a chain rule along one path misses the rest)", "33", colour)


def _forward_table(t: Trace, rows: list[Row], colour: bool) -> Iterator[str]:
    cells = [("", "node", "value", "local partials", f"total derivative d/d{t.wrt}")]
    for r in rows:
        cells.append(("*" if r.also_through else "", _definition(r), _num(r.value), _partials_text(r),
                      _total_text(t, r)))
    yield from _table(cells, colour, ("33", "", "", "", "36"))


def _reverse_tables(t: Trace, rows: list[Row], colour: bool) -> Iterator[str]:
    if t.shows_derivative:  # a wrt was given: the forward pass carries d/d(wrt) too, as forward mode shows it
        yield _paint(f"forward pass: values, local partials and total derivatives d/d{t.wrt}", "1", colour)
        cells = [("", "node", "value", "local partials", f"total derivative d/d{t.wrt}")]
        cells += [("*" if r.also_through else "", _definition(r), _num(r.value), _partials_text(r),
                   _total_text(t, r)) for r in rows]
        yield from _table(cells, colour, ("33", "", "", "", "36"))
    else:
        yield _paint("forward pass: values and local partials", "1", colour)
        cells = [("", "node", "value", "local partials")]
        cells += [("*" if r.also_through else "", _definition(r), _num(r.value), _partials_text(r)) for r in rows]
        yield from _table(cells, colour, ("33", "", "", ""))
    yield ""
    yield _paint("backward pass: adjoints, each the sum over the nodes that read it", "1", colour)
    out = t.graph.output
    back = [("adjoint", "sum over the readers")]
    for r in reversed(rows):
        if r.kind == "const":
            continue
        back.append((_bar(r.name), "= " + _adjoint_text(r, r.index == out, _formula(t, r, TEXT, reverse=True))))
    yield from _table(back, colour, ("36", ""))


def _adjoint_text(row: Row, is_output: bool, formula: str | None = None) -> str:
    """x̄ = ū1·∂u1/∂x + ū2·∂u2/∂x = 0.96·4 + 0.96·1 = 4.8"""
    if is_output:
        return "1 (the output: ∂f/∂f)"
    if not row.terms:
        return f"{_num(row.adjoint)} (nothing reads {row.name})"
    return _adjoint_equation(row, TEXT, formula)


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
    formula = _formula(t, row, TEXT) if row.derivative is not None or row.sides is not None else None
    if formula is not None:
        out["derivative_formula"] = formula
    formula = _formula(t, row, TEXT, reverse=True) if row.adjoint is not None else None
    if formula is not None:
        out["adjoint_formula"] = formula
    return out


def json_pieces(t: Trace, program: Program | None = None) -> Iterator[str]:
    """One JSON object on one line, written node by node."""
    head: dict = {"expr": t.graph.source.strip() if t.graph.source else t.graph.text(t.graph.output),
                  "at": t.point, "wrt": t.wrt, "mode": t.mode, "value": t.value}
    if t.derivative is not None:
        head["derivative"] = t.derivative
    if t.sides is not None:
        head["one_sided"] = True  # at a kink: the derivatives are the agreeing left and right ones
    if t.mode == "reverse":
        head["gradient"] = t.gradient
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


def _factor_latex(v: float) -> str:
    s = number_latex(v)
    return f"\\left({s}\\right)" if s.startswith("-") else s


def _bar_latex(name: str) -> str:
    return f"\\overline{{{name_latex(name)}}}"


def _num_latex(v: float) -> str:
    return number_latex(v) if v == v else "\\text{undefined}"


LATEX = _Notation(num=_num_latex, factor=_factor_latex, partial=_partial_latex, total=_total_latex, bar=_bar_latex,
                  formula=to_latex, sym_times=" ", num_times=" \\cdot ",
                  words=lambda s: f"\\quad \\text{{{s}}}" if s.startswith("(") else f"\\text{{{s}}}")


def latex_lines(t: Trace, program: Program | None = None) -> Iterator[str]:
    """An `aligned` block: the function, then per node its value, partials and total derivative (or, in reverse
    mode, the forward pass and then the adjoints)."""
    yield "\\begin{aligned}"
    f = function_name(program)
    args = ", ".join(name_latex(n) for n in t.graph.inputs)
    at = ", ".join(f"{name_latex(k)} = {number_latex(v)}" for k, v in t.point.items())
    for s in (program.stmts if program is not None else [t.graph.formula(t.graph.output)]):
        if isinstance(s, Define):
            params = ", ".join(name_latex(p) for p in s.params)
            yield f"\\operatorname{{{s.name}}}\\left({params}\\right) &= {to_latex(s.body)} \\\\"
        elif isinstance(s, Assign):
            yield f"{name_latex(s.name)} &= {to_latex(s.expr)} \\\\"
        else:
            yield f"{f}\\left({args}\\right) &= {to_latex(s)} \\\\"
    yield f"&\\text{{at }} {at} \\\\"
    rows = list(t.rows())
    for r in rows:
        yield from _latex_row(t, r)
    if t.mode == "reverse":
        for r in reversed(rows):
            if r.kind != "const":
                yield _latex_adjoint(t, r) + " \\\\"
    point = ", ".join(number_latex(v) for v in t.point.values())
    yield f"{f}\\left({point}\\right) &= {number_latex(t.value)} \\\\"
    d = "d" if len(t.graph.inputs) == 1 else "\\partial "
    results = {t.wrt: t.derivative} if t.mode == "forward" else {**t.gradient, **(
        {t.wrt: t.derivative} if t.shows_derivative else {})}
    lines = [f"\\frac{{{d}{f}}}{{{d}{name_latex(x)}}}\\left({point}\\right) &= {number_latex(v)}"
             for x, v in results.items()]
    yield " \\\\\n".join(lines)
    yield "\\end{aligned}"


def _latex_row(t: Trace, r: Row) -> Iterator[str]:
    name = name_latex(r.name)
    if r.kind != "node":
        yield f"{name} &= {number_latex(r.value)} \\\\"
    else:
        yield f"{name} &= {to_latex(r.formula)} = {number_latex(r.value)} \\\\"
        if r.partials:
            parts = [_partial_equation(r, p, LATEX) for p in r.partials]
            first, rest = parts[0].split(" = ", 1)
            sep = ", \\quad "
            yield f"{first} &= {sep.join([rest] + parts[1:])} \\\\"
    if t.shows_derivative:
        yield _latex_total(t, r) + " \\\\"


def _latex_total(t: Trace, r: Row) -> str:
    head, rhs = _total_equation(t, r, LATEX)
    line = f"{head} &: {rhs}" if r.sides is not None else f"{head} &= {rhs}"
    if r.also_through and r.sides is None and not _one_sided(t, r):  # beside a chain of partials, as text marks it
        through = ", ".join(f"${name_latex(n)}$" for n in r.also_through)
        line += f" \\quad \\text{{(${name_latex(t.wrt)}$ directly and through {through})}}"
    return line


def _latex_adjoint(t: Trace, r: Row) -> str:
    if r.index == t.graph.output:
        return f"{_bar_latex(r.name)} &= 1"
    return f"{_bar_latex(r.name)} &= {_adjoint_equation(r, LATEX, _formula(t, r, LATEX, reverse=True))}"


# ---- the graph: DOT and Mermaid -------------------------------------------------------------------------------------

def _labels(t: Trace, r: Row) -> list[str]:
    """A node's label lines: definition and value, then its derivative and/or adjoint."""
    first = f"{r.name} = {_num(r.value)}" if r.kind != "node" else f"{r.name} = {to_text(r.formula)} = {_num(r.value)}"
    lines = [first]
    if r.derivative is not None and t.wrt is not None:
        formula = _formula(t, r, TEXT)
        if formula and formula != _num(r.derivative):  # the formula on a line of its own, then the number
            lines.append(f"d{r.name}/d{t.wrt} = {formula}")
        lines.append(f"d{r.name}/d{t.wrt} = {_num(r.derivative)}")
    if r.sides is not None:
        lines.append(f"d{r.name}/d{t.wrt}: {_sides(r)}")
    if r.adjoint is not None:
        formula = _formula(t, r, TEXT, reverse=True)
        if formula and formula != _num(r.adjoint):
            lines.append(f"{_bar(r.name)} = {formula}")
        lines.append(f"{_bar(r.name)} = {_num(r.adjoint)}")
    return lines


def _edge_label(r: Row, p) -> str:
    return _partial_equation(r, p, TEXT)


def _dot_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot_lines(t: Trace) -> Iterator[str]:
    """A Graphviz digraph: data flows left to right, edges labelled with the local partials."""
    yield "digraph trace {"
    yield "  rankdir=LR;"
    yield '  node [shape=box, fontname="Helvetica"];'
    yield '  edge [fontname="Helvetica", fontsize=10];'
    for r in t.rows():
        label = "\\n".join(_dot_str(line)[1:-1] for line in _labels(t, r))  # DOT's own line break, \n
        attrs = [f'label="{label}"']
        if r.kind != "node":
            attrs.append("shape=ellipse")
        if r.index == t.graph.output:
            attrs.append("peripheries=2")
        if r.also_through:
            attrs.append('color="darkorange", penwidth=2')
        yield f"  {_dot_str(r.name)} [{', '.join(attrs)}];"
        for p in r.partials:
            yield f"  {_dot_str(p.name)} -> {_dot_str(r.name)} [label={_dot_str(_edge_label(r, p))}];"
    yield "}"


def _mermaid_str(s: str) -> str:
    """Text inside a quoted Mermaid label: quotes and angle brackets as entity codes (Mermaid reads HTML)."""
    return '"' + s.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;") + '"'


def mermaid_lines(t: Trace) -> Iterator[str]:
    """A Mermaid flowchart; node ids are n0, n1, … (a name like `end` would be a keyword)."""
    yield "flowchart LR"
    ids: dict[int, str] = {}
    marked = []
    for r in t.rows():
        ids[r.index] = f"n{len(ids)}"
        label = '"' + "<br/>".join(_mermaid_str(line)[1:-1] for line in _labels(t, r)) + '"'
        shape = f"([{label}])" if r.kind != "node" else f"[{label}]"
        yield f"  {ids[r.index]}{shape}"
        for p in r.partials:
            yield f"  {ids[p.index]} -->|{_mermaid_str(_edge_label(r, p))}| {ids[r.index]}"
        if r.also_through:
            marked.append(ids[r.index])
    yield "  classDef output stroke-width:3px"
    if t.graph.output in ids:  # a constant output (`f; 0`) is not a row
        yield f"  class {ids[t.graph.output]} output"
    if marked:
        yield "  classDef direct stroke:#d97706,stroke-width:2px"
        yield f"  class {','.join(marked)} direct"
