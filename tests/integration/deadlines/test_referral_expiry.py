"""A referral its provider never answers expires at the pathway's expiry timer, and the case goes on."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.domain import EscalationStatus, ReferralState
from engine.services.cases.lifecycle import open_case
from engine.services.coordination.indicators import compute_indicators
from engine.services.coordination.scope import IndicatorFilters
from engine.services.escalations.deadlines import sweep_deadlines
from engine.services.referrals.unmet import list_unmet_needs
from engine.services.referrals.view import show_referral
from engine.store.models import CaseEvent, EscalationRow, OutboxRow, ReferralRow
from notifications.recipients import default_rules, resolve_recipients
from tests.integration.services.conftest import CONSENT, IDENTIFICATION, NO_NEEDS

# The Cameroon pathway's deadline table: an emergency referral escalates to the coordinator after
# 8 hours and expires after 16 (twice the coordinator's delay).
COORDINATOR_HOURS, EXPIRY_HOURS = 8, 16


def _referral_sent(container, walker) -> int:
    case = open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Identification", IDENTIFICATION)
    walker.complete("demo-caseworker", "Task_NeedsAssessment",
                    {**NO_NEEDS, "assessment_date": "2026-03-02", "need_health": True, "health_urgency": "emergency"})
    walker.complete("demo-caseworker", "Task_Consent", {**CONSENT, "consent_scope": "including_health"})
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, sector="health")
    return case.id


def _sweep(container):
    return sweep_deadlines(container.uow, container.clock, worker_id="test-sweeper")


def _referrals(container) -> list[ReferralRow]:
    with container.uow() as uow:
        rows = list(uow.session.scalars(select(ReferralRow).order_by(ReferralRow.id)))
        uow.session.expunge_all()
        return rows


def _escalations(container) -> list[tuple[int, EscalationStatus]]:
    with container.uow() as uow:
        return [(level, status) for level, status in uow.session.execute(
            select(EscalationRow.level, EscalationRow.status).order_by(EscalationRow.level))]


def _outbox(container, event_type: str) -> list[dict]:
    with container.uow() as uow:
        return list(uow.session.scalars(select(OutboxRow.payload).where(OutboxRow.event_type == event_type)))


def accepted_by_another_hospital(container, walker) -> list[ReferralRow]:
    """The caseworker sends the health need to the Yaoundé hospital, which acknowledges and accepts; every referral."""
    walker.complete("demo-caseworker", "Task_SendReferral",
                    {"provider_id": "demo-hopital-yaounde", "provider_choice_reason": "the person is moving to Yaoundé"},
                    sector="health")
    walker.complete("demo-health-yaounde", "Task_AcknowledgeReferral", {"acknowledged_by": "Dr Ngo"})
    walker.complete("demo-health-yaounde", "Task_ReferralDecision", {"decision": "accepted"})
    return _referrals(container)


def _names(inbox) -> list[str]:
    return sorted(task.bpmn_id for task in inbox)


def test_an_unanswered_referral_expires_and_the_caseworker_gets_the_need_back(container, walker):
    _referral_sent(container, walker)
    clock = container.clock
    sent = clock.now()
    provider = walker.actor("demo-health-douala")
    (referral,) = _referrals(container)
    assert show_referral(container.uow(), clock, referral.id, provider).shared_data  # shared while it waits

    clock.set(sent + timedelta(hours=COORDINATOR_HOURS))
    assert _sweep(container).escalations == 3
    assert [status for _, status in _escalations(container)] == [EscalationStatus.OPEN] * 3
    clock.set(sent + timedelta(hours=EXPIRY_HOURS) - timedelta(minutes=1))
    _sweep(container)
    assert _referrals(container)[0].state == ReferralState.SENT, "the expiry waits for its time"

    clock.set(sent + timedelta(hours=EXPIRY_HOURS))
    report = _sweep(container)
    assert report.failures == [] and report.escalations == 0
    (expired,) = _referrals(container)
    assert expired.state == ReferralState.EXPIRED
    assert expired.closed_at == clock.now() and expired.updated_at == clock.now()
    # The levels raised while it waited close with it: no coordinator keeps chasing an ended referral.
    assert _escalations(container) == [(1, EscalationStatus.OVERTAKEN), (2, EscalationStatus.OVERTAKEN),
                                       (3, EscalationStatus.OVERTAKEN)]
    # The reminder, the alert and the coordinator's task leave their inboxes; the caseworker gets the need back.
    assert "Task_AcknowledgeReferral" not in _names(walker.inbox("demo-health-douala"))
    assert "Task_AckReminder" not in _names(walker.inbox("demo-health-douala"))
    assert "Task_AckEscalation" not in _names(walker.inbox("demo-coordinator"))
    assert walker.task("demo-caseworker", "Task_ReReferral", sector="health")
    (notice,) = _outbox(container, "referral_expired")
    assert notice["referral_id"] == expired.id and notice["state"] == "expired"
    assert notice["provider_organisation_id"] == expired.provider_organisation_id
    with container.uow() as uow:
        told = {user.username for user in resolve_recipients(
            uow.session, default_rules(uow.session, "referral_expired", notice, notice["case_id"]))}
    # The caseworkers choose what comes next; the provider's focal points learn that it ended.
    assert {"demo-caseworker", "demo-health-douala"} <= told and "demo-health-yaounde" not in told
    text = repr(notice)
    assert IDENTIFICATION["person_alias"] not in text and IDENTIFICATION["phone"] not in text
    with container.uow() as uow:
        moves = [details.get("referral_moves") for details in uow.session.scalars(select(CaseEvent.details))]
    assert [[expired.id, "expired"]] in moves
    # The provider that never answered no longer reads the person's data, at once.
    detail = show_referral(container.uow(), clock, expired.id, provider)
    assert detail.personal_data_ended and detail.shared_data == {} and detail.request == {}
    # Expired once: later sweeps find nothing more to do.
    clock.advance(timedelta(days=2))
    _sweep(container)
    assert len(_outbox(container, "referral_expired")) == 1

    # The case goes on: another provider is chosen, acknowledges and accepts.
    walker.complete("demo-caseworker", "Task_ReReferral", {}, sector="health")
    first, second = accepted_by_another_hospital(container, walker)
    assert (first.state, second.state) == (ReferralState.EXPIRED, ReferralState.ACCEPTED)
    assert walker.task("demo-health-yaounde", "Task_ServiceOutcome")


def test_a_late_sweep_past_every_level_and_the_expiry_alerts_nobody_about_the_levels(container, walker):
    _referral_sent(container, walker)
    container.clock.advance(timedelta(hours=EXPIRY_HOURS))
    report = _sweep(container)
    assert report.failures == []
    assert _referrals(container)[0].state == ReferralState.EXPIRED
    # The levels are kept on record, already overtaken by the expiry that fired in the same step.
    assert _escalations(container) == [(1, EscalationStatus.OVERTAKEN), (2, EscalationStatus.OVERTAKEN),
                                       (3, EscalationStatus.OVERTAKEN)]
    for level in (1, 2, 3):
        assert _outbox(container, f"escalation_level_{level}") == []
    assert len(_outbox(container, "referral_expired")) == 1
    assert walker.task("demo-caseworker", "Task_ReReferral", sector="health")


def test_an_acknowledged_referral_does_not_expire(container, walker):
    _referral_sent(container, walker)
    walker.complete("demo-health-douala", "Task_AcknowledgeReferral", {"acknowledged_by": "Dr Ngo"})
    container.clock.advance(timedelta(hours=EXPIRY_HOURS * 2))
    _sweep(container)
    assert _referrals(container)[0].state == ReferralState.ACKNOWLEDGED
    assert _outbox(container, "referral_expired") == []
    assert walker.task("demo-health-douala", "Task_ReferralDecision")


def test_after_an_expiry_the_need_may_be_recorded_unmet_because_the_provider_never_answered(container, walker):
    _referral_sent(container, walker)
    container.clock.advance(timedelta(hours=EXPIRY_HOURS))
    _sweep(container)
    walker.complete("demo-caseworker", "Task_ReReferral", {"unmet_reason": "no_response"}, sector="health")
    coordinator = walker.actor("demo-coordinator")
    (need,) = list_unmet_needs(container.uow(), coordinator)
    assert (need.sector, need.reason) == ("health", "no_response")
    assert need.referral_id == _referrals(container)[0].id
    # The coordinators' indicators count the need under its own reason (one need: a small cell, hidden).
    today = container.clock.now()
    report = compute_indicators(container.uow(), coordinator,
                                IndicatorFilters(today - timedelta(days=1), today + timedelta(days=1)))
    row = next(row for row in report.table("unmet_needs_by_reason").rows if row.key == "no_response")
    assert row.figures[0].value == 1
