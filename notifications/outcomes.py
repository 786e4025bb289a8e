"""Recording how each attempt ended, only where the claim still holds (a dispatcher whose lease ran out cannot overwrite a newer attempt).

A sent delivery is never claimed again; a failure is retried with exponential backoff and
jitter, and dead-lettered after the configured number of attempts or at once when the receiver
refused it for good. In-app items are written with their delivery's "sent"; a group's item about a
task handed back to the team before it was written is offered again at once, as the hand-back would
have done.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlalchemy.dialects import postgresql, sqlite

from engine.domain import DeliveryChannel, DeliveryStatus
from engine.errors import Conflict
from engine.services.accounts.notification_list import offer_late_items_again
from engine.store.models import DeliveryRow, InAppNotification
from engine.store.write_lock import lock_for_writing
from notifications.sending import Claimed, Outcome
from notifications.settings import NotificationSettings

log = logging.getLogger(__name__)

_ERROR_LENGTH = 1000


def retry_delay(attempt: int, settings: NotificationSettings, rng: random.Random) -> timedelta:
    """Exponential backoff with jitter: between half and all of first_retry * 2^(attempt-1), capped."""
    ceiling = min(settings.longest_retry, settings.first_retry * (2 ** min(attempt - 1, 30)))
    return ceiling * (0.5 + rng.random() / 2)


def record_with_retries(uow_factory, claimed, outcomes, settings, now, rng, report, tries: int = 5) -> None:
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
    """Write every outcome of the batch in one transaction, each only if its claim still holds.

    The sent ones (nearly all) go in one executemany; when its row count shows that some claim
    passed to a newer attempt, they are written one by one to find which.
    """
    tally = {DeliveryStatus.SENT: 0, DeliveryStatus.FAILED: 0, DeliveryStatus.DEAD: 0, None: 0}
    sent, others = [], []
    for item in claimed:
        (sent if outcomes[item.delivery_id].error is None else others).append(item)
    with uow_factory() as uow:
        lock_for_writing(uow)
        session = uow.session
        recorded = []
        if sent and _record_sent_together(session, sent, now):
            recorded = sent
        else:
            others = sent + others
        for item in others:
            outcome: Outcome = outcomes[item.delivery_id]
            values = _outcome_values(item, outcome, settings, now, rng)
            if session.execute(_CONDITIONAL_UPDATE.values(**values), {"b_id": item.delivery_id,
                                                                     "b_attempt": item.attempt}).rowcount != 1:
                tally[None] += 1  # the claim passed to a newer attempt: that one records
                continue
            if values["status"] is DeliveryStatus.SENT:
                recorded.append(item)
            tally[values["status"]] += 1
            if values["status"] is DeliveryStatus.DEAD:
                log.warning("delivery %s dead-lettered: %s", item.delivery_id, values["last_error"])
        tally[DeliveryStatus.SENT] += len(recorded) if recorded is sent else 0
        _write_in_app(session, [(item, outcomes[item.delivery_id]) for item in recorded
                                if item.channel is DeliveryChannel.IN_APP], now)
        uow.commit()
    report.sent += tally[DeliveryStatus.SENT]
    report.retrying += tally[DeliveryStatus.FAILED]
    report.dead += tally[DeliveryStatus.DEAD]
    report.lost_claims += tally[None]


_CONDITIONAL_UPDATE = (
    update(DeliveryRow.__table__)
    .where(
        DeliveryRow.__table__.c.id == bindparam("b_id"),
        DeliveryRow.__table__.c.attempts == bindparam("b_attempt"),
        DeliveryRow.__table__.c.status != DeliveryStatus.SENT.value,
    )
)


def _record_sent_together(session, items: list[Claimed], now: datetime) -> bool:
    """Mark the batch's sent deliveries sent in one statement; False (nothing kept) if any claim was lost."""
    savepoint = session.begin_nested()
    changed = session.execute(
        _CONDITIONAL_UPDATE.values(status=DeliveryStatus.SENT.value, sent_at=now, next_attempt_at=None,
                                   last_error=None, claimed_by=None),
        [{"b_id": item.delivery_id, "b_attempt": item.attempt} for item in items],
    ).rowcount
    if changed == len(items):
        savepoint.commit()
        return True
    savepoint.rollback()
    return False


def _outcome_values(item: Claimed, outcome: Outcome, settings: NotificationSettings, now, rng) -> dict:
    if outcome.error is None:
        return {"status": DeliveryStatus.SENT, "sent_at": now, "next_attempt_at": None, "last_error": None,
                "claimed_by": None}
    if outcome.temporary and item.attempt < settings.max_attempts:
        return {
            "status": DeliveryStatus.FAILED,
            "next_attempt_at": now + retry_delay(item.attempt, settings, rng),
            "last_error": str(outcome.error)[:_ERROR_LENGTH],
            "claimed_by": None,
        }
    return {"status": DeliveryStatus.DEAD, "next_attempt_at": None, "last_error": _last_words(item, outcome),
            "claimed_by": None}


def _last_words(item: Claimed, outcome: Outcome) -> str:
    reason = "refused for good" if not outcome.temporary else f"gave up after {item.attempt} attempts"
    return f"{reason}: {outcome.error}"[:_ERROR_LENGTH]


def _write_in_app(session, delivered: list[tuple[Claimed, Outcome]], now: datetime) -> None:
    """The in-app rows of the deliveries just marked sent (which made this the only writer of each)."""
    if not delivered:
        return
    rows = [
        {
            "user_id": item.user_id,  # None: the group's one item
            "outbox_id": item.outbox_id,
            "subject": outcome.rendered.subject[:300],
            "body": outcome.rendered.text,
            "link": outcome.link,
            "created_at": now,
            "read_at": None,
            "task_id": item.task_id,
            "caused_by_id": item.caused_by_id,
            "texts": outcome.texts,
        }
        for item, outcome in delivered
    ]
    groups = [row for row in rows if row["user_id"] is None]
    if groups:
        session.execute(InAppNotification.__table__.insert(), groups)
        # A task taken and handed back before this pass: its team hears of it as of its return, and
        # not the member who handed it back (in this transaction, so written exactly once like the item).
        offer_late_items_again(session, {row["outbox_id"] for row in groups if row["task_id"] is not None})
    personal = [row for row in rows if row["user_id"] is not None]
    if personal:
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        session.execute(
            insert(InAppNotification.__table__).on_conflict_do_nothing(index_elements=["user_id", "outbox_id"]),
            personal,
        )
