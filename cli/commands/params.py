"""The command line's own parameter types, for help that reads well and errors that say what was expected: a whole
number (`--order two`: "expected a whole number, not 'two'") and a choice whose metavar lists the choices
([text|json|csv]) and whose error names them. Imported at start-up by app.py: nothing else is imported here."""

try:  # typer 0.28 ships its own copy of click (typer._click); older typers use click itself
    from typer._click import types as _types
except ImportError:  # pragma: no cover
    from click import types as _types


class Expression(_types.ParamType):
    """EXPR: any text (read and checked by the command); the shell completes the function name being typed."""

    name = "EXPR"

    def convert(self, value, param, ctx):
        return value

    def shell_complete(self, ctx, param, incomplete):
        from .completion import functions
        return [_item(name) for name in functions(incomplete)]


def _item(value: str):
    try:
        from typer._click.shell_completion import CompletionItem
    except ImportError:  # pragma: no cover
        from click.shell_completion import CompletionItem
    return CompletionItem(value)


class Whole(_types.ParamType):
    """A whole number in [lo, hi] (either end open when None), shown as N."""

    name = "N"

    def __init__(self, lo: int | None = None, hi: int | None = None, metavar: str = "N"):
        self.lo, self.hi, self.metavar = lo, hi, metavar

    def get_metavar(self, param, ctx=None):
        return self.metavar

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            n = value
        else:
            text = str(value).strip()
            if not (text.lstrip("+-").isascii() and text.lstrip("+-").isdigit()):
                self.fail(f"expected a whole number, not {value!r}", param, ctx)
            n = int(text)
        if (self.lo is not None and n < self.lo) or (self.hi is not None and n > self.hi):
            span = (f"from {self.lo} to {self.hi}" if self.lo is not None and self.hi is not None else
                    f"of at least {self.lo}" if self.lo is not None else f"of at most {self.hi}")
            self.fail(f"expected a whole number {span}, not {n}", param, ctx)
        return n


class Real(_types.ParamType):
    """A number (a tolerance) of at least lo, shown as `metavar`."""

    name = "number"

    def __init__(self, lo: float, metavar: str):
        self.lo, self.metavar = lo, metavar

    def get_metavar(self, param, ctx=None):
        return self.metavar

    def convert(self, value, param, ctx):
        try:
            v = float(value)
        except (TypeError, ValueError):
            self.fail(f"expected a number, not {value!r}", param, ctx)
        if not v >= self.lo:  # nan too
            self.fail(f"expected a number of at least {self.lo:g}, not {value}", param, ctx)
        return v


class OneOf(_types.ParamType):
    """One of a few words: the metavar lists them, [text|json|csv], so does the error, and the shell completes them."""

    name = "choice"

    def __init__(self, choices):
        self.choices = tuple(choices)

    def get_metavar(self, param, ctx=None):
        return f"[{'|'.join(self.choices)}]"

    def convert(self, value, param, ctx):
        if value in self.choices:
            return value
        self.fail(f"{value!r} is not one of {', '.join(self.choices)}", param, ctx)

    def shell_complete(self, ctx, param, incomplete):
        return [_item(c) for c in self.choices if c.startswith(incomplete)]
