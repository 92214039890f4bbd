"""Text of the results of a program with several outputs: values by label, the Jacobian as a labelled matrix, and
the name of one output's derivative (README, Several outputs)."""

from __future__ import annotations

from .render import number


def values_text(values: dict[str, float], digits: int | None = None) -> str:
    """One line per output: `f1 = 6`."""
    return "\n".join(f"{label} = {number(v, digits)}" for label, v in values.items())


def jacobian_text(jac: dict[str, dict[str, float]], digits: int | None = None) -> str:
    """The Jacobian, one row per output and one column per variable, labelled, numbers right-aligned:

            ∂/∂r  ∂/∂t
        f1     1     0
        f2     0     1
    """
    names = list(next(iter(jac.values())))
    rows = [[""] + [f"∂/∂{x}" for x in names]]
    rows += [[label] + [number(row[x], digits) for x in names] for label, row in jac.items()]
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    return "\n".join("  ".join([r[0].ljust(widths[0])] + [cell.rjust(w) for cell, w in zip(r[1:], widths[1:])])
                     for r in rows)


def derivative_label(label: str, names: list[str]) -> str:
    """∂f1/∂r, ∂²f1/∂x², ∂³f1/∂y∂x² (the variables in `names` taken first to last, as diff --wrt x,x,y)."""
    if not names:
        return f"d({label})"  # a program without variables: its derivatives are 0
    runs: list[list] = []
    for x in names:
        if runs and runs[-1][0] == x:
            runs[-1][1] += 1
        else:
            runs.append([x, 1])
    n = len(names)
    below = "".join(f"∂{x}{_sup(k)}" for x, k in reversed(runs))
    return f"∂{_sup(n)}{label}/{below}"


def _sup(k: int) -> str:
    return "" if k == 1 else str(k).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
