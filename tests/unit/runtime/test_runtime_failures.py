"""A task that fails is never silently stuck: advance reports it every time until it is repaired."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.errors import Conflict
from engine.runtime import case_runtime


def test_failing_script_is_surfaced_by_advance(open_case):
    case = open_case("script_error.bpmn")

    [failure] = case.failures
    assert failure.bpmn_id == "Script_Assess"
    assert "missing_value" in failure.message
    assert not case.completed

    again = case.advance()

    assert again == [failure]


def test_failed_script_runs_again_once_the_data_is_repaired(open_case):
    case = open_case("script_error.bpmn")
    [failure] = case.failures

    failures = case_runtime.retry_task(case.workflow, failure.task_id, {"missing_value": 1})

    assert failures == []
    [task] = case_runtime.ready_human_tasks(case.workflow)
    assert task.bpmn_id == "Task_Next"
    assert task.data["total"] == 2


def test_failed_timer_waits_again_once_its_variable_is_repaired(open_case, clock):
    case = open_case("timer_variable.bpmn", data={"ack_delay": "next week"})
    [failure] = case.failures

    failures = case_runtime.retry_task(case.workflow, failure.task_id, {"ack_delay": "PT2H"})

    assert failures == []
    [timer] = case_runtime.pending_timers(case.workflow)
    assert timer.due_at == clock.now() + timedelta(hours=2)


def test_only_failed_tasks_can_be_retried(open_case):
    case = open_case("script_task.bpmn", data={"needs": []})
    [task] = case.ready()

    with pytest.raises(Conflict, match="has not failed"):
        case_runtime.retry_task(case.workflow, task.id)


def test_short_gateway_loop_runs_to_its_exit(open_case):
    case = open_case("gateway_loop.bpmn", data={"turns": 0, "limit": 5})

    [close] = case.ready()

    assert close.bpmn_id == "Task_Close"
    assert close.data["turns"] == 5


def test_gateway_loop_stops_at_its_bound_with_a_located_error_not_called_completed(open_case):
    case = open_case("gateway_loop.bpmn", data={"turns": 0, "limit": 400})

    assert not case.completed
    [failure] = case.failures
    assert failure.bpmn_id in {"Script_Count", "Gateway_More", "Gateway_Join"}
    assert "reached its bound after 100 turns" in failure.message
    assert "aiguillage.loop.maximum" in failure.message
    assert not case.ready()
