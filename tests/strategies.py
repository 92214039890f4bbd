"""Hypothesis strategies for dcalc ASTs, built from the primitive table so that every op is drawn.

The trees are the ones the parser builds: numbers are non-negative literals and a minus sign goes through the `neg`
builder of dcalc.expr (which turns `-2` into the number -2, as the parser does). Tests import it with
`from strategies import expressions` (pyproject.toml's pytest `pythonpath` puts tests/ on the path).
"""

from __future__ import annotations

from hypothesis import strategies as st

from dcalc.core.ops import OPS, Op
from dcalc.language.expr import Apply, Const, Num, Var, neg

NAMES = ("x", "y", "z")


def numbers(min_value: float = 0.0, max_value: float | None = None) -> st.SearchStrategy[Num]:
    """Number literals: finite, non-negative doubles (a negative number is neg(literal))."""
    return st.floats(min_value=min_value, max_value=max_value, allow_nan=False, allow_infinity=False).map(Num)


def constants() -> st.SearchStrategy[Const]:
    return st.sampled_from(("pi", "e")).map(Const)


def variables(names=NAMES) -> st.SearchStrategy[Var]:
    return st.sampled_from(tuple(names)).map(Var)


def leaves(names=NAMES, *, numbers_=None) -> st.SearchStrategy:
    return st.one_of(numbers_ if numbers_ is not None else numbers(), constants(), variables(names))


def applications(op: Op, children: st.SearchStrategy) -> st.SearchStrategy:
    """`op` applied to `op.arity` children; negation through the builder, as the parser does it."""
    if op.name == "neg":
        return children.map(neg)
    return st.tuples(*[children] * op.arity).map(lambda args: Apply(op.name, args))


def expressions(names=NAMES, ops=None, *, max_leaves: int = 25, numbers_=None) -> st.SearchStrategy:
    """Expression trees over every op of the table (or the given op names), with the given variable names."""
    table = [OPS[n] for n in (ops if ops is not None else sorted(OPS))]
    return st.recursive(leaves(names, numbers_=numbers_),
                        lambda children: st.one_of(*[applications(op, children) for op in table]),
                        max_leaves=max_leaves)
