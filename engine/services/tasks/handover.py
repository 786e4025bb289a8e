"""Who a task may be handed to: the choices a supervisor or coordinator picks from, never a typed login."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from engine.access import Actor, actor_of, can_reassign_task, can_see_task, can_take_over_task, can_view_case, task_groups
from engine.errors import AccessDenied, NotFound
from engine.store.models import CaseRow, TaskRow, User
from engine.services.tasks.still_open import require_open
from engine.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Taker:
    """A user a task may be handed to."""

    username: str
    display_name: str
    is_assignee: bool


@dataclass(frozen=True)
class Handover:
    """An open task, and the users it may be handed to."""

    task_id: str
    name: str
    case_reference: str
    takers: tuple[Taker, ...]


def reassignable_task(uow: UnitOfWork, task_id: str, actor: Actor) -> TaskRow:
    """The open task the actor may hand on (NotFound when they may not see it, Conflict once done, else AccessDenied)."""
    row = uow.session.get(TaskRow, task_id)
    case = uow.session.get(CaseRow, row.case_id) if row is not None else None
    if row is None or not (can_see_task(actor, row) or can_view_case(actor, case)):
        raise NotFound(f"task {task_id} does not exist or is not yours to see")
    require_open(row, "; reload the case")
    if not can_reassign_task(actor, row):
        raise AccessDenied(f"{actor.username} may not reassign task {row.name}")
    return row


def task_takers(uow: UnitOfWork, task_id: str, actor: Actor) -> Handover:
    """The active users of the organisation that must do the task who hold one of its groups (NotFound/AccessDenied)."""
    with uow:
        row = reassignable_task(uow, task_id, actor)
        groups = task_groups(row)
        users = uow.session.scalars(
            select(User).where(User.organisation_id == row.organisation_id, User.active.is_(True)).order_by(User.display_name)
        ).all()
        takers = tuple(
            Taker(user.username, user.display_name, user.id == row.assignee_id)
            for user in users
            # Someone outside the task's groups could hold it but not find it among their work.
            if can_take_over_task(actor_of(user), row) and (not groups or groups & set(user.groups))
        )
        reference = uow.session.get(CaseRow, row.case_id).reference
        return Handover(row.id, row.name, reference, takers)
