"""Reading a user's in-app notifications (the notifications package writes them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.store.models import InAppNotification

PAGE_SIZE = 50


def latest(session: Session, user_id: int, limit: int = PAGE_SIZE) -> list[InAppNotification]:
    """The user's most recent notifications, newest first."""
    return list(
        session.scalars(
            select(InAppNotification)
            .where(InAppNotification.user_id == user_id)
            .order_by(InAppNotification.created_at.desc(), InAppNotification.id.desc())
            .limit(limit)
        )
    )


def unread_count(session: Session, user_id: int) -> int:
    """How many of the user's notifications are unread."""
    return session.scalar(
        select(func.count())
        .select_from(InAppNotification)
        .where(InAppNotification.user_id == user_id, InAppNotification.read_at.is_(None))
    ) or 0


def mark_read(session: Session, user_id: int, notification_id: int, at: datetime) -> None:
    """Mark one of the user's notifications read (NotFound when it is not theirs)."""
    notification = session.get(InAppNotification, notification_id)
    if notification is None or notification.user_id != user_id:
        raise NotFound(f"notification {notification_id} does not exist")
    if notification.read_at is None:
        notification.read_at = at


def mark_all_read(session: Session, user_id: int, at: datetime) -> int:
    """Mark every unread notification of the user read; returns how many."""
    result = session.execute(
        update(InAppNotification)
        .where(InAppNotification.user_id == user_id, InAppNotification.read_at.is_(None))
        .values(read_at=at)
    )
    return result.rowcount or 0
