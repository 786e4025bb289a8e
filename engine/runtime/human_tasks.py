"""What a person sees of a ready task: who may do it, by when, how urgent, with which form.

`HumanTask` is built from the Spiff task and the extensions `engine.runtime.parser` read from the
diagram. Due and follow-up dates are evaluated once, when the task becomes ready
(`engine.runtime.case_runtime` stores them in the task's internal data):

- an ISO 8601 date-time (``2026-12-01T08:00:00+01:00``; no offset means Africa/Douala time);
- an ISO 8601 duration (``P3D``, ``PT72H``) counted from when the task became ready, in working
  days when the task carries ``camunda:property name="aiguillage.calendar" value="working-days"``;
- an expression (``${deadline}``, ``review_by``) giving either of the above.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.task import Task as SpiffTask

from engine.pathways.lanes import role_of_lane
from engine.runtime.task_data import copied
from engine.runtime.timers import CALENDAR_PROPERTY, WORKING_DAYS, add_duration, parse_moment

_BARE_ISO = re.compile(r"P[0-9YMWDTHS.,]+|\d{4}-\d{2}-\d{2}(T[0-9:.+\-Z]+)?")
READY_AT_KEY = "ready_at"
DUE_AT_KEY = "due_at"
FOLLOW_UP_AT_KEY = "follow_up_at"
# Without a dueDate, when the first timer on the task's border fires (shown as its due date only:
# the timers themselves carry the deadline and its escalation).
BOUNDARY_DUE_AT_KEY = "boundary_due_at"


@dataclass(frozen=True)
class HumanTask:
    """A ready task waiting for a person."""

    id: str
    bpmn_id: str
    name: str
    lane: str | None
    lane_id: str | None
    candidate_groups: list[str]
    candidate_users: list[str]
    assignee: str | None
    due_at: datetime | None
    follow_up_at: datetime | None
    priority: int | None
    form: Any  # SpiffWorkflow.camunda.specs.user_task.Form, or None for manual/plain tasks
    properties: dict[str, str]
    data: dict[str, Any]
    instance: dict[str, Any] | None  # multi-instance: {"index", "variable", "value"}
    parent_bpmn_id: str | None  # the sub-process or call activity this task runs in
    ready_at: datetime | None = None
    due_error: str | None = field(default=None)  # why the due date could not be evaluated
    deadline_at: datetime | None = None  # the first boundary timer, for a task without dueDate
    by_lane: bool = False  # no candidate group, user or assignee drawn: the lane says who (`engine.pathways.groups`)


def extensions_of(task: SpiffTask) -> dict[str, Any]:
    """The extensions the parser read for this task's element (empty dict if none)."""
    return getattr(task.task_spec, "extensions", None) or {}


def human_task_of(task: SpiffTask, engine) -> HumanTask:
    """The HumanTask view of a ready Spiff task."""
    spec = task.task_spec
    extensions = extensions_of(task)
    form = getattr(spec, "form", None)
    if form is not None and not getattr(form, "fields", None) and not getattr(form, "key", None):
        form = None
    return HumanTask(
        id=str(task.id),
        bpmn_id=spec.bpmn_id or spec.name,
        name=spec.bpmn_name or spec.bpmn_id or spec.name,
        lane=spec.lane,
        lane_id=extensions.get("laneId"),
        candidate_groups=_candidate_groups(spec, extensions),
        candidate_users=list(extensions.get("candidateUsers", [])),
        assignee=_assignee(task, extensions, engine),
        due_at=_moment(task.internal_data.get(DUE_AT_KEY)),
        follow_up_at=_moment(task.internal_data.get(FOLLOW_UP_AT_KEY)),
        priority=_priority(task, extensions, engine),
        form=form,
        properties=dict(extensions.get("properties", {})),
        data=copied(task.data),
        instance=instance_of(task),
        parent_bpmn_id=parent_bpmn_id(task),
        ready_at=_moment(task.internal_data.get(READY_AT_KEY)),
        due_error=task.internal_data.get("due_error"),
        deadline_at=_moment(task.internal_data.get(BOUNDARY_DUE_AT_KEY)),
        by_lane=not (extensions.get("candidateGroups") or extensions.get("assignee") or extensions.get("candidateUsers")),
    )


def _candidate_groups(spec, extensions: dict[str, Any]) -> list[str]:
    groups = list(extensions.get("candidateGroups", []))
    if groups or extensions.get("assignee") or extensions.get("candidateUsers"):
        return groups
    # A task drawn in a lane named after a role ("Provider", "Superviseur") is offered to that role.
    role = role_of_lane(spec.lane)
    return [role] if role else []


def due_dates(task: SpiffTask, engine, ready_at: datetime) -> dict[str, str]:
    """Evaluate camunda:dueDate and followUpDate from `ready_at`; values are ISO text for internal data."""
    extensions = extensions_of(task)
    working = (extensions.get("properties") or {}).get(CALENDAR_PROPERTY) == WORKING_DAYS
    calendar = engine.working_calendar() if working else None
    result = {}
    for attribute, key in (("dueDate", DUE_AT_KEY), ("followUpDate", FOLLOW_UP_AT_KEY)):
        text = extensions.get(attribute)
        if text:
            result[key] = _evaluate_moment(task, engine, text, ready_at, calendar).isoformat()
    return result


def instance_of(task: SpiffTask) -> dict[str, Any] | None:
    """For a task inside a multi-instance activity: which instance (index, element variable, value)."""
    current = task
    while current is not None:
        found = _instance_here(current)
        if found is not None:
            return found
        current = _enclosing_task(current)
    return None


def parent_bpmn_id(task: SpiffTask) -> str | None:
    """The bpmn id of the sub-process or call activity the task runs in (None at the top level)."""
    enclosing = _enclosing_task(task)
    if enclosing is None:
        return None
    spec = enclosing.task_spec
    bpmn_id = spec.bpmn_id or spec.name
    return bpmn_id.removesuffix(" [child]")


def _instance_here(task: SpiffTask) -> dict[str, Any] | None:
    internal = task.internal_data
    if "key_or_index" not in internal and "item" not in internal:
        return None
    parent = task.parent
    loop_spec = parent.task_spec if parent is not None else None
    item_ref = getattr(loop_spec, "input_item", None)
    variable = getattr(item_ref, "bpmn_id", None)
    value = task.data.get(variable) if variable else internal.get("item")
    return {"index": internal.get("key_or_index"), "variable": variable, "value": copy.deepcopy(value)}


def _enclosing_task(task: SpiffTask) -> SpiffTask | None:
    workflow = task.workflow
    parent_id = getattr(workflow, "parent_task_id", None)
    if parent_id is None:
        return None
    return workflow.top_workflow.get_task_from_id(parent_id)


def _moment(value) -> datetime | None:
    return parse_moment(value) if isinstance(value, str) and value else None


def _evaluate_moment(task, engine, text: str, ready_at: datetime, calendar) -> datetime:
    # Most due dates are bare ISO text: no need to run the evaluator for those.
    result = text if _BARE_ISO.fullmatch(text.strip()) else engine.evaluate_timer(task, text)
    if not isinstance(result, str):
        raise ValueError(f'"{text}" did not give an ISO 8601 date or duration')
    result = result.strip()
    if result.upper().startswith("P"):
        return add_duration(ready_at, result, calendar)
    if result.upper().startswith("R"):
        raise ValueError(f'"{text}" is a repeating interval; a due date needs a date or a duration')
    return parse_moment(result)


def _assignee(task, extensions, engine) -> str | None:
    text = extensions.get("assignee")
    if not text:
        return None
    if "${" in text or "#{" in text:
        value = _quietly(engine, task, text)
        return str(value) if value not in (None, "") else None
    return text


def _priority(task, extensions, engine) -> int | None:
    text = extensions.get("priority")
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        value = _quietly(engine, task, text)
        try:
            return int(value) if value is not None and not isinstance(value, bool) else None
        except (TypeError, ValueError):
            return None


def _quietly(engine, task, text):
    # Assignee and priority expressions only shape the inbox; a failure leaves them empty.
    try:
        return engine.evaluate(task, text)
    except Exception:
        return None
