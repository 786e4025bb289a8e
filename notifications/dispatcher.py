"""The outbox dispatcher: expand events into deliveries, claim the due ones, send, record once.

Each pass works in short transactions, so it can run beside the web application on SQLite and
in several processes on PostgreSQL:

1. expand: outbox rows not yet dispatched become one delivery per recipient and channel
   (unique on outbox, recipient, channel: expanding twice creates nothing new);
2. claim: due deliveries are taken with `FOR UPDATE SKIP LOCKED` on PostgreSQL (one runner at a
   time on SQLite), their attempt counter raised and their next attempt pushed past a lease;
3. send, outside any transaction;
4. record: each outcome is written only if the attempt counter is still the one claimed, so a
   dispatcher whose lease ran out cannot overwrite a newer attempt. A sent delivery is never
   claimed again; a failure is retried with exponential backoff and jitter, and dead-lettered
   after the configured number of attempts or at once when the receiver refused it for good.

A process that dies between sending and recording sends again after the lease, with the same
Message-ID (and webhook delivery id), so receivers can drop the duplicate.
"""

from __future__ import annotations

import logging
import os
import random
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from engine.clock import Clock
from engine.domain import DeliveryChannel, DeliveryStatus
from engine.errors import Conflict, NotificationError
from engine.store.models import DeliveryRow, InAppNotification, OutboxRow, User
from engine.store.unit_of_work import UnitOfWork
from notifications.channels.smtp import message_id
from notifications.recipients import (
    default_rules,
    enabled_channels,
    first_attempt_at,
    is_digest,
    preferences_of,
    resolve_many,
)
from notifications.sending import Channels, Claimed, Outcome, send_claimed
from notifications.settings import NotificationSettings

log = logging.getLogger(__name__)

# Longer than a batch can take to send (connection timeouts included), so a live dispatcher
# never loses its claim; short enough that a crashed one's work resumes the same morning.
CLAIM_LEASE = timedelta(minutes=10)
_ERROR_LENGTH = 1000


@dataclass
class DispatchReport:
    """What one dispatch pass did, for logs and the CLI."""

    worker_id: str
    events_expanded: int = 0
    deliveries_created: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    lost_claims: int = 0  # outcomes not recorded because the claim had passed to another attempt
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.worker_id}: {self.events_expanded} events expanded into {self.deliveries_created} deliveries; "
            f"{self.sent} sent, {self.retrying} to retry, {self.dead} dead-lettered"
            + (f", {self.lost_claims} claims lost" if self.lost_claims else "")
        )


def dispatch_pending(
    uow_factory: Callable[[], UnitOfWork],
    channels: Channels,
    clock: Clock,
    batch_size: int = 100,
    worker_id: str | None = None,
    rng: random.Random | None = None,
    max_batches: int = 1000,
) -> DispatchReport:
    """Expand new outbox rows, then send every due delivery, batch by batch, until none is due."""
    report = DispatchReport(worker_id=worker_id or f"{socket.gethostname()}:{os.getpid()}")
    rng = rng or random.Random()
    for _ in range(max_batches):
        try:
            if _expand(uow_factory, channels, clock.now(), batch_size, report) < batch_size:
                break
        except Conflict:
            break  # another runner wrote at the same moment (SQLite); the rows wait for the next pass
    for _ in range(max_batches):
        try:
            claimed = _claim(uow_factory, channels.settings, clock.now(), batch_size)
        except Conflict:
            break
        if not claimed:
            break
        outcomes = send_claimed(claimed, channels, clock.now())
        _record_with_retries(uow_factory, claimed, outcomes, channels.settings, clock.now(), rng, report)
    if report.events_expanded or report.sent or report.retrying or report.dead:
        log.info("notification dispatch %s", report)
    return report


def _expand(uow_factory, channels: Channels, now: datetime, batch_size: int, report: DispatchReport) -> int:
    """Turn up to `batch_size` new outbox rows into deliveries; the number of rows taken."""
    with uow_factory() as uow:
        session = uow.session
        rows = session.scalars(
            select(OutboxRow)
            .where(OutboxRow.dispatched_at.is_(None))
            .order_by(OutboxRow.created_at, OutboxRow.id)
            .limit(batch_size)
            .with_for_update(skip_locked=True)
        ).all()
        deliveries, problems = [], []
        recipients = resolve_many(session, {row.id: _rules(session, row) for row in rows})
        for row in rows:
            users = recipients[row.id]
            if isinstance(users, NotificationError):
                problems.append(f"outbox {row.id}: {users}")
                users = []
            for user in users:
                prefs = preferences_of(user)
                for channel in enabled_channels(prefs, channels.available):
                    deliveries.append(
                        {
                            "outbox_id": row.id,
                            "recipient_key": f"user:{user.id}",
                            "recipient_user_id": user.id,
                            "address": _address(channel, user, channels.settings),
                            "channel": channel,
                            "status": DeliveryStatus.PENDING,
                            "attempts": 0,
                            "next_attempt_at": first_attempt_at(
                                row.event_type, channel, prefs, now, channels.settings.digest_hour
                            ),
                            "created_at": now,
                        }
                    )
            row.dispatched_at = now
        if deliveries:
            insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
            statement = insert(DeliveryRow.__table__).on_conflict_do_nothing(
                index_elements=["outbox_id", "recipient_key", "channel"]
            )
            session.execute(statement, deliveries)
        uow.commit()
    report.problems.extend(problems)
    report.events_expanded += len(rows)
    report.deliveries_created += len(deliveries)
    return len(rows)


def _rules(session, row: OutboxRow) -> object:
    payload = row.payload if isinstance(row.payload, dict) else {}
    if "recipients" in payload:
        return payload["recipients"]
    return default_rules(session, row.event_type, payload, row.case_id)


def _address(channel: DeliveryChannel, user: User, settings: NotificationSettings) -> str | None:
    if channel is DeliveryChannel.EMAIL:
        return user.email
    if channel is DeliveryChannel.WEBHOOK:
        return settings.webhook_url
    return None


def _claim(uow_factory, settings: NotificationSettings, now: datetime, batch_size: int) -> list[Claimed]:
    """Take up to `batch_size` due deliveries for one attempt each."""
    with uow_factory() as uow:
        session = uow.session
        rows = session.scalars(
            select(DeliveryRow)
            .where(
                DeliveryRow.status.in_([DeliveryStatus.PENDING, DeliveryStatus.FAILED]),
                DeliveryRow.next_attempt_at <= now,
            )
            .order_by(DeliveryRow.next_attempt_at, DeliveryRow.id)
            .limit(batch_size)
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            return []
        events = {
            outbox_id: (event, payload)
            for outbox_id, event, payload in session.execute(
                select(OutboxRow.id, OutboxRow.event_type, OutboxRow.payload).where(
                    OutboxRow.id.in_({row.outbox_id for row in rows})
                )
            )
        }
        user_ids = {row.recipient_user_id for row in rows if row.recipient_user_id is not None}
        users = {user.id: user for user in session.scalars(select(User).where(User.id.in_(user_ids)))}
        claimed = []
        for row in rows:
            row.attempts += 1
            row.next_attempt_at = now + CLAIM_LEASE
            row.message_id = row.message_id or message_id(row.id, row.outbox_id, settings.message_id_domain)
            user = users.get(row.recipient_user_id)
            event, payload = events[row.outbox_id]
            # Email goes to the user's current address: a corrected address helps the retries.
            address = user.email if user is not None and row.channel is DeliveryChannel.EMAIL else row.address
            claimed.append(
                Claimed(
                    delivery_id=row.id,
                    outbox_id=row.outbox_id,
                    attempt=row.attempts,
                    channel=row.channel,
                    user_id=row.recipient_user_id,
                    address=address,
                    language=str(user.language.value) if user is not None else "fr",
                    event=event,
                    payload=dict(payload or {}),
                    message_id=row.message_id,
                    digest=user is not None and row.channel is DeliveryChannel.EMAIL and is_digest(event, user),
                )
            )
        uow.commit()
    return claimed


def retry_delay(attempt: int, settings: NotificationSettings, rng: random.Random) -> timedelta:
    """Exponential backoff with jitter: between half and all of first_retry * 2^(attempt-1), capped."""
    ceiling = min(settings.longest_retry, settings.first_retry * (2 ** min(attempt - 1, 30)))
    return ceiling * (0.5 + rng.random() / 2)


def _record_with_retries(uow_factory, claimed, outcomes, settings, now, rng, report, tries: int = 5) -> None:
    """Record outcomes; on SQLite a concurrent writer can void the transaction, so try again.

    The messages are already out: giving up here would send them again after the lease.
    Recording twice is harmless, as each write is conditional on the claimed attempt.
    """
    for remaining in range(tries - 1, -1, -1):
        try:
            _record(uow_factory, claimed, outcomes, settings, now, rng, report)
            return
        except Conflict:
            if remaining == 0:
                raise


def _record(uow_factory, claimed, outcomes, settings: NotificationSettings, now, rng, report) -> None:
    """Write every outcome of the batch in one transaction, each only if its claim still holds."""
    tally = {DeliveryStatus.SENT: 0, DeliveryStatus.FAILED: 0, DeliveryStatus.DEAD: 0, None: 0}
    with uow_factory() as uow:
        session = uow.session
        for item in claimed:
            outcome: Outcome = outcomes[item.delivery_id]
            if outcome.error is None:
                values = {"status": DeliveryStatus.SENT, "sent_at": now, "next_attempt_at": None, "last_error": None}
            elif outcome.temporary and item.attempt < settings.max_attempts:
                values = {
                    "status": DeliveryStatus.FAILED,
                    "next_attempt_at": now + retry_delay(item.attempt, settings, rng),
                    "last_error": str(outcome.error)[:_ERROR_LENGTH],
                }
            else:
                values = {"status": DeliveryStatus.DEAD, "next_attempt_at": None, "last_error": _last_words(item, outcome)}
            result = session.execute(
                update(DeliveryRow)
                .where(
                    DeliveryRow.id == item.delivery_id,
                    DeliveryRow.attempts == item.attempt,
                    DeliveryRow.status != DeliveryStatus.SENT,
                )
                .values(**values)
            )
            if result.rowcount != 1:
                tally[None] += 1  # the claim passed to a newer attempt: that one records
                continue
            if outcome.error is None and item.channel is DeliveryChannel.IN_APP:
                _write_in_app(session, item, outcome, now)
            tally[values["status"]] += 1
            if values["status"] is DeliveryStatus.DEAD:
                log.warning("delivery %s dead-lettered: %s", item.delivery_id, values["last_error"])
        uow.commit()
    report.sent += tally[DeliveryStatus.SENT]
    report.retrying += tally[DeliveryStatus.FAILED]
    report.dead += tally[DeliveryStatus.DEAD]
    report.lost_claims += tally[None]


def _last_words(item: Claimed, outcome: Outcome) -> str:
    reason = "refused for good" if not outcome.temporary else f"gave up after {item.attempt} attempts"
    return f"{reason}: {outcome.error}"[:_ERROR_LENGTH]


def _write_in_app(session, item: Claimed, outcome: Outcome, now: datetime) -> None:
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(InAppNotification.__table__)
        .values(
            user_id=item.user_id,
            outbox_id=item.outbox_id,
            subject=outcome.rendered.subject[:300],
            body=outcome.rendered.text,
            link=outcome.link,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["user_id", "outbox_id"])
    )
