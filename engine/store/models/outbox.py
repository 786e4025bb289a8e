"""Notifications written in the step's transaction, their deliveries and in-app copies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.domain import DeliveryChannel, DeliveryStatus
from engine.store.models.base import Base
from engine.store.models.cases import BigId
from engine.store.types import enum_column


class OutboxRow(Base):
    """Something happened that people must hear about; the payload carries no personal data."""

    __tablename__ = "outbox"
    # The dispatcher's queue: events not dispatched yet, oldest first. Dispatched events leave it.
    __table_args__ = (Index("ix_outbox_undispatched", "created_at", "id", sqlite_where=text("dispatched_at IS NULL"),
                            postgresql_where=text("dispatched_at IS NULL")),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    # Set once recipients were resolved into deliveries.
    dispatched_at: Mapped[datetime | None]


class DeliveryRow(Base):
    """One outbox event for one recipient on one channel: sent at most once."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("outbox_id", "recipient_key", "channel"),
        Index("ix_deliveries_status_next_attempt", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"))
    # "user:<id>" for a user, else the address or URL itself: makes (outbox, recipient, channel) unique.
    recipient_key: Mapped[str] = mapped_column(String(320))
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    address: Mapped[str | None] = mapped_column(String(320))
    channel: Mapped[DeliveryChannel] = mapped_column(enum_column(DeliveryChannel, "delivery_channel"))
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, "delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]
    # The dispatcher holding the current attempt: its claims go back to the queue once its
    # heartbeat stops (NotificationDispatcher), without waiting for the lease.
    claimed_by: Mapped[str | None] = mapped_column(String(100))


class NotificationDispatcher(Base):
    """A dispatcher pass at work, beating while it holds claims; a stale beat means it died."""

    __tablename__ = "notification_dispatchers"

    worker_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    beat_at: Mapped[datetime]


class InAppNotification(Base):
    """A notification in a user's list in the web application, or one item for a whole group.

    A group task is one row without a user: it shows to each member of the task's candidate
    groups while the task is offered to them (its `task_candidates` rows), and is gone once
    someone takes it or it ends; handed back to the group, it takes the time it came back, and its
    members' reads are dropped (`in_app_reads`) but for the one who handed it back, also when it is
    written only after the hand-back. A user's own "new task" item shows as done once the
    task is done or no longer theirs, any other item about a task once the task is done, an
    escalation's alert once the escalation is resolved or overtaken (read from the task, referral or
    escalation, so nothing is deleted or rewritten for it).
    """

    __tablename__ = "in_app_notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "outbox_id"),
        Index("ix_in_app_notifications_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"))
    # The task the item is about, if any: a group item's audience, a user item's "done".
    task_id: Mapped[str | None] = mapped_column(String(64), index=True)
    # Whose step caused it: never shown to that person.
    caused_by_id: Mapped[int | None]
    # {"fr": {"title": ..., "sentence": ...}, "en": {...}}: each reader reads their language.
    texts: Mapped[dict[str, Any] | None]
    # Rendered in the user's language when delivered; no personal data.
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class InAppRead(Base):
    """When one member read a group item (a user's own items carry their read time themselves)."""

    __tablename__ = "in_app_reads"

    notification_id: Mapped[int] = mapped_column(
        ForeignKey("in_app_notifications.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    read_at: Mapped[datetime]
