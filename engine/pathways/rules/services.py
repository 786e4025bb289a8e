"""Service tasks may only call operations registered in code, with safe parameter expressions."""

from __future__ import annotations

from collections.abc import Collection

from lxml import etree

from engine.errors import ExpressionError
from engine.pathways.documents import BPMN_NS, Document, extension, extension_children, line_of
from engine.pathways.problems import Problem
from engine.pathways.rules.unsupported import camunda8_settings, foreign_settings, is_java_task



def check_services(documents: list[Document], checked: set[str], operations: Collection[str] | None) -> list[Problem]:
    """Every service task names a known operation and passes parameters in the safe language."""
    problems = []
    for document in documents:
        for process in document.processes():
            if process.get("id") in checked:
                for task in process.iter(f"{{{BPMN_NS}}}serviceTask"):
                    problems += _check_task(document, task, operations)
    return problems


def operation_of(task: etree._Element) -> str | None:
    """The operation a service task calls: camunda:topic, or the property aiguillage.operation."""
    topic = (extension(task, "topic") or "").strip()
    if topic:
        return topic
    for prop in extension_children(task, "properties/property"):
        if prop.get("name") == "aiguillage.operation" and (prop.get("value") or "").strip():
            return prop.get("value").strip()
    return None


def _check_task(document: Document, task: etree._Element, operations: Collection[str] | None) -> list[Problem]:
    problems = []
    operation = operation_of(task)
    if operation is None and (is_java_task(task) or camunda8_settings(task) or foreign_settings(task)):
        return problems  # refused by name in engine.pathways.rules.unsupported
    if operation is None:
        message = "the service task names no operation; set its implementation to 'External' with the operation's name as topic (or the property aiguillage.operation)"
        problems.append(document.problem(task, "service.no_operation", message))
    elif operations is not None and operation not in operations:
        known = ", ".join(sorted(operations)) or "none"
        problems.append(document.problem(task, "service.unknown_operation", f"the service task calls operation {operation!r}, which the engine does not provide (known operations: {known})"))
    for parameter in extension_children(task, "inputOutput/inputParameter"):
        problems += _check_parameter(document, task, parameter)
    return problems


def _check_parameter(document: Document, task: etree._Element, parameter: etree._Element) -> list[Problem]:
    name = parameter.get("name") or "?"
    located = document.problem(task, "service.bad_parameter", "")
    line = line_of(parameter) or located.line
    if len(parameter):
        return [Problem(document.file, line, located.element_id, located.element_name,
                        f"parameter {name} uses a script, list or map; write a single expression over the case data instead", "service.bad_parameter")]
    text = (parameter.text or "").strip()
    if not text:
        return []
    from engine.expressions import check_expression

    try:
        check_expression(text)
    except ExpressionError as error:
        return [Problem(document.file, line, located.element_id, located.element_name, f"parameter {name} {text[:60]!r}: {error.message}", "expression.invalid")]
    return []
