"""Running a pathway's scenarios for its author: every scenario, one outcome each, never an exception.

A published version never changes, so its results are kept per content hash for the life of the
process: the version page shows the last run without running them again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from engine.clock import Clock
from engine.errors import PathwayError
from engine.pathways.folder import PathwaySource
from engine.pathways.scenarios import load_scenarios, run_scenario


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


def _outcome(source: PathwaySource, scenario) -> ScenarioOutcome:
    try:
        result = run_scenario(source, scenario)
        failures = tuple(str(failure) for failure in result.failures)
    except Exception as error:  # noqa: BLE001 - an author's scenario must give a line, never a 500
        failures = (f"internal error: {type(error).__name__}: {error}",)
    return ScenarioOutcome(scenario.file, scenario.name, scenario.description, not failures, failures)
