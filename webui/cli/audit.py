"""`aiguillage audit seal|verify`: chain the audit log's new rows; check that no sealed row was changed or removed."""

from __future__ import annotations

import click

from engine.services.audit.chain import seal_audit_log, verify_audit_chain
from webui.cli.container import command_container, one_line_errors


@click.group("audit")
def audit() -> None:
    """The audit log's tamper evidence (a hash chain)."""


@audit.command("seal")
def seal_command() -> None:
    """Chain every audit row not sealed yet (the scheduler does it every minute)."""
    container = command_container()
    total = 0
    with one_line_errors():
        while sealed := seal_audit_log(container.uow(), container.clock):
            total += sealed
    click.echo(f"Sealed {total} audit row{'s' if total != 1 else ''}.")


@audit.command("verify")
def verify_command() -> None:
    """Recompute the chain; report the first broken link (exit 1) or that it is intact."""
    container = command_container()
    with one_line_errors():
        report = verify_audit_chain(container.uow())
    if not report.intact:
        click.echo(f"BROKEN: {report.problem}.", err=True)
        click.echo(f"Links checked before it: {report.checked}.", err=True)
        raise SystemExit(1)
    click.echo(f"Audit chain intact: {report.checked} link{'s' if report.checked != 1 else ''}, head {report.head_hash}.")
    if report.unsealed:
        click.echo(f"{report.unsealed} newer row{'s are' if report.unsealed != 1 else ' is'} not sealed yet "
                   "(the scheduler seals them every minute; or run `aiguillage audit seal`).")
