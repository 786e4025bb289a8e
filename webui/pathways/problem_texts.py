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

from babel import Locale
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from engine.pathways.problems import Problem
from engine.pathways.rules.translations import LANGUAGE_NAMES
from webui.pathways.problem_details import DETAILS, VALUES, WHATS

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
    "flow.unknown_variable": _l("A condition reads a variable that nothing in the pathway sets"),
    "event.": _l("An event refers to something that does not exist"),
    "event.message_never_sent": _l("A step waits for a message nothing sends"),
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
_FIXED_WORDS = frozenset(word for word in (*WHATS, *VALUES) if "%(" not in word)
_LANGUAGE_CODES = {name: code for code, name in LANGUAGE_NAMES.items()}


def _regex(template: str, slot=lambda name: f"(?P<{name}>.+?)") -> str:
    parts = re.split(r"%\((\w+)\)s", template)
    # "%%" in a template is the validator's plain "%".
    return "".join(re.escape(part.replace("%%", "%")) if index % 2 == 0 else slot(part) for index, part in enumerate(parts))


def _slot(name: str) -> str:
    if name != "what":
        return f"(?P<{name}>.+?)"
    # %(what)s takes only the validator's own words: a longer value ("decision d, rule 2, ...: cell") is another
    # template's, and a value just after it ("the name 'Assess'") starts where these words end.
    whats = sorted((_regex(what, lambda _: ".+?") for what in WHATS), key=len, reverse=True)
    return f"(?P<what>{'|'.join(whats)})"


@lru_cache(maxsize=None)
def _patterns() -> tuple[tuple[re.Pattern, str], ...]:
    # A template whose detail is worded in turn goes first: where its inner detail has no template, a wider one
    # (the same sentence keeping the library's reason) still fits.
    return tuple((re.compile(_regex(template, _slot), re.DOTALL), template)
                 for template in sorted(DETAILS, key=lambda template: "%(detail)s" not in template))


@lru_cache(maxsize=None)
def _phrases() -> tuple[tuple[re.Pattern, str], ...]:
    return tuple((re.compile(_regex(phrase), re.DOTALL), phrase) for phrase in (*WHATS, *VALUES) if "%(" in phrase)


def worded_value(value: str) -> str:
    """A value the validator put in a detail: its own fixed words in the reader's language, any other text as found."""
    if value in _FIXED_WORDS:
        return gettext(value)
    if value in _LANGUAGE_CODES:
        locale = get_locale()
        return (locale and Locale.parse(_LANGUAGE_CODES[value]).get_display_name(locale)) or value
    for pattern, phrase in _phrases():
        match = pattern.fullmatch(value)
        if match:
            return gettext(phrase, **{name: worded_value(part) for name, part in match.groupdict().items()})
    return value


def worded_detail(message: str, depth: int = 0) -> tuple[str, bool]:
    """The validator's detail in the reader's language, and whether it is (False: shown as written, in English)."""
    for pattern, template in _patterns():
        match = pattern.fullmatch(message)
        if not match:
            continue
        # A value is the author's own text or a library's reason (lxml's, Python's parser's), kept as found, or the
        # validator's own words (a cron field, a language), worded.
        values = match.groupdict()
        if "detail" in values:
            # A detail inside a detail (an expression's refusal after the expression): worded in turn, or this
            # template does not fit.
            inner, worded = worded_detail(values["detail"], depth + 1) if depth < 4 else (values["detail"], False)
            if not worded:
                continue
            values["detail"] = inner
        values = {name: value if name == "detail" else worded_value(value) for name, value in values.items()}
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
