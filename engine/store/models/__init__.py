"""Every table of the store; importing this package registers them all on `Base.metadata`."""

from engine.store.models.audit import AuditChainHead, AuditEntry
from engine.store.models.base import Base
from engine.store.models.cases import CaseEvent, CaseRow, CaseSequence, CaseSummaryRow, TaskCandidate, TaskRow
from engine.store.models.coordination import CaseFactRow
from engine.store.models.deadlines import DeadlineRow, EscalationRow
from engine.store.models.directory import (
    ApiToken,
    Organisation,
    OrganisationService,
    ServiceArea,
    User,
    UserGroup,
    UserRole,
)
from engine.store.models.installation import InstallationSettings
from engine.store.models.outbox import DeliveryRow, InAppNotification, InAppRead, NotificationDispatcher, OutboxRow
from engine.store.models.pathways import PathwayDraftRow, PathwayFileRow, PathwayScenarioResultRow, PathwayVersionRow
from engine.store.models.referrals import ConsentRow, ReferralRow, UnmetNeedRow
from engine.store.models.sessions import UserSession

__all__ = [
    "ApiToken",
    "AuditChainHead",
    "AuditEntry",
    "Base",
    "CaseEvent",
    "CaseFactRow",
    "CaseRow",
    "CaseSequence",
    "CaseSummaryRow",
    "ConsentRow",
    "DeadlineRow",
    "DeliveryRow",
    "EscalationRow",
    "InAppNotification",
    "InAppRead",
    "NotificationDispatcher",
    "InstallationSettings",
    "Organisation",
    "OrganisationService",
    "ServiceArea",
    "OutboxRow",
    "PathwayDraftRow",
    "PathwayScenarioResultRow",
    "PathwayFileRow",
    "PathwayVersionRow",
    "ReferralRow",
    "UnmetNeedRow",
    "TaskCandidate",
    "TaskRow",
    "User",
    "UserGroup",
    "UserRole",
    "UserSession",
]
