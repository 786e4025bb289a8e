"""`aiguillage scheduler`: the deadline sweep, notification dispatch, summary and housekeeping, periodically."""

from __future__ import annotations

import logging
import signal

import click

from engine.scheduler import JOB_NAMES, ScheduleSettings, build_scheduler, run_job, scheduler_jobs
from webui.cli.container import command_container, one_line_errors, require_current_schema


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Run each job once, print what it did, and exit (for cron or a check).")
@click.option("--only", "only", multiple=True, type=click.Choice(JOB_NAMES),
              help="Run only these jobs (repeat the option); all of them by default.")
@click.option("--worker-id", default=None, help="This process's name in deadline leases (default: host:pid).")
def scheduler(once: bool, only: tuple[str, ...], worker_id: str | None) -> None:
    """Run the periodic jobs; intervals come from AIGUILLAGE_SWEEP_SECONDS, AIGUILLAGE_DISPATCH_SECONDS,
    AIGUILLAGE_SUMMARY_SECONDS, AIGUILLAGE_REPORT_SECONDS, AIGUILLAGE_HOUSEKEEPING_SECONDS,
    AIGUILLAGE_AUDIT_SEAL_SECONDS and AIGUILLAGE_RETENTION_SECONDS. Stop it with SIGTERM or Ctrl-C."""
    container = command_container()
    require_current_schema(container)
    with one_line_errors():
        schedule = ScheduleSettings.from_settings(container.settings)
        jobs = scheduler_jobs(container, schedule, worker_id, only or JOB_NAMES)
        # The dispatch job builds its channels at each pass: a mistyped AIGUILLAGE_SMTP_URL or a webhook
        # without its secret would otherwise fail every pass in the log while the scheduler looks healthy.
        channels = _channels_line(container) if any(job.name == "dispatch" for job in jobs) else None
        if once:
            for job in jobs:
                click.echo(f"{job.name}: {run_job(job)}")
            return
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        # Each job already logs one line of what it did; APScheduler's own "Running job" and
        # "executed successfully" lines would triple the log. Its warnings (a missed run) still show.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    click.echo("scheduler: " + ", ".join(f"{job.name} every {job.seconds} s" for job in jobs))
    if channels:
        click.echo(f"scheduler: {channels}")
    blocking = build_scheduler(jobs, blocking=True)
    # SIGTERM (a service manager stopping us) ends the running job, then the process.
    signal.signal(signal.SIGTERM, lambda *_: blocking.shutdown(wait=False))
    try:
        blocking.start()
    except (KeyboardInterrupt, SystemExit):
        pass


def _channels_line(container) -> str:
    """The notification channels the dispatch job will use, in words; raises on a malformed setting."""
    from notifications.sending import Channels
    from notifications.settings import NotificationSettings

    channels = Channels.from_settings(NotificationSettings.from_settings(container.settings))
    email = (f"email through {channels.email.host}:{channels.email.port}" if channels.email is not None
             else "no email (AIGUILLAGE_SMTP_URL is not set)")
    webhook = ", webhook" if channels.webhook is not None else ""
    return f"notifications in-app, {email}{webhook}"
