"""The console script's first step. A Ctrl-C while typer and lark are still being imported must end dcalc like any
other Ctrl-C: `error: interrupted`, exit 130. A KeyboardInterrupt raised inside the import machinery can surface as
an "Exception ignored" traceback, so until the imports are done the signal ends the process directly (nothing has
been written to standard output yet, so nothing is lost).

DCALC_TEST_STARTUP_MARK=PATH is a test hook (tests/test_process.py): dcalc creates PATH inside that window and waits
there while it exists (a minute at most), so a test can send its Ctrl-C at a known point of start-up instead of
guessing a delay, or delete the file to let dcalc go on. Unset, it costs one lookup in os.environ.

The collector is off while the modules are imported, and what they built is then frozen (gc.freeze): the imports
make hundreds of thousands of objects (functions, classes, code, typer's and click's) that are never garbage, yet
the collector's passes during the imports and its last full pass at exit walked every one of them, about 29 M of
the 285 M instructions of `dcalc grad "sin(x + x^2)" --at 2` (tests/bench/bench_startup.py). The command itself runs
with the collector on, as usual, over its own objects only.
"""

import gc
import os
import signal
import sys


def _interrupted(signum, frame):
    sys.stderr.write("error: interrupted\n")
    sys.stderr.flush()
    os._exit(130)


def _wait_at_mark(path: str) -> None:
    """Say "inside the start-up window" by creating `path`, then wait while it is there (a signal ends the wait)."""
    import time
    with open(path, "x"):
        pass
    deadline = time.monotonic() + 60
    while os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.01)


def main() -> int:
    collecting = gc.isenabled()
    gc.disable()
    signal.signal(signal.SIGINT, _interrupted)
    mark = os.environ.get("DCALC_TEST_STARTUP_MARK")
    if mark:
        _wait_at_mark(mark)
    from .app import main as run
    gc.freeze()  # what the imports built stays: no pass of the collector need walk it again
    if collecting:
        gc.enable()
    signal.signal(signal.SIGINT, signal.default_int_handler)  # from here on, KeyboardInterrupt as usual
    return run()
