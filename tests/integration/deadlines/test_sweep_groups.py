"""The sweep commits several cases' steps together: a case that fails among them is undone alone."""

from __future__ import annotations

import gc
from datetime import timedelta

from sqlalchemy import event, func, select

from engine.services.escalations import deadlines
from engine.services.escalations.deadlines import SWEEP_GC_THRESHOLD, sweep_deadlines
from engine.store.models import EscalationRow, OutboxRow
from tests.integration.deadlines.many_cases import copy_case, walk_one_referral


def _escalated_cases(container) -> list[int]:
    with container.uow() as uow:
        return sorted(uow.session.scalars(select(EscalationRow.case_id)))


def _alerts(container) -> int:
    with container.uow() as uow:
        return uow.session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.event_type == "escalation_level_1"))


def _savepoints_while(container, action) -> int:
    """How many savepoints the database was asked for while `action` ran."""
    seen = []

    def statement(_connection, _cursor, sql, *_args):
        if sql.lstrip().upper().startswith("SAVEPOINT"):
            seen.append(sql)

    event.listen(container.engine, "before_cursor_execute", statement)
    try:
        action()
    finally:
        event.remove(container.engine, "before_cursor_execute", statement)
    return len(seen)


def test_a_case_failing_among_a_sweeps_group_is_undone_alone_and_raised_once_after_its_lease(container, walker, monkeypatch):
    # The group's time bound would let a slow machine leave cases to the next group, stepped without savepoints.
    monkeypatch.setattr(deadlines, "GROUP_SECONDS", 60.0)
    source = walk_one_referral(container, walker, "urgent")
    cases = sorted([source, *copy_case(container, source, 5)])
    broken = cases[2]
    container.clock.advance(timedelta(hours=24))

    def crash_one(step):
        if step.case.id == broken:
            raise RuntimeError("a broken case")

    reports = []
    savepoints = _savepoints_while(
        container, lambda: reports.append(sweep_deadlines(container.uow, container.clock, worker_id="grouped", hook=crash_one)))
    report = reports[0]
    assert (report.escalations, report.cases, len(report.failures)) == (5, 5, 1)
    assert savepoints >= len(cases)  # the group went again, each case in its own savepoint
    assert _escalated_cases(container) == [case for case in cases if case != broken]
    assert _alerts(container) == 5
    container.clock.advance(timedelta(minutes=6))
    assert sweep_deadlines(container.uow, container.clock, worker_id="next").escalations == 1
    assert _escalated_cases(container) == cases
    assert _alerts(container) == 6


def test_a_group_whose_cases_all_succeed_takes_no_savepoint(container, walker):
    source = walk_one_referral(container, walker, "urgent")
    cases = sorted([source, *copy_case(container, source, 3)])
    container.clock.advance(timedelta(hours=24))
    assert _savepoints_while(container, lambda: sweep_deadlines(container.uow, container.clock, worker_id="calm")) == 0
    assert _escalated_cases(container) == cases


def test_the_cycle_collector_runs_rarely_during_a_sweep_and_as_before_after_it(container, walker):
    source = walk_one_referral(container, walker, "urgent")
    copy_case(container, source, 2)
    container.clock.advance(timedelta(hours=24))
    before = gc.get_threshold()
    seen = []

    report = sweep_deadlines(container.uow, container.clock, worker_id="gc", hook=lambda step: seen.append(gc.get_threshold()))

    assert report.escalations == 3
    assert seen and all(threshold[0] >= SWEEP_GC_THRESHOLD for threshold in seen)
    assert gc.get_threshold() == before
