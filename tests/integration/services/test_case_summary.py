"""The case's summary row: each step writes the person's fields and the needs the pathway declares, the case
page reads them without the saved workflow, and migration 0015's backfill writes the same for older cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from engine.services.cases.lifecycle import open_case
from engine.services.cases.summary import backfill_case_summaries
from engine.services.cases.view import show_case
from engine.store.models import CaseRow, CaseSummaryRow
from tests.integration.services.conftest import ASSESSMENT, CONSENT, IDENTIFICATION
from tests.integration.services.walk import CaseWalker

PERSON = {"person_alias": "A. M.", "sex": "female", "age": 27, "language": "french", "site": "Aéroport international de Douala",
          "risk_level": "medium"}


@pytest.fixture
def walker(container, published) -> CaseWalker:
    return CaseWalker(container)


def _assessed(container, walker) -> int:
    case = open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Identification", IDENTIFICATION, case_id=case.id)
    walker.complete("demo-caseworker", "Task_NeedsAssessment", ASSESSMENT, case_id=case.id)
    return case.id


def _summary(container, case_id: int):
    with container.uow() as uow:
        row = uow.session.get(CaseSummaryRow, case_id)
        return (dict(row.person), dict(row.needs)) if row is not None else None


def test_each_step_writes_the_declared_summary_and_the_case_page_reads_it_without_the_workflow(container, walker):
    case_id = _assessed(container, walker)
    assert _summary(container, case_id) == (PERSON, {"health": "urgent", "shelter": "normal"})
    # The page must not need the saved workflow: with it unreadable, the header is the same.
    with container.uow() as uow:
        uow.session.execute(update(CaseRow).where(CaseRow.id == case_id).values(workflow_json="not a workflow"))
        uow.commit()
    view = show_case(container.uow(), container.clock, case_id, walker.actor("demo-supervisor"))
    assert list(view.person) == list(PERSON) and view.person == PERSON
    assert view.needs == {"health": "urgent", "shelter": "normal"}


def test_a_step_that_leaves_the_summary_as_it_was_neither_reads_nor_writes_it(container, walker):
    """The summary is compared with the data the step started from, not read back; written only on a change."""
    from sqlalchemy import event

    case_id = _assessed(container, walker)
    statements = []

    def seen(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(container.engine, "before_cursor_execute", seen)
    try:
        walker.complete("demo-caseworker", "Task_Consent", CONSENT, case_id=case_id)
    finally:
        event.remove(container.engine, "before_cursor_execute", seen)
    assert any("UPDATE cases" in statement for statement in statements)  # the step was seen
    assert not [statement for statement in statements if "case_summaries" in statement]
    assert _summary(container, case_id) == (PERSON, {"health": "urgent", "shelter": "normal"})


def test_a_reader_without_the_need_to_know_gets_no_person_from_the_summary(container, walker):
    case_id = _assessed(container, walker)
    view = show_case(container.uow(), container.clock, case_id, walker.actor("demo-coordinator"))
    assert view.person == {} and view.needs == {}


def test_the_backfill_writes_for_older_cases_what_their_steps_would_have(container, walker):
    case_id = _assessed(container, walker)
    written = _summary(container, case_id)
    with container.uow() as uow:
        uow.session.execute(delete(CaseSummaryRow))
        uow.commit()
    changed_at = container.clock.now()
    container.clock.advance(timedelta(days=3))  # the migration runs later than the case's last step
    with container.engine.begin() as connection:
        assert backfill_case_summaries(connection) == 1
        assert backfill_case_summaries(connection) == 0  # done once
    assert _summary(container, case_id) == written
    with container.uow() as uow:
        assert uow.session.scalar(select(CaseSummaryRow.updated_at).where(CaseSummaryRow.case_id == case_id)) == changed_at


def test_a_referral_page_reads_what_it_shares_from_the_summary_not_the_workflow(container, walker):
    from engine.services.referrals.view import show_referral
    from engine.store.models import ReferralRow
    from tests.integration.services.conftest import CONSENT

    case_id = _assessed(container, walker)
    walker.complete("demo-caseworker", "Task_Consent", CONSENT, case_id=case_id)
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, sector="health",
                    case_id=case_id)
    with container.uow() as uow:
        referral_id = uow.session.scalar(select(ReferralRow.id).where(ReferralRow.case_id == case_id))
        uow.session.execute(update(CaseRow).where(CaseRow.id == case_id).values(workflow_json="not a workflow"))
        uow.commit()
    shown = show_referral(container.uow(), container.clock, referral_id, walker.actor("demo-health-douala"))
    assert shown.shared_data["person_alias"] == "A. M." and shown.shared_data["age"] == 27
    assert set(shown.shared_data) <= set(shown.shared_fields) and shown.shared_data["phone"] == "+237 600 00 00 00"
