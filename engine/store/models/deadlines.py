"""The deadline index (pending due times only) and the escalations fired from it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.domain import DeadlineKind, EscalationStatus
from engine.store.models.base import Base
from engine.store.types import enum_column


class DeadlineRow(Base):
    """A pending due time of a case; deleted when it no longer applies, so sweeps never scan cases."""

    __tablename__ = "deadlines"
    __table_args__ = (UniqueConstraint("case_id", "kind", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[DeadlineKind] = mapped_column(enum_column(DeadlineKind, "deadline_kind"))
    # What the deadline is about: a task id, a referral id, or a timer's task id.
    ref: Mapped[str] = mapped_column(String(100))
    due_at: Mapped[datetime] = mapped_column(index=True)
    # Escalation steps already taken for this deadline.
    level: Mapped[int] = mapped_column(default=0)
    # A sweeper's lease, so a killed sweeper's claims come back when the lease ends.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]


class EscalationRow(Base):
    """One escalation step taken once for a deadline: who was alerted, why, and what happened next."""

    __tablename__ = "escalations"
    __table_args__ = (
        UniqueConstraint("case_id", "deadline_kind", "deadline_ref", "level"),
        Index("ix_escalations_status_at", "status", "at"),
        Index("ix_escalations_referral", "referral_id"),
        Index("ix_escalations_at", "at"),  # indicators: escalations raised in a period
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    deadline_kind: Mapped[DeadlineKind] = mapped_column(enum_column(DeadlineKind, "deadline_kind"))
    deadline_ref: Mapped[str] = mapped_column(String(100))
    level: Mapped[int]
    at: Mapped[datetime]  # when it was raised (the sweep or step that saw the deadline passed)
    due_at: Mapped[datetime | None]  # the deadline that was missed (None on rows raised before it was kept)
    reason: Mapped[str] = mapped_column(Text)
    alerted: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"users": [...], "roles": [...]}
    status: Mapped[EscalationStatus] = mapped_column(
        enum_column(EscalationStatus, "escalation_status"), default=EscalationStatus.OPEN
    )
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]
    resolution_note: Mapped[str | None] = mapped_column(Text)
    reassigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
