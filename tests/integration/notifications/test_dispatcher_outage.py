import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.bootstrap import Settings, build
from engine.domain import DeliveryStatus, Language, OrganisationKind, Role
from engine.store.models import DeliveryRow, InAppNotification, Organisation, OutboxRow, User, UserRole
from notifications.channels.smtp import SmtpChannel
from notifications.dispatcher import dispatch_pending
from notifications.sending import Channels
from notifications.settings import NotificationSettings
from tests.integration.store.steady_writes import steady_writes

SETTINGS = NotificationSettings(base_url="https://mnr.example.cm", sender="MNR <alertes@mnr.example.cm>")
PAYLOAD = {"case_reference": "MNR-2026-000042", "step": "Acknowledge receipt", "deadline": "2026-03-05T14:00:00+00:00"}


def focal_points(uow, clock, count: int) -> list[int]:
    """`count` provider focal points who want email only."""
    with uow() as u:
        organisation = Organisation(slug="caritas", name="Caritas", kind=OrganisationKind.NGO, created_at=clock.now())
        u.session.add(organisation)
        u.flush()
        users = [
            User(
                username=f"focal{index}",
                display_name=f"Focal {index}",
                email=f"focal{index}@example.cm",
                language=Language.EN if index % 2 else Language.FR,
                organisation_id=organisation.id,
                created_at=clock.now(),
                notification_prefs={"in_app": False},
                role_rows=[UserRole(role=Role.PROVIDER_FOCAL_POINT)],
            )
            for index in range(count)
        ]
        u.session.add_all(users)
        u.commit()
        return [user.id for user in users]


def queue_one_per_user(uow, clock, user_ids: list[int]) -> None:
    with uow() as u:
        u.session.add_all(
            OutboxRow(
                event_type="referral_received",
                payload={**PAYLOAD, "recipients": [{"user": user_id}]},
                created_at=clock.now(),
            )
            for user_id in user_ids
        )
        u.commit()


def status_counts(uow) -> dict:
    with uow() as u:
        return dict(u.session.execute(select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status)).all())


@pytest.mark.slow
def test_five_hundred_notifications_queued_during_an_outage_are_each_delivered_once(
    uow, clock, smtp_down, mailbox
):
    users = focal_points(uow, clock, 500)
    queue_one_per_user(uow, clock, users)
    channels = Channels(SETTINGS, email=SmtpChannel.from_url(smtp_down.url, timeout=5))

    # The mail server is down: two passes fail, and every delivery waits for a retry.
    first = dispatch_pending(uow, channels, clock)
    assert (first.deliveries_created, first.sent, first.retrying) == (500, 0, 500)
    clock.advance(timedelta(hours=1))
    assert dispatch_pending(uow, channels, clock).retrying == 500
    assert status_counts(uow) == {DeliveryStatus.FAILED: 500}

    # It comes back; before the retry time nothing is sent, after it everything is, once.
    smtp_down.start()
    assert dispatch_pending(uow, channels, clock).sent == 0
    clock.advance(timedelta(hours=1))
    assert dispatch_pending(uow, channels, clock).sent == 500
    clock.advance(timedelta(days=1))
    assert dispatch_pending(uow, channels, clock).sent == 0

    received = Counter(mailbox.message_ids())
    assert len(received) == 500 and set(received.values()) == {1}
    assert status_counts(uow) == {DeliveryStatus.SENT: 500}


@pytest.mark.slow
def test_two_dispatchers_running_at_once_deliver_each_notification_exactly_once(
    database_url, tmp_path, uow, clock, smtp_server, mailbox
):
    users = focal_points(uow, clock, 300)
    queue_one_per_user(uow, clock, users)
    with uow() as u:  # and in-app copies too, which are rows written when "sent"
        for user in u.session.scalars(select(User)):
            user.notification_prefs = {}
        u.commit()

    # Each dispatcher has its own engine, hence its own connections, as separate processes would.
    containers = [build(Settings(database_url=database_url, instance_dir=tmp_path), clock=clock) for _ in range(2)]
    start = threading.Barrier(2)
    reports, failures = [], []

    def run(container, name):
        try:
            start.wait()
            channels = Channels(SETTINGS, email=SmtpChannel.from_url(smtp_server.url))
            for _ in range(10):
                reports.append(dispatch_pending(container.uow, channels, clock, batch_size=25, worker_id=name))
        except Exception as error:  # reported by the assertion below, with its thread's name
            failures.append(f"{name}: {error!r}")

    threads = [threading.Thread(target=run, args=(c, f"dispatcher-{i}")) for i, c in enumerate(containers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    for container in containers:
        container.dispose()

    assert failures == []
    received = Counter(mailbox.message_ids())
    assert len(received) == 300 and set(received.values()) == {1}
    assert status_counts(uow) == {DeliveryStatus.SENT: 600}
    assert sum(report.sent for report in reports) == 600
    assert sum(report.events_expanded for report in reports) == 300
    with uow() as u:
        assert u.session.scalar(select(func.count()).select_from(InAppNotification)) == 300
        assert u.session.scalar(select(func.max(DeliveryRow.attempts))) == 1
    if database_url.startswith("postgresql"):
        # Both really worked: SKIP LOCKED let them share the rows instead of queueing behind each other.
        assert all(any(r.sent for r in reports if r.worker_id == f"dispatcher-{i}") for i in range(2))


@pytest.mark.slow
def test_a_pass_beside_steady_writes_of_the_web_application_sends_everything_in_that_pass(
    database_url, tmp_path, uow, clock, smtp_server, mailbox
):
    # On SQLite a transaction that reads and then writes fails if another connection committed in
    # between; a dispatcher that gave up its pass on that would starve beside a busy web application.
    users = focal_points(uow, clock, 200)
    queue_one_per_user(uow, clock, users)
    with steady_writes(database_url, tmp_path, clock, users[0]) as writes:
        channels = Channels(SETTINGS, email=SmtpChannel.from_url(smtp_server.url))
        report = dispatch_pending(uow, channels, clock, batch_size=10)

    assert (report.events_expanded, report.sent, report.bounded) == (200, 200, False), str(report)
    assert writes.failures == [] and writes.count > 10
    assert len(set(mailbox.message_ids())) == 200
