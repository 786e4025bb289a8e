"""A user's inbox: the open tasks assigned to them, or offered to a group they hold in their organisation.

One indexed query: `tasks (assignee_id, state)` for their own tasks, and `task_candidates
(organisation_id, group_name, priority_rank, due_at)` for group work. Candidate rows exist only
for open, unassigned tasks and carry the organisation that may do the task (the case's owner for
caseworker and supervisor work, the provider a referral is addressed to for provider tasks, the
coordination secretariat for coordinator tasks) and the task's inbox order: the page is chosen
from the index alone, and only its tasks and cases are read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, select, union

from engine.access import Actor
from engine.domain import Priority, TaskState
from engine.services.accounts.known_people import Who
from engine.store.models import CaseRow, TaskCandidate, TaskRow
from engine.store.unit_of_work import UnitOfWork



def _most_pressing_first(rank, due_at, task_id) -> tuple:
    """Emergency, then urgent, then normal; then the earliest due (undated last); then by id."""
    return rank, due_at.is_(None), due_at, task_id


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
    # The facts the access predicates ask, so that pages link only to what the reader may open.
    organisation_id: int = 0  # who must do the task
    case_organisation_id: int = 0  # who owns the case
    state: TaskState = TaskState.OPEN
    # Who holds it, as the reader may know them (`known_people`): named, else of an organisation the reader
    # may know, else neither ("someone else").
    assignee_name: str | None = None
    assignee_organisation: str | None = None


def inbox_statement(actor: Actor, limit: int = 50, offset: int = 0):
    """The inbox query (exposed so benchmarks and tests can print its plan)."""
    offered = select(
        TaskCandidate.task_id.label("task_id"),
        TaskCandidate.priority_rank.label("rank"),
        TaskCandidate.due_at.label("due_at"),
    ).where(
        TaskCandidate.organisation_id == actor.organisation_id,
        TaskCandidate.group_name.in_(sorted(actor.groups)),
    )
    mine = select(
        TaskRow.id.label("task_id"),
        case({p.value: p.rank for p in Priority}, value=TaskRow.priority, else_=len(Priority)).label("rank"),
        TaskRow.due_at.label("due_at"),
    ).where(TaskRow.assignee_id == actor.id, TaskRow.state == TaskState.OPEN)
    # UNION (not ALL): a task offered to two of the user's groups appears once.
    entries = union(offered, mine).subquery()
    page = (
        select(entries)
        .order_by(*_most_pressing_first(entries.c.rank, entries.c.due_at, entries.c.task_id))
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    return (
        select(TaskRow, CaseRow.reference, CaseRow.organisation_id)
        .join(page, page.c.task_id == TaskRow.id)
        .join(CaseRow, CaseRow.id == TaskRow.case_id)
        .order_by(*_most_pressing_first(page.c.rank, page.c.due_at, page.c.task_id))
    )


def list_inbox(uow: UnitOfWork, actor: Actor, limit: int = 50, offset: int = 0) -> list[TaskSummary]:
    """The actor's open tasks, most pressing first."""
    if not actor.active:
        return []
    with uow:
        return [summary_of(row, reference, owner)
                for row, reference, owner in uow.session.execute(inbox_statement(actor, limit, offset))]


def summary_of(row: TaskRow, reference: str, case_organisation_id: int, holder: Who | None = None) -> TaskSummary:
    """The inbox line of a task row (`holder`: its assignee as the reader may know them)."""
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
        organisation_id=row.organisation_id,
        case_organisation_id=case_organisation_id,
        state=row.state,
        assignee_name=holder.name if holder else None,
        assignee_organisation=holder.organisation if holder else None,
    )


def next_task_of_case(uow: UnitOfWork, actor: Actor, case_id: int) -> str | None:
    """The most pressing open task of the case that the actor may do now (None when there is none)."""
    from engine.access import can_complete_task

    with uow:
        rows = uow.session.scalars(
            select(TaskRow).where(TaskRow.case_id == case_id, TaskRow.state == TaskState.OPEN)
        ).all()
    ranks = {p.value: p.rank for p in Priority}
    mine = [row for row in rows if can_complete_task(actor, row)]
    # The user's own tasks first, then by urgency and due time (undated last).
    mine.sort(key=lambda row: (row.assignee_id != actor.id, ranks.get(row.priority.value, len(ranks)),
                               row.due_at is None, row.due_at or row.created_at, row.id))
    return mine[0].id if mine else None


def referral_of_task(uow: UnitOfWork, task_id: str) -> int | None:
    """The referral a task belongs to (provider steps, escalations of a referral), if any."""
    with uow:
        return uow.session.scalar(select(TaskRow.referral_id).where(TaskRow.id == task_id))


def task_line(uow: UnitOfWork, task_id: str) -> TaskSummary | None:
    """A task as its inbox line shows it (case, service, priority, due), for the task page's context."""
    with uow:
        found = uow.session.execute(
            select(TaskRow, CaseRow.reference, CaseRow.organisation_id)
            .join(CaseRow, CaseRow.id == TaskRow.case_id).where(TaskRow.id == task_id)
        ).first()
    return summary_of(*found) if found is not None else None
