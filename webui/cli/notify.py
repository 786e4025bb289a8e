"""`aiguillage notify`: one pass of the notification dispatcher (also run by the scheduler)."""

from __future__ import annotations

import click

from notifications.dispatcher import dispatch_pending
from notifications.sending import Channels
from notifications.settings import NotificationSettings
from webui.cli.container import command_container, one_line_errors


@click.command("notify")
@click.option("--batch-size", default=100, show_default=True, type=click.IntRange(1, 10_000), help="Deliveries per claim.")
def notify(batch_size: int) -> None:
    """Send the pending notifications (email, in-app, webhook) once, then exit."""
    container = command_container()
    with one_line_errors():
        settings = NotificationSettings.from_settings(container.settings)
        report = dispatch_pending(container.uow, Channels.from_settings(settings), container.clock, batch_size=batch_size)
    click.echo(str(report))
    for problem in report.problems:
        click.echo(f"problem: {problem}", err=True)
    if not settings.smtp_url:
        click.echo("note: AIGUILLAGE_SMTP_URL is not set, so no email was sent (in-app notifications were).", err=True)
