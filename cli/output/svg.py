"""`--format svg`: the DOT drawing rendered by Graphviz's `dot -Tsvg`, when Graphviz is installed (dcalc does not
lay out graphs itself). Without Graphviz a usage error (exit 2) says what to install."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..errors import UsageError

INSTALL = "install Graphviz (https://graphviz.org/download/, e.g. 'apt install graphviz' or 'brew install graphviz')"


def drawn(lines: Iterable[str], fmt: str) -> Iterable[str]:
    """The DOT lines as they are (`dot`), or rendered to one SVG document (`svg`)."""
    return lines if fmt == "dot" else svg(lines)


def svg(lines: Iterable[str]) -> Iterator[str]:
    import shutil
    import subprocess
    dot = shutil.which("dot")
    if dot is None:  # the command line says so before any work (commands/options.py); here, for other callers
        raise UsageError(f"an SVG drawing needs Graphviz's 'dot' program, which is not installed here: {INSTALL}")
    p = subprocess.run([dot, "-Tsvg"], input="\n".join(lines) + "\n", capture_output=True, encoding="utf-8",
                       check=False)
    if p.returncode != 0:  # dcalc wrote DOT that Graphviz refuses: a bug (exit 70), with Graphviz's own words
        raise RuntimeError(f"Graphviz's dot refused the drawing (exit {p.returncode}): {p.stderr.strip()}")
    yield p.stdout.rstrip("\n")
