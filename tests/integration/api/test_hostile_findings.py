"""The hostile-input probe's findings, one test each: none of them is a server error any more.

The tests that change nothing (a request refused, an id that names nothing, a page read) share one
world per database (`unchanged_app`), built once instead of once a test; a test whose failure could
change what another one sees (a password, a case) has a world of its own (`app`).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.errors import InvalidData
from engine.services.accounts.actors import load_actor
from engine.services.escalations.handling import resolve_escalation
from engine.store.seed import demo_directory
from tests.integration.services.conftest import ASSESSMENT, CONSENT, IDENTIFICATION
from tests.integration.webui.web_forms import csrf_of, sign_in

CASEWORKER = "demo-caseworker"
TWENTY_DIGITS = "9" * 20
# The web routes the probe answered with a 500 for a 20-digit id.
ID_ROUTES = ["/admin/users/{}/disable", "/admin/users/{}/roles", "/coordination/escalations/{}/resolve",
             "/notifications/{}/read", "/account/tokens/{}/revoke", "/admin/deliveries/{}/retry"]


def _signed_in(app, username: str):
    client = app.test_client()
    assert sign_in(client, username, demo_directory()["demo_password"]).status_code == 302
    return client


@pytest.fixture(scope="module")
def signed_in(unchanged_app):
    """A client of `unchanged_app` signed in as the username given, one per username (signing in takes time)."""
    clients = {}

    def client_of(username: str):
        if username not in clients:
            clients[username] = _signed_in(unchanged_app, username)
        return clients[username]

    return client_of


@pytest.mark.parametrize("route", ID_ROUTES)
def test_an_id_beyond_what_the_column_holds_is_a_404_on_the_web_routes(signed_in, route):
    client = signed_in("demo-admin")
    for value in (TWENTY_DIGITS, str(2**31), str(2**63)):
        if "deliveries" in route or "notifications" in route:
            value = str(2**63) if value == str(2**31) else value  # their ids are BIGINT: 2**31 is a real id
        response = client.post(route.format(value), data={"csrf_token": csrf_of(client, "/account/tokens")})
        assert response.status_code == 404, (route, value)


def test_an_id_beyond_what_the_column_holds_is_a_404_on_the_api(unchanged_api):
    for path in ("/cases/{}", "/referrals/{}", "/cases/{}/history"):
        for value in (TWENTY_DIGITS, str(2**31), "²", "-1", "0"):
            assert unchanged_api.get(CASEWORKER, path.format(value)).status_code == 404, (path, value)


def _task(api, bpmn_id: str, sector: str | None = None) -> str:
    return next(t["id"] for t in api.get(CASEWORKER, "/tasks").json["tasks"]
                if t["bpmn_id"] == bpmn_id and sector in (None, t["instance_label"]))


def test_a_provider_id_that_no_integer_column_holds_or_int_cannot_read_is_a_422_naming_the_field(api):
    case_id = api.post(CASEWORKER, "/cases", json={"pathway_id": "cameroon-nrm"}).json["id"]
    api.post(CASEWORKER, f"/tasks/{_task(api, 'Task_Identification')}/complete", json={"data": IDENTIFICATION})
    api.post(CASEWORKER, f"/tasks/{_task(api, 'Task_NeedsAssessment')}/complete", json={"data": ASSESSMENT})
    consent = {k: v for k, v in CONSENT.items() if k != "consent_given"}
    assert api.post(CASEWORKER, f"/cases/{case_id}/consents", json={"consent_given": True, "data": consent}).status_code == 200
    send = _task(api, "Task_SendReferral", "health")
    for value in ("²", TWENTY_DIGITS, str(2**31), "١٢", 2**70, "0"):
        response = api.post(CASEWORKER, f"/tasks/{send}/complete", json={"data": {"provider_id": value}})
        assert response.status_code == 422, (value, response.json)
        assert "provider_id" in response.json["error"]["fields"], value
    assert api.post(CASEWORKER, f"/tasks/{send}/complete", json={"data": {"provider_id": "demo-hopital-douala"}}).status_code == 200


@pytest.mark.parametrize("path", ["/cases", "/tasks/x/complete", "/referrals/1/acknowledge", "/escalations/1/resolve"])
def test_a_json_body_nested_50000_deep_is_a_400(unchanged_api, path):
    response = unchanged_api.call(CASEWORKER, "POST", path, data="[" * 50_000 + "]" * 50_000,
                                  content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json["error"]["message"]


def test_a_json_body_nested_as_deep_as_a_form_needs_is_read(unchanged_api):
    nested = {"data": {"a": [[[[{"b": [1]}]]]]}}
    response = unchanged_api.post(CASEWORKER, "/tasks/x/complete", json=nested)
    assert response.status_code == 404  # read, then the task is looked up


def test_nul_in_an_escalation_note_is_refused_by_the_service_the_api_and_the_page(signed_in, unchanged_api,
                                                                                    unchanged_container):
    container = unchanged_container
    coordinator = load_actor(container.uow(), "demo-coordinator")
    with pytest.raises(InvalidData) as refused:
        resolve_escalation(container.uow(), container.clock, 1, coordinator, "Called\x00")
    assert [p.code for p in refused.value.errors["note"]] == ["control_characters"]
    response = unchanged_api.post("demo-coordinator", "/escalations/1/resolve", json={"note": "Called\x00"})
    assert response.status_code == 422
    assert response.json["error"]["problems"]["note"][0]["code"] == "control_characters"
    client = signed_in("demo-coordinator")
    page = client.post("/coordination/escalations/1/resolve",
                       data={"note": "Called\x00", "csrf_token": csrf_of(client, "/account/tokens")})
    assert page.status_code == 422


def test_nul_in_a_display_name_or_a_password_is_refused(app):
    client = _signed_in(app, "demo-admin")
    csrf = csrf_of(client, "/account/tokens")
    created = client.post("/admin/users", data={"username": "nul-probe", "display_name": "Nul\x00Probe", "roles": "caseworker",
                                                "password": "a long enough password", "csrf_token": csrf})
    assert created.status_code == 422
    changed = client.post("/account/password", data={"current_password": demo_directory()["demo_password"],
                                                     "new_password": "new\x00password-long", "new_password_again": "new\x00password-long",
                                                     "csrf_token": csrf})
    assert changed.status_code == 422
    # The password did not change: the old one still signs in.
    assert sign_in(app.test_client(), "demo-admin", demo_directory()["demo_password"]).status_code == 302


def test_a_consent_dated_in_the_future_is_refused(api, container):
    case_id = api.post(CASEWORKER, "/cases", json={"pathway_id": "cameroon-nrm"}).json["id"]
    api.post(CASEWORKER, f"/tasks/{_task(api, 'Task_Identification')}/complete", json={"data": IDENTIFICATION})
    api.post(CASEWORKER, f"/tasks/{_task(api, 'Task_NeedsAssessment')}/complete", json={"data": ASSESSMENT})
    consent = {k: v for k, v in CONSENT.items() if k != "consent_given"}
    today = container.clock.now().date().isoformat()
    tomorrow = (container.clock.now() + timedelta(days=1)).date().isoformat()
    refused = api.post(CASEWORKER, f"/cases/{case_id}/consents",
                       json={"consent_given": True, "data": {**consent, "consent_date": tomorrow}})
    assert refused.status_code == 422
    assert refused.json["error"]["problems"]["consent_date"][0] == {"code": "too_late", "params": {"limit": today}}
    accepted = api.post(CASEWORKER, f"/cases/{case_id}/consents",
                        json={"consent_given": True, "data": {**consent, "consent_date": today}})
    assert accepted.status_code == 200

