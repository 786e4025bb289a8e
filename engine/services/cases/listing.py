"""Lists of cases for a user: every case for coordinators, their organisation's for caseworkers and supervisors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select

from engine.access import CASE_STAFF_ROLES, Actor, can_search_by_alias, can_view_case
from engine.domain import CaseStatus, Priority, Role, TaskState
from engine.errors import AccessDenied, InvalidData, NotFound
from engine.field_problems import not_a_choice
from engine.clock import Clock
from engine.services.cases.alias import KEY_LENGTH, alias_key
from engine.services.accounts.known_people import organisations_named_by_case, people_known_to
from engine.services.cases.view import CaseLine, EventView, case_fields, event_view
from engine.store.models import AuditEntry, CaseEvent, CaseRow, PathwayVersionRow, TaskRow
from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing


@dataclass(frozen=True)
class CaseSummary(CaseLine):
    """One line of a list of cases (no personal data)."""

    updated_at: datetime


@dataclass(frozen=True)
class CaseFilters:
    """What a list of cases is narrowed to; None (or False) leaves that side open."""

    reference: str | None = None  # the start of a reference ("CMR-2026-00" finds a run of them)
    alias: str | None = None  # the start of the person's alias, accents and case ignored (case staff; audited)
    stage: str | None = None
    priority: str | None = None
    region: str | None = None
    overdue: bool = False  # with an open task past its due time
    assigned_to_me: bool = False  # with an open task assigned to the reader


def list_cases(uow: UnitOfWork, actor: Actor, status: str | None = None, limit: int = 50, offset: int = 0,
               filters: CaseFilters | None = None, now: datetime | None = None) -> list[CaseSummary]:
    """The cases the actor may see, most recently changed first; empty for users who see no cases.

    `now` is needed only by the overdue filter.
    """
    if not actor.active or not (actor.has(Role.COORDINATOR) or actor.roles & CASE_STAFF_ROLES):
        return []
    statement = select(CaseRow).order_by(CaseRow.updated_at.desc(), CaseRow.id.desc()).limit(limit).offset(offset)
    if not actor.has(Role.COORDINATOR):
        statement = statement.where(CaseRow.organisation_id == actor.organisation_id)
    if status is not None:
        try:
            statement = statement.where(CaseRow.status == CaseStatus(status))
        except ValueError:
            raise InvalidData(f"unknown case status {status!r}", {"status": [not_a_choice(CaseStatus)]}) from None
    searched = alias_key(filters.alias) if filters is not None else None
    if searched is not None:
        if not can_search_by_alias(actor):
            raise AccessDenied(f"{actor.username} may not look cases up by the person's alias")
        if now is None:
            raise ValueError("an alias search is audited: give the time it was made")
        # A prefix as a range: the index on the folded alias answers it on every database.
        statement = statement.where(CaseRow.alias_key >= searched, CaseRow.alias_key < searched + "\uffff")
    if filters is not None:
        statement = _narrowed(statement, filters, actor, now)
    with uow:
        if searched is not None:
            lock_for_writing(uow)  # the search is audited: a write after the read
        found = [_summary(case) for case in uow.session.scalars(statement) if can_view_case(actor, case)]
        if searched is not None:
            # Who looked for whom: the search names a person, so it is audited like reading their case.
            uow.session.add(AuditEntry(at=now, user_id=actor.id, action="cases.searched_by_alias", object_type="case_list",
                                       object_id=None, case_id=None,
                                       details={"alias": filters.alias.strip()[:KEY_LENGTH],
                                                "found": [case.reference for case in found]}))
            uow.commit()
        return found


def _narrowed(statement, filters: CaseFilters, actor: Actor, now: datetime | None):
    if filters.reference:
        # A prefix, not a substring: the unique index on the reference answers it.
        wanted = filters.reference.strip().upper()
        # A range, not LIKE: the unique index on the reference answers it on every database.
        statement = statement.where(CaseRow.reference >= wanted, CaseRow.reference < wanted + "\uffff")
    if filters.stage:
        statement = statement.where(CaseRow.stage == filters.stage)
    if filters.priority:
        try:
            statement = statement.where(CaseRow.priority == Priority(filters.priority))
        except ValueError:
            raise InvalidData(f"unknown priority {filters.priority!r}", {"priority": [not_a_choice(Priority)]}) from None
    if filters.region:
        statement = statement.where(CaseRow.region == filters.region)
    open_task = (TaskRow.case_id == CaseRow.id) & (TaskRow.state == TaskState.OPEN)
    if filters.assigned_to_me:
        statement = statement.where(exists().where(open_task, TaskRow.assignee_id == actor.id))
    if filters.overdue and now is not None:
        statement = statement.where(exists().where(open_task, TaskRow.due_at < now))
    return statement


@dataclass(frozen=True)
class OpenablePathway:
    """A published pathway a case can be opened on (its latest version)."""

    pathway_id: str
    version: int
    title: dict


def openable_pathways(uow: UnitOfWork) -> list[OpenablePathway]:
    """Each published pathway once, at its latest version, by id."""
    with uow:
        rows = uow.session.execute(
            select(PathwayVersionRow.pathway_id, PathwayVersionRow.version, PathwayVersionRow.title)
            .order_by(PathwayVersionRow.pathway_id, PathwayVersionRow.version.desc())
        ).all()
    latest: dict[str, OpenablePathway] = {}
    for pathway_id, version, title in rows:
        latest.setdefault(pathway_id, OpenablePathway(pathway_id, version, dict(title or {})))
    return list(latest.values())


def _summary(case: CaseRow) -> CaseSummary:
    return CaseSummary(**case_fields(case), updated_at=case.updated_at)


def visible_case(uow: UnitOfWork, case_id: int, actor: Actor) -> CaseSummary:
    """A case the actor may see; NotFound otherwise (its existence is not disclosed)."""
    with uow:
        case = uow.session.get(CaseRow, case_id)
        if case is None or not can_view_case(actor, case):
            raise NotFound(f"case {case_id} does not exist or is not yours to see")
        return _summary(case)


def case_history(uow: UnitOfWork, clock: Clock, case_id: int, actor: Actor, limit: int = 50, offset: int = 0) -> list[EventView]:
    """A page of the case's history, oldest first (NotFound unless the actor may see the case); the read is audited."""
    with uow:
        lock_for_writing(uow)
        case = uow.session.get(CaseRow, case_id)
        if case is None or not can_view_case(actor, case):
            raise NotFound(f"case {case_id} does not exist or is not yours to see")
        events = uow.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.at, CaseEvent.id)
            .limit(limit).offset(offset)
        ).all()
        people = people_known_to(uow.session, actor, [event.actor_id for event in events],
                                 organisations_named_by_case(uow.session, case))
        uow.session.add(AuditEntry(at=clock.now(), user_id=actor.id, action="case.viewed", object_type="case",
                                   object_id=case.reference, case_id=case.id, details={"history": [offset, limit]}))
        uow.commit()
        return [event_view(event, people.get(event.actor_id)) for event in events]
