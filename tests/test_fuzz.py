"""Fuzzing: whatever text arrives, dcalc gives a result or an `error:` with its exit code; never a traceback, never a hang.

Inputs come from the real grammar (hypothesis.extra.lark), from mutations of valid programs, and from random text and
bytes. Every input goes through the library (`parse` returns an AST or raises DcalcError; lowering, values and the
gradient likewise) and through `dcalc.app.main` in-process for every command; a sample goes through the installed
`dcalc` process. Crashes found once stay in tests/fuzz_regressions.txt.

The run is bounded (deterministic under CI=1). A long run: `python tests/bench/fuzz_long.py [EXAMPLES]`, or set
DCALC_FUZZ_EXAMPLES=N for any pytest run of this file.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

import dcalc
from dcalc.app import app
from dcalc.core.ops import FUNCTION_NAMES
from dcalc.errors import DcalcError
from dcalc_proc import call, error_text, run

LONG = int(os.environ.get("DCALC_FUZZ_EXAMPLES", "0"))  # the long run on demand; 0: the bounded run
fuzz = settings(max_examples=LONG or 60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
sampled = settings(max_examples=max(LONG // 50, 6), deadline=None, suppress_health_check=list(HealthCheck))

REGRESSIONS = Path(__file__).with_name("fuzz_regressions.txt")


def regressions() -> list[str]:
    """tests/fuzz_regressions.txt: one JSON string per line (escapes keep NULs, CRs and bad surrogates readable)."""
    lines = REGRESSIONS.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]


# ----------------------------------------------------------------------------------------------------------------
# Strategies

# Extra ways for a rule to stop recursing, as (rule line, its non-recursive alternative, copies). from_lark picks an
# alternative uniformly, and with the real rules a subtree holds more than one nested subtree on average: the trees
# grow until hypothesis gives up on them. Copies of the stopping alternative (helper rules, one copy each) make
# trees small and quick to draw, without adding anything to the language.
STOPS = [("?sum: product", "product", 3), ("?product: unary", "unary", 4), ("?atom: NUMBER", "NUMBER", 3),
         ("?atom: NUMBER", "NAME", 3)]


@lru_cache(maxsize=1)
def generation_grammar():
    """The real grammar, rewritten for generation only (every text it makes is still dcalc): comments only before a
    newline (an ignored comment drawn mid-line would hide the rest), at least one statement per program, whitespace
    only where IMPLICIT is drawn as space (seeds and mutations bring the rest), and the STOPS above. Earley, because
    the copies make the grammar ambiguous; it only generates."""
    from lark import Lark
    text = resources.files("dcalc.grammar").joinpath("dcalc.lark").read_text(encoding="utf-8")
    edits = [("%ignore COMMENT\n", ""), ("%ignore WS\n", ""),
             ("SEP: /[;\\n]/", 'SEP: ";" | /\\n/ | COMMENT /\\n/')]
    for k, (line, alternative, copies) in enumerate(STOPS):
        helpers = [f"_stop{k}_{i}" for i in range(copies)]
        edits.append((line, line + "".join(f" | {h}" for h in helpers)))
        text += "".join(f"{h}: {alternative}\n" for h in helpers)
    for old, new in edits:
        assert old in text, f"dcalc.lark changed ({old!r} is gone): update generation_grammar"
        text = text.replace(old, new, 1)
    text = re.sub(r"(?m)^start: .*$", "start: stmt (SEP+ stmt)* SEP*", text)
    return Lark(text, parser="earley", lexer="basic")


_LETTERS = "abcxyzXY_"
NAMES = st.one_of(st.sampled_from(FUNCTION_NAMES + ["x", "y", "z", "pi", "e", "f", "a", "b"]),
                  st.builds(str.__add__, st.sampled_from(_LETTERS), st.text(_LETTERS + "019", max_size=4)))
NUMBERS = st.one_of(st.integers(0, 10**6).map(str), st.floats(0, 1e6).map(repr),
                    st.sampled_from(["0", "1", "2", "0.5", ".5", "1.", "1e308", "1e309", "5e-324", "1e-400", "9" * 400,
                                     "6.02E23", "1e-3"]),
                    st.from_regex(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", fullmatch=True))  # \d: any Unicode digit
TERMINALS = {"IMPLICIT": st.sampled_from(["", " ", "\t", " \r"]), "NAME": NAMES, "NUMBER": NUMBERS}


@lru_cache(maxsize=1)
def programs():
    return from_lark(generation_grammar(), start="start", explicit=TERMINALS)


@lru_cache(maxsize=1)
def expressions():
    return from_lark(generation_grammar(), start="expr", explicit=TERMINALS)


SEEDS = ["2x^2 + sin(pi/2)", "ln(x1) + x1*x2 - sin(x2)", "sin(x + x^2)", "a = x^2\nb = a*y; a + b  # done",
         "f(a, b) = a*b + 1; f(x, 2)", "atan2(y, x) + hypot(x, y) - log(x, 2)", "(x+1)(x-1) / 3sin(x)",
         "-x^2 + 2^-1 + 2^3^2 ** x", "abs(x) + sqrt(x) + cbrt(-x) + pow(x, y)", "π*e*.5e-3*6.02E23"]
NASTY = list("()^*+-/,;=#.\n\r\t\0 eE9πé·\u00a0\u2212\ufeff\ud800") + ["**", "((", "))", "sin(", "1e", "x=", ",,"]


@st.composite
def mutations(draw):
    """A valid program with a few edits: a character range deleted, duplicated or replaced with something nasty."""
    text = draw(st.one_of(st.sampled_from(SEEDS), programs()))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 8)))
        kind = draw(st.sampled_from(["delete", "insert", "duplicate", "replace", "truncate"]))
        if kind == "delete":
            text = text[:i] + text[j:]
        elif kind == "insert":
            text = text[:i] + draw(st.sampled_from(NASTY)) + text[i:]
        elif kind == "duplicate":
            text = text[:j] + text[i:j] * draw(st.integers(1, 50)) + text[j:]
        elif kind == "replace":
            text = text[:i] + draw(st.sampled_from(NASTY)) + text[j:]
        else:
            text = text[:i]
    return text


def anything():
    return st.one_of(programs(), expressions(), mutations(), st.text(max_size=60),
                     st.text(alphabet="".join(set(NASTY) - {"\ud800"}) + "xy12", max_size=40))


# ----------------------------------------------------------------------------------------------------------------
# The invariants

def library_holds(text: str) -> None:
    """Parse, lower, value and gradient: each gives its result or raises DcalcError; nothing else escapes."""
    try:
        graph = dcalc.compile(text)
        point = {name: 0.5 for name in graph.inputs}
        dcalc.evaluate(graph, point)
        if graph.inputs:
            dcalc.gradient(graph, point)
    except DcalcError as e:
        assert isinstance(e.message, str) and e.message, repr(e)
        assert e.exit_code in (1, 2, 3)


# Options each command is also tried with; one set per input, picked by a hash of the text (cheap and repeatable).
VARIANTS = {"grad": [["--json"], [], ["--hessian", "--json"], ["--order", "2"], ["--digits", "3"]],
            "trace": [["--format", f, "--mode", m] for f in ("text", "json", "latex", "dot", "mermaid")
                      for m in ("forward", "reverse")],
            "diff": [[], ["--format", "latex"], ["--order", "2"], ["--order", "3", "--at", "0.5"]],
            "check": [[], ["--json"]]}


def commands_for(text: str, every_variant: bool = False) -> list[list[str]]:
    """Every command of the app run on `text` from stdin, at 0.5 for each input when the text compiles; each with one
    set of VARIANTS (or all of them)."""
    try:
        inputs = dcalc.compile(text).inputs
    except DcalcError:
        return [["eval", "-"], ["grad", "-", "--at", "1"]]
    at = ["--at", ",".join(f"{n}=0.5" for n in inputs)] if inputs else []
    pick = zlib.crc32(text.encode("utf-8", "surrogatepass"))

    def variants(command):
        options = VARIANTS[command]
        return options if every_variant else [options[pick % len(options)]]
    argvs = [["eval", "-", *at]] + [["grad", "-", *at, *v] for v in variants("grad")]
    registered = {c.name or c.callback.__name__ for c in app.registered_commands}
    if "diff" in registered and len(inputs) == 1:
        argvs += [["diff", "-", *v] for v in variants("diff")]
    if "trace" in registered and at and len(inputs) == 1:
        argvs += [["trace", "-", *at, *v] for v in variants("trace")]
    if "check" in registered and at:
        argvs += [["check", "-", *at, *v] for v in variants("check")]
    return argvs


def cli_holds(text: str, every_variant: bool = False) -> None:
    """Every command: exit 0-3, and a failure says `error: …` on stderr; never a traceback, never exit 70."""
    data = text.encode("utf-8", "surrogatepass")
    for argv in commands_for(text, every_variant):
        code, _, err = call(argv, data)
        err = error_text(err)  # the --json runs write their errors as JSON
        assert code in (0, 1, 2, 3), (argv, code, err[-3000:])
        assert "Traceback" not in err, err
        if code:  # notes on how the text was read (issue 14) may come first
            assert err.startswith("error: ") or err.startswith("note: ") and "\nerror: " in err, (argv, err[:500])


def holds(text: str, every_variant: bool = False) -> None:
    library_holds(text)
    cli_holds(text, every_variant)


# ----------------------------------------------------------------------------------------------------------------
# The bounded run (the long one: DCALC_FUZZ_EXAMPLES)

@fuzz
@given(programs())
def test_grammar_programs(text):
    holds(text)


@fuzz
@given(expressions())
def test_grammar_expressions(text):
    holds(text)


@fuzz
@given(mutations())
def test_mutated_programs(text):
    holds(text)


@fuzz
@given(st.text())
def test_random_text(text):
    holds(text)


@fuzz
@given(st.binary())
@example(b"\xff\xfe")
@example(b"1+\x80")
@example(b"\xef\xbb\xbfx")
@example(b"\x00")
@example(b"\xed\xa0\x80")
def test_random_bytes_on_stdin(data):
    """Bytes that are not UTF-8 are a usage error (exit 2), whatever the command."""
    for argv in (["eval", "-"], ["grad", "-", "--at", "1"]):
        code, _, err = call(argv, data)
        assert code in (0, 1, 2, 3) and "Traceback" not in err, (code, err)
        if code:
            assert err.startswith("error: ")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            assert code == 2 and "not UTF-8" in err, err


POINT_PIECES = st.sampled_from(["x", "y", "=", ",", "1", "-2.5", "pi/4", "(", ")", "atan2(1, 2)", " ", "1e999", "z",
                                "9^9^9", "x=", "=1", ",,", "nan", "inf", "\0", "é"])


@fuzz
@given(st.one_of(st.text(max_size=20), st.lists(POINT_PIECES, max_size=8).map("".join)), st.text(max_size=8))
def test_random_option_values(text, names):
    """--at, --direction and --wrt values are user text too."""
    for argv in (["eval", "x*y", f"--at={text}"], ["grad", "x", f"--at={text}"],
                 ["grad", "x*y", "--at=x=1,y=2", f"--wrt={names or text}"],
                 ["grad", "x*y", "--at=x=1,y=2", f"--direction={text}"], ["eval", "x", f"--digits={names}"]):
        code, _, err = call(argv)
        assert code in (0, 1, 2, 3) and "Traceback" not in err, (argv, code, err)
        if code:
            assert err.startswith("error: "), (argv, err)


@pytest.mark.parametrize("text", regressions(), ids=lambda t: repr(t)[:40])
def test_regressions(text):
    holds(text, every_variant=True)


# ----------------------------------------------------------------------------------------------------------------
# A sample through the real process: exit code, stderr, no traceback, under 2 s of CPU

@sampled
@given(anything())
def test_through_the_installed_dcalc(text):
    data = text.encode("utf-8", "surrogatepass")
    for args in (["eval", "-"], ["grad", "-", "--at", "0.5"]):
        run(*args, stdin=data, timeout=30).assert_contract(cpu_limit=2.0)


def test_regressions_through_the_installed_dcalc():
    for text in regressions()[:8]:
        run("eval", "-", stdin=text.encode("utf-8", "surrogatepass"), timeout=30).assert_contract(cpu_limit=2.0)
