"""Fuzzing the validator: whatever the bytes or the XML structure, it answers with problems, never a crash."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from engine.pathways.folder import PathwaySource, content_hash
from engine.pathways.validation import INTERNAL_ERROR, Problem, validate
from pathway_fixtures import MINI, VALID

DIAGRAM = (MINI / "pathway.bpmn").read_bytes()
FOLDER_FILES = {
    name: (MINI / name).read_bytes() for name in ("pathway.yaml", "pathway.bpmn", "i18n/en.yaml")
}
def fuzz(examples: int) -> settings:
    """Settings for a fuzz test: no per-example deadline (validation parses XML), a fixed example count."""
    return settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
NOWHERE = Path("/nonexistent/fuzzed.bpmn")
DECISION = VALID / "referral-decision"
DECISION_FILES = {name: (DECISION / name).read_bytes() for name in ("pathway.yaml", "pathway.bpmn", "i18n/en.yaml", "priority.dmn")}
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DMN = "{https://www.omg.org/spec/DMN/20191111/MODEL/}"
TAGS = [BPMN + t for t in (
    "task", "userTask", "scriptTask", "serviceTask", "exclusiveGateway", "parallelGateway", "startEvent",
    "endEvent", "sequenceFlow", "process", "subProcess", "callActivity", "boundaryEvent", "timerEventDefinition",
    "conditionExpression", "businessRuleTask", "multiInstanceLoopCharacteristics", "definitions",
)] + [DMN + t for t in ("decision", "decisionTable", "rule", "inputEntry", "outputEntry", "input", "text", "literalExpression")] + ["{http://camunda.org/schema/1.0/bpmn}formField", "{http://camunda.org/schema/1.0/bpmn}value", "garbage", "{urn:x}y"]
ATTRIBUTES = ["id", "hitPolicy", "aggregation", "sourceRef", "targetRef", "default", "attachedToRef", "isExecutable", "calledElement", "name",
              "type", "{http://camunda.org/schema/1.0/bpmn}decisionRef", "{http://camunda.org/schema/1.0/bpmn}dueDate"]
TEXTS = st.one_of(
    st.sampled_from(["", "PT72H", "PT72", "true", "x ==", "__import__('os')", "${a == b}", "9**9**9", "-", "Start",
                     "Task_Assess", "Flow_1", "End_Refused", "Gateway_Consent", "priority_decision", "[1..5]", "not(\"a\")", "COLLECT", "R3/P1D", "'a' * 10**10", "\u202e", "é"]),
    st.text(max_size=30),
)


def lone(data: bytes) -> PathwaySource:
    files = {"fuzzed.bpmn": data}
    return PathwaySource("fuzzed", NOWHERE, {}, {}, [], "fuzzed.bpmn", files, content_hash(files), [])


def folder(files: dict[str, bytes]) -> PathwaySource:
    return PathwaySource("referral-mini", MINI, {"id": "referral-mini"}, {}, ["fr", "en"], "pathway.bpmn", files, content_hash(files), [])


def assert_answer(problems) -> None:
    assert isinstance(problems, list)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.message.strip() and problem.rule
        assert problem.rule != INTERNAL_ERROR, str(problem)
        assert "\n" not in str(problem)


byte_edits = st.lists(
    st.tuples(st.sampled_from(["flip", "insert", "delete", "truncate", "duplicate"]), st.integers(0, len(DIAGRAM)), st.binary(min_size=1, max_size=12)),
    min_size=1, max_size=6,
)


def apply_bytes(data: bytes, edits) -> bytes:
    buffer = bytearray(data)
    for kind, position, payload in edits:
        position = min(position, len(buffer))
        if kind == "flip" and position < len(buffer):
            buffer[position] ^= payload[0] or 0x20
        elif kind == "insert":
            buffer[position:position] = payload
        elif kind == "delete":
            del buffer[position:position + len(payload) * 8]
        elif kind == "truncate":
            del buffer[position:]
        elif kind == "duplicate":
            buffer[position:position] = buffer[position:position + len(payload) * 16]
    return bytes(buffer)


@fuzz(1200)
@given(byte_edits)
def test_diagram_mutated_byte_by_byte_gives_problems_not_crashes(edits):
    assert_answer(validate(lone(apply_bytes(DIAGRAM, edits))))


structure_edits = st.lists(
    st.tuples(
        st.sampled_from(["drop", "duplicate", "rename", "drop_attribute", "set_attribute", "swap_refs", "text", "move"]),
        st.integers(0, 10_000), st.integers(0, 10_000), st.sampled_from(TAGS), st.sampled_from(ATTRIBUTES), TEXTS,
    ),
    min_size=1, max_size=5,
)


def apply_structure(data: bytes, edits) -> bytes:
    root = etree.fromstring(data)
    for kind, first, second, tag, attribute, text in edits:
        elements = [e for e in root.iter() if isinstance(e.tag, str)]
        element, other = elements[first % len(elements)], elements[second % len(elements)]
        parent = element.getparent()
        if kind == "drop" and parent is not None:
            parent.remove(element)
        elif kind == "duplicate" and parent is not None:
            parent.insert(parent.index(element), etree.fromstring(etree.tostring(element)))
        elif kind == "rename":
            element.tag = tag
        elif kind == "drop_attribute":
            element.attrib.pop(attribute, None)
        elif kind == "set_attribute" and text.isprintable() and "\x00" not in text:
            try:
                element.set(attribute, text)
            except ValueError:
                pass
        elif kind == "swap_refs":
            a, b = element.get(attribute), other.get(attribute)
            if a is not None and b is not None:
                element.set(attribute, b)
                other.set(attribute, a)
        elif kind == "text":
            try:
                element.text = text
            except ValueError:
                pass
        elif kind == "move" and parent is not None and element not in other.iterancestors() and element is not other:
            other.append(element)
    return etree.tostring(root)


@fuzz(1200)
@given(structure_edits)
def test_diagram_with_mutated_xml_structure_gives_problems_not_crashes(edits):
    assert_answer(validate(lone(apply_structure(DIAGRAM, edits))))


@fuzz(400)
@given(structure_edits, st.sampled_from(sorted(FOLDER_FILES)), byte_edits)
def test_folder_with_mutated_diagram_and_yaml_gives_problems_not_crashes(edits, other_file, other_edits):
    files = dict(FOLDER_FILES)
    files["pathway.bpmn"] = apply_structure(files["pathway.bpmn"], edits)
    files[other_file] = apply_bytes(files[other_file], other_edits) if other_file != "pathway.bpmn" else files[other_file]
    assert_answer(validate(folder(files)))


@fuzz(300)
@given(structure_edits)
def test_folder_with_mutated_decision_table_gives_problems_not_crashes(edits):
    files = dict(DECISION_FILES)
    files["priority.dmn"] = apply_structure(files["priority.dmn"], edits)
    source = PathwaySource("referral-decision", DECISION, {}, {}, ["fr", "en"], "pathway.bpmn", files, content_hash(files), [])
    assert_answer(validate(source))


@fuzz(300)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_as_diagram_give_problems_not_crashes(data):
    problems = validate(lone(data))
    assert_answer(problems)
    assert problems, "random bytes cannot be a valid pathway"
