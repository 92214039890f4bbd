"""What the commands ask of the engine beyond a value: partials with zeros for unread variables, derivatives of
higher order at a point, and the value of a printed derivative formula at a point."""

from __future__ import annotations

from ..errors import MathError


def gradient_by(graph, vals, names: list[str]) -> dict[str, float]:
    """∂f/∂x for x in names by reverse mode; 0 for a name the expression does not read."""
    from ..modes.reverse import gradient
    inputs = set(graph.inputs)
    read = [n for n in names if n in inputs]
    grad = gradient(graph, vals, None if len(read) == len(graph.inputs) else read) if read else {}
    return {n: grad.get(n, 0.0) for n in names}


def nth(graph, point, names: list[str], seed, order: int) -> float:
    """The derivative of order N by the one variable of `names`, or along the direction `seed`: Taylor mode. By a
    variable the expression does not read it is 0, at every order."""
    if seed is None and names[0] not in graph.inputs:
        from .options import order_limit
        order_limit(order)
        return 0.0
    from ..modes.taylor import nth_derivative
    return nth_derivative(graph, point, seed if seed is not None else names[0], order)


def differentiable(graph, point, names: list[str]) -> None:
    """The function must be defined at the point (its errors name the node) and have first derivatives there (grad's
    verdict): a formula may have a value where the derivative does not exist (0^x at x = 0, whose b-partial prints as
    0). Only "not differentiable" counts: a first derivative too large for a double may have finite higher ones."""
    from ..errors import NotDifferentiable
    from ..modes.evaluate import node_values
    from ..modes.reverse import gradient
    vals = node_values(graph, point)
    try:
        gradient(graph, vals, sorted(set(names)))
    except MathError as e:
        if isinstance(e, NotDifferentiable):
            raise


def derivative_at(graph, d, point, names: list[str]) -> float:
    """The derivative at the point, by a mode on the graph where one computes it (one variable, any order: Taylor mode;
    two different variables: the Hessian), not from the printed formula: the formula is mathematically right, but in
    doubles an intermediate may overflow, underflow or cancel (1/hypot(x, 1) - x^2/hypot(x, 1)^3 at x = 1e100 gave
    1.3e-116 for 1e-300). Other mixed orders evaluate the formula (at a kink, x*abs(x) at 0, its 0/0 is an error)."""
    from ..errors import FormulaOverflow
    from ..modes.evaluate import value_of
    if len(set(names)) == 1:
        from ..modes.taylor import nth_derivative
        return nth_derivative(graph, point, names[0], len(names))
    if len(names) == 2:
        from ..modes.evaluate import node_values
        from ..modes.hessian import hessian
        return hessian(graph, node_values(graph, point), list(names))[names[0]][names[1]]
    try:
        return value_of(d, point, graph.source)
    except FormulaOverflow as e:
        raise formula_overflow(e, "printed formula") from None


def formula_overflow(e, what: str) -> MathError:
    """The error where a derivative's formula overflows in an intermediate: the derivative may be a double (y^2 in
    -x/y^2 at y = 1e160), so it says which overflows and how to get the derivative without the formula."""
    return MathError(f"the {what} overflows in an intermediate here ({e.message}), though the derivative itself may "
                     f"be a double: dcalc grad (first derivatives) and grad --order N (along one variable) compute "
                     f"it without the formula", source=e.source)
