"""Referrals to providers and the consents that allow them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.domain import ConsentGiver, ConsentMethod, Priority, ReferralState, Sector, UnmetReason
from engine.store.models.base import Base
from engine.store.types import enum_column


class ReferralRow(Base):
    """One need of a case sent to one provider, with the time of each move."""

    __tablename__ = "referrals"
    __table_args__ = (
        Index("ix_referrals_case", "case_id"),
        Index("ix_referrals_provider_state", "provider_organisation_id", "state"),
        # A provider's referrals page: its latest referrals first, read in index order and stopped at the page size.
        Index("ix_referrals_provider_updated", "provider_organisation_id", "updated_at", "id"),
        Index("ix_referrals_state_escalation", "state", "escalation_level"),
        # The attention page: emergencies declined lately (state and priority, then a range of times).
        Index("ix_referrals_state_priority_updated", "state", "priority", "updated_at"),
        Index("ix_referrals_sent_at", "sent_at"),  # indicators: referrals sent in a period
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    need_key: Mapped[str] = mapped_column(String(100))
    sector: Mapped[Sector] = mapped_column(enum_column(Sector, "sector"))
    priority: Mapped[Priority] = mapped_column(enum_column(Priority, "priority"), default=Priority.NORMAL)
    # None until the caseworker chooses a provider.
    provider_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    state: Mapped[ReferralState] = mapped_column(
        enum_column(ReferralState, "referral_state"), default=ReferralState.DRAFT
    )
    # The consent that allowed sending it, for the audit of who shared what under which consent.
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consents.id"))
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]  # accepted, declined or redirected
    appointment_at: Mapped[datetime | None]  # when the appointment is (not when it was booked)
    outcome_at: Mapped[datetime | None]  # delivered or not delivered reported
    closed_at: Mapped[datetime | None]  # reached a final state
    decline_reason: Mapped[str | None] = mapped_column(Text)
    redirected_from_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    # Names of the case fields this provider may see (consented AND needed for the service).
    shared_fields: Mapped[list[Any]] = mapped_column(default=list)
    # What the caseworker wrote to the provider on the send form (service requested, reason, safety).
    request: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    # What the provider wrote with its decision, beside the decision and its coded reason (the
    # provider it suggests instead, the appointment): read by whoever sends the need again.
    answer: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    # Sensitive free text: never put in a notification.
    outcome_note: Mapped[str | None] = mapped_column(Text)
    escalation_level: Mapped[int] = mapped_column(default=0)
    # The multi-instance key of the referral sub-process in the workflow.
    instance_key: Mapped[str | None] = mapped_column(String(100))


class UnmetNeedRow(Base):
    """A need of a case that no provider will serve, and why: listed for the coordinators; the case goes on."""

    __tablename__ = "unmet_needs"
    __table_args__ = (
        Index("ix_unmet_needs_case", "case_id"),
        Index("ix_unmet_needs_recorded_at", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    # The last referral of the need, when one was sent (declined, or redirected with no taker).
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    sector: Mapped[Sector] = mapped_column(enum_column(Sector, "sector"))
    region: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[UnmetReason] = mapped_column(enum_column(UnmetReason, "unmet_reason"))
    # Sensitive free text: never put in a notification.
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ConsentRow(Base):
    """An informed consent to share a case's data with some services and recipients."""

    __tablename__ = "consents"
    __table_args__ = (
        Index("ix_consents_case", "case_id", "recorded_at"),
        # The attention page: overrides waiting for approval, oldest first (without it, every case is probed).
        Index("ix_consents_override_waiting", "is_override", "override_approved_at", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    given: Mapped[bool]  # False records a refusal
    given_by: Mapped[ConsentGiver] = mapped_column(enum_column(ConsentGiver, "consent_giver"))
    child_assent: Mapped[bool | None]  # None when the person is not a child
    method: Mapped[ConsentMethod] = mapped_column(enum_column(ConsentMethod, "consent_method"))
    witness_name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(16))
    scope_services: Mapped[list[Any]] = mapped_column(default=list)  # sectors
    # Organisation ids, or the string "signed_providers" (any provider with MoU and data sharing signed).
    scope_recipients: Mapped[list[Any]] = mapped_column(default=list)
    withheld_fields: Mapped[list[Any]] = mapped_column(default=list)
    # The consent form's scope (minimum_necessary, including_health...): the pathway's sharing rule
    # says which fields each scope lets a provider of each sector receive.
    scope: Mapped[str | None] = mapped_column(String(64))
    recorded_at: Mapped[datetime]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    # Emergency or child-protection override: needs a justification and a supervisor's approval.
    is_override: Mapped[bool] = mapped_column(default=False)
    override_justification: Mapped[str | None] = mapped_column(Text)
    override_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    override_approved_at: Mapped[datetime | None]
