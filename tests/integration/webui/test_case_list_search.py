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
from web_forms import TEST_SECRET, sign_in
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
    assert case.reference in caseworker.get("/cases/?alias=aich").get_data(as_text=True)
    assert case.reference not in caseworker.get("/cases/?alias=brigitte").get_data(as_text=True)
    coordinator = client("demo-coordinator")
    assert 'id="field-alias"' not in coordinator.get("/cases/").get_data(as_text=True)
    assert coordinator.get("/cases/?alias=aich").status_code == 403
    # The reference search is everyone's.
    assert case.reference in coordinator.get(f"/cases/?reference={case.reference[:8]}").get_data(as_text=True)
