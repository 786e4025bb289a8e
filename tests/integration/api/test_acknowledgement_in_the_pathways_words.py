"""The API's acknowledgement keeps its own words (`acknowledged_by`, `acknowledged_on`) whatever the pathway calls
them: on a pathway whose acknowledge step names its fields recu_par and recu_le (own-need-fields), what the
provider sends reaches those fields, and a refusal names the API's words back."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.pathways.folder import load_source
from engine.runtime import case_runtime
from engine.services.cases.step import begin_step
from engine.services.pathways.publishing import publish_pathway

OWN_NEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "valid" / "own-need-fields"
CASEWORKER, HOSPITAL = "demo-caseworker", "demo-health-douala"
CONSENT = {"consent_given": True, "consent_given_by": "person", "consent_method": "signature",
           "consent_language": "english"}


@pytest.fixture
def sent(api, container) -> dict:
    """A case of own-need-fields whose health referral went to the Douala hospital: its ids, and the
    acknowledgement's task."""
    publish_pathway(container.uow(), load_source(OWN_NEEDS), container.clock)
    case_id = api.post(CASEWORKER, "/cases", json={"pathway_id": "own-need-fields"}).json["id"]

    def complete(user: str, bpmn_id: str, data: dict) -> str:
        task = next(t for t in api.get(user, "/tasks").json["tasks"] if t["bpmn_id"] == bpmn_id and t["case_id"] == case_id)
        done = api.post(user, f"/tasks/{task['id']}/complete", json={"data": data})
        assert done.status_code == 200, done.json
        return task["id"]

    complete(CASEWORKER, "Task_Assess", {"person_alias": "A. M.", "sante": True})
    complete(CASEWORKER, "Task_Consent", CONSENT)
    complete(CASEWORKER, "Task_Send", {"provider_id": "demo-hopital-douala"})
    [referral] = api.get(CASEWORKER, f"/cases/{case_id}").json["referrals"]
    acknowledgement = next(t["id"] for t in api.get(HOSPITAL, "/tasks").json["tasks"] if t["bpmn_id"] == "Task_Acknowledge")
    return {"case": case_id, "referral": referral["id"], "task": acknowledgement}


def _kept(container, case_id: int, task_id: str) -> dict:
    with container.uow() as uow:
        data = case_runtime.find_task(begin_step(uow, container.clock, case_id, None, "read").workflow, task_id).data
    return {name: data.get(name) for name in ("recu_par", "recu_le", "acknowledged_by", "acknowledged_on")}


def test_the_acknowledgement_reaches_the_fields_the_step_names(api, container, sent):
    answered = api.post(HOSPITAL, f"/referrals/{sent['referral']}/acknowledge",
                        json={"acknowledged_by": "Dr Ngo", "acknowledged_on": "2026-03-02"})
    assert answered.status_code == 200, answered.json
    assert api.get(HOSPITAL, f"/referrals/{sent['referral']}").json["state"] == "acknowledged"
    assert _kept(container, sent["case"], sent["task"]) == {
        "recu_par": "Dr Ngo", "recu_le": "2026-03-02", "acknowledged_by": None, "acknowledged_on": None}


def test_a_refused_acknowledgement_names_the_apis_words(api, container, sent):
    # The form requires its own field recu_par; an answer that leaves it out only in `data` is refused under the
    # API's name, and the pathway's own name written in `data` is overwritten by the API's field.
    refused = api.post(HOSPITAL, f"/referrals/{sent['referral']}/acknowledge",
                       json={"acknowledged_by": "   ", "data": {"recu_par": "Dr Ngo"}})
    assert refused.status_code == 422
    assert refused.json["error"]["fields"] == {"acknowledged_by": ["required"]}
    assert api.get(HOSPITAL, f"/referrals/{sent['referral']}").json["state"] == "sent"
