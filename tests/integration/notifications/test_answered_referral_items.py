"""A provider's "new referral" item stands while the referral waits for them, and says where it went once it no longer does."""

from __future__ import annotations

from engine.services.accounts.notification_list import list_notifications
from engine.services.cases.consents import withdraw_consent
from engine.services.cases.lifecycle import open_case
from tests.integration.notifications.test_handover_notifications import world  # noqa: F401
from tests.integration.services.conftest import CONSENT, IDENTIFICATION, NO_NEEDS, published  # noqa: F401


def _sent(container, world) -> int:  # noqa: F811
    walker = world.walker
    case = open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Identification", IDENTIFICATION)
    walker.complete("demo-caseworker", "Task_NeedsAssessment",
                    {**NO_NEEDS, "assessment_date": "2026-03-02", "need_health": True, "health_urgency": "urgent"})
    walker.complete("demo-caseworker", "Task_Consent", CONSENT)
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, sector="health")
    world.dispatch()
    return case.id


def _referral_item(container, world):  # noqa: F811
    items = list_notifications(container.uow(), world.walker.actor("demo-health-douala"), "fr")
    return [(item.done, item.referral_state) for item in items if item.title.startswith("Nouveau référencement reçu")]


def test_a_referral_item_stands_until_the_provider_decided_then_names_the_decision(container, world):  # noqa: F811
    _sent(container, world)
    assert _referral_item(container, world) == [(False, None)]
    world.walker.complete("demo-health-douala", "Task_AcknowledgeReferral", {"acknowledged_by": "X"}, sector=None)
    assert _referral_item(container, world) == [(False, None)]  # acknowledged: the decision is still to make
    world.walker.complete("demo-health-douala", "Task_ReferralDecision", {"decision": "accepted"}, sector=None)
    assert _referral_item(container, world) == [(True, "accepted")]
    page = world.opens("demo-health-douala", "/notifications")
    link = world.links("demo-health-douala", "fr")[0]
    # Still the provider's referral to open (its outcome is to come), so the item keeps its link.
    assert '<span class="badge">Accepté</span>' in page and f'href="{link}"' in page
    world.opens("demo-health-douala", link)


def test_a_revoked_referrals_item_says_so_instead_of_asking_for_an_answer(container, world):  # noqa: F811
    case_id = _sent(container, world)
    withdraw_consent(container.uow(), container.clock, case_id, world.walker.actor("demo-caseworker"))
    assert _referral_item(container, world) == [(True, "revoked")]
    assert '<span class="badge">Révoqué</span>' in world.opens("demo-health-douala", "/notifications")
