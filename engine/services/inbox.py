"""A user's inbox: the open tasks assigned to them, or offered to a group they hold in their organisation.

One indexed query: `tasks.assignee_id` for their own tasks, and `task_candidates
(organisation_id, group_name)` for group work. Candidate rows carry the organisation that may do
the task: the case's owner for caseworker and supervisor work, the provider a referral is
addressed to for provider tasks, the coordination secretariat for coordinator tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import aliased

from engine.access import Actor
from engine.domain import Priority, TaskState
from engine.store.models import CaseRow, TaskCandidate, TaskRow
from engine.store.unit_of_work import UnitOfWork



def _most_pressing_first(tasks) -> tuple:
    """Emergency, then urgent, then normal; then the earliest due; then the oldest."""
    rank = case({p.value: p.rank for p in Priority}, value=tasks.priority, else_=len(Priority))
    return rank, tasks.due_at.is_(None), tasks.due_at, tasks.created_at, tasks.id


@dataclass(frozen=True)
class TaskSummary:
    """One line of an inbox."""

    id: str
    case_id: int
    case_reference: str
    bpmn_id: str
    name: str
    stage: str | None
    priority: str
    due_at: datetime | None
    created_at: datetime
    assignee_id: int | None
    candidate_groups: tuple[str, ...]
    instance_label: str | None  # e.g. the sector of a referral branch
    referral_id: int | None


def inbox_statement(actor: Actor, limit: int = 50, offset: int = 0):
    """The inbox query (exposed so benchmarks and tests can print its plan)."""
    offered = select(TaskCandidate.task_id).where(
        TaskCandidate.organisation_id == actor.organisation_id,
        TaskCandidate.group_name.in_(sorted(actor.groups)),
    )
    # The page of tasks is chosen first; only its rows are then joined to their cases.
    page = (
        select(TaskRow)
        .where(
            TaskRow.state == TaskState.OPEN,
            or_(
                TaskRow.assignee_id == actor.id,
                and_(TaskRow.assignee_id.is_(None), TaskRow.id.in_(offered)),
            ),
        )
        .order_by(*_most_pressing_first(TaskRow))
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    task = aliased(TaskRow, page)
    return (
        select(task, CaseRow.reference)
        .join(CaseRow, CaseRow.id == task.case_id)
        .order_by(*_most_pressing_first(task))
    )


def list_inbox(uow: UnitOfWork, actor: Actor, limit: int = 50, offset: int = 0) -> list[TaskSummary]:
    """The actor's open tasks, most pressing first."""
    if not actor.active:
        return []
    with uow:
        return [summary_of(row, reference) for row, reference in uow.session.execute(inbox_statement(actor, limit, offset))]


def summary_of(row: TaskRow, reference: str) -> TaskSummary:
    """The inbox line of a task row."""
    return TaskSummary(
        id=row.id,
        case_id=row.case_id,
        case_reference=reference,
        bpmn_id=row.bpmn_id,
        name=row.name,
        stage=row.stage,
        priority=row.priority.value,
        due_at=row.due_at,
        created_at=row.created_at,
        assignee_id=row.assignee_id,
        candidate_groups=tuple(g for g in row.candidate_groups.split(",") if g),
        instance_label=row.instance_label,
        referral_id=row.referral_id,
    )
