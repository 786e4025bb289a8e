"""Bounds on loops drawn with sequence flows: a case that goes round too often stops with a located error.

SpiffWorkflow deepens its task tree by a few levels at each turn of such a loop and, past a hidden
depth, silently reports the workflow completed while work is pending (see the field notes). So
every step on a drawn loop carries the bound of its process (`engine.pathways.rules.loops`), and
the step that would start one turn too many fails instead of running, before the tree gets near
that depth.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.specs import BpmnProcessSpec
from SpiffWorkflow.task import Task as SpiffTask

from engine.errors import AiguillageError

# Below Spiff's iterator limit (1000) with room for sub-processes and boundary events.
MAX_TREE_DEPTH = 900


class LoopBoundReached(AiguillageError):
    """A step on a drawn loop was reached more often than its bound allows."""

    def __init__(self, task: SpiffTask, message: str):
        super().__init__(message)
        self.task = task


def mark_loops(process_spec: BpmnProcessSpec, bound: int) -> None:
    """Give every step that lies on a cycle of the process's flows the bound `bound`."""
    specs = list(process_spec.task_specs.values())
    for spec in specs:
        if _reaches_itself(spec):
            spec.loop_bound = bound


def _reaches_itself(spec) -> bool:
    seen, pending = set(), list(spec.outputs)
    while pending:
        current = pending.pop()
        if current is spec:
            return True
        if id(current) in seen:
            continue
        seen.add(id(current))
        pending.extend(current.outputs)
    return False


def check_turns(task: SpiffTask) -> None:
    """Raise LoopBoundReached if the task's step already ran its bound's worth of turns on this path."""
    bound = getattr(task.task_spec, "loop_bound", None)
    if bound is None:
        return
    turns, depth, current = 0, 0, task.parent
    while current is not None:
        depth += 1
        if current.task_spec is task.task_spec:
            turns += 1
        current = current.parent
    if turns >= bound or depth >= MAX_TREE_DEPTH:
        spec = task.task_spec
        name = spec.bpmn_name or spec.bpmn_id or spec.name
        raise LoopBoundReached(task, (
            f"the loop through '{name}' ({spec.bpmn_id or spec.name}) reached its bound after {turns} turns; "
            f"a case may go round a loop drawn with sequence flows at most {bound} times (the process property "
            "aiguillage.loop.maximum sets it); the case stops here so that it never runs on unseen"))
