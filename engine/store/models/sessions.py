"""Signed-in web sessions, kept on the server so that signing out ends them everywhere."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models.base import Base


class UserSession(Base):
    """One signed-in browser session; the cookie holds a random token whose hash is stored here."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Only the hash: a copy of this table must not let anyone sign in.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    # Set by sign-out, a password change or the account being disabled; an ended session never comes back.
    ended_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(512))
