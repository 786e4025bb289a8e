from dataclasses import asdict
from datetime import datetime, timezone

import pytest

from engine.errors import NotificationError
from notifications.context import EVENTS, notification_context


def test_only_allowed_fields_are_kept_from_a_payload():
    context = notification_context(
        "referral_received",
        {"case_reference": "CM-1", "name": "Aminatou Bello", "phone": "+237 6 99 12 34 56", "notes": "HIV positive"},
    )
    assert context.case_reference == "CM-1"
    assert "Aminatou" not in repr(asdict(context))
    assert "HIV" not in repr(asdict(context))


@pytest.mark.parametrize(
    "field,value",
    [
        ("case_reference", "Aminatou Bello"),
        ("case_reference", "+237 6 99 12 34 56"),
        ("path", "https://evil.example/phish"),
        ("path", "//evil.example/phish"),
        ("path", "/cases/42?name=Aminatou Bello"),
        ("reason", "HIV positive"),
        ("priority", "Très urgent"),
        ("provider", "line one\nline two"),
        ("deadline", "next week"),
        ("deadline", "2026-03-09T14:00:00"),
        ("level", 9),
    ],
)
def test_a_misshapen_field_is_refused_without_repeating_its_value(field, value):
    payload = {"case_reference": "CM-1", "deadline": "2026-03-09T14:00:00+00:00", field: value}
    with pytest.raises(NotificationError, match=f"field '{field}'") as raised:
        notification_context("escalation_level_1", payload)
    assert str(value) not in str(raised.value)


@pytest.mark.parametrize("event,required", [(event, fields) for event, fields in EVENTS.items() if fields])
def test_events_refuse_payloads_missing_what_the_message_needs(event, required):
    with pytest.raises(NotificationError, match="missing " + required[0]):
        notification_context(event, {})


def test_escalation_events_carry_their_own_level():
    payload = {"case_reference": "CM-1", "deadline": datetime(2026, 3, 9, 14, tzinfo=timezone.utc), "level": 1}
    assert notification_context("escalation_level_3", payload).level == 3


def test_an_unknown_event_is_refused():
    with pytest.raises(NotificationError, match="unknown notification event 'case_opened'"):
        notification_context("case_opened", {"case_reference": "CM-1"})


def test_summary_items_keep_only_allowed_fields_and_json_level_keys_become_numbers():
    context = notification_context(
        "coordinator_summary",
        {"counts_by_level": {"2": 4}, "items": [{"case_reference": "CM-7", "name": "Aminatou Bello", "level": 2}]},
    )
    assert context.counts_by_level == {2: 4}
    assert context.items[0].case_reference == "CM-7"
    assert "Aminatou" not in repr(context)
