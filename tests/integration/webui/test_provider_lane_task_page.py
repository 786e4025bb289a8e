"""A Provider-lane task that is no referral step, on its page: the focal point of another organisation opens it
and reads of the case only what the referral shared; the case stays closed to them."""

from __future__ import annotations

from engine.pathways.folder import load_source
from engine.services.accounts.actors import load_actor
from engine.services.cases.lifecycle import open_case
from engine.services.pathways.publishing import publish_pathway
from engine.store.seed import load_demo_data
from tests.integration.services.walk import CaseWalker
from tests.pathways.worked_example import EXAMPLE
from web_forms import TEST_SECRET, sign_in
from webui import create_app

CONSENT = {"consent_given": True, "consent_given_by": "person", "consent_method": "signature", "consent_language": "french"}


def test_the_provider_focal_point_opens_the_appointment_task_but_not_the_case(container):
    seed = load_demo_data(container.uow(), container.clock)
    publish_pathway(container.uow(), load_source(EXAMPLE), container.clock)
    walker = CaseWalker(container)
    case = open_case(container.uow(), container.clock, "small-referral", load_actor(container.uow(), "demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Assess", {"person_alias": "Awa K.", "sector": "health", "urgency": "urgent"})
    walker.complete("demo-caseworker", "Task_Consent", CONSENT)
    walker.complete("demo-caseworker", "Task_Send", {"provider_id": "demo-hopital-douala"})
    walker.complete("demo-health-douala", "Task_Acknowledge", {"acknowledged_by": "Dr Ngo"})
    [task] = walker.inbox("demo-health-douala")
    client = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container).test_client()
    assert sign_in(client, "demo-health-douala", seed.password).status_code == 302

    inbox = client.get("/tasks/").get_data(as_text=True)
    assert f"/tasks/{task.id}" in inbox and f"/cases/{case.reference}" not in inbox
    page = client.get(f"/tasks/{task.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Awa K." in text  # shared by the consent's scope (sharing: in pathway.yaml)
    assert 'value="urgent"' not in text and ">urgent<" not in text  # in the case, not shared
    assert f"/cases/{case.reference}" not in text
    assert client.get(f"/cases/{case.reference}").status_code == 404
