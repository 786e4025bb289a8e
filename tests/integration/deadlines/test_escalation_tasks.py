"""Escalation tasks never hold up the provider's work: they end when the referral moves on, and resolving
an escalation stops the rest of its chain in the workflow, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.domain import DeadlineKind, ReferralState, TaskState
from engine.errors import Conflict
from engine.services.escalations.deadlines import sweep_deadlines
from engine.services.escalations.handling import list_escalations, resolve_escalation
from engine.store.models import CaseEvent, DeadlineRow, EscalationRow, ReferralRow, TaskRow
from tests.integration.deadlines.test_escalation_chain import _referral_sent

PROVIDER, SUPERVISOR, COORDINATOR = "demo-health-douala", "demo-supervisor", "demo-coordinator"


def _sweep(container):
    return sweep_deadlines(container.uow, container.clock, worker_id="test-sweeper")


def _inbox(walker, username: str) -> list[str]:
    return sorted(task.bpmn_id for task in walker.inbox(username))


def _task_states(container) -> dict[str, str]:
    with container.uow() as uow:
        return {bpmn_id: state.value for bpmn_id, state in uow.session.execute(
            select(TaskRow.bpmn_id, TaskRow.state).order_by(TaskRow.created_at, TaskRow.id))}


def _deadline_kinds(container) -> set[DeadlineKind]:
    with container.uow() as uow:
        return set(uow.session.scalars(select(DeadlineRow.kind)))


def _levels(container) -> list[int]:
    with container.uow() as uow:
        return list(uow.session.scalars(select(EscalationRow.level).order_by(EscalationRow.level)))


def test_acknowledging_cancels_the_reminders_it_answers_and_the_referral_moves_on(container, walker):
    _referral_sent(container, walker, "emergency")
    container.clock.advance(timedelta(hours=4))
    assert _sweep(container).escalations == 2
    assert _inbox(walker, PROVIDER) == ["Task_AckReminder", "Task_AcknowledgeReferral"]
    assert _inbox(walker, SUPERVISOR) == ["Task_AckAlert"]

    walker.complete(PROVIDER, "Task_AcknowledgeReferral", {"acknowledged_by": "Dr Ngo"})
    assert _inbox(walker, PROVIDER) == ["Task_ReferralDecision"]
    assert _inbox(walker, SUPERVISOR) == []
    states = _task_states(container)
    assert (states["Task_AckReminder"], states["Task_AckAlert"]) == (TaskState.CANCELLED.value, TaskState.CANCELLED.value)
    assert DeadlineKind.REFERRAL_ACK not in _deadline_kinds(container)
    container.clock.advance(timedelta(hours=4))  # the coordinator's level would be due now
    assert _sweep(container).escalations == 0
    assert _inbox(walker, COORDINATOR) == []

    walker.complete(PROVIDER, "Task_ReferralDecision", {"decision": "accepted"})
    assert _inbox(walker, PROVIDER) == ["Task_ServiceOutcome"]
    assert _levels(container) == [1, 2]  # what was raised stays on record for the coordinators


def test_the_outcome_ends_the_referral_and_cancels_its_open_service_alert(container, walker):
    _referral_sent(container, walker, "emergency")
    walker.complete(PROVIDER, "Task_AcknowledgeReferral", {"acknowledged_by": "Dr Ngo"})
    walker.complete(PROVIDER, "Task_ReferralDecision", {"decision": "accepted"})
    clock = container.clock
    clock.advance(timedelta(hours=24))
    assert _sweep(container).escalations == 1
    assert _inbox(walker, SUPERVISOR) == ["Task_ServiceEscalation"]

    walker.complete(PROVIDER, "Task_ServiceOutcome", {"service_delivered": True})
    assert _inbox(walker, SUPERVISOR) == [] and _inbox(walker, PROVIDER) == []
    assert _task_states(container)["Task_ServiceEscalation"] == TaskState.CANCELLED.value
    with container.uow() as uow:
        assert uow.session.scalars(select(ReferralRow.state)).one() == ReferralState.DELIVERED
        deadlines = uow.session.execute(select(DeadlineRow.kind, DeadlineRow.due_at)).all()
    # The referral branch is over: the case waits for its first follow-up, in 30 days.
    assert deadlines == [(DeadlineKind.BPMN_TIMER, clock.now() + timedelta(days=30))]

    # The service escalation stays on record, closed as overtaken by the outcome, with the time:
    # no coordinator is left with a level for work already done, and there is nothing to resolve.
    coordinator = walker.actor(COORDINATOR)
    assert list_escalations(container.uow(), coordinator, status="open") == []
    (escalation,) = list_escalations(container.uow(), coordinator, status="overtaken")
    with pytest.raises(Conflict):
        resolve_escalation(container.uow(), clock, escalation.id, coordinator, "Delivered late")
    assert _deadline_kinds(container) == {DeadlineKind.BPMN_TIMER}


def test_resolving_an_escalation_cancels_its_task_and_the_later_levels_of_its_chain(container, walker):
    _referral_sent(container, walker, "emergency")
    clock = container.clock
    clock.advance(timedelta(hours=4))
    assert _sweep(container).escalations == 2
    coordinator = walker.actor(COORDINATOR)
    (level_2,) = list_escalations(container.uow(), coordinator, level=2)
    resolve_escalation(container.uow(), clock, level_2.id, coordinator, "Called the hospital's duty doctor")

    # The supervisor's alert is answered; the provider still has to acknowledge, and is still reminded to.
    assert _inbox(walker, SUPERVISOR) == []
    assert _inbox(walker, PROVIDER) == ["Task_AckReminder", "Task_AcknowledgeReferral"]
    assert _task_states(container)["Task_AckAlert"] == TaskState.CANCELLED.value
    # The coordinator's level will not come: its timer is gone with its deadline row.
    assert DeadlineKind.REFERRAL_ACK not in _deadline_kinds(container)
    clock.advance(timedelta(hours=4))
    assert _sweep(container).claimed == 0
    assert _inbox(walker, COORDINATOR) == []
    assert _levels(container) == [1, 2]
    with container.uow() as uow:
        (details,) = uow.session.scalars(select(CaseEvent.details).where(CaseEvent.action == "escalation_resolved"))
    assert details["escalation_id"] == level_2.id
    assert details["ended_tasks"] == ["Task_AckAlert"] and details["timers_cancelled"] == ["Timer_AckEscalation"]

    walker.complete(PROVIDER, "Task_AcknowledgeReferral", {"acknowledged_by": "Dr Ngo"})
    assert _inbox(walker, PROVIDER) == ["Task_ReferralDecision"]


def test_an_escalation_task_answered_resolved_stops_its_chain_too(container, walker):
    _referral_sent(container, walker, "emergency")
    clock = container.clock
    clock.advance(timedelta(hours=4))
    assert _sweep(container).escalations == 2
    walker.complete(SUPERVISOR, "Task_AckAlert", {"escalation_action": "resolved", "escalation_note": "Called them"})
    assert DeadlineKind.REFERRAL_ACK not in _deadline_kinds(container)
    clock.advance(timedelta(hours=4))
    assert _sweep(container).claimed == 0
    assert _inbox(walker, COORDINATOR) == []
    assert _inbox(walker, PROVIDER) == ["Task_AckReminder", "Task_AcknowledgeReferral"]
