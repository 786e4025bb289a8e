"""An item with nothing left to do (its task done or no longer the reader's, its referral answered, its
escalation overtaken) may stay listed, but never counts as unread: the count and the list agree."""

from __future__ import annotations

from engine.services.accounts.notification_list import list_notifications, unread_count
from engine.services.tasks.completion import reassign_task
from tests.integration.notifications.test_answered_referral_items import _sent
from tests.integration.notifications.test_handover_notifications import _identification, late, world  # noqa: F401
from tests.integration.services.conftest import IDENTIFICATION, published  # noqa: F401


def unread(container, world, username: str, language: str = "en") -> tuple[int, list[str]]:  # noqa: F811
    """The actor's unread count, and the titles the list's unread filter gives (they must agree)."""
    actor = world.walker.actor(username)
    with container.uow() as uow:
        count = unread_count(uow.session, actor)
    items = list_notifications(container.uow(), actor, language, unread_only=True)
    everything = list_notifications(container.uow(), actor, language)
    assert [item.id for item in items] == [item.id for item in everything if item.unread]
    assert count == len(items), (count, items)
    return count, [item.title for item in items]


def test_a_task_item_no_longer_unread_once_the_task_is_someone_elses_or_done(container, world):  # noqa: F811
    task_id = _identification(container, world)
    supervisor = world.walker.actor("demo-supervisor")
    reassign_task(container.uow(), container.clock, task_id, supervisor, "demo-caseworker-en")
    world.dispatch()
    assert unread(container, world, "demo-caseworker-en") == (1, ["New task: Identify the person"])

    # Handed on before she read it: listed still, "No longer yours", and nothing for her to read.
    reassign_task(container.uow(), container.clock, task_id, supervisor, "demo-caseworker")
    world.dispatch()
    assert [(item.no_longer_yours, item.read_at) for item in
            list_notifications(container.uow(), world.walker.actor("demo-caseworker-en"), "en")] == [(True, None)]
    assert unread(container, world, "demo-caseworker-en") == (0, [])
    page = world.opens("demo-caseworker-en", "/notifications")
    assert 'class="unread' not in page and "Mark as read" not in page

    # Done by the colleague it went to, before she read her item: done, not unread.
    assert unread(container, world, "demo-caseworker") == (1, ["New task: Identify the person"])
    world.walker.complete("demo-caseworker", "Task_Identification", IDENTIFICATION)
    world.dispatch()
    assert [item.done for item in list_notifications(container.uow(), world.walker.actor("demo-caseworker"), "en")
            if item.title == "New task: Identify the person"] == [True]
    assert unread(container, world, "demo-caseworker") == (0, [])


def test_a_referral_item_no_longer_unread_once_the_provider_decided(container, world):  # noqa: F811
    _sent(container, world)
    received = "New referral received"
    count, titles = unread(container, world, "demo-health-douala")
    assert any(title.startswith(received) for title in titles)
    world.walker.complete("demo-health-douala", "Task_AcknowledgeReferral", {"acknowledged_by": "X"}, sector=None)
    world.walker.complete("demo-health-douala", "Task_ReferralDecision", {"decision": "accepted"}, sector=None)
    world.dispatch()
    # Listed with the decision, never read, and not unread.
    assert [(item.referral_state, item.read_at) for item in
            list_notifications(container.uow(), world.walker.actor("demo-health-douala"), "en")
            if item.title.startswith(received)] == [("accepted", None)]
    assert not any(title.startswith(received) for title in unread(container, world, "demo-health-douala")[1])


def test_an_acknowledgement_escalation_reads_as_overtaken_once_the_provider_acknowledges(container, world, late):  # noqa: F811
    def alerts() -> list[tuple[bool, str | None]]:
        return [(item.done, item.escalation_state)
                for item in list_notifications(container.uow(), world.walker.actor("demo-supervisor"), "fr")
                if item.title.startswith("Alerte : référencement en retard")]

    assert alerts() == [(False, None)]  # the supervisor's level 2 alert
    assert "Alerte : référencement en retard (niveau 2) — MNR-2026-000001" in unread(container, world, "demo-supervisor", "fr")[1]

    world.walker.complete("demo-health-douala", "Task_AcknowledgeReferral", {"acknowledged_by": "X"}, sector=None)
    world.dispatch()
    # Its escalation was overtaken by the acknowledgement: nothing is left for the supervisor to do.
    assert alerts() == [(True, "overtaken")]
    assert not any(title.startswith("Alerte") for title in unread(container, world, "demo-supervisor", "fr")[1])
    page = world.opens("demo-supervisor", "/notifications")
    assert '<span class="badge">Dépassée (étape faite)</span>' in page
    assert "/coordination/escalations" not in page.split("<h1>", 1)[1]
