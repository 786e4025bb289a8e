"""The append-only audit log: who saw or changed which personal data, when and from where."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models.base import Base
from engine.store.models.cases import BigId


# Where the current request comes from (address, user agent), set by the web layer while it serves
# one: every audit row written meanwhile records it, whichever service writes the row and however.
REQUEST_ORIGIN: ContextVar[tuple[str | None, str | None]] = ContextVar("audit_request_origin", default=(None, None))


def _origin_ip() -> str | None:
    return REQUEST_ORIGIN.get()[0]


def _origin_user_agent() -> str | None:
    agent = REQUEST_ORIGIN.get()[1]
    return agent[:512] if agent else None


def request_origin() -> dict[str, str | None]:
    """The `ip` and `user_agent` columns of an audit row written now (for rows written without the ORM)."""
    return {"ip": _origin_ip(), "user_agent": _origin_user_agent()}


class AuditEntry(Base):
    """One read or write of personal data. No foreign keys: the log outlives what it mentions."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_case_at", "case_id", "at"),
        Index("ix_audit_log_user_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime]
    user_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(100))
    case_id: Mapped[int | None]
    ip: Mapped[str | None] = mapped_column(String(64), default=_origin_ip)
    user_agent: Mapped[str | None] = mapped_column(String(512), default=_origin_user_agent)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
