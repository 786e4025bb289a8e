"""A stalled referral climbs the escalation chain through sweeps, on SQLite and PostgreSQL, each level once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.domain import DeadlineKind, EscalationStatus
from engine.services.cases.lifecycle import open_case
from engine.services.escalations.deadlines import sweep_deadlines
from engine.store.models import DeadlineRow, EscalationRow, OutboxRow, ReferralRow
from tests.integration.services.conftest import ASSESSMENT, CONSENT, IDENTIFICATION, NO_NEEDS

# DOMAIN defaults, as the Cameroon pathway's deadline table writes them: acknowledgement reminder,
# supervisor alert, coordinator alert (hours after sending), then the service deadline (hours after accepting).
CHAINS = {
    "emergency": ((2, 4, 8), 24),
    "urgent": ((24, 48, 72), 72),
    "normal": ((72, 120, 168), 14 * 24),
}


def _referral_sent(container, walker, urgency: str) -> int:
    case = open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Identification", IDENTIFICATION)
    walker.complete("demo-caseworker", "Task_NeedsAssessment",
                    {**NO_NEEDS, "assessment_date": "2026-03-02", "need_health": True, "health_urgency": urgency})
    walker.complete("demo-caseworker", "Task_Consent", CONSENT)
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, sector="health")
    return case.id


def _escalations(container) -> list[tuple[str, int]]:
    with container.uow() as uow:
        return [
            (kind.value, level)
            for kind, level in uow.session.execute(
                select(EscalationRow.deadline_kind, EscalationRow.level).order_by(EscalationRow.id)
            )
        ]


def _alerts(container) -> list[str]:
    with container.uow() as uow:
        return list(uow.session.scalars(
            select(OutboxRow.event_type).where(OutboxRow.event_type.like("escalation_level_%")).order_by(OutboxRow.id)
        ))


def _referral_level(container) -> int:
    with container.uow() as uow:
        return uow.session.scalars(select(ReferralRow.escalation_level)).one()


def _sweep(container):
    return sweep_deadlines(container.uow, container.clock, worker_id="test-sweeper")


def _statements_of_one_escalation(container, walker) -> list[str]:
    """The SQL a sweep sends to raise an emergency referral's first level, in order."""
    from sqlalchemy import event

    _referral_sent(container, walker, "emergency")
    container.clock.advance(timedelta(hours=2))
    sent: list[str] = []

    def remember(_connection, _cursor, statement, *_args):
        sent.append(" ".join(statement.split()))

    event.listen(container.engine, "before_cursor_execute", remember)
    try:
        assert _sweep(container).escalations == 1
    finally:
        event.remove(container.engine, "before_cursor_execute", remember)
    return sent


@pytest.mark.parametrize("urgency", list(CHAINS))
def test_unacknowledged_referral_escalates_level_by_level_then_its_service_deadline(container, walker, urgency):
    ack_hours, service_hours = CHAINS[urgency]
    _referral_sent(container, walker, urgency)
    clock = container.clock
    start = clock.now()
    for level, hours in enumerate(ack_hours, start=1):
        clock.set(start + timedelta(hours=hours) - timedelta(minutes=1))
        assert _sweep(container).escalations == 0, f"level {level} must wait for its time"
        clock.set(start + timedelta(hours=hours))
        report = _sweep(container)
        assert report.escalations == 1
        assert _escalations(container)[-1] == ("referral_ack", level)
        assert _referral_level(container) == level
        assert _sweep(container).claimed == 0  # nothing due twice
    assert _alerts(container) == ["escalation_level_1", "escalation_level_2", "escalation_level_3"]
    assert walker.task("demo-coordinator", "Task_AckEscalation")

    # Each escalation task answered moves its escalation to that status.
    walker.complete("demo-health-douala", "Task_AckReminder", {"escalation_action": "acknowledged"})
    walker.complete("demo-supervisor", "Task_AckAlert", {"escalation_action": "acknowledged"})
    walker.complete("demo-coordinator", "Task_AckEscalation", {"escalation_action": "resolved", "escalation_note": "On it"})
    with container.uow() as uow:
        answered = uow.session.execute(select(EscalationRow.level, EscalationRow.status, EscalationRow.resolution_note)
                                       .order_by(EscalationRow.level)).all()
    assert [(level, status.value, note) for level, status, note in answered] == [
        (1, "acknowledged", None), (2, "acknowledged", None), (3, "resolved", "On it")]
    walker.complete("demo-health-douala", "Task_AcknowledgeReferral", {"acknowledged_by": "Dr Ngo"})
    walker.complete("demo-health-douala", "Task_ReferralDecision", {"decision": "accepted"})
    accepted = clock.now()
    clock.set(accepted + timedelta(hours=service_hours))
    assert _sweep(container).escalations == 1
    assert _escalations(container)[-1] == ("referral_service", 2)
    assert walker.task("demo-supervisor", "Task_ServiceEscalation")
    assert len(_alerts(container)) == 4


def test_each_alert_names_its_recipients_and_carries_no_personal_data(container, walker):
    _referral_sent(container, walker, "emergency")
    container.clock.advance(timedelta(hours=8))
    assert _sweep(container).escalations == 3  # a late sweep raises every level that is due, once
    with container.uow() as uow:
        payloads = {row.event_type: row.payload for row in uow.session.scalars(
            select(OutboxRow).where(OutboxRow.event_type.like("escalation_level_%")))}
        provider = uow.session.scalars(select(ReferralRow.provider_organisation_id)).one()
    assert payloads["escalation_level_1"]["recipients"] == [{"group": "provider_focal_point", "organisation": provider}]
    assert payloads["escalation_level_2"]["recipients"][0]["role"] == "supervisor"
    assert payloads["escalation_level_3"]["recipients"] == [{"coordinators": True}]
    text = repr(payloads)
    for personal in (IDENTIFICATION["person_alias"], IDENTIFICATION["phone"], IDENTIFICATION["site"]):
        assert personal not in text
    assert all(payload["reason"] == "acknowledgement_overdue" for payload in payloads.values())


def test_a_timer_fired_by_a_persons_step_is_escalated_by_that_step(container, walker):
    open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Identification", IDENTIFICATION)
    walker.complete("demo-caseworker", "Task_NeedsAssessment", ASSESSMENT)  # health (urgent) and shelter
    walker.complete("demo-caseworker", "Task_Consent", CONSENT)
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, sector="health")
    container.clock.advance(timedelta(hours=25))
    # No sweep ran: the caseworker's next step on the case fires the health reminder and records it.
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-bon-samaritain"}, sector="shelter")
    assert _escalations(container) == [("referral_ack", 1)]
    assert _alerts(container) == ["escalation_level_1"]
    assert _sweep(container).escalations == 0
    assert _escalations(container) == [("referral_ack", 1)]


def test_acknowledging_in_time_removes_the_deadlines_and_nothing_escalates(container, walker):
    _referral_sent(container, walker, "urgent")
    walker.complete("demo-health-douala", "Task_AcknowledgeReferral", {"acknowledged_by": "Dr Ngo"})
    container.clock.advance(timedelta(days=3))
    assert _sweep(container).escalations == 0
    assert _escalations(container) == []
    with container.uow() as uow:
        kinds = set(uow.session.scalars(select(DeadlineRow.kind)))
        assert DeadlineKind.REFERRAL_ACK not in kinds
        assert uow.session.scalar(select(func.count()).select_from(EscalationRow)) == 0


def test_an_interrupted_step_leaves_no_escalation_and_the_next_sweep_raises_it_once(container, walker):
    _referral_sent(container, walker, "urgent")
    container.clock.advance(timedelta(hours=24))

    def crash(step):
        raise RuntimeError("power cut before the commit")

    report = sweep_deadlines(container.uow, container.clock, worker_id="crashing", hook=crash)
    assert report.failures and _escalations(container) == []
    # The crashed sweeper's lease holds the rows until it runs out.
    assert _sweep(container).claimed == 0
    container.clock.advance(timedelta(minutes=6))
    assert _sweep(container).escalations == 1
    assert _escalations(container) == [("referral_ack", 1)]
    assert _alerts(container) == ["escalation_level_1"]


def test_a_case_whose_step_keeps_failing_is_retried_less_and_less_often(container, walker):
    _referral_sent(container, walker, "urgent")
    container.clock.advance(timedelta(hours=24))

    def crash(step):
        raise RuntimeError("a broken case")

    def sweep_crashing():
        return sweep_deadlines(container.uow, container.clock, worker_id="crashing", hook=crash)

    assert sweep_crashing().failures
    for wait in (timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=20)):
        container.clock.advance(wait - timedelta(seconds=1))
        assert sweep_crashing().claimed == 0
        container.clock.advance(timedelta(seconds=1))
        assert sweep_crashing().failures
    assert _escalations(container) == []


def test_the_sweep_reads_a_cases_referrals_and_escalations_with_the_case_not_on_their_own(container, walker):
    # Two round trips less for each escalation on PostgreSQL; the level is still raised once, on the referral.
    sent = _statements_of_one_escalation(container, walker)
    case_read = next(i for i, sql in enumerate(sent) if sql.startswith("SELECT cases.id"))
    referral_reads = [i for i, sql in enumerate(sent) if sql.startswith("SELECT referrals.") and "FROM referrals" in sql]
    assert referral_reads == [case_read + 2], sent[case_read:case_read + 4]  # after the case and its open tasks
    escalation_reads = [i for i, sql in enumerate(sent) if sql.startswith("SELECT escalations.")]
    assert escalation_reads == [case_read + 3], sent[case_read:]  # and nowhere else
    assert _referral_level(container) == 1


def test_the_sweep_reads_a_cases_deadline_rows_with_the_case_and_writes_its_escalation_with_the_step(container, walker):
    # Two round trips less for each escalation on PostgreSQL: the deadline rows come with the case,
    # and the escalation row goes with the step's batch under an id reserved with the case's reads.
    sent = _statements_of_one_escalation(container, walker)
    case_read = next(i for i, sql in enumerate(sent) if sql.startswith("SELECT cases.id"))
    case_saved = next(i for i, sql in enumerate(sent) if sql.startswith("UPDATE cases"))
    deadline_reads = [i for i, sql in enumerate(sent) if sql.startswith("SELECT deadlines.id, deadlines.kind")]
    assert deadline_reads == [case_read + 4], sent[case_read:]  # after the escalations, and nowhere else
    inserts = [i for i, sql in enumerate(sent) if sql.startswith("INSERT INTO escalations")]
    assert len(inserts) == 1
    if container.engine.dialect.name == "postgresql":
        assert sent[case_read + 5].startswith("SELECT nextval"), sent[case_read:]
        # With the step's other rows, after the case's version check, and nothing read back.
        assert inserts[0] > case_saved and "RETURNING" not in sent[inserts[0]], sent[inserts[0]]
    assert _escalations(container) == [("referral_ack", 1)]
    assert len(_alerts(container)) == 1


def test_a_level_raised_by_another_step_after_the_sweep_read_the_case_is_not_alerted_twice(container, walker, monkeypatch):
    # The escalations read with the case said "not raised"; another transaction records the level
    # before the step writes it. The step's escalation row then fails its batch (PostgreSQL) or is
    # not inserted (SQLite, where nobody can write meanwhile: simulated the same way), and nobody
    # is alerted twice: the case is stepped again, finds the level raised, and alerts no one.
    from engine.store import case_records
    from sqlalchemy import insert

    case_id = _referral_sent(container, walker, "emergency")
    container.clock.advance(timedelta(hours=2))
    with container.uow() as uow:
        ref = uow.session.scalars(select(DeadlineRow.ref).where(DeadlineRow.kind == DeadlineKind.REFERRAL_ACK)).one()
        referral_id = uow.session.scalars(select(ReferralRow.id)).one()
    reads = case_records.case_and_open_tasks
    raced = []

    def read_then_race(connection, wanted_case, for_deadlines=False):
        found = reads(connection, wanted_case, for_deadlines)
        if for_deadlines and not raced:
            raced.append(wanted_case)
            row = {"case_id": case_id, "referral_id": referral_id, "deadline_kind": DeadlineKind.REFERRAL_ACK,
                   "deadline_ref": ref, "level": 1, "at": container.clock.now(), "reason": "raced", "alerted": {},
                   "status": EscalationStatus.OPEN}
            if connection.dialect.name == "postgresql":
                with container.engine.begin() as other:  # another transaction, committed first
                    other.execute(insert(EscalationRow.__table__).values(**row))
            else:
                connection.execute(insert(EscalationRow.__table__).values(**row))  # SQLite: one writer at a time
        return found

    monkeypatch.setattr(case_records, "case_and_open_tasks", read_then_race)
    report = _sweep(container)
    assert raced == [case_id]
    assert report.escalations == 0 and not report.failures, report
    with container.uow() as uow:
        assert uow.session.scalars(select(EscalationRow.reason)).all() == ["raced"]
    assert _alerts(container) == []
