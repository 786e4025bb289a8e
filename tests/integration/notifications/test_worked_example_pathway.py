"""The guide's worked example (tests/pathways/small-referral), published and walked by the people of three organisations.

Drawn in Camunda Modeler with lanes and nothing of ours but the referral marks: the provider's lane
reaches a focal point of the provider organisation, even for a task that is no referral step, and
the plain two-day timer leading to the Coordination lane alerts the coordinator by email (a real
SMTP server), with what happened before.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.access import can_view_case_of_task
from engine.domain import DeadlineKind, EscalationStatus
from engine.errors import NotFound
from engine.pathways.folder import load_source
from engine.services.cases.lifecycle import open_case
from engine.services.escalations.deadlines import sweep_deadlines
from engine.services.pathways.publishing import publish_pathway
from engine.services.tasks.completion import describe_task
from engine.store.models import EscalationRow, User
from engine.store.seed import load_demo_data
from notifications.channels.smtp import SmtpChannel
from notifications.dispatcher import dispatch_pending
from notifications.sending import Channels
from notifications.settings import NotificationSettings
from tests.integration.services.walk import CaseWalker
from tests.pathways.worked_example import EXAMPLE, edited_example

SETTINGS = NotificationSettings(base_url="https://mnr.example.cm", sender="MNR <alertes@mnr.example.cm>")
CONSENT = {"consent_given": True, "consent_given_by": "person", "consent_method": "signature", "consent_language": "english"}


def test_the_worked_example_reaches_the_provider_and_its_timer_emails_the_coordinator(container, smtp_server, mailbox):
    load_demo_data(container.uow(), container.clock)
    publish_pathway(container.uow(), load_source(EXAMPLE), container.clock)
    with container.uow() as uow:
        for user in uow.session.scalars(select(User).where(User.username.in_(("demo-coordinator", "demo-health-douala")))):
            user.email = f"{user.username}@example.cm"
        uow.commit()
    channels = Channels(SETTINGS, email=SmtpChannel.from_url(smtp_server.url))
    walker = CaseWalker(container)

    open_case(container.uow(), container.clock, "small-referral", walker.actor("demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Assess", {"person_alias": "A. M.", "sector": "health", "urgency": "urgent"})
    walker.complete("demo-caseworker", "Task_Consent", CONSENT)
    walker.complete("demo-caseworker", "Task_Send", {"provider_id": "demo-hopital-douala", "service_requested": "Consultation"})

    # The Provider lane: the hospital's focal point (another organisation) has it, the caseworkers do not.
    assert [t.bpmn_id for t in walker.inbox("demo-health-douala")] == ["Task_Acknowledge"]
    assert [t.bpmn_id for t in walker.inbox("demo-caseworker")] == []

    # Two days without acknowledgement: the timer drawn to the Coordination lane escalates.
    container.clock.advance(timedelta(days=2, minutes=1))
    sweep_deadlines(container.uow, container.clock)
    assert [t.bpmn_id for t in walker.inbox("demo-coordinator")] == ["Task_FollowUp"]
    with container.uow() as uow:
        [escalation] = uow.session.scalars(select(EscalationRow)).all()
        assert (escalation.level, escalation.deadline_kind) == (1, DeadlineKind.BPMN_TIMER)
        assert escalation.alerted["recipients"] == [{"coordinators": True}]
    dispatch_pending(container.uow, channels, container.clock)
    [message] = [m for m in mailbox.messages if str(m["To"]) == "demo-coordinator@example.cm"]
    text = " ".join(message.get_body(preferencelist=("plain",)).get_content().split())
    # French, the coordinator's language: what waited, since when, at which provider, what she is asked, and that
    # nobody was told before her (the wording of a generic "reminder" would be false here).
    assert "L'échéance de « Accuser réception du référencement » est dépassée (en attente depuis le" in text
    assert "chez DEMO – Hôpital régional de Douala" in text
    assert "Le parcours vous demande maintenant d'agir : « Relancer le référencement sans accusé de réception »" in text
    assert "Personne n'avait été alerté de cette échéance avant ce message." in text
    assert "sans quoi l'alerte sera transmise" not in text

    # The acknowledgement, then the Provider lane's own work (no referral step) goes to the same organisation.
    walker.complete("demo-health-douala", "Task_Acknowledge", {"acknowledged_by": "Dr Ngo"})
    [appointment] = walker.inbox("demo-health-douala")
    assert appointment.bpmn_id == "Task_Appointment" and [t.bpmn_id for t in walker.inbox("demo-caseworker")] == []
    provider = walker.actor("demo-health-douala")
    # The focal point opens the task page and its form, not the case (owned by the caseworker's organisation); of the
    # case's data, the page shows what the consent's sharing gave the provider (the alias), nothing else (the urgency).
    form = describe_task(container.uow(), container.clock, appointment.id, provider)
    assert [(field.id, field.value) for field in form.fields] == [("person_alias", "A. M."), ("urgency", None), ("appointment_date", None)]
    with pytest.raises(NotFound):  # the caseworkers, who hold the whole case, do not hold the provider's work
        describe_task(container.uow(), container.clock, appointment.id, walker.actor("demo-caseworker"))
    assert not can_view_case_of_task(provider, appointment)
    walker.complete("demo-health-douala", "Task_Appointment", {"appointment_date": "2026-03-06"})
    assert walker.inbox("demo-health-douala") == []


def _referral_sent(container) -> CaseWalker:
    """A case of the published example, walked by the caseworker up to its referral to the Douala hospital."""
    walker = CaseWalker(container)
    open_case(container.uow(), container.clock, "small-referral", walker.actor("demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Assess", {"person_alias": "A. M.", "sector": "health", "urgency": "urgent"})
    walker.complete("demo-caseworker", "Task_Consent", CONSENT)
    walker.complete("demo-caseworker", "Task_Send", {"provider_id": "demo-hopital-douala"})
    return walker


def test_a_lane_declared_for_a_named_organisation_reaches_that_organisation(container, tmp_path):
    folder = edited_example(tmp_path, "pathway.yaml", "Provider: {role: provider_focal_point, organisation: provider}",
                            "Provider: {role: provider_focal_point, organisation: demo-espoir-mhpss}")
    load_demo_data(container.uow(), container.clock)
    publish_pathway(container.uow(), load_source(folder), container.clock)
    walker = _referral_sent(container)
    # The pathway names the organisation: its focal point has the task, not the hospital the referral went to.
    assert [t.bpmn_id for t in walker.inbox("demo-mhpss")] == ["Task_Acknowledge"]
    assert walker.inbox("demo-health-douala") == []


SECOND_TIMER = """    <bpmn:boundaryEvent id="Timer_StillNotAcknowledged" name="Four days" cancelActivity="false" attachedToRef="Task_Acknowledge">
      <bpmn:outgoing>Flow_ToSupervise</bpmn:outgoing>
      <bpmn:timerEventDefinition id="TimerEventDefinition_Still">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P4D</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="Task_Supervise" name="Call the provider's director" camunda:candidateGroups="supervisor">
      <bpmn:incoming>Flow_ToSupervise</bpmn:incoming>
      <bpmn:outgoing>Flow_Supervised</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="EndEvent_Supervised">
      <bpmn:incoming>Flow_Supervised</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_ToSupervise" sourceRef="Timer_StillNotAcknowledged" targetRef="Task_Supervise" />
    <bpmn:sequenceFlow id="Flow_Supervised" sourceRef="Task_Supervise" targetRef="EndEvent_Supervised" />
  </bpmn:process>"""


def test_a_second_drawn_timer_is_the_next_level_and_its_email_counts_the_alert_before(container, tmp_path, smtp_server, mailbox):
    folder = edited_example(tmp_path, "pathway.bpmn", "  </bpmn:process>", SECOND_TIMER)
    edited_example(tmp_path, "i18n/fr.yaml", "elements:\n", "elements:\n  Timer_StillNotAcknowledged: Quatre jours\n"
                   "  Task_Supervise: Appeler la direction du prestataire\n")
    load_demo_data(container.uow(), container.clock)
    publish_pathway(container.uow(), load_source(folder), container.clock)
    with container.uow() as uow:
        uow.session.scalars(select(User).where(User.username == "demo-supervisor")).one().email = "demo-supervisor@example.cm"
        uow.commit()
    walker = _referral_sent(container)
    for days in (2, 2):
        container.clock.advance(timedelta(days=days, minutes=1))
        sweep_deadlines(container.uow, container.clock)
    with container.uow() as uow:
        levels = sorted((row.level, row.alerted["recipients"][0].get("group")) for row in uow.session.scalars(select(EscalationRow)))
    assert levels == [(1, None), (2, "supervisor")]  # the coordinators, then the case's supervisors
    assert [t.bpmn_id for t in walker.inbox("demo-supervisor")] == ["Task_Supervise"]
    dispatch_pending(container.uow, Channels(SETTINGS, email=SmtpChannel.from_url(smtp_server.url)), container.clock)
    [message] = [m for m in mailbox.messages if str(m["To"]) == "demo-supervisor@example.cm"]
    text = " ".join(message.get_body(preferencelist=("plain",)).get_content().split())
    assert "« Appeler la direction du prestataire »" in text
    assert "Alertes envoyées pour cette échéance avant celle-ci : 1." in text


WHAT_WAS_DONE = """<camunda:formField id="follow_up_note" label="What was done" type="string">"""
ANSWERED = """<camunda:formField id="escalation_action" label="Outcome" type="enum">
            <camunda:value id="acknowledged" name="Taken in hand" />
            <camunda:value id="resolved" name="Resolved" />
          </camunda:formField>
          """ + WHAT_WAS_DONE


def test_the_task_a_plain_timer_opens_is_its_escalation_task_and_resolving_it_resolves_the_escalation(container, tmp_path):
    # Drawn the Camunda way: no aiguillage.escalation anywhere, only a timer leading to the Coordination lane.
    folder = edited_example(tmp_path, "pathway.bpmn", WHAT_WAS_DONE, ANSWERED)
    edited_example(tmp_path, "i18n/fr.yaml", "fields:\n", "fields:\n  escalation_action: Suite donnée\n")
    edited_example(tmp_path, "i18n/fr.yaml", "values:\n", "values:\n  escalation_action.acknowledged: Pris en compte\n"
                   "  escalation_action.resolved: Résolu\n")
    load_demo_data(container.uow(), container.clock)
    publish_pathway(container.uow(), load_source(folder), container.clock)
    walker = _referral_sent(container)
    container.clock.advance(timedelta(days=2, minutes=1))
    sweep_deadlines(container.uow, container.clock)
    [follow_up] = walker.inbox("demo-coordinator")
    coordinator = walker.actor("demo-coordinator")
    assert describe_task(container.uow(), container.clock, follow_up.id, coordinator).purpose == "escalation"
    walker.complete("demo-coordinator", "Task_FollowUp", {"escalation_action": "resolved", "follow_up_note": "Called"})
    with container.uow() as uow:
        [escalation] = uow.session.scalars(select(EscalationRow)).all()
        assert (escalation.status, escalation.resolved_by_id) == (EscalationStatus.RESOLVED, coordinator.id)
