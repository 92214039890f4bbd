"""Code out: a function computing a derivative and the value, in Python, NumPy, C or JavaScript (`dcalc diff
--format python|numpy|c|js`).

First derivatives come from the graph, as `dcalc grad` computes them: one local per node (the value sweep), then the
adjoints from the output back (ū = Σ over readers v of v̄·∂v/∂u, the table's partial rules as written, in the forms
that neither overflow nor cancel), so one function gives the value and the derivative, or the whole gradient. Higher
and mixed derivatives come from the simplified derivative (symbolic/formulas.py) and the value, one DAG: one local per
distinct node. How a language spells each op is in the primitive table (ops.CODE); a function a language lacks is a
helper defined from the table's formula for it (ops.CODE_FORMULAS) or written out there (ops.CODE_SOURCE). No text of
the input is ever evaluated: the code is printed from the graph, and names are kept only when they are not words of
the language.
"""

from __future__ import annotations

import math
import re

from ..core.graph import Graph, postorder, reach
from ..core.ops import CODE, CODE_FORMULAS, CODE_SOURCE, OPS
from ..core.printing import UNARY, assemble
from ..errors import UsageError
from ..language.expr import CONSTANTS, Apply, Const, Num, Var, wrap

LANGUAGES = ("python", "numpy", "c", "js")
_INFIX = {"add", "sub", "mul", "div", "neg"}  # written alike, with the same precedence, in every language
FUNCTION = "f"  # the generated function's name

_PYTHON_WORDS = {"False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
                 "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
                 "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
                 "math", "np", "abs"}
_C_WORDS = {"auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
            "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short",
            "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile",
            "while", "bool", "true", "false", "alignas", "alignof", "static_assert", "thread_local", "nullptr",
            "typeof", "constexpr", "asm", "fortran", "errno", "math_errhandling", "INFINITY", "NAN", "HUGE_VAL",
            "HUGE_VALF", "HUGE_VALL", "main"}
_C_MACRO = re.compile(r"_[A-Z_].*|(M|FP|MATH)_[A-Z0-9_]*")  # reserved to the implementation, or math.h's macros
_JS_WORDS = {"break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else",
             "enum", "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof",
             "new", "null", "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void",
             "while", "with", "yield", "let", "static", "implements", "interface", "package", "private", "protected",
             "public", "await", "arguments", "eval", "undefined", "NaN", "Infinity", "Math", "async", "of"}

class _Lang:
    """What differs between the languages: words, spellings, literals and the shape of statements."""

    def __init__(self, name: str):
        self.name = name
        self.py = name in ("python", "numpy")
        self.helper_prefix = "_" if self.py else "dcalc_"

    def reserved(self, name: str) -> bool:
        if self.py:
            return name in _PYTHON_WORDS
        if self.name == "c":
            return name in _C_WORDS or bool(_C_MACRO.fullmatch(name))
        return name in _JS_WORDS

    def spelling(self, op: str) -> str | None:
        """The language's own function for op, or None."""
        if self.name == "numpy":
            numpy = OPS[op].numpy
            return f"np.{numpy}" if numpy else None
        entry = CODE.get(op)
        if entry is None:
            raise KeyError(op)
        return entry[("python", "c", "js").index(self.name)]

    def number(self, v: float) -> str:
        if math.isnan(v):
            return {"python": "math.nan", "numpy": "np.nan", "c": "NAN", "js": "NaN"}[self.name]
        if math.isinf(v):
            text = {"python": "math.inf", "numpy": "np.inf", "c": "INFINITY", "js": "Infinity"}[self.name]
            return text if v > 0 else "-" + text
        return repr(v)  # shortest round trip, always with a '.' or an exponent: a double in C too

    def constant(self, name: str) -> str:
        if self.name == "js":
            return {"pi": "Math.PI", "e": "Math.E"}[name]
        if self.py:
            return f"{'math' if self.name == 'python' else 'np'}.{name}"
        return repr(CONSTANTS[name])

    def comment(self, text: str) -> str:
        return ("# " if self.py else "// ") + text


class _Names:
    """Names in the generated code: a variable keeps its name unless the language reserves it or it is taken."""

    def __init__(self, lang: _Lang):
        self.lang, self.taken = lang, set()

    def take(self, wanted: str) -> str:
        name = wanted
        if self.lang.name == "c" and _C_MACRO.fullmatch(name):
            name = "v" + name
        while self.lang.reserved(name) or name in self.taken:
            name += "_"
        self.taken.add(name)
        return name


class _Code:
    """The statements of one function, printed in one language, and the helpers they call."""

    def __init__(self, lang: _Lang, names: _Names):
        self.lang, self.names = lang, names
        self.helpers: dict[str, str] = {}  # op → helper name, in order of first use
        self.lines: list[str] = []
        self.declared: set[str] = set()

    def text(self, e) -> str:
        """An expression over locals, numbers and constants in the language, with the fewest parentheses that keep
        its evaluation order (a + (b + c) keeps its own: floating-point addition is not associative)."""
        lang = self.lang

        def leaf(x, need):
            if isinstance(x, Num):
                text = lang.number(x.value)
                return f"({text})" if text.startswith("-") and need > UNARY else text
            return lang.constant(x.name) if isinstance(x, Const) else x.name

        def pieces(x, need):
            op = OPS[x.op]
            if x.op not in _INFIX:  # a function, or an operator a language may spell otherwise (^): ops.CODE
                parts: list = [self.call(x.op) + "("]
                for k, a in enumerate(x.args):
                    parts += [", "] if k else []
                    parts.append((a, 0))
                return parts + [")"]
            if op.arity == 1:
                body = [op.symbol, (x.args[0], UNARY + 1)]  # -(-a), never --a
            else:
                body = [(x.args[0], op.prec), f" {op.symbol} ", (x.args[1], op.prec + 1)]
            return ["(", *body, ")"] if op.prec < need else body
        return assemble(e, leaf, pieces)

    def call(self, op: str) -> str:
        """The function the language computes op with: its own, or a helper (defined once, on first use)."""
        own = _own(self.lang.name, op)
        if own is not None:
            return own
        if op not in self.helpers:
            if self.lang.name not in _writers(op):
                raise _refused(op, self.lang.name)
            self.helpers[op] = self.names.take(self.lang.helper_prefix + op)
        return self.helpers[op]

    def assign(self, name: str, e, const: bool = True) -> None:
        """`name = e`: declared on first assignment (const where it is never assigned again)."""
        text = self.text(e)
        if self.lang.py or name in self.declared:
            self.lines.append(f"{name} = {text}")
        else:
            word = ("const " if const else "let ") if self.lang.name == "js" else ("const double " if const else
                                                                                    "double ")
            self.lines.append(f"{word}{name} = {text}")
        self.declared.add(name)

    def helper_source(self) -> list[str]:
        """The helpers' definitions, each from the table's formula (or its written source), in the order they were first used.
        A helper's formula may call a helper itself: definitions are taken until none is added."""
        out: list[str] = []
        done: set[str] = set()
        while len(done) < len(self.helpers):
            op = next(o for o in self.helpers if o not in done)
            done.add(op)
            out.append(self._helper(op, self.helpers[op]))
        return out

    def _helper(self, op: str, name: str) -> str:
        lang = self.lang
        params = ("a", "b")[: OPS[op].arity]
        written = CODE_SOURCE.get(op, {}).get(lang.name)
        if written is None and op not in CODE_FORMULAS:  # NumPy: the Python function over each element
            return f"{name} = np.vectorize({_Lang('python').spelling(op)}, otypes=[float])\n"
        if written is None:
            body = self.text(CODE_FORMULAS[op](*map(Var, params)))
            written = f"    return {body}\n" if lang.py else f"    return {body};\n"
        if lang.py:
            return f"def {name}({', '.join(params)}):\n{written}"
        if lang.name == "c":
            return f"static double {name}({', '.join('double ' + p for p in params)}) {{\n{written}}}\n"
        return f"function {name}({', '.join(params)}) {{\n{written}}}\n"


def _refused(op: str, language: str) -> UsageError:
    shown = {"python": "Python", "numpy": "NumPy", "c": "C", "js": "JavaScript"}[language]
    others = sorted(_writers(op))
    return UsageError(f"dcalc cannot write {op} in {shown} yet (the language has no such function); it can in "
                      f"{', '.join(others)}" if others else f"dcalc cannot write {op} as code yet, in any language")


def _writers(op: str) -> set[str]:
    """The languages that can compute op."""
    python = _own("python", op)
    if op in CODE_FORMULAS:  # a helper from the formula: where the language writes every function it calls
        params = ("a", "b")[: OPS[op].arity]
        called = {e.op for e in postorder(CODE_FORMULAS[op](*map(Var, params))) if isinstance(e, Apply)}
        formula = set(LANGUAGES).intersection(*(_writers(f) for f in called - {op} if f in CODE))
    else:
        formula = set()
    return {name for name in LANGUAGES if _own(name, op) is not None or name in formula
            or name in CODE_SOURCE.get(op, {}) or (name == "numpy" and python is not None)}


def _own(language: str, op: str) -> str | None:
    """The language's own function for op; None where it has none, or where ops.CODE does not say (a new op)."""
    try:
        return _Lang(language).spelling(op)
    except KeyError:
        return None


def writable(op: str, language: str) -> bool:
    """Whether generated code in `language` can compute op (for the tests that enumerate the table)."""
    return language in _writers(op)


# ---- the two ways to the derivative ------------------------------------------------------------------------------

def _fold(e):
    """A partial rule with its constant parts computed as the table computes them (2 - 1 is 1), the strong zero of
    the rules (0·∞ = 0: x^0 has derivative 0 at x = 0 too) and the exact identities 1·a = a, -1·a = -a."""
    from ..core.partials import interpret

    def leaf(x):
        return x

    def apply(x, parts):
        nums = [p.value for p in parts if isinstance(p, Num)]
        if x.op == "mul" and 0.0 in nums:
            return Num(0.0)
        if x.op == "mul" and len(nums) == 1 and nums[0] in (1.0, -1.0):
            other = parts[1] if isinstance(parts[0], Num) else parts[0]
            return other if nums[0] == 1.0 else _negated(other)
        if len(nums) == len(parts):
            v = OPS[x.op].value(*nums)
            if math.isfinite(v):
                return Num(v)
        return Apply(x.op, tuple(parts))
    return interpret(e, leaf, apply)


def _negated(e):
    return Num(-e.value) if isinstance(e, Num) else Apply("neg", (e,))


def _times(adjoint, partial):
    """ū·∂u/∂v without the factors that are exactly 1."""
    if isinstance(adjoint, Num) and adjoint.value == 1.0:
        return partial
    if isinstance(partial, Num) and partial.value in (1.0, -1.0):
        return adjoint if partial.value == 1.0 else _negated(adjoint)
    return Apply("mul", (adjoint, partial))


def _reverse(graph: Graph, code: _Code, local: dict[int, object], wanted: list[str], output: int | None = None,
             suffix: str = "") -> list:
    """The adjoint sweep: statements into `code`, the derivative by each of `wanted` returned (as expressions).
    A node's adjoint is complete once every reader has added its term (the readers come later in the list), so it
    is written once, as the sum of its terms in the order the reverse pass adds them. `output`: the node whose
    derivatives these are (several outputs: one sweep each, its adjoints named `x_bar_f1`)."""
    output = graph.output if output is None else output
    active = reach(graph, [x for x in wanted if x in graph.inputs])
    terms: dict[int, list] = {output: [Num(1.0)]} if active[output] else {}
    bar: dict[int, object] = {}
    for i in range(output, -1, -1):
        node = graph.nodes[i]
        if i not in terms:
            continue  # the output does not depend on it through the wanted variables
        bar[i] = g = _total(code, f"{node.name}_bar{suffix}", terms[i])
        if node.kind != "node":
            continue
        rules = [node.op.rule(k, *(local[a] for a in node.args)) for k in range(node.op.arity)]
        pairs = [(a, wrap(r)) for a, r in zip(node.args, rules) if r is not None and active[a]]
        if len(node.args) == 2 and node.args[0] == node.args[1] and len(pairs) == 2:  # x - x, x*x: one partial
            pairs = [(pairs[0][0], Apply("add", (pairs[0][1], pairs[1][1])))]
        for a, rule in pairs:
            partial = _fold(rule)
            if not (isinstance(partial, Num) and partial.value == 0.0):  # a structural zero, skipped as passes do
                terms.setdefault(a, []).append(_times(g, partial))
    index = {x: i for i, x in enumerate(graph.inputs)}
    return [bar.get(index[x], Num(0.0)) if x in index else Num(0.0) for x in wanted]


def _total(code: _Code, name: str, terms: list):
    """The sum of an adjoint's terms: a number or a local read as it is, anything else a new local."""
    if len(terms) == 1 and isinstance(terms[0], (Num, Var)):
        return terms[0]
    total = terms[0]
    for t in terms[1:]:
        total = Apply("add", (total, t))
    name = code.names.take(name)
    code.assign(name, total)
    return Var(name)


def _from_graph(graph: Graph, code: _Code, params: dict[str, str], wanted: list[str]):
    """The value sweep (one local per node, named as the trace names it), then the adjoints: (value, derivatives)."""
    local = _values(graph, code, params)
    return local[graph.output], _reverse(graph, code, local, wanted)


def _values(graph: Graph, code: _Code, params: dict[str, str]) -> dict[int, object]:
    """The value sweep: one local per node, named as the trace names it; node → what the code reads for it."""
    local: dict[int, object] = {}
    for i, node in enumerate(graph.nodes):
        if node.kind == "input":
            local[i] = Var(params[node.name])
        elif node.kind == "const":
            local[i] = Num(node.value)
            if node.name:  # a constant the user named stays a local of that name
                name = code.names.take(node.name)
                code.assign(name, local[i])
                local[i] = Var(name)
        else:
            name = code.names.take(node.name)
            code.assign(name, Apply(node.op.name, tuple(local[a] for a in node.args)))
            local[i] = Var(name)
    return local


def _from_formula(graph: Graph, code: _Code, params: dict[str, str], names: list[str]):
    """Value and derivative as one simplified DAG (symbolic/formulas.py): one local per distinct operation."""
    (v,), (d,) = _from_formulas([graph], code, params, names)
    return v, [d]


def _from_formulas(parts: list[Graph], code: _Code, params: dict[str, str], names: list[str]):
    """The values and derivatives of several graphs (the outputs of a program) as one simplified DAG: a node they
    share is one local. Returns (values, derivatives)."""
    from .formulas import differentiate, expression
    from .simplify import Simplifier
    s = Simplifier()
    ds = [differentiate(part, names, s) for part in parts]
    vs = [expression(part, s) for part in parts]
    local: dict[int, object] = {}
    count = 0
    both = Apply("pair", tuple(vs + ds))
    for e in postorder(both)[:-1]:
        if isinstance(e, Var):
            local[id(e)] = Var(params[e.name])
        elif isinstance(e, Apply):
            count += 1
            name = code.names.take(f"t{count}")
            code.assign(name, Apply(e.op, tuple(local[id(a)] for a in e.args)))
            local[id(e)] = Var(name)
        else:
            local[id(e)] = e
    return [local[id(v)] for v in vs], [local[id(d)] for d in ds]


# ---- the function -------------------------------------------------------------------------------------------------

def generate(graph: Graph, names: list[str] | None, language: str, about: str) -> str:
    """The source of a function of the free variables returning the value and the derivative.

    `names`: the variables in the order of differentiation (diff's --wrt, one per order), or None for the gradient
    by every free variable. One name: the first derivative; two or more: that higher or mixed derivative. `about`
    is the command that made it, for the heading comment."""
    lang = _Lang(language)
    taken = _Names(lang)
    function = taken.take(FUNCTION)
    params = {x: taken.take(x) for x in graph.inputs}
    out_name = taken.take("grad" if names is None else "deriv") if language == "c" else ""
    code = _Code(lang, taken)
    gradient = names is None
    if names is None or len(names) <= 1:
        value, derivs = _from_graph(graph, code, params, list(graph.inputs) if names is None else names)
        if names == []:  # a constant: its derivative by any variable is 0
            derivs = [Num(0.0)]
    else:
        value, derivs = _from_formula(graph, code, params, names)
    what = _what(graph, names)
    return _function(code, lang, function, [params[x] for x in graph.inputs], value, derivs, gradient, out_name,
                     what, about)


def generate_several(graph: Graph, names: list[str] | None, language: str, about: str) -> str:
    """A program of several outputs (`r*cos(t), r*sin(t)`): one function returning every output's value and
    derivative. `names` None: the Jacobian (one row per output, one column per free variable); else each output's
    derivative by `names` as for one output. The values are computed once for all outputs (a node they share is one
    local); the first derivatives by one adjoint sweep per output (its adjoints named `x_bar_f1`)."""
    lang = _Lang(language)
    taken = _Names(lang)
    function = taken.take(FUNCTION)
    params = {x: taken.take(x) for x in graph.inputs}
    out_names = [taken.take(n) for n in ("value", "jac" if names is None else "deriv")] if language == "c" else []
    code = _Code(lang, taken)
    labels = list(graph.labels)
    if names is None or len(names) <= 1:
        wanted = list(graph.inputs) if names is None else names
        local = _values(graph, code, params)
        values = [local[o] for o in graph.outputs]
        if names == []:  # a constant program: its derivatives by any variable are 0
            rows = [[Num(0.0)] for _ in labels]
        else:
            rows = [_reverse(graph, code, local, wanted, o, "_" + label)
                    for o, label in zip(graph.outputs, labels)]
    else:
        values, ds = _from_formulas([graph.part(k) for k in range(len(labels))], code, params, names)
        rows = [[d] for d in ds]
    what = (f"their Jacobian: a row per output, a column per variable ({', '.join('d/d' + x for x in graph.inputs)})"
            if names is None else _what(graph, names) + " of each")
    return _function_several(code, lang, function, [params[x] for x in graph.inputs], labels, values, rows,
                             names is None, out_names, what, about)


def _function_several(code: _Code, lang: _Lang, function: str, params: list[str], labels: list[str], values: list,
                      rows: list[list], jacobian: bool, out_names: list[str], what: str, about: str) -> str:
    vtexts = [code.text(v) for v in values]
    dtexts = [[code.text(d) for d in row] for row in rows]
    m, n = len(vtexts), len(dtexts[0])
    outputs = ", ".join(labels)
    head = [lang.comment(line) for line in (f"generated by {_plain(about)}",
                                            f"{function}({', '.join(params)}) returns the values of {outputs}, in "
                                            f"this order, and {what}")]
    helpers = code.helper_source()
    body = ["    " + line + ("" if lang.py else ";") for line in code.lines]

    def seq(items, left, right):
        return f"{left}{', '.join(items)}{',' if len(items) == 1 and left == '(' else ''}{right}"
    if lang.py or lang.name == "js":
        left, right = ("(", ")") if lang.py else ("[", "]")
        derivs = [seq(row, left, right) for row in dtexts] if jacobian else [row[0] for row in dtexts]
        result = f"{seq(vtexts, left, right)}, {seq(derivs, left, right)}"
    if lang.py:
        imports = ["import math"] if lang.name == "python" else ["import math", "import numpy as np"] if any(
            "math." in h for h in helpers) else ["import numpy as np"]
        fn = [f"def {function}({', '.join(params)}):", *body, f"    return {result}"]
        return "\n".join(head + [""] + imports + ["", ""] + [h + "\n" for h in helpers] + fn) + "\n"
    if lang.name == "c":
        value, deriv = out_names
        sig = ", ".join([f"double {p}" for p in params] + [f"double *{value}", f"double *{deriv}"])
        writes = [f"    {value}[{k}] = {t};" for k, t in enumerate(vtexts)]
        writes += [f"    {deriv}[{i * n + j}] = {t};" for i, row in enumerate(dtexts) for j, t in enumerate(row)]
        where = (f"{deriv}[i*{n} + j] (output i, variable j)" if jacobian else f"{deriv}[0..{m - 1}]")
        head.append(lang.comment(f"(the values are written to {value}[0..{m - 1}], the derivatives to {where})"))
        fn = [f"void {function}({sig}) {{", *body, *writes, "}"]
        return "\n".join(head + ["", "#include <math.h>", ""] + helpers + fn) + "\n"
    fn = [f"function {function}({', '.join(params)}) {{", *body, f"    return [{result}];", "}"]
    return "\n".join(head + [""] + helpers + fn) + "\n"


def _what(graph: Graph, names: list[str] | None) -> str:
    if names is None:
        return f"the gradient ({', '.join('d/d' + x for x in graph.inputs)})"
    if not names:
        return "the derivative (0: the expression is a constant)"
    if len(names) == 1:
        return f"the derivative d/d{names[0]}"
    by = f"d{names[0]}^{len(names)}" if len(set(names)) == 1 else "".join(f"d{x}" for x in reversed(names))
    return f"the derivative d^{len(names)}/{by} (taken {', '.join(names)} in this order)"


def _function(code: _Code, lang: _Lang, function: str, params: list[str], value, derivs, gradient: bool,
              out_name: str, what: str, about: str) -> str:
    vtext, dtexts = code.text(value), [code.text(d) for d in derivs]
    head = [lang.comment(line) for line in (f"generated by {_plain(about)}", f"{function}({', '.join(params)}) returns the "
                                            f"value and {what}")]
    helpers = code.helper_source()
    body = ["    " + line + ("" if lang.py else ";") for line in code.lines]
    if lang.py:
        result = f"({', '.join(dtexts)}{',' if len(dtexts) == 1 else ''})" if gradient else dtexts[0]
        imports = ["import math"] if lang.name == "python" else ["import math", "import numpy as np"] if any(
            "math." in h for h in helpers) else ["import numpy as np"]
        fn = [f"def {function}({', '.join(params)}):", *body, f"    return {vtext}, {result}"]
        return "\n".join(head + [""] + imports + ["", ""] + [h + "\n" for h in helpers] + fn) + "\n"
    if lang.name == "c":
        sig = ", ".join([f"double {p}" for p in params] + [f"double *{out_name}"])
        writes = ([f"    {out_name}[{k}] = {t};" for k, t in enumerate(dtexts)] if gradient else
                  [f"    *{out_name} = {dtexts[0]};"])
        where = (f"{out_name}[0..{len(dtexts) - 1}]" if gradient else f"*{out_name}")
        head.append(lang.comment(f"(the value is returned, the derivative written to {where})"))
        fn = [f"double {function}({sig}) {{", *body, *writes, f"    return {vtext};", "}"]
        return "\n".join(head + ["", "#include <math.h>", ""] + helpers + fn) + "\n"
    result = f"[{', '.join(dtexts)}]" if gradient else dtexts[0]
    fn = [f"function {function}({', '.join(params)}) {{", *body, f"    return [{vtext}, {result}];", "}"]
    return "\n".join(head + [""] + helpers + fn) + "\n"


def _plain(text: str, n: int = 160) -> str:
    """Text safe inside a one-line comment of every language: one line, no backslash (a C line splice), no control
    or line-separator character, at most n characters."""
    text = "".join(ch if ch.isprintable() and ch != "\\" else " " for ch in " ".join(text.split()))
    return text if len(text) <= n else text[:n] + "…"
