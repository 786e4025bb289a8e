from datetime import datetime, timedelta, timezone

import pytest

from engine.clock import ManualClock


def test_manual_clock_moves_only_when_advanced(clock):
    start = clock.now()
    assert clock.now() == start
    clock.advance(timedelta(hours=2))
    assert clock.now() - start == timedelta(hours=2)


def test_manual_clock_refuses_to_go_backwards(clock):
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(timedelta(seconds=-1))


def test_manual_clock_refuses_naive_times():
    with pytest.raises(ValueError, match="timezone-aware"):
        ManualClock(datetime(2026, 1, 1))


def test_manual_clock_reports_utc():
    plus_one = timezone(timedelta(hours=1))
    assert ManualClock(datetime(2026, 1, 1, 9, tzinfo=plus_one)).now().utcoffset() == timedelta(0)
