"""A progress bar on stderr for long batches."""

from __future__ import annotations

import sys
import time


class Progress:
    """A progress bar on stderr, only when stderr is a terminal and the batch has run for a while."""

    DELAY, EVERY = 1.0, 0.1  # seconds before it appears, seconds between redraws

    def __init__(self, points, stream=None):
        self.points, self.stream = points, stream or sys.stderr
        self.on = _is_tty(self.stream)
        self.start = self.last = time.monotonic()
        self.shown = False

    def update(self, rows: int) -> None:
        if not self.on:
            return
        now = time.monotonic()
        if now - self.start < self.DELAY or now - self.last < self.EVERY:
            return
        self.last, self.shown = now, True
        size = self.points.size
        if size:
            done = min(1.0, self.points.position() / size)
            bar = "#" * int(30 * done)
            self.stream.write(f"\r[{bar:<30}] {done:4.0%}  {rows:,} rows")
        else:
            self.stream.write(f"\r{rows:,} rows")
        self.stream.flush()

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _is_tty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
