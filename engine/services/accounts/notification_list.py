"""A user's in-app notifications, a page at a time (the notifications package writes them)."""

from __future__ import annotations

from sqlalchemy import select

from engine.store.models import InAppNotification
from engine.store.unit_of_work import UnitOfWork


def list_notifications(uow: UnitOfWork, user_id: int, unread_only: bool = False, limit: int = 50,
                       offset: int = 0) -> list[InAppNotification]:
    """The user's notifications, newest first."""
    statement = (
        select(InAppNotification)
        .where(InAppNotification.user_id == user_id)
        .order_by(InAppNotification.created_at.desc(), InAppNotification.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if unread_only:
        statement = statement.where(InAppNotification.read_at.is_(None))
    with uow:
        return list(uow.session.scalars(statement))
