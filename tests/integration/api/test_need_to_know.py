"""Need-to-know over the API: providers see only their referrals and what those share; other organisations
see nothing of a case; tokens that are revoked or missing open nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.store.models import ApiToken
from tests.integration.services.conftest import ASSESSMENT, CONSENT, IDENTIFICATION
from webui.auth.accounts import revoke_token

CASEWORKER, OTHER_ORGANISATION = "demo-caseworker", "demo-minas-caseworker"
HOSPITAL, SHELTER = "demo-health-douala", "demo-shelter"


@pytest.fixture
def referred(api) -> dict:
    """A case with a health referral to the Douala hospital and a shelter referral to the Bon Samaritain."""
    case_id = api.post(CASEWORKER, "/cases", json={"pathway_id": "cameroon-nrm"}).json["id"]

    def complete(bpmn_id: str, data: dict, sector: str | None = None) -> None:
        task = next(t for t in api.get(CASEWORKER, "/tasks").json["tasks"]
                    if t["bpmn_id"] == bpmn_id and sector in (None, t["instance_label"]))
        assert api.post(CASEWORKER, f"/tasks/{task['id']}/complete", json={"data": data}).status_code == 200

    complete("Task_Identification", IDENTIFICATION)
    complete("Task_NeedsAssessment", ASSESSMENT)
    consent = {k: v for k, v in CONSENT.items() if k != "consent_given"}
    assert api.post(CASEWORKER, f"/cases/{case_id}/consents", json={"consent_given": True, "data": consent}).status_code == 200
    complete("Task_SendReferral", {"provider_id": "demo-hopital-douala"}, "health")
    complete("Task_SendReferral", {"provider_id": "demo-bon-samaritain"}, "shelter")
    referrals = {r["sector"]: r["id"] for r in api.get(CASEWORKER, f"/cases/{case_id}").json["referrals"]}
    return {"case": case_id, **referrals}


def test_a_provider_lists_only_the_referrals_addressed_to_it(api, referred):
    assert [r["id"] for r in api.get(HOSPITAL, "/referrals").json["referrals"]] == [referred["health"]]
    assert [r["id"] for r in api.get(SHELTER, "/referrals").json["referrals"]] == [referred["shelter"]]
    assert api.get(SHELTER, f"/referrals/{referred['health']}").status_code == 404
    refused = api.post(SHELTER, f"/referrals/{referred['health']}/acknowledge", json={"acknowledged_by": "X"})
    assert refused.status_code == 404


def test_a_provider_sees_only_the_fields_the_referral_shares(api, referred):
    shown = api.get(HOSPITAL, f"/referrals/{referred['health']}").json
    # The consent's minimum-necessary scope withholds health and protection details.
    assert "vuln_medical" not in shown["shared_fields"] and "vuln_medical" not in shown["shared_data"]
    assert set(shown["shared_data"]) <= set(shown["shared_fields"])
    assert shown["shared_data"]["person_alias"] == IDENTIFICATION["person_alias"]
    for withheld in ("identification_source", "return_modality", "risk_level", "needs"):
        assert withheld not in shown["shared_data"]


def test_a_provider_cannot_open_the_case_behind_a_referral(api, referred):
    for path in (f"/cases/{referred['case']}", f"/cases/{referred['case']}/history"):
        assert api.get(HOSPITAL, path).status_code == 404
    assert api.get(HOSPITAL, "/cases").json["cases"] == []


def test_a_caseworker_of_another_organisation_gets_404_for_the_case(api, referred):
    case = referred["case"]
    for path in (f"/cases/{case}", f"/cases/{case}/history", f"/referrals/{referred['health']}"):
        response = api.get(OTHER_ORGANISATION, path)
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    assert api.post(OTHER_ORGANISATION, f"/cases/{case}/consents/withdraw", json={}).status_code == 404
    assert api.post(OTHER_ORGANISATION, f"/cases/{case}/consents", json={"consent_given": True}).status_code == 404
    assert case not in [c["id"] for c in api.get(OTHER_ORGANISATION, "/cases").json["cases"]]


def test_the_coordinator_sees_the_case_but_only_the_provider_answers_its_referral(api, referred):
    assert api.get("demo-coordinator", f"/cases/{referred['case']}").status_code == 200
    refused = api.post(CASEWORKER, f"/referrals/{referred['health']}/acknowledge", json={"acknowledged_by": "X"})
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"


def test_the_history_names_a_providers_focal_point_only_to_those_who_may_know_them(api, referred):
    """The rule of a task's holder: the case's own people read the provider, coordinators the person."""
    assert api.post(HOSPITAL, f"/referrals/{referred['health']}/acknowledge", json={"acknowledged_by": "X"}).status_code == 200

    def acknowledged(username: str) -> dict:
        events = api.get(username, f"/cases/{referred['case']}/history", query_string={"limit": 100}).json["events"]
        return next(event for event in events if event["task_bpmn_id"] == "Task_AcknowledgeReferral")

    for username in (CASEWORKER, "demo-supervisor"):
        assert {key: acknowledged(username)[key] for key in ("actor", "actor_organisation", "actor_withheld")} == {
            "actor": None, "actor_organisation": "DEMO – Hôpital régional de Douala", "actor_withheld": True}, username
    assert acknowledged("demo-coordinator")["actor"] == HOSPITAL
    # The caseworker's own steps keep their name; the person's record says the history as the case page does.
    sent = api.get(CASEWORKER, f"/cases/{referred['case']}/history", query_string={"limit": 100}).json["events"][0]
    assert sent["actor"] == CASEWORKER and not sent["actor_withheld"]
    record = api.get("demo-supervisor", f"/cases/{referred['case']}/record").json
    assert HOSPITAL not in {line["actor"] for line in record["history"]}
    assert "DEMO – Hôpital régional de Douala" in {line["actor_organisation"] for line in record["history"]}


def test_a_revoked_token_is_refused(api, container):
    assert api.get(CASEWORKER, "/me").json["username"] == CASEWORKER
    with container.uow() as uow:
        token = uow.session.scalars(select(ApiToken)).one()
        assert revoke_token(uow.session, user_id=token.user_id, token_id=token.id)
        uow.commit()
    refused = api.get(CASEWORKER, "/me")
    assert refused.status_code == 401 and refused.json["error"]["code"] == "unauthenticated"


def test_no_token_gets_401_with_the_bearer_scheme(app):
    response = app.test_client().get("/api/v1/cases")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    assert response.json["error"]["code"] == "unauthenticated"
