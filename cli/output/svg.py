"""`--format svg`: the DOT drawing rendered by Graphviz's `dot -Tsvg`, when Graphviz is installed (dcalc does not
lay out graphs itself). Without Graphviz a usage error (exit 2) says what to install, and that `--format dot` works
without it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..errors import UsageError

NOT_INSTALLED = ("--format svg runs Graphviz's 'dot' program, which is not installed here (not on PATH): install "
                 "Graphviz (https://graphviz.org/download/, e.g. 'apt install graphviz' or 'brew install graphviz'), "
                 "or write --format dot and render it elsewhere")


def drawn(lines: Iterable[str], fmt: str) -> Iterable[str]:
    """The DOT lines as they are (`dot`), or rendered to one SVG document (`svg`)."""
    return lines if fmt == "dot" else svg(lines)


def svg(lines: Iterable[str]) -> Iterator[str]:
    import shutil
    import subprocess
    dot = shutil.which("dot")
    if dot is None:
        raise UsageError(NOT_INSTALLED)
    p = subprocess.run([dot, "-Tsvg"], input="\n".join(lines) + "\n", capture_output=True, encoding="utf-8",
                       check=False)
    if p.returncode != 0:  # dcalc wrote DOT that Graphviz refuses: a bug (exit 70), with Graphviz's own words
        raise RuntimeError(f"Graphviz's dot refused the drawing (exit {p.returncode}): {p.stderr.strip()}")
    yield p.stdout.rstrip("\n")
