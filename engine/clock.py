"""Time as an object passed in: the system clock in production, a controllable one in tests.

An installation's processes use an `InstallationClock`: the system time, plus the clock offset of
a training installation (a demo whose clock a trainer moves forward to reach timers days away).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class ManualClock:
    """A clock that moves only when told to: for tests, scenarios and replays."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")
        self._now = start.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("a clock does not go backwards")
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("ManualClock needs timezone-aware times")
        moment = moment.astimezone(timezone.utc)
        if moment < self._now:
            raise ValueError("a clock does not go backwards")
        self._now = moment
        return self._now


# How stale a process's idea of the training offset may be: another process's move shows within this.
OFFSET_REFRESH = timedelta(seconds=3)


class InstallationClock:
    """The real time plus the installation's training offset (none outside training mode).

    `read_offset` asks the database how far a training installation's clock has been moved
    forward (None when it is not a training installation). It is asked again at most every
    `refresh`, so a long-lived process sees another process's move within seconds without one
    query per `now()`. A smaller answer than one already seen is ignored: time never goes back.
    """

    def __init__(self, read_offset: Callable[[], timedelta | None], real: Clock | None = None,
                 refresh: timedelta = OFFSET_REFRESH, ticks: Callable[[], float] = time.monotonic):
        self.real = real or SystemClock()
        self._read_offset = read_offset
        self._refresh = refresh.total_seconds()
        self._ticks = ticks
        self._lock = threading.Lock()
        self._offset: timedelta | None = None
        self._read_at: float | None = None

    def now(self) -> datetime:
        return self.real.now() + (self.training_offset() or timedelta(0))

    def training_offset(self) -> timedelta | None:
        """How far ahead of the real time this installation's clock is; None outside training mode."""
        with self._lock:
            tick = self._ticks()
            if self._read_at is None or tick - self._read_at >= self._refresh:
                read = self._read_offset()
                self._read_at = tick
                if read is not None:
                    if read < timedelta(0):
                        raise ValueError("a training clock offset is never negative")
                    self._offset = read if self._offset is None else max(self._offset, read)
            return self._offset
