"""`aiguillage pathway publish|list|export`: published, immutable pathway versions."""

from __future__ import annotations

from pathlib import Path

import click

from engine.errors import PathwayInvalid
from engine.pathways.folder import load_source
from engine.services.accounts.actors import load_actor
from engine.services.pathways.migration import migrate_cases
from engine.services.pathways.publishing import export_version, list_pathways, publish_pathway
from webui.cli.container import command_container, one_line_errors


@click.command("publish")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--notes", help="What changed in this version, for the list of versions.")
def publish(path: Path, notes: str | None) -> None:
    """Validate a pathway folder and store it as a new immutable version."""
    container = command_container()
    with one_line_errors():
        source = load_source(path)
        try:
            result = publish_pathway(container.uow(), source, container.clock, notes=notes)
        except PathwayInvalid as refused:
            for problem in refused.problems:
                click.echo(f"{click.format_filename(path).rstrip('/')}/{problem}", err=True)
            raise
    for problem in result.warnings:
        click.echo(f"{click.format_filename(path).rstrip('/')}/{problem}")
    if result.created:
        click.echo(f"Published {result.pathway_id} version {result.version} ({result.content_hash[:12]}).")
    else:
        click.echo(
            f"{result.pathway_id}: unchanged, identical to version {result.version} "
            f"({result.content_hash[:12]}); nothing published."
        )


@click.command("list")
def list_command() -> None:
    """Show every published version: pathway, version, date, hash, files."""
    container = command_container()
    with one_line_errors():
        versions = list_pathways(container.uow())
    if not versions:
        click.echo("No pathway published yet (aiguillage pathway publish PATH).")
        return
    click.echo(f"{'PATHWAY':<24} {'VERSION':>7}  {'PUBLISHED (UTC)':<16}  {'HASH':<12}  {'FILES':>5}  BY")
    for v in versions:
        click.echo(
            f"{v.pathway_id:<24} {v.version:>7}  {v.published_at:%Y-%m-%d %H:%M}  "
            f"{v.content_hash[:12]:<12}  {v.file_count:>5}  {v.published_by or '-'}"
        )


@click.command("export")
@click.argument("pathway_id")
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--version", type=click.IntRange(min=1), help="Version number (default: the latest).")
def export(pathway_id: str, dest: Path, version: int | None) -> None:
    """Write a published version's files, byte for byte, into an empty folder DEST."""
    container = command_container()
    with one_line_errors():
        exported = export_version(container.uow(), pathway_id, version, dest)
    click.echo(f"Exported {exported.pathway_id} version {exported.version} ({len(exported.files)} files) to {dest}.")


@click.command("migrate")
@click.argument("pathway_id")
@click.option("--to-version", type=click.IntRange(min=1), help="Version to move cases to (default: the latest).")
@click.option("--user", "username", required=True, help="The SOP author moving the cases (recorded in the audit log).")
@click.option("--dry-run", is_flag=True, help="Only say, case by case, whether it can move and why not.")
def migrate(pathway_id: str, to_version: int | None, username: str, dry_run: bool) -> None:
    """Move running cases of PATHWAY_ID to a newer version; refused case by case when a changed step already ran."""
    container = command_container()
    with one_line_errors():
        actor = load_actor(container.uow(), username)
        report = migrate_cases(container.uow(), container.clock, actor, pathway_id, to_version, dry_run=dry_run)
    for case in report.cases:
        verdict = "moved" if case.moved else ("can move" if case.movable else "stays")
        click.echo(f"{case.reference}  v{case.from_version} -> v{report.to_version}  {verdict}"
                   + (f": {'; '.join(case.reasons)}" if case.reasons else ""))
    done = f"{report.movable} can move" if dry_run else f"{report.moved} moved"
    click.echo(f"{pathway_id} v{report.to_version}: {len(report.cases)} running case(s) on older versions, {done}, "
               f"{len(report.cases) - report.movable} stay.")


COMMANDS = (publish, list_command, export, migrate)
