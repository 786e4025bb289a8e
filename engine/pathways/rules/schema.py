"""BPMN 2.0 XSD validation, with the schema's errors turned into located, readable problems."""

from __future__ import annotations

import copy
import re
import threading

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import XSD_PATH

from engine.pathways.documents import BPMN_NS, Document, line_of, local, name_of
from engine.pathways.problems import Problem
from engine.pathways.rules.layout import DI_NS

_schema: etree.XMLSchema | None = None
_schema_lock = threading.Lock()
# Libxml2 says "{namespace}name"; authors know the prefixed form.
_PREFIXES = {
    BPMN_NS: "bpmn",
    "http://www.omg.org/spec/BPMN/20100524/DI": "bpmndi",
    "http://www.omg.org/spec/DD/20100524/DC": "dc",
    DI_NS: "di",
}
# Compiling the XSD costs tens of milliseconds: once per process, and never while parsing.
MAX_SCHEMA_PROBLEMS = 20


def bpmn_schema() -> etree.XMLSchema:
    """The BPMN 2.0 schema shipped with SpiffWorkflow, compiled once per process."""
    global _schema
    with _schema_lock:
        if _schema is None:
            _schema = etree.XMLSchema(etree.parse(XSD_PATH))
        return _schema


def check_schema(document: Document) -> list[Problem]:
    """Every BPMN 2.0 schema violation of the document, located at its line."""
    schema = bpmn_schema()
    root = copy.deepcopy(document.root)
    _as_spiff_preprocesses(root)
    with _schema_lock:
        # An XMLSchema object keeps its error log: validating is not thread-safe.
        valid = schema.validate(etree.ElementTree(root))
        errors = list(schema.error_log) if not valid else []
    by_line: dict[int, etree._Element] = {}
    for element in document.root.iter():
        line = line_of(element)
        if line and line not in by_line and isinstance(element.tag, str):
            by_line[line] = element
    problems = []
    for error in errors[:MAX_SCHEMA_PROBLEMS]:
        element = by_line.get(error.line)
        problems.append(Problem(
            document.file,
            error.line or None,
            element.get("id") if element is not None else None,
            name_of(element) if element is not None else None,
            _readable(error.message),
            "bpmn.schema",
        ))
    if len(errors) > MAX_SCHEMA_PROBLEMS:
        problems.append(Problem(document.file, None, None, None,
                                f"{len(errors) - MAX_SCHEMA_PROBLEMS} more schema errors not shown; fix the ones above first", "bpmn.schema"))
    return problems


def _as_spiff_preprocesses(root: etree._Element) -> None:
    # bpmn-js writes formalExpression where the schema wants messagePath; Spiff's own validator
    # renames it before checking, so we do the same to accept what Spiff accepts.
    for expression in root.iter(f"{{{BPMN_NS}}}formalExpression"):
        parent = expression.getparent()
        if parent is not None and local(parent) == "correlationPropertyRetrievalExpression":
            expression.tag = f"{{{BPMN_NS}}}messagePath"
    # The DI schema checks a drawing extension's content strictly against schemas no tool ships (Trisotech's
    # diagram options, colours): it only changes the drawing, so its content is not checked.
    for extension in root.iter(f"{{{DI_NS}}}extension"):
        for child in list(extension):
            extension.remove(child)


def _names(listed: str) -> str:
    names = [name.strip() for name in listed.split(",") if name.strip()]
    return "(" + ", ".join(names[:5]) + (", …" if len(names) > 5 else "") + ")"


# libxml2's most frequent refusals, said in sentences of ours (the web pages word them in French too); any other
# keeps libxml2's own reason.
_REASONS = (
    (re.compile(r"Element '([^']+)': This element is not expected\. Expected is one of \((.*)\)\.?"),
     lambda m: f"element '{m[1]}' is not allowed here; expected one of {_names(m[2])}"),
    (re.compile(r"Element '([^']+)': This element is not expected\. Expected is \((.*)\)\.?"),
     lambda m: f"element '{m[1]}' is not allowed here; expected {_names(m[2])}"),
    (re.compile(r"Element '([^']+)': This element is not expected\.?"),
     lambda m: f"element '{m[1]}' is not allowed here"),
    (re.compile(r"Element '([^']+)': Missing child element\(s\)\. Expected is (?:one of )?\((.*)\)\.?"),
     lambda m: f"element '{m[1]}' lacks a child element; expected {_names(m[2])}"),
    (re.compile(r"Element '([^']+)': The attribute '([^']+)' is required but missing\.?"),
     lambda m: f"element '{m[1]}' lacks its required attribute '{m[2]}'"),
    (re.compile(r"Element '([^']+)', attribute '([^']+)': The attribute '[^']+' is not allowed\.?"),
     lambda m: f"attribute '{m[2]}' is not allowed on element '{m[1]}'"),
    (re.compile(r"Element '([^']+)', attribute '([^']+)': '(.*)' is not a valid value of the \w+ type '([^']+)'\.?"),
     lambda m: f"attribute '{m[2]}' of element '{m[1]}': '{m[3]}' is not a valid {m[4]}"),
)


def _readable(message: str) -> str:
    text = re.sub(r"\{([^}]*)\}", lambda m: _PREFIXES.get(m.group(1), m.group(1)) + ":", message).strip()
    for pattern, sentence in _REASONS:
        match = pattern.fullmatch(text)
        if match:
            text = sentence(match)
            break
    return "the BPMN 2.0 schema refuses this: " + text.rstrip(".") + "; open and save the file in a BPMN 2.0 modeler, or fix it at this line"
