"""dcalc: values, derivatives and gradients of formulas, and how the total derivative comes about, node by node.

The Python API mirrors the commands:

    >>> import dcalc
    >>> dcalc.evaluate("2x^2 + sin(pi/2)", {"x": 3})
    19.0
    >>> dcalc.gradient("ln(x1) + x1*x2 - sin(x2)", {"x1": 2, "x2": 5})["x1"]
    5.5

Everything is imported lazily, so that `dcalc --help` does not pay for the parser.
"""

from __future__ import annotations

import sys

__version__ = "0.1.0"
__all__ = ["parse", "compile", "evaluate", "derivative", "gradient", "diff", "trace", "DcalcError"]


def parse(text: str):
    """The AST of a dcalc program or expression (a Program); raises DcalcError on a syntax error."""
    from .syntax import parse as _parse
    return _parse(text)


def compile(text: str):
    """The computation graph of a program: its nodes in evaluation order, inputs first."""
    from .graph import lower
    return lower(parse(text))


def _graph(f):
    return compile(f) if isinstance(f, str) else f


def evaluate(f, point: dict[str, float] | None = None) -> float:
    """The value of f (text or graph) at `point`, a dict of input values."""
    from .evaluate import value
    return value(_graph(f), dict(point or {}))


def derivative(f, point: dict[str, float], wrt: str | None = None) -> float:
    """df/d(wrt) at `point` by forward mode; `wrt` may be left out when f has one input."""
    from .evaluate import evaluate as values
    from .forward import derivative as forward_derivative
    g = _graph(f)
    wrt = wrt if wrt is not None else _only_input(g)
    return forward_derivative(g, values(g, dict(point)), wrt)


def gradient(f, point: dict[str, float]) -> dict[str, float]:
    """∂f/∂x for every input x (zeros included, in order of first appearance) by one reverse pass."""
    from .evaluate import evaluate as values
    from .reverse import gradient as reverse_gradient
    g = _graph(f)
    return reverse_gradient(g, values(g, dict(point)))


def diff(f, wrt: str | list[str] | None = None, order: int | None = None) -> str:
    """The derivative as dcalc text (a program when shared pieces are named), as `dcalc diff` prints it:
    `wrt` a name or a list of names (mixed partials); `order` differentiates that many times."""
    from .symbolic import differentiate, program, program_text, wrt_list
    g = _graph(f)
    names = wrt_list(g, [wrt] if isinstance(wrt, str) else wrt, order)
    return program_text(*program(differentiate(g, names), g.inputs))


def trace(f, point: dict[str, float], wrt: str | None = None, mode: str = "forward"):
    """The derivation node by node (a dcalc.trace.Trace: its rows() are what `dcalc trace` renders)."""
    from .trace import trace as _trace
    return _trace(_graph(f), dict(point), wrt, mode)


def _only_input(g) -> str:
    from .errors import UsageError
    if len(g.inputs) != 1:
        raise UsageError(f"say which variable to differentiate by: the expression has {len(g.inputs)} inputs")
    return g.inputs[0]


def __getattr__(name):
    if name == "DcalcError":
        from .errors import DcalcError
        return DcalcError
    raise AttributeError(name)


class _Package(type(sys)):
    """The first import of the submodule dcalc.evaluate (or dcalc.trace) sets the package attribute of that name to the
    module, which would replace the function; this keeps the function (the module stays in sys.modules)."""

    def __setattr__(self, name, value):
        if not (name in ("evaluate", "trace") and isinstance(value, type(sys))):
            super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
