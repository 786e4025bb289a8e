"""The XML files of a pathway, parsed once, with the BPMN and DMN vocabulary the rules need."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.pathways.camunda_forms import embed_camunda_forms
from engine.pathways.dialect import CAMUNDA_ALIASES, CAMUNDA_NS, read_as_camunda
from engine.pathways.folder import BPMN_SUFFIXES
from engine.pathways.problems import Problem
from engine.pathways.xml import XmlProblem, parse_untrusted

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
# Camunda 7 reads Operaton's and Activiti's extensions as its own (files read here are also renamed).
EXTENSION_NAMESPACES = (CAMUNDA_NS, *CAMUNDA_ALIASES)
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DMN_NAMESPACES = (
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
)
# Later versions of DMN, which Camunda 7 does not read either: named, so that the author saves the file as 1.3.
NEWER_DMN_NAMESPACES = {
    "https://www.omg.org/spec/DMN/20211108/MODEL/": "1.4",
    "https://www.omg.org/spec/DMN/20230324/MODEL/": "1.5",
}
XML_SUFFIXES = (*BPMN_SUFFIXES, ".dmn")

ACTIVITIES = {
    "task", "userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask", "sendTask",
    "receiveTask", "subProcess", "callActivity", "transaction", "adHocSubProcess",
}
GATEWAYS = {"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway"}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
FLOW_NODES = ACTIVITIES | GATEWAYS | EVENTS
CONTAINERS = {"process", "subProcess", "transaction", "adHocSubProcess"}


@dataclass
class Document:
    """One parsed XML file of the pathway: a BPMN or a DMN definitions element."""

    file: str
    root: etree._Element
    kind: str  # "bpmn" or "dmn"
    by_id: dict[str, etree._Element] = field(default_factory=dict)
    # What reading the file as Camunda 7 does (engine.pathways.dialect), told to the author as warnings.
    notes: list = field(default_factory=list)

    def __post_init__(self) -> None:
        for element in self.root.iter():
            if isinstance(element.tag, str):
                element_id = element.get("id")
                if element_id is not None and element_id not in self.by_id:
                    self.by_id[element_id] = element

    def bpmn(self, parent: etree._Element, name: str) -> list[etree._Element]:
        """Direct BPMN children of `parent` named `name`."""
        return parent.findall(f"{{{BPMN_NS}}}{name}")

    def processes(self) -> list[etree._Element]:
        """Every process of this file, executable or not."""
        return self.bpmn(self.root, "process") if self.kind == "bpmn" else []

    def problem(self, element: etree._Element | None, rule: str, message: str) -> Problem:
        """A problem located at `element` in this file."""
        if element is None:
            return Problem(self.file, None, None, None, message, rule)
        return Problem(self.file, line_of(element), element.get("id"), name_of(element), message, rule)


def local(element: etree._Element) -> str:
    """The tag name without its namespace ('' for comments and processing instructions)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(element: etree._Element) -> str:
    """The namespace URI of the element's tag ('' when none)."""
    tag = element.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def is_bpmn(element: etree._Element, *names: str) -> bool:
    """True when the element is a BPMN model element (one of `names`, if given)."""
    return namespace(element) == BPMN_NS and (not names or local(element) in names)


def line_of(element: etree._Element) -> int | None:
    """The line where the element starts in its file (lxml keeps it while parsing)."""
    line = element.sourceline
    return line if isinstance(line, int) and line > 0 else None


def name_of(element: etree._Element) -> str | None:
    """The element's label in the diagram's language, if it has one."""
    name = element.get("name")
    return " ".join(name.split()) if name and name.strip() else None


def text_of(element: etree._Element | None) -> str:
    """The element's whole text content, stripped ('' when absent)."""
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


def extension(element: etree._Element, name: str) -> str | None:
    """A Camunda (or Operaton) extension attribute of the element."""
    for uri in EXTENSION_NAMESPACES:
        value = element.get(f"{{{uri}}}{name}")
        if value is not None:
            return value
    return None


def extension_children(element: etree._Element, path: str) -> list[etree._Element]:
    """Camunda/Operaton elements under the element's extensionElements, along `path` (e.g. 'formData/formField')."""
    found: list[etree._Element] = []
    for extensions in element.findall(f"{{{BPMN_NS}}}extensionElements"):
        for uri in EXTENSION_NAMESPACES:
            found.extend(extensions.findall("/".join(f"{{{uri}}}{step}" for step in path.split("/"))))
    return found


def flow_nodes(container: etree._Element) -> list[etree._Element]:
    """The direct flow nodes (activities, gateways, events) of a process or sub-process."""
    return [child for child in container if is_bpmn(child) and local(child) in FLOW_NODES]


def sequence_flows(container: etree._Element) -> list[etree._Element]:
    """The direct sequence flows of a process or sub-process."""
    return container.findall(f"{{{BPMN_NS}}}sequenceFlow")


def containers(root: etree._Element) -> list[etree._Element]:
    """Every process and sub-process in the file, outermost first."""
    return [element for element in root.iter() if is_bpmn(element) and local(element) in CONTAINERS]


def read_diagram(files: dict[str, bytes], name: str) -> etree._Element | XmlProblem:
    """A BPMN file of the pathway, parsed as untrusted XML and read as Camunda 7 reads it (Camunda Forms written in)."""
    root = parse_untrusted(files[name])
    if not isinstance(root, XmlProblem) and _kind(root) == "bpmn":
        read_as_camunda(root)
        embed_camunda_forms(root, files)
    return root


def read_documents(files: dict[str, bytes], problems: list[Problem]) -> list[Document]:
    """Parse every BPMN and DMN file, adding a problem for each that is not usable XML of its kind."""
    documents = []
    for name in sorted(files):
        if not name.lower().endswith(XML_SUFFIXES):
            continue
        parsed = parse_untrusted(files[name])
        if isinstance(parsed, XmlProblem):
            rule = {"too_large": "file.too_large", "encoding": "xml.malformed"}.get(parsed.code, f"xml.{parsed.code}")
            problems.append(Problem(name, parsed.line, None, None, _xml_advice(parsed), rule))
            continue
        expected = "dmn" if name.lower().endswith(".dmn") else "bpmn"
        kind = _kind(parsed)
        if kind != expected:
            problems.append(Problem(name, line_of(parsed), None, None, _wrong_kind(parsed, expected), f"{expected}.not_{expected}"))
            continue
        if kind == "bpmn":
            notes = read_as_camunda(parsed) + embed_camunda_forms(parsed, files)
            document = Document(name, parsed, kind, notes=notes)
        else:
            read_as_camunda(parsed)
            document = Document(name, parsed, kind)
        documents.append(document)
    return documents


def _kind(root: etree._Element) -> str | None:
    if local(root) != "definitions":
        return None
    if namespace(root) == BPMN_NS:
        return "bpmn"
    if namespace(root) in DMN_NAMESPACES:
        return "dmn"
    return None


def _wrong_kind(root: etree._Element, expected: str) -> str:
    found = local(root) or "no element"
    uri = namespace(root)
    seen = f"<{found}>" + (f" in namespace {uri}" if uri else " without a namespace")
    if expected == "bpmn":
        if _kind(root) == "dmn":
            return "this is a DMN decision file, not a BPMN diagram; rename it with the .dmn extension"
        return f"this is not a BPMN 2.0 diagram: it starts with {seen}, not <bpmn:definitions> in namespace {BPMN_NS}; export the diagram as BPMN 2.0 XML"
    if _kind(root) == "bpmn":
        return "this is a BPMN diagram, not a DMN decision file; rename it with the .bpmn extension"
    if local(root) == "definitions" and uri in NEWER_DMN_NAMESPACES:
        return (f"this decision file is DMN {NEWER_DMN_NAMESPACES[uri]}, which is not read here (as in Camunda 7, decisions "
                "are DMN 1.1 to 1.3); save it as DMN 1.3 XML")
    return f"this is not a DMN decision file: it starts with {seen}; export the decision table as DMN 1.1, 1.2 or 1.3 XML"


def _xml_advice(problem: XmlProblem) -> str:
    advice = {
        "dtd": "; remove the <!DOCTYPE>/<!ENTITY> lines (BPMN never needs them)",
        "empty": "; save the diagram again from the modeler",
        "too_large": "; a pathway diagram is far smaller: check that this is the right file",
        "encoding": "",
    }
    return problem.message + advice.get(problem.code, "; open and save the file again in the modeler, or fix the XML at that line")
