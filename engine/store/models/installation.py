"""How this installation runs, as its database says: one row, absent until something is set."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models.base import Base

# The one row's id: settings belong to the installation, so there is never a second row.
INSTALLATION_ROW = 1


class InstallationSettings(Base):
    """Installation-wide settings kept in the database, so that every process (web, scheduler, CLI) sees the same."""

    __tablename__ = "installation_settings"
    __table_args__ = (
        CheckConstraint(f"id = {INSTALLATION_ROW}", name="single_row"),
        # The training clock only moves forward: time as the installation sees it never goes back.
        CheckConstraint("clock_offset_seconds >= 0", name="clock_offset_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # Set only by `aiguillage demo` on the database it creates: a demo or training installation,
    # whose clock may be moved forward. Never set on a production database.
    training: Mapped[bool] = mapped_column(default=False)
    # How far the training clock is ahead of the real time (seconds); stays 0 outside training mode.
    clock_offset_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime]
