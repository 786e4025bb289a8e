"""Sub-processes, multi-instance referrals and call activities run and can be told apart."""

from __future__ import annotations


def test_parallel_multi_instance_opens_one_task_per_need(open_case):
    case = open_case("multi_instance.bpmn", data={"needs": ["medical", "shelter", "legal"]})

    tasks = case.ready()

    assert [t.bpmn_id for t in tasks] == ["Task_Acknowledge"] * 3
    assert sorted(t.instance["value"] for t in tasks) == ["legal", "medical", "shelter"]
    assert sorted(t.instance["index"] for t in tasks) == [0, 1, 2]
    assert {t.instance["variable"] for t in tasks} == {"need"}
    assert {t.parent_bpmn_id for t in tasks} == {"Sub_Referral"}
    assert all(t.data["need"] == t.instance["value"] for t in tasks)
    assert tasks[0].candidate_groups == ["provider_focal_point"]


def test_multi_instance_continues_once_every_instance_is_done(open_case):
    case = open_case("multi_instance.bpmn", data={"needs": ["medical", "shelter"]})

    case.complete("Task_Acknowledge", {"acknowledged": True})
    assert case.ready_ids() == ["Task_Acknowledge"]
    case.complete("Task_Acknowledge", {"acknowledged": True})

    assert case.ready_ids() == ["Task_Close"]
    case.complete("Task_Close")
    assert case.completed


def test_call_activity_runs_a_process_from_another_file(open_case):
    case = open_case("call_main.bpmn", "call_followup.bpmn")

    [visit] = case.ready()
    assert visit.bpmn_id == "Task_Visit"
    assert visit.parent_bpmn_id == "Call_Followup"
    assert visit.candidate_groups == ["caseworker"]

    case.complete("Task_Visit", {"visited": True})
    [close] = case.ready()
    assert close.bpmn_id == "Task_Close"
    assert close.data["visited"] is True


def test_sequential_multi_instance_task_offers_one_instance_at_a_time(open_case):
    case = open_case("multi_instance_sequential.bpmn", data={"needs": ["medical", "shelter"]})

    [first] = case.ready()
    assert first.instance == {"index": 0, "variable": "need", "value": "medical"}
    assert first.parent_bpmn_id is None

    case.complete("Task_Refer", {"referred": True})
    [second] = case.ready()
    assert second.instance == {"index": 1, "variable": "need", "value": "shelter"}

    case.complete("Task_Refer", {"referred": True})
    assert case.completed
