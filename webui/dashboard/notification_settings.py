"""A user's choice of notification channels and of immediate or daily-digest email.

Stored in `users.notification_prefs` with the keys the dispatcher reads (`email`, `in_app`,
`webhook`, `digest`, `group_tasks`; see notifications/README.md); the defaults are the dispatcher's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from engine.domain import DeliveryChannel
from engine.errors import NotFound
from engine.store.models import AuditEntry, User
from notifications.recipients import GROUP_TASK_EMAIL, preferences_of

KEYS = ("email", "in_app", "webhook", "digest")


@dataclass(frozen=True)
class NotificationChoices:
    """What the user chose, as the settings page shows it."""

    email: bool
    in_app: bool
    webhook: bool
    digest: bool
    has_email: bool  # without an address, email cannot be chosen
    group_tasks: str = "off"  # email about work offered to my team: off, in the digest, or at once


def choices_of(session: Session, user_id: int) -> NotificationChoices:
    """The user's current choices (the dispatcher's defaults where they chose nothing)."""
    user = _user(session, user_id)
    prefs = preferences_of(user)
    return NotificationChoices(
        email=DeliveryChannel.EMAIL in prefs.channels,
        in_app=DeliveryChannel.IN_APP in prefs.channels,
        webhook=DeliveryChannel.WEBHOOK in prefs.channels,
        digest=prefs.digest,
        has_email=bool(user.email),
        group_tasks=prefs.group_tasks,
    )


def save_choices(session: Session, user_id: int, chosen: dict[str, bool], at: datetime, group_tasks: str = "off") -> None:
    """Store the user's choices (every key, so later default changes do not override them), audited."""
    user = _user(session, user_id)
    prefs = {key: bool(chosen.get(key)) for key in KEYS}
    prefs["group_tasks"] = group_tasks if group_tasks in GROUP_TASK_EMAIL else "off"
    if prefs != user.notification_prefs:
        user.notification_prefs = prefs
        session.add(AuditEntry(at=at, user_id=user_id, action="account.notification_prefs_changed", object_type="user",
                               object_id=user.username[:100], details=prefs))


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist")
    return user
