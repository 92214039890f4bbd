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


def parse_point(text: str, inputs: list[str]) -> dict[str, float]:
    """A point for an expression with these inputs; every input must get a value, and nothing else may."""
    parts = split_top(text)
    if len(parts) == 1 and "=" not in parts[0]:
        if not inputs:
            raise UsageError(f"--at {text}: the expression has no free variables, so it needs no --at")
        if len(inputs) != 1:
            need = ",".join(f"{n}=VALUE" for n in inputs) or "nothing"
            raise UsageError(f"--at {text}: a bare value needs exactly one free variable, "
                             f"the expression has {len(inputs)} (use --at {need})")
        return {inputs[0]: constant(text, f"--at {text}")}
    point: dict[str, float] = {}
    for part in parts:
        name, eq, val = part.partition("=")
        name = name.strip()
        if not eq or not name:
            raise UsageError(f"--at {text}: expected name=value, got {part.strip()!r}")
        if name not in inputs:
            near = difflib.get_close_matches(name, inputs, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            free = ", ".join(inputs) or "none"
            raise UsageError(f"--at {text}: the expression has no variable '{name}'{hint}; its variables: {free}")
        if name in point:
            raise UsageError(f"--at {text}: '{name}' is given twice")
        point[name] = constant(val, f"--at {name}")
    missing = [n for n in inputs if n not in point]
    if missing:
        full = ",".join(f"{n}=VALUE" for n in inputs)
        raise UsageError(f"--at {text}: no value for the free variable '{missing[0]}' (use --at {full})")
    return point
