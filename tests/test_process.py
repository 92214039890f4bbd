"""dcalc as a process among others: a reader that goes away (`| head -1`), Ctrl-C, and the exit-70 path of a bug.

A closed pipe is the reader's choice, not a failure: dcalc stops quietly with status 0. Ctrl-C prints
`error: interrupted` and exits 130. An exception dcalc did not expect is a bug: `error: internal error …`, exit 70,
and the traceback only with DCALC_DEBUG=1.
"""

from __future__ import annotations

import array
import fcntl
import importlib
import os
import shlex
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from dcalc.app import app
from dcalc_proc import call, dcalc_command, run

POINTS = [a for i in range(1, 30001) for a in ("--at", str(i))]  # 30,000 lines of output: more than a pipe holds
PIPED = {
    "eval": ["eval", "x^2", *POINTS],
    "eval --json": ["eval", "x^2", "--json", *POINTS],
    "grad": ["grad", "x^2 + sin(x)", *POINTS],
    "trace": ["trace", "+".join(f"sin({i}x)" for i in range(1, 3001)), "--at", "1"],
}


@pytest.mark.parametrize("argv", PIPED.values(), ids=PIPED.keys())
def test_a_reader_that_goes_away_ends_dcalc_quietly(argv):
    proc = subprocess.Popen(dcalc_command() + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()  # the reader goes away, as head -1 does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert first.strip() and err == ""


def test_head_1_in_a_shell_pipeline(tmp_path):
    command = " ".join(map(shlex.quote, dcalc_command() + ["eval", "x^2"]))
    script = (f"set -o pipefail; {command} $(seq -f '--at=%g' 1 30000) 2>dcalc.err | head -1; "
              "echo \"status $?\"; cat dcalc.err")
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                         check=False).stdout
    assert out == "1\nstatus 0\n"


@pytest.mark.parametrize("redirect, message", [
    (">&-", "error: standard output is closed"),
    ("<&- ", "error: standard input is closed"),
    ("> /dev/full", "error: cannot write the output: no space left on device"),
])
def test_a_closed_or_full_standard_stream_is_a_clear_error(tmp_path, redirect, message):
    if "full" in redirect and not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    command = " ".join(map(shlex.quote, dcalc_command() + ["eval", "-", "--at", "2"]))
    script = f"echo x^2 | {{ {command} {redirect}; }} 2>dcalc.err; echo \"status $?\"; cat dcalc.err"
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                         check=False).stdout
    assert out == f"status 2\n{message}\n"


def _pipe_drained(fd: int) -> bool:
    """Whether the child has read everything written to the pipe (FIONREAD: bytes waiting in it)."""
    waiting = array.array("i", [0])
    fcntl.ioctl(fd, termios.FIONREAD, waiting)
    return waiting[0] == 0


def test_ctrl_c_while_reading_a_slow_stdin_exits_130():
    proc = subprocess.Popen(dcalc_command() + ["eval", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdin.write(b"x^")  # half an expression, and the rest never comes
    proc.stdin.flush()
    deadline = time.monotonic() + 30
    while not _pipe_drained(proc.stdin.fileno()):  # dcalc is up and waiting in its read
        assert time.monotonic() < deadline, "dcalc never read its standard input"
        time.sleep(0.02)
    time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert (proc.returncode, out, err) == (130, b"", b"error: interrupted\n")


def _wait_for(path: Path, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while not path.exists():
        assert proc.poll() is None, "dcalc ended before it reached the mark"
        assert time.monotonic() < deadline, "dcalc never reached the start-up mark"
        time.sleep(0.01)


def test_ctrl_c_during_start_up_exits_130_without_a_traceback(tmp_path):
    """A Ctrl-C while typer and lark are still being imported is handled like any other. launch.py's test hook makes
    dcalc create a file inside that window and wait there: the signal lands at a known point, however fast or slow
    the machine. (A delay cannot aim at it: too early, the signal meets CPython importing `site`, whose own fatal
    error and traceback no dcalc code can reach; too late, dcalc is done.)"""
    mark = tmp_path / "started"
    proc = subprocess.Popen(dcalc_command() + ["eval", "1+1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "DCALC_TEST_STARTUP_MARK": str(mark)})
    _wait_for(mark, proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert (proc.returncode, out, err) == (130, b"", b"error: interrupted\n")


def test_the_start_up_mark_changes_nothing_else(tmp_path):
    """Deleting the mark lets dcalc go on: the run is the usual one."""
    mark = tmp_path / "started"
    proc = subprocess.Popen(dcalc_command() + ["eval", "1+1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "DCALC_TEST_STARTUP_MARK": str(mark)})
    _wait_for(mark, proc)
    mark.unlink()
    out, err = proc.communicate(timeout=30)
    assert (proc.returncode, out, err) == (0, b"2\n", b"")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="needs /proc")
def test_ctrl_c_in_the_middle_of_a_computation_exits_130():
    """The signal comes once dcalc has read its whole input (a known state: past start-up, the pipe drained and
    closed) and has spent a little CPU on it: seconds of parsing and differentiation are still ahead."""
    text = "+".join(f"sin({i}*x)*cos(x/{i})" for i in range(1, 30001))  # about 760 KB: seconds of work
    proc = subprocess.Popen(dcalc_command() + ["grad", "-", "--at", "0.5"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdin.write(text.encode())
    proc.stdin.flush()
    deadline = time.monotonic() + 60
    while not _pipe_drained(proc.stdin.fileno()):  # dcalc is up and has read all of it
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    proc.stdin.close()
    proc.stdin = None  # closed: communicate() must not flush it
    start = _cpu_seconds(proc.pid)
    while _cpu_seconds(proc.pid) < start + 0.1:  # inside the work, far from its end
        assert proc.poll() is None, "finished before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert (proc.returncode, out, err) == (130, b"", b"error: interrupted\n")


# ---------------------------------------------------------------------------------------------------------------
# Exit 70: a bug says so, without a traceback unless DCALC_DEBUG=1

EVALUATE = importlib.import_module("dcalc.modes.evaluate")


def _boom(*args, **kwargs):
    raise RuntimeError("injected\nfault " + "x" * 1000)


def test_an_unexpected_exception_is_an_internal_error(monkeypatch):
    monkeypatch.setattr(EVALUATE, "value", _boom)
    code, out, err = call(["eval", "1+1"])
    assert code == 70 and out == ""
    assert err.startswith("error: internal error RuntimeError: injected fault xxx")
    assert err.endswith("… (a bug in dcalc; DCALC_DEBUG=1 shows the traceback)\n")
    assert err.count("\n") == 1 and len(err) < 400  # one line, the message clipped
    assert "Traceback" not in err


@pytest.mark.parametrize("debug, shown", [("1", True), ("0", False), ("", False)])
def test_dcalc_debug_shows_the_traceback(monkeypatch, capsys, debug, shown):
    from dcalc.app import main
    monkeypatch.setattr(EVALUATE, "value", _boom)
    monkeypatch.setenv("DCALC_DEBUG", debug)
    assert main(["eval", "1+1"]) == 70
    err = capsys.readouterr().err
    assert ("Traceback (most recent call last)" in err) is shown
    assert ("_boom" in err) is shown
    assert err.rstrip().splitlines()[-1].startswith("error: internal error RuntimeError: injected fault")


def test_keyboard_interrupt_inside_a_command(monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(EVALUATE, "value", interrupted)
    assert call(["eval", "1+1"]) == (130, "", "error: interrupted\n")


SITECUSTOMIZE = """
import sys
import dcalc.modes.evaluate
def _boom(*args, **kwargs):
    raise ZeroDivisionError("injected")
sys.modules["dcalc.modes.evaluate"].value = _boom
"""


@pytest.mark.parametrize("debug", ["", "1"])
def test_internal_error_through_the_installed_dcalc(tmp_path, debug):
    """A fault injected into the real process (sitecustomize runs before the console script)."""
    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE)
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    result = run("eval", "1+1", env={"PYTHONPATH": path, "DCALC_DEBUG": debug})
    assert result.code == 70 and result.out == ""
    last = result.err.rstrip().splitlines()[-1]
    assert last == "error: internal error ZeroDivisionError: injected (a bug in dcalc; DCALC_DEBUG=1 shows the traceback)"
    assert ("Traceback" in result.err) is bool(debug)


def test_every_command_renders_its_errors_in_one_place():
    """handles_errors is what turns DcalcError, a closed pipe and Ctrl-C into their exit codes: every command has it."""
    for command in app.registered_commands:
        assert getattr(command.callback, "__wrapped__", None) is not None, f"{command.name}: no @handles_errors"


GC_PROBE = """import gc, sys
sys.argv = ["dcalc", "eval", "x^2", "--at", "3"]
{before}
from dcalc.launch import main
code = main()
print(code, gc.isenabled(), gc.get_freeze_count() > 1000, "dcalc.app" in sys.modules)
"""


@pytest.mark.parametrize("before, enabled", [("", True), ("gc.disable()", False)])
def test_start_up_freezes_the_imports_and_leaves_the_collector_as_it_was(before, enabled):
    """launch.main imports with the collector off, freezes what the imports built (start-up in instructions, README
    Performance), and gives the command the collector as the caller had it: on for the console script, still off
    for a caller that had turned it off."""
    out = subprocess.run([sys.executable, "-c", GC_PROBE.format(before=before)], capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.splitlines() == ["9", f"0 {enabled} True True"]
    assert out.stderr == ""
