"""Every referral ends somewhere: after a decline the caseworker sends the need to another provider or
records it as unmet, with a reason; an unmet need is on the case, in its history and on the
coordinators' list, and the case goes on."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.store.models import UnmetNeedRow
from engine.store.seed import demo_directory
from tests.integration.api.test_need_to_know import CASEWORKER, HOSPITAL, referred  # noqa: F401  (a fixture)
from tests.integration.webui.web_forms import sign_in

COORDINATOR, OTHER_SUPERVISOR = "demo-coordinator", "demo-minas-supervisor"


def _task_of(api, user: str, bpmn_id: str) -> dict:
    return next(t for t in api.get(user, "/tasks").json["tasks"] if t["bpmn_id"] == bpmn_id)


def _decline_health(api, referred) -> dict:
    health = referred["health"]
    assert api.post(HOSPITAL, f"/referrals/{health}/acknowledge", json={"acknowledged_by": "Dr Ngo"}).status_code == 200
    assert api.post(HOSPITAL, f"/referrals/{health}/decline", json={"decline_reason": "no_capacity"}).status_code == 200
    # The decline gives the caseworker a task for that need, on the case page too.
    task = _task_of(api, CASEWORKER, "Task_ReReferral")
    assert task["instance_label"] == "health"
    assert task["id"] in {t["id"] for t in api.get(CASEWORKER, f"/cases/{referred['case']}").json["open_tasks"]}
    return task


def _unmet_count(container) -> int:
    with container.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(UnmetNeedRow))


def test_a_declined_need_recorded_unmet_is_listed_for_coordination_and_the_case_goes_on(app, api, container, referred):
    task = _decline_health(api, referred)
    form = {f["id"]: f for f in api.get(CASEWORKER, f"/tasks/{task['id']}").json["fields"]}
    assert form["unmet_reason"]["required_when"] == "orientation_turn >= 5"
    wrong = api.post(CASEWORKER, f"/tasks/{task['id']}/complete", json={"data": {"unmet_reason": "tired"}})
    assert wrong.status_code == 422 and _unmet_count(container) == 0
    done = api.post(CASEWORKER, f"/tasks/{task['id']}/complete",
                    json={"data": {"unmet_reason": "no_provider", "unmet_note": "Aucun hôpital libre à Douala"}})
    assert done.status_code == 200, done.json
    case = api.get(CASEWORKER, f"/cases/{referred['case']}").json
    assert [(n["sector"], n["reason"], n["region"], n["referral_id"]) for n in case["unmet_needs"]] == [
        ("health", "no_provider", "littoral", referred["health"])]
    # The case goes on: the shelter referral is untouched, no new send for health.
    assert "Task_SendReferral" not in {t["bpmn_id"] for t in case["open_tasks"]}
    assert case["status"] == "open"
    history = api.get(CASEWORKER, f"/cases/{referred['case']}/history").json["events"]
    recorded = [e for e in history if e.get("task_bpmn_id") == "Task_ReReferral"]
    assert recorded[-1]["details"]["values"] == {"unmet_reason": "no_provider"}  # the note is sensitive: not kept
    assert recorded[-1]["details"]["unmet_need"]["reason"] == "no_provider"
    # Coordination lists it, in its language; a supervisor of another organisation does not see it.
    page = app.test_client()
    assert sign_in(page, COORDINATOR, demo_directory()["demo_password"]).status_code == 302
    shown = page.get("/coordination/attention", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert case["reference"] in shown and "Aucun prestataire disponible" in shown and "Aucun hôpital libre" not in shown
    other = app.test_client()
    assert sign_in(other, OTHER_SUPERVISOR, demo_directory()["demo_password"]).status_code == 302
    assert case["reference"] not in other.get("/coordination/attention").get_data(as_text=True)


def test_a_declined_need_sent_to_another_provider_records_nothing_unmet(api, container, referred):
    task = _decline_health(api, referred)
    assert api.post(CASEWORKER, f"/tasks/{task['id']}/complete", json={"data": {}}).status_code == 200
    send = _task_of(api, CASEWORKER, "Task_SendReferral")
    assert send["instance_label"] == "health" and _unmet_count(container) == 0
    assert api.post(CASEWORKER, f"/tasks/{send['id']}/complete",
                    json={"data": {"provider_id": "demo-hopital-yaounde",
                                   "provider_choice_reason": "the person is moving to Yaoundé"}}).status_code == 200
    referrals = api.get(CASEWORKER, f"/cases/{referred['case']}").json["referrals"]
    assert [(r["sector"], r["state"]) for r in referrals if r["sector"] == "health"] == [("health", "declined"), ("health", "sent")]
