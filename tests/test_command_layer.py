"""The command layer's boundary: the engine raises errors that carry data and never words them with command-line
flags; only dcalc/commands words them, and the CLI's text is what it always was. The engine never imports the command
layer. Errors → exit codes in one place, the argument parser's errors recognised by class."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import dcalc
from dcalc.app import main
from dcalc.commands import exits, options
from dcalc.errors import DcalcError, MissingVariables, NoSuchVariable, ReverseKink, WrtNeeded

PACKAGE = Path(dcalc.__file__).parent
FRONT_ENDS = {"app.py", "launch.py", "__main__.py"}  # with commands/: the command line


def _engine_modules() -> list[Path]:
    """Every module but the command line's: the engine packages, output/ and the API (__init__.py)."""
    return sorted(p for p in PACKAGE.rglob("*.py")
                  if p.relative_to(PACKAGE).parts[0] != "commands" and p.relative_to(PACKAGE).as_posix() not in FRONT_ENDS)


def test_the_engine_modules_are_found():
    names = {p.relative_to(PACKAGE).as_posix() for p in _engine_modules()}
    assert {"__init__.py", "errors.py"} <= names and len(names) > 20
    assert not any(n.startswith("commands/") or n in FRONT_ENDS for n in names)


def _docstrings(tree: ast.AST) -> set[int]:
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body
            and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}


FLAG = re.compile(r"--[a-z]")


@pytest.mark.parametrize("path", _engine_modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_engine_string_names_a_flag(path):
    """Grep-style over the string literals (f-string pieces included, docstrings left out) of every engine module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    flags = [(node.lineno, node.value) for node in ast.walk(tree) if isinstance(node, ast.Constant)
             and isinstance(node.value, str) and id(node) not in skip and FLAG.search(node.value)]
    assert flags == []


def test_the_flag_grep_can_fail():
    tree = ast.parse('def f():\n    """--at in a docstring is fine"""\n    raise ValueError(f"give it with --at {x}")\n')
    skip = _docstrings(tree)
    assert [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and id(n) not in skip and FLAG.search(n.value)] == ["give it with --at "]


def _imports(path: Path, text: str | None = None) -> set[str]:
    """The dcalc modules a module imports, at the top or lazily inside a function, as dotted names."""
    package = ["dcalc", *path.relative_to(PACKAGE).parent.parts]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8") if text is None else text)):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            out.add(module)
            out.update(f"{module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {m for m in out if m.split(".")[0] == "dcalc"}


@pytest.mark.parametrize("path", [p for p in _engine_modules() if p.name != "__init__.py" or p.parent != PACKAGE],
                         ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_the_engine_never_imports_the_command_layer(path):
    """Imports point down: no engine module reaches up into dcalc.commands or dcalc.app, not even lazily. (The API,
    dcalc/__init__.py, is a front end beside the command line: it reads point values as --at does.)"""
    up = {m for m in _imports(path) if m.startswith(("dcalc.commands", "dcalc.app", "dcalc.launch"))}
    assert up == set()


def test_the_import_reader_sees_lazy_relative_imports():
    lazy = "def f():\n    from ..commands.options import example\n"
    assert "dcalc.commands.options" in _imports(PACKAGE / "core" / "x.py", lazy)
    assert "dcalc.commands.options" in _imports(PACKAGE / "x.py", "from .commands import options\n")
    assert _imports(PACKAGE / "x.py", "import os\nfrom .errors import DcalcError\n") == {"dcalc.errors",
                                                                                         "dcalc.errors.DcalcError"}


# ---- engine errors through the API: data, and no flags -----------------------------------------------------------

API_ERRORS = [
    ("missing", lambda: dcalc.evaluate("x + y", {"x": 1}), MissingVariables),
    ("missing several", lambda: dcalc.gradient("x + y*z", {}), MissingVariables),
    ("missing, typo", lambda: dcalc.evaluate("x + 1", {"xx": 1}), MissingVariables),
    ("derivative missing", lambda: dcalc.derivative("x", {}), MissingVariables),
    ("trace missing", lambda: dcalc.trace("x*y", {"x": 1}, mode="reverse"), MissingVariables),
    ("diff which variable", lambda: dcalc.diff("x*y"), WrtNeeded),
    ("diff order", lambda: dcalc.diff("x*y", order=2), WrtNeeded),
    ("trace which variable", lambda: dcalc.trace("x*y", {"x": 1, "y": 2}), WrtNeeded),
    ("trace unread wrt", lambda: dcalc.trace("x*y", {"x": 1, "y": 2}, "z"), NoSuchVariable),
    ("trace reverse kink", lambda: dcalc.trace("x*abs(y)*y", {"x": 1, "y": 0}, mode="reverse"), ReverseKink),
    ("derivative which variable", lambda: dcalc.derivative("x*y", {"x": 1, "y": 2}), DcalcError),
    ("bad point value", lambda: dcalc.evaluate("x", {"x": "1;2"}), DcalcError),
    ("point value reads a variable", lambda: dcalc.evaluate("x", {"x": "y"}), DcalcError),
    ("wrt a constant", lambda: dcalc.derivative("x", {"x": 1}, "pi"), DcalcError),
    ("syntax", lambda: dcalc.compile("2+*3"), DcalcError),
    ("unknown function", lambda: dcalc.compile("sine(x)"), DcalcError),
    ("domain", lambda: dcalc.evaluate("ln(x)", {"x": 0}), DcalcError),
    ("not differentiable", lambda: dcalc.gradient("abs(x)", {"x": 0}), DcalcError),
    ("diff order too high", lambda: dcalc.diff("x", order=10 ** 6), DcalcError),
    ("bad mode", lambda: dcalc.trace("x", {"x": 1}, mode="sideways"), DcalcError),
]


@pytest.mark.parametrize("call, kind", [c[1:] for c in API_ERRORS], ids=[c[0] for c in API_ERRORS])
def test_api_errors_name_no_flag(call, kind):
    with pytest.raises(kind) as info:
        call()
    assert "--" not in str(info.value) and "--" not in info.value.message, info.value.message


def test_missing_variables_carry_their_names():
    with pytest.raises(MissingVariables) as info:
        dcalc.gradient("x + y*z", {"y": 1})
    e = info.value
    assert (e.names, e.inputs, e.near, e.message) == (["x", "z"], ["x", "y", "z"], None,
                                                        "no value for the free variable 'x'")
    with pytest.raises(MissingVariables) as info:
        dcalc.evaluate("x + 1", {"xx": 1})
    assert info.value.near == "xx"
    assert info.value.message == "no value for the free variable 'x' (did you mean 'x' instead of 'xx'?)"


def test_the_other_kinds_carry_their_data():
    with pytest.raises(WrtNeeded) as info:
        dcalc.diff("x*y")
    assert (info.value.inputs, info.value.reverse) == (["x", "y"], False)
    assert info.value.message == "say which variable to differentiate by (the variables: x, y)"
    with pytest.raises(WrtNeeded) as info:
        dcalc.trace("x*y", {"x": 1, "y": 2})
    assert (info.value.inputs, info.value.reverse) == (["x", "y"], True)
    with pytest.raises(NoSuchVariable) as info:
        dcalc.trace("x*y", {"x": 1, "y": 2}, "z")
    assert (info.value.name, info.value.inputs) == ("z", ["x", "y"])
    assert info.value.message == "the expression has no variable 'z'; its variables: x, y"
    with pytest.raises(ReverseKink) as info:
        dcalc.trace("x*abs(y)*y", {"x": 1, "y": 0}, mode="reverse")
    assert info.value.node_name == "u1" and info.value.exit_code == 1


# ---- the command layer words them with flags (the CLI's text as it always was) ------------------------------------

@pytest.mark.parametrize("error, text", [
    (MissingVariables(["y"], ["x", "y"]), "no value for the free variable 'y' (give it with --at x=VALUE,y=VALUE)"),
    (MissingVariables([f"x{i}" for i in range(9)], [f"x{i}" for i in range(9)]),
     "no value for the free variable 'x0' (give it with --at x0=VALUE,x1=VALUE,x2=VALUE,x3=VALUE,…)"),
    (MissingVariables(["x"], ["x"], ["xx"]), "no value for the free variable 'x' (did you mean 'x' instead of 'xx'?)"),
    (WrtNeeded(["x", "y"]), "say which variable to differentiate by with --wrt (the variables: x, y)"),
    (WrtNeeded(["x", "y"], reverse=True),
     "say which variable to differentiate by with --wrt (one of x, y), or use --mode reverse for the whole gradient"),
    (NoSuchVariable("z", ["x"]), "--wrt z: the expression has no variable 'z'; its variables: x"),
    (ReverseKink("u1"), "reverse mode cannot pass the kink at u1: a local partial does not exist there, though the "
                        "gradient does; the forward trace (--mode forward --wrt NAME) shows it from the left and "
                        "right derivatives"),
    (DcalcError("anything else"), "anything else"),
])
def test_the_command_layer_words_errors_with_flags(error, text):
    assert exits.cli_message(error) == text


@pytest.mark.parametrize("argv, err", [
    (["diff", "x*y"], "error: say which variable to differentiate by with --wrt (the variables: x, y)\n"),
    (["trace", "x*y", "--at", "x=1,y=2"],
     "error: say which variable to differentiate by with --wrt (one of x, y), or use --mode reverse for the whole "
     "gradient\n"),
])
def test_the_cli_says_the_flag(argv, err, capsys):
    assert main(argv) == 2
    assert capsys.readouterr().err == err


# ---- exit codes: the parser's errors by class ----------------------------------------------------------------------

def test_plain_dcalc_shows_the_help_and_exits_2(capsys):
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Usage: dcalc") and err.endswith("error: no command given\n")


def test_a_usage_error_of_the_parser_names_the_help(capsys):
    assert main(["grad", "x", "--nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: No such option: --nope") and err.endswith("\n  try 'dcalc grad --help'\n")


def test_an_exception_that_only_looks_like_a_usage_error_is_a_bug(monkeypatch, capsys):
    """click's errors are known by their class: a bug whose exception happens to have format_message and exit_code
    is still a bug (exit 70), not a usage error (the old test of attributes called it one)."""
    class Lookalike(Exception):
        exit_code = 2

        def format_message(self):
            return "looks like a usage error"

    def broken(expr, strict=False):
        raise Lookalike("broken")

    monkeypatch.setattr(options, "load", broken)
    assert main(["eval", "x", "--at", "1"]) == 70
    assert capsys.readouterr().err.startswith("error: internal error Lookalike: broken (a bug in dcalc")
