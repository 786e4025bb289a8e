"""Notifications written in the step's transaction, their deliveries and in-app copies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.domain import DeliveryChannel, DeliveryStatus
from engine.store.models.base import Base
from engine.store.models.cases import BigId
from engine.store.types import enum_column


class OutboxRow(Base):
    """Something happened that people must hear about; the payload carries no personal data."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_dispatched_created", "dispatched_at", "created_at"),)

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


class InAppNotification(Base):
    """A notification in a user's list in the web application."""

    __tablename__ = "in_app_notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "outbox_id"),
        Index("ix_in_app_notifications_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"))
    # Rendered in the user's language when delivered; no personal data.
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
