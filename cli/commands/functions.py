"""`dcalc functions`: every built-in function, its arguments, domain and derivative rule, read from the primitive
table (core/ops.py), so that the list is the table and cannot drift from it."""

from __future__ import annotations


def rows() -> list[dict]:
    """One row per function a user may call (operators are not listed), in the table's order."""
    from ..core.ops import _TABLE, FOLDS, FUNCTIONS, ONE_SIDED
    from ..core.printing import to_text
    from ..language.expr import Var

    out = []
    for op in _TABLE:
        if op.symbol is not None:
            continue
        params = "ab"[:op.arity]
        args = [Var(p) for p in params]
        if op.name in FOLDS:
            call, arity = f"{op.name}(a, b, …)", "2 or more"
        else:
            call, arity = f"{op.name}({', '.join(params)})", str(op.arity)
        rules = {f"∂/∂{p}": to_text(op.rule(k, *args)) for k, p in enumerate(params)}
        out.append({"name": op.name, "call": call, "arity": arity, "domain": op.domain or "all real a" +
                    (", b" if op.arity == 2 else ""), "derivative": rules, "about": op.doc,
                    "one_sided": op.name in ONE_SIDED, "latex": op.latex})
    listed = {r["name"] for r in out}
    aliases = [(n, k, target) for (n, k), target in FUNCTIONS.items() if n != target or n not in listed]
    for name, k, target in aliases:
        what = "a ^ b" if target == "pow" else f"{target}(a)"
        out.append({"name": name, "call": f"{name}({', '.join('ab'[:k])})", "arity": str(k), "domain": "",
                    "derivative": {}, "about": f"the same as {what}", "one_sided": False, "latex": ""})
    return out


def text(table: list[dict]) -> str:
    """The rows as aligned text: call, arity, domain, derivative rule, and what it is."""
    width = max(len(r["call"]) for r in table) + 2
    lines = []
    for r in table:
        rule = "  ".join(f"{d} = {f}" for d, f in r["derivative"].items())
        lines.append(f"{r['call']:<{width}}{r['about']}")
        details = [f"arguments: {r['arity']}"]
        if r["domain"]:
            details.append(f"domain: {r['domain']}")
        if rule:
            details.append(rule)
        if r["one_sided"]:
            details.append("one-sided derivatives at its kinks/jumps")
        lines.append(f"{'':<{width}}" + "; ".join(details))
    lines.append("")
    lines.append("A rule that is 0/0 at a point (0/a, 0/(a - b)) marks a kink or a jump there: the derivative is then "
                 "decided from both sides (the same on both: that value; different: an error naming both).")
    return "\n".join(lines)
