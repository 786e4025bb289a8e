"""Reading the users of an organisation for administrators."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.store.models import User


def users_of_organisation(session: Session, organisation_id: int) -> list[User]:
    """The organisation's users (active or not), by username."""
    return list(
        session.scalars(
            select(User)
            .where(User.organisation_id == organisation_id)
            .options(selectinload(User.role_rows))
            .order_by(User.username)
        )
    )
