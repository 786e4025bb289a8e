"""One step, one transaction: a failure mid-step leaves nothing; a workflow failure flags the case, never hides it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.errors import AccessDenied
from engine.pathways.folder import load_source
from engine.services.accounts.actors import load_actor
from engine.services.cases.lifecycle import list_cases_needing_attention, open_case
from engine.services.tasks.inbox import list_inbox
from engine.services.pathways.publishing import publish_pathway
from engine.services.tasks.completion import complete_task
from engine.store.models import CaseRow, OutboxRow
from tests.integration.services.conftest import ASSESSMENT, CONSENT, IDENTIFICATION
from tests.integration.services.test_case_services import _snapshot
from tests.integration.services.walk import CaseWalker

ATTENTION = Path(__file__).resolve().parent / "fixtures" / "attention"


class InjectedFailure(Exception):
    """Raised on purpose inside a step."""


def _raise(step):
    raise InjectedFailure("the machine stopped mid-step")


def _invalid_outbox_row(step):
    # An outbox row without its event type violates a NOT NULL constraint of the real table.
    step.session.add(OutboxRow(event_type=None, case_id=step.case.id, payload={}, created_at=step.now))
    step.session.flush()


@pytest.fixture
def walker(container, published) -> CaseWalker:
    return CaseWalker(container)


@pytest.mark.parametrize("hook, error", [(_raise, InjectedFailure), (_invalid_outbox_row, IntegrityError)])
def test_a_failure_before_the_commit_leaves_nothing_of_the_step(container, walker, hook, error):
    case = open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Identification", IDENTIFICATION)
    walker.complete("demo-caseworker", "Task_NeedsAssessment", ASSESSMENT)
    before = _snapshot(container)
    # The consent step writes a consent, a task, candidates, history, audit and outbox rows...
    with pytest.raises(error):
        walker.complete("demo-caseworker", "Task_Consent", CONSENT, hook=hook)
    assert _snapshot(container) == before
    # ...and the same step, retried, goes through whole.
    result = walker.complete("demo-caseworker", "Task_Consent", CONSENT)
    assert result.stage == "referral" and result.case_id == case.id


def test_a_failure_while_opening_leaves_no_case_and_no_reference_used(container, walker):
    before = _snapshot(container)
    with pytest.raises(InjectedFailure):
        open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker"), hook=_raise)
    assert _snapshot(container) == before
    assert open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker")).reference == "MNR-2026-000001"


@pytest.fixture
def attention(container, published):
    publish_pathway(container.uow(), load_source(ATTENTION), container.clock)
    return load_actor(container.uow(), "demo-caseworker")


def test_a_step_that_fails_at_run_time_flags_the_case_for_coordinators(container, attention):
    case = open_case(container.uow(), container.clock, "attention-check", attention)
    result = complete_task(container.uow(), container.clock, case.open_task_ids[0], attention, {"people": 0})
    assert result.needs_attention
    assert result.failures and "Task_Share" in result.failures[0]
    coordinator = load_actor(container.uow(), "demo-coordinator")
    (listed,) = list_cases_needing_attention(container.uow(), coordinator)
    assert listed.reference == case.reference and "Task_Share" in listed.message
    assert listed.since == container.clock.now()
    # The form data was kept: the step committed consistently, with the failing task shown.
    with container.uow() as uow:
        row = uow.session.get(CaseRow, case.id)
        assert row.needs_attention and '"people":0' in row.workflow_json.replace(" ", "")
    assert list_inbox(container.uow(), attention) == []


def test_supervisors_see_only_their_organisations_cases_needing_attention(container, attention):
    open_case(container.uow(), container.clock, "attention-check", attention)
    case = open_case(container.uow(), container.clock, "attention-check", attention)
    complete_task(container.uow(), container.clock, case.open_task_ids[0], attention, {"people": 0})
    assert [c.reference for c in list_cases_needing_attention(container.uow(), load_actor(container.uow(), "demo-supervisor"))] == [case.reference]
    assert list_cases_needing_attention(container.uow(), load_actor(container.uow(), "demo-minas-supervisor")) == []
    with pytest.raises(AccessDenied):
        list_cases_needing_attention(container.uow(), attention)


def test_a_healthy_step_clears_nothing_it_should_not(container, attention):
    case = open_case(container.uow(), container.clock, "attention-check", attention)
    result = complete_task(container.uow(), container.clock, case.open_task_ids[0], attention, {"people": 4})
    assert not result.needs_attention and result.failures == ()
    with container.uow() as uow:
        assert uow.session.scalars(select(CaseRow.attention_message)).one() is None
