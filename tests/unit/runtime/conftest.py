"""Fixtures for the runtime tests: a safe engine on the manual clock, cases opened from fixtures."""

from __future__ import annotations

import pytest
from runtime_cases import Case, fixture_files

from engine.runtime.script_engine import SafeScriptEngine
from engine.runtime.specs import load_specs


@pytest.fixture
def engine(clock) -> SafeScriptEngine:
    """The safe script engine on the test's manual clock."""
    return SafeScriptEngine(clock)


@pytest.fixture
def open_case(engine):
    """open_case(*fixture names, data=..., main=...) -> Case, saved and restored at each step."""

    def _open(*names: str, data: dict | None = None, main: str | None = None) -> Case:
        specs = load_specs(fixture_files(*names), main=main or names[0])
        return Case(specs, engine, data)

    return _open
