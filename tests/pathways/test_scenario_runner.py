"""The scenario runner reports where a walk goes wrong, and refuses malformed scenario files clearly."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.pathways.folder import load_source
from engine.pathways.scenarios import ScenarioError, parse_scenario, run_scenario
from webui.cli import main

CAMEROON = Path(__file__).resolve().parents[2] / "pathways" / "cameroon-nrm"

OPENING = """
name: test
start_at: "2026-03-02T08:00:00+01:00"
steps:
  - complete: Task_Identification
    data: {identification_date: "2026-03-02", identification_source: airport, region: littoral, sex: female, return_modality: forced,
           risk_level: low, priority: emergency}
  - complete: Task_NeedsAssessment
    data: {assessment_date: "2026-03-02", need_health: true, health_urgency: emergency, need_mhpss: false, need_shelter: true,
           shelter_urgency: urgent, need_food_nfi: false, need_legal_documentation: false,
           need_family_tracing: false, need_child_protection: false, need_education_training: false,
           need_economic_reintegration: false, need_cash: false}
  - complete: Task_Consent
    data: {consent_given: true, consent_method: verbal_witnessed}
"""


@pytest.fixture(scope="module")
def cameroon():
    return load_source(CAMEROON)


def _run(cameroon, more_steps: str):
    scenario = parse_scenario("scenarios/test.yaml", (OPENING + more_steps).encode())
    return run_scenario(cameroon, scenario)


def test_a_wrong_expectation_fails_at_its_step_saying_what_differed(cameroon):
    result = _run(cameroon, "  - expect:\n      ready: [Task_Consent]\n")
    assert not result.passed
    failure = result.failures[0]
    assert failure.step == 4
    assert "missing Task_Consent" in failure.message
    assert "unexpected Task_SendReferral, Task_SendReferral" in failure.message


def test_a_wrong_deadline_is_reported_with_the_real_due_time(cameroon):
    steps = """  - complete: Task_SendReferral
    where: {need: {sector: health}}
    data: {provider_id: p1}
  - expect:
      deadlines:
        - {timer: Timer_AckReminder, due: "2026-03-02T11:00:00+01:00"}
"""
    result = _run(cameroon, steps)
    messages = " ".join(f.message for f in result.failures)
    assert "Timer_AckReminder due 2026-03-02T10:00:00+00:00 not found (2026-03-02T09:00:00+00:00)" in messages
    assert "unexpected deadline Timer_AckAlert" in messages


def test_completing_one_of_several_parallel_tasks_needs_where(cameroon):
    result = _run(cameroon, "  - complete: Task_SendReferral\n    data: {provider_id: p1}\n")
    assert result.failures[0].message == "2 ready Task_SendReferral tasks match; add where: to pick one"


def test_completing_a_task_that_is_not_ready_lists_what_is_ready(cameroon):
    result = _run(cameroon, "  - complete: Task_FollowUp\n")
    assert result.failures[0].message == "Task_FollowUp is not ready (ready: Task_SendReferral, Task_SendReferral)"


def test_the_candidate_group_is_checked(cameroon):
    steps = "  - complete: Task_SendReferral\n    where: {need: {sector: shelter}}\n    as: supervisor\n"
    result = _run(cameroon, steps)
    assert result.failures[0].message == "Task_SendReferral is for caseworker, not supervisor"


def test_data_outside_the_form_is_refused(cameroon):
    steps = "  - complete: Task_SendReferral\n    where: {need: {sector: shelter}}\n    data: {provider: p1}\n"
    result = _run(cameroon, steps)
    assert [f.message for f in result.failures] == ["provider: not a field of this form", "provider_id: required"]


def test_data_is_checked_against_the_form_like_a_submission(cameroon):
    text = OPENING.replace("priority: emergency", "priority: immediate")
    result = run_scenario(cameroon, parse_scenario("scenarios/test.yaml", text.encode()))
    assert result.failures[0].step == 1
    assert result.failures[0].message.startswith("priority: ")


def test_a_signal_nothing_waits_for_fails_the_step(cameroon):
    scenario = parse_scenario("scenarios/s.yaml", b'name: s\nstart_at: "2026-03-02T08:00:00+01:00"\nsteps:\n  - signal: consent_withdrawn\n')
    result = run_scenario(cameroon, scenario)
    assert result.failures[0].message == 'nothing in this case is waiting for the signal "consent_withdrawn" now'


def test_moving_the_clock_backwards_fails_the_step(cameroon):
    steps = '  - advance_to: "2026-03-01T08:00:00+01:00"\n'
    result = _run(cameroon, steps)
    assert "is before the case's current time" in result.failures[0].message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a list", "scenarios/bad.yaml: a scenario is a mapping with name, start_at and steps"),
        ("name: x\nstart_at: '2026-03-02T08:00:00'\nsteps: [{expect: {completed: false}}]",
         "scenarios/bad.yaml: start_at: '2026-03-02T08:00:00' needs a UTC offset, such as +01:00"),
        ("name: x\nstart_at: '2026-03-02T08:00:00Z'\nsteps: []",
         "scenarios/bad.yaml: steps is missing or empty; list the actions of the scenario"),
        ("name: x\nstart_at: '2026-03-02T08:00:00Z'\nsteps: [{advance: PT2H}, {advance: 3 hours}]",
         "scenarios/bad.yaml: step 2: advance: '3 hours' is not an ISO 8601 duration such as PT3H or P2D"),
        ("name: x\nstart_at: '2026-03-02T08:00:00Z'\nsteps: [{complete: T, advance: PT1H}]",
         "scenarios/bad.yaml: step 1: a step has exactly one action among complete, advance, advance_to, signal, expect (found: complete, advance)"),
        ("name: x\nstart_at: '2026-03-02T08:00:00Z'\nsteps: [{expect: {ready: [A]}, where: {a: 1}}]",
         "scenarios/bad.yaml: step 1: where cannot go with expect (allowed: nothing)"),
        ("name: x\nstart_at: '2026-03-02T08:00:00Z'\nsteps: [{expect: {tasks: [A]}}]",
         "scenarios/bad.yaml: step 1: expect cannot check tasks (it checks completed, data, deadlines, not_ready, ready, ready_includes)"),
        ("name: x\nstart_at: '2026-03-02T08:00:00Z'\nsteps: [{expect: {deadlines: [{timer: T}]}}]",
         "scenarios/bad.yaml: step 1: expect deadlines: each deadline is {timer: Timer_Id, due: <ISO date-time>}"),
    ],
)
def test_a_malformed_scenario_is_refused_naming_file_and_step(text, message):
    with pytest.raises(ScenarioError) as caught:
        parse_scenario("scenarios/bad.yaml", text.encode())
    assert str(caught.value).startswith(message)


def test_a_scenario_that_is_not_yaml_is_refused_with_its_line():
    with pytest.raises(ScenarioError) as caught:
        parse_scenario("scenarios/bad.yaml", b"name: x\nsteps: [unclosed")
    assert re.match(r"scenarios/bad\.yaml \(line \d\): the file is not valid YAML", str(caught.value))


def test_the_test_command_prints_one_line_per_scenario_and_exits_0():
    outcome = CliRunner().invoke(main, ["pathway", "test", str(CAMEROON)])
    assert outcome.exit_code == 0, outcome.output
    lines = [line for line in outcome.stdout.splitlines() if line.startswith(("PASS", "FAIL"))]
    assert len(lines) >= 6 and all(line.startswith("PASS") for line in lines)


def test_the_test_command_exits_1_and_says_why_when_a_scenario_fails(tmp_path):
    folder = tmp_path / "cameroon-nrm"
    shutil.copytree(CAMEROON, folder)
    happy = folder / "scenarios" / "01-happy-path.yaml"
    happy.write_text(happy.read_text(encoding="utf-8").replace("closure_reason: needs_met\n        closure_approved",
                                                                 "closure_reason: deceased\n        closure_approved"),
                     encoding="utf-8")
    outcome = CliRunner().invoke(main, ["pathway", "test", str(folder)])
    assert outcome.exit_code == 1
    assert "FAIL" in outcome.stdout and "case data: closure_reason is 'needs_met', expected 'deceased'" in outcome.stdout


def test_the_test_command_exits_1_for_a_folder_without_scenarios(tmp_path):
    folder = tmp_path / "cameroon-nrm"
    shutil.copytree(CAMEROON, folder, ignore=shutil.ignore_patterns("scenarios"))
    outcome = CliRunner().invoke(main, ["pathway", "test", str(folder)])
    assert outcome.exit_code == 1
    assert "no scenarios" in outcome.output
