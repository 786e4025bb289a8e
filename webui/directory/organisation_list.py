"""Reading the directory for display (the directory itself is maintained by seed and import)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.store.models import Organisation


def organisations(session: Session) -> list[Organisation]:
    """Every organisation with its services, by name."""
    return list(
        session.scalars(select(Organisation).options(selectinload(Organisation.services)).order_by(Organisation.name))
    )
