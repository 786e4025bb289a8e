"""Which fields of a referral's decision form the engine reads: the pathway names them.

The step marked `aiguillage.referral = decide` carries, in its properties, the ids of its form's
fields that say what the provider decided (field ids are the pathway's, never the engine's):

    aiguillage.decision_field         the field whose value is accepted, declined or redirected
                                      (default decision)
    aiguillage.decline_reason_field   the field whose option says why the referral was declined,
                                      kept on the referral as its coded reason (default decline_reason)
    aiguillage.appointment_field      the date field of the appointment, when the referral is
                                      accepted (default appointment_date)

A pathway that names none keeps today's names. `engine.services.referrals.steps` applies them,
`engine.pathways.rules.referrals` checks that the form has them, and the JSON API's answers (which
speak of `decision`, `decline_reason` and `appointment_date`) reach the fields they name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import astuple, dataclass

from lxml import etree

from engine.pathways.escalation_paths import REFERRAL_PROPERTY, property_of

DECIDE_MOVE = "decide"
DECISION_PROPERTY = "aiguillage.decision_field"
DECLINE_REASON_PROPERTY = "aiguillage.decline_reason_field"
APPOINTMENT_PROPERTY = "aiguillage.appointment_field"
# The decision field's values the engine acts on, in the referral states they lead to.
DECISION_VALUES = ("accepted", "declined", "redirected")


@dataclass(frozen=True)
class DecisionFields:
    """The ids of a decision form's fields that carry the decision, the decline reason and the appointment."""

    decision: str = "decision"
    decline_reason: str = "decline_reason"
    appointment: str = "appointment_date"

    @property
    def names(self) -> tuple[str, ...]:
        """The three ids (what the referral keeps in its own columns, not in its answer)."""
        return astuple(self)

    def in_pathway_words(self, data: Mapping) -> dict:
        """`data` written with the default names (the JSON API's), renamed to this form's fields."""
        renames = dict(zip(DEFAULT_FIELDS.names, self.names))
        return {renames.get(name, name): value for name, value in data.items()}

    def in_default_words(self, data: Mapping) -> dict:
        """The reverse of `in_pathway_words`: a form's field ids (in the problems of a refused answer)
        named as the JSON API names them."""
        renames = dict(zip(self.names, DEFAULT_FIELDS.names))
        return {renames.get(name, name): value for name, value in data.items()}


DEFAULT_FIELDS = DecisionFields()
PROPERTIES = {DECISION_PROPERTY: "decision", DECLINE_REASON_PROPERTY: "decline_reason",
              APPOINTMENT_PROPERTY: "appointment"}


def decision_fields(properties: Mapping[str, str | None]) -> DecisionFields:
    """The fields a decide step names in its properties (a task's, as `HumanTask.properties`), the
    default for any it leaves out or leaves blank."""
    declared = {attribute: (properties.get(name) or "").strip() for name, attribute in PROPERTIES.items()}
    return DecisionFields(**{attribute: value for attribute, value in declared.items() if value})


def declared_properties(element: etree._Element) -> dict[str, str]:
    """The decision-field properties drawn on a diagram element, by property name (blank ones left out)."""
    found = {name: (property_of(element, name) or "").strip() for name in PROPERTIES}
    return {name: value for name, value in found.items() if value}


def decision_fields_of(element: etree._Element) -> DecisionFields:
    """`decision_fields` of a decide step as drawn in the diagram."""
    return decision_fields(declared_properties(element))


def decide_steps(root: etree._Element) -> list[etree._Element]:
    """The elements of a diagram marked `aiguillage.referral = decide`."""
    return [element for element in root.iter() if isinstance(element.tag, str)
            and (property_of(element, REFERRAL_PROPERTY) or "").strip() == DECIDE_MOVE]
