"""The one way a case moves: load it, run the workflow, sync our rows, write history and outbox, commit once.

    with uow:
        step = begin_step(uow, clock, case_id, actor, "task_completed")
        failures = case_runtime.complete_task(step.workflow, task_id, data)
        return finish_step(step, failures, hook=hook)

Every service that changes a case goes through `begin_step`/`finish_step` (or `start_step` for a
new case). `finish_step` materialises the ready human tasks, the deadline index, the case's
stage/status/priority and the attention flag, appends one history line, one audit entry and the
outbox rows, then commits ONCE: the optimistic `lock_version` of the case row makes a concurrent
step fail with `Conflict`, and nothing of the losing step is kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection

from engine.access import Actor
from engine.clock import Clock
from engine.domain import TaskState
from engine.errors import NotFound
from engine.runtime import case_runtime, serializer
from engine.runtime.case_runtime import TaskFailure
from engine.runtime.script_engine import SafeScriptEngine
from engine.runtime.specs import PathwaySpecs, load_specs
from engine.services.cases import workflow_cache
from engine.services.cases.summary import record_case_summary, summary_values
from engine.services.cases.sync import sync_case
from engine.services.escalations.chain import sync_escalations
from engine.services.referrals.ending import end_referrals
from engine.store import case_records
from engine.store.case_records import CaseRecord, TaskRecord
from engine.store.models import PathwayFileRow, ReferralRow
from engine.store.prepared import Prepared, StatementBatch
from engine.store.unit_of_work import UnitOfWork

# A hook runs inside the step's transaction after everything is written and flushed, right
# before the commit: tests use it to prove that a failure there leaves nothing behind.
StepHook = Callable[["Step"], None]


@dataclass
class Step:
    """What one step is doing: the loaded case, and what it collects before the single commit."""

    uow: UnitOfWork
    clock: Clock
    now: datetime
    case: CaseRecord
    specs: PathwaySpecs
    workflow: Any
    actor: Actor | None
    action: str
    open_tasks: dict[str, TaskRecord]
    # The session's connection: the step's own rows are read and written with plain statements on it.
    connection: Connection
    completed_task: TaskRecord | None = None
    details: dict[str, Any] = field(default_factory=dict)
    outbox: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # Whether the deadline index holds rows for this case (saves reading it when there are none).
    has_deadlines: bool = True
    # What the step's audit entry names: (object type, id); by default the completed task, else the case.
    audit_object: tuple[str, str] | None = None
    hooked: bool = False  # a test's hook ran before the commit: the workflow is not kept
    _referrals: list | None = None
    # The escalations recorded for the case, (deadline kind, deadline ref, status, level), when the step read
    # them with the case (a step firing deadlines); the escalation chain keeps them up to date.
    escalations: list | None = None
    # The case's deadline index rows (`case_records.DeadlineIndexRow`), when the step read them with the
    # case; whatever changes them in the step keeps them up to date, or sets None to have them read again.
    deadlines: list | None = None
    # PostgreSQL, a step firing deadlines: an id reserved for the next escalation it raises (see `record_escalation`).
    reserved_escalation_id: int | None = None
    # The pinned version's content hash, when the step loaded it (saves looking it up again).
    content_hash: str | None = None
    # The case summary's values as the step found the case (None: unknown, the summary is written).
    summary_before: tuple | None = None
    # Rows the step's services write with its batch, after the case's version check: (statement, values),
    # or (statement, values, expected row count, exception raised on another count).
    writes: list[tuple] = field(default_factory=list)

    @property
    def session(self):
        return self.uow.session

    @property
    def referrals(self) -> list:
        """The case's referrals (loaded once per step; new ones are appended by the effects)."""
        if self._referrals is None:
            self._referrals = list(self.session.scalars(_REFERRALS_OF_CASE, {"case_id": self.case.id}))
        return self._referrals

    def notify(self, event_type: str, **payload: Any) -> None:
        """Queue an outbox row (written in this step's transaction); payloads carry no personal data."""
        self.outbox.append((event_type, payload))


# Built once: building the statement cost as much as running it, in every step that reads referrals.
_REFERRALS_OF_CASE = select(ReferralRow).where(ReferralRow.case_id == bindparam("case_id")).order_by(ReferralRow.id)


@dataclass(frozen=True)
class StepResult:
    """What a step changed, for the caller to show."""

    case_id: int
    reference: str
    status: str
    stage: str | None
    new_task_ids: tuple[str, ...]
    failures: tuple[str, ...]
    needs_attention: bool
    completed: bool


# Pathway versions are immutable: their parsed specs are cached by content hash for the process.
_specs_cache: dict[str, PathwaySpecs] = {}
_specs_lock = threading.Lock()


def specs_for_version(uow: UnitOfWork, version_id: int, content_hash: str, main_file: str) -> PathwaySpecs:
    """The parsed specs of a published version (files read from the database only on a cache miss)."""
    specs = _specs_cache.get(content_hash)
    if specs is not None:
        return specs
    files = {
        path: content
        for path, content in uow.session.execute(
            select(PathwayFileRow.path, PathwayFileRow.content).where(PathwayFileRow.version_id == version_id)
        )
    }
    specs = load_specs(files, main_file, _process_id(files))
    _settle_collection_multi_instances(specs)
    with _specs_lock:
        _specs_cache[content_hash] = specs
    return specs


def clear_specs_cache() -> None:
    """Forget parsed specs, as a restarted process would (tests reload cases from scratch with it)."""
    with _specs_lock:
        _specs_cache.clear()
    workflow_cache.clear()


def _settle_collection_multi_instances(specs: PathwaySpecs) -> None:
    # SpiffWorkflow's Camunda multi-instance (camunda:collection / camunda:elementVariable) fills in
    # its input collection and element variable on the SPEC the first time it runs. A process that
    # parses the pathway afresh and loads a case whose multi-instance already started would find
    # them empty (which instance is which referral, and the end of the branches, depend on them).
    # Doing at parse time what Spiff does on first run makes every process see the same spec.
    for spec in (specs.spec, *specs.subprocess_specs.values()):
        for task_spec in spec.task_specs.values():
            output_item = getattr(task_spec, "output_item", None)
            data_output = getattr(task_spec, "data_output", None)
            if getattr(task_spec, "cardinality", "") is None and output_item is not None and data_output is not None:
                if getattr(task_spec, "input_item", None) is None:
                    task_spec.input_item = type(output_item)(output_item.bpmn_id)
                if getattr(task_spec, "data_input", None) is None:
                    task_spec.data_input = type(data_output)(data_output.bpmn_id)


def _process_id(files: dict[str, bytes]) -> str | None:
    from engine.pathways.folder import metadata_of

    process = metadata_of(files).get("process")
    return process if isinstance(process, str) and process else None


def script_engine_for(clock: Clock) -> SafeScriptEngine:
    """The safe script engine a case runs with (cheap to build; never serialized)."""
    return SafeScriptEngine(clock)


def begin_step(
    uow: UnitOfWork,
    clock: Clock,
    case_id: int,
    actor: Actor | None,
    action: str,
    completed_task: TaskRecord | None = None,
    open_tasks: list[TaskRecord] | None = None,
    loaded: case_records.LoadedCase | None = None,
    for_deadlines: bool = False,
) -> Step:
    """Load a case, its pinned specs, its workflow and its open task rows (unless given) inside `with uow:`;
    `for_deadlines`: its referrals and recorded escalations too, in the same round trip (a step firing deadlines)."""
    connection = uow.session.connection()
    reads = None
    if loaded is None and open_tasks is None:
        reads = case_records.case_and_open_tasks(connection, case_id, for_deadlines)
        loaded, open_tasks = reads.loaded, reads.open_tasks
    elif loaded is None:
        loaded = case_records.load_case(connection, case_id)
    if loaded is None:
        raise NotFound(f"case {case_id} does not exist")
    case = loaded.case
    specs = specs_for_version(uow, case.pathway_version_id, loaded.content_hash, loaded.main_file)
    database = uow.session.get_bind()
    workflow = workflow_cache.take(database, case.id, case.lock_version, case.workflow_json)
    if workflow is None or workflow.spec is not specs.spec:
        workflow = serializer.loads(case.workflow_json, specs, script_engine_for(clock))
    else:
        workflow.script_engine = script_engine_for(clock)  # never kept: this step's clock
    if open_tasks is None:
        open_tasks = case_records.open_tasks(connection, case.id)
    by_id = {row.id: row for row in open_tasks if row.state == TaskState.OPEN}
    step = Step(uow, clock, clock.now(), case, specs, workflow, actor, action, by_id, connection, completed_task)
    step.has_deadlines = loaded.has_deadlines
    step.content_hash = loaded.content_hash
    if reads is not None and reads.referrals is not None:
        step._referrals = case_records.attach_referrals(uow.session, reads.referrals)
        step.escalations = reads.escalations
        step.deadlines = reads.deadlines
        step.reserved_escalation_id = reads.escalation_id
    step.summary_before = summary_values(step)
    return step


def keep_workflow(step: Step) -> None:
    """After the commit: keep the step's workflow for the case's next step in this process."""
    if not step.hooked:
        workflow_cache.put(step.session.get_bind(), step.case.id, step.case.lock_version, step.case.workflow_json,
                           step.workflow)


def start_step(uow: UnitOfWork, clock: Clock, case: CaseRecord, specs: PathwaySpecs, workflow, actor: Actor | None,
               content_hash: str | None = None) -> Step:
    """A step for a case opened in this transaction, its id reserved (`case_records.reserve_new_case`):
    its row is written with the rest of the step."""
    connection = uow.session.connection()
    step = Step(uow, clock, clock.now(), case, specs, workflow, actor, "case_opened", {}, connection)
    step.has_deadlines = False
    step.content_hash = content_hash
    return step


def finish_step(step: Step, failures: list[TaskFailure], hook: StepHook | None = None, commit: bool = True) -> StepResult:
    """Sync rows, append history, audit and outbox, save the workflow, and commit once.

    With `commit=False` everything is written but the caller commits (the deadline sweep commits
    several cases' steps together, each in its own savepoint), then calls `keep_workflow`.
    """
    case, session, connection = step.case, step.session, step.connection
    # Referrals whose ending events fired (expiry, withdrawal) end first: a level that fired in the same step is then
    # kept on record already overtaken, and alerts nobody about a referral that is over.
    end_referrals(step)
    # Escalations drawn as timers are recorded by whichever step fires them, and answered by their tasks.
    sync_escalations(step)
    # What the effects changed through the ORM (consents, referrals, deadline levels) goes in
    # first: the sync below reads the deadline rows with plain statements.
    if session.new or session.dirty or session.deleted:
        case_records.ensure_written(connection, case)
        step.uow.flush()
    changes = sync_case(step, failures)
    case.workflow_json = serializer.dumps(step.workflow)
    case.serializer_version = serializer.SERIALIZER_VERSION
    case.updated_at = step.now
    # The case first: a step that lost the race learns it before writing anything else (on
    # PostgreSQL the writes go in one round trip, and its row count is read with the others).
    batch = StatementBatch(connection)
    case_records.queue_case(batch, case)
    changes.write(batch)
    for statement, values, *check in step.writes:
        batch.add(statement, [values], *check)
    record_case_summary(step, batch)
    actor_id = step.actor.id if step.actor is not None else None
    if step.audit_object is not None:
        object_type, object_id = step.audit_object
    elif step.completed_task is not None:
        object_type, object_id = "task", step.completed_task.id
    else:
        object_type, object_id = "case", case.reference
    details = dict(step.details)
    if changes.new_tasks:
        details["new_tasks"] = [row.bpmn_id for row in changes.new_tasks]
    if changes.ended_tasks:
        details["ended_tasks"] = [row.bpmn_id for row in changes.ended_tasks]
    if failures:
        details["failures"] = [f"{f.bpmn_id}: {f.message}" for f in failures]
    case_records.append_history(
        batch,
        event={
            "case_id": case.id,
            "at": step.now,
            "actor_id": actor_id,
            "action": step.action,
            "task_bpmn_id": step.completed_task.bpmn_id if step.completed_task is not None else None,
            "details": details,
        },
        audit={
            "at": step.now,
            "user_id": actor_id,
            "action": f"case.{step.action}",
            "object_type": object_type,
            "object_id": object_id,
            "case_id": case.id,
            "details": {"fields": details.get("fields", [])},
        },
        outbox=[
            {
                "event_type": event_type,
                "case_id": case.id,
                # Whose step it was: the dispatcher never tells people about their own work.
                "payload": {"case_id": case.id, "reference": case.reference, "actor_id": actor_id, **payload},
                "created_at": step.now,
            }
            for event_type, payload in step.outbox
        ],
    )
    # Nothing the ORM holds may be left to write after the batch: on PostgreSQL the batch carries
    # the transaction's COMMIT when the step commits (the commit below then has nothing to do).
    pending = bool(session.new or session.dirty or session.deleted)
    step.uow.guard(batch.send, commit and hook is None and not pending)
    case_records.case_saved(case)
    if hook is not None:
        step.uow.flush()
        hook(step)
        step.hooked = True  # a hook may touch the workflow after it was saved: keep only what was saved
    if not commit:
        step.uow.flush()
    else:
        step.uow.commit()
        keep_workflow(step)
    return StepResult(
        case_id=case.id,
        reference=case.reference,
        status=case.status.value,
        stage=case.stage,
        new_task_ids=tuple(row.id for row in changes.new_tasks),
        failures=tuple(f"{f.bpmn_id} ({f.name}): {f.message}" for f in failures),
        needs_attention=case.needs_attention,
        completed=case_runtime.is_completed(step.workflow),
    )
