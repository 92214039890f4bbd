"""The console script's first step. A Ctrl-C while typer and lark are still being imported must end dcalc like any
other Ctrl-C: `error: interrupted`, exit 130. A KeyboardInterrupt raised inside the import machinery can surface as
an "Exception ignored" traceback, so until the imports are done the signal ends the process directly (nothing has
been written to standard output yet, so nothing is lost)."""

import os
import signal
import sys


def _interrupted(signum, frame):
    sys.stderr.write("error: interrupted\n")
    sys.stderr.flush()
    os._exit(130)


def main() -> int:
    signal.signal(signal.SIGINT, _interrupted)
    from .app import main as run
    signal.signal(signal.SIGINT, signal.default_int_handler)  # from here on, KeyboardInterrupt as usual
    return run()
