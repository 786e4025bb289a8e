"""A need a provider redirected or declined comes back to its send step with what the provider said:
who it was, how it ended, the reason, and the provider it suggests instead; that provider is not
offered as a fit again without a reason, and retention takes what the provider wrote with the rest."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.domain import ReferralState
from engine.errors import InvalidData
from engine.services.pathways.labels import describe_labelled_task
from engine.store.models import ReferralRow
from tests.integration.deadlines.test_referral_expiry import _referral_sent
from tests.integration.services.walk import CaseWalker

SUGGESTION = "Centre de santé de Bonabéri"


@pytest.fixture
def walker(container, published) -> CaseWalker:
    return CaseWalker(container)


def _redirected(container, walker) -> None:
    _referral_sent(container, walker)
    walker.complete("demo-health-douala", "Task_AcknowledgeReferral", {"acknowledged_by": "Dr Ngo"})
    walker.complete("demo-health-douala", "Task_ReferralDecision", {"decision": "redirected", "redirect_to": SUGGESTION})


def _send_page(container, walker, language: str = "fr"):
    send = walker.task("demo-caseworker", "Task_SendReferral", sector="health")
    return describe_labelled_task(container.uow(), container.clock, send.id, walker.actor("demo-caseworker"), language)


def test_the_send_step_says_who_redirected_the_need_and_whom_they_suggest(container, walker):
    _redirected(container, walker)

    page = _send_page(container, walker)

    (earlier,) = page.earlier
    assert (earlier.provider, earlier.state, earlier.decline_reason) == ("DEMO – Hôpital régional de Douala", "redirected", None)
    assert earlier.ended_at == container.clock.now()
    assert earlier.answer == (("Prestataire suggéré", SUGGESTION),)


def test_a_declined_need_comes_back_with_the_reason_in_the_pathways_words(container, walker):
    _referral_sent(container, walker)
    walker.complete("demo-health-douala", "Task_AcknowledgeReferral", {"acknowledged_by": "Dr Ngo"})
    walker.complete("demo-health-douala", "Task_ReferralDecision", {"decision": "declined", "decline_reason": "no_capacity"})
    walker.complete("demo-caseworker", "Task_ReReferral", {})

    (earlier,) = _send_page(container, walker).earlier

    assert (earlier.state, earlier.decline_reason, earlier.answer) == ("declined", "Capacité atteinte", ())


def test_the_provider_that_redirected_needs_a_reason_to_be_sent_the_need_again(container, walker):
    _redirected(container, walker)

    ranked = _send_page(container, walker).providers
    providers = {p.slug: p for p in ranked}

    assert "declined_before" in {f.code for f in providers["demo-hopital-douala"].failures}
    # It comes after every other provider that may receive the need, though it serves the person's region.
    assert [p.slug for p in ranked if not p.refused][-1] == "demo-hopital-douala"
    assert not [p for slug, p in providers.items() if slug != "demo-hopital-douala"
                and "declined_before" in {f.code for f in p.failures}]
    with pytest.raises(InvalidData) as refused:
        walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, sector="health")
    assert "provider_choice_reason" in refused.value.errors


def test_the_first_send_step_shows_no_earlier_referral(container, walker):
    from engine.services.cases.lifecycle import open_case
    from tests.integration.deadlines.test_referral_expiry import CONSENT, IDENTIFICATION, NO_NEEDS

    open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Identification", IDENTIFICATION)
    walker.complete("demo-caseworker", "Task_NeedsAssessment",
                    {**NO_NEEDS, "assessment_date": "2026-03-02", "need_health": True, "health_urgency": "emergency"})
    walker.complete("demo-caseworker", "Task_Consent", {**CONSENT, "consent_scope": "including_health"})

    page = _send_page(container, walker)

    assert page.earlier == () and page.providers


def test_what_the_provider_wrote_is_kept_on_the_referral(container, walker):
    _redirected(container, walker)
    with container.uow() as uow:
        referral = uow.session.scalars(select(ReferralRow)).one()
    assert referral.state == ReferralState.REDIRECTED
    assert referral.answer == {"redirect_to": SUGGESTION}
