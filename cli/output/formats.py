"""A trace in any of its formats, at a point or symbolic: render_trace and formula_trace write text, JSON, LaTeX, DOT,
Mermaid and SVG; Markdown builds on both of them (markdown.py), so it is chosen here, above all three."""

from __future__ import annotations

from collections.abc import Iterator


def trace_pieces(t, fmt: str, program=None, colour: bool = False, style=None) -> Iterator[str]:
    """A trace at a point (output/trace.py) as pieces of text in `fmt`."""
    from .render_trace import PLAIN, render
    if fmt == "markdown":
        from .markdown import trace_markdown
        return trace_markdown(t, program, style or PLAIN)
    return render(t, fmt, program, colour, style or PLAIN)


def formula_pieces(d, fmt: str, program=None, colour: bool = False, style=None) -> Iterator[str]:
    """The symbolic trace (symbolic/derivation.py) as pieces of text in `fmt`."""
    from .formula_trace import render
    from .render_trace import PLAIN
    if fmt == "markdown":
        from .markdown import formula_markdown
        return formula_markdown(d, program, style or PLAIN)
    return render(d, fmt, program, colour, style or PLAIN)
