"""`aiguillage pathway ...`: commands about pathway folders (validate; others add theirs here)."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click

from engine.errors import PathwayError
from engine.pathways.folder import load_source
from engine.pathways.summary import describe
from engine.pathways.validation import Problem, validate

EXIT_VALID, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


@click.group()
def pathway() -> None:
    """Referral pathways: validate, publish, list, export, test."""


@pathway.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate_command(paths: tuple[Path, ...]) -> None:
    """Check pathway folders or .bpmn files and list every problem; exit 1 if any."""
    outcomes = [_validate_one(path) for path in paths]
    if EXIT_USAGE in outcomes:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_INVALID if EXIT_INVALID in outcomes else EXIT_VALID)


def _validate_one(path: Path) -> int:
    shown = click.format_filename(path)
    try:
        source = load_source(path)
        problems = validate(source)
        if not problems:
            click.echo(f"{shown}: valid ({describe(source)})")
            return EXIT_VALID
        for problem in problems:
            click.echo(_located(shown, not path.is_dir(), problem))
        click.echo(f"{shown}: {len(problems)} problem{'s' if len(problems) != 1 else ''}", err=True)
        return EXIT_INVALID
    except PathwayError as error:
        click.echo(f"{shown}: {error}" if not str(error).startswith(str(path)) else str(error), err=True)
        return EXIT_USAGE
    except Exception as error:  # noqa: BLE001 - last resort: a one-line report instead of a traceback
        click.echo(f"{shown}: internal error, please report: {type(error).__name__}: {str(error)[:200]}", err=True)
        return EXIT_INVALID


def _located(shown: str, lone_file: bool, problem: Problem) -> str:
    # Print the path as typed, so that editors and terminals can jump to the line.
    if lone_file:
        return str(dataclasses.replace(problem, file=shown))
    return f"{shown.rstrip('/')}/{problem}" if problem.file else f"{shown}: {problem}"
