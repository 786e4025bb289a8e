"""Signals from outside the diagram (consent withdrawn) reach the elements waiting for them."""

from __future__ import annotations

import pytest

from engine.errors import Conflict
from engine.runtime.case_data import case_data
from engine.runtime.signals import send_signal, waiting_signals


def test_signal_interrupts_the_task_it_sits_on(open_case):
    case = open_case("signal_boundary.bpmn", data={"person": "A. N."})
    assert waiting_signals(case.workflow) == ["consent_withdrawn"]

    failures = send_signal(case.workflow, "consent_withdrawn", {"withdrawn_by": "person"})
    case.reload()

    assert failures == []
    assert case.ready_ids() == ["Task_Revoke"]
    assert waiting_signals(case.workflow) == []


def test_signal_nothing_waits_for_is_a_conflict(open_case):
    case = open_case("signal_boundary.bpmn")

    with pytest.raises(Conflict, match='"case_closed"'):
        send_signal(case.workflow, "case_closed")


def test_case_data_is_the_main_process_data_after_the_last_step(open_case):
    case = open_case("juel_condition.bpmn", data={"person": "A. N."})
    case.complete("Task_Consent", {"consent": True, "services": ["medical"]})
    case.complete("Task_Refer", {"provider": "hopital-douala"})

    assert case.completed
    assert case_data(case.workflow) == {
        "person": "A. N.",
        "consent": True,
        "services": ["medical"],
        "provider": "hopital-douala",
    }
