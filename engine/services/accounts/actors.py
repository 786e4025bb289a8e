"""Who is acting: a user's access snapshot, loaded once per request or command."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engine.access import Actor, actor_of
from engine import field_problems as problem
from engine.errors import Conflict, InvalidData, NotFound
from engine.store.models import User
from engine.store.unit_of_work import UnitOfWork


def load_actor(uow: UnitOfWork, user: str | int) -> Actor:
    """The Actor for a username or user id; NotFound if there is no such active user."""
    column = User.id if isinstance(user, int) else User.username
    with uow:
        row = uow.session.scalar(
            select(User).where(column == user).options(selectinload(User.role_rows), selectinload(User.group_rows))
        )
        if row is None or not row.active:
            raise NotFound(f"user {user!r} does not exist or is not active")
        return actor_of(row)


def handover_target(uow: UnitOfWork, username: str) -> User:
    """The active user named to take over a task or an escalation (inside `with uow:`).

    An unknown name is a mistake in the request (InvalidData on `username`), not a missing object;
    a disabled account is a state that may change (Conflict).
    """
    target = uow.session.scalar(select(User).where(User.username == username))
    if target is None:
        raise InvalidData(f"there is no user {username!r}", {"username": [problem.no_such_user()]})
    if not target.active:
        raise Conflict(f"user {username!r} is not active")
    return target
