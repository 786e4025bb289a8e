"""The facade the rest of the engine uses to run a case; nothing else outside engine/runtime touches Spiff.

    wf = start(specs, script_engine, data=None)          # a new workflow, already advanced
    failures = advance(wf)                               # fire due timers, run engine steps
    tasks = ready_human_tasks(wf)                        # list[HumanTask]
    failures = complete_task(wf, task_id, data)          # submit a human task and advance
    failures = retry_task(wf, task_id, data=None)        # run a failed task again after a repair
    failures = cancel_tasks(wf, task_ids)                # drop timers and ready tasks nobody needs now
    timers = pending_timers(wf)                          # list[PendingTimer], due_at aware UTC
    is_completed(wf); find_task(wf, task_id)

An escalation task answered ``escalation_action = resolved`` stops what is left of its chain when
it is completed (`engine.runtime.escalation_chains`), whoever drives the case.

`advance` never leaves a case silently stuck: a task that fails goes to ERROR (Spiff would then
skip it forever) and every ERROR task is returned as a `TaskFailure` with its message, every time,
until someone repairs the case. Time comes only from ``script_engine.clock``: a human task's
``ready_at`` and ``due_at`` are computed when it becomes ready and kept in the task's internal
data, so they survive saving and do not move when data changes.

If SpiffWorkflow itself fails outside any one task, `EngineFailure` is raised: the in-memory
workflow is then unreliable and the step must be discarded, not saved.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from engine.errors import AiguillageError, Conflict, NotFound
from engine.runtime.escalation_chains import rest_of_chain, resolved_by_answer
from engine.runtime.loop_bounds import LoopBoundReached, check_turns
from engine.runtime.human_tasks import BOUNDARY_DUE_AT_KEY, DUE_AT_KEY, READY_AT_KEY, HumanTask, due_dates, human_task_of
from engine.runtime.specs import PathwaySpecs
from engine.runtime.task_data import copied, plain_data
from engine.runtime.timers import TIMER_ERROR, parse_moment

FAILURE_KEY = "failure"

# A guard against a failing task that somehow stays runnable: never loop forever.
_MAX_FAILED_PASSES = 200


class EngineFailure(AiguillageError):
    """SpiffWorkflow failed outside any one task: the in-memory workflow is unreliable, discard the step."""


@dataclass(frozen=True)
class TaskFailure:
    """A task in ERROR: which one, and why (in words an SOP author can act on)."""

    task_id: str
    bpmn_id: str
    name: str
    message: str


@dataclass(frozen=True)
class PendingTimer:
    """A timer waiting to fire; `due_at` is when the scheduler should call `advance` again."""

    task_id: str
    bpmn_id: str
    name: str
    due_at: datetime
    kind: str = "duration"  # "date", "duration" or "cycle"
    attached_to: str | None = field(default=None)  # bpmn id of the task a boundary timer sits on


def start(specs: PathwaySpecs, script_engine, data: dict | None = None) -> BpmnWorkflow:
    """A new workflow on `specs` with `data` (plain JSON) in its start task, advanced to its first waits."""
    initial = plain_data(data)
    try:
        workflow = BpmnWorkflow(specs.spec, specs.subprocess_specs, script_engine=script_engine)
    except Exception as error:  # the library predicts the whole task tree here; odd diagrams break it
        raise EngineFailure(f"a case cannot be started on this pathway: {_failure_message(error)}") from error
    workflow.task_tree.data.update(copy.deepcopy(initial))
    for task in _tasks_in(workflow, TaskState.READY):
        task.data.update(copy.deepcopy(initial))
    advance(workflow)
    return workflow


def advance(workflow: BpmnWorkflow) -> list[TaskFailure]:
    """Fire due timers and run every automatic step; returns every task now in ERROR."""
    for _ in range(_MAX_FAILED_PASSES):
        try:
            workflow.refresh_timers()
            _do_engine_steps(workflow)
        except Exception as error:  # a step failed: record why on its task, carry on with the others
            _record_failure(workflow, error)
            continue
        break
    _fail_broken_timers(workflow)
    _fail_loops_past_bound(workflow)
    _fail_unreachable_steps(workflow)
    _stamp_ready_tasks(workflow)
    return failures(workflow)


def _do_engine_steps(workflow: BpmnWorkflow) -> None:
    """`workflow.do_engine_steps(will_complete_task=check_turns)` of SpiffWorkflow 3.2, pass for pass,
    without its walks of a task tree when no automatic task is ready anywhere in the case.

    Spiff looks for ready tasks by walking the tree of the process and of each active sub-process,
    several times per pass: most of a step's engine time on a case of some size, though a step
    usually finds work in one or two of those walks. Looking at the flat task maps first finds
    whether any walk can yield a task; when one can, the walk runs as in Spiff (its order decides
    which task runs first)."""
    while _engine_pass(workflow):
        pass
    workflow.refresh_timers()


def _engine_pass(workflow: BpmnWorkflow) -> bool:
    # BpmnWorkflow._do_engine_steps: the sub-processes deepest first, each until nothing runs, then the process.
    active = workflow.get_active_subprocesses()
    for subprocess in sorted(active, key=lambda v: v.depth, reverse=True):
        while _run_ready(subprocess, workflow):
            pass
        if subprocess.parent_task_id is not None:
            task = workflow.get_task_from_id(subprocess.parent_task_id)
            task.task_spec._update(task)
    ran = _run_ready(workflow, workflow)
    return ran > 0 or len(workflow.get_active_subprocesses()) > len(active)


def _run_ready(process, top: BpmnWorkflow) -> int:
    if not any(_automatic_and_ready(task) for task in top.tasks.values()) and not any(
        _automatic_and_ready(task) for sub in top.subprocesses.values() for task in sub.tasks.values()
    ):
        return 0  # the walk below could not find a task to run
    count = 0
    for task in process.get_tasks(state=TaskState.READY):
        if not task.task_spec.manual:
            check_turns(task)
            task.run()
            count += 1
    return count


def _automatic_and_ready(task: SpiffTask) -> bool:
    return task.state == TaskState.READY and not task.task_spec.manual


def failures(workflow: BpmnWorkflow) -> list[TaskFailure]:
    """Every task in ERROR, with its message."""
    result = []
    for task in _tasks_in(workflow, TaskState.ERROR):
        message = task.internal_data.get(FAILURE_KEY) or "the task failed (no message was recorded)"
        result.append(TaskFailure(str(task.id), task.task_spec.bpmn_id or task.task_spec.name, _name(task), message))
    return result


def ready_human_tasks(workflow: BpmnWorkflow) -> list[HumanTask]:
    """The tasks waiting for a person (user, manual and plain tasks), across sub-processes."""
    engine = workflow.script_engine
    return [human_task_of(task, engine) for task in _tasks_in(workflow, TaskState.READY) if task.task_spec.manual]


def complete_task(workflow: BpmnWorkflow, task_id: str, data: dict | None) -> list[TaskFailure]:
    """Record `data` on a ready human task, complete it and advance; Conflict if it is not ready."""
    task = find_task(workflow, task_id)
    if not task.task_spec.manual:
        raise Conflict(f"task {task_id} ({_name(task)}) is not a human task; it runs by itself")
    if task.state != TaskState.READY:
        raise Conflict(
            f"task {task_id} ({_name(task)}) is {TaskState.get_name(task.state).lower()}, not ready; "
            "reload the case and try again"
        )
    task.data.update(plain_data(data, where=""))
    try:
        task.run()
    except Exception as error:
        # The task's own work failed (it is in ERROR), or what followed it did.
        _record_failure(workflow, error, task if task.state == TaskState.ERROR else None)
    resolved = resolved_by_answer(task) if task.state == TaskState.COMPLETED else None
    if resolved is not None:
        timer, level = resolved
        _cancel(rest_of_chain(workflow, [timer], level))
    return advance(workflow)


def retry_task(workflow: BpmnWorkflow, task_id: str, data: dict | None = None) -> list[TaskFailure]:
    """Run a task in ERROR again, after merging `data` (the repair), and advance; Conflict if not in ERROR."""
    task = find_task(workflow, task_id)
    if task.state != TaskState.ERROR:
        raise Conflict(f"task {task_id} ({_name(task)}) has not failed; only failed tasks can be retried")
    repair = plain_data(data, where="")
    task.internal_data.pop(FAILURE_KEY, None)
    task.data.update(copy.deepcopy(repair))
    if task.internal_data.pop(TIMER_ERROR, None) is not None:
        # A timer re-reads its text from its parent's data when it is reached again.
        if task.parent is not None:
            task.parent.data.update(copy.deepcopy(repair))
        task.internal_data.pop("event_value", None)
        task._set_state(TaskState.WAITING)
        task.task_spec._update(task)
    else:
        task._set_state(TaskState.READY)
    return advance(workflow)


def cancel_tasks(workflow: BpmnWorkflow, task_ids: Iterable[str | UUID]) -> list[TaskFailure]:
    """Cancel waiting timers or ready tasks (and what they lead to) and advance; finished ones are left as they are."""
    _cancel([find_task(workflow, task_id) for task_id in task_ids])
    return advance(workflow)


def pending_timers(workflow: BpmnWorkflow) -> list[PendingTimer]:
    """Timers that are waiting, with their due time (for the deadline table and the scheduler)."""
    result = []
    for task in list(workflow.event_manager.tasks.values()):
        definition = getattr(task.task_spec, "event_definition", None)
        if not isinstance(definition, TimerEventDefinition) or task.state != TaskState.WAITING:
            continue
        if TIMER_ERROR in task.internal_data:
            continue
        due_at, kind = _due_of(task, definition)
        if due_at is None:
            continue
        result.append(
            PendingTimer(
                task_id=str(task.id),
                bpmn_id=task.task_spec.bpmn_id or task.task_spec.name,
                name=_name(task),
                due_at=due_at,
                kind=kind,
                attached_to=_attached_to(task),
            )
        )
    return sorted(result, key=lambda timer: timer.due_at)


def is_completed(workflow: BpmnWorkflow) -> bool:
    """True when the case's process has reached its end (and nothing in it is left to do)."""
    # Not Spiff's is_completed(): its tree walk stops at a hidden depth and then reports a deep
    # (long-running) case as completed, and it caches that answer in the workflow.
    if workflow.completed:
        return True
    return not any(task.state & TaskState.NOT_FINISHED_MASK for task in workflow.tasks.values())


def find_task(workflow: BpmnWorkflow, task_id: str | UUID) -> SpiffTask:
    """The task with this id, in the process or any sub-process; NotFound otherwise."""
    try:
        key = task_id if isinstance(task_id, UUID) else UUID(str(task_id))
    except ValueError as error:
        raise NotFound(f"there is no task {task_id!r} in this case") from error
    task = workflow.tasks.get(key)
    if task is None:
        for subprocess in workflow.subprocesses.values():
            task = subprocess.tasks.get(key)
            if task is not None:
                break
    if task is None:
        raise NotFound(f"there is no task {task_id} in this case")
    return task


def _cancel(tasks: list[SpiffTask]) -> None:
    processes = []
    for task in tasks:
        if task.has_state(TaskState.FINISHED_MASK):
            continue
        task.cancel()
        processes.append(task.workflow)
    for process in processes:
        # A process whose last open branch this was can end now; its closing join only looks again
        # when something in it completes, which nothing will.
        process.update_waiting_tasks()


def _tasks_in(workflow: BpmnWorkflow, state: int) -> list[SpiffTask]:
    # The flat task maps, not Spiff's tree iterator: the same tasks at a fraction of the cost,
    # in creation order (multi-instance children by index).
    found = [task for task in workflow.tasks.values() if task.state == state]
    for subprocess in workflow.subprocesses.values():
        found.extend(task for task in subprocess.tasks.values() if task.state == state)
    return found


def _name(task: SpiffTask) -> str:
    spec = task.task_spec
    return spec.bpmn_name or spec.bpmn_id or spec.name


def _failure_message(error: Exception) -> str:
    message = str(error.args[0]) if error.args else type(error).__name__
    notes = [note for note in getattr(error, "notes", []) if note]
    if notes:
        message += " (" + "; ".join(str(note).strip() for note in notes) + ")"
    return message


def _record_failure(workflow: BpmnWorkflow, error: Exception, task: SpiffTask | None = None) -> None:
    """Attach the error to its task and put that task in ERROR; EngineFailure if no task can carry it."""
    task = task or getattr(error, "task", None)
    if task is None:
        # Not tied to a task: pin it on a task that just went to ERROR without a message, if any.
        orphans = [t for t in _tasks_in(workflow, TaskState.ERROR) if FAILURE_KEY not in t.internal_data]
        if not orphans:
            raise EngineFailure(
                f"the workflow engine failed while moving the case on; do not save it: {_failure_message(error)}"
            ) from error
        task = orphans[0]
    task.internal_data[FAILURE_KEY] = _failure_message(error)
    if task.state != TaskState.ERROR:
        task._set_state(TaskState.ERROR)


def _fail_broken_timers(workflow: BpmnWorkflow) -> None:
    for task in list(workflow.event_manager.tasks.values()):
        message = task.internal_data.get(TIMER_ERROR)
        if message and task.state == TaskState.WAITING:
            workflow.event_manager.remove_task(task)
            task.internal_data[FAILURE_KEY] = message
            task._set_state(TaskState.ERROR)


def _fail_loops_past_bound(workflow: BpmnWorkflow) -> None:
    """Human tasks made ready one turn too many on a drawn loop fail before anyone works on them."""
    for task in _tasks_in(workflow, TaskState.READY):
        if task.task_spec.manual:
            try:
                check_turns(task)
            except LoopBoundReached as error:
                task.internal_data[FAILURE_KEY] = str(error)
                task._set_state(TaskState.ERROR)


def _fail_unreachable_steps(workflow: BpmnWorkflow) -> None:
    """Automatic steps left ready after the engine ran are ones its tree walk cannot reach: report them."""
    leftover = [task for task in _tasks_in(workflow, TaskState.READY) if not task.task_spec.manual]
    if not leftover:
        return
    # Spiff's iterator stops at a hidden depth (about 330 turns of a loop drawn with gateways).
    visible = {task.id for task in workflow.get_tasks(state=TaskState.READY)}
    for task in leftover:
        if task.id not in visible:
            task.internal_data[FAILURE_KEY] = (
                "the case's history is too deep for the engine to go on (a loop drawn with sequence flows "
                "ran too many times); redraw it with a loop marker, a multi-instance or a cycle timer"
            )
            task._set_state(TaskState.ERROR)


def _stamp_ready_tasks(workflow: BpmnWorkflow) -> None:
    """Give each newly ready human task its ready time and evaluated due dates, from our clock."""
    engine = workflow.script_engine
    now = None
    for task in _tasks_in(workflow, TaskState.READY):
        if not task.task_spec.manual or READY_AT_KEY in task.internal_data:
            continue
        now = now or engine.clock.now().astimezone(timezone.utc)
        task.internal_data[READY_AT_KEY] = now.isoformat()
        try:
            task.internal_data.update(due_dates(task, engine, now))
        except Exception as error:
            # A bad dueDate must not block the work itself: the task stays ready, the case is flagged.
            task.internal_data["due_error"] = _failure_message(error)
        if DUE_AT_KEY not in task.internal_data:
            first = _first_boundary_timer(task)
            if first is not None:
                task.internal_data[BOUNDARY_DUE_AT_KEY] = first.isoformat()


def _first_boundary_timer(task: SpiffTask) -> datetime | None:
    """When the earliest timer drawn on the task's border fires: without a dueDate, that is when it is late."""
    # Pathways draw a referral's deadlines as boundary timers (reminder, alert, escalation) rather
    # than a dueDate; the first of them is the moment the inbox must show as the task's due date.
    parent = task.parent
    if parent is None or not parent.task_spec.name.endswith(".BoundaryEventSplit"):
        return None
    moments = []
    for sibling in parent.children:
        definition = getattr(sibling.task_spec, "event_definition", None)
        if sibling is task or not isinstance(definition, TimerEventDefinition):
            continue
        due_at, _kind = _due_of(sibling, definition)
        if due_at is not None:
            moments.append(due_at)
    return min(moments) if moments else None


def _due_of(task: SpiffTask, definition) -> tuple[datetime | None, str]:
    value = task.internal_data.get("event_value")
    if isinstance(definition, CycleTimerEventDefinition):
        if isinstance(value, dict) and value.get("cycles", 0) != 0:
            return parse_moment(value["next"]), "cycle"
        return None, "cycle"
    kind = "date" if type(definition).__name__.endswith("TimeDateEventDefinition") else "duration"
    if not isinstance(value, str):
        return None, kind
    return parse_moment(value), kind


def _attached_to(task: SpiffTask) -> str | None:
    attached = getattr(task.task_spec, "attached_to", None)
    if attached is not None:
        return getattr(attached, "bpmn_id", None) or str(attached)
    parent = task.parent
    if parent is not None and parent.task_spec.name.endswith(".BoundaryEventSplit"):
        for sibling in parent.children:
            if sibling is not task and sibling.task_spec.bpmn_id and not hasattr(sibling.task_spec, "event_definition"):
                return sibling.task_spec.bpmn_id
    return None


def human_task_data(task: SpiffTask) -> dict[str, Any]:
    """A copy of a task's data (for forms and scenario checks)."""
    return copied(task.data)
