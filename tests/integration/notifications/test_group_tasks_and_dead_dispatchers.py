"""Notifications in proportion to people's work: one item per group task, and a dead dispatcher's claims taken over."""

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.access import actor_of
from engine.domain import DeliveryChannel, DeliveryStatus, Language, OrganisationKind, Role, TaskState
from engine.services.accounts.notification_list import list_notifications, mark_read, unread_count
from engine.services.tasks.completion import claim_task, release_task
from engine.store.models import (
    CaseRow, DeliveryRow, InAppNotification, Organisation, OutboxRow, PathwayVersionRow, TaskCandidate, TaskRow, User,
    UserRole,
)
from notifications.channels.smtp import SmtpChannel
from notifications.dispatcher import DEAD_AFTER, DispatchReport, _beat, _claim, _expand, dispatch_pending
from notifications.sending import Channels
from notifications.settings import NotificationSettings

SETTINGS = NotificationSettings(base_url="https://mnr.example.cm", sender="MNR <alertes@mnr.example.cm>")


@pytest.fixture
def team(uow, clock):
    """An IOM team of three caseworkers (French, English, French) and a Caritas focal point, with one case."""
    with uow() as u:
        iom = Organisation(slug="iom", name="OIM", kind=OrganisationKind.IOM, created_at=clock.now())
        caritas = Organisation(slug="caritas", name="Caritas Douala", kind=OrganisationKind.NGO, created_at=clock.now())
        u.session.add_all([iom, caritas])
        u.flush()
        people = {
            name: User(
                username=name, display_name=name.title(), email=f"{name}@example.cm", language=language,
                organisation_id=organisation.id, created_at=clock.now(), notification_prefs={},
                role_rows=[UserRole(role=role)],
            )
            for name, organisation, role, language in [
                ("carine", iom, Role.CASEWORKER, Language.FR),
                ("emily", iom, Role.CASEWORKER, Language.EN),
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
        u.commit()
        return {"case_id": case.id, "iom": iom.id} | {name: person.id for name, person in people.items()}


def offer_task(uow, clock, team, task_id: str, actor: str | None = None) -> None:
    """An open task offered to the IOM caseworkers, and the "new task" event its step wrote."""
    with uow() as u:
        u.session.add(TaskRow(id=task_id, case_id=team["case_id"], bpmn_id="Task_Assess", name="Évaluer les besoins",
                              organisation_id=team["iom"], candidate_groups="caseworker", created_at=clock.now()))
        u.flush()
        u.session.add(TaskCandidate(task_id=task_id, group_name="caseworker", organisation_id=team["iom"]))
        u.session.add(OutboxRow(
            event_type="task_assigned", case_id=team["case_id"], created_at=clock.now(),
            payload={"case_id": team["case_id"], "reference": "MNR-2026-000042", "task_id": task_id,
                     "bpmn_id": "Task_Assess", "task_name": "Évaluer les besoins", "organisation_id": team["iom"],
                     "candidate_groups": ["caseworker"], "assignee_id": None,
                     "actor_id": team[actor] if actor else None},
        ))
        u.commit()


def actor(uow, user_id):
    with uow() as u:
        return actor_of(u.session.get(User, user_id))


def listed(uow, team, name, language="fr"):
    return list_notifications(uow(), actor(uow, team[name]), language)


def test_a_group_task_is_one_item_each_member_sees_until_one_takes_it(uow, clock, team, smtp_server, mailbox):
    offer_task(uow, clock, team, "task-1")

    report = dispatch_pending(uow, Channels(SETTINGS, email=SmtpChannel.from_url(smtp_server.url)), clock)

    # One delivery and one stored item for the team, whatever its size; no email (nobody chose it).
    assert (report.deliveries_created, report.sent) == (1, 1)
    assert mailbox.messages == []
    with uow() as u:
        assert u.session.scalar(select(func.count()).select_from(InAppNotification)) == 1
    carine, emily = listed(uow, team, "carine", "fr"), listed(uow, team, "emily", "en")
    assert [(item.title, item.for_group, item.done) for item in carine] == [
        ("Nouvelle tâche : Évaluer les besoins", True, False)]
    assert emily[0].title == "New task: Évaluer les besoins"  # the pathway's own label (no English in this test's version)
    assert emily[0].sentence == "A new task is waiting for your team in case MNR-2026-000042: Évaluer les besoins."
    assert emily[0].link == "/tasks/task-1"
    assert listed(uow, team, "grace") == []  # another organisation's staff

    # Each member reads it for themselves.
    with uow() as u:
        mark_read(u.session, actor(uow, team["carine"]), carine[0].id, clock.now())
        u.commit()
    with uow() as u:
        assert unread_count(u.session, actor(uow, team["carine"])) == 0
        assert unread_count(u.session, actor(uow, team["emily"])) == 1

    # Emily takes the task: the item is gone for everyone.
    claim_task(uow(), clock, "task-1", actor(uow, team["emily"]))
    assert [listed(uow, team, name) for name in ("carine", "emily", "colette")] == [[], [], []]


def test_a_group_task_handed_back_is_new_work_for_the_team_again_but_for_who_handed_it_back(
    uow, clock, team, smtp_server, mailbox
):
    offer_task(uow, clock, team, "task-1")
    dispatch_pending(uow, Channels(SETTINGS, email=SmtpChannel.from_url(smtp_server.url)), clock)
    item_id = listed(uow, team, "carine")[0].id
    for name in ("carine", "emily"):
        with uow() as u:
            mark_read(u.session, actor(uow, team[name]), item_id, clock.now())
            u.commit()

    clock.advance(timedelta(hours=2))
    claim_task(uow(), clock, "task-1", actor(uow, team["emily"]))
    clock.advance(timedelta(days=1))
    returned = clock.now()
    release_task(uow(), clock, "task-1", actor(uow, team["emily"]))

    # The team hears of it as of its return, and each member has it to read again...
    for name in ("carine", "colette"):
        assert [(item.id, item.created_at, item.read_at, item.unread) for item in listed(uow, team, name)] == [
            (item_id, returned, None, True)], name
        with uow() as u:
            assert unread_count(u.session, actor(uow, team[name])) == 1
    # ...but for the member who handed it back, who knows of it.
    assert [(item.created_at, item.read_at, item.unread) for item in listed(uow, team, "emily")] == [
        (returned, returned, False)]
    with uow() as u:
        assert unread_count(u.session, actor(uow, team["emily"])) == 0


def test_a_group_task_taken_or_done_before_dispatch_is_not_announced_and_nobody_hears_of_their_own_step(
    uow, clock, team, smtp_server, mailbox
):
    with uow() as u:  # colette wants group-task email at once
        u.session.get(User, team["colette"]).notification_prefs = {"group_tasks": "now"}
        u.commit()
    offer_task(uow, clock, team, "task-taken")
    offer_task(uow, clock, team, "task-done")
    offer_task(uow, clock, team, "task-own", actor="colette")
    claim_task(uow(), clock, "task-taken", actor(uow, team["carine"]))
    with uow() as u:
        u.session.get(TaskRow, "task-done").state = TaskState.COMPLETED
        u.session.execute(TaskCandidate.__table__.delete().where(TaskCandidate.task_id == "task-done"))
        u.commit()

    report = dispatch_pending(uow, Channels(SETTINGS, email=SmtpChannel.from_url(smtp_server.url)), clock)

    with uow() as u:
        statuses = Counter(
            (payload["task_id"], status) for payload, status in u.session.execute(
                select(OutboxRow.payload, DeliveryRow.status).join(DeliveryRow, DeliveryRow.outbox_id == OutboxRow.id))
        )
    # The completed task's items (group item and colette's email) were skipped, and so was the email
    # about the claimed one; its group item is written, listed only once it is handed back to the team.
    # The task colette's own step created reaches the others, not her.
    assert statuses == Counter({("task-taken", DeliveryStatus.SKIPPED): 1, ("task-taken", DeliveryStatus.SENT): 1,
                                ("task-done", DeliveryStatus.SKIPPED): 2, ("task-own", DeliveryStatus.SENT): 1})
    assert report.skipped == 3 and mailbox.messages == []
    assert [item.link for item in listed(uow, team, "carine")] == ["/tasks/task-own"]
    assert listed(uow, team, "colette") == []


def test_a_dead_dispatchers_claims_are_taken_by_the_next_pass_of_another(uow, clock, team, smtp_server, mailbox):
    with uow() as u:
        u.session.add_all(
            OutboxRow(event_type="case_closed", case_id=team["case_id"], created_at=clock.now(),
                      payload={"reference": "MNR-2026-000042", "recipients": [{"user": team[name]}]})
            for name in ("carine", "emily", "colette")
        )
        u.commit()
    channels = Channels(SETTINGS, email=SmtpChannel.from_url(smtp_server.url))
    # A dispatcher expands and claims everything, then dies before sending (its process was killed).
    dead = DispatchReport(worker_id="dead-dispatcher")
    _expand(uow, channels, clock.now(), 100, dead)
    _beat(uow, dead.worker_id, clock.now())
    assert len(_claim(uow, SETTINGS, clock.now(), 100, dead)) == 6

    # A live one, a little later: the dead one's beat is fresh still, so its claims are left alone.
    clock.advance(DEAD_AFTER / 2)
    early = dispatch_pending(uow, channels, clock, worker_id="live")
    assert (early.released, early.sent) == (0, 0)

    # Once its beat is stale, the next pass takes its claims and sends each message once,
    # long before the 10-minute lease.
    clock.advance(DEAD_AFTER)
    report = dispatch_pending(uow, channels, clock, worker_id="live")
    assert (report.released, report.sent) == (6, 6)
    assert Counter(str(message["To"]) for message in mailbox.messages) == Counter(
        {"carine@example.cm": 1, "emily@example.cm": 1, "colette@example.cm": 1})
    with uow() as u:
        rows = u.session.scalars(select(DeliveryRow)).all()
        assert {(row.status, row.attempts, row.claimed_by) for row in rows} == {(DeliveryStatus.SENT, 2, None)}
        assert {row.channel for row in rows} == {DeliveryChannel.EMAIL, DeliveryChannel.IN_APP}


def test_a_pass_stops_at_its_row_limit_and_the_next_pass_carries_on(uow, clock, team, smtp_server, mailbox):
    with uow() as u:
        u.session.add_all(
            OutboxRow(event_type="case_closed", case_id=team["case_id"], created_at=clock.now(),
                      payload={"reference": "MNR-2026-000042", "recipients": [{"user": team["carine"]}]})
            for _ in range(5)
        )
        u.commit()
    channels = Channels(SETTINGS, email=SmtpChannel.from_url(smtp_server.url))

    first = dispatch_pending(uow, channels, clock, batch_size=2, max_rows=4)
    second = dispatch_pending(uow, channels, clock, batch_size=2, max_rows=4)
    third = dispatch_pending(uow, channels, clock, batch_size=2, max_rows=4)

    assert (first.events_expanded, first.sent, first.bounded) == (4, 4, True)
    assert (second.events_expanded, second.sent) == (1, 4)
    assert (third.sent, third.bounded) == (2, False)
    assert len(mailbox.messages) == 5
