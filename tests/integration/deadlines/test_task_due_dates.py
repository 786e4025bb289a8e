"""A human task past its due date climbs the chain in the sweep: defaults by priority, or the pathway's delays."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.domain import DeadlineKind
from engine.pathways.folder import load_source
from engine.services.cases.lifecycle import open_case
from engine.services.escalations.deadlines import sweep_deadlines
from engine.services.escalations.chain import NEVER
from engine.services.escalations.handling import list_escalations, resolve_escalation
from engine.services.pathways.publishing import publish_pathway
from engine.services.accounts.notification_list import list_notifications
from engine.services.tasks.completion import claim_task, complete_task
from engine.store.models import DeadlineRow, EscalationRow, OutboxRow

from notifications.dispatcher import dispatch_pending
from notifications.sending import Channels
from tests.integration.notifications.test_case_notifications import SETTINGS

DUE_DATES = Path(__file__).resolve().parent / "fixtures" / "due-dates"


@pytest.fixture
def case(container, walker):
    """A case on a pathway whose first task is due two days after it is ready (priority normal)."""
    publish_pathway(container.uow(), load_source(DUE_DATES), container.clock)
    return open_case(container.uow(), container.clock, "due-dates", walker.actor("demo-caseworker"))


def _sweep(container) -> int:
    return sweep_deadlines(container.uow, container.clock, worker_id="test-sweeper").escalations


def _levels(container, ref=None) -> list[int]:
    with container.uow() as uow:
        query = select(EscalationRow.level).where(EscalationRow.deadline_kind == DeadlineKind.TASK_DUE).order_by(EscalationRow.id)
        if ref is not None:
            query = query.where(EscalationRow.deadline_ref == ref)
        return list(uow.session.scalars(query))


def test_an_overdue_task_reminds_then_alerts_the_supervisor_then_the_coordinators(container, walker, case):
    clock = container.clock
    due = clock.now() + timedelta(days=2)
    for level, moment in enumerate((due, due + timedelta(hours=48), due + timedelta(hours=96)), start=1):
        clock.set(moment - timedelta(minutes=1))
        assert _sweep(container) == 0
        clock.set(moment)
        assert _sweep(container) == 1
        assert _levels(container) == list(range(1, level + 1))
    clock.advance(timedelta(days=30))
    assert _sweep(container) == 0
    with container.uow() as uow:
        row = uow.session.scalars(select(DeadlineRow).where(DeadlineRow.kind == DeadlineKind.TASK_DUE)).one()
        assert (row.level, row.due_at) == (3, NEVER)  # kept, so the next step does not index the task again
        first = uow.session.scalars(select(OutboxRow).where(OutboxRow.event_type == "escalation_level_1")).one()
    organisation = walker.actor("demo-caseworker").organisation_id
    assert first.payload["recipients"] == [{"group": "caseworker", "organisation": organisation}]
    assert first.payload["reason"] == "task_overdue"


def test_the_pathways_delays_count_in_working_days(container, walker, case):
    clock = container.clock
    actor = walker.actor("demo-caseworker")
    complete_task(container.uow(), clock, case.open_task_ids[0], actor, {})
    with container.uow() as uow:
        row = uow.session.scalars(select(DeadlineRow).where(DeadlineRow.kind == DeadlineKind.TASK_DUE)).one()
    due, ref = row.due_at, row.ref
    calendar = container.calendar
    assert due == calendar.add(clock.now(), "P1D")
    clock.set(due)
    assert _sweep(container) == 1
    level_2 = calendar.add(due, "P1D")
    clock.set(level_2 - timedelta(minutes=1))
    assert _sweep(container) == 0
    clock.set(level_2)
    assert _sweep(container) == 1
    assert _levels(container, ref) == [1, 2]


def test_resolving_an_overdue_tasks_escalation_stops_its_chain(container, walker, case):
    clock = container.clock
    clock.advance(timedelta(days=2))
    assert _sweep(container) == 1
    coordinator = walker.actor("demo-coordinator")
    (escalation,) = list_escalations(container.uow(), coordinator)
    resolve_escalation(container.uow(), clock, escalation.id, coordinator, "The visit is booked for Friday")
    clock.advance(timedelta(days=10))
    assert _sweep(container) == 0
    assert _levels(container) == [1]
    # Completing the task removes its deadline for good.
    complete_task(container.uow(), clock, case.open_task_ids[0], walker.actor("demo-caseworker"), {})
    with container.uow() as uow:
        refs = set(uow.session.scalars(select(DeadlineRow.ref).where(DeadlineRow.kind == DeadlineKind.TASK_DUE)))
    assert case.open_task_ids[0] not in refs


def test_a_supervisors_alert_about_a_task_a_caseworker_holds_stands_until_the_task_is_done(container, walker, case):
    clock, task_id = container.clock, case.open_task_ids[0]
    claim_task(container.uow(), clock, task_id, walker.actor("demo-caseworker"))
    clock.advance(timedelta(days=2))
    assert _sweep(container) == 1
    clock.advance(timedelta(hours=48))
    assert _sweep(container) == 1
    dispatch_pending(container.uow, Channels(SETTINGS), clock)

    def alerts() -> list[tuple[bool, str | None]]:
        items = list_notifications(container.uow(), walker.actor("demo-supervisor"), "en")
        return [(item.done, item.link) for item in items if "level 2" in item.title]

    # Held by someone else than the supervisor, the overdue task is still the supervisor's concern.
    assert alerts() == [(False, f"/cases/{case.reference}")]
    complete_task(container.uow(), clock, task_id, walker.actor("demo-caseworker"), {})
    assert [done for done, _ in alerts()] == [True]
