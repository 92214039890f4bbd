"""DESIGN.md's convention: the code is ruff-clean, under the rules pyproject.toml selects (the same whatever ruff's
version, whose default rule set grows)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_sources_are_ruff_clean():
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "cli", "grammar", "tests"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_does_find_a_fault(tmp_path):
    """The check above can fail: an unused import under the same settings is reported."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n")
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"),
                        str(bad)], capture_output=True, text=True)
    assert r.returncode == 1 and "F401" in r.stdout
