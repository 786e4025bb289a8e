"""Hand-overs: the person a task or an escalation is handed to hears of it in their language, with a
link they may open; the person who handed it over hears nothing; work handed back reaches the team again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from engine.domain import Role
from engine.services.accounts.notification_list import list_notifications
from engine.services.cases.lifecycle import open_case
from engine.services.escalations.deadlines import sweep_deadlines
from engine.services.escalations.handling import reassign_escalation
from engine.services.tasks.completion import claim_task, reassign_task, release_task
from engine.store.models import EscalationRow, User, UserRole
from engine.store.seed import load_demo_data
from notifications.channels.smtp import SmtpChannel
from notifications.dispatcher import dispatch_pending
from notifications.sending import Channels
from tests.integration.notifications.test_case_notifications import SETTINGS, mail_to, seen
from tests.integration.services.conftest import CONSENT, IDENTIFICATION, NO_NEEDS, published  # noqa: F401
from tests.integration.services.walk import CaseWalker
from tests.integration.webui.web_forms import TEST_SECRET, sign_in
from webui import create_app

REFERENCE = "MNR-2026-000001"


@pytest.fixture
def world(container, published, smtp_server, mailbox):  # noqa: F811
    """The demo people with an email address each, a dispatcher pass, and the web application."""
    with container.uow() as uow:
        for user in uow.session.scalars(select(User)):
            user.email = f"{user.username}@example.cm"
        uow.commit()
    channels = Channels(SETTINGS, email=SmtpChannel.from_url(smtp_server.url))
    password = load_demo_data(container.uow(), container.clock).password
    app = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)

    class World:
        walker = CaseWalker(container)

        @staticmethod
        def dispatch():
            dispatch_pending(container.uow, channels, container.clock)

        @staticmethod
        def links(username: str, language: str) -> list[str | None]:
            return [item.link for item in list_notifications(container.uow(), World.walker.actor(username), language)]

        @staticmethod
        def opens(username: str, link: str) -> str:
            """The page a person's link opens, signed in as them (fails unless it opens)."""
            client = app.test_client()
            assert sign_in(client, username, password).status_code == 302
            response = client.get(link)
            assert response.status_code == 200, (username, link, response.status_code)
            return response.get_data(as_text=True)

    return World


def _identification(container, world) -> str:
    open_case(container.uow(), container.clock, "cameroon-nrm", world.walker.actor("demo-caseworker"))
    return world.walker.task("demo-caseworker", "Task_Identification").id


def test_a_task_handed_to_a_colleague_reaches_them_and_not_who_handed_it_over(container, world, mailbox):
    task_id = _identification(container, world)
    world.dispatch()
    supervisor = world.walker.actor("demo-supervisor")

    reassign_task(container.uow(), container.clock, task_id, supervisor, "demo-caseworker-en")
    world.dispatch()
    assert seen(container, world.walker, "demo-caseworker-en", "en")[0] == (
        "New task: Identify the person", f"A task has been assigned to you in case {REFERENCE}.")
    assert world.links("demo-caseworker-en", "en")[0] == f"/tasks/{task_id}"
    world.opens("demo-caseworker-en", f"/tasks/{task_id}")
    assert mail_to(mailbox, "demo-caseworker-en") == [f"[{REFERENCE}] New task: Identify the person"]
    assert seen(container, world.walker, "demo-supervisor", "fr") == [] and mail_to(mailbox, "demo-supervisor") == []

    # Handed on again, to a French colleague: her item is in French; the first holder's reads as done.
    reassign_task(container.uow(), container.clock, task_id, supervisor, "demo-caseworker")
    world.dispatch()
    assert seen(container, world.walker, "demo-caseworker", "fr") == [
        ("Nouvelle tâche : Identifier la personne", f"Une tâche vous a été attribuée dans le dossier {REFERENCE}.")]
    assert [item.done for item in list_notifications(container.uow(), world.walker.actor("demo-caseworker-en"), "en")
            if not item.for_group] == [True]
    assert seen(container, world.walker, "demo-supervisor", "fr") == []


def test_a_task_handed_back_to_the_team_is_offered_to_the_team_again(container, world):
    task_id = _identification(container, world)
    world.dispatch()
    team_item = ("New task: Identify the person",
                 f"A new task is waiting for your team in case {REFERENCE}: Identify the person.")
    assert seen(container, world.walker, "demo-caseworker-en", "en") == [team_item]
    reassign_task(container.uow(), container.clock, task_id, world.walker.actor("demo-supervisor"), "demo-caseworker")
    world.dispatch()
    assert team_item not in seen(container, world.walker, "demo-caseworker-en", "en")  # in someone's hands

    release_task(container.uow(), container.clock, task_id, world.walker.actor("demo-caseworker"))
    world.dispatch()
    assert seen(container, world.walker, "demo-caseworker-en", "en") == [team_item]


def test_a_task_handed_back_reads_as_done_in_the_list_of_the_person_it_was_assigned_to(container, world):
    task_id = _identification(container, world)
    reassign_task(container.uow(), container.clock, task_id, world.walker.actor("demo-supervisor"), "demo-caseworker-en")
    world.dispatch()

    def own_items() -> list[tuple[str, bool]]:
        return [(item.title, item.done) for item in
                list_notifications(container.uow(), world.walker.actor("demo-caseworker-en"), "en") if not item.for_group]

    assert own_items() == [("New task: Identify the person", False)]
    release_task(container.uow(), container.clock, task_id, world.walker.actor("demo-caseworker-en"))
    # No longer theirs: the item that said it was stays, done, and no longer leads to the task.
    assert own_items() == [("New task: Identify the person", True)]
    # The team, her included, is offered it again: its item is work waiting, not done.
    assert [item.done for item in list_notifications(container.uow(), world.walker.actor("demo-caseworker-en"), "en")
            if item.for_group] == [False]
    # Her list says the task is no longer hers (she did not do it), and only the team's item leads to it.
    page = world.opens("demo-caseworker-en", "/notifications")
    assert '<span class="badge">No longer yours</span>' in page and ">Done<" not in page
    assert page.count(f'href="/tasks/{task_id}"') == 1


def test_a_task_taken_before_the_team_heard_of_it_reaches_the_team_once_handed_back(container, world, mailbox):
    with container.uow() as uow:
        uow.session.scalar(select(User).where(User.username == "demo-caseworker-en")).notification_prefs = {
            "group_tasks": "now"}
        uow.commit()
    task_id = _identification(container, world)
    # Taken at once, before the dispatcher's pass: nobody is told of work already in someone's hands...
    claim_task(container.uow(), container.clock, task_id, world.walker.actor("demo-caseworker"))
    world.dispatch()
    assert seen(container, world.walker, "demo-caseworker-en", "en") == []
    assert mail_to(mailbox, "demo-caseworker-en") == []
    # ...but handed back, it waits for the team, whose item now shows.
    release_task(container.uow(), container.clock, task_id, world.walker.actor("demo-caseworker"))
    world.dispatch()
    assert seen(container, world.walker, "demo-caseworker-en", "en") == [
        ("New task: Identify the person", f"A new task is waiting for your team in case {REFERENCE}: Identify the person.")]
    assert world.links("demo-caseworker-en", "en") == [f"/tasks/{task_id}"]


@pytest.fixture
def late(container, world):
    """An emergency health referral not acknowledged in time: escalations at levels 1 and 2, their alerts sent."""
    walker = world.walker
    open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Identification", {**IDENTIFICATION, "priority": "emergency"})
    walker.complete("demo-caseworker", "Task_NeedsAssessment",
                    {**NO_NEEDS, "assessment_date": "2026-03-02", "need_health": True, "health_urgency": "emergency"})
    walker.complete("demo-caseworker", "Task_Consent", CONSENT)
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"})
    container.clock.advance(timedelta(hours=4))
    sweep_deadlines(container.uow, container.clock, worker_id="handover-test")
    world.dispatch()
    with container.uow() as uow:
        return list(uow.session.scalars(select(EscalationRow.id).order_by(EscalationRow.level)))


def _items(container, world, username: str, language: str) -> list[tuple[str, str]]:
    return [item for item in seen(container, world.walker, username, language) if "escalade" in item[0].lower()
            or "escalation" in item[0].lower()]


def test_an_escalation_handed_to_a_supervisor_tells_them_it_is_theirs_and_leads_to_it(container, world, late, mailbox):
    before = len(mailbox.messages)
    reassign_escalation(container.uow(), container.clock, late[0], world.walker.actor("demo-coordinator"),
                        "demo-supervisor")
    world.dispatch()
    assert _items(container, world, "demo-supervisor", "fr") == [(
        "Escalade qui vous est confiée (niveau 1)",
        f"Une escalade de niveau 1 du dossier {REFERENCE} vous a été confiée (motif : accusé de réception en retard). "
        "Elle est désormais à vous : accusez-en réception, puis résolvez-la ou confiez-la à une autre personne.")]
    link = world.links("demo-supervisor", "fr")[0]
    assert link == f"/coordination/escalations?status=all#escalation-{late[0]}"
    page = world.opens("demo-supervisor", link)
    assert f'id="escalation-{late[0]}"' in page and f"/coordination/escalations/{late[0]}/resolve" in page
    # An escalation does not wait for tomorrow's digest; the coordinator who handed it over hears nothing of it.
    assert [str(m["Subject"]) for m in mailbox.messages[before:]] == [
        f"[{REFERENCE}] Escalade qui vous est confiée (niveau 1)"]
    assert _items(container, world, "demo-coordinator", "fr") == []


def test_an_escalation_handed_over_in_english_reads_in_english(container, world, late):
    with container.uow() as uow:
        uow.session.scalar(select(User).where(User.username == "demo-supervisor")).language = "en"
        uow.commit()
    reassign_escalation(container.uow(), container.clock, late[-1], world.walker.actor("demo-coordinator"),
                        "demo-supervisor")
    world.dispatch()
    assert _items(container, world, "demo-supervisor", "en") == [(
        "Escalation handed to you (level 2)",
        f"An escalation of level 2 in case {REFERENCE} has been handed to you (reason: acknowledgement overdue). "
        "It is yours now: acknowledge it, then resolve it or hand it to someone else.")]


def test_taking_an_escalation_over_oneself_tells_nobody(container, world, late):
    before = seen(container, world.walker, "demo-supervisor", "fr")
    reassign_escalation(container.uow(), container.clock, late[0], world.walker.actor("demo-supervisor"),
                        "demo-supervisor")
    world.dispatch()
    assert seen(container, world.walker, "demo-supervisor", "fr") == before


def test_an_escalation_holder_who_may_no_longer_open_its_page_gets_no_link(container, world, late):
    reassign_escalation(container.uow(), container.clock, late[0], world.walker.actor("demo-coordinator"),
                        "demo-supervisor")
    # Before the dispatcher passes, the supervisor leaves the role: told, but led to no page they may not open.
    with container.uow() as uow:
        supervisor = uow.session.scalar(select(User.id).where(User.username == "demo-supervisor"))
        uow.session.execute(delete(UserRole).where(UserRole.user_id == supervisor, UserRole.role == Role.SUPERVISOR))
        uow.commit()
    world.dispatch()
    assert _items(container, world, "demo-supervisor", "fr")
    assert world.links("demo-supervisor", "fr")[0] is None
