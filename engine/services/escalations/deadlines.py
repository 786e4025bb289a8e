"""The deadline sweep: claim what is due, fire it through the case's own step, escalate, record once.

    report = sweep_deadlines(container.uow, clock, worker_id="host:1234")

One pass, batch after batch until nothing due is left:

1. claim: one statement takes up to `batch_size` due, unleased deadline rows for this worker and
   leases them (`claimed_by`, `claimed_until`, `attempts + 1`). On PostgreSQL the rows are picked
   with `FOR UPDATE SKIP LOCKED`, so several sweepers share the work; on SQLite one sweeper runs
   at a time (a lock file beside the database; a second one returns at once, `skipped`). The
   query reads the `due_at` index only: a sweep with nothing due costs the same for 2,000 or
   200,000 open cases.
2. fire: each claimed case goes through the shared case step (`case_step.begin_step` /
   `finish_step`): timers refreshed and fired, due escalation levels raised, tasks, deadlines,
   history and outbox written. Drawn escalations are recorded by the step itself. Several cases'
   steps commit together (at most `GROUP_CASES` cases or `GROUP_SECONDS` of work): the durable
   commit is paid once per group instead of once per case, and a case that fails or conflicts
   makes the group go again with each case in its own savepoint, where it is undone alone. A
   case that lost a race with a person's step is stepped again on its own afterwards.
3. release: rows the step moved into the future lose their lease at once; rows still due (their
   case's step failed) are tried again after the lease, doubled at each attempt. A sweeper killed
   before its commit loses nothing: its rows' leases run out and another pass takes them again,
   and each escalation level being unique makes the retry raise nothing twice.
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, or_, select, update

from engine.clock import Clock
from engine.domain import CaseStatus, DeadlineKind, Priority
from engine.errors import Conflict, NotFound
from engine.runtime import case_runtime
from engine.runtime.human_tasks import extensions_of
from engine.runtime.timers import CALENDAR_PROPERTY, WORKING_DAYS, add_duration
from engine.services.cases.step import Step, StepHook, begin_step, finish_step, keep_workflow
from engine.services.escalations.chain import (
    AFTER_PROPERTY,
    CHAIN_KINDS,
    NEVER,
    chain_delays,
    is_resolved,
    recipients_for,
    record_escalation,
)
from engine.store import case_records
from engine.store.models import CaseRow, DeadlineRow
from engine.store.prepared import Prepared
from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing

log = logging.getLogger(__name__)

_DEADLINES = DeadlineRow.__table__
_CLIMB = Prepared(
    update(_DEADLINES).where(_DEADLINES.c.id == bindparam("b_id")).values(level=bindparam("level"), due_at=bindparam("due_at"))
)

DEFAULT_LEASE = timedelta(minutes=5)
# One transaction holds SQLite's write lock (and, on PostgreSQL, the locks of its cases' rows)
# while its cases are stepped: bounded so that people's own steps never wait long behind a sweep.
GROUP_CASES = 16
GROUP_SECONDS = 0.25
# A case whose step keeps conflicting with people's own steps is tried this often in one pass.
_CONFLICT_TRIES = 3
# At most lease * 2**8 (about 21 hours for 5 minutes) between attempts at a deadline that keeps failing.
_LONGEST_BACKOFF = 8
# While a sweep steps cases, Python's collector looks at new objects after this many allocations
# instead of 700 (see `_collecting_less`).
SWEEP_GC_THRESHOLD = 50_000


@dataclass(frozen=True)
class ClaimedDeadline:
    """A deadline row leased to this sweeper."""

    id: int
    case_id: int
    kind: DeadlineKind
    ref: str
    due_at: datetime
    level: int


@dataclass
class SweepReport:
    """What one sweep did, for logs and the command line."""

    worker_id: str
    claimed: int = 0
    cases: int = 0
    escalations: int = 0
    conflicts: int = 0
    failures: list[str] = field(default_factory=list)
    skipped: bool = False  # another sweeper had the SQLite database

    def __str__(self) -> str:
        if self.skipped:
            return f"{self.worker_id}: skipped, another sweeper is running on this SQLite database"
        return (
            f"{self.worker_id}: {self.claimed} deadlines claimed, {self.cases} cases moved on, "
            f"{self.escalations} escalations raised"
            + (f", {self.conflicts} conflicts" if self.conflicts else "")
            + (f", {len(self.failures)} failures" if self.failures else "")
        )


def default_worker_id() -> str:
    """This process's name in leases: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def sweep_deadlines(
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    worker_id: str | None = None,
    batch_size: int = 100,
    lease: timedelta = DEFAULT_LEASE,
    max_batches: int = 1000,
    hook: StepHook | None = None,
) -> SweepReport:
    """Fire every due deadline, batch by batch, until none is left that this sweeper may take."""
    report = SweepReport(worker_id=worker_id or default_worker_id())
    with _single_runner_on_sqlite(uow_factory) as alone:
        if not alone:
            report.skipped = True
            return report
        with _collecting_less():
            _sweep_batches(uow_factory, clock, batch_size, lease, max_batches, hook, report)
    if report.claimed:
        log.info("deadline sweep %s", report)
    for problem in report.failures:
        log.warning("deadline sweep %s: %s", report.worker_id, problem)
    return report


def _sweep_batches(uow_factory, clock, batch_size, lease, max_batches, hook, report: SweepReport) -> None:
    for _ in range(max_batches):
        try:
            claimed = claim_due_deadlines(uow_factory, clock.now(), report.worker_id, batch_size, lease)
        except Conflict:
            break  # SQLite was busy with another writer: the rows wait for the next pass
        if not claimed:
            break
        report.claimed += len(claimed)
        by_case: dict[int, list[ClaimedDeadline]] = {}
        for row in claimed:
            by_case.setdefault(row.case_id, []).append(row)
        waiting = list(by_case.items())
        while waiting:
            conflicted, waiting = _fire_group(uow_factory, clock, waiting, report, hook)
            for case_id, rows in conflicted:
                _fire_with_retries(uow_factory, clock, case_id, rows, report, hook)
        release_deadlines(uow_factory, clock.now(), report.worker_id, [row.id for row in claimed], lease)


_gc_lock = threading.Lock()
_gc_sweeps = 0
_gc_threshold: tuple[int, ...] = ()


@contextmanager
def _collecting_less() -> Iterator[None]:
    """Python's cycle collector runs rarely while cases are stepped, and as before afterwards.

    A restored workflow is a web of cycles (tasks and their workflow) that lives for one case's
    step. With the default threshold a young collection falls inside nearly every step, finds the
    workflow still in use and moves it to the older generations, where only full collections of
    the whole heap free it: about a millisecond per escalation. Collecting every 50,000 allocations
    frees most workflows while they are young. Sweeps in several threads share one setting: the
    first one in raises it, the last one out puts the previous one back."""
    global _gc_sweeps, _gc_threshold
    with _gc_lock:
        if _gc_sweeps == 0:
            _gc_threshold = gc.get_threshold()
            if _gc_threshold[0] < SWEEP_GC_THRESHOLD:
                gc.set_threshold(SWEEP_GC_THRESHOLD, *_gc_threshold[1:])
        _gc_sweeps += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_sweeps -= 1
            if _gc_sweeps == 0:
                gc.set_threshold(*_gc_threshold)


@contextmanager
def _single_runner_on_sqlite(uow_factory: Callable[[], UnitOfWork]) -> Iterator[bool]:
    """On a SQLite file, one sweeper at a time (a lock file beside it, freed even if the process is
    killed): concurrent steps on SQLite would only void each other's transactions."""
    with uow_factory() as uow:
        url = uow.session.get_bind().url
    database = url.database if url.get_backend_name() == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield True
        return
    try:
        import fcntl
    except ImportError:  # not on Unix: rely on the leases alone
        yield True
        return
    with open(f"{database}.sweep-lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def claim_due_deadlines(
    uow_factory: Callable[[], UnitOfWork], now: datetime, worker_id: str, batch_size: int, lease: timedelta
) -> list[ClaimedDeadline]:
    """Lease up to `batch_size` due deadline rows that nobody holds, earliest first."""
    due = (
        select(DeadlineRow.id)
        .where(
            DeadlineRow.due_at <= now,
            or_(DeadlineRow.claimed_until.is_(None), DeadlineRow.claimed_until <= now),
        )
        # A case's rows due together stay together, so two sweepers rarely step the same case.
        .order_by(DeadlineRow.due_at, DeadlineRow.case_id)
        .limit(batch_size)
    )
    with uow_factory() as uow:
        if uow.session.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        rows = uow.session.execute(
            update(DeadlineRow)
            .where(DeadlineRow.id.in_(due.scalar_subquery()))
            .values(claimed_by=worker_id, claimed_until=now + lease, attempts=DeadlineRow.attempts + 1)
            .returning(DeadlineRow.id, DeadlineRow.case_id, DeadlineRow.kind, DeadlineRow.ref, DeadlineRow.due_at, DeadlineRow.level)
            .execution_options(synchronize_session=False)
        ).all()
        uow.commit()
    return sorted((ClaimedDeadline(*row) for row in rows), key=lambda row: (row.due_at, row.id))


def release_deadlines(
    uow_factory: Callable[[], UnitOfWork], now: datetime, worker_id: str, ids: list[int], lease: timedelta = DEFAULT_LEASE
) -> None:
    """Give back the leases of rows now due later; rows still due wait longer after each attempt."""
    if not ids:
        return
    try:
        with uow_factory() as uow:
            session = uow.session
            session.execute(
                update(DeadlineRow)
                .where(DeadlineRow.id.in_(ids), DeadlineRow.claimed_by == worker_id, DeadlineRow.due_at > now)
                .values(claimed_by=None, claimed_until=None, attempts=0)
                .execution_options(synchronize_session=False)
            )
            # Still due after its case's step: that step failed, or fires nothing. Doubling the
            # wait keeps one broken case from being stepped every few minutes for ever.
            for row_id, attempts in session.execute(
                select(DeadlineRow.id, DeadlineRow.attempts)
                .where(DeadlineRow.id.in_(ids), DeadlineRow.claimed_by == worker_id, DeadlineRow.due_at <= now)
            ).all():
                wait = lease * 2 ** min(max(attempts - 1, 0), _LONGEST_BACKOFF)
                session.execute(
                    update(DeadlineRow).where(DeadlineRow.id == row_id).values(claimed_until=now + wait)
                    .execution_options(synchronize_session=False)
                )
            uow.commit()
    except Conflict:
        pass  # the leases run out by themselves


def fire_case_deadlines(
    uow: UnitOfWork, clock: Clock, case_id: int, claimed: list[ClaimedDeadline], hook: StepHook | None = None
) -> int:
    """One step of the case: fire its due timers, raise its due escalation levels; escalations raised."""
    with uow:
        lock_for_writing(uow)
        return _fire_case(uow, clock, case_id, claimed, hook, commit=True)[1]


def _fire_case(uow, clock, case_id: int, claimed: list[ClaimedDeadline], hook, commit: bool) -> tuple[Step, int]:
    # Escalations are mostly a referral's (its provider, its level), and each looks at those recorded
    # before it: all read with the case, two round trips less.
    step = begin_step(uow, clock, case_id, None, "deadlines_fired", for_deadlines=True)
    failures = case_runtime.advance(step.workflow)
    before = len(step.details.get("escalations", []))
    for row in claimed:
        if row.kind in CHAIN_KINDS:
            _climb_chain(step, row)
    finish_step(step, failures, hook=hook, commit=commit)
    return step, len(step.details.get("escalations", [])) - before


class _GroupUndone(Exception):
    """A case failed in a group stepped without savepoints: the group's transaction was undone."""


def _fire_group(uow_factory, clock, cases: list[tuple[int, list[ClaimedDeadline]]], report: SweepReport, hook):
    """Step cases in one transaction until the group's bound; (conflicted, not reached).

    The cases are stepped one after the other with nothing between them. Should one fail, the
    group's transaction is undone and its cases are stepped again, each in a savepoint, so that
    the failing one is undone alone: a savepoint costs two more round trips a case on PostgreSQL
    (about what grouping the commits saves), for a failure that is rare.
    """
    try:
        return _fire_together(uow_factory, clock, cases, report, hook, isolated=False)
    except _GroupUndone:
        return _fire_together(uow_factory, clock, cases, report, hook, isolated=True)


def _fire_together(uow_factory, clock, cases, report: SweepReport, hook, isolated: bool):
    done: list[tuple[Step, int]] = []
    conflicted = []
    uow = uow_factory()
    ends_at = time.monotonic() + GROUP_SECONDS
    taken = 0
    try:
        with uow:
            lock_for_writing(uow)
            for case_id, rows in cases:
                if taken >= GROUP_CASES or (taken and time.monotonic() >= ends_at):
                    break
                taken += 1
                savepoint = uow.session.begin_nested() if isolated else None
                try:
                    done.append(_fire_case(uow, clock, case_id, rows, hook, commit=False))
                    if savepoint is not None:
                        savepoint.commit()
                except Exception as error:
                    if savepoint is None:
                        raise _GroupUndone() from error  # leaving the block undoes the transaction
                    _undo(savepoint)
                    if isinstance(error, NotFound):
                        continue  # the case is gone, and its deadlines with it
                    if isinstance(error, Conflict):
                        report.conflicts += 1  # someone moved the case meanwhile: stepped again on its own
                        conflicted.append((case_id, rows))
                        continue
                    # One broken case must not stop the sweep; its lease brings it back.
                    log.exception("deadline sweep: case %s failed", case_id)
                    report.failures.append(f"case {case_id}: {error}")
            uow.commit()
            for step, _ in done:
                keep_workflow(step)
    except Conflict:
        # SQLite busy with another writer: the group's cases (at least one, so that the pass moves
        # on) are each tried again on their own, with their bounded retries.
        taken = max(taken, 1)
        return cases[:taken], cases[taken:]
    report.cases += len(done)
    report.escalations += sum(raised for _, raised in done)
    return conflicted, cases[taken:]


def _undo(savepoint) -> None:
    if savepoint.is_active:
        savepoint.rollback()


def _fire_with_retries(uow_factory, clock, case_id, rows, report: SweepReport, hook) -> None:
    for attempt in range(_CONFLICT_TRIES):
        try:
            report.escalations += fire_case_deadlines(uow_factory(), clock, case_id, rows, hook)
            report.cases += 1
            return
        except NotFound:
            return  # the case is gone, and its deadlines with it
        except Conflict:
            report.conflicts += 1  # someone moved the case meanwhile: look again
        except Exception as error:  # one broken case must not stop the sweep; its lease brings it back
            log.exception("deadline sweep: case %s failed", case_id)
            report.failures.append(f"case {case_id}: {error}")
            return
    report.failures.append(f"case {case_id}: still changing after {_CONFLICT_TRIES} tries; retried after the lease")


def _climb_chain(step: Step, claimed: ClaimedDeadline) -> None:
    """Raise the levels of a task's due date (or its follow-up reminder) that are due now."""
    index = _deadline_index(step, claimed.id)
    task = step.open_tasks.get(claimed.ref)
    if index is None or task is None:
        return  # the task is done: the step's sync removes the row
    row = step.deadlines[index]
    if row.kind == DeadlineKind.FOLLOW_UP:
        step.notify(
            "deadline_approaching",
            case_reference=step.case.reference,
            deadline=(task.due_at or row.due_at).isoformat(),
            step=task.name,
            task_id=task.id,
            recipients=recipients_for(step, 1, None, task),
        )
        _set_deadline(step, index, 1, NEVER)
        return
    if is_resolved(step, row.kind, row.ref) or task.due_at is None:
        _set_deadline(step, index, row.level, NEVER)
        return
    moments = _level_moments(step, task)
    reached = row.level
    for level, moment in enumerate(moments, start=1):
        if level <= reached:
            continue
        if moment > step.now:
            break
        record_escalation(step, row.kind, row.ref, level, task.due_at, task=task, label=task.name)
        reached = level
    _set_deadline(step, index, reached, moments[reached] if reached < len(moments) else NEVER)


def _deadline_index(step: Step, deadline_id: int) -> int | None:
    """Where the claimed row is among the case's deadline rows (read with the case); None if it is gone."""
    if step.deadlines is None:
        step.deadlines = case_records.deadlines_of(step.connection, step.case.id)
    return next((index for index, row in enumerate(step.deadlines) if row.id == deadline_id), None)


def _set_deadline(step: Step, index: int, level: int, due_at: datetime) -> None:
    # The step's sync reads the rows as changed here; the UPDATE goes with the step's batch.
    row = step.deadlines[index]
    if (row.level, row.due_at) != (level, due_at):
        step.deadlines[index] = row._replace(level=level, due_at=due_at)
        step.writes.append((_CLIMB, {"b_id": row.id, "level": level, "due_at": due_at}))


def _level_moments(step: Step, task) -> list[datetime]:
    spiff_task = case_runtime.find_task(step.workflow, task.id)
    properties = extensions_of(spiff_task).get("properties") or {}
    working = properties.get(CALENDAR_PROPERTY) == WORKING_DAYS
    calendar = step.workflow.script_engine.working_calendar() if working else None
    moments = [task.due_at]
    for delay in chain_delays(properties, task.priority or Priority.NORMAL):
        try:
            if isinstance(delay, timedelta):
                moments.append(calendar.add(task.due_at, delay) if calendar is not None else task.due_at + delay)
            else:
                moments.append(add_duration(task.due_at, delay, calendar))
        except ValueError as error:
            # A bad delay in a published pathway ends the chain there; the case history says why.
            step.details["escalation_problem"] = f"task {task.bpmn_id}: {AFTER_PROPERTY} {delay!r}: {error}"
            break
    return moments


def housekeeping(uow_factory: Callable[[], UnitOfWork], clock: Clock, stuck_attempts: int = 10) -> dict[str, int]:
    """Drop deadline rows of closed cases; count rows that keep failing (shown in the scheduler's log)."""
    with uow_factory() as uow:
        closed = select(CaseRow.id).where(CaseRow.status != CaseStatus.OPEN).scalar_subquery()
        dropped = uow.session.execute(
            delete(DeadlineRow).where(DeadlineRow.case_id.in_(closed)).execution_options(synchronize_session=False)
        ).rowcount
        stuck = len(uow.session.scalars(
            select(DeadlineRow.id).where(DeadlineRow.attempts >= stuck_attempts, DeadlineRow.due_at <= clock.now()).limit(1000)
        ).all())
        uow.commit()
    return {"dropped": dropped or 0, "stuck": stuck}
