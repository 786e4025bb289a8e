"""`aiguillage pathway test PATH...`: run every scenario of each pathway, one line per scenario."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.errors import PathwayError
from engine.pathways.folder import load_source
from engine.pathways.scenarios import load_scenarios, run_scenario
from webui.cli.pathway import pathway

EXIT_PASSED, EXIT_FAILED = 0, 1


@pathway.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def test_command(paths: tuple[Path, ...]) -> None:
    """Run the scenarios of pathway folders; exit 1 if any fails or a pathway has none."""
    outcomes = [_test_one(path) for path in paths]
    sys.exit(EXIT_FAILED if EXIT_FAILED in outcomes else EXIT_PASSED)


def _test_one(path: Path) -> int:
    shown = click.format_filename(path).rstrip("/")
    try:
        source = load_source(path)
        scenarios = load_scenarios(source)
    except PathwayError as error:
        click.echo(f"{shown}: {error}", err=True)
        return EXIT_FAILED
    if not scenarios:
        click.echo(f"{shown}: no scenarios (add scenarios/*.yaml)", err=True)
        return EXIT_FAILED
    failed = 0
    for scenario in scenarios:
        try:
            result = run_scenario(source, scenario)
        except Exception as error:  # noqa: BLE001 - one line per scenario, never a traceback
            click.echo(f"FAIL {shown}/{scenario.file}: {scenario.name}: internal error: {type(error).__name__}: {error}")
            failed += 1
            continue
        if result.passed:
            click.echo(f"PASS {shown}/{scenario.file}: {scenario.name}")
        else:
            failed += 1
            click.echo(f"FAIL {shown}/{scenario.file}: {scenario.name}: {'; '.join(map(str, result.failures))}")
    click.echo(f"{shown}: {len(scenarios) - failed} passed, {failed} failed", err=True)
    return EXIT_FAILED if failed else EXIT_PASSED
