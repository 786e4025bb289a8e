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

Each pass beats in `notification_dispatchers` between batches, and every claim names its
dispatcher. A dispatcher whose beat is older than `DEAD_AFTER` died: the first pass of any other
dispatcher after that puts its claims back in the queue, instead of waiting for the lease. A
process that dies between sending and recording therefore sends again at that pass, with the same
Message-ID (and webhook delivery id), so receivers can drop the duplicate.

A pass is bounded: at most `max_rows` outbox rows and deliveries, and no new batch after
`max_seconds`; what is left waits for the next pass, so passes never pile up behind a backlog.

A task offered to whole groups (nobody in particular) is one in-app delivery for the group, not
one per member, and email only to the members who chose group-task email (daily digest unless
they asked for it at once). A "new task" whose task was done or taken before it went out is
skipped; the person whose own step created it is never told.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from engine.clock import Clock
from engine.domain import DeliveryChannel, DeliveryStatus, TaskState
from engine.errors import Conflict, NotificationError
from engine.services.pathways.labels import texts_of_cases
from engine.store.models import (
    DeliveryRow, InAppNotification, NotificationDispatcher, Organisation, OutboxRow, TaskRow, User,
)
from engine.store.unit_of_work import UnitOfWork
from notifications.channels.smtp import message_id
from notifications.recipients import (
    default_rules,
    enabled_channels,
    first_attempt_at,
    group_task_of,
    is_digest,
    preferences_of,
    resolve_many,
)
from notifications.context import LANGUAGES, canonical_event
from notifications.labels import code_label
from notifications.sending import Channels, Claimed, Outcome, deliver, prepare
from notifications.settings import NotificationSettings

log = logging.getLogger(__name__)

# Longer than a batch can take to send (connection timeouts included), so a live dispatcher
# never loses its claim; short enough that a crashed one's work resumes the same morning.
CLAIM_LEASE = timedelta(minutes=10)
# A pass beats before every batch; one batch (100 messages over one connection) takes seconds.
# Silence for this long means the dispatcher died: another one takes its claims back.
DEAD_AFTER = timedelta(minutes=2)
# A pass stops starting batches after this long (real time), below the scheduler's 30-second
# interval, and takes at most this many rows; the rest waits for the next pass.
MAX_PASS_SECONDS = 20.0
MAX_PASS_ROWS = 2000
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
    skipped: int = 0  # "new task" deliveries whose task was done or taken before they went out
    released: int = 0  # claims of dead dispatchers put back in the queue
    lost_claims: int = 0  # outcomes not recorded because the claim had passed to another attempt
    bounded: bool = False  # the pass stopped at its time or row limit; the rest waits
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.worker_id}: {self.events_expanded} events expanded into {self.deliveries_created} deliveries; "
            f"{self.sent} sent, {self.retrying} to retry, {self.dead} dead-lettered"
            + (f", {self.skipped} skipped (task already done or taken)" if self.skipped else "")
            + (f", {self.released} claims of dead dispatchers released" if self.released else "")
            + (f", {self.lost_claims} claims lost" if self.lost_claims else "")
            + ("; stopped at the pass limit" if self.bounded else "")
        )


def default_worker_id() -> str:
    """A name no other pass shares: host, process and a random part (process ids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def dispatch_pending(
    uow_factory: Callable[[], UnitOfWork],
    channels: Channels,
    clock: Clock,
    batch_size: int = 100,
    worker_id: str | None = None,
    rng: random.Random | None = None,
    max_batches: int = 1000,
    max_rows: int = MAX_PASS_ROWS,
    max_seconds: float = MAX_PASS_SECONDS,
) -> DispatchReport:
    """Expand new outbox rows, then send due deliveries batch by batch, within the pass's limits."""
    report = DispatchReport(worker_id=worker_id or default_worker_id())
    rng = rng or random.Random()
    deadline = time.monotonic() + max_seconds

    def within_limits(rows: int) -> bool:
        if rows >= max_rows or time.monotonic() >= deadline:
            report.bounded = True
            return False
        return True

    try:
        try:
            _beat(uow_factory, report.worker_id, clock.now())
            report.released = _release_claims_of_dead_dispatchers(uow_factory, clock.now())
        except Conflict:
            return report  # another runner holds the SQLite database: this pass has nothing to do
        for _ in range(max_batches):
            if not within_limits(report.events_expanded):
                break
            try:
                taken = _expand(uow_factory, channels, clock.now(), min(batch_size, max_rows - report.events_expanded), report)
            except Conflict:
                break  # another runner wrote at the same moment (SQLite); the rows wait for the next pass
            if taken < batch_size:
                break
        _send_batches(uow_factory, channels, clock, batch_size, max_batches, max_rows, within_limits, rng, report)
    finally:
        _stop_beating(uow_factory, report.worker_id)
    if report.events_expanded or report.sent or report.retrying or report.dead or report.released:
        log.info("notification dispatch %s", report)
    return report


def _send_batches(uow_factory, channels, clock, batch_size, max_batches, max_rows, within_limits, rng, report) -> None:
    """Claim, render, send and record batch after batch; one batch goes out while the next is claimed and rendered.

    A batch is recorded only after it was sent, and before its claims could lapse, as without the
    overlap: the sending thread only waits on the network while this one works on the database.
    """
    handled = 0
    in_flight = None  # (claimed, future outcomes)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="notify-send") as sender:
        try:
            for _ in range(max_batches):
                claimed, stale_only = [], False
                if within_limits(handled):
                    skipped_before = report.skipped
                    try:
                        claimed = _claim(uow_factory, channels.settings, clock.now(),
                                         min(batch_size, max_rows - handled), report)
                    except Conflict:
                        claimed = []
                    handled += len(claimed) + report.skipped - skipped_before
                    stale_only = not claimed and report.skipped > skipped_before
                prepared = prepare(claimed, channels, clock.now()) if claimed else None
                done = None
                if in_flight is not None:
                    done = (in_flight[0], in_flight[1].result())
                    in_flight = None
                if prepared is not None:
                    in_flight = (claimed, sender.submit(deliver, prepared, channels, clock.now()))
                if done is not None:  # recorded while the next batch goes out
                    _record_with_retries(uow_factory, *done, channels.settings, clock.now(), rng, report)
                if prepared is None and not stale_only:
                    break
        finally:
            if in_flight is not None:  # an error above: what went out is still recorded
                _record_with_retries(uow_factory, in_flight[0], in_flight[1].result(), channels.settings,
                                     clock.now(), rng, report)


def _beat(uow_factory, worker_id: str, now: datetime) -> None:
    """Say this pass is alive (insert or move its heartbeat)."""
    with uow_factory() as uow:
        _beat_in(uow.session, worker_id, now)
        uow.commit()


def _beat_in(session, worker_id: str, now: datetime) -> None:
    changed = session.execute(
        update(NotificationDispatcher).where(NotificationDispatcher.worker_id == worker_id).values(beat_at=now)
    ).rowcount
    if not changed:
        session.add(NotificationDispatcher(worker_id=worker_id, beat_at=now))
        session.flush()


def _stop_beating(uow_factory, worker_id: str) -> None:
    """Remove this pass's heartbeat: it holds no claim any more (or died trying: then they go back)."""
    try:
        with uow_factory() as uow:
            uow.session.execute(delete(NotificationDispatcher).where(NotificationDispatcher.worker_id == worker_id))
            uow.commit()
    except Exception:  # the next pass of anyone cleans up after a stale beat anyway
        log.warning("could not remove the heartbeat of dispatcher %s", worker_id, exc_info=True)


def _release_claims_of_dead_dispatchers(uow_factory, now: datetime) -> int:
    """Put back in the queue the claims of dispatchers that stopped beating; how many."""
    with uow_factory() as uow:
        session = uow.session
        alive = select(NotificationDispatcher.worker_id).where(NotificationDispatcher.beat_at >= now - DEAD_AFTER)
        released = session.execute(
            update(DeliveryRow)
            .where(
                DeliveryRow.status.in_([DeliveryStatus.PENDING, DeliveryStatus.FAILED]),
                DeliveryRow.claimed_by.is_not(None),
                DeliveryRow.claimed_by.not_in(alive),
            )
            .values(claimed_by=None, next_attempt_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount or 0
        session.execute(delete(NotificationDispatcher).where(NotificationDispatcher.beat_at < now - DEAD_AFTER))
        uow.commit()
    if released:
        log.warning("notification dispatch: %s claims of dead dispatchers put back in the queue", released)
    return released


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
            payload = row.payload if isinstance(row.payload, dict) else {}
            group_task = group_task_of(row.event_type, payload)
            if canonical_event(row.event_type) == "task_assigned":
                users = [user for user in users if user.id != payload.get("actor_id")]  # not for one's own step
            if group_task is not None:
                deliveries.append(_delivery(row.id, f"group-task:{group_task}"[:320], None, None,
                                            DeliveryChannel.IN_APP, now, now))
            for user in users:
                prefs = preferences_of(user)
                for channel in enabled_channels(prefs, channels.available, group_task=group_task is not None):
                    due = first_attempt_at(row.event_type, channel, prefs, now, channels.settings.digest_hour,
                                           group_task=group_task is not None)
                    deliveries.append(_delivery(row.id, f"user:{user.id}", user.id,
                                                _address(channel, user, channels.settings), channel, due, now))
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


def _delivery(outbox_id: int, key: str, user_id: int | None, address: str | None, channel: DeliveryChannel,
              due: datetime, now: datetime) -> dict:
    return {
        "outbox_id": outbox_id,
        "recipient_key": key,
        "recipient_user_id": user_id,
        "address": address,
        "channel": channel,
        "status": DeliveryStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": due,
        "created_at": now,
    }


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


def _claim(uow_factory, settings: NotificationSettings, now: datetime, batch_size: int,
           report: DispatchReport) -> list[Claimed]:
    """Take up to `batch_size` due deliveries for one attempt each; stale "new task" ones are skipped.

    The pass beats in the same transaction: its claims and its sign of life are written together.
    """
    with uow_factory() as uow:
        session = uow.session
        _beat_in(session, report.worker_id, now)
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
            outbox_id: (event, case_id, payload)
            for outbox_id, event, case_id, payload in session.execute(
                select(OutboxRow.id, OutboxRow.event_type, OutboxRow.case_id, OutboxRow.payload).where(
                    OutboxRow.id.in_({row.outbox_id for row in rows})
                )
            )
        }
        user_ids = {row.recipient_user_id for row in rows if row.recipient_user_id is not None}
        users = {user.id: user for user in session.scalars(select(User).where(User.id.in_(user_ids)))}
        tasks = _tasks_announced(session, events.values())
        providers = _provider_names(session, events.values())
        claimed = []
        for row in rows:
            event, case_id, payload = events[row.outbox_id]
            payload = dict(payload or {})
            if _stale_task(event, payload, tasks, row.recipient_user_id):
                row.status, row.next_attempt_at, row.claimed_by = DeliveryStatus.SKIPPED, None, None
                report.skipped += 1
                continue
            row.attempts += 1
            row.next_attempt_at = now + CLAIM_LEASE
            row.claimed_by = report.worker_id
            row.message_id = row.message_id or message_id(row.id, row.outbox_id, settings.message_id_domain)
            user = users.get(row.recipient_user_id)
            task = tasks.get(payload.get("task_id")) if canonical_event(event) == "task_assigned" else None
            if task is not None:
                payload["step"] = _step_labels(uow, case_id, task)
            for name in ("waiting_step", "opened_step"):
                if payload.get(f"{name}_refs") and payload.get(name) is None:
                    payload[name] = _element_labels(uow, case_id, payload[f"{name}_refs"])
            if payload.get("provider") is None and payload.get("provider_organisation_id") in providers:
                payload["provider"] = providers[payload["provider_organisation_id"]]
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
                    payload=payload,
                    message_id=row.message_id,
                    digest=user is not None and row.channel is DeliveryChannel.EMAIL
                    and is_digest(event, user, group_task=group_task_of(event, payload) is not None),
                    task_id=payload.get("task_id") if isinstance(payload.get("task_id"), str) else None,
                    caused_by_id=payload.get("actor_id") if isinstance(payload.get("actor_id"), int) else None,
                )
            )
        uow.commit()
    return claimed


def _tasks_announced(session, events) -> dict[str, tuple]:
    """(state, assignee, case, bpmn id, name) of the tasks that "new task" events of a batch announce."""
    task_ids = {
        payload.get("task_id") for event, _, payload in events
        if canonical_event(event) == "task_assigned" and isinstance(payload, dict) and isinstance(payload.get("task_id"), str)
    }
    if not task_ids:
        return {}
    return {
        task_id: (state, assignee_id, case_id, bpmn_id, name, instance)
        for task_id, state, assignee_id, case_id, bpmn_id, name, instance in session.execute(
            select(TaskRow.id, TaskRow.state, TaskRow.assignee_id, TaskRow.case_id, TaskRow.bpmn_id, TaskRow.name,
                   TaskRow.instance_label)
            .where(TaskRow.id.in_(task_ids))
        )
    }


def _provider_names(session, events) -> dict[int, str]:
    """Organisation names of the providers a batch's referral events name (names of bodies, not people)."""
    ids = {
        payload.get("provider_organisation_id") for _, _, payload in events
        if isinstance(payload, dict) and isinstance(payload.get("provider_organisation_id"), int)
    }
    if not ids:
        return {}
    return dict(session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all())


def _stale_task(event: str, payload: dict, tasks: dict[str, tuple], user_id: int | None) -> bool:
    """A "new task" whose task ended, or went to someone else, before the message went out."""
    if canonical_event(event) != "task_assigned" or payload.get("task_id") not in tasks:
        return False  # not about a task we hold (a test's or an outside event): send as written
    state, assignee_id, *_ = tasks[payload["task_id"]]
    if state != TaskState.OPEN:
        return True
    if group_task_of(event, payload) is not None:
        return assignee_id is not None
    return assignee_id is not None and user_id is not None and assignee_id != user_id


def _step_labels(uow, case_id: int | None, task: tuple) -> dict[str, str]:
    """The task's name in each language, from its case's pathway version, with its sector for a referral's branch."""
    _, _, task_case_id, bpmn_id, name, instance = task
    labels = {}
    for language in LANGUAGES:
        texts = texts_of_cases(uow, [case_id or task_case_id], language).get(case_id or task_case_id)
        label = texts.labels.element(bpmn_id, default=name) if texts is not None else name
        if instance:
            label = f"{label} ({code_label(language, 'sector', instance)})"
        labels[language] = label
    return labels


def _element_labels(uow, case_id: int | None, refs: object) -> dict[str, str] | None:
    """Steps named by [bpmn id, name] pairs, in each language, from the case's pathway version (joined with commas)."""
    pairs = [ref for ref in refs if isinstance(ref, list) and len(ref) == 2] if isinstance(refs, list) else []
    if not pairs or case_id is None:
        return None
    labels = {}
    for language in LANGUAGES:
        texts = texts_of_cases(uow, [case_id], language).get(case_id)
        labels[language] = ", ".join(
            texts.labels.element(str(bpmn_id), default=str(name)) if texts is not None else str(name) for bpmn_id, name in pairs)
    return labels


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
    """Write every outcome of the batch in one transaction, each only if its claim still holds.

    The sent ones (nearly all) go in one executemany; when its row count shows that some claim
    passed to a newer attempt, they are written one by one to find which.
    """
    tally = {DeliveryStatus.SENT: 0, DeliveryStatus.FAILED: 0, DeliveryStatus.DEAD: 0, None: 0}
    sent, others = [], []
    for item in claimed:
        (sent if outcomes[item.delivery_id].error is None else others).append(item)
    with uow_factory() as uow:
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
    personal = [row for row in rows if row["user_id"] is not None]
    if personal:
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        session.execute(
            insert(InAppNotification.__table__).on_conflict_do_nothing(index_elements=["user_id", "outbox_id"]),
            personal,
        )
