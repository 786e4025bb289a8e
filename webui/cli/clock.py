"""`aiguillage clock show|forward`: the installation's time; a trainer moves a training installation's clock forward."""

from __future__ import annotations

from datetime import timedelta

import click

from engine.clock import SystemClock
from engine.services.installation.training_clock import LONGEST_MOVE, move_clock_forward, read_installation_time
from webui.cli.container import command_container, one_line_errors


@click.group("clock")
def clock() -> None:
    """The installation's time: show it; move a training installation's clock forward."""


@clock.command("show")
def show_command() -> None:
    """Show the real time, how far a training installation's clock is ahead, and the time it runs on."""
    container = command_container()
    with one_line_errors():
        time = read_installation_time(container.uow(), SystemClock())
    click.echo(f"Real time:      {time.real_at:%Y-%m-%d %H:%M}Z")
    if not time.training:
        click.echo("Offset:         none (not a training installation: it runs on the real time)")
        return
    click.echo(f"Offset:         {describe(time.offset)} (training installation)")
    click.echo(f"Training time:  {time.installation_at:%Y-%m-%d %H:%M}Z")


@clock.command("forward")
@click.option("--days", default=0, show_default=True, type=click.IntRange(0, LONGEST_MOVE.days), help="Days to move forward.")
@click.option("--hours", default=0, show_default=True, type=click.IntRange(0, 24 * LONGEST_MOVE.days), help="Hours to move forward.")
def forward_command(days: int, hours: int) -> None:
    """Move a training installation's clock forward (it never goes back); refused on any other installation."""
    if not days and not hours:
        raise click.UsageError("say how far: --days N and/or --hours N")
    by = timedelta(days=days, hours=hours)
    container = command_container()
    with one_line_errors():
        time = move_clock_forward(container.uow(), SystemClock(), by)
    click.echo(f"Clock moved forward by {describe(by)}: training time is {time.installation_at:%Y-%m-%d %H:%M}Z"
               f" ({describe(time.offset)} ahead of the real time).")
    click.echo("Timers and deadlines now due fire on the scheduler's next sweep, "
               "or at once with: aiguillage case advance REFERENCE --user USER")


def describe(offset: timedelta) -> str:
    """`31 days`, `1 day 6 hours`, `5 hours`, `0 days`; minutes are not shown (the clock moves by hours)."""
    days, hours = offset.days, offset.seconds // 3600
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days or not hours else []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    return " ".join(parts)
