"""Every expression in a pathway runs through the safe evaluator, never Python's eval/exec."""

from __future__ import annotations

import os

import pytest


def test_script_task_assigns_safe_values(open_case):
    case = open_case("script_task.bpmn", data={"needs": ["medical", "shelter"]})

    [task] = case.ready()

    assert case.failures == []
    assert task.data["needs_count"] == 2
    assert task.data["priority"] == "emergency"


def test_script_calling_os_system_never_runs_and_the_case_reports_it(open_case, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(os, "system", lambda command: calls.append(command) or 0)

    case = open_case("script_escape.bpmn")

    assert calls == []
    [failure] = case.failures
    assert failure.bpmn_id == "Script_Assess"
    assert failure.name == "Work out the priority"
    assert "__import__" in failure.message
    assert case.ready() == []
    assert not case.completed


@pytest.mark.parametrize(
    ("consent", "services", "expected"),
    [(True, ["medical"], ["Task_Refer"]), (False, ["medical"], ["Task_Close"]), (True, [], ["Task_Close"])],
)
def test_juel_condition_routes_the_case(open_case, consent, services, expected):
    case = open_case("juel_condition.bpmn")

    case.complete("Task_Consent", {"consent": consent, "services": services})

    assert case.failures == []
    assert case.ready_ids() == expected


def test_business_rule_task_decides_through_the_safe_evaluator(open_case):
    minor = open_case("dmn_task.bpmn", "priority.dmn", data={"risk_level": "low", "age": 12})
    high_risk = open_case("dmn_task.bpmn", "priority.dmn", data={"risk_level": "high", "age": 40})
    adult = open_case("dmn_task.bpmn", "priority.dmn", data={"risk_level": "low", "age": 40})

    assert [case.ready()[0].data["priority"] for case in (minor, high_risk, adult)] == [
        "high",
        "emergency",
        "standard",
    ]


def test_business_rule_task_with_missing_input_fails_with_a_message(open_case):
    case = open_case("dmn_task.bpmn", "priority.dmn", data={"risk_level": "low"})

    [failure] = case.failures

    assert failure.bpmn_id == "Rule_Priority"
    assert "age" in failure.message


@pytest.mark.parametrize(
    ("need", "age", "services"),
    [
        ("medical", 30, ["health"]),
        ("psychosocial", 12, ["health", "child_protection"]),
        ("shelter", 3, ["child_protection", "priority_care"]),
        ("legal", 70, ["priority_care", "legal_aid"]),
        ("legal", 17, []),
    ],
)
def test_decision_table_reads_feel_lists_ranges_and_negations(open_case, need, age, services):
    case = open_case("dmn_services.bpmn", "services.dmn", data={"need": need, "age": age})

    [task] = case.ready()

    assert case.failures == []
    assert task.data.get("services", []) == services


def test_a_decision_table_whose_parts_carry_no_id_decides_as_in_camunda(open_case):
    # Trisotech and the DMN TCK leave out the ids of a table's columns, rules and entries; SpiffWorkflow alone
    # refused such a file with "KeyError('id')".
    minor = open_case("dmn_task.bpmn", "priority-without-part-ids.dmn", data={"risk_level": "low", "age": 12})
    adult = open_case("dmn_task.bpmn", "priority-without-part-ids.dmn", data={"risk_level": "low", "age": 40})
    assert [case.ready()[0].data["priority"] for case in (minor, adult)] == ["high", "standard"]
