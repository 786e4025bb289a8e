"""The dispatcher reads outbox rows as the engine's services write them (no explicit recipients)."""

import pytest
from sqlalchemy import select

from engine.domain import DeliveryStatus, Language, OrganisationKind, Priority, ReferralState, Role, Sector
from engine.store.models import CaseRow, DeliveryRow, InAppNotification, Organisation, OutboxRow, PathwayVersionRow, ReferralRow, User, UserRole
from notifications.channels.smtp import SmtpChannel
from notifications.dispatcher import dispatch_pending
from notifications.sending import Channels
from notifications.settings import NotificationSettings

SETTINGS = NotificationSettings(base_url="https://mnr.example.cm", sender="MNR <alertes@mnr.example.cm>")


@pytest.fixture
def referral(uow, clock):
    """A case opened by caseworker carine (IOM), referred for health care to Caritas (focal point grace)."""
    with uow() as u:
        iom = Organisation(slug="iom", name="OIM", kind=OrganisationKind.IOM, created_at=clock.now())
        caritas = Organisation(slug="caritas", name="Caritas Douala", kind=OrganisationKind.NGO, created_at=clock.now())
        u.session.add_all([iom, caritas])
        u.flush()
        people = {
            name: User(
                username=name, display_name=name.title(), email=f"{name}@example.cm", language=language,
                organisation_id=organisation.id, created_at=clock.now(), notification_prefs={"in_app": False},
                role_rows=[UserRole(role=role)],
            )
            for name, organisation, role, language in [
                ("carine", iom, Role.CASEWORKER, Language.FR),
                ("colette", iom, Role.CASEWORKER, Language.FR),
                ("grace", caritas, Role.PROVIDER_FOCAL_POINT, Language.EN),
            ]
        }
        u.session.add_all(people.values())
        version = PathwayVersionRow(
            pathway_id="test", version=1, content_hash="0" * 64, main_file="pathway.bpmn", published_at=clock.now()
        )
        u.session.add(version)
        u.flush()
        case = CaseRow(
            reference="MNR-2026-000042", pathway_version_id=version.id, organisation_id=iom.id,
            created_at=clock.now(), created_by_id=people["carine"].id, updated_at=clock.now(),
            workflow_json="{}", serializer_version="test",
        )
        u.session.add(case)
        u.flush()
        row = ReferralRow(
            case_id=case.id, need_key="health", sector=Sector.HEALTH, priority=Priority.URGENT,
            provider_organisation_id=caritas.id, state=ReferralState.SENT, created_at=clock.now(),
            created_by_id=people["carine"].id, updated_at=clock.now(),
        )
        u.session.add(row)
        u.commit()
        return {"case_id": case.id, "referral_id": row.id, "iom": iom.id, "caritas": caritas.id}


def service_event(uow, clock, referral, event, **payload):
    with uow() as u:
        u.session.add(
            OutboxRow(
                event_type=event,
                case_id=referral["case_id"],
                created_at=clock.now(),
                payload={"case_id": referral["case_id"], "reference": "MNR-2026-000042", **payload},
            )
        )
        u.commit()


def sent_to(mailbox):
    return {str(message["To"]): str(message["Subject"]) for message in mailbox.messages}


def test_a_new_referral_goes_to_the_providers_focal_points_and_their_answer_back_to_its_sender(
    uow, clock, referral, smtp_server, mailbox
):
    common = {"referral_id": referral["referral_id"], "provider_organisation_id": referral["caritas"],
              "sector": "health", "priority": "urgent", "state": "sent"}
    service_event(uow, clock, referral, "referral_received", **common)
    service_event(uow, clock, referral, "referral_service_reported", delivered=True, **common)

    report = dispatch_pending(uow, Channels(SETTINGS, email=SmtpChannel.from_url(smtp_server.url)), clock)

    assert report.sent == 2 and report.dead == 0
    assert sent_to(mailbox) == {
        "grace@example.cm": "[MNR-2026-000042] New referral received: Health",
        "carine@example.cm": "[MNR-2026-000042] Résultat du service : service fourni",
    }
    texts = {str(m["To"]): m.get_body(preferencelist=("plain",)).get_content() for m in mailbox.messages}
    # Each link leads to a page its reader may open: the provider's focal point may not open the case.
    assert "Priority: urgent" in texts["grace@example.cm"]
    assert f"https://mnr.example.cm/referrals/{referral['referral_id']}" in texts["grace@example.cm"]
    assert "/cases/" not in texts["grace@example.cm"]
    assert "https://mnr.example.cm/cases/MNR-2026-000042" in texts["carine@example.cm"]


def test_each_recipient_of_one_event_gets_a_link_they_may_open_or_none(uow, clock, referral, smtp_server, mailbox):
    with uow() as u:  # the provider's supervisor may open neither the case nor the referral
        u.session.add(User(username="paul", display_name="Paul", email="paul@example.cm", language=Language.EN,
                           organisation_id=referral["caritas"], created_at=clock.now(),
                           notification_prefs={"in_app": False}, role_rows=[UserRole(role=Role.SUPERVISOR)]))
        u.session.add(User(username="sara", display_name="Sara", email="sara@example.cm", language=Language.FR,
                           organisation_id=referral["iom"], created_at=clock.now(),
                           notification_prefs={"in_app": False}, role_rows=[UserRole(role=Role.SUPERVISOR)]))
        u.commit()
    service_event(uow, clock, referral, "escalation_level_2", deadline="2026-03-04T16:00:00+00:00",
                  referral_id=referral["referral_id"], provider_organisation_id=referral["caritas"],
                  recipients=[{"role": "supervisor", "organisation": referral["iom"]},
                              {"role": "supervisor", "organisation": referral["caritas"]}])
    service_event(uow, clock, referral, "consent_withdrawn", revoked_referral_ids=[referral["referral_id"]],
                  provider_organisation_ids=[referral["caritas"]])

    report = dispatch_pending(uow, Channels(SETTINGS, email=SmtpChannel.from_url(smtp_server.url)), clock)

    assert report.sent == 3 and report.dead == 0
    texts = {(str(m["To"]), str(m["Subject"])[:60]): m.get_body(preferencelist=("plain",)).get_content()
             for m in mailbox.messages}
    links = {to: [line for line in text.splitlines() if "Aiguillage" in line and "https://" in line]
             for (to, _), text in texts.items()}
    assert links["sara@example.cm"] == ["Ouvrir dans Aiguillage : https://mnr.example.cm/cases/MNR-2026-000042"]
    assert links["paul@example.cm"] == []  # told what happened, with no link to a page he may not open
    assert links["grace@example.cm"] == ["Open in Aiguillage: https://mnr.example.cm/referrals/"]


def test_a_persons_in_app_item_reads_in_the_language_they_switch_to(uow, clock, referral):
    with uow() as u:
        u.session.scalar(select(User).where(User.username == "grace")).notification_prefs = {"email": False}
        u.commit()
    service_event(uow, clock, referral, "referral_received", referral_id=referral["referral_id"],
                  provider_organisation_id=referral["caritas"], sector="health", priority="urgent", state="sent")

    dispatch_pending(uow, Channels(SETTINGS), clock)

    with uow() as u:
        item = u.session.scalar(select(InAppNotification))
        assert item.texts["en"]["title"].startswith("New referral received: Health — ")
        assert item.texts["fr"]["title"].startswith("Nouveau référencement reçu")
        assert item.link == f"https://mnr.example.cm/referrals/{referral['referral_id']}"


def test_a_group_task_is_emailed_only_to_members_who_chose_it_and_a_closure_to_the_cases_opener(
    uow, clock, referral, smtp_server, mailbox
):
    with uow() as u:  # carine wants group-task email at once; colette kept the default (none)
        u.session.scalar(select(User).where(User.username == "carine")).notification_prefs = {
            "in_app": False, "group_tasks": "now"}
        u.commit()
    service_event(
        uow, clock, referral, "task_assigned", task_id="3f2a-77", bpmn_id="Task_Assess", task_name="Needs assessment",
        organisation_id=referral["iom"], candidate_groups=["caseworker"], assignee_id=None,
        due_at="2026-03-04T16:00:00+00:00",
    )
    service_event(uow, clock, referral, "case_closed", close_reason="needs_met")

    dispatch_pending(uow, Channels(SETTINGS, email=SmtpChannel.from_url(smtp_server.url)), clock)

    subjects = sorted((str(m["To"]), str(m["Subject"])) for m in mailbox.messages)
    assert subjects == [
        ("carine@example.cm", "[MNR-2026-000042] Dossier clôturé"),
        ("carine@example.cm", "[MNR-2026-000042] Nouvelle tâche : Needs assessment"),
    ]
    task_mail = next(m for m in mailbox.messages if "tâche" in str(m["Subject"]))
    text = task_mail.get_body(preferencelist=("plain",)).get_content()
    assert "https://mnr.example.cm/tasks/3f2a-77" in text and "mercredi 4 mars 2026 à 17:00" in text
    assert "Une nouvelle tâche attend votre équipe" in text
    with uow() as u:
        assert {row.status for row in u.session.scalars(select(DeliveryRow))} == {DeliveryStatus.SENT}
        # In the application: one item for the group, not one per member.
        items = u.session.scalars(select(InAppNotification)).all()
        assert [(item.user_id, item.task_id) for item in items] == [(None, "3f2a-77")]
        assert items[0].texts["en"]["title"] == "New task: Needs assessment"
