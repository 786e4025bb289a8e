"""A pathway whose decision form names its fields its own way (verdict, why_not, first_visit) says so on its
decide step: the referral takes its state, its decline reason and its appointment from those fields, and keeps
the rest of the form as the provider's answer, from the task pages and from the JSON API's words alike."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.domain import ReferralState
from engine.errors import InvalidData
from engine.pathways.folder import load_source
from engine.services.cases.lifecycle import open_case
from engine.services.pathways.labels import decline_reason_words, texts_of_cases
from engine.services.pathways.publishing import publish_pathway
from engine.services.referrals.answers import answer_referral
from engine.store.models import ReferralRow
from engine.store.seed import load_demo_data
from tests.integration.services.walk import CaseWalker

OWN_FIELDS = Path(__file__).resolve().parents[2] / "fixtures" / "valid" / "own-decision-fields"
PROVIDER = "demo-health-douala"
CONSENT = {"consent_given": True, "consent_given_by": "person", "consent_method": "signature",
           "consent_language": "english"}


@pytest.fixture
def walker(container) -> CaseWalker:
    load_demo_data(container.uow(), container.clock)
    publish_pathway(container.uow(), load_source(OWN_FIELDS), container.clock)
    return CaseWalker(container)


def _acknowledged(container, walker) -> int:
    """A case whose health referral the hospital acknowledged: the case's id."""
    case = open_case(container.uow(), container.clock, "own-decision-fields", walker.actor("demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Assess", {"person_alias": "A. M.", "sector": "health"}, case_id=case.id)
    walker.complete("demo-caseworker", "Task_Consent", CONSENT, case_id=case.id)
    walker.complete("demo-caseworker", "Task_Send", {"provider_id": "demo-hopital-douala"}, case_id=case.id)
    walker.complete(PROVIDER, "Task_Acknowledge", {"acknowledged_by": "Dr Ngo"}, case_id=case.id)
    return case.id


def _referral(container, case_id: int) -> ReferralRow:
    with container.uow() as uow:
        return uow.session.scalars(select(ReferralRow).where(ReferralRow.case_id == case_id)).one()


def test_an_acceptance_books_the_appointment_the_declared_field_gives(container, walker):
    case_id = _acknowledged(container, walker)
    walker.complete(PROVIDER, "Task_Answer", {"verdict": "accepted", "first_visit": "2026-03-09",
                                              "note_to_caseworker": "Bring the health card"}, case_id=case_id)
    referral = _referral(container, case_id)
    assert referral.state == ReferralState.APPOINTMENT_BOOKED and referral.decline_reason is None
    # The day of the appointment, at midnight in Douala.
    assert referral.appointment_at.replace(tzinfo=timezone.utc) == datetime(2026, 3, 8, 23, 0, tzinfo=timezone.utc)
    assert referral.answer == {"note_to_caseworker": "Bring the health card"}


def test_a_decline_keeps_the_declared_reason_field_as_its_coded_reason(container, walker):
    case_id = _acknowledged(container, walker)
    walker.complete(PROVIDER, "Task_Answer", {"verdict": "declined", "why_not": "no_places",
                                              "note_to_caseworker": "Full until April"}, case_id=case_id)
    referral = _referral(container, case_id)
    assert (referral.state, referral.decline_reason, referral.closed_at) == (
        ReferralState.DECLINED, "no_places", referral.decided_at)
    assert referral.answer == {"note_to_caseworker": "Full until April"}
    # Read back in the pathway's words: the option of the field the decide step names.
    texts = texts_of_cases(container.uow(), [case_id], "en")[case_id]
    assert decline_reason_words(texts, "no_places") == "No places left"


def test_a_verdict_that_is_no_decision_is_refused_naming_the_declared_field(container, walker):
    case_id = _acknowledged(container, walker)
    with pytest.raises(InvalidData) as refused:
        walker.complete(PROVIDER, "Task_Answer", {"verdict": "maybe"}, case_id=case_id)
    assert set(refused.value.errors) == {"verdict"}
    with pytest.raises(InvalidData) as refused:  # the form's rule on the declared reason field still holds
        walker.complete(PROVIDER, "Task_Answer", {"verdict": "declined"}, case_id=case_id)
    assert set(refused.value.errors) == {"why_not"}
    assert _referral(container, case_id).state == ReferralState.ACKNOWLEDGED


def test_the_apis_words_reach_the_fields_the_pathway_declares(container, walker):
    accepted, declined = _acknowledged(container, walker), _acknowledged(container, walker)
    provider = walker.actor(PROVIDER)

    def answer(case_id: int, data: dict):
        return answer_referral(container.uow(), container.clock, _referral(container, case_id).id, provider, "decide", data)

    answer(accepted, {"decision": "accepted", "appointment_date": "2026-03-10"})
    assert _referral(container, accepted).appointment_at.replace(tzinfo=timezone.utc) == datetime(
        2026, 3, 9, 23, 0, tzinfo=timezone.utc)
    # A refused answer names the field as the API's caller wrote it.
    with pytest.raises(InvalidData) as refused:
        answer(declined, {"decision": "declined"})
    assert set(refused.value.errors) == {"decline_reason"}
    answer(declined, {"decision": "declined", "decline_reason": "other"})
    assert (_referral(container, declined).state, _referral(container, declined).decline_reason) == (
        ReferralState.DECLINED, "other")
