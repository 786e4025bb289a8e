"""Moving a running workflow to a newer version of its pathway (SpiffWorkflow.bpmn.util.diff), checked.

    reasons = migration_blockers(workflow, new_specs)   # [] when the case can move
    migrate(workflow, new_specs)                        # in place; call only when there are no blockers

The library aligns the old and new task specs by BPMN id and moves the instance, but checks
nothing. We refuse whenever a step that was changed or removed in the new version has already
run, is running, is ready for someone or is waiting (a timer): its work was done, or is being
done, under rules the new version no longer has. Steps not reached yet simply follow the new
version. The tasks that stay open keep their own data and their stamps (when they became ready,
when their timers fall due), so moving a case never moves its deadlines.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.diff import SpecDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from engine.runtime import serializer
from engine.runtime.specs import PathwaySpecs

# States in which a step's work has begun under the old rules.
REACHED = TaskState.COMPLETED | TaskState.STARTED | TaskState.READY | TaskState.WAITING | TaskState.ERROR
# Open tasks whose stamps and data a move must keep.
OPEN = TaskState.READY | TaskState.WAITING


@dataclass(frozen=True)
class Blocker:
    """Why a case cannot move: a changed or removed step it already reached."""

    bpmn_id: str
    name: str
    change: str  # "changed" or "removed"
    state: str  # the step's state, e.g. COMPLETED, READY, WAITING
    attributes: tuple[str, ...] = ()  # what changed in the step's definition

    def __str__(self) -> str:
        what = f" ({', '.join(self.attributes)})" if self.attributes else ""
        return f"step {self.bpmn_id} '{self.name}' was {self.change} in the new version{what} and is already {self.state.lower()}"


def migration_blockers(workflow: BpmnWorkflow, new_specs: PathwaySpecs) -> list[Blocker]:
    """Every changed or removed step the workflow has already reached (empty: the case can move)."""
    if workflow.spec.name != new_specs.spec.name:
        return [Blocker(workflow.spec.name, workflow.spec.name, "removed", "RUNNING")]
    registry = serializer.registry()
    blockers = _blockers(workflow, SpecDiff(registry, workflow.spec, new_specs.spec))
    for sub in workflow.subprocesses.values():
        new_spec = new_specs.subprocess_specs.get(sub.spec.name)
        if new_spec is None:
            if not sub.completed:
                blockers.append(Blocker(sub.spec.name, sub.spec.description or sub.spec.name, "removed", "RUNNING"))
            continue
        blockers.extend(_blockers(sub, SpecDiff(registry, sub.spec, new_spec)))
    return sorted(set(blockers), key=lambda b: (b.bpmn_id, b.state))


def migrate(workflow: BpmnWorkflow, new_specs: PathwaySpecs) -> None:
    """Move the workflow onto `new_specs` in place (only when `migration_blockers` found none)."""
    registry = serializer.registry()
    kept = {task.id: (copy.deepcopy(task.internal_data), copy.deepcopy(task.data))
            for task in workflow.get_tasks(state=OPEN)}
    top, subs = diff_workflow(registry, workflow, new_specs.spec, new_specs.subprocess_specs)
    migrate_workflow(top, workflow, new_specs.spec)
    for sub_id, sub_diff in subs.items():
        if sub_diff is not None:
            sub = workflow.subprocesses[sub_id]
            migrate_workflow(sub_diff, sub, new_specs.subprocess_specs[sub.spec.name])
    workflow.subprocess_specs = dict(new_specs.subprocess_specs)
    # The library re-predicts open tasks from scratch, which forgets when they became ready and when
    # their timers fall due: give them back what they had.
    for task in workflow.get_tasks():
        if task.id in kept:
            task.internal_data, task.data = kept[task.id]


def _blockers(workflow, spec_diff: SpecDiff) -> list[Blocker]:
    changed = spec_diff.changed
    removed = set(spec_diff.removed)
    found = []
    for task in workflow.get_tasks(state=REACHED, skip_subprocesses=True):
        spec = task.task_spec
        if not getattr(spec, "bpmn_id", None):
            continue  # Spiff's own bookkeeping (Start, End, boundary-event parents): nobody drew it
        if spec in removed:
            found.append(_blocker(task, "removed", ()))
        elif spec in changed:
            found.append(_blocker(task, "changed", tuple(sorted(changed[spec]))))
    return found


def _blocker(task, change: str, attributes: tuple[str, ...]) -> Blocker:
    spec = task.task_spec
    name = getattr(spec, "bpmn_name", None) or spec.name
    return Blocker(spec.bpmn_id, name, change, TaskState.get_name(task.state), attributes)
