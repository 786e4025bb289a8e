"""The live diagram: cases waiting and overdue at each step now, median time spent, and the cases behind a count."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coordination_history import START
from engine.errors import AccessDenied
from engine.services.coordination.live_diagram import DiagramFilters, cases_at_step, step_counts

PERIOD = DiagramFilters(START, START + timedelta(days=400))


@pytest.fixture
def steps(history, clock):
    history.start = clock.now() - timedelta(days=10)
    iom = [history.case(day=1) for _ in range(3)]
    minas = history.case(day=1, org="demo-minas-littoral")
    history.task(iom[0], "Task_AcknowledgeReferral", "referral", day=2, due_after_hours=24)  # overdue now
    history.task(iom[1], "Task_AcknowledgeReferral", "referral", day=9.9, due_after_hours=72)  # not yet due
    history.task(minas, "Task_AcknowledgeReferral", "referral", day=2, due_after_hours=24, org="demo-minas-littoral")
    for hours in (1, 2, 3, 4, 5):
        history.task(iom[2], "Task_Identification", "identification", day=1, done_after_hours=hours)
    return {"iom": iom, "minas": minas}


def test_each_step_counts_waiting_and_overdue_now_and_the_median_time_spent(container, actor, steps):
    counts = {s.bpmn_id: s for s in step_counts(container.uow(), container.clock, actor("demo-coordinator"),
                                                history_version(container), PERIOD)}
    assert (counts["Task_AcknowledgeReferral"].waiting, counts["Task_AcknowledgeReferral"].overdue) == (3, 2)
    assert counts["Task_Identification"].waiting == 0 and counts["Task_Identification"].median_hours.shown == 3.0


def test_a_supervisor_counts_and_lists_only_their_organisations_cases(container, actor, steps):
    supervisor = actor("demo-supervisor")
    counts = {s.bpmn_id: s for s in step_counts(container.uow(), container.clock, supervisor, history_version(container), PERIOD)}
    assert (counts["Task_AcknowledgeReferral"].waiting, counts["Task_AcknowledgeReferral"].overdue) == (2, 1)
    overdue = cases_at_step(container.uow(), container.clock, supervisor, history_version(container),
                            "Task_AcknowledgeReferral", PERIOD, overdue_only=True)
    assert [case.reference for case in overdue] == ["MNR-TEST-000001"]


def test_filters_by_organisation_narrow_the_counts(container, actor, steps, history):
    filters = DiagramFilters(PERIOD.start, PERIOD.end, organisation_id=history.orgs["demo-minas-littoral"])
    counts = step_counts(container.uow(), container.clock, actor("demo-coordinator"), history_version(container), filters)
    assert [(s.bpmn_id, s.waiting, s.overdue) for s in counts] == [("Task_AcknowledgeReferral", 1, 1)]


def test_a_provider_may_not_read_the_live_diagram(container, actor, steps):
    with pytest.raises(AccessDenied):
        step_counts(container.uow(), container.clock, actor("demo-health-douala"), history_version(container), PERIOD)


def history_version(container) -> int:
    from sqlalchemy import select

    from engine.store.models import PathwayVersionRow

    with container.uow() as u:
        return u.session.scalars(select(PathwayVersionRow.id)).first()
