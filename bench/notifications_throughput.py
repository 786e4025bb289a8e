"""Dispatcher throughput to a local SMTP server, against plain smtplib sending the same messages.

    python bench/notifications_throughput.py [--messages 1000] [--database-url URL]

Both runs send to the same aiosmtpd server in this process. The dispatcher's time covers the
whole pass (expanding outbox rows, claiming, rendering in two languages, sending in batches over
one connection each, recording every outcome); smtplib's covers only sending the already-built
messages over one connection. The ratio is the price of the outbox's guarantees per message.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import smtplib  # noqa: E402

from aiosmtpd.controller import Controller  # noqa: E402

from engine.bootstrap import Settings, build  # noqa: E402
from engine.clock import ManualClock  # noqa: E402
from engine.domain import Language, OrganisationKind, Role  # noqa: E402
from engine.store.migrate import upgrade_database  # noqa: E402
from engine.store.models import Organisation, OutboxRow, User, UserRole  # noqa: E402
from notifications.channels.smtp import SmtpChannel, build_email, message_id  # noqa: E402
from notifications.context import notification_context  # noqa: E402
from notifications.dispatcher import dispatch_pending  # noqa: E402
from notifications.rendering import Renderer  # noqa: E402
from notifications.sending import Channels  # noqa: E402
from notifications.settings import NotificationSettings  # noqa: E402

PAYLOAD = {
    "case_reference": "MNR-2026-000042",
    "step": {"fr": "Accuser réception", "en": "Acknowledge receipt"},
    "deadline": "2026-03-05T14:00:00+00:00",
    "path": "/referrals/42",
}


class CountingHandler:
    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seed(container, clock, count: int) -> None:
    """`count` email-only users, one outbox event each, half in French and half in English."""
    with container.uow() as uow:
        organisation = Organisation(slug="caritas", name="Caritas", kind=OrganisationKind.NGO, created_at=clock.now())
        uow.session.add(organisation)
        uow.flush()
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
        uow.session.add_all(users)
        uow.flush()
        uow.session.add_all(
            OutboxRow(
                event_type="referral_received",
                payload={**PAYLOAD, "recipients": [{"user": user.id}]},
                created_at=clock.now(),
            )
            for user in users
        )
        uow.commit()


def plain_smtplib(port: int, settings: NotificationSettings, clock, count: int) -> float:
    """Seconds for smtplib to send `count` prebuilt messages over one connection."""
    renderer = Renderer(settings.base_url)
    context = notification_context("referral_received", PAYLOAD)
    emails = [
        build_email(
            renderer.render("referral_received", "en" if index % 2 else "fr", context),
            sender=settings.sender,
            recipient=f"focal{index}@example.cm",
            message_id=message_id(f"plain{index}", 0, settings.message_id_domain),
            sent_at=clock.now(),
        )
        for index in range(count)
    ]
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for email in emails:
            connection.send_message(email)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    arguments = parser.parse_args()

    handler = CountingHandler()
    port = free_port()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    clock = ManualClock(datetime(2026, 3, 2, 7, 0, tzinfo=timezone.utc))
    with tempfile.TemporaryDirectory() as folder:
        url = arguments.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        container = build(Settings(database_url=url, instance_dir=Path(folder)), clock=clock)
        try:
            upgrade_database(container.engine)
            seed(container, clock, arguments.messages)
            settings = NotificationSettings(base_url="https://mnr.example.cm", sender="MNR <alertes@mnr.example.cm>")
            channels = Channels(settings, email=SmtpChannel.from_url(f"smtp://127.0.0.1:{port}"))

            started = time.perf_counter()
            report = dispatch_pending(container.uow, channels, clock, batch_size=arguments.batch_size)
            dispatcher_seconds = time.perf_counter() - started
            baseline_seconds = plain_smtplib(port, settings, clock, arguments.messages)
        finally:
            container.dispose()
            server.stop()

    expected = 2 * arguments.messages
    if report.sent != arguments.messages or handler.received != expected:
        sys.exit(f"delivery mismatch: dispatcher sent {report.sent}, server received {handler.received} of {expected}")
    dispatcher_rate = arguments.messages / dispatcher_seconds
    baseline_rate = arguments.messages / baseline_seconds
    print(f"database: {url.split(':', 1)[0]}, messages: {arguments.messages}, batch size: {arguments.batch_size}")
    print(f"dispatcher (outbox -> render -> SMTP -> record): {dispatcher_seconds:.2f} s, {dispatcher_rate:.0f} messages/s")
    print(f"plain smtplib, one connection, prebuilt messages: {baseline_seconds:.2f} s, {baseline_rate:.0f} messages/s")
    print(f"ratio (smtplib rate / dispatcher rate): {baseline_rate / dispatcher_rate:.2f}")


if __name__ == "__main__":
    main()
