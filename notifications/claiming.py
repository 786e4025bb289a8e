"""Claiming deliveries for one attempt, and the heartbeats that say a dispatcher holding claims is alive.

Every claim names its dispatcher, and each pass beats in `notification_dispatchers` in the same
transaction as its claims. A dispatcher whose beat is older than `DEAD_AFTER` died: the first pass
of any other dispatcher after that puts its claims back in the queue, instead of waiting for the
lease (`CLAIM_LEASE`). Due deliveries are taken with `FOR UPDATE SKIP LOCKED` on PostgreSQL (one
runner at a time on SQLite); a "new task" whose task was done or taken before it went out is
skipped.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, delete, select, update

from engine.domain import DeliveryChannel, DeliveryStatus, TaskState
from engine.services.accounts.notification_list import last_hand_backs
from engine.services.pathways.labels import texts_of_cases
from engine.store.models import DeliveryRow, NotificationDispatcher, Organisation, OutboxRow, TaskRow, User
from engine.store.write_lock import lock_for_writing
from notifications.channels.smtp import message_id
from notifications.context import LANGUAGES, canonical_event
from notifications.labels import code_label
from notifications.links import LinkFacts, link_for, task_id_of
from notifications.recipients import group_task_of, is_digest
from notifications.sending import Claimed
from notifications.settings import NotificationSettings

if TYPE_CHECKING:
    from notifications.dispatcher import DispatchReport

log = logging.getLogger(__name__)

# Longer than a batch can take to send (connection timeouts included), so a live dispatcher
# never loses its claim; short enough that a crashed one's work resumes the same morning.
CLAIM_LEASE = timedelta(minutes=10)
# A pass beats before every batch; one batch (100 messages over one connection) takes seconds.
# Silence for this long means the dispatcher died: another one takes its claims back.
DEAD_AFTER = timedelta(minutes=2)


def beat(uow_factory, worker_id: str, now: datetime) -> None:
    """Say this pass is alive (insert or move its heartbeat)."""
    with uow_factory() as uow:
        lock_for_writing(uow)
        _beat_in(uow.session, worker_id, now)
        uow.commit()


def _beat_in(session, worker_id: str, now: datetime) -> None:
    changed = session.execute(
        update(NotificationDispatcher).where(NotificationDispatcher.worker_id == worker_id).values(beat_at=now)
    ).rowcount
    if not changed:
        session.add(NotificationDispatcher(worker_id=worker_id, beat_at=now))
        session.flush()


def stop_beating(uow_factory, worker_id: str) -> None:
    """Remove this pass's heartbeat: it holds no claim any more (or died trying: then they go back)."""
    try:
        with uow_factory() as uow:
            lock_for_writing(uow)
            uow.session.execute(delete(NotificationDispatcher).where(NotificationDispatcher.worker_id == worker_id))
            uow.commit()
    except Exception:  # the next pass of anyone cleans up after a stale beat anyway
        log.warning("could not remove the heartbeat of dispatcher %s", worker_id, exc_info=True)


def release_claims_of_dead_dispatchers(uow_factory, now: datetime) -> int:
    """Put back in the queue the claims of dispatchers that stopped beating; how many."""
    with uow_factory() as uow:
        lock_for_writing(uow)
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


def claim(uow_factory, settings: NotificationSettings, now: datetime, batch_size: int,
           report: DispatchReport) -> list[Claimed]:
    """Take up to `batch_size` due deliveries for one attempt each; stale "new task" ones are skipped.

    The pass beats in the same transaction: its claims and its sign of life are written together.
    Rows are read and written with plain statements, a batch's claims in one executemany: the
    ORM's loading and flushing of each row cost more than the statements.
    """
    with uow_factory() as uow:
        lock_for_writing(uow)  # SQLite: wait for the web application's writes instead of failing after them
        session = uow.session
        _beat_in(session, report.worker_id, now)
        rows = session.execute(_DUE.limit(batch_size), {"now": now}).all()
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
        # Rows with the attributes preferences_of reads (email, notification_prefs) and the links need
        # (organisation, active), not User objects.
        users = {user.id: user for user in session.execute(_RECIPIENTS, {"ids": list(user_ids)})} if user_ids else {}
        tasks = _tasks_announced(session, events.values())
        # Who handed a group's task back to the team: they know of it, so it is no news to them by email.
        returned = last_hand_backs(session, {group_task_of(event, payload) for event, _, payload in events.values()
                                             if isinstance(payload, dict)} - {None})
        providers = _provider_names(session, events.values())
        links = LinkFacts.read(session, users.values(), {case_id for _, case_id, _ in events.values() if case_id is not None},
                               {task_id_of(payload) for _, _, payload in events.values()
                                if isinstance(payload, dict) and task_id_of(payload)})
        claimed, claims, skipped = [], [], []
        for row in rows:
            event, case_id, payload = events[row.outbox_id]
            payload = dict(payload or {})
            if _stale_task(event, payload, tasks, row.recipient_user_id, row.channel, returned):
                skipped.append(row.id)
                continue
            attempt = row.attempts + 1
            message = row.message_id or message_id(row.id, row.outbox_id, settings.message_id_domain)
            claims.append({"b_id": row.id, "b_attempts": attempt, "b_message_id": message})
            user = users.get(row.recipient_user_id)
            task = tasks.get(payload.get("task_id")) if canonical_event(event) == "task_assigned" else None
            if task is not None:
                payload["step"] = _step_labels(uow, case_id, task)
            for name in ("waiting_step", "opened_step"):
                if payload.get(f"{name}_refs") and payload.get(name) is None:
                    payload[name] = _element_labels(uow, case_id, payload[f"{name}_refs"])
            if payload.get("provider") is None and payload.get("provider_organisation_id") in providers:
                payload["provider"] = providers[payload["provider_organisation_id"]]
            if row.recipient_user_id is not None:
                # A group's one item links to the task offered to the group; a person's link is theirs.
                payload["path"] = link_for(links, row.recipient_user_id, case_id, payload, canonical_event(event))
            # Email goes to the user's current address: a corrected address helps the retries.
            address = user.email if user is not None and row.channel is DeliveryChannel.EMAIL else row.address
            claimed.append(
                Claimed(
                    delivery_id=row.id,
                    outbox_id=row.outbox_id,
                    attempt=attempt,
                    channel=row.channel,
                    user_id=row.recipient_user_id,
                    address=address,
                    language=str(user.language.value) if user is not None else "fr",
                    event=event,
                    payload=payload,
                    message_id=message,
                    digest=user is not None and row.channel is DeliveryChannel.EMAIL
                    and is_digest(event, user, group_task=group_task_of(event, payload) is not None),
                    task_id=payload.get("task_id") if isinstance(payload.get("task_id"), str) else None,
                    caused_by_id=payload.get("actor_id") if isinstance(payload.get("actor_id"), int) else None,
                )
            )
        if skipped:
            report.skipped += len(skipped)
            session.execute(_SKIP, {"ids": skipped})
        if claims:
            session.execute(_CLAIM.values(next_attempt_at=now + CLAIM_LEASE, claimed_by=report.worker_id), claims)
        uow.commit()
    return claimed


_deliveries = DeliveryRow.__table__
_DUE = (
    select(_deliveries.c.id, _deliveries.c.outbox_id, _deliveries.c.recipient_user_id, _deliveries.c.address,
           _deliveries.c.channel, _deliveries.c.attempts, _deliveries.c.message_id)
    .where(
        _deliveries.c.status.in_([DeliveryStatus.PENDING, DeliveryStatus.FAILED]),
        _deliveries.c.next_attempt_at <= bindparam("now"),
    )
    .order_by(_deliveries.c.next_attempt_at, _deliveries.c.id)
    .with_for_update(skip_locked=True)
)
_RECIPIENTS = select(User.id, User.username, User.organisation_id, User.active, User.email, User.language,
                     User.notification_prefs).where(
    User.id.in_(bindparam("ids", expanding=True))
)
_SKIP = (
    update(_deliveries)
    .where(_deliveries.c.id.in_(bindparam("ids", expanding=True)))
    .values(status=DeliveryStatus.SKIPPED, next_attempt_at=None, claimed_by=None)
)
_CLAIM = (
    update(_deliveries)
    .where(_deliveries.c.id == bindparam("b_id"))
    .values(attempts=bindparam("b_attempts"), message_id=bindparam("b_message_id"))
)


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


def _stale_task(event: str, payload: dict, tasks: dict[str, tuple], user_id: int | None,
                channel: DeliveryChannel | None = None, returned: dict[str, tuple] | None = None) -> bool:
    """A "new task" whose task ended, or went to someone else, before the message went out."""
    if canonical_event(event) != "task_assigned" or payload.get("task_id") not in tasks:
        return False  # not about a task we hold (a test's or an outside event): send as written
    state, assignee_id, *_ = tasks[payload["task_id"]]
    if state != TaskState.OPEN:
        return True
    if group_task_of(event, payload) is not None:
        # The group's one in-app item is listed only while the task is offered to the group, so it is
        # written even for a task someone holds: handed back to the team, the team sees it again. An
        # email cannot be taken back, so none goes about a task already in someone's hands, nor to
        # the member who last handed it back (the item is not new to them either).
        if channel is DeliveryChannel.IN_APP:
            return False
        returned_by = (returned or {}).get(payload["task_id"], (None,))[0]
        return assignee_id is not None or (user_id is not None and user_id == returned_by)
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
