"""Human tasks carry who may do them, by when and how urgently, as drawn in Camunda Modeler."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine.errors import Conflict, InvalidData, NotFound
from engine.runtime import case_runtime


def test_user_task_reads_camunda_assignment_attributes_and_properties(open_case):
    case = open_case("user_task_extensions.bpmn")

    [task] = case.ready()

    assert task.bpmn_id == "Task_Identify"
    assert task.name == "Identify the person"
    assert task.lane == "Caseworker"
    assert task.lane_id == "Lane_Caseworker"
    assert task.candidate_groups == ["caseworker", "supervisor"]
    assert task.candidate_users == ["amina", "paul"]
    assert task.assignee == "amina"
    assert task.priority == 70
    assert task.properties == {"stage": "identification"}
    assert task.form.key == "identification"
    assert [field.id for field in task.form.fields] == ["full_name"]
    assert task.instance is None and task.parent_bpmn_id is None


def test_due_and_follow_up_durations_count_from_when_the_task_became_ready(open_case, clock):
    opened_at = clock.now()
    case = open_case("user_task_extensions.bpmn")

    [task] = case.ready()

    assert task.ready_at == opened_at
    assert task.due_at == opened_at + timedelta(days=3)
    assert task.follow_up_at == opened_at + timedelta(days=1)


def test_due_date_without_offset_is_douala_time(open_case, clock):
    case = open_case("user_task_extensions.bpmn")
    clock.advance(timedelta(hours=5))
    case.complete("Task_Identify", {"full_name": "A. N."})

    [review] = case.ready()

    assert review.bpmn_id == "Task_Review"
    assert review.lane == "Supervisor"
    assert review.ready_at == clock.now()
    # 09:00 in Douala (UTC+1) is 08:00 UTC.
    assert review.due_at == datetime(2026, 3, 10, 8, 0, tzinfo=timezone.utc)
    assert review.properties == {"aiguillage.calendar": "working-days"}


def test_operaton_namespace_is_read_like_camunda(open_case, clock):
    case = open_case("operaton_user_task.bpmn", data={"owner": "amina", "assessment_due": "P2D"})

    [task] = case.ready()

    assert task.candidate_groups == ["caseworker"]
    assert task.assignee == "amina"
    assert task.priority == 50
    assert task.due_at == clock.now() + timedelta(days=2)
    assert task.properties == {"stage": "assessment"}
    assert task.form.key == "assessment"
    [field] = task.form.fields
    assert field.type == "enum"
    assert [option.id for option in field.options] == ["low", "high"]


def test_completing_a_task_records_its_data_and_moves_on(open_case):
    case = open_case("user_task_extensions.bpmn")

    failures = case.complete("Task_Identify", {"full_name": "A. N.", "born": datetime(1990, 5, 1).date()})

    assert failures == []
    [review] = case.ready()
    assert review.data == {"full_name": "A. N.", "born": "1990-05-01"}


def test_completing_a_task_twice_is_a_conflict(open_case):
    case = open_case("user_task_extensions.bpmn")
    [task] = case.ready()
    case_runtime.complete_task(case.workflow, task.id, {})

    with pytest.raises(Conflict, match="not ready"):
        case_runtime.complete_task(case.workflow, task.id, {})


def test_completing_an_unknown_task_is_not_found(open_case):
    case = open_case("user_task_extensions.bpmn")

    with pytest.raises(NotFound):
        case_runtime.complete_task(case.workflow, "00000000-0000-0000-0000-000000000000", {})
    with pytest.raises(NotFound):
        case_runtime.find_task(case.workflow, "not-a-uuid")


def test_completing_a_task_with_data_json_cannot_hold_is_refused_and_changes_nothing(open_case):
    case = open_case("user_task_extensions.bpmn")
    [task] = case.ready()

    with pytest.raises(InvalidData, match="needs: a set value"):
        case_runtime.complete_task(case.workflow, task.id, {"needs": {"medical"}})

    assert [t.id for t in case.ready()] == [task.id]
    assert case_runtime.find_task(case.workflow, task.id).data == {}


def test_completing_an_automatic_task_is_refused(open_case):
    case = open_case("timer_bare_non_interrupting.bpmn")
    [timer] = case.timers()

    with pytest.raises(Conflict, match="not a human task"):
        case_runtime.complete_task(case.workflow, timer.task_id, {})


def test_case_runs_to_completion(open_case):
    case = open_case("user_task_extensions.bpmn")

    case.complete("Task_Identify", {"full_name": "A. N."})
    case.complete("Task_Review")

    assert case.completed
    assert case.ready() == []


def test_refused_data_names_the_field_in_the_errors(open_case):
    case = open_case("user_task_extensions.bpmn")
    [task] = case.ready()

    with pytest.raises(InvalidData) as raised:
        case_runtime.complete_task(case.workflow, task.id, {"person": {"scores": [1.0, float("nan")]}})

    assert list(raised.value.errors) == ["person.scores[1]"]
    assert raised.value.errors["person.scores[1]"] == ["nan is not a number JSON can hold"]
