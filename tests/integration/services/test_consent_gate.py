"""No referral leaves without a valid consent covering its sector and recipient; withdrawal revokes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.domain import ReferralState, TaskState
from engine.errors import ConsentRequired, InvalidData
from engine.services.cases.lifecycle import open_case
from engine.services.cases.consents import withdraw_consent
from engine.store.models import CaseEvent, ConsentRow, Organisation, OutboxRow, ReferralRow, TaskRow
from tests.integration.services.conftest import ASSESSMENT, CONSENT, IDENTIFICATION, NO_NEEDS
from tests.integration.services.walk import CaseWalker


@pytest.fixture
def walker(container, published) -> CaseWalker:
    return CaseWalker(container)


def _case(container, walker, identification=IDENTIFICATION, assessment=ASSESSMENT, consent=CONSENT):
    case = open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Identification", identification)
    walker.complete("demo-caseworker", "Task_NeedsAssessment", assessment)
    walker.complete("demo-caseworker", "Task_Consent", consent)
    return case


def _referrals(container):
    with container.uow() as uow:
        return uow.session.scalars(select(ReferralRow).order_by(ReferralRow.id)).all()


def test_the_recorded_consent_covers_the_assessed_sectors_and_signed_providers(container, walker):
    _case(container, walker)
    with container.uow() as uow:
        consent = uow.session.scalars(select(ConsentRow)).one()
    assert (consent.given, consent.scope_services, consent.scope_recipients) == (True, ["health", "shelter"], ["signed_providers"])
    assert consent.scope == "minimum_necessary"  # the pathway's sharing rule keeps health details back for it


def test_a_referral_with_a_valid_consent_is_sent_and_remembers_the_consent(container, walker):
    _case(container, walker)
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, sector="health")
    (referral,) = _referrals(container)
    assert referral.state == ReferralState.SENT and referral.consent_id is not None
    assert "vuln_medical" not in referral.shared_fields and "sex" in referral.shared_fields


def test_an_expired_consent_stops_the_referral_and_nothing_changes(container, walker):
    _case(container, walker)
    with container.uow() as uow:
        uow.session.scalars(select(ConsentRow)).one().expires_at = container.clock.now() + timedelta(days=1)
        uow.commit()
    container.clock.advance(timedelta(days=2))
    with pytest.raises(ConsentRequired, match="no valid consent"):
        walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, sector="health")
    assert _referrals(container) == []
    assert len([t for t in walker.inbox("demo-caseworker") if t.bpmn_id == "Task_SendReferral"]) == 2


def test_a_consent_that_does_not_cover_the_sector_stops_the_referral(container, walker):
    _case(container, walker)
    with container.uow() as uow:
        uow.session.scalars(select(ConsentRow)).one().scope_services = ["shelter"]
        uow.commit()
    with pytest.raises(ConsentRequired, match="does not cover sending health data"):
        walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, sector="health")
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-bon-samaritain"}, sector="shelter")
    assert [r.sector.value for r in _referrals(container)] == ["shelter"]


def test_a_provider_without_the_data_sharing_agreement_is_not_covered(container, walker):
    north = {**IDENTIFICATION, "region": "extreme_nord"}
    food = {**NO_NEEDS, "assessment_date": "2026-03-02", "need_food_nfi": True, "food_nfi_urgency": "normal"}
    _case(container, walker, north, food)
    with pytest.raises(ConsentRequired, match="has not signed"):
        walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-croix-rouge-en"}, sector="food_nfi")
    # Naming the organisation in the consent covers it, agreements or not.
    with container.uow() as uow:
        red_cross = uow.directory.organisation("demo-croix-rouge-en")
        uow.session.scalars(select(ConsentRow)).one().scope_recipients = [red_cross.id]
        uow.commit()
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-croix-rouge-en"}, sector="food_nfi")
    assert [r.state for r in _referrals(container)] == [ReferralState.SENT]


def test_a_provider_out_of_the_region_needs_a_reason_kept_in_the_history(container, walker):
    _case(container, walker)
    with pytest.raises(InvalidData) as raised:
        walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-yaounde"}, sector="health")
    assert list(raised.value.errors) == ["provider_choice_reason"] and "out of region" in str(raised.value)
    assert _referrals(container) == []
    walker.complete("demo-caseworker", "Task_SendReferral",
                    {"provider_id": "demo-hopital-yaounde", "provider_choice_reason": "the person is moving to Yaoundé"},
                    sector="health")
    (referral,) = _referrals(container)
    with container.uow() as uow:
        events = uow.session.scalars(select(CaseEvent).where(CaseEvent.case_id == referral.case_id)).all()
    (choice,) = [e.details["provider_choice"] for e in events if "provider_choice" in (e.details or {})]
    assert choice["failed_rules"] == ["out_of_region"] and choice["reason"] == "the person is moving to Yaoundé"


def test_a_provider_that_does_not_offer_the_sector_or_is_unknown_is_refused(container, walker):
    _case(container, walker)
    with pytest.raises(InvalidData) as raised:
        walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-cfp-avenir"}, sector="health")
    assert raised.value.errors == {"provider_id": ["does not offer health in littoral"]}
    with pytest.raises(InvalidData, match="not in the directory"):
        walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "no-such-provider"}, sector="health")


def test_refused_consent_is_recorded_and_no_referral_step_follows(container, walker):
    _case(container, walker, consent={"consent_given": False})
    with container.uow() as uow:
        consent = uow.session.scalars(select(ConsentRow)).one()
    assert consent.given is False and consent.scope_services == [] and consent.scope_recipients == []
    assert "Task_SendReferral" not in [t.bpmn_id for t in walker.inbox("demo-caseworker")]
    assert _referrals(container) == []


def test_withdrawing_consent_revokes_pending_referrals_and_moves_the_workflow(container, walker):
    case = _case(container, walker)
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, sector="health")
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-bon-samaritain"}, sector="shelter")
    walker.complete("demo-shelter", "Task_AcknowledgeReferral", {"acknowledged_by": "Mme Ekane"})
    result = withdraw_consent(container.uow(), container.clock, case.id, walker.actor("demo-caseworker"), "ne souhaite plus")
    assert [r.state for r in _referrals(container)] == [ReferralState.REVOKED, ReferralState.REVOKED]
    assert all(r.closed_at == container.clock.now() for r in _referrals(container))
    with container.uow() as uow:
        consent = uow.session.scalars(select(ConsentRow)).one()
        assert consent.withdrawn_at is not None and consent.withdrawal_reason == "ne souhaite plus"
        open_ids = uow.session.scalars(select(TaskRow.bpmn_id).where(TaskRow.state == TaskState.OPEN)).all()
        outbox = uow.session.scalars(select(OutboxRow).where(OutboxRow.event_type == "consent_withdrawn")).one()
    assert open_ids == ["Task_ConfirmWithdrawal"] and result.stage == "consent"
    assert "ne souhaite plus" not in str(outbox.payload)
    assert walker.inbox("demo-health-douala") == [] and walker.inbox("demo-shelter") == []
    # And no referral may leave any more.
    with pytest.raises(ConsentRequired):
        from engine.services.cases.step import begin_step
        from engine.services.cases.consents import consent_covering

        with container.uow() as uow:
            step = begin_step(uow, container.clock, case.id, None, "check")
            consent_covering(step, "health", uow.directory.organisation("demo-hopital-douala"))
    walker.complete("demo-caseworker", "Task_ConfirmWithdrawal", {"withdrawal_date": "2026-03-02"})
    with container.uow() as uow:
        from engine.store.models import CaseRow

        closed = uow.session.get(CaseRow, case.id)
        assert (closed.status.value, closed.close_reason.value) == ("closed", "consent_withdrawn")


def test_no_organisation_is_covered_by_a_consent_naming_another(container, walker):
    _case(container, walker)
    with container.uow() as uow:
        other = uow.directory.organisation("demo-bon-samaritain")
        uow.session.scalars(select(ConsentRow)).one().scope_recipients = [other.id]
        assert uow.session.scalar(select(Organisation).where(Organisation.slug == "demo-hopital-douala")).data_sharing_signed
        uow.commit()
    with pytest.raises(ConsentRequired):
        walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, sector="health")
