"""The scheduler runs the sweep, dispatch, summary and housekeeping jobs; in a web process it starts once."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.errors import AiguillageError, Conflict
from engine.scheduler import (
    FIRST_RUN_STAGGER,
    Job,
    ScheduleSettings,
    build_scheduler,
    run_job,
    scheduler_jobs,
    start_in_process,
    stop_in_process,
)
from engine.store.models import EscalationRow, OutboxRow
from tests.integration.deadlines.test_escalation_chain import _referral_sent
from webui.cli import main


def _escalations(container) -> int:
    with container.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(EscalationRow))


def test_scheduler_once_runs_every_job_and_says_what_each_did(container, walker):
    _referral_sent(container, walker, "emergency")
    container.clock.advance(timedelta(hours=2))
    result = CliRunner().invoke(main, ["scheduler", "--once", "--worker-id", "cli-test"], obj=container)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines] == ["sweep", "dispatch", "summary", "report", "housekeeping", "audit_seal",
                                                      "retention"]
    assert "cli-test: 2 deadlines claimed, 1 cases moved on, 1 escalations raised" in lines[0]
    assert _escalations(container) == 1
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.event_type == "coordinator_summary")) == 1
        assert uow.session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.event_type == "committee_report")) == 1


def test_scheduler_only_runs_the_jobs_asked_for(container):
    result = CliRunner().invoke(main, ["scheduler", "--once", "--only", "housekeeping"], obj=container)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("housekeeping: {'dropped': 0, 'stuck': 0}")


def test_intervals_come_from_the_environment_and_bad_ones_are_named():
    schedule = ScheduleSettings.from_env({"AIGUILLAGE_SWEEP_SECONDS": "5", "AIGUILLAGE_SUMMARY_DAYS": "30"})
    assert (schedule.sweep_seconds, schedule.summary_days, schedule.dispatch_seconds) == (5, 30, 30)
    with pytest.raises(AiguillageError, match="AIGUILLAGE_SWEEP_SECONDS='soon' is not a positive whole number"):
        ScheduleSettings.from_env({"AIGUILLAGE_SWEEP_SECONDS": "soon"})


def test_jobs_are_named_and_timed_from_the_settings(container):
    jobs = scheduler_jobs(container, ScheduleSettings(sweep_seconds=7), "w")
    assert [(job.name, job.seconds) for job in jobs][:2] == [("sweep", 7), ("dispatch", 30)]


def test_the_in_process_scheduler_starts_once_and_sweeps_in_the_background(container, walker):
    _referral_sent(container, walker, "emergency")
    container.clock.advance(timedelta(hours=2))
    schedule = ScheduleSettings(sweep_seconds=1, dispatch_seconds=3600, summary_seconds=3600, housekeeping_seconds=3600)
    try:
        first = start_in_process(container, schedule)
        assert first is not None and start_in_process(container, schedule) is first
        deadline = time.monotonic() + 20
        while _escalations(container) == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _escalations(container) == 1
    finally:
        stop_in_process()


def test_a_job_that_meets_a_busy_database_is_deferred_in_one_line_not_a_traceback(caplog):
    def busy():
        raise Conflict("the database is busy")

    with caplog.at_level(logging.WARNING, logger="engine.scheduler"):
        assert run_job(Job("sweep", 30, busy)) is None
    (record,) = [r for r in caplog.records if r.name == "engine.scheduler"]
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "sweep deferred" in record.getMessage()


def test_first_runs_are_staggered_so_jobs_do_not_queue_for_one_writer():
    jobs = [Job(name, 60, lambda: None) for name in ("sweep", "dispatch", "summary")]
    start = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
    scheduler = build_scheduler(jobs, first_run_at=start)
    times = sorted(job.next_run_time for job in scheduler.get_jobs())
    assert times == [start, start + FIRST_RUN_STAGGER, start + 2 * FIRST_RUN_STAGGER]


def test_the_scheduler_on_a_database_never_initialised_stops_with_one_line_naming_it(tmp_path, clock):
    from engine.bootstrap import Settings, build

    empty = build(Settings(database_url=f"sqlite:///{tmp_path / 'empty.sqlite'}", instance_dir=tmp_path), clock=clock)
    try:
        result = CliRunner().invoke(main, ["scheduler", "--once"], obj=empty)
    finally:
        empty.dispose()
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: the database sqlite:///{tmp_path / 'empty.sqlite'} is not initialised "
                                     "or not up to date: run `aiguillage init`")


def test_the_scheduler_refuses_a_malformed_smtp_url_in_one_line_before_running_any_job(container, monkeypatch):
    import dataclasses

    monkeypatch.setattr(container, "settings", dataclasses.replace(container.settings, smtp_url="smtp//mail.example.org:25"))
    result = CliRunner().invoke(main, ["scheduler", "--once"], obj=container)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: AIGUILLAGE_SMTP_URL must start with smtp://, smtp+starttls:// or smtps:// and name a host (got scheme '')"]


def test_the_scheduler_is_not_stopped_by_a_bad_smtp_url_when_it_does_not_dispatch(container, monkeypatch):
    import dataclasses

    monkeypatch.setattr(container, "settings", dataclasses.replace(container.settings, smtp_url="smtp//mail.example.org:25"))
    result = CliRunner().invoke(main, ["scheduler", "--once", "--only", "housekeeping"], obj=container)
    assert result.exit_code == 0, result.output


def test_the_scheduler_says_which_notification_channels_it_will_use(container, monkeypatch):
    import dataclasses

    from webui.cli.scheduler import _channels_line

    assert _channels_line(container) == "notifications in-app, no email (AIGUILLAGE_SMTP_URL is not set)"
    monkeypatch.setattr(container, "settings", dataclasses.replace(
        container.settings, smtp_url="smtp+starttls://alerts:p%40ss@mail.example.org:587"))
    assert _channels_line(container) == "notifications in-app, email through mail.example.org:587"
