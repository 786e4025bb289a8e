"""Coordinators and supervisors see, acknowledge, resolve and reassign escalations; the steering summary counts them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.errors import AccessDenied, Conflict, InvalidData, NotFound
from engine.services.escalations.deadlines import sweep_deadlines
from engine.services.escalations.handling import (
    acknowledge_escalation,
    list_escalations,
    queue_steering_summary,
    reassign_escalation,
    resolve_escalation,
    steering_summary,
)
from engine.store.models import AuditEntry, CaseEvent, EscalationRow, InAppNotification, OutboxRow, User
from notifications.dispatcher import dispatch_pending
from notifications.sending import Channels
from notifications.settings import NotificationSettings
from tests.integration.deadlines.test_escalation_chain import _referral_sent


def _sweep(container):
    return sweep_deadlines(container.uow, container.clock, worker_id="test-sweeper")


@pytest.fixture
def escalated(container, walker):
    """An emergency health referral left unacknowledged for four hours: levels 1 and 2 raised."""
    _referral_sent(container, walker, "emergency")
    container.clock.advance(timedelta(hours=4))
    assert _sweep(container).escalations == 2
    return walker


def test_a_coordinator_sees_every_escalation_and_a_supervisor_those_of_their_organisation(container, escalated):
    coordinator = escalated.actor("demo-coordinator")
    assert [(e.level, e.status, e.sector) for e in list_escalations(container.uow(), coordinator)] == [
        (2, "open", "health"), (1, "open", "health")]
    assert len(list_escalations(container.uow(), escalated.actor("demo-supervisor"), level=2)) == 1
    assert list_escalations(container.uow(), escalated.actor("demo-minas-supervisor")) == []
    # The late provider sees the escalations about its own referral.
    assert len(list_escalations(container.uow(), escalated.actor("demo-health-douala"))) == 2


def test_acknowledging_then_resolving_stops_the_next_level(container, escalated):
    coordinator = escalated.actor("demo-coordinator")
    level_2 = list_escalations(container.uow(), coordinator, level=2)[0]
    clock = container.clock
    assert acknowledge_escalation(container.uow(), clock, level_2.id, coordinator).status == "acknowledged"
    with pytest.raises(Conflict):
        acknowledge_escalation(container.uow(), clock, level_2.id, coordinator)
    with pytest.raises(InvalidData):
        resolve_escalation(container.uow(), clock, level_2.id, coordinator, "  ")
    resolved = resolve_escalation(container.uow(), clock, level_2.id, coordinator, "Called the hospital's duty doctor")
    assert (resolved.status, resolved.resolution_note) == ("resolved", "Called the hospital's duty doctor")
    clock.advance(timedelta(hours=4))  # the coordinator level would be due now
    assert _sweep(container).escalations == 0
    with container.uow() as uow:
        assert sorted(uow.session.scalars(select(EscalationRow.level))) == [1, 2]
        actions = list(uow.session.scalars(select(CaseEvent.action).where(CaseEvent.action.like("escalation_%"))))
        assert actions == ["escalation_acknowledged", "escalation_resolved"]
        audited = uow.session.execute(
            select(AuditEntry.object_type, AuditEntry.object_id).where(AuditEntry.action == "case.escalation_resolved")
        ).all()
        assert audited == [("escalation", str(level_2.id))]
        details = repr(list(uow.session.scalars(select(CaseEvent.details))))
        assert "duty doctor" not in details  # the note stays on the escalation only


def test_reassigning_alerts_the_new_holder(container, escalated):
    coordinator = escalated.actor("demo-coordinator")
    level_1 = list_escalations(container.uow(), coordinator, level=1)[0]
    view = reassign_escalation(container.uow(), container.clock, level_1.id, coordinator, "demo-supervisor")
    supervisor_id = escalated.actor("demo-supervisor").id
    assert view.reassigned_to_id == supervisor_id
    with container.uow() as uow:
        last = uow.session.scalars(select(OutboxRow).order_by(OutboxRow.id.desc()).limit(1)).one()
    assert (last.event_type, last.payload["recipients"]) == ("escalation_handed_over", [{"user": supervisor_id}])
    with pytest.raises(InvalidData) as unknown:
        reassign_escalation(container.uow(), container.clock, level_1.id, coordinator, "nobody-here")
    assert list(unknown.value.errors) == ["username"]


def test_only_coordinators_and_the_cases_supervisors_handle_escalations(container, escalated):
    some_id = list_escalations(container.uow(), escalated.actor("demo-coordinator"))[0].id
    with pytest.raises(AccessDenied):
        acknowledge_escalation(container.uow(), container.clock, some_id, escalated.actor("demo-health-douala"))
    with pytest.raises(NotFound):
        acknowledge_escalation(container.uow(), container.clock, some_id, escalated.actor("demo-minas-supervisor"))
    assert acknowledge_escalation(container.uow(), container.clock, some_id, escalated.actor("demo-supervisor")).status == "acknowledged"


def test_nothing_stalled_and_nothing_raised_tells_the_coordinators_nothing(container, walker):
    _referral_sent(container, walker, "normal")  # a referral on time
    assert queue_steering_summary(container.uow(), container.clock) is None
    with container.uow() as uow:
        assert uow.session.scalars(select(OutboxRow).where(OutboxRow.event_type == "coordinator_summary")).all() == []


def test_the_steering_summary_counts_stalled_referrals_and_hides_small_cells(container, escalated):
    container.clock.advance(timedelta(hours=4))
    _sweep(container)  # level 3: the coordinator
    summary = steering_summary(container.uow(), container.clock, timedelta(days=7))
    assert (summary.total, summary.by_level, summary.raised_in_period) == (1, {3: 1}, {1: 1, 2: 1, 3: 1})
    assert summary.by_provider == {} and summary.by_sector == {} and summary.suppressed_cells == 2
    assert [item["level"] for item in summary.items] == [3]
    assert steering_summary(container.uow(), container.clock, small_cell=1).by_sector == {"health": 1}

    assert queue_steering_summary(container.uow(), container.clock) is not None
    assert queue_steering_summary(container.uow(), container.clock) is None  # once per period
    with container.uow() as uow:
        row = uow.session.scalars(select(OutboxRow).where(OutboxRow.event_type == "coordinator_summary")).one()
    assert row.payload["recipients"] == [{"coordinators": True}]
    assert row.payload["counts_by_level"] == {"3": 1}


def test_escalation_alerts_and_the_summary_reach_their_people_in_the_application(container, escalated):
    container.clock.advance(timedelta(hours=4))
    _sweep(container)  # level 3
    queue_steering_summary(container.uow(), container.clock)
    channels = Channels.from_settings(NotificationSettings.from_settings(container.settings))
    report = dispatch_pending(container.uow, channels, container.clock, worker_id="test-dispatcher")
    assert report.problems == [] and report.dead == 0
    with container.uow() as uow:
        received = {
            (username, event)
            for username, event in uow.session.execute(
                select(User.username, OutboxRow.event_type)
                .join(InAppNotification, InAppNotification.user_id == User.id)
                .join(OutboxRow, OutboxRow.id == InAppNotification.outbox_id)
                .where(OutboxRow.event_type.like("escalation_%") | (OutboxRow.event_type == "coordinator_summary"))
            )
        }
    assert {("demo-health-douala", "escalation_level_1"), ("demo-supervisor", "escalation_level_2"),
            ("demo-coordinator", "escalation_level_3"), ("demo-coordinator", "coordinator_summary")} <= received
    assert not any(user == "demo-supervisor" and event == "escalation_level_1" for user, event in received)
