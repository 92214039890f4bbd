"""Points from the command line: `2` (one input) or `x=2,y=-1.5`, each value a number or a constant expression."""

from __future__ import annotations

import difflib
import math
import re

from .errors import DcalcError, UsageError

_PLAIN = re.compile(r"\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*")  # a number as dcalc reads one


def constant(text: str, what: str) -> float:
    """The value of a constant expression such as `pi/4` (a plain number takes the fast path)."""
    if _PLAIN.fullmatch(text):  # float() alone would also take '1_000', 'nan' and other scripts' digits
        v = float(text)
        if math.isfinite(v):
            return v
    if not text.strip():
        raise UsageError(f"{what}: no value given")
    from .evaluate import value
    from .graph import lower
    from .syntax import parse
    try:
        g = lower(parse(text))
    except DcalcError as e:
        raise UsageError(f"{what}: {e.message}", source=e.source, span=e.span) from None
    if g.inputs:
        raise UsageError(f"{what} must be a constant, but {text.strip()!r} reads the variable '{g.inputs[0]}'")
    return value(g, {})


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


def parse_point(text: str, names: list[str], option: str = "--at", owner: str = "the expression",
                complete: bool = True) -> dict[str, float]:
    """`x=2,y=-1.5` (or a bare value when there is one name) as given to `option`: each name one of `names`, at most
    once. With `complete` (a point) every name must get a value; without (--expect, --direction) any may be left out."""
    parts = split_top(text)
    if len(parts) == 1 and "=" not in parts[0]:
        if not names:
            raise UsageError(f"{option} {text}: {owner} has no free variables, so it needs no {option}")
        if len(names) != 1:
            need = ",".join(f"{n}=VALUE" for n in names)
            raise UsageError(f"{option} {text}: a bare value needs exactly one variable, "
                             f"{owner} has {len(names)} (use {option} {need})")
        return {names[0]: constant(text, f"{option} {text}")}
    point: dict[str, float] = {}
    for part in parts:
        name, eq, val = part.partition("=")
        name = name.strip()
        if not eq or not name:
            raise UsageError(f"{option} {text}: expected name=value, got {part.strip()!r}")
        if name not in names:
            near = difflib.get_close_matches(name, names, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            raise UsageError(f"{option} {text}: {owner} has no variable '{name}'{hint}; its variables: "
                             f"{', '.join(names) or 'none'}")
        if name in point:
            raise UsageError(f"{option} {text}: '{name}' is given twice")
        point[name] = constant(val, f"{option} {name}")
    missing = [n for n in names if n not in point]
    if complete and missing:
        full = ",".join(f"{n}=VALUE" for n in names)
        raise UsageError(f"{option} {text}: no value for the free variable '{missing[0]}' (use {option} {full})")
    return point
