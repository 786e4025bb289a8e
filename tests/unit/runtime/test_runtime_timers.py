"""Timers fire when our clock reaches them, whatever way the SOP author wrote them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from engine.clock import ManualClock
from engine.runtime import case_runtime
from engine.runtime.script_engine import SafeScriptEngine


def test_bare_non_interrupting_timer_opens_escalation_and_keeps_provider_task(open_case, clock):
    case = open_case("timer_bare_non_interrupting.bpmn")
    [timer] = case.timers()
    assert timer.bpmn_id == "Timer_Escalate"
    assert timer.attached_to == "Task_Provide"
    assert timer.due_at == clock.now() + timedelta(hours=72)

    clock.advance(timedelta(hours=72) - timedelta(seconds=1))
    case.advance()
    assert case.ready_ids() == ["Task_Provide"]

    clock.advance(timedelta(seconds=1))
    case.advance()
    assert case.ready_ids() == ["Task_Escalate", "Task_Provide"]
    assert case.timers() == []


def test_a_timer_cancelled_before_it_fires_never_opens_its_escalation(open_case, clock):
    case = open_case("timer_bare_non_interrupting.bpmn")
    [timer] = case.timers()
    assert case_runtime.cancel_tasks(case.workflow, [timer.task_id]) == []
    case.reload()
    assert case.timers() == []

    clock.advance(timedelta(hours=73))
    case.advance()
    assert case.ready_ids() == ["Task_Provide"]
    case.complete("Task_Provide")
    assert case.completed


def test_cancelling_the_last_open_escalation_lets_the_process_end(open_case, clock):
    case = open_case("timer_bare_non_interrupting.bpmn")
    clock.advance(timedelta(hours=72))
    case.advance()
    case.complete("Task_Provide")
    assert not case.completed  # the escalation is a branch of its own
    [escalation] = case.ready()
    case_runtime.cancel_tasks(case.workflow, [escalation.id, escalation.id])  # twice is the same as once
    case.reload()
    assert case.ready_ids() == [] and case.completed


def test_an_escalation_task_answered_resolved_stops_the_rest_of_its_chain(open_case, clock):
    case = open_case("escalation_chain.bpmn")
    clock.advance(timedelta(hours=2))
    case.advance()
    assert case.ready_ids() == ["Task_Acknowledge", "Task_Alert", "Task_Reminder"]
    case.complete("Task_Alert", {"escalation_action": "resolved"})
    # The coordinator's level will not come; the provider is still reminded to acknowledge.
    assert case.timers() == []
    clock.advance(timedelta(hours=2))
    case.advance()
    assert case.ready_ids() == ["Task_Acknowledge", "Task_Reminder"]


def test_an_escalation_task_is_resolved_by_the_action_field_its_step_names(open_case, clock):
    case = open_case("escalation_chain_own_fields.bpmn")  # Task_Alert names what_was_done as its action field
    clock.advance(timedelta(hours=2))
    case.advance()
    case.complete("Task_Alert", {"escalation_action": "resolved"})  # today's name means nothing to this step
    assert [timer.bpmn_id for timer in case.timers()] == ["Timer_Level3"]
    case = open_case("escalation_chain_own_fields.bpmn")
    clock.advance(timedelta(hours=2))
    case.advance()
    case.complete("Task_Alert", {"what_was_done": "resolved"})
    assert case.timers() == []


def test_an_escalation_task_answered_otherwise_leaves_its_chain_running(open_case, clock):
    case = open_case("escalation_chain.bpmn")
    clock.advance(timedelta(hours=1))
    case.advance()
    case.complete("Task_Reminder", {"escalation_action": "acknowledged"})
    assert [timer.bpmn_id for timer in case.timers()] == ["Timer_Level2", "Timer_Level3"]
    clock.advance(timedelta(hours=2))
    case.advance()
    assert case.ready_ids() == ["Task_Acknowledge", "Task_Alert", "Task_Escalation"]


def test_quoted_interrupting_timer_cancels_the_provider_task(open_case, clock):
    case = open_case("timer_quoted_interrupting.bpmn")

    clock.advance(timedelta(days=2))
    case.advance()

    assert case.ready_ids() == ["Task_Escalate"]
    case.complete("Task_Escalate")
    assert case.completed


def test_timer_read_from_a_variable_uses_the_case_data(open_case, clock):
    case = open_case("timer_variable.bpmn", data={"ack_delay": "PT5H"})
    [timer] = case.timers()
    assert timer.due_at == clock.now() + timedelta(hours=5)

    clock.advance(timedelta(hours=5))
    case.advance()

    assert "Task_Escalate" in case.ready_ids()


def test_timer_at_a_date_fires_at_that_moment(open_case, clock):
    case = open_case("timer_date.bpmn")
    [timer] = case.timers()
    assert timer.kind == "date"
    assert timer.due_at == datetime(2026, 3, 5, 7, 0, tzinfo=timezone.utc)

    clock.set(datetime(2026, 3, 5, 6, 59, tzinfo=timezone.utc))
    case.advance()
    assert case.ready_ids() == ["Task_Provide"]

    clock.set(datetime(2026, 3, 5, 7, 0, tzinfo=timezone.utc))
    case.advance()
    assert case.ready_ids() == ["Task_Escalate"]


def test_cycle_timer_fires_three_times_one_period_apart(open_case, clock):
    case = open_case("timer_cycle.bpmn")
    [timer] = case.timers()
    assert timer.kind == "cycle"
    assert timer.due_at == clock.now() + timedelta(days=1)

    reminders = []
    for _ in range(5):
        clock.advance(timedelta(days=1))
        case.advance()
        reminders.append(case.ready_ids().count("Task_Remind"))

    assert reminders == [1, 2, 3, 3, 3]
    assert case.ready_ids().count("Task_Acknowledge") == 1
    assert case.timers() == []


def test_working_day_timer_skips_the_weekend(open_case, clock):
    friday_morning = datetime(2026, 3, 6, 8, 0, tzinfo=timezone.utc)
    clock.set(friday_morning)
    case = open_case("timer_working_days.bpmn")
    [timer] = case.timers()

    # Two working days from Friday 09:00 in Douala: Monday 09:00 is one, Tuesday 09:00 the second.
    assert timer.due_at == datetime(2026, 3, 10, 8, 0, tzinfo=timezone.utc)

    clock.set(datetime(2026, 3, 8, 8, 0, tzinfo=timezone.utc))  # plain P2D would have fired here
    case.advance()
    assert case.ready_ids() == ["Task_Provide"]

    clock.set(timer.due_at)
    case.advance()
    assert case.ready_ids() == ["Task_Escalate", "Task_Provide"]


def test_working_day_timer_skips_a_public_holiday(open_case, clock):
    # 20 May is Cameroon's National Day (a Wednesday in 2026).
    clock.set(datetime(2026, 5, 19, 8, 0, tzinfo=timezone.utc))
    case = open_case("timer_working_days.bpmn")

    [timer] = case.timers()

    assert timer.due_at == datetime(2026, 5, 22, 8, 0, tzinfo=timezone.utc)


def test_timer_survives_saving_and_fires_with_a_new_engine(open_case, clock):
    case = open_case("timer_bare_non_interrupting.bpmn")
    later = ManualClock(clock.now() + timedelta(days=4))
    case.engine = SafeScriptEngine(later)
    case.reload()

    case.advance()

    assert "Task_Escalate" in case.ready_ids()


def test_unreadable_timer_is_reported_as_a_failure_not_left_waiting(open_case, clock):
    case = open_case("timer_variable.bpmn", data={"ack_delay": "next week"})

    assert [f.bpmn_id for f in case.failures] == ["Timer_Escalate"]
    assert "next week" in case.failures[0].message
    assert case.timers() == []
    assert case.ready_ids() == ["Task_Provide"]


def test_working_day_cycle_skips_the_weekend_between_repetitions(open_case, clock):
    clock.set(datetime(2026, 3, 6, 8, 0, tzinfo=timezone.utc))  # a Friday, 09:00 in Douala
    case = open_case("timer_cycle_working_days.bpmn")

    fired = {}
    for _ in range(6):
        clock.advance(timedelta(days=1))
        case.advance()
        fired[clock.now().strftime("%a")] = case.ready_ids().count("Task_Remind")

    assert fired == {"Sat": 0, "Sun": 0, "Mon": 1, "Tue": 2, "Wed": 3, "Thu": 3}
