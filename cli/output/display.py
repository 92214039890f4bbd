"""LaTeX to paste: display-math blocks (`\\[ … \\]` or `$$ … $$`) and `dcalc diff`'s block, which states what is
differentiated (`\\frac{d}{dx}\\left[\\sin(x + x^{2})\\right] = …`), names shared pieces (`d_{1} = …`) and evaluates
at the points given, all inside one display (an `aligned` environment when there is more than one line).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..language.expr import Assign, Define
from ..symbolic.latex import name_latex, number_latex, to_latex

DELIMS = {"brackets": ("\\[", "\\]"), "dollars": ("$$", "$$"), "none": None}


def delimited(lines: Iterable[str], delims: str = "brackets") -> Iterator[str]:
    """The lines between the display delimiters, each on a line of its own (`none`: the bare lines, to put inside a
    display of one's own)."""
    pair = DELIMS[delims]
    if pair is not None:
        yield pair[0]
    yield from lines
    if pair is not None:
        yield pair[1]


def operator(names: list[str], partial: bool) -> str:
    """The derivative operator, the variables in the order of differentiation: `\\frac{d}{dx}`, `\\frac{d^{2}}{dx^{2}}`,
    `\\frac{\\partial^{3}}{\\partial y \\, \\partial x^{2}}` (x, x, y: the last one taken written first, as in ∂³f/∂y∂x²)."""
    d = "\\partial " if partial else "d"
    below = " \\, ".join(f"{d}{name_latex(x)}" + (f"^{{{k}}}" if k > 1 else "") for x, k in reversed(runs(names)))
    top = d.strip() + (f"^{{{len(names)}}}" if len(names) > 1 else "")
    return f"\\frac{{{top}}}{{{below}}}"


def runs(names: list[str]) -> list[tuple[str, int]]:
    """The variables of differentiation as (name, times in a row): x, x, y → (x, 2), (y, 1)."""
    out: list[list] = []
    for x in names:
        if out and out[-1][0] == x:
            out[-1][1] += 1
        else:
            out.append([x, 1])
    return [(x, k) for x, k in out]


def partial(graph, names: list[str]) -> bool:
    """∂ rather than d: the function has several variables (or is differentiated by one it does not read)."""
    return len(set(graph.inputs) | set(names)) > 1


def function_lines(source: str) -> tuple[list[str], str]:
    """The program's statements but the last as lines of an aligned block (`a &= x^{2}`), and what the last one
    states: the expression, or the name a final assignment gives it."""
    from ..core.ops import FUNCTION_NAMES
    from ..language.syntax import parse
    program = parse(source, FUNCTION_NAMES)
    lines = _statement_lines(program.stmts)
    last = program.stmts[-1]
    if isinstance(last, Assign):
        return lines, name_latex(last.name)
    return lines, to_latex(last)


def _statement_lines(stmts) -> list[str]:
    """The definitions and assignments among `stmts` as lines of an aligned block."""
    lines = []
    for s in stmts:
        if isinstance(s, Define):
            params = ", ".join(name_latex(p) for p in s.params)
            lines.append(f"\\operatorname{{{s.name}}}\\left({params}\\right) &= {to_latex(s.body)}")
        elif isinstance(s, Assign):
            lines.append(f"{name_latex(s.name)} &= {to_latex(s.expr)}")
    return lines


def point_latex(point: dict[str, float]) -> str:
    return ",\\, ".join(f"{name_latex(k)} = {number_latex(v)}" for k, v in point.items())


def diff_lines(graph, names: list[str], derivative, values: list[tuple[dict, float]]) -> list[str]:
    """`dcalc diff`'s display: the left-hand side (the operator applied to the function), the derivative, the shared
    pieces it names, and its value at each point (the operator's evaluation bar). One equation alone, or an aligned
    block."""
    from ..symbolic.formulas import program
    head, function = function_lines(graph.source)
    avoid = set(graph.inputs) | set(graph.defined)
    definitions, final = program(derivative, avoid)
    lhs = f"{operator(names, partial(graph, names))}\\left[{function}\\right]"
    if not head and not definitions and not values:
        return [f"{lhs} = {to_latex(final)}"]
    lines = head + [f"{lhs} &= {to_latex(final)}"]
    where = ["\\text{where } "] + [""] * len(definitions)
    lines += [f"{w}{name_latex(n)} &= {to_latex(e)}" for w, (n, e) in zip(where, definitions)]
    lines += [f"\\left.{lhs}\\right|_{{{point_latex(p)}}} &= {number_latex(v)}" for p, v in values]
    return ["\\begin{aligned}", " \\\\\n".join(lines), "\\end{aligned}"]


def diff_block(graph, names: list[str], derivative, values: list[tuple[dict, float]], delims: str = "brackets") -> str:
    """`dcalc diff --format latex`: the display between `delims`."""
    return "\n".join(delimited(diff_lines(graph, names, derivative, values), delims))


def diff_lines_several(graph, names: list[str], formulas: list, values: list[tuple[dict, list[float]]]) -> list[str]:
    r"""`dcalc diff` of several outputs as one aligned display: the program's statements and each output that is an
    expression under its label (`f_{1} &= r \cos(t)`), then a line per output, `\frac{\partial}{\partial t}
    \left[f_{1}\right] &= …`, with its shared pieces (named apart across the outputs), then each output's derivative
    at each point."""
    from ..core.ops import FUNCTION_NAMES
    from ..language.expr import Var
    from ..language.syntax import parse
    from ..symbolic.formulas import program
    stmts = parse(graph.source, FUNCTION_NAMES).stmts
    lines = _statement_lines(stmts[:-1])
    lines += [f"{name_latex(label)} &= {to_latex(item)}" for label, item in zip(graph.labels, stmts[-1].items)
              if not isinstance(item, Var)]
    avoid = set(graph.inputs) | set(graph.defined) | set(graph.labels)
    op = operator(names, partial(graph, names))
    for label, d in zip(graph.labels, formulas):
        definitions, final = program(d, avoid)
        avoid |= {n for n, _ in definitions}
        lines.append(f"{op}\\left[{name_latex(label)}\\right] &= {to_latex(final)}")
        where = ["\\text{where } "] + [""] * len(definitions)
        lines += [f"{w}{name_latex(n)} &= {to_latex(e)}" for w, (n, e) in zip(where, definitions)]
    for p, got in values:
        lines += [f"\\left.{op}\\left[{name_latex(label)}\\right]\\right|_{{{point_latex(p)}}} &= {number_latex(v)}"
                  for label, v in zip(graph.labels, got)]
    return ["\\begin{aligned}", " \\\\\n".join(lines), "\\end{aligned}"]


def diff_block_several(graph, names: list[str], formulas: list, values, delims: str = "brackets") -> str:
    """`dcalc diff --format latex` of several outputs: one display between `delims`."""
    return "\n".join(delimited(diff_lines_several(graph, names, formulas, values), delims))
