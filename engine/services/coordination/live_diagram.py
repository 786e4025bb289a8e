"""The live diagram: per step of a published pathway version, the cases waiting there now, how many are
overdue, and the median time spent at the step over a period; and the cases waiting at one step.

Read from the materialised task table (open tasks now; tasks ended in the period), so it costs a few
indexed queries whatever the number of cases. Only cases the reader may open are counted: a
coordinator's are every case, a supervisor's their organisation's. The counts are not suppressed:
each one is a list of cases the reader may open anyway (the step's list); the medians over fewer
than five tasks are hidden like every other median.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select

from engine.access import Actor, can_view_case
from engine.clock import Clock
from engine.domain import Priority, TaskState
from engine.errors import NotFound
from engine.services.coordination.scope import indicator_scope
from engine.services.coordination.sql_time import hours_between
from engine.services.coordination.suppression import DEFAULT_THRESHOLD, Figure, protect_median
from engine.store.models import CaseRow, PathwayVersionRow, TaskRow
from engine.store.models.cases import OPEN_TASK
from engine.store.unit_of_work import UnitOfWork

STEP_LIST_LIMIT = 200


@dataclass(frozen=True)
class DiagramFilters:
    start: datetime
    end: datetime
    region: str | None = None
    priority: str | None = None
    organisation_id: int | None = None


@dataclass(frozen=True)
class StepCount:
    bpmn_id: str
    name: str
    waiting: int
    overdue: int
    median_hours: Figure


@dataclass(frozen=True)
class WaitingCase:
    reference: str
    task_name: str
    since: datetime
    due_at: datetime | None
    overdue: bool
    priority: str


def _conditions(actor: Actor, version_id: int, filters: DiagramFilters) -> list:
    scope = indicator_scope(actor)
    found = [CaseRow.pathway_version_id == version_id]
    if scope.organisation_id is not None:
        found.append(CaseRow.organisation_id == scope.organisation_id)
    if filters.region:
        found.append(CaseRow.region == filters.region)
    if filters.priority in Priority.__members__.values():
        found.append(CaseRow.priority == Priority(filters.priority))
    if filters.organisation_id is not None:
        found.append(CaseRow.organisation_id == filters.organisation_id)
    return found


def _version(session, version_id: int) -> PathwayVersionRow:
    version = session.get(PathwayVersionRow, version_id)
    if version is None:
        raise NotFound(f"pathway version {version_id} does not exist")
    return version


def step_counts(uow: UnitOfWork, clock: Clock, actor: Actor, version_id: int, filters: DiagramFilters,
                threshold: int = DEFAULT_THRESHOLD) -> list[StepCount]:
    """Per step (BPMN id) of the version: cases waiting now, overdue now, median hours spent over the period."""
    conditions = _conditions(actor, version_id, filters)
    now = clock.now()
    with uow:
        session = uow.session
        _version(session, version_id)
        names: dict[str, str] = {}
        waiting, overdue = Counter(), Counter()
        for bpmn_id, name, count, late in session.execute(
            select(TaskRow.bpmn_id, func.max(TaskRow.name), func.count(),
                   func.count(TaskRow.id).filter(TaskRow.due_at < now))
            .join(CaseRow, CaseRow.id == TaskRow.case_id)
            .where(OPEN_TASK, *conditions)
            .group_by(TaskRow.bpmn_id)
        ):
            names[bpmn_id] = name
            waiting[bpmn_id], overdue[bpmn_id] = count, late
        spent: dict[str, list[float]] = defaultdict(list)
        for bpmn_id, name, hours in session.execute(
            select(TaskRow.bpmn_id, TaskRow.name, hours_between(TaskRow.created_at, TaskRow.completed_at))
            .join(CaseRow, CaseRow.id == TaskRow.case_id)
            .where(TaskRow.completed_at >= filters.start, TaskRow.completed_at < filters.end,
                   TaskRow.state == TaskState.COMPLETED, *conditions)
        ):
            if bpmn_id not in names:
                names[bpmn_id] = name
            spent[bpmn_id].append(max(hours or 0.0, 0.0))
    return [
        StepCount(bpmn_id, names[bpmn_id], waiting[bpmn_id], overdue[bpmn_id], protect_median(spent[bpmn_id], threshold))
        for bpmn_id in sorted(names, key=lambda b: (-overdue[b], -waiting[b], b))
    ]


def cases_at_step(uow: UnitOfWork, clock: Clock, actor: Actor, version_id: int, bpmn_id: str,
                  filters: DiagramFilters, overdue_only: bool = False) -> list[WaitingCase]:
    """The cases waiting at one step now (overdue first), as far as the reader may open them."""
    conditions = _conditions(actor, version_id, filters)
    now = clock.now()
    query = (
        select(CaseRow, TaskRow.name, TaskRow.created_at, TaskRow.due_at)
        .join(CaseRow, CaseRow.id == TaskRow.case_id)
        .where(OPEN_TASK, TaskRow.bpmn_id == bpmn_id, *conditions)
    )
    if overdue_only:
        query = query.where(and_(TaskRow.due_at.is_not(None), TaskRow.due_at < now))
    query = query.order_by(TaskRow.due_at.is_(None), TaskRow.due_at, TaskRow.created_at).limit(STEP_LIST_LIMIT)
    with uow:
        _version(uow.session, version_id)
        return [
            WaitingCase(case.reference, name, created_at, due_at, due_at is not None and due_at < now, case.priority.value)
            for case, name, created_at, due_at in uow.session.execute(query)
            if can_view_case(actor, case)
        ]


def published_versions(uow: UnitOfWork, language: str) -> list[tuple[int, str, int]]:
    """(id, pathway title in `language`, version) of every published version, newest first within a pathway."""
    with uow:
        return [(version_id, version_title(title, pathway_id, language), number)
                for version_id, pathway_id, number, title in uow.session.execute(
                    select(PathwayVersionRow.id, PathwayVersionRow.pathway_id, PathwayVersionRow.version,
                           PathwayVersionRow.title)
                    .order_by(PathwayVersionRow.pathway_id, PathwayVersionRow.version.desc()))]


def version_title(title: object, pathway_id: str, language: str) -> str:
    """A pathway's title as people read it in `language` (another language's, else its id, when it has none)."""
    titles = title if isinstance(title, dict) else {}
    found = titles.get(language) or next((text for text in titles.values() if isinstance(text, str) and text), None)
    return found if isinstance(found, str) and found.strip() else pathway_id


def version_diagram(uow: UnitOfWork, actor: Actor, version_id: int) -> bytes:
    """The main BPMN file of a published version, for the viewer (the same readers as the counts)."""
    from engine.store.models import PathwayFileRow

    indicator_scope(actor)
    with uow:
        version = _version(uow.session, version_id)
        content = uow.session.scalar(
            select(PathwayFileRow.content).where(PathwayFileRow.version_id == version_id,
                                                 PathwayFileRow.path == version.main_file)
        )
    if content is None:
        raise NotFound(f"pathway version {version_id} has no diagram file")
    return content
