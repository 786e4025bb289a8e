"""Shared test fixtures."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from engine.clock import ManualClock

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def clock() -> ManualClock:
    """A clock that only moves when the test says so (a Monday morning in Douala)."""
    return ManualClock(datetime(2026, 3, 2, 7, 0, tzinfo=timezone.utc))
