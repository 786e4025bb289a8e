"""Whatever a diagram file contains, loading it gives specs or one PathwayError, never a crash."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from runtime_cases import fixture_files

from engine.clock import ManualClock
from engine.errors import AiguillageError, PathwayError
from engine.runtime import case_runtime, serializer
from engine.runtime.script_engine import SafeScriptEngine
from engine.runtime.specs import load_specs

SOURCES = fixture_files(
    "timer_cycle.bpmn", "multi_instance.bpmn", "dmn_task.bpmn", "priority.dmn", "service_task.bpmn",
    "user_task_extensions.bpmn", "juel_condition.bpmn",
)
BPMN_NAMES = sorted(name for name in SOURCES if name.endswith(".bpmn"))


def loads_or_refuses(files: dict[str, bytes], main: str) -> None:
    try:
        specs = load_specs(files, main=main)
    except PathwayError as error:
        assert str(error).strip()
        return
    runs_or_reports(specs)


def runs_or_reports(specs) -> None:
    """A loaded diagram runs: failures come back as TaskFailures or one AiguillageError, never a crash."""
    clock = ManualClock(datetime(2026, 3, 2, 7, 0, tzinfo=timezone.utc))
    engine = SafeScriptEngine(clock)
    try:
        workflow = case_runtime.start(specs, engine, {"needs": ["medical"], "need": "medical", "region": "x", "age": 3})
        for _ in range(5):
            ready = case_runtime.ready_human_tasks(workflow)
            if not ready:
                clock.advance(timedelta(days=1))
                case_runtime.advance(workflow)
                continue
            case_runtime.complete_task(workflow, ready[0].id, {"consent": True, "services": []})
            workflow = serializer.loads(serializer.dumps(workflow), specs, engine)
    except AiguillageError as error:
        assert str(error).strip()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(BPMN_NAMES), st.data())
def test_byte_mutations_load_or_are_refused(name, data):
    original = SOURCES[name]
    start = data.draw(st.integers(0, len(original) - 1))
    length = data.draw(st.integers(0, 40))
    insert = data.draw(st.binary(max_size=20))
    mutated = original[:start] + insert + original[start + length:]

    loads_or_refuses({**SOURCES, name: mutated}, name)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(BPMN_NAMES), st.data())
def test_structural_mutations_load_or_are_refused(name, data):
    root = etree.fromstring(SOURCES[name])
    elements = [element for element in root.iter() if element is not root and isinstance(element.tag, str)]
    victim = data.draw(st.sampled_from(elements))
    action = data.draw(st.sampled_from(["remove", "drop_attribute", "rename_id", "empty_text", "duplicate"]))
    if action == "remove":
        victim.getparent().remove(victim)
    elif action == "drop_attribute" and victim.attrib:
        del victim.attrib[data.draw(st.sampled_from(sorted(victim.attrib)))]
    elif action == "rename_id" and victim.get("id"):
        victim.set("id", data.draw(st.sampled_from(["Start", "End", "x'y", "", "StartEvent", "Task_Next"])))
    elif action == "empty_text":
        victim.text = data.draw(st.sampled_from(["", "PT72", "${", "__import__('os')", "R/P0D", "-"]))
    elif action == "duplicate":
        victim.getparent().append(etree.fromstring(etree.tostring(victim)))

    loads_or_refuses({**SOURCES, name: etree.tostring(root)}, name)
