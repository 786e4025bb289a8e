"""`aiguillage directory list|import|export|validate`: the service directory as HSDS 3.0 files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.domain import Sector
from engine.services.directory.exchange import ImportReport, export_files, import_directory
from engine.services.directory.listing import DirectoryFilter, search_services
from webui.cli.container import command_container, one_line_errors


@click.group("directory")
def directory() -> None:
    """The service directory: who offers what, where (HSDS 3.0 in and out)."""


@directory.command("list")
@click.option("--sector", help="Only this sector (health, shelter...).")
@click.option("--region", help="Only services given in this region.")
@click.option("--language", help="Only services in this language.")
@click.option("--target-group", help="Only services for this target group.")
@click.option("--search", "text", help="Words in the service or organisation name.")
def list_command(sector, region, language, target_group, text) -> None:
    """List the active services, by organisation."""
    container = command_container()
    with one_line_errors():
        entries = search_services(container.uow(), DirectoryFilter(text=text, sector=sector, region=region,
                                                                   language=language, target_group=target_group))
    if not entries:
        click.echo("No service matches.")
    for entry in entries:
        free = "?" if entry.capacity_available is None else str(entry.capacity_available)
        signed = "" if entry.agreements_signed else "  (agreements not signed)"
        click.echo(f"{entry.hsds_id}  {entry.organisation_slug}  {entry.sector}  {entry.name}  "
                   f"regions: {', '.join(entry.regions) or '-'}  languages: {', '.join(entry.languages) or '-'}  free: {free}{signed}")


def _sector_terms(_context, _param, values: tuple[str, ...]) -> dict[str, str]:
    terms = {}
    for value in values:
        term, _, sector = value.rpartition("=")
        if not term or sector not in {s.value for s in Sector}:
            raise click.BadParameter(f"{value!r}: give TERM=SECTOR, the sector one of {', '.join(s.value for s in Sector)}")
        terms[term] = sector
    return terms


sector_term_option = click.option(
    "--sector-term", "sector_terms", multiple=True, callback=_sector_terms, metavar="TERM=SECTOR",
    help="A taxonomy term of the file (its id, code, taxonomy:code or name) that means a sector, for services "
         "with no aiguillage:sector attribute; repeat for each term.")


@directory.command("validate")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--sector", "default_sector", type=click.Choice([s.value for s in Sector]),
              help="The sector of services that carry no aiguillage:sector attribute.")
@sector_term_option
def validate_command(source: Path, default_sector: str | None, sector_terms: dict[str, str]) -> None:
    """Check an HSDS file or folder without importing it: every problem, located."""
    container = command_container()
    report = import_directory(container.uow(), container.clock, source, dry_run=True, default_sector=default_sector,
                              sector_terms=sector_terms)
    _echo_report(report)
    if report.problems:
        sys.exit(1)


@directory.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@click.option("--sector", "default_sector", type=click.Choice([s.value for s in Sector]),
              help="The sector of services that carry no aiguillage:sector attribute and no mapped term "
                   "(a file from outside the mechanism).")
@sector_term_option
def import_command(source: Path, dry_run: bool, default_sector: str | None, sector_terms: dict[str, str]) -> None:
    """Import (upsert by id) an HSDS 3.0 JSON file, data package or folder of CSV tables."""
    container = command_container()
    with click.progressbar(length=1, label="Importing services", file=sys.stderr) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        report = import_directory(container.uow(), container.clock, source, dry_run=dry_run, progress=progress,
                                  default_sector=default_sector, sector_terms=sector_terms)
    _echo_report(report)
    if report.problems:
        sys.exit(1)


@directory.command("export")
@click.argument("target", type=click.Path(path_type=Path))
@click.option("--format", "form", type=click.Choice(["json", "csv"]), default="json", show_default=True,
              help="json: one HSDS document; csv: a folder of tables with datapackage.json.")
def export_command(target: Path, form: str) -> None:
    """Export the whole directory as HSDS 3.0."""
    container = command_container()
    with one_line_errors():
        written = export_files(container.uow(), target, form)
    click.echo(f"Wrote {len(written)} file(s) to {target}.")


def _echo_report(report: ImportReport) -> None:
    if report.problems:
        click.echo(f"{report.source}: refused, nothing written ({len(report.problems)} problem(s)):")
        for problem in report.problems:
            click.echo(f"  {problem}")
        return
    create, update = ("would create", "would update") if report.dry_run else ("created", "updated")
    click.echo(f"{report.source}: {create} {len(report.organisations_created)} organisation(s) and "
               f"{len(report.services_created)} service(s), {update} {len(report.organisations_updated)} organisation(s) "
               f"and {len(report.services_updated)} service(s); {report.services_unchanged} service(s) unchanged.")
    for slug in report.organisations_created[:50]:
        click.echo(f"  + organisation {slug}")
    for slug, changed in list(report.organisations_updated.items())[:50]:
        click.echo(f"  ~ organisation {slug}: {', '.join(changed)}")
    for sid in report.services_created[:50]:
        click.echo(f"  + service {sid}")
    for sid, changed in list(report.services_updated.items())[:50]:
        click.echo(f"  ~ service {sid}: {', '.join(changed)}")
    if report.dropped:
        click.echo(f"Dropped (no place in the directory; not exported again): {len(report.dropped)}")
        for line in report.dropped[:100]:
            click.echo(f"  - {line}")
    if report.organisations_created and not report.dry_run:
        # A new provider receives referrals only through its focal points, whom nobody has made yet.
        click.echo(f"Next: give each new provider its focal points, e.g. `aiguillage user create NAME --org "
                   f"{report.organisations_created[0]} --role provider_focal_point --email ... --password-stdin`.")

