"""The allow-list between an outbox payload and a template: only these fields can reach a message.

An outbox payload may carry anything the step knew (a name, a phone number, notes). Templates
never see the payload: they see a `NotificationContext` built here field by field, each field
checked for its shape, so personal data cannot slip into an email, an SMS or a webhook.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from engine.errors import NotificationError
from notifications.labels import code_label

LANGUAGES = ("fr", "en")

# Event name -> fields the message cannot do without.
EVENTS: dict[str, tuple[str, ...]] = {
    "task_assigned": ("case_reference", "step"),
    "referral_received": ("case_reference",),
    "referral_acknowledged": ("case_reference",),
    "referral_accepted": ("case_reference",),
    "referral_declined": ("case_reference",),
    "referral_redirected": ("case_reference",),
    # The provider did not answer before the pathway's expiry timer: the referral ended without it.
    "referral_expired": ("case_reference",),
    # The pathway withdrew the referral from its provider (a coordinator reassigned the stalled need).
    "referral_withdrawn": ("case_reference",),
    "service_reported": ("case_reference",),
    "deadline_approaching": ("case_reference", "deadline"),
    "escalation_level_1": ("case_reference", "deadline"),
    "escalation_level_2": ("case_reference", "deadline"),
    "escalation_level_3": ("case_reference", "deadline"),
    # A coordinator or supervisor handed an escalation to the reader: it is theirs to act on now.
    "escalation_handed_over": ("case_reference",),
    "consent_withdrawn": ("case_reference",),
    "case_closed": ("case_reference",),
    "coordinator_summary": (),
    # The steering committee's periodic report is ready: a link to it (page and PDF), never its figures' details.
    "committee_report": ("path",),
}

# Names the engine's services use for the same things (their payloads predate this module).
EVENT_ALIASES = {"referral_service_reported": "service_reported"}
_FIELD_ALIASES = {"reference": "case_reference", "task_name": "step", "due_at": "deadline", "close_reason": "reason"}

MAX_SUMMARY_ITEMS = 200
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
_TASK_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Paths inside the application only: no scheme, no host, no "//" that a browser reads as a host.
_PATH = re.compile(r"^/(?!/)[A-Za-z0-9/_.~%-]*(\?[A-Za-z0-9=&_.~%-]*)?(#[A-Za-z0-9_.-]*)?$")
_LABEL_MAX = 200


@dataclass(frozen=True)
class SummaryItem:
    """One stalled referral in the coordinators' summary."""

    case_reference: str
    step: Mapping[str, str] | None = None
    deadline: datetime | None = None
    provider: str | None = None
    level: int | None = None


@dataclass(frozen=True)
class NotificationContext:
    """Everything a template may show; nothing else exists for it."""

    event: str
    case_reference: str | None = None
    step: Mapping[str, str] | None = None  # language -> label, from the pathway, not the case
    deadline: datetime | None = None
    path: str | None = None
    provider: str | None = None
    redirected_to: str | None = None
    level: int | None = None
    priority: str | None = None
    outcome: str | None = None
    reason: str | None = None
    total: int | None = None
    counts_by_level: Mapping[int, int] = field(default_factory=dict)
    counts_by_provider: Mapping[str, int] = field(default_factory=dict)
    items: tuple[SummaryItem, ...] = ()
    group: bool = False  # a task offered to the reader's team, not to them in particular
    # What happened before an escalation: the step that waited and since when, how many alerts went
    # out before this one, and the task the pathway opened for the reader (a timer drawn as an escalation).
    waiting_step: Mapping[str, str] | None = None
    waiting_since: datetime | None = None
    alerted_before: int | None = None
    opened_step: Mapping[str, str] | None = None


def _fail(event: str, name: str, expected: str) -> NotificationError:
    # Never echo the value: a misplaced name or phone number must not reach logs or errors.
    return NotificationError(f"notification {event!r}: field {name!r} must be {expected}")


def _reference(event: str, name: str, value: object) -> str:
    if not isinstance(value, str) or not _REFERENCE.match(value):
        raise _fail(event, name, "a case reference (letters, digits, . _ / -, at most 64)")
    return value


def _code(event: str, name: str, value: object) -> str:
    if not isinstance(value, str) or not _CODE.match(value):
        raise _fail(event, name, "a code of lowercase letters, digits and _")
    return value


def _text(event: str, name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > _LABEL_MAX:
        raise _fail(event, name, f"a non-empty label of at most {_LABEL_MAX} characters")
    if any(ord(char) < 32 for char in value):
        raise _fail(event, name, "a label on one line")
    return " ".join(value.split())


def _labels(event: str, name: str, value: object) -> dict[str, str]:
    if isinstance(value, str):
        label = _text(event, name, value)
        return {language: label for language in LANGUAGES}
    if isinstance(value, Mapping) and value and all(language in LANGUAGES for language in value):
        return {language: _text(event, name, label) for language, label in value.items()}
    raise _fail(event, name, "a label, or a mapping from 'fr'/'en' to labels")


def _moment(event: str, name: str, value: object) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise _fail(event, name, "an ISO 8601 date and time") from None
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise _fail(event, name, "a timezone-aware date and time")
    return value


def _count(event: str, name: str, value: object, maximum: int = 10**9) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise _fail(event, name, f"a whole number from 0 to {maximum}")
    return value


def _path(event: str, name: str, value: object) -> str:
    if not isinstance(value, str) or len(value) > 300 or not _PATH.match(value):
        raise _fail(event, name, "a path inside the application, such as /referrals/42")
    return value


_FIELDS = {
    "case_reference": _reference,
    "step": _labels,
    "deadline": _moment,
    "path": _path,
    "provider": _text,
    "redirected_to": _text,
    "level": lambda event, name, value: _count(event, name, value, maximum=4),
    "priority": _code,
    "outcome": _code,
    "reason": _code,
    "total": _count,
    "waiting_step": _labels,
    "waiting_since": _moment,
    "alerted_before": lambda event, name, value: _count(event, name, value, maximum=100),
    "opened_step": _labels,
}


def _summary_items(event: str, value: object) -> tuple[SummaryItem, ...]:
    if not isinstance(value, list | tuple):
        raise _fail(event, "items", "a list of stalled referrals")
    items = []
    for index, raw in enumerate(value[:MAX_SUMMARY_ITEMS]):
        if not isinstance(raw, Mapping) or "case_reference" not in raw:
            raise _fail(event, f"items[{index}]", "a mapping with a case_reference")
        allowed = {
            name: _FIELDS[name](event, f"items[{index}].{name}", raw[name])
            for name in ("case_reference", "step", "deadline", "provider", "level")
            if raw.get(name) is not None
        }
        items.append(SummaryItem(**allowed))
    return tuple(items)


def _counts(event: str, name: str, value: object, key_check) -> dict:
    if not isinstance(value, Mapping) or len(value) > 100:
        raise _fail(event, name, "a mapping of at most 100 counts")
    return {key_check(event, name, key): _count(event, name, number) for key, number in value.items()}


def _level_key(event: str, name: str, key: object) -> int:
    if isinstance(key, str) and key.isdigit():
        key = int(key)  # JSON object keys are strings
    return _count(event, name, key, maximum=4)


def canonical_event(event: str) -> str:
    """The template name of an outbox event type."""
    return EVENT_ALIASES.get(event, event)


def _with_derived_fields(payload: Mapping[str, object]) -> dict[str, object]:
    """Read the services' own field names, and derive a link and a step where none is given."""
    fields = dict(payload)
    for alias, name in _FIELD_ALIASES.items():
        if fields.get(name) is None and fields.get(alias) is not None:
            fields[name] = fields[alias]
    if fields.get("outcome") is None and isinstance(fields.get("delivered"), bool):
        fields["outcome"] = "delivered" if fields["delivered"] else "not_delivered"
    if fields.get("step") is None and isinstance(fields.get("sector"), str):
        fields["step"] = {language: code_label(language, "sector", fields["sector"]) for language in LANGUAGES}
    # A path given as None means "no link": the recipient may open none of the event's pages.
    if "path" not in fields:
        task_id, reference = fields.get("task_id"), fields.get("case_reference")
        if isinstance(task_id, int | str) and not isinstance(task_id, bool) and _TASK_ID.match(str(task_id)):
            fields["path"] = f"/tasks/{task_id}"
        elif isinstance(reference, str) and _REFERENCE.match(reference) and "/" not in reference:
            fields["path"] = f"/cases/{reference}"
    return fields


def notification_context(event: str, payload: Mapping[str, object]) -> NotificationContext:
    """Keep only the allowed, well-formed fields of an outbox payload; NotificationError otherwise."""
    event = canonical_event(event)
    if event not in EVENTS:
        raise NotificationError(f"unknown notification event {event!r}")
    if not isinstance(payload, Mapping):
        raise NotificationError(f"notification {event!r}: the payload must be a mapping")
    payload = _with_derived_fields(payload)
    kept: dict[str, object] = {
        name: check(event, name, payload[name])
        for name, check in _FIELDS.items()
        if payload.get(name) is not None
    }
    if payload.get("counts_by_level") is not None:
        kept["counts_by_level"] = _counts(event, "counts_by_level", payload["counts_by_level"], _level_key)
    if payload.get("counts_by_provider") is not None:
        kept["counts_by_provider"] = _counts(event, "counts_by_provider", payload["counts_by_provider"], _text)
    if payload.get("items") is not None:
        kept["items"] = _summary_items(event, payload["items"])
    missing = [name for name in EVENTS[event] if name not in kept]
    if missing:
        raise NotificationError(f"notification {event!r}: missing {', '.join(missing)}")
    if event.startswith("escalation_level_"):
        kept["level"] = int(event.rsplit("_", 1)[1])
    if event == "task_assigned":
        assignee, groups = payload.get("assignee_id"), payload.get("candidate_groups")
        kept["group"] = assignee is None and isinstance(groups, list) and bool(groups)
    return NotificationContext(event=event, **kept)
