"""Whether a task still waits for someone, checked wherever a request acts on one."""

from __future__ import annotations

from engine.domain import TaskState
from engine.errors import TaskClosed
from engine.store.models import TaskRow


def require_open(row: TaskRow, advice: str = "") -> None:
    """TaskClosed unless the task is open: a second tab, the back button or an old link can reach it late."""
    if row.state != TaskState.OPEN:
        raise TaskClosed(f"task {row.name} was already {row.state.value}{advice}", case_id=row.case_id)
