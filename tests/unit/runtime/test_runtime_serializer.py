"""A saved case holds the instance only; it comes back on its pathway's specs with our engine."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

from engine.errors import InvalidData
from engine.runtime import case_runtime, serializer
from engine.runtime.script_engine import SafeScriptEngine
from engine.runtime.serializer import SERIALIZER_VERSION, CaseStateError
from engine.runtime.specs import load_specs

from runtime_cases import fixture_files


def test_saved_case_has_no_spec_and_is_smaller_than_spiffs_own(open_case):
    case = open_case("multi_instance.bpmn", data={"needs": ["medical", "shelter"]})
    case.complete("Task_Acknowledge", {"acknowledged": True})

    ours = serializer.dumps(case.workflow)
    stored = json.loads(ours)

    assert "spec" not in stored and "subprocess_specs" not in stored
    assert stored["serializer_version"] == SERIALIZER_VERSION
    assert "Task_Acknowledge" in ours
    # Spiff's own blob embeds the specs; ours must be markedly smaller.
    full = _spiff_blob(case.workflow)
    assert len(ours) < 0.7 * len(full)


def _spiff_blob(workflow) -> str:
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter

    config = dict(serializer.serializer_config())
    config[BpmnWorkflow] = BpmnWorkflowConverter
    registry = BpmnWorkflowSerializer.configure(config)
    return BpmnWorkflowSerializer(registry).serialize_json(workflow)


def test_round_trip_keeps_tasks_data_and_timers(open_case):
    case = open_case("timer_bare_non_interrupting.bpmn", data={"person": {"name": "A. N.", "age": 30}})
    before = (case.ready(), case.timers())

    restored = serializer.loads(serializer.dumps(case.workflow), case.specs, case.engine)

    assert case_runtime.ready_human_tasks(restored) == before[0]
    assert case_runtime.pending_timers(restored) == before[1]
    assert serializer.dumps(restored) == serializer.dumps(case.workflow)


def test_loading_attaches_the_given_script_engine(open_case, clock):
    case = open_case("script_task.bpmn", data={"needs": []})
    engine = SafeScriptEngine(clock)

    restored = serializer.loads(case.blob, case.specs, engine)

    assert restored.script_engine is engine


def test_saving_data_json_cannot_hold_is_a_clear_error(open_case):
    case = open_case("user_task_extensions.bpmn")
    [task] = case.ready()
    case_runtime.find_task(case.workflow, task.id).data["needs"] = {"medical"}

    with pytest.raises(InvalidData, match="a set value"):
        serializer.dumps(case.workflow)


def _standard_library_text(workflow) -> str:
    """The text the standard library writes for a workflow (what the serializer wrote before orjson)."""
    saver = serializer._serializer()
    saver.registry._encoder_mode = True
    try:
        dct = saver.to_dict(workflow)
    finally:
        saver.registry._encoder_mode = False
    dct[serializer.VERSION_KEY] = SERIALIZER_VERSION
    return json.dumps(dct, cls=saver._encoder_cls, allow_nan=False, separators=(",", ":"))


def test_the_saved_text_holds_what_the_standard_library_would_have_written(open_case):
    case = open_case("timer_bare_non_interrupting.bpmn",
                     data={"person": {"name": "Aïcha Ngono", "age": 30, "score": 0.1, "big": 1e16},
                           "seen": "2026-12-06", "nothing": None, "flags": [True, False]})
    [task] = case.ready()
    spiff_task = case_runtime.find_task(case.workflow, task.id)
    spiff_task.data["when"] = datetime(2026, 12, 6, 9, 30, 15, 250, tzinfo=timezone.utc)
    spiff_task.data["day"] = date(2026, 12, 6)

    text = serializer.dumps(case.workflow)

    assert json.loads(text) == json.loads(_standard_library_text(case.workflow))
    assert text.endswith("\n")  # written by orjson, and read by it
    assert '"2026-12-06T09:30:15.000250+00:00"' in text and '"day":"2026-12-06"' in text


@pytest.mark.parametrize("value", [2**70 + 1, {1: "one"}, {"text": "half a pair \udc80"}],
                         ids=["integer beyond 64 bits", "key that is not text", "lone surrogate"])
def test_data_only_the_standard_library_writes_is_saved_by_it_and_reads_back(open_case, value):
    case = open_case("user_task_extensions.bpmn")
    [task] = case.ready()
    case_runtime.find_task(case.workflow, task.id).data["odd"] = value

    text = serializer.dumps(case.workflow)

    assert text == _standard_library_text(case.workflow)
    restored = serializer.loads(text, case.specs, case.engine)
    assert case_runtime.find_task(restored, task.id).data["odd"] == json.loads(json.dumps(value))


def test_a_case_saved_before_orjson_reads_back_exactly(open_case):
    # orjson would read an integer beyond 64 bits as a float: a text it did not write is not given to it.
    case = open_case("user_task_extensions.bpmn")
    [task] = case.ready()
    case_runtime.find_task(case.workflow, task.id).data["count"] = 5
    saved_before = _standard_library_text(case.workflow).replace('"count":5', f'"count":{2**70 + 1}')

    restored = serializer.loads(saved_before, case.specs, case.engine)

    assert case_runtime.find_task(restored, task.id).data["count"] == 2**70 + 1


def test_loading_another_serializer_version_is_refused(open_case):
    case = open_case("user_task_extensions.bpmn")
    stored = json.loads(case.blob)
    stored["serializer_version"] = "1.5"

    with pytest.raises(CaseStateError, match="serializer version '1.5'"):
        serializer.loads(json.dumps(stored), case.specs, case.engine)


def test_loading_on_the_specs_of_another_process_is_refused(open_case, engine):
    case = open_case("user_task_extensions.bpmn")
    other = load_specs(fixture_files("script_task.bpmn"), main="script_task.bpmn")

    with pytest.raises(CaseStateError, match="runs process 'extensions'"):
        serializer.loads(case.blob, other, engine)


def test_loading_garbage_is_a_clear_error(open_case):
    case = open_case("user_task_extensions.bpmn")

    with pytest.raises(CaseStateError, match="not valid JSON"):
        serializer.loads("{not json", case.specs, case.engine)


def test_camunda_config_is_left_untouched_by_ours():
    assert len(serializer.serializer_config()) > len(CAMUNDA_CONFIG)


def test_a_case_saved_by_spiffs_own_task_converter_reads_the_same_with_cached_ids(open_case, monkeypatch):
    from uuid import UUID

    from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
    from SpiffWorkflow.task import Task

    case = open_case("multi_instance.bpmn", data={"needs": ["medical", "shelter"]})
    case.complete("Task_Acknowledge", {"acknowledged": True})
    text = serializer.dumps(case.workflow)
    # A cache that fills at once and is emptied on every id still gives the same workflow.
    monkeypatch.setattr(serializer, "_UUID_CACHE_SIZE", 1)
    restored = serializer.loads(text, case.specs, case.engine)
    assert all(type(task_id) is UUID and task.id == task_id for task_id, task in restored.tasks.items())
    assert serializer.dumps(restored) == text
    # Spiff's own task converter restores the very same workflow from the same text.
    config = serializer.serializer_config()
    config[Task] = TaskConverter
    registry = BpmnWorkflowSerializer.configure(config)
    stored = json.loads(text)
    stored.pop("serializer_version"), stored.pop("process_id")
    by_spiff = registry.convert_from_dict["BpmnWorkflow"](stored, specs=case.specs)
    by_spiff.script_engine = case.engine
    assert serializer.dumps(by_spiff) == text
    assert case_runtime.ready_human_tasks(restored) == case_runtime.ready_human_tasks(by_spiff)


def test_restored_tasks_do_not_share_lists_or_dicts_with_their_parents(open_case):
    # As Spiff's own restore: a task's data starts as a copy of its parent's, lists and dicts copied too,
    # so that a script or a form changing one task's list leaves the task it came from as it was.
    case = open_case("multi_instance.bpmn", data={"needs": ["medical", "shelter"], "person": {"name": "A. N."}})
    case.complete("Task_Acknowledge", {"acknowledged": True, "notes": {"first": ["seen"]}})

    restored = serializer.loads(serializer.dumps(case.workflow), case.specs, case.engine)

    checked = 0
    for task in restored.tasks.values():
        parent = task.parent
        if parent is None:
            continue
        for key, value in task.data.items():
            if isinstance(value, (list, dict)) and key in parent.data:
                assert value is not parent.data[key], (task.task_spec.name, key)
                checked += 1
    assert checked >= 5


def test_a_task_without_data_is_saved_as_empty_not_as_every_key_of_its_parent_deleted(open_case):
    # Tasks SpiffWorkflow predicts have no data until they are reached; written as a delta from
    # their parent's, each named every one of the case's fields as deleted.
    case = open_case("multi_instance.bpmn", data={"needs": ["medical", "shelter"], "person": {"name": "A. N."}})
    workflow = case.workflow
    empty = [task for task in workflow.get_tasks() if not task.data and task.parent is not None and task.parent.data]
    assert empty, "the fixture must predict tasks whose parent has data"
    # A task that dropped more of its parent's keys than it kept is written in full too.
    kept = next(task for task in workflow.get_tasks() if task.data and task.parent is not None)
    kept.data = {"needs": ["medical"]}

    text = serializer.dumps(workflow)
    stored = json.loads(text)
    saved = {key: task for part in (stored, *stored["subprocesses"].values()) for key, task in part["tasks"].items()}

    for task in empty:
        assert saved[str(task.id)]["data"] == {} and not saved[str(task.id)]["delta"]
    assert saved[str(kept.id)]["data"] == {"needs": ["medical"]} and not saved[str(kept.id)]["delta"]
    restored = serializer.loads(text, case.specs, case.engine)
    assert {task.id: task.data for task in restored.get_tasks()} == {task.id: task.data for task in workflow.get_tasks()}
    # SpiffWorkflow's own task converter reads the same data from it.
    from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
    from SpiffWorkflow.task import Task

    config = serializer.serializer_config()
    config[Task] = TaskConverter
    stored.pop("serializer_version"), stored.pop("process_id")
    by_spiff = BpmnWorkflowSerializer.configure(config).convert_from_dict["BpmnWorkflow"](stored, specs=case.specs)
    assert {task.id: task.data for task in by_spiff.get_tasks()} == {task.id: task.data for task in workflow.get_tasks()}
