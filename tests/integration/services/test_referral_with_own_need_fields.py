"""A pathway that names the case's needs its own way (own-need-fields: a list `besoins`, each `besoin`
{domaine, urgence}) says so in pathway.yaml's `need_fields:`: the consent covers the sectors of that list, each
need gets its referral branch, labelled and prioritised by its own sector and urgency, providers are ranked
for it, and an unmet need is recorded under its sector. Its acknowledge step names its fields its own way
(recu_par, recu_le): the JSON API's `acknowledged_by` and `acknowledged_on` reach them. Walked through the
services."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from engine.domain import Priority, ReferralState, Sector, UnmetReason
from engine.errors import InvalidData
from engine.runtime import case_runtime
from engine.services.cases.lifecycle import open_case
from engine.services.cases.step import begin_step
from engine.services.referrals.answers import answer_referral
from engine.services.tasks.completion import describe_task
from engine.store.models import ConsentRow, ReferralRow, UnmetNeedRow
from tests.integration.services.walk import CaseWalker, walker_on

OWN_NEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "valid" / "own-need-fields"
CASEWORKER, HOSPITAL, SHELTER = "demo-caseworker", "demo-health-douala", "demo-shelter"
CONSENT = {"consent_given": True, "consent_given_by": "person", "consent_method": "signature",
           "consent_language": "english"}


@pytest.fixture
def walker(container) -> CaseWalker:
    return walker_on(container, OWN_NEEDS)


def _consented(container, walker, **needs) -> int:
    """A case whose needs (sante, abri...) are assessed and whose consent is recorded: the case's id."""
    case = open_case(container.uow(), container.clock, "own-need-fields", walker.actor(CASEWORKER))
    walker.complete(CASEWORKER, "Task_Assess", {"person_alias": "A. M.", **needs}, case_id=case.id)
    walker.complete(CASEWORKER, "Task_Consent", CONSENT, case_id=case.id)
    return case.id


def _sent_to_the_hospital(container, walker) -> int:
    case_id = _consented(container, walker, sante=True, sante_urgence="urgent")
    walker.complete(CASEWORKER, "Task_Send", {"provider_id": "demo-hopital-douala"}, "health", case_id=case_id)
    return case_id


def _referrals(container, case_id: int) -> dict[str, ReferralRow]:
    with container.uow() as uow:
        return {r.sector.value: r for r in uow.session.scalars(select(ReferralRow).where(ReferralRow.case_id == case_id))}


def _kept(container, case_id: int, task_id: str) -> dict:
    """What the case keeps of a completed task's form."""
    with container.uow() as uow:
        return case_runtime.find_task(begin_step(uow, container.clock, case_id, None, "read").workflow, task_id).data


def test_each_declared_need_gets_its_branch_its_priority_and_its_referral(container, walker):
    case_id = _consented(container, walker, sante=True, sante_urgence="urgent", abri=True)
    with container.uow() as uow:
        [consent] = uow.session.scalars(select(ConsentRow).where(ConsentRow.case_id == case_id)).all()
        # The consent covers the sectors of `besoins`, not every sector.
        assert consent.scope_services == ["health", "shelter"]
    health, shelter = (walker.task(CASEWORKER, "Task_Send", sector, case_id) for sector in ("health", "shelter"))
    assert (health.priority, shelter.priority) == ("urgent", "normal")
    form = describe_task(container.uow(), container.clock, health.id, walker.actor(CASEWORKER))
    assert "demo-hopital-douala" in [provider.slug for provider in form.providers]
    walker.complete(CASEWORKER, "Task_Send", {"provider_id": "demo-hopital-douala"}, "health", case_id=case_id)
    walker.complete(CASEWORKER, "Task_Send", {"provider_id": "demo-bon-samaritain"}, "shelter", case_id=case_id)
    referrals = _referrals(container, case_id)
    assert {sector: (r.priority, r.state) for sector, r in referrals.items()} == {
        "health": (Priority.URGENT, ReferralState.SENT), "shelter": (Priority.NORMAL, ReferralState.SENT)}
    # Each provider's step belongs to its own need's referral.
    assert walker.task(HOSPITAL, "Task_Acknowledge", "health", case_id).referral_id == referrals["health"].id
    assert walker.task(SHELTER, "Task_Acknowledge", "shelter", case_id).referral_id == referrals["shelter"].id


def test_the_apis_acknowledgement_words_reach_the_fields_the_step_declares(container, walker):
    case_id = _sent_to_the_hospital(container, walker)
    referral_id = _referrals(container, case_id)["health"].id
    task_id = walker.task(HOSPITAL, "Task_Acknowledge", "health", case_id).id

    def acknowledge(data: dict):
        return answer_referral(container.uow(), container.clock, referral_id, walker.actor(HOSPITAL), "acknowledge", data)

    # A refused answer names the field as the API's caller wrote it (the form requires `recu_par`).
    with pytest.raises(InvalidData) as refused:
        acknowledge({"acknowledged_on": "2026-03-02"})
    assert set(refused.value.errors) == {"acknowledged_by"}
    acknowledge({"acknowledged_by": "Dr Ngo", "acknowledged_on": "2026-03-02"})
    assert _referrals(container, case_id)["health"].state == ReferralState.ACKNOWLEDGED
    kept = _kept(container, case_id, task_id)
    assert (kept.get("recu_par"), kept.get("recu_le")) == ("Dr Ngo", "2026-03-02")
    assert "acknowledged_by" not in kept and "acknowledged_on" not in kept


def test_a_declined_need_is_recorded_unmet_under_its_declared_sector(container, walker):
    case_id = _sent_to_the_hospital(container, walker)
    walker.complete(HOSPITAL, "Task_Acknowledge", {"recu_par": "Dr Ngo"}, "health", case_id)
    walker.complete(HOSPITAL, "Task_Answer", {"decision": "declined", "decline_reason": "no_places"}, "health", case_id)
    walker.complete(CASEWORKER, "Task_Unmet", {"unmet_reason": "no_provider"}, "health", case_id)
    with container.uow() as uow:
        [need] = uow.session.scalars(select(UnmetNeedRow).where(UnmetNeedRow.case_id == case_id)).all()
    assert (need.sector, need.reason, need.referral_id) == (
        Sector.HEALTH, UnmetReason.NO_PROVIDER, _referrals(container, case_id)["health"].id)
