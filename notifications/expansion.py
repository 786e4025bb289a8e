"""Expanding outbox rows into deliveries: one per recipient and channel (unique, so expanding twice creates nothing new).

A task offered to whole groups (nobody in particular) is one in-app delivery for the group, not
one per member, and email only to the members who chose group-task email (daily digest unless
they asked for it at once). The person whose own step created a "new task", or who handed an
escalation over, is never told.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from engine.domain import DeliveryChannel, DeliveryStatus
from engine.errors import NotificationError
from engine.store.models import DeliveryRow, OutboxRow, User
from engine.store.write_lock import lock_for_writing
from notifications.context import canonical_event
from notifications.recipients import (
    default_rules,
    enabled_channels,
    first_attempt_at,
    group_task_of,
    preferences_of,
    resolve_many,
)
from notifications.sending import Channels
from notifications.settings import NotificationSettings

if TYPE_CHECKING:
    from notifications.dispatcher import DispatchReport


def expand(uow_factory, channels: Channels, now: datetime, batch_size: int, report: DispatchReport) -> int:
    """Turn up to `batch_size` new outbox rows into deliveries; the number of rows taken."""
    with uow_factory() as uow:
        lock_for_writing(uow)
        session = uow.session
        # Plain rows and one UPDATE for the batch: the ORM's loading and flushing of each outbox
        # row cost more than the statements.
        rows = session.execute(_NEW_EVENTS.limit(batch_size)).all()
        deliveries, problems = [], []
        recipients = resolve_many(session, {row.id: _rules(session, row) for row in rows})
        for row in rows:
            users = recipients[row.id]
            if isinstance(users, NotificationError):
                problems.append(f"outbox {row.id}: {users}")
                users = []
            payload = row.payload if isinstance(row.payload, dict) else {}
            group_task = group_task_of(row.event_type, payload)
            if canonical_event(row.event_type) in OWN_ACTS:
                users = [user for user in users if user.id != payload.get("actor_id")]  # not for one's own step
            if group_task is not None:
                deliveries.append(_delivery(row.id, f"group-task:{group_task}"[:320], None, None,
                                            DeliveryChannel.IN_APP, now, now))
            for user in users:
                prefs = preferences_of(user)
                for channel in enabled_channels(prefs, channels.available, group_task=group_task is not None):
                    due = first_attempt_at(row.event_type, channel, prefs, now, channels.settings.digest_hour,
                                           group_task=group_task is not None)
                    deliveries.append(_delivery(row.id, f"user:{user.id}", user.id,
                                                _address(channel, user, channels.settings), channel, due, now))
        if rows:
            session.execute(_DISPATCHED, {"now": now, "ids": [row.id for row in rows]})
        if deliveries:
            insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
            statement = insert(DeliveryRow.__table__).on_conflict_do_nothing(
                index_elements=["outbox_id", "recipient_key", "channel"]
            )
            session.execute(statement, deliveries)
        uow.commit()
    report.problems.extend(problems)
    report.events_expanded += len(rows)
    report.deliveries_created += len(deliveries)
    return len(rows)


# Events about something a person did themselves (a task their step created, an escalation they
# handed over): never news to that person.
OWN_ACTS = frozenset({"task_assigned", "escalation_handed_over"})

_outbox = OutboxRow.__table__
_NEW_EVENTS = (
    select(_outbox.c.id, _outbox.c.event_type, _outbox.c.case_id, _outbox.c.payload)
    .where(_outbox.c.dispatched_at.is_(None))
    .order_by(_outbox.c.created_at, _outbox.c.id)
    .with_for_update(skip_locked=True)
)
_DISPATCHED = (
    update(_outbox).where(_outbox.c.id.in_(bindparam("ids", expanding=True))).values(dispatched_at=bindparam("now"))
)


def _delivery(outbox_id: int, key: str, user_id: int | None, address: str | None, channel: DeliveryChannel,
              due: datetime, now: datetime) -> dict:
    return {
        "outbox_id": outbox_id,
        "recipient_key": key,
        "recipient_user_id": user_id,
        "address": address,
        "channel": channel,
        "status": DeliveryStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": due,
        "created_at": now,
    }


def _rules(session, row) -> object:
    payload = row.payload if isinstance(row.payload, dict) else {}
    if "recipients" in payload:
        return payload["recipients"]
    return default_rules(session, row.event_type, payload, row.case_id)


def _address(channel: DeliveryChannel, user: User, settings: NotificationSettings) -> str | None:
    if channel is DeliveryChannel.EMAIL:
        return user.email
    if channel is DeliveryChannel.WEBHOOK:
        return settings.webhook_url
    return None
