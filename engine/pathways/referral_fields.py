"""Which fields of a referral step's form the engine reads: the pathway names them.

The steps marked `aiguillage.referral = decide`, `outcome` and `unmet` carry, in their properties,
the ids of their form's fields that say what the provider decided, whether the service was
delivered, and why a need is left unmet (field ids are the pathway's, never the engine's):

    decide
    aiguillage.decision_field           the field whose value is accepted, declined or redirected
                                        (default decision)
    aiguillage.decline_reason_field     the field whose option says why the referral was declined,
                                        kept on the referral as its coded reason (default decline_reason)
    aiguillage.appointment_field        the date field of the appointment, when the referral is
                                        accepted (default appointment_date)
    outcome
    aiguillage.service_delivered_field  the boolean field: was the service delivered (default
                                        service_delivered)
    aiguillage.outcome_note_field       the text kept on the referral as its outcome (default outcome_note)
    unmet
    aiguillage.unmet_reason_field       the field whose option (an `UnmetReason`) records the need as
                                        unmet; left empty, the need is sent on (default unmet_reason)
    aiguillage.unmet_note_field         the text kept with the unmet need (default unmet_note)

A pathway that names none keeps today's names. `engine.services.referrals.steps` and `unmet` apply
them, `engine.pathways.rules.referrals` checks that the form has them, and the JSON API's answers
(which speak of today's names: `decision`, `service_delivered`...) reach the fields they name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import astuple, dataclass
from typing import ClassVar

from lxml import etree

from engine.pathways.escalation_paths import REFERRAL_PROPERTY, property_of

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
class StepFields:
    """The ids of the fields of a referral step's form the engine reads: a subclass's dataclass fields,
    today's names their defaults."""

    PROPERTIES: ClassVar[dict[str, str]] = {}  # the step's property naming each field -> the attribute

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


DEFAULT_FIELDS = DecisionFields()
FIELDS_OF_MOVE: dict[str, type[StepFields]] = {
    DECIDE_MOVE: DecisionFields, OUTCOME_MOVE: OutcomeFields, UNMET_MOVE: UnmetFields}


def step_fields(move: str, properties: Mapping[str, str | None]) -> StepFields | None:
    """The fields a step of this move names (None for a move whose form the engine does not read)."""
    kind = FIELDS_OF_MOVE.get(move)
    return kind.declared(properties) if kind is not None else None


def decision_fields(properties: Mapping[str, str | None]) -> DecisionFields:
    """The fields a decide step names in its properties."""
    return DecisionFields.declared(properties)


def declared_properties(element: etree._Element, move: str = DECIDE_MOVE) -> dict[str, str]:
    """The field properties of this move drawn on a diagram element, by property name (blank ones left out)."""
    found = {name: (property_of(element, name) or "").strip() for name in FIELDS_OF_MOVE[move].PROPERTIES}
    return {name: value for name, value in found.items() if value}


def decision_fields_of(element: etree._Element) -> DecisionFields:
    """`decision_fields` of a decide step as drawn in the diagram."""
    return decision_fields(declared_properties(element))


def decide_steps(root: etree._Element) -> list[etree._Element]:
    """The elements of a diagram marked `aiguillage.referral = decide`."""
    return [element for element in root.iter() if isinstance(element.tag, str)
            and (property_of(element, REFERRAL_PROPERTY) or "").strip() == DECIDE_MOVE]
