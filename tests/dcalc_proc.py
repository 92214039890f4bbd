"""Running dcalc: `call` runs dcalc.app.main in this process; `run` runs the installed `dcalc` as a real process, with
what the run cost: exit code, output, CPU time, peak memory.

Times are CPU seconds of dcalc (user + system, from os.wait4), not wall time: on a shared CI machine the wall
clock measures the neighbours. A wall-clock timeout still stops a process that hangs.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path


def dcalc_command() -> list[str]:
    """The console script installed next to this Python (what users run), else `python -m dcalc`."""
    script = Path(sys.executable).with_name("dcalc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dcalc"]


@dataclass
class Run:
    code: int
    out: str
    err: str
    cpu: float  # seconds
    peak_mb: float  # peak resident memory

    def assert_contract(self, codes=(0, 1, 2, 3), cpu_limit: float = 2.0) -> None:
        """The promise of DESIGN.md: a known exit code, `error:` on stderr for a failure, no traceback, quick."""
        assert self.code in codes, f"exit {self.code}; stderr: {self.err[-2000:]!r}"
        assert "Traceback" not in self.err, self.err[-2000:]
        if self.code != 0:
            assert self.err.startswith("error: "), self.err[:2000]
        assert self.cpu < cpu_limit, f"{self.cpu:.2f} s of CPU"


# Linux records the peak memory of the process image an exec replaces (a fork of this test process, hundreds of MB
# in a long pytest run) as the peak of the new one. So a small launcher forks dcalc itself, waits for it, and writes
# dcalc's own rusage to the file named by its first argument; its exit status is dcalc's.
LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(f"{usage.ru_utime + usage.ru_stime} {usage.ru_maxrss}")
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def run(*args: str, stdin: bytes | str = b"", env: dict | None = None, timeout: float = 60.0) -> Run:
    """Run `dcalc ARGS` with `stdin` as its standard input (through a file, so that any size is fine)."""
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    with tempfile.TemporaryDirectory() as tmp:
        i, o, e, usage = (Path(tmp, name) for name in ("in", "out", "err", "usage"))
        i.write_bytes(data)
        with i.open("rb") as fi, o.open("wb") as fo, e.open("wb") as fe:
            proc = subprocess.Popen([sys.executable, "-S", "-c", LAUNCHER, str(usage)] + dcalc_command() + list(args),
                                    stdin=fi, stdout=fo, stderr=fe, start_new_session=True,
                                    env=None if env is None else {**os.environ, **env})
            try:
                code = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                raise AssertionError(f"dcalc {' '.join(args)[:200]} took longer than {timeout} s") from None
        cpu, peak = usage.read_text().split()
        out, err = o.read_bytes().decode("utf-8", "replace"), e.read_bytes().decode("utf-8", "replace")
    return Run(code, out, err, float(cpu), int(peak) / 1024)


def call(argv: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
    """dcalc.app.main(argv) in this process with `stdin` as standard input: (exit code, stdout, stderr)."""
    from dcalc.app import main
    out, err = io.StringIO(), io.StringIO()
    saved_debug, saved_stdin = os.environ.pop("DCALC_DEBUG", None), sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        sys.stdin = saved_stdin
        if saved_debug is not None:
            os.environ["DCALC_DEBUG"] = saved_debug
    return code, out.getvalue(), err.getvalue()


def error_text(err: str) -> str:
    """Standard error as text: a JSON error object (what --json makes of an error, tests/test_json_out.py) read back
    as the `error: …` line it stands for, so that a test of the message holds for both forms."""
    import json
    lines = []
    for line in err.splitlines():
        obj = json.loads(line) if line.startswith('{"error": ') else None
        lines.append(line if obj is None else f"error: {obj['error']}")
        if obj is not None and obj["hint"]:
            lines.append(f"  hint: {obj['hint']}")
    return "".join(line + "\n" for line in lines)
