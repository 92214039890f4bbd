"""One exception hierarchy; each kind carries its exit code (0 ok, 1 math, 2 usage/syntax/name, 3 check failed)."""

from __future__ import annotations


class DcalcError(Exception):
    """An error a user caused and can act on. `span` marks the spot in `source` for a caret."""

    exit_code = 2

    def __init__(self, message: str, *, source: str | None = None, span: tuple[int, int] | None = None,
                 hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.source = source
        self.span = span
        self.hint = hint

    def at(self, source: str) -> DcalcError:
        """Attach the source text the span points into, unless one is attached already."""
        if self.source is None:
            self.source = source
        return self


class UsageError(DcalcError):
    """Bad command-line arguments: a malformed --at, an unknown --wrt name, a missing value."""


class ParseError(DcalcError):
    """The text is not dcalc: a syntax error."""


class NameError_(DcalcError):
    """An unknown function, a name used before its definition, a name defined twice, a bad assignment."""


class ArityError(DcalcError):
    """A function called with the wrong number of arguments."""


class MathError(DcalcError):
    """A value outside a function's domain, a division by zero or an overflow."""

    exit_code = 1


class Overflow(MathError):
    """A value too large for a double where every argument is a double inside its function's domain (exp(1000))."""


class FormulaOverflow(Overflow):
    """A printed formula overflows in an intermediate (y^2 at y = 1e160) at arguments inside every domain: its own
    result may well be a double, which the formula as written cannot give."""


class NotDifferentiable(MathError):
    """The value exists but the derivative does not (or is infinite) at this point."""


class CheckFailed(DcalcError):
    """`dcalc check` found disagreeing derivatives, or an --expect did not hold."""

    exit_code = 3


# Kinds that carry data. The engine raises them with a message for the Python API; the command layer words them with
# its flags (dcalc/commands/exits.py), so no engine module needs to know the command line.

class MissingVariables(UsageError):
    """Free variables without a value at a point: `names` in order of first appearance, out of `inputs`; `near` is a
    name the point gives but the expression does not read that looks like the first missing one (a typo?)."""

    def __init__(self, names: list[str], inputs: list[str], given: list[str] = ()):
        self.names, self.inputs = list(names), list(inputs)
        read = set(inputs)
        self.near = near_miss(self.names[0], [n for n in given if n not in read])
        hint = f" (did you mean '{self.names[0]}' instead of '{self.near}'?)" if self.near else ""
        super().__init__(f"no value for the free variable '{self.names[0]}'{hint}")


class WrtNeeded(UsageError):
    """A derivative asked of an expression with several free variables (`inputs`) without saying by which one;
    `reverse` when reverse mode (the whole gradient) is the other way out."""

    def __init__(self, inputs: list[str], reverse: bool = False):
        self.inputs, self.reverse = list(inputs), reverse
        super().__init__(f"say which variable to differentiate by (one of {', '.join(inputs)}), or trace in reverse "
                         "mode for the whole gradient" if reverse else
                         f"say which variable to differentiate by (the variables: {', '.join(inputs)})")


class NoSuchVariable(UsageError):
    """A variable to follow (`name`) that the expression does not read; `inputs` are the ones it reads."""

    def __init__(self, name: str, inputs: list[str]):
        self.name, self.inputs = name, list(inputs)
        super().__init__(f"the expression has no variable '{name}'; its variables: {', '.join(inputs)}")


class ReverseKink(NotDifferentiable):
    """Reverse mode met a kink at the node named `node_name` (index `node`, as NotDifferentiable's) where a local
    partial does not exist though the gradient does (the left and right derivatives agree): a forward trace shows how."""

    def __init__(self, node_name: str, node: int | None = None, *, source: str | None = None):
        self.node_name = node_name
        super().__init__(f"reverse mode cannot pass the kink at {node_name}: a local partial does not exist there, "
                         "though the gradient does; the forward trace by one variable shows it from the left and right "
                         "derivatives", source=source)
        self.node = node


def near_miss(name: str, candidates: list[str]) -> str | None:
    """The one of `candidates` that looks most like `name`, if any looks like it."""
    import difflib  # here: only an error pays for it
    near = difflib.get_close_matches(name, candidates, n=1)
    return near[0] if near else None
