"""Which fields of a marked step's form the engine reads: the pathway names them.

A step marked for the engine (`aiguillage.referral = decide`, `aiguillage.consent = record`, an
escalation task...) carries, in its properties, the ids of the fields its form holds what the engine
reads in (field ids are the pathway's, never the engine's). Each property is optional: a step that
names none keeps today's names, so existing pathways and saved cases run unchanged.

    aiguillage.referral = send
    aiguillage.provider_field           the receiving organisation, a directory slug or id (provider_id)
    aiguillage.referral = acknowledge
    aiguillage.acknowledged_by_field    who acknowledged the referral (acknowledged_by)
    aiguillage.acknowledged_on_field    the day it was acknowledged (acknowledged_on)
    aiguillage.referral = decide
    aiguillage.decision_field           the field whose value is accepted, declined or redirected
                                        (default decision)
    aiguillage.decline_reason_field     the field whose option says why the referral was declined,
                                        kept on the referral as its coded reason (default decline_reason)
    aiguillage.appointment_field        the date field of the appointment, when the referral is
                                        accepted (default appointment_date)
    aiguillage.referral = outcome
    aiguillage.service_delivered_field  the boolean field: was the service delivered (default
                                        service_delivered)
    aiguillage.outcome_note_field       the text kept on the referral as its outcome (default outcome_note)
    aiguillage.referral = unmet
    aiguillage.unmet_reason_field       the field whose option (an `UnmetReason`) records the need as
                                        unmet; left empty, the need is sent on (default unmet_reason)
    aiguillage.unmet_note_field         the text kept with the unmet need (default unmet_note)
    aiguillage.consent = record
    aiguillage.consent_given_field      whether consent was given (consent_given)
    aiguillage.consent_given_by_field   who gave it, a `ConsentGiver` (consent_given_by)
    aiguillage.consent_method_field     how, a `ConsentMethod` (consent_method)
    aiguillage.consent_language_field   the language it was explained in (consent_language)
    aiguillage.consent_scope_field      what providers may receive, a `sharing:` scope (consent_scope)
    aiguillage.child_assent_field       whether the child assented (child_assent)
    aiguillage.consent = refused
    aiguillage.override_requested_field     whether an override is requested (override_requested)
    aiguillage.override_reason_field        why (override_reason)
    aiguillage.override_justification_field the justification kept on the consent (override_justification)
    aiguillage.consent = override
    aiguillage.override_approved_field  whether the supervisor approves it (override_approved)
    aiguillage.consent = withdraw
    aiguillage.withdrawal_note_field    the note kept on the withdrawn consents (withdrawal_note)
    aiguillage.escalation (a task of an escalation chain)
    aiguillage.escalation_action_field  acknowledged or resolved (escalation_action)
    aiguillage.escalation_note_field    the note kept on a resolved escalation (escalation_note)

This module is the one place that knows these properties and their defaults. The services apply
them (`engine.services.referrals`, `engine.services.cases.consents`, `engine.services.escalations.chain`,
`engine.runtime.escalation_chains`), `engine.pathways.rules.step_fields` and `rules.referrals` check
that the form has them, and the JSON API's answers (which speak of today's names: `decision`,
`consent_given`...) reach the fields they name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import astuple, dataclass
from typing import ClassVar

from lxml import etree

from engine.domain import ConsentGiver, ConsentMethod
from engine.pathways.escalation_paths import ESCALATION_PROPERTY, REFERRAL_PROPERTY, property_of

CONSENT_PROPERTY = "aiguillage.consent"
SEND_MOVE = "send"
ACKNOWLEDGE_MOVE = "acknowledge"
DECIDE_MOVE = "decide"
OUTCOME_MOVE = "outcome"
UNMET_MOVE = "unmet"
DECISION_PROPERTY = "aiguillage.decision_field"
DECLINE_REASON_PROPERTY = "aiguillage.decline_reason_field"
APPOINTMENT_PROPERTY = "aiguillage.appointment_field"
DELIVERED_PROPERTY = "aiguillage.service_delivered_field"
OUTCOME_NOTE_PROPERTY = "aiguillage.outcome_note_field"
UNMET_REASON_PROPERTY = "aiguillage.unmet_reason_field"
UNMET_NOTE_PROPERTY = "aiguillage.unmet_note_field"
# The decision field's values the engine acts on, in the referral states they lead to.
DECISION_VALUES = ("accepted", "declined", "redirected")


@dataclass(frozen=True)
class FieldRole:
    """What the engine reads from one field of a step's form, as validation checks it."""

    holds: str  # in words, for validation's messages: "whether consent was given"
    types: tuple[str, ...]  # the form field types that can hold it
    # The engine always reads it: a form without it (named, or today's name) would fail every time.
    always: bool = False
    options: tuple[str, ...] = ()  # the only option ids the engine takes, for an enum (empty: any)


@dataclass(frozen=True)
class StepFields:
    """The ids of the fields of a marked step's form the engine reads: a subclass's dataclass fields,
    today's names their defaults."""

    PROPERTIES: ClassVar[dict[str, str]] = {}  # the step's property naming each field -> the attribute
    # How validation checks each attribute's field (the referral steps' own checks are in rules.referrals).
    ROLES: ClassVar[dict[str, FieldRole]] = {}

    @property
    def names(self) -> tuple[str, ...]:
        """The ids (what the referral keeps in its own columns, not in its answer)."""
        return astuple(self)

    @classmethod
    def declared(cls, properties: Mapping[str, str | None]):
        """The fields a step names in its properties (a task's, as `HumanTask.properties`), the default
        for any it leaves out or leaves blank."""
        declared = {attribute: (properties.get(name) or "").strip() for name, attribute in cls.PROPERTIES.items()}
        return cls(**{attribute: value for attribute, value in declared.items() if value})

    @classmethod
    def property_of(cls, attribute: str) -> str:
        """The step property that names the field of `attribute`."""
        return next(name for name, named in cls.PROPERTIES.items() if named == attribute)

    def in_pathway_words(self, data: Mapping) -> dict:
        """`data` written with the default names (the JSON API's), renamed to this form's fields."""
        renames = dict(zip(type(self)().names, self.names))
        return {renames.get(name, name): value for name, value in data.items()}

    def in_default_words(self, data: Mapping) -> dict:
        """The reverse of `in_pathway_words`: a form's field ids (in the problems of a refused answer)
        named as the JSON API names them."""
        renames = dict(zip(self.names, type(self)().names))
        return {renames.get(name, name): value for name, value in data.items()}


@dataclass(frozen=True)
class SendFields(StepFields):
    """The id of a send step's field naming the organisation the referral goes to."""

    PROPERTIES: ClassVar[dict[str, str]] = {"aiguillage.provider_field": "provider"}
    ROLES: ClassVar[dict[str, FieldRole]] = {
        "provider": FieldRole("the provider the referral goes to", ("string", "enum"), always=True)}

    provider: str = "provider_id"


@dataclass(frozen=True)
class AcknowledgementFields(StepFields):
    """The ids of an acknowledge step's fields: who acknowledged the referral, and on which day. The engine keeps
    neither (the referral's acknowledgement time is the step's); the JSON API's answer names them."""

    PROPERTIES: ClassVar[dict[str, str]] = {
        "aiguillage.acknowledged_by_field": "by", "aiguillage.acknowledged_on_field": "on"}
    ROLES: ClassVar[dict[str, FieldRole]] = {
        "by": FieldRole("who acknowledged the referral", ("string", "enum")),
        "on": FieldRole("the day the referral was acknowledged", ("date", "string")),
    }

    by: str = "acknowledged_by"
    on: str = "acknowledged_on"


@dataclass(frozen=True)
class DecisionFields(StepFields):
    """The ids of a decision form's fields that carry the decision, the decline reason and the appointment."""

    PROPERTIES: ClassVar[dict[str, str]] = {
        DECISION_PROPERTY: "decision", DECLINE_REASON_PROPERTY: "decline_reason", APPOINTMENT_PROPERTY: "appointment"}

    decision: str = "decision"
    decline_reason: str = "decline_reason"
    appointment: str = "appointment_date"


@dataclass(frozen=True)
class OutcomeFields(StepFields):
    """The ids of an outcome form's fields that say whether the service was delivered, and how it went."""

    PROPERTIES: ClassVar[dict[str, str]] = {DELIVERED_PROPERTY: "delivered", OUTCOME_NOTE_PROPERTY: "note"}

    delivered: str = "service_delivered"
    note: str = "outcome_note"


@dataclass(frozen=True)
class UnmetFields(StepFields):
    """The ids of an unmet step's form fields that say why the need is left unmet, and a note on it."""

    PROPERTIES: ClassVar[dict[str, str]] = {UNMET_REASON_PROPERTY: "reason", UNMET_NOTE_PROPERTY: "note"}

    reason: str = "unmet_reason"
    note: str = "unmet_note"


@dataclass(frozen=True)
class ConsentFields(StepFields):
    """The ids of a consent form's fields: whether consent was given, by whom, how, in which language, for
    what scope, and the child's assent."""

    PROPERTIES: ClassVar[dict[str, str]] = {
        "aiguillage.consent_given_field": "given", "aiguillage.consent_given_by_field": "given_by",
        "aiguillage.consent_method_field": "method", "aiguillage.consent_language_field": "language",
        "aiguillage.consent_scope_field": "scope", "aiguillage.child_assent_field": "child_assent"}
    ROLES: ClassVar[dict[str, FieldRole]] = {
        "given": FieldRole("whether consent was given", ("boolean",), always=True),
        "given_by": FieldRole("who gave consent", ("enum",), options=tuple(ConsentGiver)),
        # Required whenever consent is given: without it every consent would be refused.
        "method": FieldRole("how consent was given", ("enum",), always=True, options=tuple(ConsentMethod)),
        "language": FieldRole("the language consent was explained in", ("enum", "string")),
        "scope": FieldRole("what consent lets providers receive", ("enum", "string")),
        "child_assent": FieldRole("whether the child assented", ("boolean",)),
    }

    given: str = "consent_given"
    given_by: str = "consent_given_by"
    method: str = "consent_method"
    language: str = "consent_language"
    scope: str = "consent_scope"
    child_assent: str = "child_assent"


@dataclass(frozen=True)
class OverrideRequestFields(StepFields):
    """The ids of the fields of the step after a refusal: whether an override is requested, why, and its
    justification."""

    PROPERTIES: ClassVar[dict[str, str]] = {
        "aiguillage.override_requested_field": "requested", "aiguillage.override_reason_field": "reason",
        "aiguillage.override_justification_field": "justification"}
    ROLES: ClassVar[dict[str, FieldRole]] = {
        "requested": FieldRole("whether an override is requested", ("boolean",), always=True),
        # Both required when an override is requested: without them none could ever be.
        "reason": FieldRole("why an override is requested", ("enum", "string"), always=True),
        "justification": FieldRole("the override's justification", ("string",), always=True),
    }

    requested: str = "override_requested"
    reason: str = "override_reason"
    justification: str = "override_justification"


@dataclass(frozen=True)
class OverrideDecisionFields(StepFields):
    """The id of the supervisor's field approving (or rejecting) a requested override."""

    PROPERTIES: ClassVar[dict[str, str]] = {"aiguillage.override_approved_field": "approved"}
    ROLES: ClassVar[dict[str, FieldRole]] = {
        "approved": FieldRole("whether the override is approved", ("boolean",), always=True)}

    approved: str = "override_approved"


@dataclass(frozen=True)
class WithdrawalFields(StepFields):
    """The id of a withdrawal step's note, kept on the withdrawn consents only."""

    PROPERTIES: ClassVar[dict[str, str]] = {"aiguillage.withdrawal_note_field": "note"}
    ROLES: ClassVar[dict[str, FieldRole]] = {"note": FieldRole("the note on the withdrawal", ("string",))}

    note: str = "withdrawal_note"


@dataclass(frozen=True)
class EscalationFields(StepFields):
    """The ids of an escalation task's fields: what was done about the escalation, and a note on it."""

    PROPERTIES: ClassVar[dict[str, str]] = {
        "aiguillage.escalation_action_field": "action", "aiguillage.escalation_note_field": "note"}
    ROLES: ClassVar[dict[str, FieldRole]] = {
        "action": FieldRole("what was done about the escalation", ("enum", "string")),
        "note": FieldRole("the note on the escalation", ("string",)),
    }

    action: str = "escalation_action"
    note: str = "escalation_note"


DEFAULT_FIELDS = DecisionFields()
FIELDS_OF_MOVE: dict[str, type[StepFields]] = {
    SEND_MOVE: SendFields, ACKNOWLEDGE_MOVE: AcknowledgementFields, DECIDE_MOVE: DecisionFields,
    OUTCOME_MOVE: OutcomeFields, UNMET_MOVE: UnmetFields}
FIELDS_OF_CONSENT_STEP: dict[str, type[StepFields]] = {
    "record": ConsentFields, "refused": OverrideRequestFields, "override": OverrideDecisionFields,
    "withdraw": WithdrawalFields}


def kind_of(properties: Mapping[str, str | None], escalation_task: bool = False) -> type[StepFields] | None:
    """Which fields a step with these properties reads (None for a step whose form the engine does not read);
    `escalation_task`: an escalation timer opens the step (`escalation_paths.escalation_tasks`), which makes
    an unmarked step an escalation task as much as ``aiguillage.escalation`` does."""
    move = (properties.get(REFERRAL_PROPERTY) or "").strip()
    if move:
        return FIELDS_OF_MOVE.get(move)
    consent = (properties.get(CONSENT_PROPERTY) or "").strip()
    if consent:
        return FIELDS_OF_CONSENT_STEP.get(consent)
    if escalation_task or (properties.get(ESCALATION_PROPERTY) or "").strip():
        return EscalationFields
    return None


def fields_of_step(properties: Mapping[str, str | None]) -> StepFields | None:
    """The fields a marked step names (None for a step whose form the engine does not read)."""
    kind = kind_of(properties)
    return kind.declared(properties) if kind is not None else None


def step_fields(move: str, properties: Mapping[str, str | None]) -> StepFields | None:
    """The fields a referral step of this move names (None for a move whose form the engine does not read)."""
    kind = FIELDS_OF_MOVE.get(move)
    return kind.declared(properties) if kind is not None else None


def decision_fields(properties: Mapping[str, str | None]) -> DecisionFields:
    """The fields a decide step names in its properties."""
    return DecisionFields.declared(properties)


def drawn_properties(element: etree._Element) -> dict[str, str]:
    """The marks and field properties drawn on a diagram element that `kind_of` reads (blank ones left out)."""
    names = {REFERRAL_PROPERTY, CONSENT_PROPERTY, ESCALATION_PROPERTY}
    names |= {name for kinds in (FIELDS_OF_MOVE, FIELDS_OF_CONSENT_STEP) for kind in kinds.values()
              for name in kind.PROPERTIES}
    names |= set(EscalationFields.PROPERTIES)
    found = {name: (property_of(element, name) or "").strip() for name in names}
    return {name: value for name, value in found.items() if value}


def declared_properties(element: etree._Element, move: str = DECIDE_MOVE) -> dict[str, str]:
    """The field properties of this referral move drawn on a diagram element, by property name (blank ones left out)."""
    found = {name: (property_of(element, name) or "").strip() for name in FIELDS_OF_MOVE[move].PROPERTIES}
    return {name: value for name, value in found.items() if value}


def decision_fields_of(element: etree._Element) -> DecisionFields:
    """`decision_fields` of a decide step as drawn in the diagram."""
    return decision_fields(declared_properties(element))


def marked_steps(root: etree._Element, mark: str, value: str) -> list[etree._Element]:
    """The elements of a diagram marked `mark = value`."""
    return [element for element in root.iter() if isinstance(element.tag, str)
            and (property_of(element, mark) or "").strip() == value]


def decide_steps(root: etree._Element) -> list[etree._Element]:
    """The elements of a diagram marked `aiguillage.referral = decide`."""
    return marked_steps(root, REFERRAL_PROPERTY, DECIDE_MOVE)
