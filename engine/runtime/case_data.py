"""What a case holds right now, at the level of its main process."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow


def case_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """A copy of the main process's data: as left by its last completed step (the end, once completed)."""
    return copy.deepcopy(read_case_data(workflow))


def read_case_data(workflow: BpmnWorkflow) -> Mapping[str, Any]:
    """The main process's data itself, for a reader that only picks a few values: no copy of the whole
    case on the step's path (never to be changed through)."""
    task = workflow.last_task or workflow.task_tree
    return task.data if task is not None else {}
