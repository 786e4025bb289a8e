"""Reading a user's in-app notifications (the notifications package writes them)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

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
