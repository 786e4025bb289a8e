"""States and categories of the referral mechanism; the values are what the database stores."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user may do; a user holds one or more roles within their organisation."""

    CASEWORKER = "caseworker"  # identifies, assesses, obtains consent, refers, follows up
    SUPERVISOR = "supervisor"  # approves plans and closures; first level of escalation
    PROVIDER_FOCAL_POINT = "provider_focal_point"  # answers referrals addressed to their organisation
    COORDINATOR = "coordinator"  # MNR secretariat: mechanism-wide view, receives escalations
    SOP_AUTHOR = "sop_author"  # writes, validates and publishes pathways
    ADMIN = "admin"  # manages users and organisations


class OrganisationKind(StrEnum):
    """The kind of body an organisation of the mechanism is."""

    MINISTRY = "ministry"  # a government department or its regional delegation
    UN_AGENCY = "un_agency"  # UNICEF, UNHCR, WHO...
    NGO = "ngo"  # national or international non-governmental organisation
    IOM = "iom"  # the International Organization for Migration
    PRIVATE = "private"  # a private clinic, training centre, employer
    OTHER = "other"  # anything else (community body, religious institution)


class Sector(StrEnum):
    """The service categories a need, a referral and a provider's offer belong to."""

    HEALTH = "health"  # medical care
    MHPSS = "mhpss"  # mental health and psychosocial support
    SHELTER = "shelter"  # emergency or transitional accommodation
    FOOD_NFI = "food_nfi"  # food and non-food items
    LEGAL_DOCUMENTATION = "legal_documentation"  # legal aid, civil documentation
    FAMILY_TRACING = "family_tracing"  # family tracing and reunification
    CHILD_PROTECTION = "child_protection"  # best-interest procedures, alternative care
    EDUCATION_TRAINING = "education_training"  # schooling and vocational training
    ECONOMIC_REINTEGRATION = "economic_reintegration"  # employment, micro-business
    CASH = "cash"  # cash or voucher assistance


class UnmetReason(StrEnum):
    """Why a need was left without a provider (recorded so that coordination sees the gap)."""

    NO_PROVIDER = "no_provider"  # no provider offers the service
    FULL = "full"  # the providers that offer it have no capacity
    OUT_OF_AREA = "out_of_area"  # no provider works where the person lives
    REFUSED_BY_PERSON = "refused_by_person"  # the person did not want the service
    DECLINED = "declined"  # the providers asked declined it
    NO_RESPONSE = "no_response"  # the provider asked never answered (its referral expired)
    OTHER = "other"


class Priority(StrEnum):
    """How fast a case or referral must be served (time to service: 24 h, 72 h, 2 weeks by default)."""

    EMERGENCY = "emergency"  # life or safety at stake
    URGENT = "urgent"  # harm likely without quick action
    NORMAL = "normal"  # everything else

    @property
    def rank(self) -> int:
        """Sort key: 0 is the most pressing."""
        return _PRIORITY_RANKS[self]


_PRIORITY_RANKS = {priority: rank for rank, priority in enumerate(Priority)}


class RiskLevel(StrEnum):
    """The caseworker's assessment of the risk the person faces."""

    HIGH = "high"  # immediate danger: violence, trafficking, a life-threatening condition
    MEDIUM = "medium"  # serious vulnerability without immediate danger
    LOW = "low"  # needs support, no particular risk identified


class Language(StrEnum):
    """The interface and notification languages."""

    FR = "fr"  # the default: most users work in French
    EN = "en"  # for English-speaking regions and international staff


class CaseStatus(StrEnum):
    """Whether a case is being worked on; "needs attention" is a separate flag on an open case."""

    OPEN = "open"  # the pathway is running
    CLOSED = "closed"  # closure approved; may be reopened


class CloseReason(StrEnum):
    """Why a case was closed."""

    NEEDS_MET = "needs_met"  # the reintegration plan's needs were met
    UNREACHABLE = "unreachable"  # after documented attempts to reach the person
    CONSENT_WITHDRAWN = "consent_withdrawn"  # the person withdrew consent; pending referrals were revoked
    TRANSFERRED = "transferred"  # moved, or handed to another mechanism
    DECEASED = "deceased"  # recorded so the case is not followed up again
    OTHER = "other"  # explained in the closure note


class TaskState(StrEnum):
    """The life of a human task in the inbox."""

    OPEN = "open"  # ready: waiting for someone to do it
    COMPLETED = "completed"  # done, with the form data submitted
    CANCELLED = "cancelled"  # no longer needed (boundary event, case closed, branch cancelled)


class ConsentGiver(StrEnum):
    """Who gave consent."""

    PERSON = "person"  # the beneficiary themselves
    CAREGIVER = "caregiver"  # for a child or a person unable to consent; child assent recorded apart


class ConsentMethod(StrEnum):
    """How consent was recorded."""

    SIGNATURE = "signature"  # signed consent form
    THUMBPRINT = "thumbprint"  # for a person who cannot sign
    VERBAL_WITNESSED = "verbal_witnessed"  # oral consent in front of a named witness


class DeadlineKind(StrEnum):
    """What a pending due time in the deadline index stands for."""

    BPMN_TIMER = "bpmn_timer"  # a timer event of the workflow, from waiting_events()
    TASK_DUE = "task_due"  # a human task's due date (camunda:dueDate or priority default)
    REFERRAL_ACK = "referral_ack"  # the provider must acknowledge receipt by then
    REFERRAL_SERVICE = "referral_service"  # the service must be delivered by then
    FOLLOW_UP = "follow_up"  # a task's follow-up date (camunda:followUpDate)


class EscalationStatus(StrEnum):
    """Where a coordinator is with an escalation."""

    OPEN = "open"  # raised, nobody has reacted yet
    ACKNOWLEDGED = "acknowledged"  # someone is looking at it
    RESOLVED = "resolved"  # dealt with; stops further levels
    OVERTAKEN = "overtaken"  # the step it waited on was done (acknowledged, decided, delivered, revoked)


class DeliveryChannel(StrEnum):
    """How a notification reaches its recipient."""

    EMAIL = "email"  # over SMTP, without personal data
    IN_APP = "in_app"  # the user's list of notifications in the web application
    WEBHOOK = "webhook"  # HTTP POST to a gateway (SMS, messaging)


class DeliveryStatus(StrEnum):
    """Where one delivery of a notification is."""

    PENDING = "pending"  # not tried yet, or waiting for its next attempt
    SENT = "sent"  # accepted by the channel; never sent again
    FAILED = "failed"  # the last attempt failed; will be retried
    DEAD = "dead"  # gave up after the maximum number of attempts; shown to admins
    SKIPPED = "skipped"  # not sent: the task it announced was done or taken before it went out
