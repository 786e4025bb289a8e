"""Expanding outbox rows into deliveries: one per recipient and channel (unique, so expanding twice creates nothing new).

A task offered to whole groups (nobody in particular) is one in-app delivery for the group, not
one per member, and email only to the members who chose group-task email (daily digest unless
they asked for it at once). The person whose own step created a "new task" is never told.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from engine.domain import DeliveryChannel, DeliveryStatus
from engine.errors import NotificationError
from engine.store.models import DeliveryRow, OutboxRow, User
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
        session = uow.session
        rows = session.scalars(
            select(OutboxRow)
            .where(OutboxRow.dispatched_at.is_(None))
            .order_by(OutboxRow.created_at, OutboxRow.id)
            .limit(batch_size)
            .with_for_update(skip_locked=True)
        ).all()
        deliveries, problems = [], []
        recipients = resolve_many(session, {row.id: _rules(session, row) for row in rows})
        for row in rows:
            users = recipients[row.id]
            if isinstance(users, NotificationError):
                problems.append(f"outbox {row.id}: {users}")
                users = []
            payload = row.payload if isinstance(row.payload, dict) else {}
            group_task = group_task_of(row.event_type, payload)
            if canonical_event(row.event_type) == "task_assigned":
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
            row.dispatched_at = now
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


def _rules(session, row: OutboxRow) -> object:
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
