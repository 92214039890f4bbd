"""Points from the command line: `2` (one input) or `x=2,y=-1.5`, each value a number or a constant expression."""

from __future__ import annotations

import difflib
import math
import re

from .errors import DcalcError, UsageError

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # as in dcalc.lark
_PLAIN = re.compile(r"\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*")  # a number as dcalc reads one


def constant(text: str, what: str) -> float:
    """The value of a constant expression such as `pi/4` (a plain number takes the fast path). A value is never a
    program: `1;5`, `y=3` or a CSV cell with two lines are errors, not their last statement."""
    if _PLAIN.fullmatch(text):  # float() alone would also take '1_000', 'nan' and other scripts' digits
        v = float(text)
        if math.isfinite(v):
            return v
    if not text.strip():
        raise UsageError(f"{what}: no value given")
    program = ";" in text or "\n" in text.strip()
    if program or "=" in text:  # parse() would take either, and its value would be the last statement
        raise UsageError(f"{what}: {_quoted(text)} is {'a program' if program else 'an assignment'}, not a value "
                         "(a value is a number or a constant expression such as pi/4)")
    from .core.graph import lower
    from .language.syntax import parse
    from .modes.evaluate import value
    try:
        g = lower(parse(text))
    except DcalcError as e:
        raise UsageError(f"{what}: {e.message}", source=e.source, span=e.span) from None
    if g.inputs:
        raise UsageError(f"{what} must be a constant, but {_quoted(text)} reads the variable '{g.inputs[0]}'")
    return value(g, {})


def _quoted(text: str, n: int = 40) -> str:
    text = text.strip()
    return repr(text if len(text) <= n else text[:n] + "…")


def split_top(text: str) -> list[str]:
    """Split at the commas outside parentheses, so that `x=atan2(1, 2),y=3` has two parts."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def example(names: list[str], option: str = "--at", shown: int = 4) -> str:
    """`--at x=VALUE,y=VALUE` for the first few names (a message about 10,000 variables stays one line)."""
    more = ",…" if len(names) > shown else ""
    return f"{option} " + ",".join(f"{n}=VALUE" for n in names[:shown]) + more


def parse_point(text: str, names: list[str], option: str = "--at", owner: str = "the expression",
                complete: bool = True) -> dict[str, float]:
    """`x=2,y=-1.5` (or a bare value when there is one name) as given to `option`, each name at most once.

    With `complete` it is a point: every one of `names` must get a value, and it may give values to other names too
    (a script evaluates the derivative `diff` printed, which may read fewer variables, at the original point); those
    are kept, so the point is echoed as given. Without (--expect, --direction) every name must be one of `names`, and
    any may be left out. Linear in the length of the text and the number of names."""
    parts = split_top(text)
    where = f"{option} {_clip(text)}"  # a 10,000-name point is not repeated whole in its error
    if len(parts) == 1 and "=" not in parts[0]:
        if not names:
            raise UsageError(f"{where}: {owner} has no free variables, so it needs no {option}")
        if len(names) != 1:
            raise UsageError(f"{where}: a bare value needs exactly one variable, "
                             f"{owner} has {len(names)} (use {example(names, option)})")
        return {names[0]: constant(text, where)}
    known = set(names)
    point: dict[str, float] = {}
    for part in parts:
        name, eq, val = part.partition("=")
        name = name.strip()
        if not eq or not name:
            raise UsageError(f"{where}: expected name=value, got {part.strip()!r}")
        if name not in known and not complete:
            near = difflib.get_close_matches(name, names, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            shown = ", ".join(names[:8]) + (", …" if len(names) > 8 else "")
            raise UsageError(f"{where}: {owner} has no variable '{name}'{hint}; its variables: "
                             f"{shown or 'none'}")
        if name not in known and complete:
            _check_name(name, where)
        if name in point:
            raise UsageError(f"{where}: '{name}' is given twice")
        point[name] = constant(val, f"{option} {name}")
    if complete:
        missing = next((n for n in names if n not in point), None)
        if missing is not None:
            hint = typo(missing, [n for n in point if n not in known]) or f" (use {example(names, option)})"
            raise UsageError(f"{where}: no value for the free variable '{missing}'{hint}")
    return point


def _check_name(name: str, where: str) -> None:
    """A name the expression does not read must still be a name a variable could have."""
    if not _NAME.fullmatch(name):
        raise UsageError(f"{where}: {_quoted(name)} is not a variable name")
    from .core.ops import FUNCTION_NAMES
    from .language.expr import CONSTANTS
    if name in CONSTANTS or name in FUNCTION_NAMES:
        what = "the constant" if name in CONSTANTS else "the function"
        raise UsageError(f"{where}: '{name}' is {what} {name}, not a variable")


def typo(missing: str, given: list[str]) -> str:
    """` (did you mean 'x' instead of 'xx'?)` when one of the names given but not read looks like the missing one."""
    near = difflib.get_close_matches(missing, given, n=1)
    return f" (did you mean '{missing}' instead of '{near[0]}'?)" if near else ""


def _clip(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[:n] + "…"
