"""Escalation chains drawn in a pathway: the timers with a level, the tasks they open, what is left of a chain.

    for timer, level in escalation_timers(wf): ...         # every state, with its level
    tasks = rest_of_chain(wf, [timer], from_level=2)       # what stopping the chain there cancels
    found = resolved_by_answer(task)                       # (its timer, its level) if answered "resolved"

A timer carrying ``aiguillage.escalation = 1|2|3`` is an escalation timer at that level. The
escalation timers on one activity are one chain; any other escalation timer is a chain of its own.
An escalation task belongs to the nearest escalation timer among its ancestors. What is left of a
chain from a level is its timers not yet fired and its tasks still open at that level or above; the
lower levels' tasks stay, as their people still have the work they were reminded of.

An escalation task (one drawn with ``aiguillage.escalation`` too) answered ``resolved`` in the field
its step names for the action (``escalation_action`` unless ``aiguillage.escalation_action_field``
names another, `engine.pathways.step_fields`) resolves its escalation, and
`case_runtime.complete_task` stops what is left of its chain from its level.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from engine.pathways.step_fields import EscalationFields
from engine.runtime.human_tasks import extensions_of

ESCALATION_PROPERTY = "aiguillage.escalation"
RESOLVED_ANSWER = "resolved"


def escalation_level(task: SpiffTask) -> int | None:
    """The level an element is drawn with (``aiguillage.escalation``), if any."""
    level = (extensions_of(task).get("properties") or {}).get(ESCALATION_PROPERTY)
    return int(str(level).strip()) if level is not None and str(level).strip().isdigit() else None


def escalation_fields(task: SpiffTask) -> EscalationFields:
    """The fields an escalation task's step names for what was done about it and a note on it."""
    return EscalationFields.declared(extensions_of(task).get("properties") or {})


def escalation_timers(workflow: BpmnWorkflow) -> list[tuple[SpiffTask, int]]:
    """Every escalation timer of the case, whatever its state, with its level."""
    found = []
    for task in all_tasks(workflow):
        if getattr(task.task_spec, "event_definition", None) is None:
            continue
        level = escalation_level(task)
        if level is not None:
            found.append((task, level))
    return found


def rest_of_chain(workflow: BpmnWorkflow, anchors: Iterable[SpiffTask], from_level: int) -> list[SpiffTask]:
    """The timers not yet fired of the anchors' chains, and their escalation tasks open at `from_level` or above."""
    chains = {_chain_of(anchor) for anchor in anchors}
    timers = {timer.id: (timer, level) for timer, level in escalation_timers(workflow) if _chain_of(timer) in chains}
    left = [timer for timer, _ in timers.values() if timer.state == TaskState.WAITING]
    for task in all_tasks(workflow):
        if task.state != TaskState.READY or not task.task_spec.manual:
            continue
        timer = raising_timer(task, timers)
        if timer is not None and timers[timer.id][1] >= from_level:
            left.append(task)
    return left


def resolved_by_answer(task: SpiffTask) -> tuple[SpiffTask, int] | None:
    """For an escalation task (drawn with its level) answered "resolved": the timer it follows, and its level."""
    level = escalation_level(task)
    if level is None or task.data.get(escalation_fields(task).action) != RESOLVED_ANSWER:
        return None
    timers = {timer.id: (timer, level) for timer, level in escalation_timers(task.workflow)}
    timer = raising_timer(task, timers)
    return (timer, level) if timer is not None else None


def raising_timer(task: SpiffTask, timers: dict) -> SpiffTask | None:
    """The nearest of `timers` (by task id) among the task's ancestors."""
    current = task.parent
    while current is not None:
        if current.id in timers:
            return current
        current = current.parent
    return None


def chain_mates(workflow: BpmnWorkflow, timer: SpiffTask) -> list[SpiffTask]:
    """The escalation timers of the timer's chain (itself included)."""
    chain = _chain_of(timer)
    return [other for other, _ in escalation_timers(workflow) if _chain_of(other) == chain]


def _chain_of(timer: SpiffTask):
    # Boundary timers share their activity's split task as parent.
    parent = timer.parent
    if parent is not None and parent.task_spec.name.endswith(".BoundaryEventSplit"):
        return parent.id
    return timer.id


def all_tasks(workflow: BpmnWorkflow) -> Iterator[SpiffTask]:
    """Every task of the case, whatever its state: the process's and each sub-process's own."""
    # The flat task maps: a task tree walk would miss tasks under a still-waiting parent.
    top = workflow.top_workflow
    for tasks in (top.tasks, *(sub.tasks for sub in top.subprocesses.values())):
        yield from tasks.values()
