"""Validation problems in the reader's language: a translated headline per rule family, and the
validator's detail (naming the element, the value and the fix) in the reader's language too.

The validator writes its details in English with the values they name. The catalog below holds
those sentences as templates (`%(name)s` where a value goes): a detail that fits one is worded from
the catalog with the same values, so that the words live in the Babel catalogs like every other
text. A detail no template fits is shown as the validator wrote it, marked as English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from engine.pathways.problems import Problem
from webui.pathways.problem_details import DETAILS, WHATS

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
    "unsupported.": _l("A feature this engine does not run"),
    "unsupported.camunda8": _l("A setting made for Camunda 8, which this engine does not run"),
    "unsupported.foreign": _l("A setting made for another engine, which this engine does not run"),
    "layout.": _l("The diagram is hard to read"),
    "validator.": _l("The check itself failed: please report it"),
}
OTHER = _l("A problem to fix")


@lru_cache(maxsize=None)
def _patterns() -> tuple[tuple[re.Pattern, str], ...]:
    found = []
    # A template whose detail is worded in turn goes first: where its inner detail has no template, a wider one
    # (the same sentence keeping the library's reason) still fits.
    for template in sorted(DETAILS, key=lambda template: "%(detail)s" not in template):
        parts = re.split(r"%\((\w+)\)s", template)
        # "%%" in a template is the validator's plain "%".
        pattern = "".join(re.escape(part.replace("%%", "%")) if index % 2 == 0 else f"(?P<{part}>.+?)"
                          for index, part in enumerate(parts))
        found.append((re.compile(pattern, re.DOTALL), template))
    return tuple(found)


def worded_detail(message: str, depth: int = 0) -> tuple[str, bool]:
    """The validator's detail in the reader's language, and whether it is (False: shown as written, in English)."""
    for pattern, template in _patterns():
        match = pattern.fullmatch(message)
        if not match:
            continue
        # A value is the author's own text, or a library's reason (lxml's, Python's parser's): kept as found.
        values = match.groupdict()
        if "detail" in values:
            # A detail inside a detail (an expression's refusal after the expression): worded in turn, or this
            # template does not fit.
            inner, worded = worded_detail(values["detail"], depth + 1) if depth < 4 else (values["detail"], False)
            if not worded:
                continue
            values["detail"] = inner
        if values.get("what") in WHATS:
            values["what"] = gettext(values["what"])
        # Formatted even without values, so that a template's "%%" reads "%".
        return gettext(template, **values) if values else gettext(template) % {}, True
    return message, False


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
    severity: str = "error"
    detail_worded: bool = False  # False: the detail is the validator's English text


def headline(rule: str) -> str:
    """What kind of mistake the rule finds, in the reader's language."""
    matches = [prefix for prefix in HEADLINES if rule == prefix or (prefix.endswith(".") and rule.startswith(prefix))]
    return str(HEADLINES[max(matches, key=len)]) if matches else str(OTHER)


def located_problems(problems: list[Problem]) -> list[LocatedProblem]:
    """The problems numbered in the order the validator sorted them (file, then line)."""
    located = []
    for number, p in enumerate(problems, start=1):
        detail, worded = worded_detail(p.message)
        located.append(LocatedProblem(number, headline(p.rule), detail, p.file, p.line, p.element_id, p.element_name,
                                      p.rule, p.severity, worded))
    return located


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
