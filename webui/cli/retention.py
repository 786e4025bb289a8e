"""`aiguillage retention run [--dry-run]` and `aiguillage case hold|unhold`: anonymising closed cases, and the legal holds that stop it."""

from __future__ import annotations

import click

from engine.services.accounts.actors import load_actor
from engine.services.cases.lifecycle import case_id_of
from engine.services.cases.retention import anonymise_due_cases, cases_due, lift_legal_hold, place_legal_hold
from webui.cli.cases import USER_OPTION, case
from webui.cli.container import command_container, one_line_errors


@click.group("retention")
def retention() -> None:
    """Closed cases whose retention period has passed (the scheduler runs it daily)."""


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="List the cases that would be anonymised; change nothing.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000), help="At most this many cases.")
def run_command(dry_run: bool, limit: int) -> None:
    """Anonymise closed cases past their pathway's retention period, unless under a legal hold."""
    container = command_container()
    with one_line_errors():
        if dry_run:
            due = cases_due(container.uow(), container.clock, limit)
            for item in due:
                click.echo(f"{item.reference}  closed {item.closed_at:%Y-%m-%d}")
            click.echo(f"{len(due)} case{'s' if len(due) != 1 else ''} would be anonymised (dry run: nothing changed).")
            return
        done = anonymise_due_cases(container.uow(), container.clock, limit)
    for reference in done:
        click.echo(f"{reference}  anonymised")
    click.echo(f"{len(done)} case{'s' if len(done) != 1 else ''} anonymised.")


@case.command("hold")
@click.argument("reference")
@click.option("--reason", required=True, help="Why the case must be kept (proceedings, investigation...).")
@USER_OPTION
def hold_command(reference: str, reason: str, username: str) -> None:
    """Put a case under a legal hold: it is not anonymised while held (coordinators)."""
    container = command_container()
    with one_line_errors():
        place_legal_hold(container.uow(), container.clock, case_id_of(container.uow(), reference),
                         load_actor(container.uow(), username), reason)
    click.echo(f"Case {reference} is under a legal hold.")


@case.command("unhold")
@click.argument("reference")
@USER_OPTION
def unhold_command(reference: str, username: str) -> None:
    """Lift a case's legal hold: its retention period applies again (coordinators)."""
    container = command_container()
    with one_line_errors():
        lift_legal_hold(container.uow(), container.clock, case_id_of(container.uow(), reference),
                        load_actor(container.uow(), username))
    click.echo(f"Case {reference} is no longer held.")
