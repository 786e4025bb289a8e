"""A pathway whose decision form names its fields its own way (verdict, why_not, first_visit) says so on its
decide step: the referral takes its state, its decline reason and its appointment from those fields, and keeps
the rest of the form as the provider's answer, from the task pages and from the JSON API's words alike. Its
outcome step (served, how_it_went) and its unmet step (gap_reason, gap_note) do the same."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.domain import ReferralState, Sector, UnmetReason
from engine.errors import InvalidData
from engine.services.cases.lifecycle import open_case
from engine.services.pathways.labels import decline_reason_words, texts_of_cases
from engine.services.referrals.answers import answer_referral
from engine.services.tasks.completion import describe_task
from engine.store.models import ReferralRow, UnmetNeedRow
from tests.integration.services.walk import CaseWalker, walker_on

OWN_FIELDS = Path(__file__).resolve().parents[2] / "fixtures" / "valid" / "own-decision-fields"
PROVIDER = "demo-health-douala"
CONSENT = {"consent_given": True, "consent_given_by": "person", "consent_method": "signature",
           "consent_language": "english"}


@pytest.fixture
def walker(container) -> CaseWalker:
    return walker_on(container, OWN_FIELDS)


def _acknowledged(container, walker) -> int:
    """A case whose health referral the hospital acknowledged: the case's id."""
    case = open_case(container.uow(), container.clock, "own-decision-fields", walker.actor("demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Assess", {"person_alias": "A. M.", "sector": "health"}, case_id=case.id)
    walker.complete("demo-caseworker", "Task_Consent", CONSENT, case_id=case.id)
    walker.complete("demo-caseworker", "Task_Send", {"send_to": "demo-hopital-douala", "what_for": "A check-up"},
                    case_id=case.id)
    walker.complete(PROVIDER, "Task_Acknowledge", {"acknowledged_by": "Dr Ngo"}, case_id=case.id)
    return case.id


def _referral(container, case_id: int) -> ReferralRow:
    with container.uow() as uow:
        return uow.session.scalars(select(ReferralRow).where(ReferralRow.case_id == case_id)).one()


def test_the_send_step_reads_the_provider_from_the_field_it_names(container, walker):
    case = open_case(container.uow(), container.clock, "own-decision-fields", walker.actor("demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Assess", {"person_alias": "A. M.", "sector": "health"}, case_id=case.id)
    walker.complete("demo-caseworker", "Task_Consent", CONSENT, case_id=case.id)
    with pytest.raises(InvalidData) as refused:  # a provider nobody knows, named by the step's own field
        walker.complete("demo-caseworker", "Task_Send", {"send_to": "nobody-here"}, case_id=case.id)
    assert set(refused.value.errors) == {"send_to"}
    # The form's field offers the providers ranked for the need.
    form = describe_task(container.uow(), container.clock, walker.task("demo-caseworker", "Task_Send", case_id=case.id).id,
                         walker.actor("demo-caseworker"))
    assert form.provider_field == "send_to" and "demo-hopital-douala" in [p.slug for p in form.providers]
    walker.complete("demo-caseworker", "Task_Send", {"send_to": "demo-hopital-douala", "what_for": "A check-up"},
                    case_id=case.id)
    referral = _referral(container, case.id)
    # The provider's choice is no part of what the referral says to the provider.
    assert (referral.state, referral.request) == (ReferralState.SENT, {"what_for": "A check-up"})


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


# The same pathway's outcome step says served / how_it_went, its unmet step gap_reason / gap_note.

def _taken_on(container, walker) -> int:
    case_id = _acknowledged(container, walker)
    walker.complete(PROVIDER, "Task_Answer", {"verdict": "accepted"}, case_id=case_id)
    return case_id


def _turned_down(container, walker) -> int:
    case_id = _acknowledged(container, walker)
    walker.complete(PROVIDER, "Task_Answer", {"verdict": "declined", "why_not": "no_places"}, case_id=case_id)
    return case_id


def _unmet_needs(container, case_id: int) -> list[UnmetNeedRow]:
    with container.uow() as uow:
        return list(uow.session.scalars(select(UnmetNeedRow).where(UnmetNeedRow.case_id == case_id)))


@pytest.mark.parametrize("served, state", [(True, ReferralState.DELIVERED), (False, ReferralState.NOT_DELIVERED)])
def test_the_outcome_is_read_from_the_fields_the_outcome_step_declares(container, walker, served, state):
    case_id = _taken_on(container, walker)
    walker.complete(PROVIDER, "Task_Report", {"served": served, "how_it_went": "Seen on the 9th"}, case_id=case_id)
    referral = _referral(container, case_id)
    assert (referral.state, referral.outcome_note) == (state, "Seen on the 9th")
    assert referral.closed_at == referral.outcome_at is not None


def test_the_apis_outcome_words_reach_the_fields_the_pathway_declares(container, walker):
    case_id = _taken_on(container, walker)
    provider = walker.actor(PROVIDER)
    referral_id = _referral(container, case_id).id

    def report(data: dict):
        return answer_referral(container.uow(), container.clock, referral_id, provider, "outcome", data)

    # A refused answer names the field as the API's caller wrote it (the form requires `served`).
    with pytest.raises(InvalidData) as refused:
        report({"service_delivered": None, "outcome_note": "Not seen yet"})
    assert set(refused.value.errors) == {"service_delivered"}
    report({"service_delivered": False, "outcome_note": "Never came"})
    referral = _referral(container, case_id)
    assert (referral.state, referral.outcome_note) == (ReferralState.NOT_DELIVERED, "Never came")


def test_an_unmet_need_takes_its_reason_and_note_from_the_fields_the_unmet_step_declares(container, walker):
    case_id = _turned_down(container, walker)
    with pytest.raises(InvalidData) as refused:  # an option the step's field does not have
        walker.complete("demo-caseworker", "Task_NextStep", {"gap_reason": "no_response"}, case_id=case_id)
    assert set(refused.value.errors) == {"gap_reason"}
    walker.complete("demo-caseworker", "Task_NextStep", {"gap_reason": "full", "gap_note": "Every clinic is full"},
                    case_id=case_id)
    [need] = _unmet_needs(container, case_id)
    assert (need.reason, need.note, need.sector) == (UnmetReason.FULL, "Every clinic is full", Sector.HEALTH)
    assert need.referral_id == _referral(container, case_id).id


def test_an_empty_declared_reason_sends_the_need_on_and_records_nothing(container, walker):
    case_id = _turned_down(container, walker)
    walker.complete("demo-caseworker", "Task_NextStep", {"gap_reason": None, "gap_note": "Trying the other clinic"},
                    case_id=case_id)
    assert _unmet_needs(container, case_id) == []
