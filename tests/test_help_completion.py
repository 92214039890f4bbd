"""A command line that helps: metavars that read well (EXPR, POINT, N, [text|json|csv]), choices checked with the
list in the error, whole numbers asked for in words, and shell completion for bash, zsh and fish (the scripts
generated and parsed by the shells that are installed; the answers to the shell for commands, options, choices
and function names; a real bash completing through the script)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from dcalc.app import app
from dcalc.commands import defaults
from dcalc.core.ops import FUNCTION_NAMES
from dcalc.output.render_trace import FORMATS as TRACE_FORMATS
from dcalc.output.trace import MODES
from dcalc_proc import call

COMMANDS = sorted(typer.main.get_command(app).commands)
BIN = Path(sys.executable).parent


@pytest.mark.parametrize("command", COMMANDS)
def test_help_reads_well(command):
    code, out, err = call([command, "--help"])
    assert (code, err) == (0, "")
    assert f"Usage: dcalc {command} [OPTIONS] EXPR" in out or command == "functions"  # the one without EXPR
    for ugly in ("{EXPR}", "<str>", "<int range>", "<int>", "<float", "TEXT", "INTEGER", "[x>=", "<=x"):
        assert ugly not in out, (command, ugly)
    if "--at" in out:
        assert "--at POINT" in out


def test_the_root_help_shows_each_example_alone():
    out = call(["--help"])[1].splitlines()
    assert out[out.index(next(line for line in out if line.startswith("  trace "))) + 1].strip() == (
        'dcalc trace "sin(x + x^2)" --at 2')


def test_format_and_mode_list_their_choices():
    assert "--format [text|json|csv]" in call(["grad", "--help"])[1]
    assert "--format [text|latex|markdown|json|python|numpy|c|js]" in call(["diff", "--help"])[1]
    trace = call(["trace", "--help"])[1]
    assert f"--format [{'|'.join(TRACE_FORMATS)}]" in trace and "--mode [forward|reverse]" in trace
    assert "--order N" in call(["grad", "--help"])[1] and "--digits N" in trace


def test_the_choice_lists_are_the_ones_the_commands_take():
    assert defaults.TRACE_FORMATS == tuple(TRACE_FORMATS) and defaults.MODES == tuple(MODES)


CHOICES = [
    (["grad", "x", "--at", "1", "--format", "xml"], "'--format': 'xml' is not one of text, json, csv"),
    (["diff", "x", "--format", "rust"], "'--format': 'rust' is not one of text, latex, markdown, json, python, numpy, c, js"),
    (["trace", "x", "--at", "1", "--mode", "sideways"], "'--mode': 'sideways' is not one of forward, reverse"),
    (["trace", "x", "--at", "1", "--format", "png"],
     "'--format': 'png' is not one of " + ", ".join(TRACE_FORMATS)),
    (["grad", "x", "--at", "1", "--order", "two"], "'--order': expected a whole number, not 'two'"),
    (["diff", "x", "--order", "2.5"], "'--order': expected a whole number, not '2.5'"),
    (["diff", "x", "--order", "0"], "'--order': expected a whole number of at least 1, not 0"),
    (["grad", "x", "--at", "1", "--digits", "18"], "'--digits': expected a whole number from 1 to 17, not 18"),
    (["trace", "x", "--at", "1", "--max-paths", "many", "--paths"],
     "'--max-paths': expected a whole number, not 'many'"),
    (["eval", "x", "--at", "1", "--expect", "1", "--tol", "-1"], "'--tol': expected a number of at least 0, not -1"),
    (["check", "x", "--at", "1", "--tol", "tight"], "'--tol': expected a number, not 'tight'"),
    (["--show-completion", "tcsh"], "'--show-completion': 'tcsh' is not one of bash, zsh, fish"),
]


@pytest.mark.parametrize("argv, message", CHOICES, ids=[" ".join(a[-2:]) for a, _ in CHOICES])
def test_a_bad_choice_or_number_says_what_was_expected(argv, message):
    code, out, err = call(argv)
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == f"error: Invalid value for {message}"


def test_a_whole_number_still_works():
    assert call(["grad", "x^3", "--at", "2", "--order", "2"])[:2] == (0, "12\n")
    assert call(["grad", "x/3", "--at", "1", "--digits", "3"])[:2] == (0, "0.333\n")


# ---- completion -------------------------------------------------------------------------------------------------

def script(shell: str) -> str:
    code, out, err = call(["--show-completion", shell])
    assert (code, err) == (0, ""), err
    return out


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_completion_script_parses(shell, tmp_path):
    text = script(shell)
    assert "_DCALC_COMPLETE=complete_" + shell in text
    exe = shutil.which(shell)
    if exe is None:
        pytest.skip(f"{shell} is not installed")
    path = tmp_path / f"dcalc.{shell}"
    path.write_text(text)
    checked = subprocess.run([exe, "-n", str(path)], capture_output=True, text=True)
    assert (checked.returncode, checked.stderr) == (0, "")


def _complete(env: dict[str, str]) -> list[str]:
    """The installed dcalc answering a completion request, as the shell scripts make one."""
    done = subprocess.run([str(BIN / "dcalc")], capture_output=True, text=True, env={**os.environ, **env},
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def bash(words: str) -> list[str]:
    split = words.split(" ")
    return _complete({"_DCALC_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(split) - 1)})


def test_completes_commands_options_choices_and_function_names():
    assert bash("dcalc gr") == ["grad"]
    assert sorted(bash("dcalc ")) == COMMANDS
    assert bash("dcalc grad --fo") == ["--format"]
    assert bash("dcalc diff --format ") == list(defaults.DIFF_FORMATS)
    assert bash("dcalc trace --mode r") == ["reverse"]
    assert bash("dcalc diff 2*si") == ["2*" + f for f in FUNCTION_NAMES if f.startswith("si")]
    assert "2*sin" in bash("dcalc diff 2*si") and "log10" in bash("dcalc eval lo")
    assert bash("dcalc eval lo") == [f for f in FUNCTION_NAMES if f.startswith("lo")]


def test_zsh_and_fish_answers():
    zsh = _complete({"_DCALC_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "dcalc trace --mode "})
    assert zsh == ["_arguments '*: :((\"forward\"", "\"reverse\"))'"]
    fish = _complete({"_DCALC_COMPLETE": "complete_fish", "_TYPER_COMPLETE_FISH_ACTION": "get-args",
                      "_TYPER_COMPLETE_ARGS": "dcalc eval --at 1 ta"})
    assert fish == [f for f in FUNCTION_NAMES if f.startswith("ta")] and "tanh" in fish


def test_clicks_spelling_of_the_request_works_too():
    """`_DCALC_COMPLETE=bash_source dcalc` (click's order) gives the script, as source_bash (typer's) does."""
    assert "complete -o default -F _dcalc_completion dcalc" in "\n".join(_complete({"_DCALC_COMPLETE": "bash_source"}))


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_through_the_script():
    """A real bash: the script sourced, the completion function called as bash calls it on TAB."""
    program = (f'source <("{BIN / "dcalc"}" --show-completion bash)\n'
               'COMP_WORDS=(dcalc diff --format p); COMP_CWORD=3; _dcalc_completion dcalc\n'
               'printf "%s\\n" "${COMPREPLY[@]}"\n')
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True, text=True,
                          env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}, timeout=60)
    assert (done.returncode, done.stdout) == (0, "python\n"), done.stderr


def test_install_writes_the_script_where_the_shell_reads_it(tmp_path):
    done = subprocess.run([str(BIN / "dcalc"), "--install-completion", "bash"], capture_output=True, text=True,
                          env={**os.environ, "HOME": str(tmp_path)}, timeout=60)
    assert done.returncode == 0, done.stderr
    installed = tmp_path / ".bash_completions" / "dcalc.sh"
    assert done.stdout == f"bash completion installed in {installed}; it takes effect in a new shell\n"
    assert installed.read_text() == script("bash").rstrip("\n")
    assert f"source '{installed}'" in (tmp_path / ".bashrc").read_text()


def test_an_ordinary_run_does_not_import_completion():
    program = ("import sys\nfrom dcalc.app import main\nmain(['eval', 'x', '--at', '2'])\n"
               "print('dcalc.commands.completion' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines()[-1] == "False"
