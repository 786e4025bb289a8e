"""Conditions that read a variable nothing in the pathway sets: a warning, since a misspelt name
(`consent_givne`) makes a branch never (or always) taken, and the case shows no error for it.

A variable is set by a form field (its id, and the safe name conditions reach it by), an assignment
in a script, a multi-instance's element variable, a result variable (decision table, service task),
a decision table's output column, an input/output or call activity mapping, or a data object. It
may also come from outside the pathway (the data a case is opened with), so this is a warning that
lets the pathway be published, never an error.
"""

from __future__ import annotations

import ast

from lxml import etree

from engine.errors import ExpressionError
from engine.pathways.documents import BPMN_NS, SPIFF_NS, Document, is_bpmn, local, text_of
from engine.pathways.form_rules import names_in
from engine.pathways.forms import form_fields_of, safe_name
from engine.pathways.problems import Problem
from engine.pathways.rules.expressions import SAFE_LANGUAGES, _short
from engine.pathways.rules.form_rules import _suggestion

RULE = "flow.unknown_variable"
# Attributes whose value names a variable the step sets (Camunda's, SpiffWorkflow's, BPMN's own).
_SETTING_ATTRIBUTES = ("elementVariable", "resultVariable", "result_variable")


def check_unknown_variables(documents: list[Document], checked: set[str]) -> list[Problem]:
    """A warning for each sequence flow condition that reads a variable no part of the pathway sets."""
    known = _set_anywhere(documents)
    flows = [(document, flow) for document in documents if document.kind == "bpmn"
             for process in document.processes() if process.get("id") in checked
             for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow")]
    return [warning for document, flow in flows for warning in _flow_warnings(document, flow, known)]


def _flow_warnings(document: Document, flow: etree._Element, known: set[str]) -> list[Problem]:
    condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
    text = text_of(condition) if condition is not None else ""
    if not text or (condition.get("language") or "").strip().lower() not in SAFE_LANGUAGES:
        return []  # no condition, or one in another language (refused by its own rule)
    if condition.sourceline is None:
        return []  # written by reading the gateway as Camunda 7 does: it reads the other branches' conditions
    try:
        read = names_in(text)
    except (ExpressionError, RecursionError, ValueError):
        return []  # a condition that does not parse is an error of its own
    where = flow.get("name") or flow.get("id")
    return [
        document.problem(flow, RULE, (
            f"the condition {_short(text)} of flow {where!r} reads {name!r}{_suggestion(name, known)}, which no form "
            "field, script or other step of this pathway sets; check the name, unless the value comes from outside "
            "the pathway")).as_warning()
        for name in sorted(read - known)
    ]


def _set_anywhere(documents: list[Document]) -> set[str]:
    """Every variable name some part of the pathway sets (conditions may read what a called process set)."""
    names: set[str] = set()
    for document in documents:
        if document.kind == "dmn":
            names |= {column.get("name") for column in document.root.iter() if local(column) == "output" and column.get("name")}
            continue
        if document.kind != "bpmn":
            continue
        for element in document.root.iter():
            if not isinstance(element.tag, str):
                continue
            for field in form_fields_of(element):
                if field.get("id"):
                    names |= {field.get("id"), safe_name(field.get("id"))}
            names |= _set_by(element)
    return names


def _set_by(element: etree._Element) -> set[str]:
    names = {element.get(attribute) for attribute in _SETTING_ATTRIBUTES}
    names |= {element.get(f"{{{uri}}}{attribute}") for attribute in _SETTING_ATTRIBUTES for uri in _namespaces(element)}
    name = local(element)
    if is_bpmn(element) and name in ("dataObject", "dataObjectReference", "dataInput", "dataOutput", "inputDataItem",
                                     "outputDataItem"):
        names |= {element.get("id"), element.get("name")}
    if name in ("inputParameter", "outputParameter"):
        names.add(element.get("name"))
    if name in ("out", "in") and not is_bpmn(element):
        names.add(element.get("target"))  # camunda:out/in, from a called process to its caller and back
    if (is_bpmn(element) and name == "script") or element.tag in (f"{{{SPIFF_NS}}}preScript", f"{{{SPIFF_NS}}}postScript"):
        names |= _assigned(text_of(element))
    return {found for found in names if found}


def _namespaces(element: etree._Element) -> set[str]:
    return {uri for uri in (element.nsmap or {}).values() if uri}


def _assigned(script: str) -> set[str]:
    """The variables a script assigns (none for a script that does not parse: its own rule says why)."""
    try:
        tree = ast.parse(script)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
