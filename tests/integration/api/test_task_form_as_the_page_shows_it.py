"""A task over the API says what its page says: a send step lists the need's earlier referrals (codes
beside the pathway's words, from the page's own service), and each field's limits come resolved as the
page's inputs check them, "today" being the case's day by the application's clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine.pathways.forms import EARLIEST_DATE
from engine.services.accounts.actors import load_actor
from engine.services.pathways.labels import describe_labelled_task
from tests.integration.services.conftest import ASSESSMENT, CONSENT, IDENTIFICATION

CASEWORKER, OTHER_ORGANISATION, HOSPITAL = "demo-caseworker", "demo-minas-caseworker", "demo-health-douala"
SUGGESTION = "Centre de santé de Bonabéri"


def _task(api, bpmn_id: str, sector: str | None = None) -> str:
    return next(t["id"] for t in api.get(CASEWORKER, "/tasks").json["tasks"]
                if t["bpmn_id"] == bpmn_id and sector in (None, t["instance_label"]))


def _complete(api, bpmn_id: str, data: dict, sector: str | None = None) -> None:
    response = api.post(CASEWORKER, f"/tasks/{_task(api, bpmn_id, sector)}/complete", json={"data": data})
    assert response.status_code == 200, response.json


@pytest.fixture
def health_referral(api) -> int:
    """A case whose health need went to the Douala hospital (shelter not sent yet), acknowledged there."""
    case_id = api.post(CASEWORKER, "/cases", json={"pathway_id": "cameroon-nrm"}).json["id"]
    _complete(api, "Task_Identification", IDENTIFICATION)
    _complete(api, "Task_NeedsAssessment", ASSESSMENT)
    consent = {k: v for k, v in CONSENT.items() if k != "consent_given"}
    assert api.post(CASEWORKER, f"/cases/{case_id}/consents", json={"consent_given": True, "data": consent}).status_code == 200
    _complete(api, "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, "health")
    (referral,) = [r["id"] for r in api.get(CASEWORKER, f"/cases/{case_id}").json["referrals"]]
    assert api.post(HOSPITAL, f"/referrals/{referral}/acknowledge", json={"acknowledged_by": "Dr Ngo"}).status_code == 200
    return referral


def _page(api, task_id: str, language: str):
    """The task page's own service, as the caseworker's page calls it."""
    actor = load_actor(api.container.uow(), CASEWORKER)
    return describe_labelled_task(api.container.uow(), api.container.clock, task_id, actor, language)


def test_a_send_step_lists_the_needs_earlier_referral_with_codes_and_the_pathways_words(api, health_referral):
    assert api.post(HOSPITAL, f"/referrals/{health_referral}/redirect", json={"redirect_to": SUGGESTION}).status_code == 200
    task = _task(api, "Task_SendReferral", "health")

    english = api.get(CASEWORKER, f"/tasks/{task}?language=en").json
    french = api.get(CASEWORKER, f"/tasks/{task}?language=fr").json

    (earlier,) = english["earlier"]
    assert {key: earlier[key] for key in ("referral_id", "provider", "state", "decline_reason", "decline_reason_label")} == {
        "referral_id": health_referral, "provider": "DEMO – Hôpital régional de Douala", "state": "redirected",
        "decline_reason": None, "decline_reason_label": None}
    assert datetime.fromisoformat(earlier["ended_at"]).replace(tzinfo=timezone.utc) == api.container.clock.now()
    assert earlier["answer"] == [{"field": "redirect_to", "label": "Suggested provider", "value": SUGGESTION,
                                  "value_label": SUGGESTION}]
    # The French labels are the page's, word for word.
    (page_earlier,) = _page(api, task, "fr").earlier
    assert [(a["label"], a["value_label"]) for a in french["earlier"][0]["answer"]] == list(page_earlier.answer)
    # The shelter need was never sent: its send step lists nothing of the health need's referrals.
    assert api.get(CASEWORKER, f"/tasks/{_task(api, 'Task_SendReferral', 'shelter')}").json["earlier"] == []


def test_a_declined_need_comes_back_with_its_reason_as_a_code_and_in_the_pathways_words(api, health_referral):
    assert api.post(HOSPITAL, f"/referrals/{health_referral}/decline", json={"decline_reason": "no_capacity"}).status_code == 200
    _complete(api, "Task_ReReferral", {})
    task = _task(api, "Task_SendReferral", "health")

    (earlier,) = api.get(CASEWORKER, f"/tasks/{task}?language=fr").json["earlier"]

    (page_earlier,) = _page(api, task, "fr").earlier
    assert (earlier["state"], earlier["decline_reason"], earlier["answer"]) == ("declined", "no_capacity", [])
    assert earlier["decline_reason_label"] == page_earlier.decline_reason == "Capacité atteinte"


def test_the_earlier_referrals_stay_with_those_who_may_see_the_send_step(api, health_referral):
    assert api.post(HOSPITAL, f"/referrals/{health_referral}/redirect", json={"redirect_to": SUGGESTION}).status_code == 200
    task = _task(api, "Task_SendReferral", "health")

    for outsider in (OTHER_ORGANISATION, HOSPITAL):
        refused = api.get(outsider, f"/tasks/{task}")
        assert refused.status_code == 404 and SUGGESTION not in refused.get_data(as_text=True)


def test_a_date_up_to_today_comes_with_the_cases_day_as_an_iso_date_beside_its_declaration(api, container):
    task = api.post(CASEWORKER, "/cases", json={"pathway_id": "cameroon-nrm"}).json["open_task_ids"][0]
    # Half past eleven at night in UTC is already the next day in Douala.
    container.clock.set(datetime(2026, 3, 2, 23, 30, tzinfo=timezone.utc))

    fields = {field["id"]: field for field in api.get(CASEWORKER, f"/tasks/{task}").json["fields"]}

    identification = fields["identification_date"]
    assert identification["constraints"] == {"max": "today"} and identification["required"]
    assert identification["input_limits"] == {"min": EARLIEST_DATE.isoformat(), "max": "2026-03-03"}
    assert fields["site"]["input_limits"] == {"maxlength": 120}
    assert fields["age"]["input_limits"] == {}  # a number's range is the constraints' (and the check's) alone
    assert {f.id: dict(f.input_limits) for f in _page(api, task, "en").fields}["identification_date"] == {
        "min": "1900-01-01", "max": "2026-03-03"}

    container.clock.advance(timedelta(days=1))
    later = {field["id"]: field for field in api.get(CASEWORKER, f"/tasks/{task}").json["fields"]}
    assert later["identification_date"]["input_limits"]["max"] == "2026-03-04"
