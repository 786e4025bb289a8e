"""Referral answers, consent withdrawal, escalation handling and pathway publishing over the API."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from engine.services.accounts.actors import load_actor
from engine.services.escalations.deadlines import sweep_deadlines
from engine.services.accounts.administration import set_account_active
from notifications.dispatcher import dispatch_pending
from notifications.sending import Channels
from notifications.settings import NotificationSettings

from tests.integration.api.test_need_to_know import CASEWORKER, HOSPITAL, referred  # noqa: F401  (a fixture)
from tests.integration.services.conftest import CAMEROON

AUTHOR = "demo-sop-author"


def _state(api, referral_id: int) -> str:
    return api.get(CASEWORKER, f"/referrals/{referral_id}").json["state"]


def test_a_provider_declines_with_a_reason(api, referred):
    health = referred["health"]
    assert api.post(HOSPITAL, f"/referrals/{health}/acknowledge", json={"acknowledged_by": "Dr Ngo"}).status_code == 200
    missing = api.post(HOSPITAL, f"/referrals/{health}/decline", json={})
    assert missing.status_code == 422 and "decline_reason" in missing.json["error"]["fields"]
    assert api.post(HOSPITAL, f"/referrals/{health}/decline", json={"decline_reason": "no_capacity"}).status_code == 200
    shown = api.get(CASEWORKER, f"/referrals/{health}").json
    assert (shown["state"], shown["decline_reason"]) == ("declined", "no_capacity")


def test_a_referral_answers_only_the_move_it_waits_for(api, referred):
    early = api.post(HOSPITAL, f"/referrals/{referred['health']}/accept", json={})
    assert early.status_code == 409 and "not waiting to decide" in early.json["error"]["message"]
    assert _state(api, referred["health"]) == "sent"


def test_a_provider_redirects_a_referral(api, referred):
    health = referred["health"]
    api.post(HOSPITAL, f"/referrals/{health}/acknowledge", json={"acknowledged_by": "Dr Ngo"})
    assert api.post(HOSPITAL, f"/referrals/{health}/redirect", json={"redirect_to": "Hôpital central"}).status_code == 200
    assert _state(api, health) == "redirected"


def test_withdrawing_consent_revokes_pending_referrals(api, referred):
    withdrawn = api.post(CASEWORKER, f"/cases/{referred['case']}/consents/withdraw", json={"reason": "changed her mind"})
    assert withdrawn.status_code == 200
    assert {_state(api, referred[s]) for s in ("health", "shelter")} == {"revoked"}
    late = api.post(HOSPITAL, f"/referrals/{referred['health']}/acknowledge", json={"acknowledged_by": "Dr Ngo"})
    assert late.status_code == 409
    case = api.get(CASEWORKER, f"/cases/{referred['case']}").json
    assert case["consents"][0]["withdrawn_at"] is not None


def test_recording_consent_outside_the_consent_step_is_a_conflict(api, referred):
    again = api.post(CASEWORKER, f"/cases/{referred['case']}/consents", json={"consent_given": True})
    assert again.status_code == 409


@pytest.fixture
def escalation(api, container, referred) -> dict:
    """An open escalation: the referrals went unacknowledged for five days, swept as the scheduler does."""
    for _ in range(10):
        container.clock.advance(timedelta(hours=12))
        sweep_deadlines(container.uow, container.clock, worker_id="api-tests")
    return api.get("demo-coordinator", "/escalations?status=open&limit=1").json["escalations"][0]


def test_escalations_are_handled_by_coordinators_not_caseworkers(api, escalation):
    assert api.post(CASEWORKER, f"/escalations/{escalation['id']}/acknowledge").status_code == 403
    assert api.post("demo-coordinator", f"/escalations/{escalation['id']}/resolve", json={"note": ""}).status_code == 422
    resolved = api.post("demo-coordinator", f"/escalations/{escalation['id']}/resolve", json={"note": "Phoned them."})
    assert resolved.json["status"] == "resolved" and resolved.json["resolution_note"] == "Phoned them."
    assert api.post("demo-coordinator", f"/escalations/{escalation['id']}/acknowledge").status_code == 409
    handed_late = api.post("demo-coordinator", f"/escalations/{escalation['id']}/reassign", json={"username": "demo-supervisor"})
    assert handed_late.status_code == 409 and handed_late.json["error"]["code"] == "conflict"


def test_a_coordinator_hands_an_escalation_to_the_cases_supervisor_who_is_alerted(api, container, escalation):
    def alerts() -> list[dict]:
        dispatch_pending(container.uow, Channels(NotificationSettings()), container.clock)
        return [alert for alert in api.get("demo-supervisor", "/notifications?limit=100").json["notifications"]
                if escalation["case_reference"] in alert["subject"] + alert["body"] + (alert.get("link") or "")]

    before = alerts()
    supervisor = api.get("demo-supervisor", "/me").json["id"]
    handed = api.post("demo-coordinator", f"/escalations/{escalation['id']}/reassign", json={"username": "demo-supervisor"})
    assert handed.status_code == 200 and handed.json["reassigned_to_id"] == supervisor
    assert handed.json["id"] == escalation["id"] and handed.json["status"] == "open"
    assert len(alerts()) == len(before) + 1


def test_an_escalation_is_handed_on_only_by_those_who_handle_it_and_only_to_active_users(api, container, escalation):
    path = f"/escalations/{escalation['id']}/reassign"
    assert api.post(CASEWORKER, path, json={"username": "demo-supervisor"}).status_code == 403
    hidden = api.post("demo-minas-supervisor", path, json={"username": "demo-minas-caseworker"})
    assert hidden.status_code == 404 and hidden.json["error"]["code"] == "not_found"
    colleague = api.get("demo-caseworker-en", "/me").json["id"]
    set_account_active(container.uow(), container.clock, load_actor(container.uow(), "demo-admin"), colleague, False)
    assert api.post("demo-supervisor", path, json={"username": "demo-caseworker-en"}).status_code == 409
    assert api.post("demo-supervisor", path, json={"username": ""}).json["error"]["fields"].keys() == {"username"}
    assert api.get("demo-coordinator", "/escalations?status=open&limit=1").json["escalations"][0]["reassigned_to_id"] is None


def _cameroon_files(**replaced: bytes) -> dict:
    files = {str(path.relative_to(CAMEROON)): path.read_bytes() for path in CAMEROON.rglob("*") if path.is_file()}
    files.update(replaced)
    return {"files": [(io.BytesIO(content), name) for name, content in sorted(files.items())]}


def test_an_sop_author_validates_and_publishes_uploaded_pathway_files(api):
    assert [p["version"] for p in api.get(AUTHOR, "/pathways").json["pathways"]] == [1]
    valid = api.post(AUTHOR, "/pathways/validate", data=_cameroon_files(), content_type="multipart/form-data")
    assert valid.status_code == 200 and valid.json == {"valid": True, "problems": []}
    same = api.post(AUTHOR, "/pathways/publish", data=_cameroon_files(), content_type="multipart/form-data")
    assert same.status_code == 201 and (same.json["version"], same.json["created"]) == (1, False)
    english = (CAMEROON / "i18n" / "en.yaml").read_bytes().replace(b"Identify the person", b"Identify the returnee")
    changed = api.post(AUTHOR, "/pathways/publish", data=_cameroon_files(**{"i18n/en.yaml": english}),
                       content_type="multipart/form-data")
    assert changed.status_code == 201 and (changed.json["version"], changed.json["created"]) == (2, True)


def test_an_invalid_upload_is_refused_with_its_problems(api):
    broken = _cameroon_files(**{"pathway.bpmn": b"<definitions"})
    report = api.post(AUTHOR, "/pathways/validate", data=broken, content_type="multipart/form-data").json
    assert report["valid"] is False and report["problems"][0]["file"] == "pathway.bpmn"
    refused = api.post(AUTHOR, "/pathways/publish", data=_cameroon_files(**{"pathway.bpmn": b"<definitions"}),
                       content_type="multipart/form-data")
    assert refused.status_code == 422 and refused.json["error"]["fields"]["files"]


@pytest.mark.parametrize("name", ["../escape.yaml", "/etc/passwd", ".hidden", "i18n/../../x"])
def test_an_upload_naming_a_file_outside_the_pathway_is_refused(api, name):
    refused = api.post(AUTHOR, "/pathways/validate", data={"files": [(io.BytesIO(b"x"), name)]},
                       content_type="multipart/form-data")
    assert refused.status_code == 422 and "files" in refused.json["error"]["fields"]


def test_only_sop_authors_use_the_pathway_routes(api):
    assert api.get(CASEWORKER, "/pathways").status_code == 403
    assert api.post(CASEWORKER, "/pathways/validate", data=_cameroon_files(), content_type="multipart/form-data").status_code == 403
