"""--expect and the verdicts of `dcalc check`: what did not hold becomes one CheckFailed (exit 3)."""

from __future__ import annotations


def mismatches(got: dict[str, float], expected: dict[str, float] | None, tol: float | None, point) -> list[str]:
    """`expected …, got …` for each expectation that does not hold (a name "" is the value itself); tol None is
    --expect's default."""
    if not expected:
        return []  # no --expect: spare every run the import of the checker
    from ..output.render import number, point_text
    from .check import close
    from .defaults import EXPECT_TOL
    tol = EXPECT_TOL if tol is None else tol
    where = f" at {point_text(point)}" if point else ""
    return [f"expected {f'∂f/∂{x} = ' if x else ''}{number(e)}, got {number(got[x])}{where}"
            for x, e in expected.items() if not close(got[x], e, tol)]


def fail_on(problems: list[str]) -> None:
    """The first problem, and how many more, as a failed check."""
    if problems:
        from ..errors import CheckFailed
        raise CheckFailed(problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
