"""What a case holds right now, at the level of its main process."""

from __future__ import annotations

import copy
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow


def case_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """A copy of the main process's data: as left by its last completed step (the end, once completed)."""
    task = workflow.last_task or workflow.task_tree
    return copy.deepcopy(task.data) if task is not None else {}
