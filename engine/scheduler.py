"""The scheduler: APScheduler triggers the periodic jobs; each job calls one service and logs what it did.

    jobs = scheduler_jobs(container, ScheduleSettings.from_settings(container.settings))
    build_scheduler(jobs, blocking=True).start()        # `aiguillage scheduler`
    start_in_process(container)                         # the demo's web process, started once

The jobs: the deadline sweep, the notification dispatch, the steering committee's summary and its
periodic report, housekeeping, sealing the audit log's new rows into its hash chain, and anonymising
closed cases whose retention period has passed. APScheduler keeps its jobs in memory and never stores a deadline: deadlines live in
the database, so any number of scheduler processes can run (PostgreSQL) and a restarted one
simply carries on. Each job runs at most once at a time per process, and missed runs coalesce.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from engine.clock import SystemClock
from engine.errors import AiguillageError, Conflict
from engine.services.audit.chain import seal_audit_log
from engine.services.cases.retention import anonymise_due_cases
from engine.services.escalations.deadlines import default_worker_id, housekeeping, sweep_deadlines
from engine.services.coordination.committee_report import queue_committee_report
from engine.services.escalations.handling import queue_steering_summary

log = logging.getLogger(__name__)

JOB_NAMES = ("sweep", "dispatch", "summary", "report", "housekeeping", "audit_seal", "retention")
LOCK_FILE = "scheduler.lock"


class SchedulerSettingsError(AiguillageError):
    """A scheduler interval in the environment is not a positive whole number."""


@dataclass(frozen=True)
class ScheduleSettings:
    """How often each job runs (seconds), from AIGUILLAGE_* variables."""

    sweep_seconds: int = 30
    dispatch_seconds: int = 30
    summary_seconds: int = 7 * 24 * 3600
    housekeeping_seconds: int = 3600
    audit_seal_seconds: int = 60
    retention_seconds: int = 24 * 3600
    sweep_batch: int = 100
    # The summary covers the period since the previous one.
    summary_days: int = 7
    # The steering committee's report: checked this often, queued once per period of this many months.
    report_seconds: int = 6 * 3600
    report_months: int = 1
    small_cell_threshold: int = 5

    @classmethod
    def from_settings(cls, settings) -> ScheduleSettings:
        """Read AIGUILLAGE_SWEEP_SECONDS, _DISPATCH_SECONDS, _SUMMARY_SECONDS, _HOUSEKEEPING_SECONDS, _SWEEP_BATCH, _SUMMARY_DAYS,
        _REPORT_SECONDS, _REPORT_MONTHS, _SMALL_CELL_THRESHOLD."""
        return cls.from_env(settings.extra)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ScheduleSettings:
        """The same, from a mapping of variables."""
        defaults = cls()
        values = {}
        for name in ("sweep_seconds", "dispatch_seconds", "summary_seconds", "housekeeping_seconds", "audit_seal_seconds",
                     "retention_seconds", "sweep_batch", "summary_days", "report_seconds", "report_months",
                     "small_cell_threshold"):
            variable = f"AIGUILLAGE_{name.upper()}"
            raw = env.get(variable)
            if raw is None or raw == "":
                values[name] = getattr(defaults, name)
                continue
            if not raw.strip().isdigit() or int(raw) < 1:
                raise SchedulerSettingsError(f"{variable}={raw!r} is not a positive whole number")
            values[name] = int(raw)
        return cls(**values)


FIRST_RUN_STAGGER = timedelta(seconds=2)


@dataclass(frozen=True)
class Job:
    """A periodic job: its name, its interval, and the one service call it makes."""

    name: str
    seconds: int
    call: Callable[[], object]


def scheduler_jobs(container, schedule: ScheduleSettings, worker_id: str | None = None,
                   only: tuple[str, ...] = JOB_NAMES) -> list[Job]:
    """The jobs of a scheduler process (the dispatch only when the notifications package is installed)."""
    worker = worker_id or default_worker_id()
    uow, clock = container.uow, container.clock
    jobs = {
        "sweep": Job("sweep", schedule.sweep_seconds,
                     lambda: sweep_deadlines(uow, clock, worker, batch_size=schedule.sweep_batch)),
        "summary": Job("summary", schedule.summary_seconds,
                       lambda: _summary_line(queue_steering_summary(uow(), clock, timedelta(days=schedule.summary_days)))),
        "report": Job("report", schedule.report_seconds,
                      lambda: _report_line(queue_committee_report(uow(), clock, schedule.report_months,
                                                                   schedule.small_cell_threshold))),
        "housekeeping": Job("housekeeping", schedule.housekeeping_seconds, lambda: housekeeping(uow, clock)),
        "audit_seal": Job("audit_seal", schedule.audit_seal_seconds, lambda: seal_audit_log(uow(), clock)),
        "retention": Job("retention", schedule.retention_seconds, lambda: _retention_line(anonymise_due_cases(uow(), clock))),
    }
    dispatch = _dispatch_call(container, worker)
    if dispatch is not None:
        jobs["dispatch"] = Job("dispatch", schedule.dispatch_seconds, dispatch)
    return [jobs[name] for name in JOB_NAMES if name in jobs and name in only]


def _retention_line(references: list[str]) -> str:
    return f"{len(references)} closed cases anonymised" + (f": {', '.join(references)}" if references else "")


def run_job(job: Job) -> object:
    """Run one job, log what it did and how long it took; a failure is logged, never raised."""
    started = time.perf_counter()
    try:
        result = job.call()
    except Conflict as busy:
        # Another job or process held the database (SQLite has one writer): the next run retries.
        log.warning("scheduler job %s deferred to its next run: %s", job.name, busy)
        return None
    except Exception:
        log.exception("scheduler job %s failed", job.name)
        return None
    log.info("scheduler job %s (%.0f ms): %s", job.name, (time.perf_counter() - started) * 1000, result)
    return result


def build_scheduler(jobs: list[Job], blocking: bool = False, first_run_at: datetime | None = None) -> BaseScheduler:
    """An APScheduler with a memory job store; every job once at a time, late runs merged into one."""
    kind = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = kind(timezone=timezone.utc, job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 60})
    # Trigger times are APScheduler's own, in real time (never a training installation's); the jobs
    # read domain time from the container's clock.
    start = first_run_at or SystemClock().now()
    for position, job in enumerate(jobs):
        # Staggered first runs: on SQLite, jobs that all start at once only queue for its one writer.
        scheduler.add_job(run_job, "interval", seconds=job.seconds, args=[job], id=job.name, name=job.name,
                          next_run_time=start + position * FIRST_RUN_STAGGER)
    return scheduler


# One in-process scheduler per process, and per instance folder across processes (a web server
# started twice, or a reloader's parent and child, must not sweep twice from the same install).
_in_process: BaseScheduler | None = None
_in_process_lock = threading.Lock()
_lock_handle = None


def start_in_process(container, schedule: ScheduleSettings | None = None) -> BaseScheduler | None:
    """Start the jobs in a background thread of this process, once; None if another process holds the lock."""
    global _in_process, _lock_handle
    with _in_process_lock:
        if _in_process is not None:
            return _in_process
        handle = _instance_lock(Path(container.settings.instance_dir))
        if handle is False:
            log.info("scheduler not started here: another process of this installation runs it")
            return None
        schedule = schedule or ScheduleSettings.from_settings(container.settings)
        scheduler = build_scheduler(scheduler_jobs(container, schedule))
        scheduler.start()
        _in_process, _lock_handle = scheduler, handle
        log.info("scheduler started in process %s", os.getpid())
        return scheduler


def stop_in_process() -> None:
    """Stop the in-process scheduler, if this process started one, and release its lock."""
    global _in_process, _lock_handle
    with _in_process_lock:
        if _in_process is not None:
            _in_process.shutdown(wait=True)
        if _lock_handle not in (None, True):
            _lock_handle.close()
        _in_process, _lock_handle = None, None


def _instance_lock(instance_dir: Path):
    """An open, exclusively locked file (held while the process lives); False if taken; True without fcntl."""
    try:
        import fcntl
    except ImportError:  # not on Unix: the per-process flag is the only guard
        return True
    instance_dir.mkdir(parents=True, exist_ok=True)
    handle = open(instance_dir / LOCK_FILE, "a")  # noqa: SIM115 - held open for the process's life
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return False
    return handle


def _dispatch_call(container, worker: str) -> Callable[[], object] | None:
    try:
        from notifications.dispatcher import dispatch_pending
        from notifications.sending import Channels
        from notifications.settings import NotificationSettings
    except ImportError:
        return None

    def dispatch():
        channels = Channels.from_settings(NotificationSettings.from_settings(container.settings))
        return dispatch_pending(container.uow, channels, container.clock, worker_id=worker)

    return dispatch


def _report_line(period) -> str:
    return "already queued for this period" if period is None else f"queued: the steering committee report of {period.code}"


def _summary_line(summary) -> str:
    if summary is None:
        return "already queued for this period"
    return f"queued: {summary.total} stalled referrals, by level {summary.by_level}"
