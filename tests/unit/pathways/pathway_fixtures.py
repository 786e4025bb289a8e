"""Fixtures for the pathway tests: the valid and broken pathway folders (imported by the tests)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
VALID = FIXTURES / "valid"
BROKEN = FIXTURES / "broken"
MINI = VALID / "referral-mini"


@pytest.fixture
def mini_folder() -> Path:
    """A small valid pathway folder (French diagram, English labels)."""
    return MINI


@pytest.fixture
def copied_mini(tmp_path: Path) -> Path:
    """A writable copy of the small valid pathway, for tests that break it."""
    target = tmp_path / "referral-mini"
    shutil.copytree(MINI, target)
    return target
