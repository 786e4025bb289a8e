"""A stalled referral answered "reassigned" is withdrawn from its provider, and the need goes back to the
choice of a provider (the Cameroon pathway's `withdraw` event after its escalation tasks)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.domain import EscalationStatus, ReferralState
from engine.errors import InvalidData
from engine.services.referrals.view import show_referral
from engine.services.tasks.completion import describe_task
from engine.store.models import CaseEvent
from notifications.recipients import default_rules, resolve_recipients
from tests.integration.deadlines.test_referral_expiry import (
    COORDINATOR_HOURS, EXPIRY_HOURS, _escalations, accepted_by_another_hospital, _names, _outbox, _referral_sent, _referrals, _sweep,
)
from tests.integration.services.conftest import IDENTIFICATION

# The Cameroon pathway's deadline table: an emergency referral's supervisor is alerted after 4 hours.
SUPERVISOR_HOURS = 4
REASSIGNED = {"escalation_action": "reassigned", "escalation_note": "Hôpital injoignable"}


def _ended_lines(container) -> list[list]:
    with container.uow() as uow:
        return [details["referral_ended"] for details in uow.session.scalars(select(CaseEvent.details))
                if "referral_ended" in details]


def test_the_coordinator_reassigns_a_stalled_referral_to_another_provider(container, walker):
    _referral_sent(container, walker)
    clock = container.clock
    sent = clock.now()
    provider = walker.actor("demo-health-douala")
    clock.set(sent + timedelta(hours=COORDINATOR_HOURS))
    assert _sweep(container).escalations == 3

    walker.complete("demo-coordinator", "Task_AckEscalation", REASSIGNED)

    (withdrawn,) = _referrals(container)
    assert withdrawn.state == ReferralState.REVOKED
    assert withdrawn.closed_at == clock.now() and withdrawn.updated_at == clock.now()
    # Nobody keeps chasing a referral that is over: its levels close with it.
    assert _escalations(container) == [(1, EscalationStatus.OVERTAKEN), (2, EscalationStatus.OVERTAKEN),
                                       (3, EscalationStatus.OVERTAKEN)]
    # The provider's steps and the reminders leave the inboxes; the caseworker chooses another provider at once.
    assert not {"Task_AcknowledgeReferral", "Task_AckReminder"} & set(_names(walker.inbox("demo-health-douala")))
    assert "Task_AckAlert" not in _names(walker.inbox("demo-supervisor"))
    assert walker.task("demo-caseworker", "Task_SendReferral", sector="health")
    # The provider no longer reads the person's data, at once.
    detail = show_referral(container.uow(), clock, withdrawn.id, provider)
    assert detail.personal_data_ended and detail.shared_data == {} and detail.request == {}
    # The caseworkers and the provider's focal points are told, with ids and codes only.
    (notice,) = _outbox(container, "referral_withdrawn")
    assert (notice["referral_id"], notice["state"]) == (withdrawn.id, "revoked")
    with container.uow() as uow:
        told = {user.username for user in resolve_recipients(
            uow.session, default_rules(uow.session, "referral_withdrawn", notice, notice["case_id"]))}
    assert {"demo-caseworker", "demo-health-douala"} <= told and "demo-health-yaounde" not in told
    assert IDENTIFICATION["person_alias"] not in repr(notice) and IDENTIFICATION["phone"] not in repr(notice)
    # The coordinator's step names the provider it took the referral from.
    assert _ended_lines(container) == [[{"referral": withdrawn.id, "state": "revoked", "provider": "demo-hopital-douala"}]]

    # Withdrawn once: the expiry that was waiting for this provider never comes.
    clock.set(sent + timedelta(hours=EXPIRY_HOURS * 2))
    assert _sweep(container).failures == []
    assert _outbox(container, "referral_expired") == [] and len(_outbox(container, "referral_withdrawn")) == 1

    first, second = accepted_by_another_hospital(container, walker)
    assert (first.state, second.state) == (ReferralState.REVOKED, ReferralState.ACCEPTED)
    assert second.provider_organisation_id != first.provider_organisation_id


def test_the_supervisor_may_reassign_at_the_alert(container, walker):
    _referral_sent(container, walker)
    container.clock.advance(timedelta(hours=SUPERVISOR_HOURS))
    _sweep(container)
    walker.complete("demo-supervisor", "Task_AckAlert", REASSIGNED)
    assert _referrals(container)[0].state == ReferralState.REVOKED
    assert walker.task("demo-caseworker", "Task_SendReferral", sector="health")
    # The coordinator's level was not reached: its timer went with the referral, and no alert follows.
    container.clock.advance(timedelta(hours=COORDINATOR_HOURS))
    assert _sweep(container).escalations == 0
    assert _outbox(container, "escalation_level_3") == []


def test_an_answer_that_only_takes_note_leaves_the_referral_with_its_provider(container, walker):
    _referral_sent(container, walker)
    container.clock.advance(timedelta(hours=SUPERVISOR_HOURS))
    _sweep(container)
    walker.complete("demo-supervisor", "Task_AckAlert", {"escalation_action": "acknowledged"})
    assert _referrals(container)[0].state == ReferralState.SENT
    assert walker.task("demo-health-douala", "Task_AcknowledgeReferral")
    assert _outbox(container, "referral_withdrawn") == [] and _ended_lines(container) == []


def test_the_provider_that_stalled_is_no_longer_offered_as_a_fit(container, walker):
    _referral_sent(container, walker)
    container.clock.advance(timedelta(hours=SUPERVISOR_HOURS))
    _sweep(container)
    walker.complete("demo-supervisor", "Task_AckAlert", REASSIGNED)
    caseworker = walker.actor("demo-caseworker")
    send = walker.task("demo-caseworker", "Task_SendReferral", sector="health")
    providers = {p.slug: p for p in describe_task(container.uow(), container.clock, send.id, caseworker).providers}
    stalled = providers["demo-hopital-douala"]
    assert "ended_before" in {f.code for f in stalled.failures} and stalled.needs_reason
    others = [p for slug, p in providers.items() if slug != "demo-hopital-douala"]
    assert others and not [p for p in others if "ended_before" in {f.code for f in p.failures}]
    # Sending it the need again takes a written reason, as for any provider failing a hard rule.
    with pytest.raises(InvalidData) as refused:
        walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, sector="health")
    assert "provider_choice_reason" in refused.value.errors
    walker.complete("demo-caseworker", "Task_SendReferral",
                    {"provider_id": "demo-hopital-douala", "provider_choice_reason": "the hospital called back"},
                    sector="health")
    assert [r.state for r in _referrals(container)] == [ReferralState.REVOKED, ReferralState.SENT]
