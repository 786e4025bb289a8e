"""`aiguillage notify`: one pass of the notification dispatcher (also run by the scheduler)."""

from __future__ import annotations

import click

from notifications.dead_letters import dead_letters, retry_dead_letter
from notifications.dispatcher import dispatch_pending
from notifications.sending import Channels
from notifications.settings import NotificationSettings
from webui.cli.container import command_container, one_line_errors


@click.command("notify")
@click.option("--batch-size", default=100, show_default=True, type=click.IntRange(1, 10_000), help="Deliveries per claim.")
@click.option("--dead-letters", "show_dead", is_flag=True, help="List dead-lettered deliveries instead of sending.")
@click.option("--retry", "retry_ids", multiple=True, type=int, metavar="DELIVERY_ID",
              help="Give a dead-lettered delivery one more attempt in this pass; repeat for several.")
def notify(batch_size: int, show_dead: bool, retry_ids: tuple[int, ...]) -> None:
    """Send the pending notifications (email, in-app, webhook) once, then exit."""
    container = command_container()
    with one_line_errors():
        if show_dead:
            for letter in dead_letters(container.uow):
                click.echo(
                    f"{letter.delivery_id}\t{letter.event}\t{letter.case_reference or '-'}\t{letter.channel.value}"
                    f"\tuser {letter.recipient_user_id}\t{letter.attempts} attempts\t{letter.last_error}"
                )
            return
        for delivery_id in retry_ids:
            retry_dead_letter(container.uow, delivery_id, container.clock)
        settings = NotificationSettings.from_settings(container.settings)
        report = dispatch_pending(container.uow, Channels.from_settings(settings), container.clock, batch_size=batch_size)
    click.echo(str(report))
    for problem in report.problems:
        click.echo(f"problem: {problem}", err=True)
    if not settings.smtp_url:
        click.echo("note: AIGUILLAGE_SMTP_URL is not set, so no email was sent (in-app notifications were).", err=True)
