"""A whole case walked by a French and an English caseworker: who hears what, in which language."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.services.accounts.notification_list import list_notifications
from engine.services.cases.lifecycle import open_case
from engine.store.models import User
from notifications.channels.smtp import SmtpChannel
from notifications.dispatcher import dispatch_pending
from notifications.sending import Channels
from notifications.settings import NotificationSettings
from tests.integration.services.conftest import CONSENT, IDENTIFICATION, NO_NEEDS, published  # noqa: F401
from tests.integration.services.walk import CaseWalker

SETTINGS = NotificationSettings(base_url="https://mnr.example.cm", sender="MNR <alertes@mnr.example.cm>")
PEOPLE = ("demo-caseworker", "demo-caseworker-en", "demo-health-douala", "demo-mhpss")


# Anything that looks like an id a person should never read: a UUID, a BPMN element id, "outbox 12".
RAW_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-|\b(Task|Gateway|Event|Activity)_\w+|\b(task|outbox|user|referral) \d+", re.I)
HEALTH = "DEMO – Hôpital régional de Douala"
ESPOIR = "DEMO – Centre d'écoute psychosociale Espoir"


def seen(container, walker, username: str, language: str) -> list[tuple[str, str]]:
    """A user's in-app items as they read them: (title, sentence), newest first; no raw id anywhere."""
    items = list_notifications(container.uow(), walker.actor(username), language)
    for item in items:
        assert not RAW_ID.search(item.title + " " + item.sentence), item
        assert item.link is None or item.link.startswith("/")
    return [(item.title, item.sentence) for item in items]


def mail_to(mailbox, username: str) -> list[str]:
    """Subjects of the emails a user received, in order; their text has no raw id outside links."""
    subjects = []
    for message in mailbox.messages:
        if str(message["To"]) == f"{username}@example.cm":
            text = message.get_body(preferencelist=("plain",)).get_content()
            assert not RAW_ID.search(re.sub(r"https?://\S+", "", text)), text
            subjects.append(str(message["Subject"]))
    return subjects


def test_a_french_and_an_english_caseworker_hear_only_of_live_work_in_their_language(
    container, published, smtp_server, mailbox  # noqa: F811
):
    walker = CaseWalker(container)
    with container.uow() as uow:
        for user in uow.session.scalars(select(User).where(User.username.in_(PEOPLE))):
            user.email = f"{user.username}@example.cm"
            if user.username == "demo-caseworker-en":
                user.notification_prefs = {"group_tasks": "now"}  # she wants her team's new work by email, at once
        uow.commit()
    channels = Channels(SETTINGS, email=SmtpChannel.from_url(smtp_server.url))

    def dispatch():  # the scheduler's pass, between people's steps
        dispatch_pending(container.uow, channels, container.clock)

    # Carine (French) opens the case: the identification is offered to the team; not to her, whose step it was.
    open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker"))
    dispatch()
    assert seen(container, walker, "demo-caseworker", "fr") == []
    assert seen(container, walker, "demo-caseworker-en", "en") == [
        ("New task: Identify the person", "A new task is waiting for your team in case MNR-2026-000001: Identify the person.")]

    # Emily (English) identifies the person: her item is gone (the work is done); Carine gets the next one in French.
    walker.complete("demo-caseworker-en", "Task_Identification", IDENTIFICATION)
    dispatch()
    assert seen(container, walker, "demo-caseworker-en", "en") == []
    assert seen(container, walker, "demo-caseworker", "fr") == [
        ("Nouvelle tâche : Évaluer les besoins",
         "Une nouvelle tâche attend votre équipe dans le dossier MNR-2026-000001 : Évaluer les besoins.")]

    # Carine assesses the needs and records the consent in a row: the consent task her own step created
    # reached Emily, and is gone once done.
    walker.complete("demo-caseworker", "Task_NeedsAssessment",
                    {**NO_NEEDS, "assessment_date": "2026-03-02", "need_health": True, "health_urgency": "urgent",
                     "need_mhpss": True, "mhpss_urgency": "normal"})
    dispatch()
    walker.complete("demo-caseworker", "Task_Consent", CONSENT)
    # Two referrals to send; one is sent before the dispatcher passes: nobody is told of it.
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, sector="health")
    dispatch()
    assert seen(container, walker, "demo-caseworker-en", "en") == [
        ("New task: Choose the provider and send (Mental health and psychosocial support)",
         "A new task is waiting for your team in case MNR-2026-000001: "
         "Choose the provider and send (Mental health and psychosocial support).")]
    walker.complete("demo-caseworker-en", "Task_SendReferral", {"provider_id": "demo-espoir-mhpss"}, sector="mhpss")
    dispatch()
    for sector, user in (("health", "demo-health-douala"), ("mhpss", "demo-mhpss")):
        for bpmn_id, data in (("Task_AcknowledgeReferral", {"acknowledged_by": "X"}),
                              ("Task_ReferralDecision", {"decision": "accepted"}),
                              ("Task_ServiceOutcome", {"service_delivered": True})):
            walker.complete(user, bpmn_id, data, sector=None)
            dispatch()

    # Each sender hears their own referral's answers, in their language, with the provider named.
    assert seen(container, walker, "demo-caseworker", "fr") == [
        ("Résultat du service : service fourni — MNR-2026-000001",
         f"{HEALTH} a communiqué le résultat du service : service fourni. Un suivi avec la personne est attendu."),
        ("Référencement accepté (Santé) — MNR-2026-000001", f"{HEALTH} a accepté le référencement."),
        ("Référencement : réception confirmée (Santé) — MNR-2026-000001", f"{HEALTH} a accusé réception du référencement."),
    ]
    assert seen(container, walker, "demo-caseworker-en", "en") == [
        ("Service outcome: service delivered — MNR-2026-000001",
         f"{ESPOIR} has reported the outcome of the service: service delivered. A follow-up with the person is expected."),
        ("Referral accepted (Mental health and psychosocial support) — MNR-2026-000001", f"{ESPOIR} has accepted the referral."),
        ("Referral acknowledged (Mental health and psychosocial support) — MNR-2026-000001", f"{ESPOIR} has acknowledged the referral."),
    ]
    # The providers: the referral in their language; their own next steps are not news to them.
    assert seen(container, walker, "demo-health-douala", "fr") == [
        ("Nouveau référencement reçu : Santé — MNR-2026-000001", "Votre organisation a reçu un référencement. Merci d'en accuser réception, "
         "puis de l'accepter, le décliner ou le réorienter.")]
    assert seen(container, walker, "demo-mhpss", "en") == [
        ("New referral received: Mental health and psychosocial support — MNR-2026-000001", "Your organisation has received a referral. "
         "Please acknowledge it, then accept, decline or redirect it.")]

    # Email: Carine never chose her team's work by email; Emily did, and got only what was live when it went out.
    reference = "[MNR-2026-000001]"
    assert mail_to(mailbox, "demo-caseworker") == [
        f"{reference} Référencement : réception confirmée (Santé)", f"{reference} Référencement accepté (Santé)",
        f"{reference} Résultat du service : service fourni"]
    assert mail_to(mailbox, "demo-caseworker-en") == [
        f"{reference} New task: Identify the person",
        f"{reference} New task: Obtain informed consent",
        f"{reference} New task: Choose the provider and send (Mental health and psychosocial support)",
        f"{reference} Referral acknowledged (Mental health and psychosocial support)",
        f"{reference} Referral accepted (Mental health and psychosocial support)",
        f"{reference} Service outcome: service delivered"]
    assert mail_to(mailbox, "demo-health-douala") == [f"{reference} Nouveau référencement reçu : Santé"]
    assert mail_to(mailbox, "demo-mhpss") == [
        f"{reference} New referral received: Mental health and psychosocial support"]


def test_a_declined_referral_tells_its_sender_why_in_their_language(container, published, smtp_server):  # noqa: F811
    walker = CaseWalker(container)
    channels = Channels(SETTINGS, email=SmtpChannel.from_url(smtp_server.url))
    open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Identification", IDENTIFICATION)
    walker.complete("demo-caseworker", "Task_NeedsAssessment",
                    {**NO_NEEDS, "assessment_date": "2026-03-02", "need_health": True, "health_urgency": "urgent"})
    walker.complete("demo-caseworker", "Task_Consent", CONSENT)
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, sector="health")
    walker.complete("demo-health-douala", "Task_AcknowledgeReferral", {"acknowledged_by": "X"}, sector=None)
    walker.complete("demo-health-douala", "Task_ReferralDecision", {"decision": "declined", "decline_reason": "no_capacity"},
                    sector=None)
    dispatch_pending(container.uow, channels, container.clock)
    assert ("Référencement décliné (Santé) — MNR-2026-000001",
            f"{HEALTH} a décliné le référencement (motif : capacité insuffisante). Choisissez un autre prestataire "
            "ou clôturez le référencement.") in seen(container, walker, "demo-caseworker", "fr")
