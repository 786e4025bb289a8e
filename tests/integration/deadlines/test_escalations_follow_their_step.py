"""Escalations follow their step: a clock jumped past every level gives the coordinators one item at the
highest level, with the deadline that was missed; acknowledging the referral closes every level as
overtaken, with the time; an escalation is handed only to someone who may see the case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.errors import InvalidData
from engine.services.escalations.deadlines import sweep_deadlines
from engine.services.escalations.handling import list_escalations, reassign_escalation
from engine.services.escalations.stalled import list_stalled
from engine.store.models import EscalationRow, OutboxRow
from tests.integration.deadlines.test_escalation_chain import _referral_sent


def _levels(container) -> list[tuple[int, str]]:
    with container.uow() as uow:
        return [(row.level, row.status.value) for row in uow.session.scalars(select(EscalationRow).order_by(EscalationRow.level))]


def test_a_clock_jumped_past_every_level_is_one_item_closed_when_the_referral_is_acknowledged(container, walker):
    _referral_sent(container, walker, "emergency")
    sent_at = container.clock.now()
    # Past the coordinator's level (8 hours), short of the emergency referral's expiry (16 hours).
    container.clock.advance(timedelta(hours=15))
    assert sweep_deadlines(container.uow, container.clock, worker_id="test-sweeper").escalations == 3
    # Recorded in order, one row per level...
    assert _levels(container) == [(1, "open"), (2, "open"), (3, "open")]
    # ...shown as one item at the highest level, with the deadline missed and how late it is.
    coordinator = walker.actor("demo-coordinator")
    (item,) = list_stalled(container.uow(), container.clock, coordinator)
    assert (item.level, item.sector, item.provider is not None) == (3, "health", True)
    assert item.deadline == sent_at + timedelta(hours=2)  # the emergency acknowledgement deadline, not the sweep
    assert item.late == timedelta(hours=15) - timedelta(hours=2)
    assert [(step.level, step.status) for step in item.chain] == [(1, "open"), (2, "open"), (3, "open")]
    assert [step.due_at - sent_at for step in item.chain] == [timedelta(hours=2), timedelta(hours=4), timedelta(hours=8)]
    assert list_stalled(container.uow(), container.clock, walker.actor("demo-minas-supervisor")) == []
    # The provider acknowledges: every level closes as overtaken, with the time; the list is empty.
    walker.complete("demo-health-douala", "Task_AcknowledgeReferral", {"acknowledged_by": "Dr Ngo"})
    assert _levels(container) == [(1, "overtaken"), (2, "overtaken"), (3, "overtaken")]
    with container.uow() as uow:
        assert set(uow.session.scalars(select(EscalationRow.resolved_at))) == {container.clock.now()}
    assert list_stalled(container.uow(), container.clock, coordinator) == []
    assert {e.status for e in list_escalations(container.uow(), coordinator)} == {"overtaken"}


def test_levels_fired_by_the_late_acknowledgement_itself_are_kept_overtaken_and_alert_nobody(container, walker):
    _referral_sent(container, walker, "emergency")
    container.clock.advance(timedelta(days=2))  # no sweep ran: the acknowledging step fires the timers
    with container.uow() as uow:
        alerts_before = len(uow.session.scalars(select(OutboxRow.id).where(OutboxRow.event_type.like("escalation_%"))).all())
    walker.complete("demo-health-douala", "Task_AcknowledgeReferral", {"acknowledged_by": "Dr Ngo"})
    assert {status for _, status in _levels(container)} <= {"overtaken"}
    with container.uow() as uow:
        alerts = len(uow.session.scalars(select(OutboxRow.id).where(OutboxRow.event_type.like("escalation_%"))).all())
    assert alerts == alerts_before


def test_an_escalation_is_handed_only_to_someone_who_may_see_the_case(container, walker):
    _referral_sent(container, walker, "emergency")
    container.clock.advance(timedelta(hours=4))
    sweep_deadlines(container.uow, container.clock, worker_id="test-sweeper")
    coordinator = walker.actor("demo-coordinator")
    level_2 = list_escalations(container.uow(), coordinator, level=2)[0]
    for outsider in ("demo-minas-supervisor", "demo-health-douala"):  # another organisation; the late provider
        with pytest.raises(InvalidData) as refused:
            reassign_escalation(container.uow(), container.clock, level_2.id, coordinator, outsider)
        assert [p.code for p in refused.value.errors["username"]] == ["cannot_handle_escalation"]
    assert reassign_escalation(container.uow(), container.clock, level_2.id, coordinator, "demo-supervisor").reassigned_to_id
