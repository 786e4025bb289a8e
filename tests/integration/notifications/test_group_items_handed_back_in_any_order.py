"""A group task handed back is new work for the team but for whoever handed it back, whatever the
dispatcher had done by then: its item already written, not written yet, or being written; after
several hand-backs; and once the task is done, its item asks nothing of anyone."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from engine.domain import Language, Role
from engine.services.accounts.notification_list import list_notifications, mark_read, unread_count
from engine.services.cases.lifecycle import open_case
from engine.services.tasks.completion import claim_task, release_task
from engine.store.models import Organisation, User, UserRole
from notifications.channels.smtp import SmtpChannel
from notifications.dispatcher import DispatchReport, _claim, _expand, dispatch_pending
from notifications.outcomes import record_with_retries
from notifications.sending import Channels, deliver, prepare
from tests.integration.notifications.test_group_tasks_and_dead_dispatchers import (  # noqa: F401
    SETTINGS, actor, listed, offer_task, team,
)
from tests.integration.notifications.test_handover_notifications import world  # noqa: F401
from tests.integration.services.conftest import IDENTIFICATION, published  # noqa: F401


def channels(smtp_server) -> Channels:
    return Channels(SETTINGS, email=SmtpChannel.from_url(smtp_server.url))


def as_seen(uow, team, name: str) -> tuple[list[tuple], int]:
    """A member's items (link, time, read, unread) and unread count."""
    items = [(item.link, item.created_at, item.read_at, item.unread) for item in listed(uow, team, name)]
    with uow() as u:
        return items, unread_count(u.session, actor(uow, team[name]))


def hand_back(uow, clock, team, task_id: str, name: str):
    """The member takes the task, and an hour later hands it back to the team; when it came back."""
    claim_task(uow(), clock, task_id, actor(uow, team[name]))
    clock.advance(timedelta(hours=1))
    release_task(uow(), clock, task_id, actor(uow, team[name]))
    returned = clock.now()
    clock.advance(timedelta(minutes=5))
    return returned


def read_all(uow, clock, team, names) -> None:
    for name in names:
        with uow() as u:
            for item in listed(uow, team, name):
                mark_read(u.session, actor(uow, team[name]), item.id, clock.now())
            u.commit()


def test_handed_back_before_its_item_was_written_it_is_new_to_the_team_but_not_to_who_handed_it_back(
    uow, clock, team, smtp_server, mailbox
):
    with uow() as u:  # emily and colette want group-task email at once
        for name in ("emily", "colette"):
            u.session.get(User, team[name]).notification_prefs = {"group_tasks": "now"}
        u.commit()
    offer_task(uow, clock, team, "task-1")
    clock.advance(timedelta(minutes=10))
    returned = hand_back(uow, clock, team, "task-1", "emily")  # before the dispatcher's next pass

    dispatch_pending(uow, channels(smtp_server), clock)

    for name in ("carine", "colette"):
        assert as_seen(uow, team, name) == ([("/tasks/task-1", returned, None, True)], 1), name
    assert as_seen(uow, team, "emily") == ([("/tasks/task-1", returned, returned, False)], 0)
    # Email follows the item: the member who handed it back is not told of it as new work.
    assert [str(message["To"]) for message in mailbox.messages] == ["colette@example.cm"]

    # Another pass writes nothing again, and each member still reads it for themselves.
    report = dispatch_pending(uow, channels(smtp_server), clock)
    assert (report.sent, report.skipped) == (0, 0)
    read_all(uow, clock, team, ["carine"])
    assert as_seen(uow, team, "carine")[1] == 0
    assert as_seen(uow, team, "colette") == ([("/tasks/task-1", returned, None, True)], 1)
    assert as_seen(uow, team, "emily") == ([("/tasks/task-1", returned, returned, False)], 0)
    assert len(mailbox.messages) == 1


def test_several_hand_backs_end_the_same_whether_the_item_was_written_before_or_after(uow, clock, team, smtp_server):
    offer_task(uow, clock, team, "task-early")
    dispatch_pending(uow, channels(smtp_server), clock)
    read_all(uow, clock, team, ["carine", "emily", "colette"])
    offer_task(uow, clock, team, "task-late")  # its item waits for the next pass
    clock.advance(timedelta(minutes=10))

    returns = {}
    for task_id in ("task-early", "task-late"):
        hand_back(uow, clock, team, task_id, "emily")
        hand_back(uow, clock, team, task_id, "emily")  # the same person twice
        returns[task_id] = hand_back(uow, clock, team, task_id, "carine")  # then another: the last one counts
    dispatch_pending(uow, channels(smtp_server), clock)

    # Back from carine: new work for emily too (it came back after she handed it back), not for carine.
    def items(task_id: str, name: str):
        return [entry[1:] for entry in as_seen(uow, team, name)[0] if entry[0] == f"/tasks/{task_id}"]

    for task_id, returned in returns.items():
        assert items(task_id, "emily") == items(task_id, "colette") == [(returned, None, True)], task_id
        assert items(task_id, "carine") == [(returned, returned, False)], task_id
    assert [as_seen(uow, team, name)[1] for name in ("carine", "emily", "colette")] == [0, 2, 2]


def test_handed_back_while_the_dispatcher_writes_its_item_it_is_still_not_new_to_who_handed_it_back(
    uow, clock, team, smtp_server
):
    offer_task(uow, clock, team, "task-1")
    out = channels(smtp_server)
    report = DispatchReport(worker_id="pass-1")
    _expand(uow, out, clock.now(), 100, report)
    claimed = _claim(uow, SETTINGS, clock.now(), 100, report)
    assert [item.task_id for item in claimed] == ["task-1"]

    # Between the pass's claim and its record, emily takes the task and hands it back.
    returned = hand_back(uow, clock, team, "task-1", "emily")
    outcomes = deliver(prepare(claimed, out, clock.now()), out, clock.now())
    record_with_retries(uow, claimed, outcomes, SETTINGS, clock.now(), random.Random(0), report)

    assert report.sent == 1
    for name in ("carine", "colette"):
        assert as_seen(uow, team, name) == ([("/tasks/task-1", returned, None, True)], 1), name
    assert as_seen(uow, team, "emily") == ([("/tasks/task-1", returned, returned, False)], 0)


def test_a_pass_writing_the_item_while_a_hand_back_commits_waits_for_it(uow, clock, team, smtp_server):
    """Neither sees the other's uncommitted write: the pass must wait for the hand-back, or lose it."""
    offer_task(uow, clock, team, "task-1")
    out = channels(smtp_server)
    report = DispatchReport(worker_id="pass-1")
    _expand(uow, out, clock.now(), 100, report)
    claimed = _claim(uow, SETTINGS, clock.now(), 100, report)
    outcomes = deliver(prepare(claimed, out, clock.now()), out, clock.now())
    claim_task(uow(), clock, "task-1", actor(uow, team["emily"]))
    clock.advance(timedelta(hours=1))
    returned = clock.now()
    emily = actor(uow, team["emily"])

    # The hand-back has done its writes (and found no item to offer again) but not committed yet.
    holding, go = threading.Event(), threading.Event()
    handing_back = threading.Thread(target=release_task, args=(uow(), clock, "task-1", emily))

    def hold(session) -> None:
        if threading.current_thread() is handing_back:
            holding.set()
            go.wait(10)

    recording = threading.Thread(target=record_with_retries, args=(
        uow, claimed, outcomes, SETTINGS, clock.now(), random.Random(0), report))
    event.listen(Session, "before_commit", hold)
    try:
        handing_back.start()
        assert holding.wait(10)
        recording.start()
        recording.join(0.5)
        assert recording.is_alive()  # waiting for the hand-back
    finally:
        go.set()
        for thread in (handing_back, recording):
            if thread.ident is not None:
                thread.join(10)
        event.remove(Session, "before_commit", hold)
    assert report.sent == 1
    for name in ("carine", "colette"):
        assert as_seen(uow, team, name) == ([("/tasks/task-1", returned, None, True)], 1), name
    assert as_seen(uow, team, "emily") == ([("/tasks/task-1", returned, returned, False)], 0)


def test_handed_back_and_still_in_someone_elses_hands_the_item_waits_then_comes_back_as_new(
    uow, clock, team, smtp_server
):
    offer_task(uow, clock, team, "task-1")
    hand_back(uow, clock, team, "task-1", "emily")
    claim_task(uow(), clock, "task-1", actor(uow, team["colette"]))
    dispatch_pending(uow, channels(smtp_server), clock)
    assert [as_seen(uow, team, name) for name in ("carine", "emily", "colette")] == [([], 0)] * 3  # in her hands

    clock.advance(timedelta(hours=3))
    release_task(uow(), clock, "task-1", actor(uow, team["colette"]))
    returned = clock.now()
    for name in ("carine", "emily"):
        assert as_seen(uow, team, name) == ([("/tasks/task-1", returned, None, True)], 1), name
    assert as_seen(uow, team, "colette") == ([("/tasks/task-1", returned, returned, False)], 0)


# ---- with the Cameroon pathway: a task handed back and then done -------------------------------------


@pytest.fixture
def third_caseworker(container, world):  # noqa: F811
    """A third IOM caseworker beside the demo's two: the person the task comes back to, besides its opener."""
    with container.uow() as uow:
        iom = uow.session.scalar(select(Organisation.id).where(Organisation.slug == "demo-iom-cameroon"))
        uow.session.add(User(username="demo-caseworker-3", display_name="Third caseworker", language=Language.EN,
                             email="demo-caseworker-3@example.cm", organisation_id=iom,
                             created_at=container.clock.now(), notification_prefs={},
                             role_rows=[UserRole(role=Role.CASEWORKER)]))
        uow.commit()
    return "demo-caseworker-3"


def _identification_items(container, world, username: str, task_id: str) -> list[tuple[bool, bool]]:  # noqa: F811
    """(unread, for the group) of the items about the task that a person sees."""
    return [(item.unread, item.for_group) for item in
            list_notifications(container.uow(), world.walker.actor(username), "en") if item.link == f"/tasks/{task_id}"]


@pytest.mark.parametrize("written", ["before the hand-back", "after the task was done"])
def test_a_task_handed_back_then_done_asks_nothing_of_anyone(container, world, third_caseworker, written):  # noqa: F811
    open_case(container.uow(), container.clock, "cameroon-nrm", world.walker.actor("demo-caseworker"))
    task_id = world.walker.task("demo-caseworker", "Task_Identification").id
    if written == "before the hand-back":
        world.dispatch()
        assert _identification_items(container, world, third_caseworker, task_id) == [(True, True)]
    claim_task(container.uow(), container.clock, task_id, world.walker.actor("demo-caseworker-en"))
    release_task(container.uow(), container.clock, task_id, world.walker.actor("demo-caseworker-en"))
    world.walker.complete(third_caseworker, "Task_Identification", IDENTIFICATION)
    world.dispatch()

    # Done: the team's item about it is gone for everyone (written or not), and nobody has it unread.
    for username in ("demo-caseworker", "demo-caseworker-en", third_caseworker):
        assert _identification_items(container, world, username, task_id) == [], username
