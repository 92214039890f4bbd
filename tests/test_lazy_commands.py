"""Start-up: the console script builds only the command it runs (commands/lazy.py), and that changes nothing it says.

Every registered command is compared, so a command added later is covered too: its help, a usage error and a run give
the same exit code, standard output and standard error through the whole app and through the app of that command.
"""

from __future__ import annotations

import contextlib
import io

import pytest
import typer

from dcalc.app import app, main
from dcalc.commands.exits import run_command_line
from dcalc.commands.lazy import one_command

NAMES = [c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands]


def _run(the_app, argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run_command_line(the_app, argv)
    return code, out.getvalue(), err.getvalue()


def test_the_first_argument_picks_the_command():
    one = one_command(app, ["grad", "x", "--at", "1"])
    assert one is not app and [c.name for c in one.registered_commands] == ["grad"]
    assert [c.name for c in app.registered_commands] == NAMES and len(NAMES) > 1  # the app itself is not changed


@pytest.mark.parametrize("argv", [[], ["--help"], ["-h"], ["--version"], ["grda", "x"], ["Grad", "x"],
                                  ["--", "grad"], ["x", "grad"]])
def test_anything_else_gets_the_whole_app(argv):
    assert one_command(app, argv) is app


def test_shell_completion_gets_the_whole_app(monkeypatch):
    monkeypatch.setenv("_DCALC_COMPLETE", "bash_complete")
    assert one_command(app, ["grad", "x"]) is app


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("rest", [["--help"], ["--no-such-option"], [], ["x^2 + 1", "--at", "2"], ["--version"],
                                  ["sin(x)", "--at", "1", "--json"]])
def test_a_command_alone_says_what_the_whole_app_says(name, rest):
    argv = [name, *rest]
    whole = _run(app, argv)
    assert _run(one_command(app, argv), argv) == whole
    assert "Traceback" not in whole[2]


def test_a_run_builds_one_command(monkeypatch, capsys):
    built = []
    real = typer.main.get_command_from_info

    def counting(*args, **kwargs):
        built.append((args[0] if args else kwargs["command_info"]).name)
        return real(*args, **kwargs)
    monkeypatch.setattr(typer.main, "get_command_from_info", counting)
    assert main(["grad", "sin(x + x^2)", "--at", "2"]) == 0
    assert capsys.readouterr().out == "4.80085143325183\n" and built == ["grad"]
    built.clear()
    assert main(["--help"]) == 0
    assert "grad" in capsys.readouterr().out and sorted(built) == sorted(NAMES)
