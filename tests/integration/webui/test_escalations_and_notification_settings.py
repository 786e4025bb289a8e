"""The escalations page (acknowledge, resolve with a note, hand over) and a user's notification settings."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.domain import EscalationStatus
from engine.pathways.folder import load_source
from engine.services.accounts.actors import load_actor
from engine.services.cases.lifecycle import open_case
from engine.services.escalations.deadlines import sweep_deadlines
from engine.services.tasks.inbox import list_inbox
from engine.services.pathways.publishing import publish_pathway
from engine.services.tasks.completion import complete_task
from engine.store.models import AuditEntry, EscalationRow, User
from engine.store.seed import load_demo_data
from tests.integration.services.conftest import CAMEROON, CONSENT, IDENTIFICATION, NO_NEEDS
from web_forms import TEST_SECRET, csrf_of, sign_in
from webui import create_app


@pytest.fixture
def late(container):
    """A case whose emergency health referral was not acknowledged in time: escalations at levels 1 and 2."""
    uow, clock = container.uow, container.clock
    password = load_demo_data(uow(), clock).password
    publish_pathway(uow(), load_source(CAMEROON), clock)
    caseworker = load_actor(uow(), "demo-caseworker")
    case = open_case(uow(), clock, "cameroon-nrm", caseworker)

    def complete(bpmn_id: str, data: dict) -> None:
        task = next(t for t in list_inbox(uow(), caseworker, limit=100) if t.case_id == case.id and t.bpmn_id == bpmn_id)
        complete_task(uow(), clock, task.id, caseworker, data)

    complete("Task_Identification", {**IDENTIFICATION, "priority": "emergency"})
    complete("Task_NeedsAssessment", {**NO_NEEDS, "assessment_date": "2026-03-02", "need_health": True,
                                      "health_urgency": "emergency"})
    complete("Task_Consent", CONSENT)
    complete("Task_SendReferral", {"provider_id": "demo-hopital-douala"})
    clock.advance(timedelta(hours=4))
    sweep_deadlines(uow, clock, worker_id="web-test")
    with uow() as unit:
        escalations = list(unit.session.scalars(
            select(EscalationRow.id).where(EscalationRow.case_id == case.id).order_by(EscalationRow.level)))
    assert escalations, "the late acknowledgment raised no escalation"
    app = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)
    return app, case, escalations, password


def _client(app, username, password):
    client = app.test_client()
    assert sign_in(client, username, password).status_code == 302
    return client


def _status(container, escalation_id: int) -> EscalationStatus:
    with container.uow() as unit:
        return unit.session.get(EscalationRow, escalation_id).status


def test_coordinator_sees_level_case_and_referral_of_each_escalation(late):
    app, case, escalations, password = late
    page = html.unescape(_client(app, "demo-coordinator", password).get("/coordination/escalations").get_data(as_text=True))
    assert case.reference in page
    # One row for the stalled referral, at its highest level, with the chain so far.
    assert f'id="escalation-{escalations[-1]}"' in page and f'id="escalation-{escalations[0]}"' not in page
    assert "Accusé de réception en retard" in page and "Santé" in page
    assert "Premier délai dépassé le" in page and "niveau 1" in page and "niveau 2" in page
    # French sets a space before a colon, in the chain of levels as in every sentence.
    assert re.search(r"<li>niveau 1 : [^<]+</li>", page) and not re.search(r"niveau \d:", page)
    # Every level stays listed one by one under its status, each with its own due time under its own heading.
    every = _client(app, "demo-coordinator", password).get("/coordination/escalations?status=all").get_data(as_text=True)
    assert all(f'id="escalation-{escalation}"' in every for escalation in escalations)
    assert "Échéance de ce niveau" in html.unescape(every) and "Premier délai" not in html.unescape(every)


def test_coordinator_acknowledges_then_resolves_an_escalation_with_a_note(late, container):
    app, case, escalations, password = late
    client = _client(app, "demo-coordinator", password)
    first = escalations[0]
    assert client.post(f"/coordination/escalations/{first}/acknowledge",
                       data={"csrf_token": csrf_of(client, "/")}).status_code == 302
    assert _status(container, first) == EscalationStatus.ACKNOWLEDGED
    assert client.post(f"/coordination/escalations/{first}/resolve",
                       data={"note": "Called the hospital's duty doctor", "csrf_token": csrf_of(client, "/")}).status_code == 302
    assert _status(container, first) == EscalationStatus.RESOLVED
    resolved = html.unescape(client.get("/coordination/escalations?status=resolved").get_data(as_text=True))
    assert f'id="escalation-{first}"' in resolved
    assert f'id="escalation-{first}"' not in client.get("/coordination/escalations").get_data(as_text=True)


def test_an_escalation_resolved_in_another_tab_leads_back_to_the_list_saying_so(late, container):
    app, case, escalations, password = late
    client = _client(app, "demo-coordinator", password)
    first = escalations[0]
    form = {"note": "Called the hospital", "status": "open", "csrf_token": csrf_of(client, "/")}
    assert client.post(f"/coordination/escalations/{first}/resolve", data=form).status_code == 302
    # The same form again (the other tab, the back button): no dead-end error page, and the first note stands.
    for action in ("resolve", "acknowledge"):
        again = client.post(f"/coordination/escalations/{first}/{action}", data={**form, "note": "Second note"})
        assert again.status_code == 302 and again.headers["Location"] == "/coordination/escalations?status=open"
        page = html.unescape(client.get(again.headers["Location"]).get_data(as_text=True))
        assert "Cette escalade avait déjà été prise en charge ou résolue" in page
    with container.uow() as unit:
        assert unit.session.get(EscalationRow, first).resolution_note == "Called the hospital"


def test_resolving_without_a_note_is_refused_in_the_users_language(late, container):
    app, case, escalations, password = late
    client = _client(app, "demo-coordinator", password)
    listed = client.get("/coordination/escalations").get_data(as_text=True)
    shown = [e for e in escalations if f'id="escalation-{e}"' in listed]
    hidden = [e for e in escalations if e not in shown]
    assert shown and hidden  # one row per missed deadline: the lower level is not listed
    response = client.post(f"/coordination/escalations/{shown[0]}/resolve", data={"note": " ", "csrf_token": csrf_of(client, "/")})
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    # Refused on the escalations page itself, at the note of that escalation, not on an error page.
    assert f'<p class="error" id="note-error-{shown[0]}">Ce champ est obligatoire.</p>' in page
    assert f'aria-describedby="note-error-{shown[0]}"' in page and 'role="alert"' not in page
    # An escalation the page does not list (a stale page) is named at the top.
    response = client.post(f"/coordination/escalations/{hidden[0]}/resolve", data={"note": "", "csrf_token": csrf_of(client, "/")})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422 and f"{hidden[0]}" in page and 'role="alert"' in page
    assert {_status(container, e) for e in escalations} == {EscalationStatus.OPEN}


def test_coordinator_hands_an_escalation_to_a_supervisor(late, container):
    app, case, escalations, password = late
    client = _client(app, "demo-coordinator", password)
    response = client.post(f"/coordination/escalations/{escalations[0]}/reassign",
                           data={"username": "demo-supervisor", "csrf_token": csrf_of(client, "/")})
    assert response.status_code == 302
    with container.uow() as unit:
        supervisor = unit.session.scalar(select(User.id).where(User.username == "demo-supervisor"))
        assert unit.session.get(EscalationRow, escalations[0]).reassigned_to_id == supervisor


def test_escalation_is_handed_over_by_choosing_among_those_who_may_handle_it(late, container):
    app, case, escalations, password = late
    client = _client(app, "demo-coordinator", password)
    listing = client.get("/coordination/escalations").get_data(as_text=True)
    assert f'href="/coordination/escalations/{escalations[-1]}/reassign' in listing
    page = html.unescape(client.get(f"/coordination/escalations/{escalations[-1]}/reassign").get_data(as_text=True))
    # The case organisation's supervisor and the other coordinators; not its caseworker, nor another
    # organisation's staff, nor the coordinator handing it over.
    assert 'value="demo-supervisor"' in page and 'value="demo-coordinator"' not in page
    assert 'value="demo-caseworker"' not in page and 'value="demo-minas-supervisor"' not in page
    # Nobody chosen: said so, not "there is no user with this name".
    empty = client.post(f"/coordination/escalations/{escalations[-1]}/reassign",
                        data={"username": "", "csrf_token": csrf_of(client, "/")})
    assert empty.status_code == 422 and "Choisissez une personne." in html.unescape(empty.get_data(as_text=True))
    # A choice not offered (typed by hand) is refused on the same page, which keeps it.
    refused = client.post(f"/coordination/escalations/{escalations[-1]}/reassign",
                          data={"username": "demo-caseworker", "csrf_token": csrf_of(client, "/")})
    assert refused.status_code == 422
    body = html.unescape(refused.get_data(as_text=True))
    assert "Cette personne ne peut pas traiter cette escalade." in body and 'id="field-username"' in body
    with container.uow() as unit:
        assert unit.session.get(EscalationRow, escalations[-1]).reassigned_to_id is None


def test_caseworker_sees_the_escalation_without_actions_they_may_not_take(late):
    app, case, escalations, password = late
    listing = _client(app, "demo-caseworker", password).get("/coordination/escalations").get_data(as_text=True)
    assert case.reference in listing and "/reassign" not in listing and "/acknowledge" not in listing


def test_caseworker_sees_the_escalation_but_may_not_handle_it(late, container):
    app, case, escalations, password = late
    client = _client(app, "demo-caseworker", password)
    assert case.reference in client.get("/coordination/escalations").get_data(as_text=True)
    response = client.post(f"/coordination/escalations/{escalations[0]}/acknowledge", data={"csrf_token": csrf_of(client, "/")})
    assert response.status_code == 403
    assert _status(container, escalations[0]) == EscalationStatus.OPEN


def test_another_organisations_staff_do_not_see_the_escalation(late):
    app, case, escalations, password = late
    client = _client(app, "demo-minas-caseworker", password)
    assert case.reference not in client.get("/coordination/escalations").get_data(as_text=True)
    response = client.post(f"/coordination/escalations/{escalations[0]}/acknowledge", data={"csrf_token": csrf_of(client, "/")})
    assert response.status_code == 404


# ---- notification settings ------------------------------------------------------------------------


def _prefs(container, username: str) -> dict:
    with container.uow() as unit:
        return unit.session.scalar(select(User.notification_prefs).where(User.username == username))


def test_settings_page_shows_the_dispatchers_defaults(client):
    sign_in(client, "awa_caseworker")
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert 'name="in_app" checked' in page and 'name="email" checked' in page
    assert 'name="webhook" checked' not in page and 'name="digest" checked' not in page


def test_user_chooses_webhook_and_a_daily_digest_and_the_choice_is_stored_and_audited(client, container):
    sign_in(client, "awa_caseworker")
    response = client.post("/notifications/settings", data={"email": "on", "webhook": "on", "digest": "on",
                                                            "group_tasks": "digest", "csrf_token": csrf_of(client, "/")})
    assert response.status_code == 302
    assert _prefs(container, "awa_caseworker") == {"email": True, "in_app": False, "webhook": True, "digest": True,
                                                   "group_tasks": "digest"}
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert 'name="digest" checked' in page and 'name="in_app" checked' not in page
    assert 'value="digest" checked' in page and 'value="off" checked' not in page
    with container.uow() as unit:
        actions = list(unit.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == "awa_caseworker")))
    assert "account.notification_prefs_changed" in actions


def test_the_dispatcher_reads_the_stored_choices(client, container):
    from notifications.recipients import preferences_of
    from engine.domain import DeliveryChannel

    sign_in(client, "awa_caseworker")
    client.post("/notifications/settings", data={"in_app": "on", "digest": "on", "csrf_token": csrf_of(client, "/")})
    with container.uow() as unit:
        prefs = preferences_of(unit.session.scalar(select(User).where(User.username == "awa_caseworker")))
    assert prefs.channels == frozenset({DeliveryChannel.IN_APP}) and prefs.digest


def test_settings_are_each_users_own(client, container, app):
    sign_in(client, "awa_caseworker")
    client.post("/notifications/settings", data={"webhook": "on", "csrf_token": csrf_of(client, "/")})
    assert _prefs(container, "bello_admin") == {}
