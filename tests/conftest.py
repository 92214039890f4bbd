"""Shared test set-up: a deterministic hypothesis profile for CI, and helpers to run dcalc."""

from __future__ import annotations

import copy
import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, deadline=None, max_examples=100,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", deadline=None, max_examples=5000, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture
def tamper(monkeypatch):
    """tamper(name, partials): op `name` with other partial rules in the table, as a wrong rule would be. Every mode
    reads the rules from the table by the op's name, the numeric ones from the table partials compiles from it
    (partials.RULES), so both entries are replaced, and put back by monkeypatch: all modes are wrong alike and only
    the finite difference can tell."""
    from dcalc.core import ops, partials

    def apply(name, partials_):
        changed = copy.copy(ops.OPS[name])
        changed.__dict__["partials"] = partials_  # (an Op is immutable; this one is a test's)
        monkeypatch.setitem(ops.OPS, name, changed)
        monkeypatch.setitem(partials.RULES, name, partials.compile_rules(changed))

    return apply


@pytest.fixture(autouse=True)
def _terminal_width(monkeypatch):
    """A trace's layout follows the terminal's width (COLUMNS, else the terminal, else 80): the tests fix it at 80,
    so that `pytest -s` in a terminal of any size gives the same text. A test that wants another sets COLUMNS."""
    monkeypatch.setenv("COLUMNS", "80")
