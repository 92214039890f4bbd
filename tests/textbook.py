"""The textbook corpus (tests/textbook_corpus.txt) read by SymPy, and the size measure of a printed formula.

Shared by tests/test_textbook.py and tests/bench/bench_textbook.py. Nothing of dcalc is used here: SymPy reads the
book's answers, the functions and dcalc's printed derivatives as text (a small tokenizer turns implicit
multiplication and `^` into Python syntax).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from statistics import median

import sympy as sp

CORPUS = Path(__file__).with_name("textbook_corpus.txt")
_TOKEN = re.compile(r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_]\w*)|(?P<op>\*\*|\S))")
NAMES = {"ln": sp.log, "log": sp.log, "exp": sp.exp, "sqrt": sp.sqrt, "cbrt": sp.cbrt, "abs": sp.Abs,
         "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "sec": sp.sec, "csc": sp.csc, "cot": sp.cot,
         "asin": sp.asin, "acos": sp.acos, "atan": sp.atan, "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh,
         "sech": sp.sech, "asinh": sp.asinh, "log10": lambda a: sp.log(a, 10), "log2": lambda a: sp.log(a, 2),
         "hypot": lambda a, b: sp.sqrt(a ** 2 + b ** 2), "pi": sp.pi, "e": sp.E}
POINTS = [0.37, 0.71, 1.3, 2.2, 3.7, -0.45, -1.6, -2.9, 0.13, 5.1]


def tokens(text: str) -> list[str]:
    return [m.group(m.lastgroup) for m in _TOKEN.finditer(text.strip())]


def size(text: str) -> int:
    """The size of a printed formula: its tokens (numbers, names, operators, parentheses, commas), with `**` counted
    as `^` and a multiplication sign not counted, so `2x` and `2*x` are the same size: the same measure for dcalc,
    the book and SymPy."""
    return sum(1 for t in tokens(text) if t != "*")


def python_text(text: str) -> str:
    """`2x` → `2*x`, `(a)(b)` → `(a)*(b)`, `^` → `**`."""
    out, prev = [], None
    for m in _TOKEN.finditer(text.strip()):
        kind = m.lastgroup
        tok = m.group(kind)
        if (prev == "num" and (kind == "name" or tok == "(")) or (prev == ")" and (tok == "(" or kind == "name")):
            out.append("*")
        out.append("**" if tok == "^" else tok)
        prev = kind if kind != "op" else tok
    return "".join(out)


def read(text: str, variable: sp.Symbol):
    return sp.sympify(python_text(text), locals=dict(NAMES, **{str(variable): variable}))


def problems() -> list[tuple[str, str, str]]:
    """(source, function, answer) for each line of the corpus."""
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            source, f, answer = (part.strip() for part in line.split("|"))
            rows.append((source, f, answer))
    return rows


def variable_of(f: str) -> sp.Symbol:
    names = {t for t in tokens(f) if re.fullmatch(r"[A-Za-z_]\w*", t) and t not in NAMES}
    assert len(names) == 1, (f, names)
    return sp.Symbol(names.pop(), real=True)


def points(reference, variable, count: int = 4) -> list[float]:
    """Points where the reference derivative is a finite real number."""
    out = []
    for p in POINTS:
        try:
            v = complex(reference.subs(variable, p).evalf(30))
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if math.isfinite(v.real) and abs(v.imag) < 1e-12:
            out.append(p)
        if len(out) == count:
            break
    return out


def agrees(text: str, reference, variable, at: list[float]) -> bool:
    got = read(text, variable)
    for p in at:
        want = complex(reference.subs(variable, p).evalf(30))
        have = complex(got.subs(variable, p).evalf(30))
        if not abs(have - want) <= 1e-9 * max(1.0, abs(want)):
            return False
    return True


def measure(diff) -> list[dict]:
    """Each problem: dcalc's answer (`diff(f)`), the book's, SymPy's simplify(diff(f)), their sizes, and whether
    dcalc's and the book's agree with SymPy's derivative at the points."""
    rows = []
    for source, f, answer in problems():
        x = variable_of(f)
        reference = sp.diff(read(f, x), x)
        at = points(reference, x)
        ours = diff(f)
        simplified = sp.simplify(reference)
        sympy_text = str(simplified).replace("**", "^").replace("log(", "ln(")
        rows.append({"source": source, "f": f, "book": answer, "dcalc": ours, "sympy": sympy_text,
                     "points": at, "book_ok": agrees(answer, reference, x, at), "dcalc_ok": agrees(ours, reference, x, at),
                     "size_book": size(answer), "size_dcalc": size(ours), "size_sympy": size(sympy_text)})
    return rows


def ratios(rows: list[dict]) -> tuple[float, float]:
    """The share of problems where dcalc's answer is no larger than the book's, and the median of dcalc's size over
    SymPy's simplify(diff(…))."""
    no_larger = sum(r["size_dcalc"] <= r["size_book"] for r in rows) / len(rows)
    return no_larger, median(r["size_dcalc"] / r["size_sympy"] for r in rows)
