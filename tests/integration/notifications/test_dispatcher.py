import json
import random
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from engine.domain import DeliveryChannel, DeliveryStatus, Language, OrganisationKind, Role
from engine.store.models import DeliveryRow, InAppNotification, Organisation, OutboxRow, User, UserGroup, UserRole
from notifications.channels.smtp import SmtpChannel
from notifications.channels.webhook import WebhookChannel, verify
from notifications.dispatcher import dispatch_pending
from notifications.sending import Channels
from notifications.settings import NotificationSettings

from local_servers import Gateway

SETTINGS = NotificationSettings(
    base_url="https://mnr.example.cm", sender="MNR <alertes@mnr.example.cm>", max_attempts=4
)
REFERRAL = {
    "case_reference": "MNR-2026-000042",
    "step": {"fr": "Accuser réception", "en": "Acknowledge receipt"},
    "deadline": "2026-03-05T14:00:00+00:00",
    "path": "/referrals/42",
    "name": "Aminatou Bello",
    "phone": "+237 6 99 12 34 56",
}


@pytest.fixture
def people(uow, clock):
    """Two organisations and their staff; returns user ids by username."""
    with uow() as u:
        iom = Organisation(slug="iom", name="OIM Cameroun", kind=OrganisationKind.IOM, created_at=clock.now())
        caritas = Organisation(slug="caritas", name="Caritas Douala", kind=OrganisationKind.NGO, created_at=clock.now())
        u.session.add_all([iom, caritas])
        u.flush()

        def user(username, organisation, roles, language=Language.FR, email=True, prefs=None, active=True, groups=()):
            person = User(
                username=username,
                display_name=username.title(),
                email=f"{username}@example.cm" if email else None,
                language=language,
                organisation_id=organisation.id,
                created_at=clock.now(),
                notification_prefs=prefs or {},
                active=active,
                role_rows=[UserRole(role=role) for role in roles],
                group_rows=[UserGroup(group_name=group) for group in groups],
            )
            u.session.add(person)
            return person

        users = [
            user("carine", iom, [Role.CASEWORKER]),
            user("samuel", iom, [Role.SUPERVISOR]),
            user("grace", caritas, [Role.PROVIDER_FOCAL_POINT], language=Language.EN),
            user("paul", caritas, [Role.PROVIDER_FOCAL_POINT], active=False),
            user("coralie", iom, [Role.COORDINATOR], prefs={"email": False}),
            user("nomail", caritas, [Role.SUPERVISOR], email=False, groups=["health_desk"]),
            user("digest", caritas, [Role.SUPERVISOR], prefs={"digest": True}),
        ]
        u.commit()
        return {person.username: person.id for person in users} | {"iom": iom.id, "caritas": caritas.id}


def queue(uow, clock, event, payload, recipients, count=1):
    with uow() as u:
        rows = [
            OutboxRow(event_type=event, payload={**payload, "recipients": recipients}, created_at=clock.now())
            for _ in range(count)
        ]
        u.session.add_all(rows)
        u.commit()
        return [row.id for row in rows]


def channels_to(server, **options):
    return Channels(SETTINGS, email=SmtpChannel.from_url(server.url, timeout=5), **options)


def deliveries(uow, **where):
    with uow() as u:
        query = select(DeliveryRow).order_by(DeliveryRow.id)
        for name, value in where.items():
            query = query.where(getattr(DeliveryRow, name) == value)
        return u.session.scalars(query).all()


def test_an_event_reaches_each_recipient_by_email_in_their_language_and_in_app(
    uow, clock, people, smtp_server, mailbox
):
    queue(uow, clock, "referral_received", REFERRAL, [{"user": people["carine"]}, {"user": people["grace"]}])

    report = dispatch_pending(uow, channels_to(smtp_server), clock)

    assert (report.events_expanded, report.deliveries_created, report.sent) == (1, 4, 4)
    by_recipient = {str(message["To"]): message for message in mailbox.messages}
    assert by_recipient["carine@example.cm"]["Subject"].startswith("[MNR-2026-000042] Nouveau référencement reçu")
    assert by_recipient["grace@example.cm"]["Subject"].startswith("[MNR-2026-000042] New referral received")
    assert all("Aminatou" not in message.as_string() for message in mailbox.messages)
    with uow() as u:
        notes = u.session.scalars(select(InAppNotification).order_by(InAppNotification.user_id)).all()
        assert [(note.user_id, note.link) for note in notes] == [
            (people["carine"], "https://mnr.example.cm/referrals/42"),
            (people["grace"], "https://mnr.example.cm/referrals/42"),
        ]
        assert notes[1].subject.startswith("[MNR-2026-000042] New referral")


def test_recipients_by_role_in_an_organisation_by_group_and_coordinators(uow, clock, people, smtp_server, mailbox):
    queue(
        uow,
        clock,
        "escalation_level_3",
        REFERRAL,
        [
            {"role": "provider_focal_point", "organisation": people["caritas"]},
            {"group": "health_desk"},
            {"coordinators": True},
            {"user": people["grace"]},  # named twice: still one delivery per channel
        ],
    )
    dispatch_pending(uow, channels_to(smtp_server), clock)

    sent = {(row.recipient_user_id, row.channel) for row in deliveries(uow, status=DeliveryStatus.SENT)}
    assert sent == {
        (people["grace"], DeliveryChannel.EMAIL),
        (people["grace"], DeliveryChannel.IN_APP),
        (people["nomail"], DeliveryChannel.IN_APP),  # no address: in-app only
        (people["coralie"], DeliveryChannel.IN_APP),  # chose not to receive email
    }
    assert [str(message["To"]) for message in mailbox.messages] == ["grace@example.cm"]


def test_running_the_dispatcher_again_sends_nothing_twice(uow, clock, people, smtp_server, mailbox):
    queue(uow, clock, "task_assigned", REFERRAL, [{"user": people["carine"]}])
    dispatch_pending(uow, channels_to(smtp_server), clock)
    clock.advance(timedelta(days=1))
    again = dispatch_pending(uow, channels_to(smtp_server), clock)

    assert (again.events_expanded, again.sent) == (0, 0)
    assert len(mailbox.messages) == 1
    with uow() as u:
        assert u.session.scalar(select(func.count()).select_from(InAppNotification)) == 1


def test_a_refused_address_is_dead_lettered_at_once_and_the_others_still_go_out(
    uow, clock, people, smtp_server, mailbox
):
    with uow() as u:
        u.session.get(User, people["carine"]).email = "refused@example.cm"
        u.commit()
    queue(uow, clock, "task_assigned", REFERRAL, [{"user": people["carine"]}, {"user": people["samuel"]}])

    report = dispatch_pending(uow, channels_to(smtp_server), clock)

    (dead,) = deliveries(uow, status=DeliveryStatus.DEAD)
    assert dead.recipient_user_id == people["carine"] and dead.channel is DeliveryChannel.EMAIL
    assert dead.last_error.startswith("refused for good: recipient refused: 550")
    assert (report.sent, report.dead) == (3, 1)
    assert [str(message["To"]) for message in mailbox.messages] == ["samuel@example.cm"]


def test_a_payload_a_template_cannot_use_is_dead_lettered_without_blocking_other_events(
    uow, clock, people, smtp_server, mailbox
):
    queue(uow, clock, "task_assigned", {"case_reference": "Aminatou Bello"}, [{"user": people["carine"]}])
    queue(uow, clock, "case_closed", REFERRAL, [{"user": people["carine"]}])

    dispatch_pending(uow, channels_to(smtp_server), clock)

    dead = deliveries(uow, status=DeliveryStatus.DEAD)
    assert len(dead) == 2  # the email and the in-app copy of the broken event
    assert all("field 'case_reference'" in row.last_error and "Aminatou" not in row.last_error for row in dead)
    assert [message["Subject"] for message in mailbox.messages] == ["[MNR-2026-000042] Dossier clôturé"]


def test_failures_are_retried_with_growing_jittered_delays_then_dead_lettered(uow, clock, people, smtp_down):
    queue(uow, clock, "task_assigned", REFERRAL, [{"user": people["carine"]}])
    channels = Channels(SETTINGS, email=SmtpChannel.from_url(smtp_down.url, timeout=5))

    delays = []
    for attempt in range(1, SETTINGS.max_attempts + 1):
        report = dispatch_pending(uow, channels, clock, rng=random.Random(attempt))
        (email,) = deliveries(uow, channel=DeliveryChannel.EMAIL)
        assert email.attempts == attempt
        if attempt < SETTINGS.max_attempts:
            assert email.status is DeliveryStatus.FAILED and report.retrying == 1
            assert "cannot reach SMTP server" in email.last_error
            delays.append(email.next_attempt_at - clock.now())
            clock.set(email.next_attempt_at)
    assert email.status is DeliveryStatus.DEAD
    assert email.last_error.startswith(f"gave up after {SETTINGS.max_attempts} attempts: cannot reach SMTP server")
    for attempt, delay in enumerate(delays, start=1):
        ceiling = SETTINGS.first_retry * 2 ** (attempt - 1)
        assert ceiling / 2 <= delay <= ceiling
    (in_app,) = deliveries(uow, channel=DeliveryChannel.IN_APP)
    assert in_app.status is DeliveryStatus.SENT  # the outage did not hold back the in-app copy


def test_a_digest_user_gets_one_email_at_seven_in_the_morning_but_escalations_at_once(
    uow, clock, people, smtp_server, mailbox
):
    # The test clock starts on Monday 2 March 2026 at 08:00 in Douala.
    queue(uow, clock, "referral_accepted", REFERRAL, [{"user": people["digest"]}])
    queue(uow, clock, "case_closed", REFERRAL, [{"user": people["digest"]}])
    queue(uow, clock, "escalation_level_2", REFERRAL, [{"user": people["digest"]}])

    dispatch_pending(uow, channels_to(smtp_server), clock)
    assert [message["Subject"] for message in mailbox.messages] == [
        "[MNR-2026-000042] Alerte : référencement en retard (niveau 2)"
    ]
    held = deliveries(uow, status=DeliveryStatus.PENDING)
    assert [row.next_attempt_at for row in held] == [datetime(2026, 3, 3, 6, 0, tzinfo=timezone.utc)] * 2

    clock.set(datetime(2026, 3, 3, 6, 0, tzinfo=timezone.utc))
    report = dispatch_pending(uow, channels_to(smtp_server), clock)

    assert report.sent == 2 and len(mailbox.messages) == 2
    digest = mailbox.messages[-1]
    assert digest["Subject"] == "Aiguillage : 2 notifications du jour"
    assert digest["Message-ID"].startswith(f"<digest-{held[0].id}-{held[1].id}.n2.user-{people['digest']}@")
    text = digest.get_body(preferencelist=("plain",)).get_content()
    assert "[MNR-2026-000042] Référencement accepté" in text and "[MNR-2026-000042] Dossier clôturé" in text
    assert "https://mnr.example.cm/referrals/42" in text


def test_webhook_users_get_a_signed_document_through_the_dispatcher(uow, clock, people):
    with uow() as u:
        u.session.get(User, people["samuel"]).notification_prefs = {"email": False, "in_app": False, "webhook": True}
        u.commit()
    queue(uow, clock, "escalation_level_1", REFERRAL, [{"user": people["samuel"]}])

    with Gateway() as gateway:
        channels = Channels(SETTINGS, webhook=WebhookChannel(gateway.url, "gateway-secret"))
        report = dispatch_pending(uow, channels, clock)

    assert report.sent == 1
    ((headers, body),) = gateway.requests
    assert verify("gateway-secret", body, headers["X-Aiguillage-Signature"], headers["X-Aiguillage-Timestamp"], clock.now())
    document = json.loads(body)
    (row,) = deliveries(uow)
    assert document["delivery_id"] == f"delivery-{row.id}.outbox-{row.outbox_id}"
    assert (document["recipient_id"], document["case_reference"]) == (str(people["samuel"]), "MNR-2026-000042")
    assert "Aminatou" not in body.decode()


def test_an_outbox_row_with_a_bad_recipient_rule_is_reported_and_sends_nothing(uow, clock, people, smtp_server):
    queue(uow, clock, "task_assigned", REFERRAL, [{"role": "astronaut"}])
    report = dispatch_pending(uow, channels_to(smtp_server), clock)
    assert report.events_expanded == 1 and report.deliveries_created == 0
    assert report.problems == [f"outbox {1}: recipient rule: unknown role 'astronaut'"]
