"""`aiguillage pathway ...`: commands about pathway folders (validate; others add theirs here)."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click

from engine.errors import PathwayError
from engine.pathways.census import VALID, Census, verdict
from engine.pathways.folder import BPMN_SUFFIXES, PathwaySource, load_source
from engine.pathways.summary import describe, task_count
from engine.pathways.explore import MAX_RUNS, explore
from engine.pathways.validation import Problem, review, validate
from webui.cli.language import LANG_OPTION, cli_language, in_cli_language

EXIT_VALID, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


@click.group()
def pathway() -> None:
    """Referral pathways: validate, publish, list, export, test."""


@pathway.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--summary", is_flag=True, help="Count, over every .bpmn file and pathway folder found under PATHS, "
              "what is valid, refused for features not run here, and refused for defects.")
@LANG_OPTION
def validate_command(paths: tuple[Path, ...], summary: bool) -> None:
    """Check pathway folders or .bpmn files and list every problem (and warning); exit 1 if any problem."""
    if summary:
        sys.exit(_summarise(paths))
    outcomes = [_validate_one(path) for path in paths]
    if EXIT_USAGE in outcomes:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_INVALID if EXIT_INVALID in outcomes else EXIT_VALID)


def _validate_one(path: Path) -> int:
    shown = click.format_filename(path)
    try:
        source = load_source(path)
        problems = review(source)
        for problem in problems:
            click.echo(_located(shown, not path.is_dir(), problem))
        errors = sum(1 for p in problems if not p.is_warning)
        # On the same stream as the problems, so that the summary follows them when both are piped.
        click.echo(_counted(shown, errors, len(problems) - errors, source))
        return EXIT_INVALID if errors else EXIT_VALID
    except PathwayError as error:
        click.echo(f"{shown}: {error}" if not str(error).startswith(str(path)) else str(error), err=True)
        return EXIT_USAGE
    except Exception as error:  # noqa: BLE001 - last resort: a one-line report instead of a traceback
        click.echo(f"{shown}: internal error, please report: {type(error).__name__}: {str(error)[:200]}", err=True)
        return EXIT_INVALID


def _summarise(paths: tuple[Path, ...]) -> int:
    census = Census()
    for path in paths:
        if not path.exists():
            click.echo(f"{click.format_filename(path)}: no such file or folder", err=True)
            return EXIT_USAGE
        for pathway_path in _pathways_under(path):
            try:
                census.add(verdict(review(load_source(pathway_path))))
            except PathwayError as error:
                click.echo(f"{click.format_filename(pathway_path)}: {error}", err=True)
    for line in census.lines():
        click.echo(line)
    return EXIT_VALID if census.verdicts[VALID] == census.total else EXIT_INVALID


def _pathways_under(path: Path) -> list[Path]:
    """Each pathway folder (it has a pathway.yaml) and each lone .bpmn file under `path`, in name order."""
    if path.is_file() or (path / "pathway.yaml").is_file():
        return [path]
    found: list[Path] = []
    for child in sorted(path.iterdir()):
        if child.is_dir():
            found += _pathways_under(child)
        elif child.name.lower().endswith(BPMN_SUFFIXES):
            found.append(child)
    return found


@pathway.command("explore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--runs", type=click.IntRange(1, 50), default=MAX_RUNS, show_default=True, help="How many cases to drive.")
@LANG_OPTION
def explore_command(path: Path, runs: int) -> None:
    """Drive cases of a valid pathway from start to end; report steps never reached, runs that never end, tasks no one could hold."""
    shown = click.format_filename(path)
    try:
        source = load_source(path)
    except PathwayError as error:
        click.echo(f"{shown}: {error}", err=True)
        sys.exit(EXIT_USAGE)
    errors = validate(source)
    if errors:
        for problem in errors:
            click.echo(_located(shown, not path.is_dir(), problem))
        click.echo(_counted(shown, len(errors), 0, "") + _before_exploring())
        sys.exit(EXIT_INVALID)
    result = explore(source, runs)
    for line in result.lines():
        click.echo(line)
    sys.exit(EXIT_VALID if result.clean else EXIT_INVALID)


def _located(shown: str, lone_file: bool, problem: Problem) -> str:
    # Print the path as typed, so that editors and terminals can jump to the line.
    problem = _worded(problem)
    if lone_file:
        return str(dataclasses.replace(problem, file=shown))
    return f"{shown.rstrip('/')}/{problem}" if problem.file else f"{shown}: {problem}"


def _worded(problem: Problem) -> Problem:
    """The problem in the command's language: in English as the validator words it; otherwise the
    headline of its kind, then its detail from the catalog (as written when the catalog has none)."""
    if cli_language() == "en":
        return problem
    from webui.pathways.problem_texts import headline, worded_detail

    from flask_babel import gettext

    with in_cli_language():
        detail, _ = worded_detail(problem.message)
        label = gettext("warning:") + " " if problem.is_warning else ""
        return dataclasses.replace(problem, message=f"{label}{headline(problem.rule)} : {detail}", severity="error")


def _before_exploring() -> str:
    if cli_language() == "en":
        return "; fix them before exploring"
    from flask_babel import gettext

    with in_cli_language():
        return gettext("; fix them before exploring")


def _counted(shown: str, errors: int, warnings: int, source: PathwaySource) -> str:
    """The line after the problems: valid (with what the pathway holds), or how many problems."""
    if cli_language() == "en":
        noted = f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
        return f"{shown}: {errors} problem{'s' if errors != 1 else ''}{noted}" if errors else f"{shown}: valid ({describe(source)}{noted})"
    from flask_babel import gettext, ngettext

    with in_cli_language():
        noted = ngettext(", %(num)d warning", ", %(num)d warnings", warnings) if warnings else ""
        if errors:
            return f"{shown}: " + ngettext("%(num)d problem", "%(num)d problems", errors) + noted
        languages = (gettext("languages %(languages)s", languages=", ".join(source.languages)) if source.languages
                     else gettext("the diagram's own language"))
        description = ngettext("%(num)d task", "%(num)d tasks", task_count(source)) + ", " + languages
        return f"{shown}: " + gettext("valid (%(description)s%(noted)s)", description=description, noted=noted)
