"""A pathway whose forms name the case's facts and the consent steps' fields their own way (own-case-fields):
pathway.yaml's `case_fields:` gives the case its priority, risk level, region and closure reason from the
fields it names, at opening and from any form; each consent step's properties say which of its fields record
the consent, ask for an override, approve it and withdraw the consent. Walked through the services."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from engine.domain import CaseStatus, CloseReason, ConsentGiver, ConsentMethod, Priority, RiskLevel
from engine.errors import InvalidData
from engine.services.cases.lifecycle import open_case
from engine.services.pathways.labels import show_labelled_case
from engine.services.referrals.answers import complete_consent_step
from engine.store.models import CaseRow, ConsentRow
from tests.integration.services.walk import CaseWalker, walker_on

OWN_FIELDS = Path(__file__).resolve().parents[2] / "fixtures" / "valid" / "own-case-fields"
CASEWORKER = "demo-caseworker"
AGREED = {"agreed": True, "agreed_by": "caregiver", "how_agreed": "thumbprint", "told_in": "english",
          "may_share": "only_the_basics"}


@pytest.fixture
def walker(container) -> CaseWalker:
    return walker_on(container, OWN_FIELDS)


def _opened(container, walker, data: dict | None = None) -> int:
    return open_case(container.uow(), container.clock, "own-case-fields", walker.actor(CASEWORKER), data).id


def _assessed(container, walker) -> int:
    case_id = _opened(container, walker)
    walker.complete(CASEWORKER, "Task_Assess", {"person_alias": "A. M."}, case_id=case_id)
    return case_id


def _case(container, case_id: int) -> CaseRow:
    with container.uow() as uow:
        return uow.session.get(CaseRow, case_id)


def _consents(container, case_id: int) -> list[ConsentRow]:
    with container.uow() as uow:
        return list(uow.session.scalars(select(ConsentRow).where(ConsentRow.case_id == case_id).order_by(ConsentRow.id)))


def test_the_case_takes_its_facts_from_the_fields_pathway_yaml_names(container, walker):
    # Today's names mean nothing to this pathway: only how_pressing, danger and area set the case's columns.
    case_id = _opened(container, walker, {"how_pressing": "urgent", "area": "Littoral", "priority": "emergency",
                                          "region": "Centre"})
    case = _case(container, case_id)
    assert (case.priority, case.risk_level, case.region) == (Priority.URGENT, None, "Littoral")
    walker.complete(CASEWORKER, "Task_Assess", {"person_alias": "A. M.", "how_pressing": "emergency", "danger": "high",
                                               "area": "Ouest"}, case_id=case_id)
    case = _case(container, case_id)
    assert (case.priority, case.risk_level, case.region) == (Priority.EMERGENCY, RiskLevel.HIGH, "Ouest")


def test_a_consent_is_recorded_from_the_fields_its_step_names(container, walker):
    case_id = _assessed(container, walker)
    with pytest.raises(InvalidData) as refused:  # given, but not said how: the step's own field is named
        walker.complete(CASEWORKER, "Task_Consent", {"agreed": True}, case_id=case_id)
    assert set(refused.value.errors) == {"how_agreed"}
    walker.complete(CASEWORKER, "Task_Consent", AGREED, case_id=case_id)
    [consent] = _consents(container, case_id)
    assert (consent.given, consent.given_by, consent.method, consent.language, consent.scope) == (
        True, ConsentGiver.CAREGIVER, ConsentMethod.THUMBPRINT, "en", "only_the_basics")
    # The case page words the scope with the option of the field the consent step names.
    page = show_labelled_case(container.uow(), container.clock, case_id, walker.actor(CASEWORKER), "en")
    assert page.consent_scopes == {"only_the_basics": "Only the basics"}


def test_the_apis_consent_words_reach_the_fields_the_step_names(container, walker):
    case_id = _assessed(container, walker)
    actor = walker.actor(CASEWORKER)

    def record(data: dict):
        return complete_consent_step(container.uow(), container.clock, case_id, actor, "record", data)

    with pytest.raises(InvalidData) as refused:  # named back as the API's caller wrote it
        record({"consent_given": True})
    assert set(refused.value.errors) == {"consent_method"}
    record({"consent_given": True, "consent_method": "signature", "consent_scope": "only_the_basics"})
    [consent] = _consents(container, case_id)
    assert (consent.given, consent.method, consent.scope) == (True, ConsentMethod.SIGNATURE, "only_the_basics")


def test_a_withdrawal_keeps_the_note_of_the_field_its_step_names_and_the_closure_its_reason(container, walker):
    case_id = _assessed(container, walker)
    walker.complete(CASEWORKER, "Task_Consent", AGREED, case_id=case_id)
    walker.complete(CASEWORKER, "Task_Withdraw", {"why_withdrawn": "Moved to another town"}, case_id=case_id)
    [consent] = _consents(container, case_id)
    assert consent.withdrawn_at is not None and consent.withdrawal_reason == "Moved to another town"
    walker.complete(CASEWORKER, "Task_Close", {"why_closed": "transferred"}, case_id=case_id)
    case = _case(container, case_id)
    assert (case.status, case.close_reason) == (CaseStatus.CLOSED, CloseReason.TRANSFERRED)


def test_an_override_is_asked_and_approved_with_the_fields_its_steps_name(container, walker):
    case_id = _assessed(container, walker)
    walker.complete(CASEWORKER, "Task_Consent", {"agreed": False}, case_id=case_id)
    with pytest.raises(InvalidData) as refused:
        walker.complete(CASEWORKER, "Task_Refused", {"ask_override": True, "override_why": "life_threatening"},
                        case_id=case_id)
    assert set(refused.value.errors) == {"override_because"}
    walker.complete(CASEWORKER, "Task_Refused", {"ask_override": True, "override_why": "life_threatening",
                                                 "override_because": "Needs surgery today"}, case_id=case_id)
    refusal, override = _consents(container, case_id)
    assert (refusal.given, override.is_override, override.override_justification) == (False, True, "Needs surgery today")
    assert override.override_approved_at is None
    walker.complete("demo-supervisor", "Task_Approve", {"supervisor_agrees": True}, case_id=case_id)
    assert _consents(container, case_id)[1].override_approved_at is not None


def test_a_closure_reason_a_script_sets_under_the_declared_name_closes_the_case_with_it(container, walker):
    case_id = _assessed(container, walker)
    walker.complete(CASEWORKER, "Task_Consent", {"agreed": False}, case_id=case_id)
    walker.complete(CASEWORKER, "Task_Refused", {"ask_override": False}, case_id=case_id)
    case = _case(container, case_id)
    assert (case.status, case.close_reason) == (CaseStatus.CLOSED, CloseReason.UNREACHABLE)
