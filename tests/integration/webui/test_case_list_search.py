"""The case list's searches: by reference for everyone who lists cases, by alias for case staff only."""

from __future__ import annotations

import html

import pytest

from engine.pathways.folder import load_source
from engine.services.accounts.actors import load_actor
from engine.services.cases.lifecycle import open_case
from engine.services.pathways.publishing import publish_pathway
from engine.services.tasks.completion import complete_task
from engine.services.tasks.inbox import list_inbox
from engine.store.seed import load_demo_data
from tests.integration.services.conftest import CAMEROON, IDENTIFICATION
from web_forms import TEST_SECRET, csrf_of, sign_in
from webui import create_app


@pytest.fixture
def identified(container):
    uow, clock = container.uow, container.clock
    password = load_demo_data(uow(), clock).password
    publish_pathway(uow(), load_source(CAMEROON), clock)
    caseworker = load_actor(uow(), "demo-caseworker")
    case = open_case(uow(), clock, "cameroon-nrm", caseworker)
    task = next(t for t in list_inbox(uow(), caseworker, limit=100) if t.case_id == case.id)
    complete_task(uow(), clock, task.id, caseworker, {**IDENTIFICATION, "person_alias": "Aïcha"})
    app = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)

    def client(username):
        signed_in = app.test_client()
        assert sign_in(signed_in, username, password).status_code == 302
        return signed_in
    return client, case


def test_case_staff_find_the_case_by_alias_others_are_not_offered_the_search(identified):
    client, case = identified
    caseworker = client("demo-caseworker")
    page = html.unescape(caseworker.get("/cases/").get_data(as_text=True))
    assert 'id="field-alias"' in page
    token = csrf_of(caseworker, "/cases/")
    found = caseworker.post("/cases/", data={"alias": "aich", "csrf_token": token})
    assert found.status_code == 200 and case.reference in found.get_data(as_text=True)
    assert 'value="aich"' in found.get_data(as_text=True)  # kept in the form, never in an address
    assert case.reference not in caseworker.post("/cases/", data={"alias": "brigitte", "csrf_token": token}).get_data(as_text=True)
    # An address carrying an alias searches nothing: the alias stays out of addresses.
    assert case.reference in caseworker.get("/cases/?alias=brigitte").get_data(as_text=True)
    empty = caseworker.post("/cases/", data={"alias": "  ", "csrf_token": token})
    assert empty.status_code == 422 and "Tapez le début de l'alias" in html.unescape(empty.get_data(as_text=True))
    assert "Aucun dossier ne correspond" not in html.unescape(empty.get_data(as_text=True))  # no search ran
    coordinator = client("demo-coordinator")
    listed = coordinator.get("/cases/").get_data(as_text=True)
    assert 'id="field-alias"' not in listed
    assert coordinator.post("/cases/", data={"alias": "aich", "csrf_token": csrf_of(coordinator, "/cases/")}).status_code == 403
    # The reference search is everyone's.
    assert case.reference in coordinator.get(f"/cases/?reference={case.reference[:8]}").get_data(as_text=True)
