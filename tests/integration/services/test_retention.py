"""Retention: closed cases are anonymised once their pathway's period has passed (personal fields gone,
statistics kept), never while a coordinator's legal hold stands; a dry run lists what would go."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.domain import CaseStatus
from engine.errors import AccessDenied, InvalidData
from engine.runtime.case_data import case_data
from engine.services.cases.lifecycle import open_case
from engine.services.cases.retention import anonymise_due_cases, cases_due, lift_legal_hold, place_legal_hold
from engine.services.cases.step import begin_step
from engine.store.models import AuditEntry, CaseEvent, CaseRow, CaseSummaryRow, ConsentRow
from tests.integration.services.conftest import IDENTIFICATION, NO_NEEDS
from tests.integration.services.walk import CaseWalker
from webui.cli import main

FIVE_YEARS = timedelta(days=5 * 365)
PERSON = {**IDENTIFICATION, "nationality": "Nigériane"}


@pytest.fixture
def walker(container, published) -> CaseWalker:
    return CaseWalker(container)


def _closed_case(container, walker) -> CaseRow:
    """A case closed at once: consent refused, no override."""
    opened = open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Identification", PERSON, case_id=opened.id)
    walker.complete("demo-caseworker", "Task_NeedsAssessment", {**NO_NEEDS, "assessment_date": "2026-03-02",
                                                                 "need_shelter": True, "shelter_urgency": "normal"}, case_id=opened.id)
    walker.complete("demo-caseworker", "Task_Consent", {"consent_given": False}, case_id=opened.id)
    walker.complete("demo-caseworker", "Task_ConsentRefused", {"override_requested": False}, case_id=opened.id)
    with container.uow() as uow:
        case = uow.session.get(CaseRow, opened.id)
        assert case.status == CaseStatus.CLOSED
        return case


def _data(container, case_id: int) -> dict:
    with container.uow() as uow:
        return case_data(begin_step(uow, container.clock, case_id, None, "read").workflow)


def _statistics(container, case_id: int) -> tuple:
    with container.uow() as uow:
        case = uow.session.get(CaseRow, case_id)
        return case.status, case.priority, case.risk_level, case.region, case.created_at, case.closed_at, case.close_reason


def test_a_closed_case_is_anonymised_after_its_period_and_keeps_its_statistics(container, walker):
    case = _closed_case(container, walker)
    before, statistics = _data(container, case.id), _statistics(container, case.id)
    assert before["person_alias"] == PERSON["person_alias"] and before["phone"] == PERSON["phone"]
    container.clock.advance(FIVE_YEARS - timedelta(days=1))
    assert cases_due(container.uow(), container.clock) == []
    container.clock.advance(timedelta(days=2))
    assert [due.reference for due in cases_due(container.uow(), container.clock)] == [case.reference]
    assert anonymise_due_cases(container.uow(), container.clock) == [case.reference]
    after = _data(container, case.id)
    for personal in ("person_alias", "phone", "site", "nationality", "language"):
        assert personal not in after, personal
    for kept in ("sex", "age", "region", "identification_source", "return_modality", "risk_level", "priority",
                 "need_shelter", "consent_given", "closure_reason"):
        assert after.get(kept) == before.get(kept), kept
    assert _statistics(container, case.id) == statistics
    with container.uow() as uow:
        summary = uow.session.get(CaseSummaryRow, case.id)  # the case header's copy goes the same way
        assert "person_alias" not in summary.person and "site" not in summary.person
        assert summary.person["sex"] == PERSON["sex"] and summary.needs == {"shelter": "normal"}
        assert uow.session.get(CaseRow, case.id).anonymised_at == container.clock.now()
        assert uow.session.scalar(select(CaseEvent.action).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id.desc()).limit(1)) == "case_anonymised"
        assert uow.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "case.anonymised", AuditEntry.case_id == case.id))
    # Done once: the next run finds nothing.
    assert anonymise_due_cases(container.uow(), container.clock) == []


def test_a_legal_hold_keeps_the_case_until_a_coordinator_lifts_it(container, walker):
    case = _closed_case(container, walker)
    coordinator, caseworker = walker.actor("demo-coordinator"), walker.actor("demo-caseworker")
    with pytest.raises(AccessDenied):
        place_legal_hold(container.uow(), container.clock, case.id, caseworker, "proceedings")
    with pytest.raises(InvalidData):
        place_legal_hold(container.uow(), container.clock, case.id, coordinator, "   ")
    place_legal_hold(container.uow(), container.clock, case.id, coordinator, "Tribunal de Douala, affaire 12/2026")
    container.clock.advance(FIVE_YEARS + timedelta(days=1))
    assert cases_due(container.uow(), container.clock) == []
    assert anonymise_due_cases(container.uow(), container.clock) == []
    assert _data(container, case.id)["person_alias"] == PERSON["person_alias"]
    lift_legal_hold(container.uow(), container.clock, case.id, coordinator)
    assert anonymise_due_cases(container.uow(), container.clock) == [case.reference]


def test_the_dry_run_lists_what_would_go_and_changes_nothing_then_the_run_removes_it(container, walker):
    case = _closed_case(container, walker)
    container.clock.advance(FIVE_YEARS + timedelta(days=1))
    dry = CliRunner().invoke(main, ["retention", "run", "--dry-run"], obj=container)
    assert dry.exit_code == 0, dry.output
    assert case.reference in dry.output and "1 case would be anonymised" in dry.output
    assert _data(container, case.id)["person_alias"] == PERSON["person_alias"]
    run = CliRunner().invoke(main, ["retention", "run"], obj=container)
    assert run.exit_code == 0 and f"{case.reference}  anonymised" in run.output
    assert "person_alias" not in _data(container, case.id)


def test_the_command_line_holds_a_case_for_coordinators_only(container, walker):
    case = _closed_case(container, walker)
    refused = CliRunner().invoke(main, ["case", "hold", case.reference, "--reason", "x", "--user", "demo-caseworker"], obj=container)
    assert refused.exit_code == 1
    held = CliRunner().invoke(main, ["case", "hold", case.reference, "--reason", "Enquête", "--user", "demo-coordinator"], obj=container)
    assert held.exit_code == 0, held.output
    with container.uow() as uow:
        row = uow.session.get(CaseRow, case.id)
        assert row.legal_hold_reason == "Enquête" and row.legal_hold_at is not None
        assert uow.session.scalars(select(ConsentRow).where(ConsentRow.case_id == case.id)).all()


def test_what_the_send_and_decision_forms_said_loses_its_personal_fields_with_the_case(container, walker):
    from engine.domain import ReferralState, Sector
    from engine.store.models import ReferralRow

    case = _closed_case(container, walker)
    with container.uow() as uow:
        now = container.clock.now()
        uow.session.add(ReferralRow(
            case_id=case.id, need_key="shelter", sector=Sector("shelter"), state=ReferralState.REDIRECTED,
            created_at=now, updated_at=now, closed_at=now,
            request={"site": "Douala, quartier Akwa", "priority": "high"},
            answer={"redirect_to": "Foyer de Bonabéri", "need_shelter": True}))
        uow.commit()
    container.clock.advance(FIVE_YEARS + timedelta(days=1))

    assert anonymise_due_cases(container.uow(), container.clock) == [case.reference]

    with container.uow() as uow:
        referral = uow.session.scalars(select(ReferralRow).where(ReferralRow.case_id == case.id)).one()
        # The pathway keeps priority and the need for statistics; the site and the suggestion are the person's.
        assert referral.request == {"priority": "high"} and referral.answer == {"need_shelter": True}
