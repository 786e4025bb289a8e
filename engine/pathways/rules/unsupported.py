"""Features of Camunda 7 this engine deliberately does not run, each refused by name with what to use instead.

Java code, scripts in other languages and CMMN cases would need a JVM and would run unchecked;
compensation and embedded HTML forms have no counterpart in the mechanism. Settings made for
Camunda 8 (the ``zeebe:`` namespace, FEEL expressions written ``=...``) belong to another engine: a
diagram drawn for it is refused by naming them, not reported as empty or misspelt Camunda 7 steps.
Other tools' settings that decide who does a task, what it does or which way the case goes (jBPM/Kogito's
``drools:`` scripts and work items, SpiffWorkflow's ``spiffworkflow:`` operators, scripts and forms, BPMN's resource
roles) are refused by name too, so that none is silently dropped; their colours, layout and labels change nothing in a
case and pass (``drools:metaData``, ``signavio:``, ``bizagi:``).
Each refusal uses a rule of the ``unsupported.`` family so that a census can count them apart from defects.
"""

from __future__ import annotations

import re

from lxml import etree

from engine.pathways.dialect import JBPM_TASK_INPUTS
from engine.pathways.documents import BPMN_NS, SPIFF_NS, Document, extension, extension_children, is_bpmn, local
from engine.pathways.problems import Problem

PYTHON_LANGUAGES = {"", "python", "spiff"}
LANGUAGE_NAMES = {
    "groovy": "Groovy", "javascript": "JavaScript", "js": "JavaScript", "ecmascript": "JavaScript",
    "nashorn": "JavaScript", "graal.js": "JavaScript", "juel": "JUEL", "jruby": "Ruby", "ruby": "Ruby",
    "jython": "Jython", "kotlin": "Kotlin", "freemarker": "FreeMarker", "velocity": "Velocity", "feel": "FEEL",
    # jBPM/Kogito name their languages by address.
    "http://www.java.com/java": "Java", "java": "Java", "http://www.mvel.org/2.0": "MVEL", "mvel": "MVEL",
    "http://www.jboss.org/drools/rule": "Drools", "drools": "Drools",
}
FEEL_ADDRESS = re.compile(r"^https?://www\.omg\.org/spec/(dmn/\d{8}/)?feel/(\d{8}/?)?$")
JAVA_ATTRIBUTES = ("class", "delegateExpression", "expression")
JAVA_ADVICE = 'Java delegates are not run: use an external task (camunda:type="external") and a registered operation'
JAVA_TASKS = ("serviceTask", "sendTask", "businessRuleTask")
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
CAMUNDA8_ADVICE = ("this engine runs diagrams made for Camunda 7; set the step up as in Camunda 7 (in Camunda Modeler, "
                   "a 'BPMN diagram (Camunda 7)': an external task with a topic for a job worker, form fields for a form, "
                   "candidate groups for an assignment)")


DROOLS_NS = "http://www.jboss.org/drools"
FOREIGN_TOOLS = {DROOLS_NS: ("drools", "jBPM/Kogito"), SPIFF_NS: ("spiffworkflow", "SpiffWorkflow")}
# What each kind of foreign setting would change, and what to draw instead in Camunda 7 terms.
ASSIGNS, SCRIPTS, DOES, RULES, FORM, DEADLINES = "assigns", "scripts", "does", "rules", "form", "deadlines"
FOREIGN_ADVICE = {
    ASSIGNS: "says who does the task, which is not read here: set its candidate groups (camunda:candidateGroups) or "
             "draw it in a lane named after a role",
    SCRIPTS: "runs a script with the step, which is not run here: draw a script task before or after it, with the "
             "script in the safe language",
    DOES: 'says what the task does, which is not run here: make it an external task (camunda:type="external") with a '
          "registered operation as topic",
    RULES: "runs business rules, which are not run here: use a business rule task with a DMN decision table "
           "(camunda:decisionRef)",
    FORM: "gives the task a form, which is not shown here: draw its fields as form fields (camunda:formData) or as a "
          "Camunda Form (.form file)",
    DEADLINES: "says when the task is late and what happens then, which is not read here: draw a timer boundary event on "
               "the task (a duration such as P2D) leading to the reminder or escalation step",
}
# Settings (elements under extensionElements, or attributes) that change a run; any other, such as drools:metaData
# (names and layout) or spiffworkflow:instructionsForEndUser (text shown with the task), changes nothing in a case.
FOREIGN_SETTINGS = {
    "drools:onEntry-script": SCRIPTS, "drools:onExit-script": SCRIPTS, "drools:taskName": DOES,
    "drools:serviceimplementation": DOES, "drools:serviceinterface": DOES, "drools:serviceoperation": DOES,
    "drools:ruleFlowGroup": RULES,
    "spiffworkflow:serviceTaskOperator": DOES, "spiffworkflow:preScript": SCRIPTS, "spiffworkflow:postScript": SCRIPTS,
    "spiffworkflow:calledDecisionId": RULES,
}
# SpiffWorkflow keeps a task's form as two of its properties.
SPIFF_FORM_PROPERTIES = {"formJsonSchemaFilename", "formUiSchemaFilename"}
RESOURCE_ROLES = ("potentialOwner", "humanPerformer", "performer")


def foreign_settings(element: etree._Element) -> list[tuple[str, str, str]]:
    """The element's settings made for another engine that would change a run: (setting, tool, kind)."""
    found: list[tuple[str, str, str]] = []
    for name in element.attrib:
        setting = _foreign_name(name)
        if setting and setting[0] in FOREIGN_SETTINGS:
            found.append((setting[0], setting[1], FOREIGN_SETTINGS[setting[0]]))
    for child in element:
        if isinstance(child.tag, str) and is_bpmn(child) and local(child) in RESOURCE_ROLES:
            # BPMN's own way to name a task's people: jBPM and Kogito write it; Camunda 7 uses candidate groups.
            found.append((f"bpmn:{local(child)}", "jBPM/Kogito", ASSIGNS))
        if isinstance(child.tag, str) and is_bpmn(child, "ioSpecification"):
            for end in child.findall(f"{{{BPMN_NS}}}dataInput"):
                name = (end.get("name") or "").strip()
                if name in JBPM_TASK_INPUTS:
                    found.append((f"dataInput {name}", "jBPM/Kogito", JBPM_TASK_INPUTS[name]))
    for extensions in element.findall(f"{{{BPMN_NS}}}extensionElements"):
        for child in extensions.iter():
            setting = _foreign_name(child.tag) if isinstance(child.tag, str) else None
            if not setting:
                continue
            if setting[0] in FOREIGN_SETTINGS:
                found.append((setting[0], setting[1], FOREIGN_SETTINGS[setting[0]]))
            elif setting[0] == "spiffworkflow:property" and child.get("name") in SPIFF_FORM_PROPERTIES:
                found.append((f"spiffworkflow:property {child.get('name')}", setting[1], FORM))
    unique: list[tuple[str, str, str]] = []
    for item in found:
        if item not in unique:
            unique.append(item)
    return unique


def _foreign_name(tag: str) -> tuple[str, str] | None:
    qualified = etree.QName(tag)
    if qualified.namespace not in FOREIGN_TOOLS:
        return None
    prefix, tool = FOREIGN_TOOLS[qualified.namespace]
    return f"{prefix}:{qualified.localname}", tool


def foreign_message(setting: str, tool: str, kind: str) -> str:
    """The refusal of one foreign setting, naming it, its tool and what to draw instead."""
    return f"{setting} ({tool}) {FOREIGN_ADVICE[kind]}"


def check_unsupported(documents: list[Document], checked: set[str]) -> list[Problem]:
    """One refusal, by name, for each unsupported feature used in a checked process."""
    problems: list[Problem] = []
    for document in documents:
        if document.kind != "bpmn":
            continue
        for process in document.processes():
            if process.get("id") not in checked:
                continue
            for element in process.iter():
                if isinstance(element.tag, str) and is_bpmn(element):
                    problems += _check(document, element)
    return problems


def script_language(element: etree._Element) -> str | None:
    """The display name of a script's language when it is not the safe one, else None."""
    language = (element.get("scriptFormat") or element.get("language") or "").strip().lower()
    if language in PYTHON_LANGUAGES or language == "http://www.w3.org/1999/xpath":
        return None
    if FEEL_ADDRESS.match(language):  # DMN's and BPMN tools' way of naming FEEL: an address per DMN version
        return "FEEL"
    return LANGUAGE_NAMES.get(language, element.get("scriptFormat") or element.get("language"))


def is_java_task(element: etree._Element) -> bool:
    """True for a task implemented by Java code, a mail task or a connector."""
    if local(element) not in JAVA_TASKS:
        return False
    if any(extension(element, name) for name in JAVA_ATTRIBUTES):
        return True
    kind = (extension(element, "type") or "").strip().lower()
    return bool(kind and kind != "external") or bool(extension_children(element, "connector"))


def camunda8_settings(element: etree._Element) -> list[str]:
    """The Camunda 8 settings (zeebe: elements under extensionElements) of the element, by name."""
    names: list[str] = []
    for extensions in element.findall(f"{{{BPMN_NS}}}extensionElements"):
        for child in extensions:
            if isinstance(child.tag, str) and child.tag.startswith(f"{{{ZEEBE_NS}}}"):
                name = f"zeebe:{etree.QName(child).localname}"
                if name not in names:
                    names.append(name)
    return names


def camunda8_message(names: list[str]) -> str:
    """The refusal of an element's Camunda 8 settings, naming them."""
    return f"Camunda 8 settings ({', '.join(names)}) are not run here: {CAMUNDA8_ADVICE}"


def _check(document: Document, element: etree._Element) -> list[Problem]:
    settings = camunda8_settings(element)
    # Named once for the element; the other rules do not call the step empty for lack of its Camunda 7 setting.
    refused = [document.problem(element, "unsupported.camunda8", camunda8_message(settings))] if settings else []
    refused += [document.problem(element, "unsupported.foreign", foreign_message(*found)) for found in foreign_settings(element)]
    return refused + _check_camunda7(document, element)


def _check_camunda7(document: Document, element: etree._Element) -> list[Problem]:
    kind = local(element)
    if kind == "scriptTask":
        language = script_language(element)
        if extension(element, "resource"):
            return [document.problem(element, "unsupported.resource", "scripts kept in a resource file are not run here: write the script in the diagram, in the safe language (see the guide)")]
        if language:
            return [document.problem(element, "unsupported.script_language", f"{language} scripts are not run here: write the script in the safe language (see the guide)")]
    if is_java_task(element):
        return [document.problem(element, "unsupported.java", JAVA_ADVICE)]
    if kind == "callActivity" and extension(element, "caseRef") is not None:
        return [document.problem(element, "unsupported.cmmn", "CMMN cases are not supported: call a BPMN process of the pathway instead")]
    if kind == "compensateEventDefinition":
        owner = element.getparent() if element.getparent() is not None else element
        return [document.problem(owner, "unsupported.compensation", "compensation is not supported: draw the undoing steps as ordinary tasks on the path that needs them")]
    if element.get("isForCompensation") == "true":
        return [document.problem(element, "unsupported.compensation", "compensation is not supported: draw the undoing steps as ordinary tasks on the path that needs them")]
    if kind in ("userTask", "startEvent"):
        return _check_form_key(document, element)
    return []


def _check_form_key(document: Document, element: etree._Element) -> list[Problem]:
    key = (extension(element, "formKey") or "").strip()
    if key.startswith(("embedded:", "app:")):
        return [document.problem(element, "unsupported.form",
                                 f"the form {key[:60]!r} is an HTML form kept outside the diagram, which is not shown here: "
                                 "draw its fields as form fields (camunda:formData) or as a Camunda Form (.form file)")]
    return []
