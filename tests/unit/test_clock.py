from datetime import datetime, timedelta, timezone

import pytest

from engine.clock import InstallationClock, ManualClock


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


class Ticks:
    """A monotonic counter the test moves by hand, as the clock's cache reads it."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


class Offsets:
    """What the database would answer, one answer after another; counts the questions."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.asked = 0

    def __call__(self):
        self.asked += 1
        return self.answers[min(self.asked, len(self.answers)) - 1]


def test_installation_clock_adds_the_training_offset_to_the_real_time(clock):
    installation = InstallationClock(Offsets(timedelta(days=31)), real=clock, ticks=Ticks())
    assert installation.now() == clock.now() + timedelta(days=31)
    assert installation.training_offset() == timedelta(days=31)


def test_installation_clock_outside_training_mode_is_the_real_time(clock):
    installation = InstallationClock(Offsets(None), real=clock, ticks=Ticks())
    assert installation.now() == clock.now()
    assert installation.training_offset() is None


def test_installation_clock_reads_the_offset_again_only_after_the_refresh_interval(clock):
    ticks, offsets = Ticks(), Offsets(timedelta(0), timedelta(days=2))
    installation = InstallationClock(offsets, real=clock, refresh=timedelta(seconds=3), ticks=ticks)
    for _ in range(5):
        assert installation.now() == clock.now()
    assert offsets.asked == 1
    ticks.seconds = 2.9
    assert installation.now() == clock.now()
    ticks.seconds = 3.0
    assert installation.now() == clock.now() + timedelta(days=2)
    assert offsets.asked == 2


def test_installation_clock_offset_only_grows_whatever_is_read(clock):
    ticks = Ticks()
    installation = InstallationClock(Offsets(timedelta(days=5), timedelta(days=1), None), real=clock,
                                     refresh=timedelta(seconds=1), ticks=ticks)
    seen = []
    for second in range(3):
        ticks.seconds = second
        seen.append(installation.now() - clock.now())
    assert seen == [timedelta(days=5)] * 3


def test_installation_clock_refuses_a_negative_offset(clock):
    installation = InstallationClock(Offsets(timedelta(seconds=-1)), real=clock, ticks=Ticks())
    with pytest.raises(ValueError, match="never negative"):
        installation.now()
