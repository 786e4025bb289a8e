"""Validation problems in the reader's language: a translated headline per rule family, and the
validator's own detail (English, naming the element, the value and the fix) kept beside it.

The validator's messages are built with the values they name; translating every one of them is
the validator's job (its rules are kept elsewhere). Until it gives codes with parameters for each
message, the headline tells a French reader what kind of mistake it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from engine.pathways.problems import Problem

# The longest matching prefix of a rule code gives its headline.
HEADLINES = {
    "file.": _l("A file of the folder cannot be used"),
    "xml.": _l("The file is not well-formed XML"),
    "bpmn.not_bpmn": _l("The file is not a BPMN 2.0 diagram"),
    "bpmn.schema": _l("The diagram breaks the BPMN 2.0 schema"),
    "bpmn.too_deep": _l("The diagram is nested too deeply"),
    "dmn.": _l("A decision table cannot be used"),
    "process.": _l("The process is not drawn as the engine needs it"),
    "id.duplicate": _l("Two elements have the same id"),
    "flow.loop": _l("A loop is drawn with sequence flows"),
    "flow.": _l("A sequence flow is wrong"),
    "event.": _l("An event refers to something that does not exist"),
    "task.several_outgoing": _l("A task has several outgoing flows"),
    "gateway.": _l("A gateway branch has no condition or a wrong default"),
    "loop.": _l("A repeated activity has no bound"),
    "timer.": _l("A timer or deadline is not a valid duration or date"),
    "expression.": _l("An expression is outside the safe expression language"),
    "script.": _l("A script is missing or unsafe"),
    "service.": _l("A service task names no operation the engine provides"),
    "form.": _l("A form field is wrong"),
    "label.": _l("A label or translation is missing"),
    "call.": _l("A called process is missing"),
    "metadata.": _l("pathway.yaml is incomplete or wrong"),
    "yaml.": _l("A YAML file cannot be read"),
    "runtime.": _l("The engine refuses to load the pathway"),
    "layout.": _l("The diagram is hard to read"),
    "validator.": _l("The check itself failed: please report it"),
}
OTHER = _l("A problem to fix")


@dataclass(frozen=True)
class LocatedProblem:
    """A problem as the author's page lists it."""

    number: int
    headline: str
    detail: str
    file: str
    line: int | None
    element_id: str | None
    element_name: str | None
    rule: str


def headline(rule: str) -> str:
    """What kind of mistake the rule finds, in the reader's language."""
    matches = [prefix for prefix in HEADLINES if rule == prefix or (prefix.endswith(".") and rule.startswith(prefix))]
    return str(HEADLINES[max(matches, key=len)]) if matches else str(OTHER)


def located_problems(problems: list[Problem]) -> list[LocatedProblem]:
    """The problems numbered in the order the validator sorted them (file, then line)."""
    return [LocatedProblem(number, headline(p.rule), p.message, p.file, p.line, p.element_id, p.element_name, p.rule)
            for number, p in enumerate(problems, start=1)]


# The comparison names what changed with fixed English words (engine.pathways.comparison); pages say them
# in the reader's language. A form field or a property keeps its own id after the word.
PROPERTY_NAMES = {
    "type": _l("kind of element"), "name": _l("name"), "documentation": _l("documentation"),
    "groups": _l("candidate groups"), "users": _l("candidate users"), "assignee": _l("assignee"),
    "due date": _l("due date"), "follow-up date": _l("follow-up date"), "priority": _l("priority"),
    "operation": _l("operation"), "decision": _l("decision table"), "called process": _l("called process"),
    "from": _l("from"), "to": _l("to"), "attached to": _l("attached to"), "default flow": _l("default flow"),
    "interrupting": _l("interrupting"), "condition": _l("condition"), "timer": _l("timer"),
    "script": _l("script"), "repetition": _l("repetition"),
}
PROPERTY_PREFIXES = {"form field ": _l("form field"), "property ": _l("property")}


def property_name(name: str) -> str:
    """A compared property's name in the reader's language."""
    if name in PROPERTY_NAMES:
        return str(PROPERTY_NAMES[name])
    for prefix, label in PROPERTY_PREFIXES.items():
        if name.startswith(prefix):
            return f"{label} {name[len(prefix):]}"
    return name
