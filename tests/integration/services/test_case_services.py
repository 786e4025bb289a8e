"""The case services on SQLite and PostgreSQL: opening, inboxes, completing, history, outbox, deadlines."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from engine.domain import DeadlineKind, ReferralState, TaskState
from engine.errors import AccessDenied, Conflict, InvalidData, NotFound
from engine.services.cases.view import show_case
from engine.services.cases.lifecycle import open_case
from engine.services.pathways.publishing import publish_pathway
from engine.services.tasks.completion import complete_task
from engine.store.models import (
    AuditEntry,
    CaseEvent,
    CaseRow,
    ConsentRow,
    DeadlineRow,
    OutboxRow,
    ReferralRow,
    TaskCandidate,
    TaskRow,
)
from tests.integration.services.conftest import ASSESSMENT, CONSENT, IDENTIFICATION
from tests.integration.services.walk import CaseWalker


@pytest.fixture
def walker(container, published) -> CaseWalker:
    return CaseWalker(container)


def _open(container, walker, username="demo-caseworker"):
    return open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor(username))


def _to_referrals(container, walker):
    case = _open(container, walker)
    walker.complete("demo-caseworker", "Task_Identification", IDENTIFICATION)
    walker.complete("demo-caseworker", "Task_NeedsAssessment", ASSESSMENT)
    walker.complete("demo-caseworker", "Task_Consent", CONSENT)
    return case


def _count(container, model, *where) -> int:
    with container.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model).where(*where))


def _snapshot(container) -> dict:
    """Row counts of every table a step writes, and the case rows' versions: to prove nothing changed."""
    with container.uow() as uow:
        counts = {
            model.__name__: uow.session.scalar(select(func.count()).select_from(model))
            for model in (CaseEvent, AuditEntry, OutboxRow, TaskRow, TaskCandidate, DeadlineRow, ReferralRow, ConsentRow)
        }
        counts["open_tasks"] = uow.session.scalar(select(func.count()).select_from(TaskRow).where(TaskRow.state == TaskState.OPEN))
        counts["versions"] = sorted(uow.session.execute(select(CaseRow.id, CaseRow.lock_version, CaseRow.workflow_json)).all())
    return counts


def test_opening_a_case_pins_the_latest_version_and_numbers_it_in_the_year(container, walker):
    case = _open(container, walker)
    second = _open(container, walker)
    assert (case.reference, second.reference) == ("MNR-2026-000001", "MNR-2026-000002")
    assert (case.pathway_id, case.pathway_version, case.stage) == ("cameroon-nrm", 1, "identification")
    with container.uow() as uow:
        row = uow.session.get(CaseRow, case.id)
        assert row.organisation_id == walker.actor("demo-caseworker").organisation_id
        assert '"spec"' not in row.workflow_json


def test_a_case_stays_on_its_version_when_a_new_one_is_published(container, walker, tmp_path):
    import shutil

    from engine.pathways.folder import load_source
    from tests.integration.services.conftest import CAMEROON

    case = _open(container, walker)
    changed = tmp_path / "cameroon-nrm"
    shutil.copytree(CAMEROON, changed)
    (changed / "pathway.yaml").write_text((changed / "pathway.yaml").read_text() + "\n# v2\n", encoding="utf-8")
    assert publish_pathway(container.uow(), load_source(changed), container.clock).version == 2
    later = _open(container, walker)
    walker.complete("demo-caseworker", "Task_Identification", IDENTIFICATION, case_id=case.id)
    with container.uow() as uow:
        first, second = uow.session.get(CaseRow, case.id), uow.session.get(CaseRow, later.id)
        assert first.pathway_version_id != second.pathway_version_id
    assert later.pathway_version == 2


def test_a_new_task_reaches_caseworkers_of_the_owning_organisation_only(container, walker):
    _open(container, walker)
    assert [t.bpmn_id for t in walker.inbox("demo-caseworker")] == ["Task_Identification"]
    assert [t.bpmn_id for t in walker.inbox("demo-caseworker-en")] == ["Task_Identification"]
    assert walker.inbox("demo-minas-caseworker") == []  # a caseworker of another organisation
    assert walker.inbox("demo-supervisor") == []  # same organisation, not the task's group


def test_a_task_of_another_organisation_is_not_found(container, walker):
    case = _open(container, walker)
    with pytest.raises(NotFound):
        complete_task(container.uow(), container.clock, case.open_task_ids[0], walker.actor("demo-minas-caseworker"), IDENTIFICATION)


def test_invalid_form_data_lists_every_field_error_and_changes_nothing(container, walker):
    case = _open(container, walker)
    before = _snapshot(container)
    bad = {**IDENTIFICATION, "priority": "whenever", "age": 300, "unknown": 1}
    del bad["region"]
    with pytest.raises(InvalidData) as raised:
        complete_task(container.uow(), container.clock, case.open_task_ids[0], walker.actor("demo-caseworker"), bad)
    assert set(raised.value.errors) == {"priority", "age", "unknown", "region"}
    assert raised.value.errors["region"] == ["required"]
    assert _snapshot(container) == before


def test_what_already_happened_cannot_be_dated_in_the_future(container, walker):
    """An identification, an assessment, an acknowledgement or a service dated after today is a typing
    error that would mislead every indicator and deadline counted from it: it is refused, the field named."""
    case = _open(container, walker)
    tomorrow = "2026-03-03"  # the test clock's day in Douala is 2026-03-02
    steps = (("demo-caseworker", "Task_Identification", IDENTIFICATION, "identification_date", None),
             ("demo-caseworker", "Task_NeedsAssessment", ASSESSMENT, "assessment_date", None),
             ("demo-caseworker", "Task_Consent", CONSENT, "consent_date", None),
             ("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, None, "health"),
             ("demo-health-douala", "Task_AcknowledgeReferral", {"acknowledged_by": "Dr Ngo"}, "acknowledged_on", None))
    for username, bpmn_id, data, date_field, sector in steps:
        if date_field is not None:
            before = _snapshot(container)
            with pytest.raises(InvalidData) as raised:
                walker.complete(username, bpmn_id, {**data, date_field: tomorrow}, sector=sector, case_id=case.id)
            assert [found.code for found in raised.value.errors[date_field]] == ["too_late"], bpmn_id
            assert _snapshot(container) == before
        walker.complete(username, bpmn_id, data, sector=sector, case_id=case.id)


def test_completing_a_task_moves_the_case_and_writes_one_history_line(container, walker):
    case = _open(container, walker)
    result = walker.complete("demo-caseworker", "Task_Identification", IDENTIFICATION)
    assert (result.stage, result.failures, result.completed) == ("assessment", (), False)
    with container.uow() as uow:
        row = uow.session.get(CaseRow, case.id)
        assert (row.priority.value, row.risk_level.value, row.region) == ("urgent", "medium", "littoral")
        done = uow.session.get(TaskRow, case.open_task_ids[0])
        assert done.state == TaskState.COMPLETED and done.completed_by_id == walker.actor("demo-caseworker").id
        assert uow.session.scalar(select(func.count()).select_from(TaskCandidate).where(TaskCandidate.task_id == done.id)) == 0
        events = uow.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)).all()
    assert [(e.action, e.task_bpmn_id) for e in events] == [("case_opened", None), ("task_completed", "Task_Identification")]
    assert events[1].details["new_tasks"] == ["Task_NeedsAssessment"]


def test_a_completed_task_cannot_be_completed_again(container, walker):
    case = _open(container, walker)
    walker.complete("demo-caseworker", "Task_Identification", IDENTIFICATION)
    with pytest.raises(Conflict, match="already completed"):
        complete_task(container.uow(), container.clock, case.open_task_ids[0], walker.actor("demo-caseworker"), IDENTIFICATION)


def test_history_and_outbox_keep_no_sensitive_values(container, walker):
    _to_referrals(container, walker)
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala",
                    "referral_reason": "Douleurs depuis le retour"}, sector="health")
    with container.uow() as uow:
        stored = json.dumps(
            [e.details for e in uow.session.scalars(select(CaseEvent))]
            + [o.payload for o in uow.session.scalars(select(OutboxRow))]
            + [a.details for a in uow.session.scalars(select(AuditEntry))],
            ensure_ascii=False,
        )
    for secret in (IDENTIFICATION["person_alias"], IDENTIFICATION["phone"], IDENTIFICATION["site"], "Douleurs"):
        assert secret not in stored
    assert "person_alias" in stored  # the field's name is kept: who changed what


def test_each_step_writes_its_outbox_rows(container, walker):
    case = _to_referrals(container, walker)
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, sector="health")
    with container.uow() as uow:
        rows = uow.session.scalars(select(OutboxRow).where(OutboxRow.case_id == case.id).order_by(OutboxRow.id)).all()
    kinds = [row.event_type for row in rows]
    assert kinds.count("task_assigned") == 6  # identification, assessment, consent, two sends, one acknowledge
    assert kinds[-2:] == ["referral_received", "task_assigned"] or "referral_received" in kinds
    received = next(row for row in rows if row.event_type == "referral_received")
    assert received.payload["sector"] == "health" and received.payload["reference"] == case.reference


def test_provider_tasks_reach_only_the_provider_the_referral_is_addressed_to(container, walker):
    _to_referrals(container, walker)
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, sector="health")
    assert [t.bpmn_id for t in walker.inbox("demo-health-douala")] == ["Task_AcknowledgeReferral"]
    assert walker.inbox("demo-health-yaounde") == []
    assert walker.inbox("demo-shelter") == []
    walker.complete("demo-health-douala", "Task_AcknowledgeReferral", {"acknowledged_by": "Dr Ngo"})
    assert [t.bpmn_id for t in walker.inbox("demo-health-douala")] == ["Task_ReferralDecision"]


def test_referral_moves_are_recorded_with_their_times(container, walker):
    _to_referrals(container, walker)
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, sector="health")
    container.clock.advance(__import__("datetime").timedelta(hours=2))
    walker.complete("demo-health-douala", "Task_AcknowledgeReferral", {"acknowledged_by": "Dr Ngo"})
    walker.complete("demo-health-douala", "Task_ReferralDecision", {"decision": "declined", "decline_reason": "no_capacity"})
    with container.uow() as uow:
        referral = uow.session.scalars(select(ReferralRow)).one()
    assert referral.state == ReferralState.DECLINED and referral.decline_reason == "no_capacity"
    assert referral.acknowledged_at - referral.sent_at == __import__("datetime").timedelta(hours=2)
    assert referral.closed_at == referral.decided_at


def test_an_illegal_referral_move_is_refused_and_changes_nothing(container, walker):
    _to_referrals(container, walker)
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, sector="health")
    with container.uow() as uow:
        uow.session.scalars(select(ReferralRow)).one().state = ReferralState.REVOKED
        uow.commit()
    before = _snapshot(container)
    with pytest.raises(Conflict, match="no referral in progress"):
        walker.complete("demo-health-douala", "Task_AcknowledgeReferral", {"acknowledged_by": "Dr Ngo"})
    assert _snapshot(container) == before


def test_deadline_rows_follow_the_workflow(container, walker):
    case = _to_referrals(container, walker)
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, sector="health")

    def kinds():
        with container.uow() as uow:
            return sorted(k.value for k in uow.session.scalars(select(DeadlineRow.kind).where(DeadlineRow.case_id == case.id)))

    # The three levels of the acknowledgement's chain and the referral's expiry, and the referral's deadline.
    assert kinds() == ["bpmn_timer"] * 4 + ["referral_ack"]
    with container.uow() as uow:
        ack = uow.session.scalars(select(DeadlineRow).where(DeadlineRow.kind == DeadlineKind.REFERRAL_ACK)).one()
        timers = uow.session.scalars(select(DeadlineRow.due_at).where(DeadlineRow.kind == DeadlineKind.BPMN_TIMER)).all()
    assert ack.due_at == min(timers)  # urgent: the first reminder, 24 hours after sending
    walker.complete("demo-health-douala", "Task_AcknowledgeReferral", {"acknowledged_by": "Dr Ngo"})
    assert kinds() == []


def test_showing_a_case_lists_tasks_referrals_consents_and_history_and_is_audited(container, walker):
    case = _to_referrals(container, walker)
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, sector="health")
    view = show_case(container.uow(), container.clock, case.reference, walker.actor("demo-supervisor"))
    assert view.stage == "referral"
    assert sorted(t.bpmn_id for t in view.open_tasks) == ["Task_AcknowledgeReferral", "Task_SendReferral"]
    assert [(r.sector, r.state) for r in view.referrals] == [("health", "sent")]
    assert [(c.given, c.scope_services) for c in view.consents] == [(True, ("health", "shelter"))]
    assert [e.action for e in view.history][:2] == ["case_opened", "task_completed"]
    assert _count(container, AuditEntry, AuditEntry.action == "case.viewed") == 1
    with pytest.raises(NotFound):
        show_case(container.uow(), container.clock, case.id, walker.actor("demo-minas-caseworker"))


def test_only_caseworkers_open_cases(container, walker):
    with pytest.raises(AccessDenied):
        _open(container, walker, "demo-health-douala")


def test_a_case_walks_to_closure_and_is_closed(container, walker):
    from datetime import timedelta

    case = _to_referrals(container, walker)
    for sector, provider, user in (("health", "demo-hopital-douala", "demo-health-douala"),
                                   ("shelter", "demo-bon-samaritain", "demo-shelter")):
        walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": provider}, sector=sector)
        walker.complete(user, "Task_AcknowledgeReferral", {"acknowledged_by": "X"})
        walker.complete(user, "Task_ReferralDecision", {"decision": "accepted"})
        walker.complete(user, "Task_ServiceOutcome", {"service_delivered": True})
    from engine.services.cases.lifecycle import advance_case

    for days in (30, 60, 90):
        container.clock.advance(timedelta(days=days))
        advance_case(container.uow(), container.clock, case.id)
        walker.complete("demo-caseworker", "Task_FollowUp", {"contact_outcome": "reached"})
    walker.complete("demo-caseworker", "Task_ProposeClosure", {"closure_reason": "needs_met"})
    result = walker.complete("demo-supervisor", "Task_ApproveClosure", {"closure_approved": True})
    assert result.completed and result.status == "closed"
    with container.uow() as uow:
        row = uow.session.get(CaseRow, case.id)
        assert (row.stage, row.close_reason.value, row.closed_at) == ("closed", "needs_met", container.clock.now())
        assert uow.session.scalar(select(func.count()).select_from(DeadlineRow)) == 0
        assert uow.session.scalar(select(func.count()).select_from(TaskRow).where(TaskRow.state == TaskState.OPEN)) == 0
        assert uow.session.scalars(select(OutboxRow.event_type).order_by(OutboxRow.id.desc()).limit(1)).one() == "case_closed"


def test_fields_left_empty_take_their_default_so_the_pathway_can_test_them(container, walker):
    _open(container, walker)
    walker.complete("demo-caseworker", "Task_Identification", IDENTIFICATION)
    result = walker.complete("demo-caseworker", "Task_NeedsAssessment", {"assessment_date": "2026-03-02", "need_health": True})
    assert result.failures == () and not result.needs_attention
    walker.complete("demo-caseworker", "Task_Consent", CONSENT)
    (send,) = [t for t in walker.inbox("demo-caseworker") if t.bpmn_id == "Task_SendReferral"]
    # The urgency left empty is the case's priority (the pathway's `aiguillage.default_from`), not "normal".
    assert send.instance_label == "health" and send.priority == IDENTIFICATION["priority"] == "urgent"
    with container.uow() as uow:
        event = uow.session.scalars(select(CaseEvent).where(CaseEvent.task_bpmn_id == "Task_NeedsAssessment")).one()
    assert event.details["fields"] == ["assessment_date", "need_health"]  # what was given, not the defaults


def test_history_keeps_decisions_but_not_what_describes_the_person(container, walker):
    _open(container, walker)
    walker.complete("demo-caseworker", "Task_Identification", {**IDENTIFICATION, "vuln_trafficking": True})
    with container.uow() as uow:
        event = uow.session.scalars(select(CaseEvent).where(CaseEvent.task_bpmn_id == "Task_Identification")).one()
    assert event.details["values"] == {"priority": "urgent", "risk_level": "medium"}
    assert {"sex", "vuln_trafficking", "phone"} <= set(event.details["fields"])
