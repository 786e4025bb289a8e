"""The append-only audit log: who saw or changed which personal data, when and from where."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Index, Integer, String, text
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
        # The sign-in throttle per address counts failures only: a partial index, free for every other row.
        Index("ix_audit_log_failed_sign_in_ip_at", "ip", "at", sqlite_where=text("action = 'sign_in.failed'"),
              postgresql_where=text("action = 'sign_in.failed'")),
        # Rows the sealer has not chained yet (engine.services.audit.chain).
        Index("ix_audit_log_unsealed", "id", sqlite_where=text("chain_seq IS NULL"),
              postgresql_where=text("chain_seq IS NULL")),
        # Unique among sealed rows only: a row is written unsealed, and an entry for its NULL would be
        # one more index page written by every step, for nothing.
        Index("uq_audit_log_chain_seq", "chain_seq", unique=True, sqlite_where=text("chain_seq IS NOT NULL"),
              postgresql_where=text("chain_seq IS NOT NULL")),
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
    # Tamper evidence, written by the sealer after the row is committed (see engine.services.audit.chain):
    # the row's place in the chain and sha256(previous hash + this row's content).
    chain_seq: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    chain_hash: Mapped[str | None] = mapped_column(String(64))


class AuditChainHead(Base):
    """The last sealed link of the audit chain: one row, locked by the one sealer at work."""

    __tablename__ = "audit_chain_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), default=0)
    hash: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime | None]
