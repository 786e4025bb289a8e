"""Cron cycles as Camunda 7 writes them: the next firing, in the installation's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from engine.errors import ExpressionError
from engine.expressions.cron import is_cron, parse_cron

DOUALA = ZoneInfo("Africa/Douala")


@pytest.mark.parametrize(("text", "after", "expected"), [
    ("0 0/5 * * * ?", datetime(2026, 3, 2, 8, 3, 10), datetime(2026, 3, 2, 8, 5)),
    ("0 0 9 ? * MON-FRI", datetime(2026, 3, 7, 10, 0), datetime(2026, 3, 9, 9, 0)),  # Saturday -> Monday
    ("0 30 8 1 * ?", datetime(2026, 3, 1, 8, 30), datetime(2026, 4, 1, 8, 30)),  # strictly after
    ("*/15 * * * *", datetime(2026, 3, 2, 23, 59), datetime(2026, 3, 3, 0, 0)),  # five fields: no seconds
])
def test_next_firing_is_the_first_matching_moment_strictly_after(text, after, expected):
    assert parse_cron(text).next_after(after.replace(tzinfo=DOUALA)) == expected.replace(tzinfo=DOUALA)


@pytest.mark.parametrize(("text", "words"), [
    ("0 0 25 * * ?", 'hours "25" must be from 0 to 23'),
    ("0 15 10 ? * 6L", "L, W or #"),
    ("0 0 9 31 2 ? 2027", "never fires"),
])
def test_impossible_or_unsupported_cron_is_refused_with_the_field(text, words):
    with pytest.raises(ExpressionError, match=words):
        parse_cron(text).next_after(datetime(2026, 3, 2, tzinfo=DOUALA))


def test_words_are_not_taken_for_a_cron_expression():
    assert not is_cron("time is just a concept") and is_cron("0 0 9 ? * MON")
