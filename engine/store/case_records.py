"""The rows a case step reads and writes, as plain records and statements built once.

Every step of every case reads the same rows (the case, its open tasks, its deadlines) and writes
the same kinds of rows (the case, ended and new tasks, candidates, history, audit, outbox). Going
through the ORM's identity map and unit of work for them costs several times what the statements
themselves cost, on the path every form submission takes. So the step keeps them as plain records
and writes them with Core statements compiled once per process; the optimistic lock the ORM
would have checked (`cases.lock_version`) is checked here, explicitly, by the case's UPDATE.

Other services keep using the ORM models of the same tables; the column lists below are read
from those models, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, exists, func, insert, inspect, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, make_transient_to_detached

from engine.domain import CaseStatus, CloseReason, DeadlineKind, EscalationStatus, Priority, RiskLevel, TaskState
from engine.errors import CaseMovedOn
from engine.store.models import (
    AuditEntry,
    CaseEvent,
    CaseRow,
    DeadlineRow,
    EscalationRow,
    OutboxRow,
    PathwayVersionRow,
    ReferralRow,
    TaskCandidate,
    TaskRow,
)
from engine.store.models.audit import request_origin
from engine.store.prepared import Prepared, StatementBatch, read_together
from engine.store.repositories import NEXT_CASE_NUMBER, case_reference
from engine.store.unit_of_work import CONFLICT_MESSAGE


_cases = CaseRow.__table__
_tasks = TaskRow.__table__
_candidates = TaskCandidate.__table__
_deadlines = DeadlineRow.__table__


@dataclass(slots=True, eq=False)
class CaseRecord:
    """A case row as a step reads and changes it; `save_case` writes the columns that changed."""

    id: int | None
    reference: str
    pathway_version_id: int
    status: CaseStatus
    stage: str | None
    priority: Priority
    risk_level: RiskLevel | None
    region: str | None
    organisation_id: int
    created_at: datetime
    created_by_id: int | None
    updated_at: datetime
    closed_at: datetime | None
    close_reason: CloseReason | None
    workflow_json: str
    serializer_version: str
    lock_version: int
    needs_attention: bool
    attention_message: str | None
    attention_at: datetime | None
    alias_key: str | None = None  # the person's alias folded for search (engine.services.cases.alias)
    # The values as loaded (None for a case not yet written): what `changed()` compares against.
    loaded: dict[str, Any] | None = field(default=None, repr=False)

    def changed(self) -> dict[str, Any]:
        """The columns whose value differs from what was loaded."""
        return {name: getattr(self, name) for name in CASE_COLUMNS if getattr(self, name) != self.loaded.get(name)}


CASE_COLUMNS = tuple(f.name for f in fields(CaseRecord) if f.name != "loaded")


@dataclass(slots=True, eq=False)
class TaskRecord:
    """A task row as a step reads it (the step writes tasks with statements, never by changing these)."""

    id: str
    case_id: int
    bpmn_id: str
    name: str
    lane: str | None
    stage: str | None
    organisation_id: int
    candidate_groups: str
    assignee_id: int | None
    due_at: datetime | None
    follow_up_at: datetime | None
    priority: Priority
    state: TaskState
    instance_key: str | None
    instance_label: str | None
    referral_id: int | None
    created_at: datetime
    claimed_at: datetime | None = None
    completed_at: datetime | None = None
    completed_by_id: int | None = None

    def values(self) -> dict[str, Any]:
        """The record as the parameters of an INSERT into tasks."""
        return {name: getattr(self, name) for name in TASK_COLUMNS}


TASK_COLUMNS = tuple(f.name for f in fields(TaskRecord))

# ---- statements, built once ------------------------------------------------------------------
# Each is compiled once per dialect and sent as is (see `engine.store.prepared`).

_CASE_FOR_STEP_COLUMNS = (
    select(
        *(_cases.c[name] for name in CASE_COLUMNS),
        PathwayVersionRow.content_hash,
        PathwayVersionRow.main_file,
        exists().where(DeadlineRow.case_id == _cases.c.id).label("has_deadlines"),
    )
    .join(PathwayVersionRow.__table__, PathwayVersionRow.id == _cases.c.pathway_version_id)
)
_CASE_FOR_STEP = Prepared(_CASE_FOR_STEP_COLUMNS.where(_cases.c.id == bindparam("case_id")))
# The case of a task, for a step that starts from the task (read with it, in one round trip).
_CASE_OF_TASK_FOR_STEP = Prepared(
    _CASE_FOR_STEP_COLUMNS.where(
        _cases.c.id == select(_tasks.c.case_id).where(_tasks.c.id == bindparam("task_id")).scalar_subquery()
    )
)
_TASK_FIELDS = tuple(_tasks.c[name] for name in TASK_COLUMNS)
_OPEN_TASKS = Prepared(
    select(*_TASK_FIELDS).where(_tasks.c.case_id == bindparam("case_id"), _tasks.c.state == TaskState.OPEN)
)
# A task and the other open tasks of its case, in one query. The case's tasks are found by the
# case first (ix_tasks_case_state), then filtered: written as "this task, or an open task of its
# case", PostgreSQL's generic plan scanned every open task of every case (ix_tasks_state_bpmn) and
# the dead index entries each completed task leaves there until vacuum.
_TASK_AND_OPEN_SIBLINGS = Prepared(select(*_TASK_FIELDS).where(
    _tasks.c.case_id == select(_tasks.c.case_id).where(_tasks.c.id == bindparam("task_id")).scalar_subquery(),
    or_(_tasks.c.id == bindparam("task_id"), _tasks.c.state == TaskState.OPEN),
))
_versions = PathwayVersionRow.__table__
_LATEST_VERSION = Prepared(
    select(_versions.c.id, _versions.c.pathway_id, _versions.c.version, _versions.c.content_hash, _versions.c.main_file)
    .where(_versions.c.pathway_id == bindparam("pathway_id"))
    .order_by(_versions.c.version.desc())
    .limit(1)
)
_INSERT_CASE = Prepared(insert(_cases).returning(_cases.c.id))
_INSERT_NEW_CASE = Prepared(insert(_cases))
# An id for a case about to be opened, so that its row can go with the rest of its first step.
# On SQLite the next free one, which only a writer holding the database's write lock may take.
_NEW_CASE_ID = {
    "postgresql": Prepared(select(func.nextval(func.pg_get_serial_sequence(_cases.name, _cases.c.id.name)))),
    "sqlite": Prepared(select(func.coalesce(func.max(_cases.c.id), 0) + 1)),
}
# The SET clause is built from the parameters given; the WHERE holds the optimistic lock.
_UPDATE_CASE = Prepared(
    update(_cases).where(_cases.c.id == bindparam("b_id"), _cases.c.lock_version == bindparam("b_version"))
)
_INSERT_TASKS = Prepared(insert(_tasks))
_END_TASK = Prepared(
    update(_tasks)
    .where(_tasks.c.id == bindparam("b_id"), _tasks.c.state == TaskState.OPEN)
    .values(state=bindparam("state"), completed_at=bindparam("completed_at"), completed_by_id=bindparam("completed_by_id"))
)
_DELETE_CANDIDATES = Prepared(delete(_candidates).where(_candidates.c.task_id == bindparam("b_id")))
_INSERT_CANDIDATES = Prepared(insert(_candidates))
_INSERT_EVENTS = Prepared(insert(CaseEvent.__table__))
_INSERT_AUDIT = Prepared(insert(AuditEntry.__table__))
_INSERT_OUTBOX = Prepared(insert(OutboxRow.__table__))
_DEADLINES_OF_CASE = Prepared(
    select(_deadlines.c.id, _deadlines.c.kind, _deadlines.c.ref, _deadlines.c.due_at, _deadlines.c.level)
    .where(_deadlines.c.case_id == bindparam("case_id"))
)
# A case's referrals as the ORM maps them (attribute names, in the mapper's order), read with the
# case by a step that will need them (see `case_and_open_tasks`).
_REFERRAL_ATTRIBUTES = tuple((attribute.key, attribute.columns[0]) for attribute in inspect(ReferralRow).column_attrs)
_REFERRAL_NAMES = tuple(name for name, _ in _REFERRAL_ATTRIBUTES)
_REFERRALS_OF_CASE = Prepared(
    select(*(column for _, column in _REFERRAL_ATTRIBUTES))
    .where(ReferralRow.__table__.c.case_id == bindparam("case_id"))
    .order_by(ReferralRow.__table__.c.id)
)
# The escalations recorded for a case: which deadline each alerted about, and its status.
_escalations = EscalationRow.__table__
_ESCALATIONS_OF_CASE = Prepared(
    select(_escalations.c.deadline_kind, _escalations.c.deadline_ref, _escalations.c.status, _escalations.c.level)
    .where(_escalations.c.case_id == bindparam("case_id"))
)
# PostgreSQL: an id for the escalation a step firing deadlines is likely to raise, reserved with the
# case's reads, so that the escalation goes with the step's batch (an unused id is a gap, as a rollback leaves).
_NEW_ESCALATION_ID = Prepared(select(func.nextval(func.pg_get_serial_sequence(_escalations.name, _escalations.c.id.name))))
_DELETE_DEADLINE = Prepared(delete(_deadlines).where(_deadlines.c.id == bindparam("b_id")))
_MOVE_DEADLINE = Prepared(update(_deadlines).where(_deadlines.c.id == bindparam("b_id")).values(due_at=bindparam("due_at")))
_INSERT_DEADLINES = Prepared(insert(_deadlines))


# ---- reading --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoadedCase:
    """A case for a step, with what finding its pinned specs needs."""

    case: CaseRecord
    content_hash: str
    main_file: str
    has_deadlines: bool


class VersionRef(NamedTuple):
    """A published pathway version, as opening a case needs it."""

    id: int
    pathway_id: str
    version: int
    content_hash: str
    main_file: str


class DeadlineIndexRow(NamedTuple):
    """A row of the deadline index, as a step's sync reads it."""

    id: int
    kind: DeadlineKind
    ref: str
    due_at: datetime
    level: int


def load_case(connection: Connection, case_id: int) -> LoadedCase | None:
    """The case, its version's hash and main file, and whether it has deadline rows; None if absent."""
    return _loaded(_CASE_FOR_STEP.first(connection, {"case_id": case_id}))


def _loaded(row: tuple | None) -> LoadedCase | None:
    if row is None:
        return None
    values = dict(zip(CASE_COLUMNS, row))
    content_hash, main_file, has_deadlines = row[len(CASE_COLUMNS):]
    return LoadedCase(CaseRecord(**values, loaded=values), content_hash, main_file, bool(has_deadlines))


class StepReads(NamedTuple):
    """What a step reads before it runs: the case (None if it does not exist) and its open tasks, and,
    for a step firing deadlines, its referrals (attribute values, in id order), the escalations
    recorded for it ((deadline kind, deadline ref, status, level)) and its deadline index rows; else None
    for those. On PostgreSQL such a step also gets an id reserved for an escalation it may raise."""

    loaded: LoadedCase | None
    open_tasks: list[TaskRecord]
    referrals: list[dict] | None
    escalations: list[tuple[DeadlineKind, str, EscalationStatus]] | None
    deadlines: list[DeadlineIndexRow] | None
    escalation_id: int | None = None


def case_and_open_tasks(connection: Connection, case_id: int, for_deadlines: bool = False) -> StepReads:
    """The case for a step (as `load_case`) and its open tasks and, `for_deadlines`, what firing its
    deadlines reads: one round trip on PostgreSQL (the ORM, the escalation chain and the deadline sync
    would make three more).

    Referrals, escalations and deadline rows are read after the case: one changed by another step since
    (answering an escalation is a step of its case) is caught by the case's version check. The leases a
    sweeper writes on deadline rows are not read: a step never looks at them.
    """
    values = {"case_id": case_id}
    reads = [(_CASE_FOR_STEP, values), (_OPEN_TASKS, values)]
    if for_deadlines:
        reads += [(_REFERRALS_OF_CASE, values), (_ESCALATIONS_OF_CASE, values), (_DEADLINES_OF_CASE, values)]
        if connection.dialect.name == "postgresql":
            reads.append((_NEW_ESCALATION_ID, {}))
    case, tasks, *extra = read_together(connection, reads)
    referrals = escalations = deadlines = escalation_id = None
    if for_deadlines:
        referrals = [dict(zip(_REFERRAL_NAMES, row)) for row in extra[0]]
        escalations = [tuple(row) for row in extra[1]]
        deadlines = [DeadlineIndexRow(*row) for row in extra[2]]
        escalation_id = extra[3][0][0] if len(extra) > 3 else None
    return StepReads(_loaded(case[0] if case else None), [TaskRecord(*row) for row in tasks], referrals, escalations,
                     deadlines, escalation_id)


def escalations_of(connection: Connection, case_id: int, kind: DeadlineKind) -> list[tuple[str, EscalationStatus]]:
    """(deadline ref, status) of the escalations recorded for one kind of deadline of a case."""
    return [(ref, status) for found_kind, ref, status, _ in _ESCALATIONS_OF_CASE.rows(connection, {"case_id": case_id})
            if found_kind == kind]


def attach_referrals(session: Session, rows: list[dict]) -> list[ReferralRow]:
    """The referrals read as `case_and_open_tasks` gives them, as persistent objects of `session`:
    the ones it holds already as they are, the others as if it had loaded them itself."""
    mapper = inspect(ReferralRow)
    attached = []
    for values in rows:
        found = session.identity_map.get(mapper.identity_key_from_primary_key([values["id"]]))
        if found is None:
            found = ReferralRow(**values)
            make_transient_to_detached(found)  # nothing to write: its values are the database's
            session.add(found)
        attached.append(found)
    return attached


class NewCase(NamedTuple):
    """What opening a case reserves before it runs the workflow."""

    version: VersionRef | None  # the pathway's latest published version (None: never published)
    id: int
    reference: str


def reserve_new_case(connection: Connection, pathway_id: str, year: int) -> NewCase:
    """The pathway's latest version, the year's next reference and an id for a new case: one round trip
    on PostgreSQL. Call it under the write lock on SQLite (`write_lock.lock_for_writing`).

    A transaction that rolls back gives its reference back; an id may be skipped.
    """
    dialect = connection.dialect.name
    version, number, new_id = read_together(connection, [
        (_LATEST_VERSION, {"pathway_id": pathway_id}),
        (NEXT_CASE_NUMBER[dialect], {"year": year}),
        (_NEW_CASE_ID[dialect], {}),
    ])
    return NewCase(VersionRef(*version[0]) if version else None, new_id[0][0], case_reference(year, number[0][0]))


def open_tasks(connection: Connection, case_id: int) -> list[TaskRecord]:
    """The open task rows of a case."""
    return [TaskRecord(*row) for row in _OPEN_TASKS.rows(connection, {"case_id": case_id})]


def task_siblings_and_case(connection: Connection, task_id: str) -> tuple[list[TaskRecord], LoadedCase | None]:
    """The task (whatever its state), the open tasks of its case, and its case for a step: one round trip on PostgreSQL."""
    values = {"task_id": task_id}
    case, tasks = read_together(connection, [(_CASE_OF_TASK_FOR_STEP, values), (_TASK_AND_OPEN_SIBLINGS, values)])
    return [TaskRecord(*row) for row in tasks], _loaded(case[0] if case else None)


def deadlines_of(connection: Connection, case_id: int) -> list[DeadlineIndexRow]:
    """The deadline index rows of a case."""
    return [DeadlineIndexRow(*row) for row in _DEADLINES_OF_CASE.rows(connection, {"case_id": case_id})]


# ---- writing --------------------------------------------------------------------------------


def insert_case(connection: Connection, case: CaseRecord) -> int:
    """Write a new case row now (with its id when reserved, else a new one); the record then counts as loaded."""
    values = {name: getattr(case, name) for name in CASE_COLUMNS if name != "id" or case.id is not None}
    case.id = _INSERT_CASE.execute(connection, values).scalar_one()
    case.loaded = {**values, "id": case.id}
    return case.id


def ensure_written(connection: Connection, case: CaseRecord) -> Connection:
    """The connection, once the case's row exists: a new case's row goes with its step's batch, unless
    something of the step refers to it before (a row written through the ORM, an escalation)."""
    if case.loaded is None:
        insert_case(connection, case)
    return connection


def save_case(connection: Connection, case: CaseRecord) -> None:
    """Write the case's changed columns and move its version on; Conflict if another step moved it first."""
    batch = StatementBatch(connection)
    queue_case(batch, case)
    batch.send()
    case_saved(case)


def queue_case(batch: StatementBatch, case: CaseRecord) -> None:
    """Queue the case's UPDATE, checked against the version it was loaded at (CaseMovedOn when it moved on);
    a case not written yet (reserved by `reserve_new_case`), its INSERT, at the version its save moves it to."""
    if case.loaded is None:
        values = {name: getattr(case, name) for name in CASE_COLUMNS}
        batch.add(_INSERT_NEW_CASE, [{**values, "lock_version": case.lock_version + 1}])
        return
    values = case.changed()
    values.pop("lock_version", None)
    values.pop("id", None)
    values.update(lock_version=case.lock_version + 1, b_id=case.id, b_version=case.lock_version)
    batch.add(_UPDATE_CASE, [values], expect=1, on_mismatch=CaseMovedOn(CONFLICT_MESSAGE))


def case_saved(case: CaseRecord) -> None:
    """After the case's UPDATE went through: the record holds the new version, and counts as loaded."""
    case.lock_version += 1
    case.loaded = {name: getattr(case, name) for name in CASE_COLUMNS}


def end_tasks(batch: StatementBatch, ended: list[dict[str, Any]]) -> None:
    """Mark tasks completed or cancelled (`b_id`, `state`, `completed_at`, `completed_by_id`) and drop their candidates."""
    batch.add(_END_TASK, ended)
    batch.add(_DELETE_CANDIDATES, [{"b_id": values["b_id"]} for values in ended])


def insert_tasks(batch: StatementBatch, tasks: list[TaskRecord], candidates: list[dict[str, Any]]) -> None:
    """Write new task rows and their candidate rows."""
    batch.add(_INSERT_TASKS, [task.values() for task in tasks])
    batch.add(_INSERT_CANDIDATES, candidates)


def change_deadlines(batch: StatementBatch, deleted: list[int], moved: list[dict[str, Any]], added: list[dict[str, Any]]) -> None:
    """Drop, move (`b_id`, `due_at`) and add deadline index rows (`case_id`, `kind`, `ref`, `due_at`, `created_at`)."""
    batch.add(_DELETE_DEADLINE, [{"b_id": row_id} for row_id in deleted])
    batch.add(_MOVE_DEADLINE, moved)
    batch.add(_INSERT_DEADLINES,
              [{**row, "level": 0, "claimed_by": None, "claimed_until": None, "attempts": 0} for row in added])


def append_history(batch: StatementBatch, event: dict[str, Any], audit: dict[str, Any], outbox: list[dict[str, Any]]) -> None:
    """Append the step's history line, audit entry and outbox rows (append-only: nothing reads them back here)."""
    batch.add(_INSERT_EVENTS, [event])
    batch.add(_INSERT_AUDIT, [{**request_origin(), **audit}])
    batch.add(_INSERT_OUTBOX, [{"dispatched_at": None, **row} for row in outbox])
