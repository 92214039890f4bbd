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


class FormulaOverflow(MathError):
    """A printed formula overflows in an intermediate (y^2 at y = 1e160) at arguments inside every domain: its own
    result may well be a double, which the formula as written cannot give."""


class NotDifferentiable(MathError):
    """The value exists but the derivative does not (or is infinite) at this point."""


class CheckFailed(DcalcError):
    """`dcalc check` found disagreeing derivatives, or an --expect did not hold."""

    exit_code = 3
