"""dcalc: values, derivatives and gradients of formulas, and how the total derivative comes about, node by node.

The Python API mirrors the commands:

    >>> import dcalc
    >>> dcalc.evaluate("2x^2 + sin(pi/2)", {"x": 3})
    19.0
    >>> dcalc.gradient("ln(x1) + x1*x2 - sin(x2)", {"x1": 2, "x2": 5})["x1"]
    5.5
    >>> dcalc.jacobian("r*cos(t), r*sin(t)", {"r": 2, "t": 0})
    {'f1': {'r': 1.0, 't': 0.0}, 'f2': {'r': 0.0, 't': 2.0}}

Everything is imported lazily, so that `dcalc --help` does not pay for the parser. Bad input to any of these
raises a DcalcError (a point value that is not a finite real number, a name that is not a name, …), as the command
line would refuse it; the derivative by a variable the expression does not read is 0, as in `dcalc grad --wrt`.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["parse", "compile", "evaluate", "derivative", "gradient", "jacobian", "diff", "trace", "DcalcError"]


def parse(text: str):
    """The AST of a dcalc program or expression (a Program); raises DcalcError on a syntax error."""
    from .language.syntax import parse as _parse
    if not isinstance(text, str):
        from .errors import UsageError
        raise UsageError(f"expected the text of a dcalc expression or program, not {type(text).__name__}")
    from .core.ops import FUNCTION_NAMES  # which names are functions decides x(x+1) (a product) from f(x) (a call)
    return _parse(text, FUNCTION_NAMES)


def compile(text: str):
    """The computation graph of a program: its nodes in evaluation order, inputs first."""
    from .core.graph import lower
    return lower(parse(text))


def _graph(f):
    from .core.graph import Graph
    return f if isinstance(f, Graph) else compile(f)


def _point(point) -> dict[str, float]:
    """A point given to the API as a dict of names to values, checked as `--at` checks one: each value a finite real
    number, or a constant expression in text ("pi/4"). Names the expression does not read are allowed."""
    from collections.abc import Mapping

    from .errors import UsageError
    if point is None:
        return {}
    if not isinstance(point, Mapping):
        raise UsageError(f"a point is a dict of variable values, not {type(point).__name__}")
    out = {}
    for name, v in point.items():
        if not isinstance(name, str):
            raise UsageError(f"a point names its variables with strings, not {name!r}")
        out[name] = _number(name, v)
    return out


def _number(name: str, v) -> float:
    import math

    from .errors import UsageError
    if isinstance(v, str):
        from .commands.options import constant
        return constant(v, f"the value of '{name}'")
    if isinstance(v, (bool, complex)):  # True is no number a user means; a complex one has no real value
        raise UsageError(f"the value of '{name}' must be a real number, not {v!r}")
    try:
        x = float(v)
    except OverflowError:
        raise UsageError(f"the value of '{name}' is too large for a double") from None
    except (TypeError, ValueError):
        raise UsageError(f"the value of '{name}' must be a real number, not {v!r}") from None
    if not math.isfinite(x):
        raise UsageError(f"the value of '{name}' must be a finite number, not {x!r}")
    return x


def _name(wrt, f, g) -> str:
    """A variable to differentiate by, as `--wrt` takes one: a name, read by the expression or not (then the
    derivative is 0), but not a constant, a built-in function or a name the program defines (d/da of `a = x^2; a`
    would be a question about a free variable a that is not there)."""
    import re

    from .core.ops import FUNCTION_NAMES
    from .errors import UsageError
    from .language.expr import CONSTANTS
    if not isinstance(wrt, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", wrt):
        raise UsageError(f"wrt must be a variable name, not {wrt!r}")
    if wrt not in g.inputs:
        what = ("a constant" if wrt in CONSTANTS else "a built-in function" if wrt in FUNCTION_NAMES
                else "defined by the expression, not a free variable" if wrt in _defined(f, g) else None)
        if what:
            raise UsageError(f"wrt {wrt!r} is {what}; the variables: {', '.join(g.inputs) or 'none'}")
    return wrt


def _defined(f, g) -> set[str]:
    """The names a program defines (variables and functions)."""
    from .language.expr import Assign, Define
    if isinstance(f, str):
        return {s.name for s in parse(f).stmts if isinstance(s, (Assign, Define))}
    return set(getattr(g, "defined", ()))  # a Graph records them (Graph.defined) once the lowering keeps them


def evaluate(f, point: dict[str, float] | None = None) -> float | dict[str, float]:
    """The value of f (text or graph) at `point`, a dict of input values; with several outputs (`a*b, a+b`) a dict
    of every output's value by label, as `dcalc eval` prints them."""
    from .modes.evaluate import node_values, value
    g = _graph(f)
    if len(g.outputs) > 1:
        vals = node_values(g, _point(point))
        return {label: vals[o] + 0.0 for label, o in zip(g.labels, g.outputs)}
    return value(g, _point(point))


def jacobian(f, point: dict[str, float], wrt: list[str] | None = None) -> dict[str, dict[str, float]]:
    """∂out/∂x for every output (rows, by label: a bare name keeps it, an expression is f1, f2, …) and every input x
    (or those of `wrt`; zeros included), as `dcalc grad --json` gives "jacobian". A program of one output has one row,
    named as the program's last assignment, else 'f'. Reverse mode per output or forward mode per input, whichever
    takes fewer passes."""
    from .errors import UsageError
    from .modes.evaluate import node_values
    from .modes.jacobian import jacobian as _jacobian
    g = _graph(f)
    if wrt is not None and (isinstance(wrt, str) or not isinstance(wrt, (list, tuple))):
        raise UsageError(f"wrt must be a list of variable names, not {type(wrt).__name__}")
    names = list(g.inputs) if wrt is None else list(dict.fromkeys(_name(w, f, g) for w in wrt))
    jac = _jacobian(g, node_values(g, _point(point)), names)
    if len(g.outputs) == 1:
        return {g.nodes[g.output].name if g.nodes[g.output].name in g.defined else "f": jac[g.labels[0]]}
    return jac


def _one_output(g, what: str, instead: str) -> None:
    from .errors import UsageError
    if len(g.outputs) > 1:
        raise UsageError(f"{what} is of one output, and the program has {len(g.outputs)} ({', '.join(g.labels)}): "
                         f"use {instead}")


def derivative(f, point: dict[str, float], wrt: str | None = None) -> float:
    """df/d(wrt) at `point` by forward mode; `wrt` may be left out when f has one input."""
    from .modes.evaluate import node_values as values
    from .modes.forward import derivative as forward_derivative
    g = _graph(f)
    _one_output(g, "derivative", "jacobian")
    wrt = _name(wrt, f, g) if wrt is not None else _only_input(g)
    return forward_derivative(g, values(g, _point(point)), wrt)


def gradient(f, point: dict[str, float]) -> dict[str, float]:
    """∂f/∂x for every input x (zeros included, in order of first appearance) by one reverse pass."""
    from .modes.evaluate import node_values as values
    from .modes.reverse import gradient as reverse_gradient
    g = _graph(f)
    _one_output(g, "gradient", "jacobian")
    return reverse_gradient(g, values(g, _point(point)))


def diff(f, wrt: str | list[str] | None = None, order: int | None = None) -> str:
    """The derivative as dcalc text (a program when shared pieces are named), as `dcalc diff` prints it:
    `wrt` a name or a list of names (mixed partials); `order` differentiates that many times."""
    from .errors import UsageError
    from .symbolic.formulas import differentiate, program, program_text, wrt_list
    g = _graph(f)
    _one_output(g, "diff", "the program of each output")
    if order is not None and (isinstance(order, bool) or not isinstance(order, int) or order < 1):
        raise UsageError(f"order must be a whole number of at least 1, not {order!r}")
    if wrt is not None and not isinstance(wrt, str) and not isinstance(wrt, (list, tuple)):
        raise UsageError(f"wrt must be a variable name or a list of them, not {type(wrt).__name__}")
    wrt = None if wrt is None else [_name(w, f, g) for w in ([wrt] if isinstance(wrt, str) else wrt)]
    names = wrt_list(g, wrt, order)
    return program_text(*program(differentiate(g, names), g.inputs))


def trace(f, point: dict[str, float], wrt: str | None = None, mode: str = "forward",
          seed: dict[str, float] | None = None):
    """The derivation node by node (a dcalc.output.trace.Trace: its rows() are what `dcalc trace` renders). As `dcalc
    trace --wrt`, `wrt` must be a variable the expression reads: a trace follows it through the graph. With several
    outputs: reverse mode with `seed` ({label: weight}, as `--seed`), the vector–Jacobian product."""
    from .errors import UsageError
    from .output.trace import MODES
    from .output.trace import trace as _trace
    if mode not in MODES:
        raise UsageError(f"mode must be 'forward' or 'reverse', not {mode!r}")
    g = _graph(f)
    if seed is not None or len(g.outputs) > 1:
        if seed is None or mode != "reverse":
            raise UsageError(f"a trace of several outputs ({', '.join(g.labels)}) is the reverse one of seed "
                             "{label: weight, …}: give mode='reverse' and seed")
        if len(g.outputs) == 1:
            raise UsageError("seed weighs several outputs, and the program has one: leave it out")
        from .commands.outputs import parse_seed
        if not isinstance(seed, dict):
            raise UsageError(f"seed is a dict of output weights, not {type(seed).__name__}")
        seed = parse_seed(g, ",".join(f"{k}={_number(k, v)!r}" for k, v in seed.items()))
    return _trace(g, _point(point), None if wrt is None else _name(wrt, f, g), mode, seed)


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

