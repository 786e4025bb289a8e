"""Every scenario of every shipped pathway (and of the guide's worked example), run through the database services on SQLite and PostgreSQL.

The driver reloads the case from the database before every question it answers, and checks that
the task table and the deadline index agree with the stored workflow at every step.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.bootstrap import Settings, build
from engine.clock import ManualClock
from engine.pathways.folder import load_source
from engine.pathways.scenarios import load_scenarios, run_scenario
from engine.services.pathways.publishing import publish_pathway
from engine.services.pathways.scenario_cases import PersistedCase

PATHWAYS = Path(__file__).resolve().parents[2] / "pathways"
# The worked example of pathways/README.md is a pathway folder of its own, next to this file.
EXAMPLES = Path(__file__).resolve().parent
FOLDERS = sorted((p for root in (PATHWAYS, EXAMPLES) for p in root.iterdir() if (p / "pathway.yaml").is_file()),
                 key=lambda p: p.name)


def _scenario_cases():
    for folder in FOLDERS:
        for scenario in load_scenarios(load_source(folder)):
            yield pytest.param(folder, scenario, id=f"{folder.name}/{scenario.file}")


@pytest.mark.parametrize(("folder", "scenario"), list(_scenario_cases()))
def test_scenario_runs_as_written_on_the_persisted_services(database_url, tmp_path, folder, scenario):
    container = build(Settings(database_url=database_url, instance_dir=tmp_path / "instance"),
                      clock=ManualClock(scenario.start_at))
    try:
        source = load_source(folder)
        publish_pathway(container.uow(), source, container.clock)
        driver = PersistedCase(container, source.id)
        result = run_scenario(source, scenario, driver=driver)
        assert result.passed, "\n".join(map(str, result.failures))
        assert result.steps_run == len(scenario.steps)
    finally:
        container.dispose()
