"""Saving and restoring a running case as JSON, without the process spec inside.

    text = dumps(workflow)                        # store with SERIALIZER_VERSION
    workflow = loads(text, specs, script_engine)  # specs: the case's pinned PathwaySpecs

SpiffWorkflow copies the whole process spec into every saved workflow. A pathway version is
immutable and stored once, so the blob here holds only the instance (tasks, data, timers,
sub-processes, pending events) and the name of its process; `loads` rebuilds it on the
`PathwaySpecs` of the version the case is pinned to. That halves the blob and roughly doubles the
speed of a round trip.

`loads` always attaches the given script engine: Spiff does not serialize it, and a workflow left
with the default engine would run pathway text through plain `eval`.

Task data must be plain JSON. Dates are written as ISO text; a value JSON cannot hold is refused
with `InvalidData` naming its type, never a raw TypeError.

The text is written and read with orjson: a Cameroon case's 43 KB took 0.8 ms to write and 0.5 ms
to read with the standard library, 0.07 and 0.18 ms with orjson, at every step and every deadline
the sweep fires. orjson's text ends with a newline, and only a text so ended is read with orjson:
orjson reads an integer beyond 64 bits as a float without a word, and it never writes one. What
orjson will not write (such integers, keys that are not text, lone surrogates, objects it does not
know) goes through the standard library as before, with the same text or the same refusal; that
text, and every text saved before, is read with the standard library. orjson writes NaN and
infinities as null where the standard library refused them: case data cannot hold them
(`task_data` refuses them in what people and systems send, the script engine in what pathways compute).
"""

from __future__ import annotations

import json
import threading
from copy import copy
from datetime import date, datetime, time
from types import ModuleType
from uuid import UUID

import orjson

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
    TaskConverter,
)
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.errors import AiguillageError, InvalidData
from engine.runtime.operations import OperationTask
from engine.runtime.specs import PathwaySpecs
from engine.runtime.timers import CLOCK_TIMERS

# Stored with every case. Bump it whenever the blob's shape changes (our converter, or the pinned
# SpiffWorkflow version, whose own format is "1.5" for 3.2.0), and add a migration.
SERIALIZER_VERSION = "aiguillage-1/spiff-1.5"
VERSION_KEY = "serializer_version"


class CaseStateError(AiguillageError):
    """A saved case cannot be read back: wrong serializer version, other process, or corrupt text."""


# Task ids recur in every load of a case (each as key, id, parent and child): parsing a UUID from
# text costs more than the rest of restoring the task, so parsed ids are kept, up to a bound, and
# so is the text of each id (saving writes each one several times too).
_UUID_CACHE_SIZE = 200_000
_uuids: dict[str, UUID] = {}
_texts: dict[UUID, str] = {}


def task_uuid(text: str) -> UUID:
    """The UUID of a task id written as text (one object per id, kept with its text)."""
    found = _uuids.get(text)
    if found is None:
        found = _remember(UUID(text), text)
    return found


def task_text(task_id: UUID) -> str:
    """The text of a task's UUID."""
    found = _texts.get(task_id)
    if found is None:
        found = str(task_id)
        _remember(task_id, found)
    return found


def _remember(task_id: UUID, text: str) -> UUID:
    if len(_uuids) >= _UUID_CACHE_SIZE or len(_texts) >= _UUID_CACHE_SIZE:
        _uuids.clear()
        _texts.clear()
    _uuids[text] = task_id
    _texts[task_id] = text
    return task_id


_new_task = object.__new__

_PLAIN = (str, int, float, bool, type(None))
_MUTABLE = (dict, list, set)


def _mutable_keys(data: dict) -> tuple:
    """The keys of `data` whose values a task's copy of its parent's data must not share."""
    return tuple(key for key, value in data.items() if isinstance(value, _MUTABLE))


class CachedIdTaskConverter(TaskConverter):
    """SpiffWorkflow 3.2's task converter, with task ids read and written through caches and task data
    restored without the generic registry walk where it holds only plain JSON. The saved form is one
    SpiffWorkflow's own converter reads: a task's data is a delta from its parent's, or written in full
    (with an empty delta) where that is shorter, as for the predicted tasks that have no data yet.

    A workflow's tasks are restored together (`tasks_from_dict`), not one by one through the registry:
    each task's data starts as a copy of its parent's, and knowing which of the parent's values are
    lists or dicts (to be copied, not shared) spares looking at every value of every task."""

    def __init__(self, target_class, registry, typename=None):
        super().__init__(target_class, registry, typename)
        registry.task_converter = self  # the workflow converters save and restore tasks through it directly

    def to_dict(self, task):
        registry = self.registry
        parent = task.workflow.tasks.get(task._parent)
        if parent is None:
            data, delta = task.data, {}
        else:
            data, mine, theirs = {}, task.data, parent.data
            if mine == theirs:  # most tasks pass their data on unchanged
                delta = {"updates": {}, "deletions": []}
            elif not mine:
                # A predicted task has no data yet: as a delta it would name every key of its
                # parent's as deleted (a third of a Cameroon case's text, and as much work to read).
                delta = {}
            else:
                updates = {key: value for key, value in mine.items() if key not in theirs or value != theirs[key]}
                deletions = [key for key in theirs if key not in mine]
                if len(updates) + len(deletions) > len(mine):
                    data, delta = mine, {}  # the data in full is the shorter: an empty delta reads it so
                else:
                    delta = {"updates": updates, "deletions": deletions}
        return {
            "id": task_text(task.id),
            "parent": task_text(task._parent) if parent is not None else None,
            "children": [task_text(child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task.state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": _clean(task.internal_data) if registry._encoder_mode else registry.convert(task.internal_data),
            "data": data,
            "delta": delta,
            "typename": self.typename,
        }

    def tasks_to_dict(self, tasks: dict) -> dict:
        """A workflow's task mapping as saved (keys are the ids' text)."""
        to_dict = self.to_dict
        return {task_text(key) if type(key) is UUID else str(key): to_dict(task) for key, task in tasks.items()}

    def from_dict(self, dct, workflow):
        # One task on its own (Spiff's own paths): its parent, if it has one, is in the workflow already.
        parent = workflow.tasks.get(task_uuid(dct["parent"])) if dct["parent"] is not None else None
        task, _ = self._task_from_dict(dct, workflow, (parent, None) if parent is not None else None)
        workflow.tasks[task.id] = task
        return task

    def tasks_from_dict(self, mapping: dict, workflow) -> dict:
        """A workflow's tasks, restored in their saved order (a task's parent comes before it)."""
        restored: dict = {}  # id text -> (task, the keys of its data holding lists or dicts)
        restore = self._task_from_dict
        tasks = {}
        for dct in mapping.values():
            parent = dct["parent"]
            task, mutable = restore(dct, workflow, restored.get(parent) if parent is not None else None)
            restored[dct["id"]] = (task, mutable)
            tasks[task.id] = task
        return tasks

    def _task_from_dict(self, dct, workflow, parent_entry: tuple | None):
        """A task and the keys of its data holding lists or dicts; `parent_entry` is its parent's
        (task, keys), None where the parent is not restored (a root, or a task saved in full)."""
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task_id = task_uuid(dct["id"])
        parent_id = task_uuid(dct["parent"]) if dct["parent"] is not None else None
        internal_data = dct["internal_data"]
        internal_data = self._restore(internal_data) if internal_data else {}
        if task_spec is None or self.target_class is not Task:
            # Spiff's constructor (which stands a start task in for a spec it cannot find).
            task = self.target_class(workflow, task_spec, state=dct["state"], id=task_id)
            task._parent = parent_id
            task._children = [task_uuid(child) for child in dct["children"]]
            task.last_state_change = dct["last_state_change"]
            task.triggered = dct["triggered"]
            task.internal_data = internal_data
        else:
            # What Task.__init__ sets, in one go: it also files the task in the workflow's mapping
            # (rebuilt whole by `tasks_from_dict`) and looks its parent up there, for every task
            # of every load. thread_id as Task.__init__ sets it.
            task = _new_task(Task)
            task.__dict__ = {
                "id": task_id,
                "workflow": workflow,
                "_parent": parent_id,
                "_children": [task_uuid(child) for child in dct["children"]],
                "_state": dct["state"],
                "triggered": dct["triggered"],
                "task_spec": task_spec,
                "thread_id": Task.thread_id_pool,
                "data": None,
                "internal_data": internal_data,
                "last_state_change": dct["last_state_change"],
            }
        if isinstance(task_spec, CatchingEvent) and task._state & TaskState.WAITING:
            workflow.top_workflow.event_manager.add_task(task)
        delta = dct.get("delta")
        if delta and parent_entry is not None:
            # DeepMerge.merge({}, parent.data), which for an empty target is a shallow copy that
            # copies lists, dicts and sets one level down.
            parent, mutable = parent_entry
            if mutable is None:
                mutable = _mutable_keys(parent.data)
            data = parent.data.copy()
            for key in mutable:
                data[key] = copy(data[key])
            updates = delta.get("updates")
            deletions = delta.get("deletions")
            if updates:
                updates = self._restore(updates)
                data.update(updates)
                mutable = tuple(key for key in mutable if key not in updates) + _mutable_keys(updates)
            if deletions:
                for key in deletions:
                    if key in data:
                        del data[key]
                mutable = tuple(key for key in mutable if key in data)
        else:
            data = self._restore(dct["data"])
            mutable = _mutable_keys(data)
        task.data = data
        return task, mutable

    def _restore(self, value):
        # The registry's restore, for values just read from JSON: only a dict naming a `typename`
        # becomes an object; everything else is rebuilt as it is.
        kind = type(value)
        if kind is dict:
            if "typename" in value:
                return self.registry.restore(value)
            return {key: item if type(item) in _PLAIN else self._restore(item) for key, item in value.items()}
        if kind is list:
            return [item if type(item) in _PLAIN else self._restore(item) for item in value]
        return value if kind in _PLAIN else self.registry.restore(value)


def _clean(data: dict) -> dict:
    # What the registry keeps of a dict in encoder mode (callables and modules are dropped): the
    # JSON encoder converts the values.
    return {key: value for key, value in data.items() if not callable(value) and not isinstance(value, ModuleType)}


class TaskMappingMixin:
    """Task mappings keyed by id written with the id text cache (`str(uuid)` is slow for dozens of tasks),
    and a workflow's tasks saved and restored by the task converter directly."""

    def mapping_to_dict(self, mapping, **kwargs):
        convert = self.registry.convert
        return {task_text(k) if type(k) is UUID else str(k): convert(v, **kwargs) for k, v in mapping.items()}

    def to_dict(self, workflow):
        # As WorkflowConverter.to_dict, with the tasks written by the task converter itself.
        registry = self.registry
        return {
            "data": registry.convert(registry.clean(workflow.data)),
            "correlations": workflow.correlations,
            "last_task": task_text(workflow.last_task.id) if workflow.last_task is not None else None,
            "success": workflow.success,
            "completed": workflow.completed,
            "tasks": self._tasks_to_dict(workflow.tasks),
            "root": task_text(workflow.task_tree.id),
        }

    def _tasks_to_dict(self, tasks: dict) -> dict:
        converter = getattr(self.registry, "task_converter", None)
        if converter is None:  # a registry configured with another task converter
            return self.mapping_to_dict(tasks)
        return converter.tasks_to_dict(tasks)

    def restore_tasks(self, workflow, dct) -> None:
        converter = getattr(self.registry, "task_converter", None)
        if converter is None:
            workflow.tasks = self.mapping_from_dict(dct["tasks"], task_uuid, workflow=workflow)
        else:
            workflow.tasks = converter.tasks_from_dict(dct["tasks"], workflow)
        workflow.task_tree = workflow.tasks.get(task_uuid(dct["root"]))


class SpecFreeWorkflowConverter(TaskMappingMixin, BpmnWorkflowConverter):
    """Writes the workflow without its specs and rebuilds it on the specs it is given."""

    def to_dict(self, workflow):
        dct = TaskMappingMixin.to_dict(self, workflow)
        dct["process_id"] = workflow.spec.name
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, specs: PathwaySpecs | None = None):
        if specs is None:
            raise CaseStateError("a saved case can only be restored with the specs of its pathway version")
        workflow = self.target_class(specs.spec, specs.subprocess_specs, deserializing=True)
        self.restore_tasks(workflow, dct)
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow

    def subprocesses_from_dict(self, dct, workflow, top_workflow=None):
        # As Spiff's, with the task ids' text from the cache: parents' sub-workflows before their children's.
        top_workflow = top_workflow or workflow
        for task in workflow.tasks.values():
            if not isinstance(task.task_spec, SubWorkflowTask):
                continue
            key = task_text(task.id)
            if key in dct:
                subprocess = self.registry.restore(dct.pop(key), task=task, top_workflow=top_workflow)
                top_workflow.subprocesses[task.id] = subprocess
                subprocess.completed_event.connect(task.task_spec._on_subworkflow_completed, task)
                self.subprocesses_from_dict(dct, subprocess, top_workflow)


class SubWorkflowByNameConverter(TaskMappingMixin, BpmnSubWorkflowConverter):
    """Sub-workflows rebuilt on the spec they were saved with (a call activity may choose it at run time)."""

    def to_dict(self, workflow):
        dct = TaskMappingMixin.to_dict(self, workflow)
        dct["parent_task_id"] = task_text(workflow.parent_task_id)
        dct["spec"] = workflow.spec.name
        return dct

    def from_dict(self, dct, task, top_workflow):
        # Spiff looks the spec up by the task's spec, which for a calledElement expression is the expression.
        spec = top_workflow.subprocess_specs.get(dct.get("spec")) or top_workflow.subprocess_specs.get(task.task_spec.spec)
        subprocess = self.target_class(spec, task.id, top_workflow, deserializing=True)
        self.restore_tasks(subprocess, dct)
        self.set_default_attributes(subprocess, dct)
        return subprocess


class OperationTaskConverter(BpmnTaskSpecConverter):
    """Service tasks calling registered operations (only used when a spec itself is serialized)."""

    def to_dict(self, spec):
        dct = self.get_default_attributes(spec)
        dct["operation_name"] = spec.operation_name
        dct["operation_params"] = spec.operation_params
        dct["result_variable"] = spec.result_variable
        return dct


def serializer_config() -> dict:
    """Spiff's Camunda configuration plus our timers, service tasks and spec-free workflows."""
    config = dict(CAMUNDA_CONFIG)
    for clock_timer in CLOCK_TIMERS.values():
        config[clock_timer] = TimerConditionalEventDefinitionConverter
    config[OperationTask] = OperationTaskConverter
    config[BpmnWorkflow] = SpecFreeWorkflowConverter
    config[Task] = CachedIdTaskConverter
    config[BpmnSubWorkflow] = SubWorkflowByNameConverter
    return config


_local = threading.local()


def _serializer() -> BpmnWorkflowSerializer:
    # One per thread: the registry flips a mode flag while encoding.
    serializer = getattr(_local, "serializer", None)
    if serializer is None:
        registry = BpmnWorkflowSerializer.configure(serializer_config())
        serializer = BpmnWorkflowSerializer(registry)
        serializer._encoder_cls, serializer._default = _encoder_for(registry)
        _local.serializer = serializer
    return serializer


def registry():
    """The serializer's converter registry (the spec diff compares specs through it)."""
    return _serializer().registry


def _encoder_for(registry):
    def default(obj):
        if isinstance(obj, (datetime, date, time)):
            return obj.isoformat()
        typename = registry.typenames.get(type(obj))
        if typename is not None:
            return registry.convert_to_dict[typename](obj)
        raise TypeError(
            f"a {type(obj).__name__} value ({_short(obj)}) cannot be kept in case data; "
            "use text, numbers, true/false, lists or objects"
        )

    class CaseEncoder(json.JSONEncoder):
        def default(self, obj):
            return default(obj)

    return CaseEncoder, default


# Dates and dataclasses go to `default`, as the standard library sends them: the same text either way.
# The newline marks the text as orjson's (see the module's notes).
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_APPEND_NEWLINE


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def dumps(workflow: BpmnWorkflow) -> str:
    """The workflow as compact JSON, without its spec; InvalidData if task data is not plain JSON."""
    serializer = _serializer()
    registry = serializer.registry
    registry._encoder_mode = True
    try:
        dct = serializer.to_dict(workflow)
        dct[VERSION_KEY] = SERIALIZER_VERSION
        try:
            return orjson.dumps(dct, default=serializer._default, option=_ORJSON_OPTIONS).decode()
        except orjson.JSONEncodeError:
            return json.dumps(dct, cls=serializer._encoder_cls, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise InvalidData(f"the case cannot be saved: {error}") from error
    finally:
        registry._encoder_mode = False


def _parsed(text: str | bytes):
    if text[-1:] in ("\n", b"\n"):
        return orjson.loads(text)
    return json.loads(text)  # written by the standard library: it may hold integers beyond 64 bits


def loads(text: str | bytes, specs: PathwaySpecs, script_engine) -> BpmnWorkflow:
    """Rebuild a saved workflow on `specs` and attach `script_engine`; CaseStateError if it cannot."""
    try:
        dct = _parsed(text)
    except (TypeError, ValueError) as error:
        raise CaseStateError(f"the saved case is not valid JSON: {error}") from error
    if not isinstance(dct, dict):
        raise CaseStateError("the saved case is not a JSON object")
    version = dct.pop(VERSION_KEY, None)
    if version != SERIALIZER_VERSION:
        raise CaseStateError(
            f"the saved case has serializer version {version!r}; this engine reads {SERIALIZER_VERSION!r}"
        )
    process_id = dct.pop("process_id", None)
    if process_id != specs.spec.name:
        raise CaseStateError(
            f"the saved case runs process {process_id!r}, not {specs.spec.name!r} of the pathway given"
        )
    converter = _serializer().registry.convert_from_dict["BpmnWorkflow"]
    try:
        workflow = converter(dct, specs=specs)
    except CaseStateError:
        raise
    except Exception as error:  # a blob that does not match the spec it is restored on
        raise CaseStateError(f"the saved case cannot be restored: {type(error).__name__}: {error}") from error
    workflow.script_engine = script_engine
    return workflow
