"""Every expression site of the diagrams and decision tables, checked by the safe evaluator."""

from __future__ import annotations

import dataclasses
import re
from typing import Callable

from lxml import etree

from engine.errors import ExpressionError
from engine.pathways.documents import (
    BPMN_NS, SPIFF_NS, Document, extension, is_bpmn, line_of, local, text_of,
)
from engine.expressions.cron import is_cron, parse_cron
from engine.pathways.problems import WARNING, Problem
from engine.pathways.rules.unsupported import camunda8_settings, script_language

SAFE_LANGUAGES = {"", "python", "spiff", "feel", "juel", "${}", "http://www.w3.org/1999/xpath"}


def _api():
    # Imported late: the evaluator lives in engine.expressions and must not be loaded at import time.
    from engine import expressions

    if not all(hasattr(expressions, name) for name in ("check_expression", "check_script", "check_timer", "check_dmn_input", "timer_kind")):
        raise ImportError("engine.expressions is not complete yet")
    return expressions


def check_expressions(documents: list[Document], checked: set[str]) -> list[Problem]:
    """Conditions, scripts, timers, loop and completion conditions, due dates and DMN cells."""
    try:
        _api()
    except ImportError:  # the evaluator is optional while the engine is assembled
        return []
    problems: list[Problem] = []
    for document in documents:
        if document.kind == "bpmn":
            for process in document.processes():
                if process.get("id") in checked:
                    for element in process.iter():
                        if isinstance(element.tag, str):
                            problems += _check_element(document, element)
        else:
            problems += _check_decision_tables(document)
    return problems


def _check_element(document: Document, element: etree._Element) -> list[Problem]:
    problems: list[Problem] = []
    kind = local(element) if is_bpmn(element) else ""
    owner = _owner(element)
    if kind in ("conditionExpression", "condition", "completionCondition", "loopCondition", "loopCardinality"):
        refused = _check_language(document, owner, element)
        if refused:
            problems += refused
        elif extension(element, "resource"):
            problems.append(document.problem(owner, "unsupported.resource", "conditions kept in a resource file are not run here; write the condition in the diagram"))
        elif text_of(element):
            problems += _check(document, owner, element, _api().check_expression, _WHAT[kind], "expression.invalid")
        elif kind != "loopCardinality" and kind != "conditionExpression":
            problems.append(document.problem(owner, "expression.invalid", f"the {_WHAT[kind]} is empty; write one, e.g. attempts >= 3"))
    elif kind == "script" and element.getparent() is not None and is_bpmn(element.getparent(), "scriptTask"):
        if text_of(element) and not script_language(element.getparent()):
            problems += _check(document, owner, element, _api().check_script, "script", "script.invalid")
    elif (kind == "scriptTask" and not text_of(element.find(f"{{{BPMN_NS}}}script")) and not extension(element, "resource")
          and not script_language(element) and not camunda8_settings(element)):
        problems.append(document.problem(element, "script.empty", "the script task has no script; write the assignments it should make, e.g. score = len(needs)"))
    elif kind == "timerEventDefinition":
        problems += _check_timer(document, owner, element)
    if kind in ("userTask", "task", "manualTask"):
        for attribute in ("dueDate", "followUpDate"):
            value = extension(element, attribute)
            if value is not None:
                problems += _check_text(document, element, value, _api().check_timer, attribute, "timer.invalid", line_of(element))
        priority = extension(element, "priority")
        if priority is not None and priority.strip():
            problems += _check_text(document, element, priority, _api().check_expression, "priority", "expression.invalid", line_of(element))
    if kind == "multiInstanceLoopCharacteristics":
        collection = extension(element, "collection")
        if collection is not None and collection.strip():
            problems += _check_text(document, owner, collection, _api().check_expression, "multi-instance collection", "expression.invalid", line_of(element))
    if isinstance(element.tag, str) and element.tag in (f"{{{SPIFF_NS}}}preScript", f"{{{SPIFF_NS}}}postScript") and text_of(element):
        problems += _check(document, owner, element, _api().check_script, local(element), "script.invalid")
    if isinstance(element.tag, str) and element.tag == f"{{{SPIFF_NS}}}parameter" and (element.get("value") or "").strip():
        problems += _check_text(document, owner, element.get("value"), _api().check_expression, f"service parameter {element.get('id')}", "expression.invalid", line_of(element))
    return problems


_WHAT = {
    "conditionExpression": "condition",
    "condition": "condition",
    "completionCondition": "completion condition",
    "loopCondition": "loop condition",
    "loopCardinality": "loop cardinality",
}


def _owner(element: etree._Element) -> etree._Element:
    """The nearest ancestor with an id: the flow, task or event the author knows."""
    current = element
    while current is not None:
        name = local(current)
        if current.get("id") and is_bpmn(current) and not name.endswith(("EventDefinition", "Expression", "LoopCharacteristics")):
            return current
        current = current.getparent()
    return element


def _check_language(document: Document, owner: etree._Element, element: etree._Element) -> list[Problem]:
    language = (element.get("language") or "").strip().lower()
    if language in SAFE_LANGUAGES:
        return []
    name = script_language(element) or element.get("language")
    return [document.problem(owner, "unsupported.script_language", f"{name} conditions are not run here: remove the language setting and write the condition in the safe language (see the guide), e.g. consent == True")]


def _check_timer(document: Document, owner: etree._Element, definition: etree._Element) -> list[Problem]:
    texts = [child for child in definition if local(child) in ("timeDuration", "timeDate", "timeCycle")]
    if not texts or not any(text_of(child) for child in texts):
        return [document.problem(owner, "timer.empty", "the timer has no time; give it a duration (PT72H), a date (2026-12-01T08:00:00+01:00) or a cycle (R3/P30D)")]
    problems = []
    for child in texts:
        text = text_of(child)
        if is_cron(text):
            problems += _check_cron(document, owner, child, text)
            continue
        kind = _TIMER_KINDS[local(child)]
        problems += _check(document, owner, child, lambda text: _api().check_timer(text, kind), None, "timer.invalid")
        if kind is None and _api().timer_kind(text) == "cycle":
            located = document.problem(owner, "timer.invalid", f"timer {_short(text)} is a cycle, but this timer needs a date (or a duration)")
            problems.append(dataclasses.replace(located, line=line_of(child) or located.line))
        elif kind is None and _api().timer_kind(text) == "duration":
            located = document.problem(owner, "timer.date_as_duration", f"the timer date {_short(text)} is a duration; as in Camunda 7 it counts from when the timer is reached")
            problems.append(dataclasses.replace(located, line=line_of(child) or located.line).as_warning())
    return problems


def _check_cron(document: Document, owner, child, text: str) -> list[Problem]:
    located = document.problem(owner, "timer.invalid", "")
    line = line_of(child) or located.line
    if local(child) != "timeCycle":
        return [dataclasses.replace(located, line=line, message=f"timer {_short(text)} is a cron expression, which only a cycle (timeCycle) may be; write an ISO 8601 duration (PT72H) or date here")]
    try:
        parse_cron(text)
    except ExpressionError as error:
        return [dataclasses.replace(located, line=line, message=error.message)]
    return [dataclasses.replace(located, line=line, rule="timer.cron", severity=WARNING,
                                message=f"cron timer {_short(text)} fires in the installation's time zone ({INSTALLATION_ZONE}), as Camunda 7 does in its server's")]


# timeDate: a date, or (as Camunda 7 accepts) a duration counted from when the timer is reached.
_TIMER_KINDS = {"timeDuration": "duration", "timeDate": None, "timeCycle": "cycle"}
INSTALLATION_ZONE = "Africa/Douala"


def _check(document: Document, owner, text_element, check: Callable, what: str | None, rule: str) -> list[Problem]:
    text = "".join(text_element.itertext())
    return _check_text(document, owner, text, check, what, rule, line_of(text_element))


def _check_text(document: Document, owner, text: str, check: Callable, what: str | None, rule: str, line: int | None) -> list[Problem]:
    if text.strip().startswith("="):
        # Camunda 8 marks its FEEL expressions with a leading '=': another language, refused by name.
        located = document.problem(owner, "unsupported.camunda8", "")
        return [Problem(located.file, line or located.line, located.element_id, located.element_name,
                        f"{what or 'timer'} {_short(text)} is a Camunda 8 (FEEL) expression, which is not run here: write it "
                        "in the safe language, without the leading '=' (e.g. approved == False)", "unsupported.camunda8")]
    try:
        check(text)
    except ExpressionError as error:
        return [_problem(document, owner, text, error, what, rule, line)]
    except Exception as error:  # noqa: BLE001 - a checker crash must still name the expression
        return [_problem(document, owner, text, ExpressionError(f"cannot be checked ({type(error).__name__})"), what, rule, line)]
    return []


# What the JUEL translation says about a call into Java (a bean's method, Camunda's execution or task objects).
_JAVA_CALL = re.compile(r"has no equivalent in the safe language|object is not available")


# XPath is the BPMN standard's expression language, and tools that follow the standard name it by
# default; it reaches process data through the standard's own functions (bpmn:getDataObject('risk')).
_XPATH_CALL = re.compile(r"\b(?:bpmn:)?get(?:DataObject|DataInput|DataOutput|ProcessProperty|ActivityProperty"
                         r"|EventDefinitionProperty|InstanceAttribute)\s*\(")


def _problem(document, owner, text, error, what, rule, line) -> Problem:
    xpath = _XPATH_CALL.search(text or "")
    if xpath is not None:
        rule = "unsupported.script_language"
        function = xpath.group(0).rstrip("( \t\n")
        error = ExpressionError(f"XPath expressions are not run here ({function}); write it over the case data in the safe language (see the guide)", line=error.line)
    elif _JAVA_CALL.search(error.message or ""):
        rule = "unsupported.java"
        error = ExpressionError(f"Java expressions are not run here ({error.message}); write it over the case data in the safe language (see the guide)", line=error.line)
    located = document.problem(owner, rule, "")
    offset = (error.line or 1) - 1 if isinstance(getattr(error, "line", None), int) else 0
    message = error.message or str(error)
    if what:
        message = f"{what} {_short(text)}: {message}"
    elif not message.lower().startswith(("timer", "the timer")):
        message = f"timer {_short(text)}: {message}"
    return Problem(located.file, (line + offset) if line else located.line, located.element_id, located.element_name, message, rule)


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return '"' + (flat if len(flat) <= 60 else flat[:57] + "...") + '"'


def _check_decision_tables(document: Document) -> list[Problem]:
    problems = []
    for decision in document.root:
        if local(decision) != "decision":
            continue
        for table in [c for c in decision if local(c) == "decisionTable"]:
            problems += _check_table(document, decision, table)
    return problems


def _check_table(document: Document, decision, table) -> list[Problem]:
    problems = []
    where = f"decision {decision.get('id')}"
    inputs = [c for c in table if local(c) == "input"]
    outputs = [c for c in table if local(c) == "output"]
    for index, column in enumerate(inputs, 1):
        expression = next((c for c in column.iter() if local(c) == "text" and local(c.getparent()) == "inputExpression"), None)
        if expression is not None and text_of(expression):
            problems += _dmn_cell(document, decision, expression, text_of(expression), f"{where}, input column {index}: input expression", _api().check_expression)
    for row, rule in enumerate([c for c in table if local(c) == "rule"], 1):
        cells = [c for c in rule if local(c) in ("inputEntry", "outputEntry")]
        input_index = output_index = 0
        for cell in cells:
            text_element = next((c for c in cell if local(c) == "text"), None)
            text = text_of(text_element)
            if local(cell) == "inputEntry":
                input_index += 1
                label = _column(inputs, input_index, "input")
                if text and text != "-":
                    problems += _dmn_cell(document, decision, text_element, text, f"{where}, rule {row}, {label}", _api().check_dmn_input)
            else:
                output_index += 1
                label = _column(outputs, output_index, "output")
                if text:
                    problems += _dmn_cell(document, decision, text_element, text, f"{where}, rule {row}, {label}", _api().check_expression)
    return problems


def _column(columns, index: int, kind: str) -> str:
    if index <= len(columns):
        column = columns[index - 1]
        label = column.get("label") or column.get("name") or column.get("id")
        if label:
            return f"{kind} column {index} ({label})"
    return f"{kind} column {index}"


def _dmn_cell(document: Document, decision, text_element, text: str, where: str, check: Callable) -> list[Problem]:
    try:
        check(text)
    except ExpressionError as error:
        message = error.message if error.message.startswith("DMN cell") else f"cell {_short(text)}: {error.message}"
        return [Problem(document.file, line_of(text_element), decision.get("id"), decision.get("name"), f"{where}: {message}", "dmn.cell")]
    except Exception as error:  # noqa: BLE001 - a checker crash must still name the cell
        return [Problem(document.file, line_of(text_element), decision.get("id"), decision.get("name"), f"{where}: cell {_short(text)} cannot be checked ({type(error).__name__})", "dmn.cell")]
    return []
