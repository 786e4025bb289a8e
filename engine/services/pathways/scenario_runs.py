"""Running a pathway's scenarios for its author: every scenario, one outcome each, never an exception.

A published version's last run is stored (one row per scenario, with when and who ran it): the
version page shows it to every SOP author, after a restart too. A draft changes with each edit, so
its last run is kept in memory per content hash, for the draft page only.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from engine.access import Actor
from engine.clock import Clock
from engine.errors import PathwayError
from engine.pathways.folder import PathwaySource
from engine.pathways.scenarios import load_scenarios, run_scenario
from engine.services.pathways.publishing import get_version
from engine.services.pathways.uploads import check_author, source_of_files
from engine.store.models import PathwayScenarioResultRow, User
from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing


@dataclass(frozen=True)
class ScenarioOutcome:
    """One scenario's result: passed, or the failing step's differences."""

    file: str
    name: str
    description: str
    passed: bool
    failures: tuple[str, ...]


@dataclass(frozen=True)
class ScenarioRun:
    """Every scenario of one pathway, run at `ran_at`; `error` when the scenarios could not be read."""

    ran_at: datetime
    outcomes: tuple[ScenarioOutcome, ...]
    error: str | None = None
    ran_by: str | None = None  # the display name of whoever ran them, when they were stored

    @property
    def passed(self) -> int:
        """How many scenarios passed."""
        return sum(1 for outcome in self.outcomes if outcome.passed)


_last_runs: dict[str, ScenarioRun] = {}
_lock = threading.Lock()


def run_pathway_scenarios(source: PathwaySource, clock: Clock) -> ScenarioRun:
    """Run every scenario of `source` in memory (as `aiguillage pathway test` does) and remember the run."""
    try:
        scenarios = load_scenarios(source)
    except PathwayError as error:
        run = ScenarioRun(clock.now(), (), str(error))
    else:
        run = ScenarioRun(clock.now(), tuple(_outcome(source, scenario) for scenario in scenarios))
    with _lock:
        _last_runs[source.content_hash] = run
    return run


def last_run(content_hash: str) -> ScenarioRun | None:
    """The last run of the pathway with these files in this process, if any."""
    return _last_runs.get(content_hash)


def run_version_scenarios(uow: UnitOfWork, clock: Clock, pathway_id: str, version: int, actor: Actor) -> ScenarioRun:
    """Run a published version's scenarios and keep the run in place of the previous one."""
    check_author(actor)
    published = get_version(uow, pathway_id, version)
    run = run_pathway_scenarios(source_of_files(published.files), clock)
    rows = [PathwayScenarioResultRow(version_id=published.id, file=o.file, name=o.name[:255], passed=o.passed,
                                     failures=list(o.failures), ran_at=run.ran_at, ran_by_id=actor.id)
            for o in run.outcomes]
    if run.error is not None:
        rows.append(PathwayScenarioResultRow(version_id=published.id, file="", name="", passed=False,
                                             failures=[run.error], ran_at=run.ran_at, ran_by_id=actor.id))
    with uow:
        lock_for_writing(uow)
        uow.session.execute(delete(PathwayScenarioResultRow).where(PathwayScenarioResultRow.version_id == published.id))
        uow.session.add_all(rows)
        uow.commit()
    return ScenarioRun(run.ran_at, run.outcomes, run.error, _display_name(uow, actor.id))


def version_last_run(uow: UnitOfWork, version_id: int) -> ScenarioRun | None:
    """The stored last run of a published version's scenarios, or None when they were never run."""
    statement = (select(PathwayScenarioResultRow, User.display_name)
                 .outerjoin(User, User.id == PathwayScenarioResultRow.ran_by_id)
                 .where(PathwayScenarioResultRow.version_id == version_id)
                 .order_by(PathwayScenarioResultRow.file))
    with uow:
        found = uow.session.execute(statement).all()
    if not found:
        return None
    outcomes = tuple(ScenarioOutcome(row.file, row.name, "", row.passed, tuple(row.failures))
                     for row, _ in found if row.file)
    error = next((row.failures[0] for row, _ in found if not row.file and row.failures), None)
    row, ran_by = max(found, key=lambda item: item[0].ran_at)
    return ScenarioRun(row.ran_at, outcomes, error, ran_by)


def _display_name(uow: UnitOfWork, user_id: int) -> str | None:
    """The display name of a user, as the pages show who did something."""
    with uow:
        return uow.session.scalar(select(User.display_name).where(User.id == user_id))


def _outcome(source: PathwaySource, scenario) -> ScenarioOutcome:
    try:
        result = run_scenario(source, scenario)
        failures = tuple(str(failure) for failure in result.failures)
    except Exception as error:  # noqa: BLE001 - an author's scenario must give a line, never a 500
        failures = (f"internal error: {type(error).__name__}: {error}",)
    return ScenarioOutcome(scenario.file, scenario.name, scenario.description, not failures, failures)
