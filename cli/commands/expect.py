"""--expect and the verdicts of `dcalc check`: what did not hold becomes one CheckFailed (exit 3)."""

from __future__ import annotations


def mismatches(got: dict[str, float], expected: dict[str, float] | None, tol: float | None, point,
               named: bool = False) -> list[str]:
    """`expected …, got …` for each expectation that does not hold (a name "" is the value itself, x the partial
    ∂f/∂x; `named`: the names are shown as they are, f1 or ∂f1/∂x for several outputs); tol None is --expect's
    default."""
    if not expected:
        return []  # no --expect: spare every run the import of the checker
    from ..output.render import number, point_text
    from .check import close
    from .defaults import EXPECT_TOL
    tol = EXPECT_TOL if tol is None else tol
    where = f" at {point_text(point)}" if point else ""
    return [f"expected {f'{x} = ' if named else f'∂f/∂{x} = ' if x else ''}{number(e)}, got {number(got[x])}{where}"
            for x, e in expected.items() if not close(got[x], e, tol)]


def fail_on(problems: list[str]) -> None:
    """The first problem, and how many more, as a failed check."""
    if problems:
        from ..errors import CheckFailed
        raise CheckFailed(problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))


# ---- --expect of several outputs ---------------------------------------------------------------------------------

def expected_outputs(graph, text: str | None, names: list[str] | None) -> dict[str, str] | None:
    """--expect of several outputs, as text per quantity: `f1=VALUE,…` for values (eval) and derivatives along a
    direction or of order N (names None); `f1.r=VALUE,…` for entries of the Jacobian (grad), or `f1=VALUE` when it
    has one column. Keys are the names the messages show (f1, ∂f1/∂r); any subset may be given."""
    if text is None:
        return None
    from ..errors import UsageError
    from .options import split_top
    labels = graph.labels
    form = "OUTPUT=VALUE" if names is None else "OUTPUT.VARIABLE=VALUE"
    out: dict[str, str] = {}
    for part in split_top(text):
        key, eq, val = (s.strip() for s in part.partition("="))
        if not eq or not key:
            raise UsageError(f"--expect {text}: the program has {len(labels)} outputs ({', '.join(labels)}): "
                             f"expected {form}, got {part.strip()!r}")
        label, dot, x = key.partition(".")
        if label not in labels:
            raise UsageError(f"--expect {text}: the program has no output '{label}'; its outputs: "
                             f"{', '.join(labels)}")
        if names is None and dot:
            raise UsageError(f"--expect {text}: expected {form}, got {key!r} (a value per output)")
        if names is not None:
            if not dot and len(names) == 1:
                x = names[0]
            elif not dot:
                raise UsageError(f"--expect {text}: the Jacobian has {len(names)} columns: name the entry, "
                                 f"{label}.{names[0]}=VALUE")
            elif x not in names:
                raise UsageError(f"--expect {text}: the Jacobian has no column '{x}'; its variables: "
                                 f"{', '.join(names)}")
        name = label if names is None else f"∂{label}/∂{x}"
        if name in out:
            raise UsageError(f"--expect {text}: '{key}' is given twice")
        out[name] = val
    return out


def expected_constants(expected: dict[str, str] | None) -> dict[str, float] | None:
    from .options import constant
    return None if expected is None else {k: constant(v, f"--expect {k}") for k, v in expected.items()}


# ---- --expect with --points --------------------------------------------------------------------------------------

COLUMN = "col:"  # --expect col:NAME: the expected value of each row is in the column NAME


class Expectation:
    """--expect of a batch: per expected quantity ("" the value, else a partial) a constant or a column's name."""

    def __init__(self, values: dict[str, float | str], named: bool = False):
        self.values, self.named = values, named  # named: several outputs' quantities (f1, ∂f1/∂x)
        self.columns = list(dict.fromkeys(v for v in values.values() if isinstance(v, str)))

    def judge(self, tol: float | None):
        """(chunk, results) → per row, what did not hold (None where all did, or where the row failed)."""
        from .check import close
        from .defaults import EXPECT_TOL
        tol = EXPECT_TOL if tol is None else tol
        where = {c: k for k, c in enumerate(self.columns)}

        def missed(chunk, results) -> list[str | None]:
            got = results.keyed()
            out = []
            for k, status in enumerate(chunk.status):
                wrong = []
                for x, want in ([] if status is not None else self.values.items()):
                    e = chunk.expected[where[want]][k] if isinstance(want, str) else want
                    if not close(got[x][k], e, tol):
                        wrong.extend(mismatches({x: got[x][k]}, {x: e}, tol, None, self.named))
                out.append("; ".join(wrong) or None)
            return out
        return missed


def batch_expectation(text: str | None, names: list[str] | None, source, reduce: str | None,
                      graph=None) -> Expectation:
    """--expect beside --points: as with --at (a value for eval; x=VALUE,y=VALUE or a bare value for one variable
    for grad; with several outputs f1=VALUE or f1.x=VALUE), and each VALUE a constant or col:NAME, a column of the
    file holding each row's expected value. With --reduce there is one result, so only constants."""
    if text is None:
        return Expectation({})
    from ..errors import UsageError, near_miss
    from .options import constant, split_top
    parts = split_top(text)
    several = graph is not None and len(graph.outputs) > 1
    if several:
        given = expected_outputs(graph, text, names)
    elif names is None or (len(parts) == 1 and "=" not in parts[0]):
        if names is not None and len(names) != 1:
            raise UsageError(f"--expect {text}: a bare value needs exactly one variable, the gradient has {len(names)} "
                             f"(use --expect {names[0]}=VALUE,…)")
        given = {"" if names is None else names[0]: text}
    else:
        given = {}
        for part in parts:
            name, eq, val = (s.strip() for s in part.partition("="))
            if not eq or not name:
                raise UsageError(f"--expect {text}: expected name=value, got {part.strip()!r}")
            if name not in names:
                near = near_miss(name, names)
                raise UsageError(f"--expect {text}: the gradient has no variable '{name}'"
                                 f"{f' (did you mean {near!r}?)' if near else ''}; its variables: {', '.join(names)}")
            if name in given:
                raise UsageError(f"--expect {text}: '{name}' is given twice")
            given[name] = val
    values: dict[str, float | str] = {}
    for x, val in given.items():
        val = val.strip()
        if not val.startswith(COLUMN):
            values[x] = constant(val, f"--expect {x}" if x else "--expect")
            continue
        column = val[len(COLUMN):].strip()
        if reduce is not None:
            raise UsageError(f"--expect {val}: --reduce {reduce} gives one result, so it expects a constant, not a "
                             "column")
        if column not in source.header:
            near = near_miss(column, source.header)
            hint = f" (did you mean {COLUMN}{near}?)" if near else f" (its columns: {', '.join(source.header[:8])})"
            raise UsageError(f"--expect {val}: {source.name} has no column '{column}'{hint}")
        values[x] = column
    return Expectation(values, several)
