"""The notifications page's shape: a person's items, grouped by day on the Douala calendar."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from engine.services.accounts.notification_list import NotificationItem

DOUALA = ZoneInfo("Africa/Douala")


@dataclass(frozen=True)
class Day:
    """The notifications of one calendar day, newest first."""

    day: date
    items: tuple[NotificationItem, ...]


def by_day(items: Sequence[NotificationItem]) -> list[Day]:
    """Items (newest first) in days, newest day first."""
    days: dict[date, list[NotificationItem]] = {}
    for item in items:
        days.setdefault(item.created_at.astimezone(DOUALA).date(), []).append(item)
    return [Day(day=day, items=tuple(found)) for day, found in days.items()]
