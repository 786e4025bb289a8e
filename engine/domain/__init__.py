"""The referral domain's vocabulary: enums and small value types (standard library only)."""

from engine.domain.enums import (
    CaseStatus,
    CloseReason,
    ConsentGiver,
    ConsentMethod,
    DeadlineKind,
    DeliveryChannel,
    DeliveryStatus,
    EscalationStatus,
    Language,
    OrganisationKind,
    Priority,
    RiskLevel,
    Role,
    Sector,
    TaskState,
    UnmetReason,
)
from engine.domain.referral_states import ReferralState

__all__ = [
    "CaseStatus",
    "CloseReason",
    "ConsentGiver",
    "ConsentMethod",
    "DeadlineKind",
    "DeliveryChannel",
    "DeliveryStatus",
    "EscalationStatus",
    "Language",
    "OrganisationKind",
    "Priority",
    "ReferralState",
    "RiskLevel",
    "Role",
    "Sector",
    "TaskState",
    "UnmetReason",
]
