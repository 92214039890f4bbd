"""A row's derivative or adjoint written in stages, for the symbolic trace and for a trace at a point (which shows
the last formula beside its numbers): the sum of symbols, the partials' rules and the earlier rows' results
substituted, each term in the free variables, the whole simplified; equal neighbouring stages are written once.
`n` is the output format's notation (render_trace's TEXT or LATEX)."""

from __future__ import annotations

from ..core.printing import to_text
from ..language.expr import Apply, Num
from ..symbolic.derivation import Derivation, FormulaRow
from ..symbolic.latex import to_latex


def _factor(e, n) -> str:
    """A formula inside a product: a sum or a leading sign in parentheses, so 1·(1 + 2x) is not read as 1 + 2x."""
    s = n.formula(e)
    wrap = (isinstance(e, Apply) and e.op in ("add", "sub", "neg", "div")) or s.startswith("-") or (
        isinstance(e, Num) and e.value < 0)
    if not wrap:
        return s
    return f"\\left({s}\\right)" if n.formula is to_latex else f"({s})"


def _join(terms: list[str]) -> str:
    out = terms[0]
    for t in terms[1:]:
        out += f" - {t[1:]}" if t.startswith("-") else f" + {t}"
    return out


def _times(n) -> str:
    return " \\cdot " if n.formula is to_latex else "·"


def total_stages(d: Derivation, r: FormulaRow, n) -> list[str]:
    """What du/dx equals, stage by stage (forward mode)."""
    x = d.wrt
    if r.kind != "node":
        return ["1" if r.kind == "input" and r.name == x else "0"]
    if not r.terms:
        return ["0"]
    syms, subst, free = [], [], []
    for m in r.terms:
        if m.carried is None:
            syms.append(n.partial(r.name, x))
            subst.append(n.formula(m.rule))
        else:
            syms.append(f"{n.partial(r.name, m.name)}{n.sym_times}{n.total(m.name, x)}")
            carried = _factor(m.carried, n) if d.fits(m.carried) else n.total(m.name, x)
            subst.append(f"{_factor(m.rule, n)}{_times(n)}{carried}")
        free.append(n.formula(m.free) if d.fits(m.free) else None)
    return _ending(d, r, _stages(d, syms, subst, free, r.total, n), n, d.wrt if r.index == d.graph.output else None)


def _ending(d: Derivation, r: FormulaRow, stages: list[str], n, wrt: str | None) -> list[str]:
    """The last row (forward: the output; reverse: an input) ends in the derivative exactly as `dcalc diff` prints
    it, when that is one line and another stage than the simplifier reached node by node."""
    if wrt is None or n.formula is not to_text or not d.restates_diff():
        return stages
    text = d.diff_text(wrt)
    return stages if "\n" in text or text == stages[-1] else stages + [text]


def adjoint_stages(d: Derivation, r: FormulaRow, n) -> list[str]:
    """What ū equals, stage by stage (reverse mode); the output's is 1, a node nothing reads has 0."""
    if r.index == d.graph.output:
        return ["1"]
    if not r.terms:
        return ["0"]
    syms, subst, free = [], [], []
    for m in r.terms:
        syms.append(f"{n.bar(m.name)}{n.sym_times}{n.partial(m.name, r.name)}")
        carried = _factor(m.carried, n) if d.fits(m.carried) else n.bar(m.name)
        subst.append(f"{carried}{_times(n)}{_factor(m.rule, n)}")
        free.append(n.formula(m.free) if d.fits(m.free) else None)
    return _ending(d, r, _stages(d, syms, subst, free, r.total, n), n, r.name if r.kind == "input" else None)


def _stages(d: Derivation, syms, subst, free, total, n) -> list[str]:
    out = [_join(syms), _join(subst)]
    if all(f is not None for f in free):
        out.append(_join(free))
        if d.fits(total):
            out.append("0" if total is None else n.formula(total))
    return [s for k, s in enumerate(out) if k == 0 or s != out[k - 1]]


def formula_of(d: Derivation, r: FormulaRow, n) -> str:
    """The row's derivative (or adjoint) as one formula: in the free variables when it fits, else its last stage,
    which names earlier rows (du1/dx, ū2)."""
    if r.total is not None and d.fits(r.total):
        return n.formula(r.total)
    stages = adjoint_stages(d, r, n) if d.mode == "reverse" else total_stages(d, r, n)
    return stages[-1]
