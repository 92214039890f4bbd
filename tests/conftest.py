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
    reads the rules from the table by the op's name, the numeric ones through the op's cached steps (dropped on the way
    in and out), so they are all wrong alike and only the finite difference can tell."""
    from dcalc import ops
    from dcalc.names import primitive
    from dcalc.partials import numeric_rules

    touched = []  # the ops replaced and their replacements: graphs made before or during the test hold either

    def forget():
        numeric_rules.cache_clear()
        primitive.cache_clear()  # (else a tampered Op cached while tampering outlives the test: its symbolic rules)
        for op in touched:
            op.__dict__.pop("steps", None)

    def apply(name, partials):
        changed = copy.copy(ops.OPS[name])
        changed.__dict__["partials"] = partials  # (an Op is immutable; this one is a test's)
        touched.extend([ops.OPS[name], changed])
        monkeypatch.setitem(ops.OPS, name, touched[-1])
        forget()

    yield apply
    forget()  # the next use rebuilds the steps from the real rules, once monkeypatch has put the table back
