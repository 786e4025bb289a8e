"""Two people completing the same task at once: exactly one wins, the other gets a Conflict, nothing is doubled.

Each attempt runs in its own thread with its own database connection. Both load the case before
either commits: the first to reach the end of its step waits at a barrier (inside the step's
transaction) until the other has loaded and tried to write, or a few seconds have passed.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from engine.domain import TaskState
from engine.errors import Conflict
from engine.services.cases.lifecycle import open_case
from engine.services.tasks.completion import claim_task, complete_task, release_task
from engine.store.models import CaseEvent, CaseRow, ReferralRow, TaskRow
from tests.integration.services.conftest import ASSESSMENT, CONSENT, IDENTIFICATION
from tests.integration.services.walk import CaseWalker


@pytest.fixture
def walker(container, published) -> CaseWalker:
    return CaseWalker(container)


def _race(attempts):
    """Run the callables at the same time; returns what each returned or raised."""
    barrier = threading.Barrier(len(attempts))
    outcomes = [None] * len(attempts)

    def wait_for_the_other(step):
        try:
            barrier.wait(timeout=3)
        except threading.BrokenBarrierError:
            pass  # the other attempt is blocked by our write lock: let this one commit

    def run(index, attempt):
        try:
            outcomes[index] = attempt(wait_for_the_other)
        except Exception as error:  # the outcome under test
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_people_completing_the_same_task_at_once_one_wins(container, walker):
    case = open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker"))
    task_id = case.open_task_ids[0]
    people = [walker.actor("demo-caseworker"), walker.actor("demo-caseworker-en")]
    data = [IDENTIFICATION, {**IDENTIFICATION, "priority": "emergency"}]
    outcomes = _race([
        (lambda hook, who=who, d=d: complete_task(container.uow(), container.clock, task_id, who, d, hook=hook))
        for who, d in zip(people, data)
    ])
    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    wins = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(wins) == 1 and len(conflicts) == 1, outcomes
    # PostgreSQL: both loaded the case, the second write found a stale version. SQLite: the second
    # step waited for the write lock, then found the task done.
    assert "changed by someone else" in str(conflicts[0]) or "already completed" in str(conflicts[0])
    winner = people[outcomes.index(wins[0])]
    with container.uow() as uow:
        task = uow.session.get(TaskRow, task_id)
        row = uow.session.get(CaseRow, case.id)
        completed_events = uow.session.scalar(
            select(func.count()).select_from(CaseEvent).where(CaseEvent.action == "task_completed")
        )
        open_tasks = uow.session.scalars(select(TaskRow.bpmn_id).where(TaskRow.state == TaskState.OPEN)).all()
    assert task.completed_by_id == winner.id
    assert row.priority.value == data[people.index(winner)]["priority"]
    assert completed_events == 1 and open_tasks == ["Task_NeedsAssessment"]


def test_two_people_claiming_the_same_task_one_gets_it(container, walker):
    case = open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker"))
    task_id = case.open_task_ids[0]
    people = [walker.actor("demo-caseworker"), walker.actor("demo-caseworker-en")]
    outcomes = _race([
        (lambda hook, who=who: claim_task(container.uow(), container.clock, task_id, who)) for who in people
    ])
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "NoneType"], outcomes
    holder = people[outcomes.index(None)]
    other = people[1 - outcomes.index(None)]
    assert [t.id for t in walker.inbox(holder.username)] == [task_id]
    assert walker.inbox(other.username) == []
    release_task(container.uow(), container.clock, task_id, holder)
    assert [t.id for t in walker.inbox(other.username)] == [task_id]


def test_steps_on_different_cases_at_once_both_succeed(container, walker):
    caseworker = walker.actor("demo-caseworker")
    cases = [open_case(container.uow(), container.clock, "cameroon-nrm", caseworker) for _ in range(2)]
    outcomes = _race([
        (lambda hook, c=c: complete_task(container.uow(), container.clock, c.open_task_ids[0], caseworker, IDENTIFICATION, hook=hook))
        for c in cases
    ])
    assert [o.stage for o in outcomes] == ["assessment", "assessment"], outcomes


def test_two_different_tasks_of_one_case_completed_at_once_both_succeed(container, walker):
    # Two referrals of one case sent at the same moment: the step that loses the case's version
    # check is run again on the case as the other left it, since its own task is still open.
    case = open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Identification", IDENTIFICATION)
    walker.complete("demo-caseworker", "Task_NeedsAssessment", ASSESSMENT)
    walker.complete("demo-caseworker", "Task_Consent", CONSENT)
    caseworker = walker.actor("demo-caseworker")
    sends = {sector: walker.task("demo-caseworker", "Task_SendReferral", sector=sector).id
             for sector in ("health", "shelter")}
    providers = {"health": "demo-hopital-douala", "shelter": "demo-bon-samaritain"}

    outcomes = _race([
        (lambda hook, s=sector: complete_task(container.uow(), container.clock, sends[s], caseworker,
                                              {"provider_id": providers[s]}, hook=hook))
        for sector in sends
    ])

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    with container.uow() as uow:
        states = dict(uow.session.execute(select(TaskRow.id, TaskRow.state).where(TaskRow.id.in_(sends.values()))).all())
        sent_events = uow.session.scalar(
            select(func.count()).select_from(CaseEvent)
            .where(CaseEvent.case_id == case.id, CaseEvent.action == "task_completed",
                   CaseEvent.task_bpmn_id == "Task_SendReferral"))
        referrals = uow.session.scalars(select(ReferralRow.provider_organisation_id).where(ReferralRow.case_id == case.id)).all()
    assert set(states.values()) == {TaskState.COMPLETED} and sent_events == 2 and len(referrals) == 2
    assert {t.bpmn_id for t in walker.inbox("demo-health-douala")} == {"Task_AcknowledgeReferral"}
    assert {t.bpmn_id for t in walker.inbox("demo-shelter")} == {"Task_AcknowledgeReferral"}
