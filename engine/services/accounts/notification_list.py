"""A person's in-app notifications: their own items and their groups' open work (the notifications package writes them).

A group task is one item for the group: it is listed for each member of one of the task's candidate
groups while the task is offered to them (it has `task_candidates` rows), and is gone once someone
takes it or it ends. Each member marks it read for themselves (`in_app_reads`); handed back to the
team, it is new work for the team again (`offer_again`), also when the dispatcher writes it only after
the hand-back (`offer_late_items_again`): as of the time it came back, unread for every member but the
one who handed it back. A person's own "new task" item reads as done once the task is no longer open
or no longer theirs (done, handed to someone else, handed back to the team); any other item about a
task, once the task is no longer open; a provider's "new referral", once the referral was answered,
revoked or expired; an escalation's alert, once the escalation was resolved or overtaken (the step it
waited on was done). A done item is never unread: the list, the unread filter and the count read the
same `_done` rule. Nobody is shown an item their own step caused.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import and_, case, delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from engine.access import Actor
from engine.domain import EscalationStatus, ReferralState, TaskState
from engine.errors import NotFound
from engine.store.models import (
    CaseEvent, EscalationRow, InAppNotification, InAppRead, OutboxRow, ReferralRow, TaskCandidate, TaskRow,
)
from engine.store.unit_of_work import UnitOfWork

PAGE_SIZE = 50
# The case event of a task handed back to its team: who handed it back, and when.
HANDED_BACK = "task_released"
# The outbox event that tells a person or a team that a task waits for them.
TASK_ANNOUNCED = "task_assigned"
# The outbox event that tells a provider's focal points a referral came in, and the referral's states
# in which what it asks of them (acknowledge, then accept, decline or redirect) is still to do.
REFERRAL_ANNOUNCED = "referral_received"
AWAITING_PROVIDER = frozenset({ReferralState.SENT, ReferralState.ACKNOWLEDGED})
# The outbox events that alert someone about an escalation (their payload names it), and the
# escalation's states in which there is nothing left to do about it.
ESCALATION_ALERTS = ("escalation_level_1", "escalation_level_2", "escalation_level_3", "escalation_handed_over")
ESCALATION_OVER = frozenset({EscalationStatus.RESOLVED, EscalationStatus.OVERTAKEN})


@dataclass(frozen=True)
class NotificationItem:
    """One line of a notification list, in the reader's language."""

    id: int
    title: str
    sentence: str
    link: str | None  # a path inside the application
    created_at: datetime
    read_at: datetime | None
    done: bool  # nothing left to do about it: the task it is about is over, or no longer the reader's
    for_group: bool
    # Of a done "new task" item: the task is still open, in someone else's hands or back with the team.
    no_longer_yours: bool = False
    # Of a done "new referral" item: where the referral went since (answered, revoked, expired).
    referral_state: str | None = None
    # Of a done escalation alert: what became of the escalation (resolved, or overtaken by the work).
    escalation_state: str | None = None

    @property
    def unread(self) -> bool:
        """Whether it still asks for the reader's attention: not read, and not done."""
        return self.read_at is None and not self.done

    @property
    def subject(self) -> str:
        return self.title

    @property
    def body(self) -> str:
        return self.sentence


def _offered_to(actor: Actor):
    return select(TaskCandidate.task_id).where(
        TaskCandidate.organisation_id == actor.organisation_id, TaskCandidate.group_name.in_(sorted(actor.groups))
    )


def _visible(actor: Actor):
    """Which items the actor sees: their own, and their groups' items for work still offered to them."""
    group_items = and_(
        InAppNotification.user_id.is_(None),
        or_(InAppNotification.caused_by_id.is_(None), InAppNotification.caused_by_id != actor.id),
        InAppNotification.task_id.in_(_offered_to(actor)),
    )
    return or_(InAppNotification.user_id == actor.id, group_items)


def _read_at(actor: Actor):
    mine = select(InAppRead.read_at).where(
        InAppRead.notification_id == InAppNotification.id, InAppRead.user_id == actor.id
    ).scalar_subquery()
    return func.coalesce(InAppNotification.read_at, mine)


def _not_read(actor: Actor):
    """`_read_at(actor)` is NULL, written so that the index on (user_id, read_at) serves a user's own items:
    a member's read of a group item is a row of in_app_reads, which always holds its time."""
    return and_(InAppNotification.read_at.is_(None),
                ~exists().where(InAppRead.notification_id == InAppNotification.id, InAppRead.user_id == actor.id))


def _about(statement):
    """The statement joined to what an item is about: its outbox event, task, referral and escalation."""
    return (
        statement.join(OutboxRow, OutboxRow.id == InAppNotification.outbox_id)
        .outerjoin(TaskRow, TaskRow.id == InAppNotification.task_id)
        .outerjoin(ReferralRow, and_(OutboxRow.event_type == REFERRAL_ANNOUNCED,
                                     ReferralRow.id == OutboxRow.payload["referral_id"].as_integer()))
        .outerjoin(EscalationRow, and_(OutboxRow.event_type.in_(ESCALATION_ALERTS),
                                       EscalationRow.id == OutboxRow.payload["escalation_id"].as_integer()))
    )


def _true(condition):
    # Outer joins leave NULLs: a condition about a missing row is false, never unknown, so that
    # `not done` keeps the item.
    return case((condition, True), else_=False)


def _no_longer_yours(actor: Actor):
    """Of a person's "new task": the task is still open but no longer theirs."""
    # It said the task was theirs: handed to someone else or back to the team, it no longer is. Other
    # items about an open task (an escalation alert to a supervisor) still stand whoever holds it, and
    # a group's item is listed only while the task waits for the group.
    return and_(InAppNotification.task_id.is_not(None), InAppNotification.user_id.is_not(None),
                OutboxRow.event_type == TASK_ANNOUNCED, TaskRow.state == TaskState.OPEN,
                or_(TaskRow.assignee_id.is_(None), TaskRow.assignee_id != actor.id))


# A "new referral" asks the provider to acknowledge it, then decide: once they did, or the referral
# was revoked or expired, nothing it asks is left to do.
_REFERRAL_ANSWERED = and_(ReferralRow.id.is_not(None), ReferralRow.state.not_in(sorted(AWAITING_PROVIDER)))
_ESCALATION_OVER = and_(EscalationRow.id.is_not(None), EscalationRow.status.in_(sorted(ESCALATION_OVER)))
_TASK_ENDED = and_(InAppNotification.task_id.is_not(None), TaskRow.id.is_not(None), TaskRow.state != TaskState.OPEN)


def _done(actor: Actor):
    """Whether nothing is left for the actor to do about an item (needs `_about`'s joins)."""
    return _true(or_(_TASK_ENDED, _REFERRAL_ANSWERED, _ESCALATION_OVER, _no_longer_yours(actor)))


def _unread(actor: Actor):
    return and_(_not_read(actor), ~_done(actor))


def list_notifications(uow: UnitOfWork, actor: Actor, language: str, unread_only: bool = False,
                       limit: int = PAGE_SIZE, offset: int = 0) -> list[NotificationItem]:
    """The actor's notifications, newest first, worded in `language`."""
    statement = _about(
        select(InAppNotification, _read_at(actor).label("read_at"), _done(actor).label("done"),
               _true(_no_longer_yours(actor)).label("no_longer_yours"),
               case((_REFERRAL_ANSWERED, ReferralRow.state), else_=None).label("referral_state"),
               case((_ESCALATION_OVER, EscalationRow.status), else_=None).label("escalation_state"))
        .select_from(InAppNotification)
    ).where(_visible(actor)).order_by(InAppNotification.created_at.desc(), InAppNotification.id.desc())
    if unread_only:
        statement = statement.where(_unread(actor))
    with uow:
        rows = uow.session.execute(statement.limit(limit).offset(offset)).all()
    return [_item(row, language) for row in rows]


def _item(row, language: str) -> NotificationItem:
    note = row.InAppNotification
    texts = note.texts if isinstance(note.texts, dict) else {}
    words = texts.get(language) or next(iter(texts.values()), None) or {"title": note.subject, "sentence": ""}
    return NotificationItem(
        id=note.id,
        title=words.get("title") or note.subject,
        sentence=words.get("sentence") or "",
        link=_path(note.link),
        created_at=note.created_at,
        read_at=row.read_at,
        done=bool(row.done),
        for_group=note.user_id is None,
        no_longer_yours=bool(row.no_longer_yours),
        referral_state=ReferralState(row.referral_state).value if row.referral_state is not None else None,
        escalation_state=EscalationStatus(row.escalation_state).value if row.escalation_state is not None else None,
    )


def _path(link: str | None) -> str | None:
    # Stored links carry the installation's base URL (emails need it); pages link inside the site.
    # The fragment stays: it names the row of a list the item is about (an escalation handed over).
    if not link:
        return None
    parts = urlsplit(link)
    path = parts.path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    return path if path.startswith("/") and not path.startswith("//") else None


def unread_count(session: Session, actor: Actor) -> int:
    """How many of the actor's notifications are unread (a done item is not, read or not)."""
    return session.scalar(
        _about(select(func.count()).select_from(InAppNotification)).where(_visible(actor), _unread(actor))
    ) or 0


def mark_read(session: Session, actor: Actor, notification_id: int, at: datetime) -> None:
    """Mark one notification the actor sees read (NotFound when they do not see it)."""
    note = session.scalar(select(InAppNotification).where(InAppNotification.id == notification_id, _visible(actor)))
    if note is None:
        raise NotFound(f"notification {notification_id} does not exist")
    if note.user_id is not None:
        if note.read_at is None:
            note.read_at = at
        return
    seen = session.scalar(select(exists().where(InAppRead.notification_id == note.id, InAppRead.user_id == actor.id)))
    if not seen:
        session.add(InAppRead(notification_id=note.id, user_id=actor.id, read_at=at))


def offer_again(session: Session, task_id: str, returned_by_id: int, at: datetime) -> None:
    """A task handed back to its team is new work for the team again.

    Its item shows the time it came back (`at`), unread for every member but the one who handed it back.
    """
    # Only the group's item moves: a person's own items keep their time and read state, and read as
    # done once the task is no longer theirs.
    ids = session.scalars(
        select(InAppNotification.id).where(InAppNotification.user_id.is_(None), InAppNotification.task_id == task_id)
    ).all()
    # None yet: the dispatcher has not written it; it offers it again when it does (offer_late_items_again).
    _offer_items_again(session, ids, returned_by_id, at)


def offer_late_items_again(session: Session, outbox_ids: Collection[int]) -> None:
    """Group items just written (from these outbox events) about tasks handed back before: offered again now.

    The dispatcher writes a group's item when its pass gets to it. A task taken and handed back before
    that found no item to offer again, so the item is written as if it had been there: with the time the
    task last came back, unread for every member but the one who handed it back.
    """
    items = session.execute(
        select(InAppNotification.id, InAppNotification.task_id).where(
            InAppNotification.user_id.is_(None), InAppNotification.outbox_id.in_(sorted(outbox_ids)),
            InAppNotification.task_id.is_not(None))
    ).all()
    if not items:
        return
    task_ids = sorted({task_id for _, task_id in items})
    # A hand-back holds its task's row until it commits; waiting for it here means that either it
    # committed before the history is read below, or it starts after this commits and then finds
    # the item itself (offer_again). PostgreSQL only: SQLite has one writer at a time anyway.
    session.execute(select(TaskRow.id).where(TaskRow.id.in_(task_ids)).order_by(TaskRow.id).with_for_update())
    returned = last_hand_backs(session, task_ids)
    for note_id, task_id in items:
        if task_id in returned:
            _offer_items_again(session, [note_id], *returned[task_id])


def last_hand_backs(session: Session, task_ids: Collection[str]) -> dict[str, tuple[int, datetime]]:
    """Who last handed each of these tasks back to its team, and when (from the cases' history)."""
    if not task_ids:
        return {}
    rows = session.execute(
        select(TaskRow.id, CaseEvent.actor_id, CaseEvent.at)
        .join(CaseEvent, and_(CaseEvent.case_id == TaskRow.case_id, CaseEvent.action == HANDED_BACK,
                              CaseEvent.details["task_id"].as_string() == TaskRow.id))
        .where(TaskRow.id.in_(sorted(task_ids)), CaseEvent.actor_id.is_not(None))
        .order_by(CaseEvent.at, CaseEvent.id)
    ).all()
    return {task_id: (actor_id, at) for task_id, actor_id, at in rows}  # the last one stays


def _offer_items_again(session: Session, ids: Collection[int], returned_by_id: int, at: datetime) -> None:
    if not ids:
        return
    session.execute(update(InAppNotification).where(InAppNotification.id.in_(ids)).values(created_at=at)
                    .execution_options(synchronize_session=False))
    session.execute(delete(InAppRead).where(InAppRead.notification_id.in_(ids)))
    # They handed it back themselves: nothing new to them.
    session.execute(insert(InAppRead), [{"notification_id": note_id, "user_id": returned_by_id, "read_at": at}
                                        for note_id in ids])


def mark_all_read(session: Session, actor: Actor, at: datetime) -> int:
    """Mark every unread notification the actor sees read; returns how many."""
    own = session.execute(
        update(InAppNotification)
        .where(InAppNotification.user_id == actor.id, InAppNotification.read_at.is_(None))
        .values(read_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount or 0
    group_ids = session.scalars(
        select(InAppNotification.id).where(
            InAppNotification.user_id.is_(None), _visible(actor), _not_read(actor)
        )
    ).all()
    session.add_all(InAppRead(notification_id=note_id, user_id=actor.id, read_at=at) for note_id in group_ids)
    return own + len(group_ids)
