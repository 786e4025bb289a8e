"""`aiguillage pathway explore`: drive cases to an end, taking each branch, and say what never happens."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from engine.pathways.explore import explore
from engine.pathways.folder import load_source
from pathway_fixtures import FIXTURES, mini_folder  # noqa: F401 - pytest fixture
from webui.cli import main

EXPLORED = FIXTURES / "camunda" / "explore-branches.bpmn"


def test_every_option_of_a_form_is_given_so_each_branch_is_taken_and_waits_are_reported():
    result = explore(load_source(EXPLORED), runs=4)
    assert [run.outcome for run in result.runs] == ["ended", "stuck", "ended", "stuck"]
    assert "waits at Catch_Callback 'Callback received' for a message or signal" in result.runs[1].detail
    assert {"Task_Legal", "EndEvent_Accepted", "Catch_Callback"} <= set().union(*(run.reached for run in result.runs))
    assert result.unreached == [("Task_Callback", "Call back"), ("EndEvent_Refused", "Refused")]
    assert [task for task, _ in result.unheld] == ["Task_Legal"] and not result.clean


def test_timers_are_waited_for_so_escalations_are_reached(mini_folder: Path):
    result = explore(load_source(mini_folder), runs=4)
    assert result.clean, result.lines()
    reached_by_patient_runs = result.runs[2].reached | result.runs[3].reached
    assert "Task_Escalate" in reached_by_patient_runs
    assert "Task_Escalate" not in result.runs[0].reached | result.runs[1].reached


def test_explore_command_prints_the_report_and_exits_1_when_something_never_happens(mini_folder: Path):
    runner = CliRunner()
    clean = runner.invoke(main, ["pathway", "explore", str(mini_folder), "--runs", "4"])
    assert clean.exit_code == 0 and "4 runs: 4 reached an end" in clean.output and "every step was reached" in clean.output
    found = runner.invoke(main, ["pathway", "explore", str(EXPLORED), "--runs", "4"])
    assert found.exit_code == 1 and "2 steps no run reached:" in found.output and "no one could hold Task_Legal: candidate group 'legal_team' is no role" in found.output


def test_explore_refuses_an_invalid_pathway_with_its_problems(tmp_path: Path):
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<oops/>", encoding="utf-8")
    result = CliRunner().invoke(main, ["pathway", "explore", str(broken)])
    assert result.exit_code == 1 and "fix them before exploring" in result.output
