"""The pathway's form rules give one verdict through every way in: a decline without its reason and a
redirect without its provider are refused alike by the services, the JSON API (task and referral
answer), the command line and the task page; a need's urgency is carried from the case's priority."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from engine.errors import InvalidData
from engine.runtime.case_data import case_data
from engine.services.accounts.actors import load_actor
from engine.services.cases.step import begin_step
from engine.services.tasks.completion import complete_task
from engine.store.seed import demo_directory
from tests.integration.api.test_need_to_know import CASEWORKER, HOSPITAL, referred  # noqa: F401  (a fixture)
from tests.integration.services.conftest import IDENTIFICATION, NO_NEEDS
from tests.integration.webui.web_forms import csrf_of, sign_in
from webui.cli import main


def _task_of(api, user: str, bpmn_id: str) -> str:
    return next(t["id"] for t in api.get(user, "/tasks").json["tasks"] if t["bpmn_id"] == bpmn_id)


def _verdicts(app, api, container, task_id: str, referral_id: int, data: dict, move: str) -> dict[str, object]:
    """What each way in answers to the same decision."""
    found: dict[str, object] = {}
    try:
        complete_task(container.uow(), container.clock, task_id, load_actor(container.uow(), HOSPITAL), data)
        found["services"] = "accepted"
    except InvalidData as refused:
        found["services"] = {name: [p.code for p in problems] for name, problems in refused.errors.items()}
    response = api.post(HOSPITAL, f"/tasks/{task_id}/complete", json={"data": data})
    found["JSON API, task"] = response.json["error"]["problems"] if response.status_code == 422 else response.status_code
    body = {k: v for k, v in data.items() if k != "decision"}
    response = api.post(HOSPITAL, f"/referrals/{referral_id}/{move}", json=body)
    found["JSON API, referral"] = response.json["error"]["problems"] if response.status_code == 422 else response.status_code
    result = CliRunner().invoke(main, ["task", "complete", task_id, "--user", HOSPITAL, "--data", json.dumps(data)],
                                obj=container)
    found["command line"] = result.output.splitlines()[1:] if result.exit_code else "accepted"
    page = app.test_client()
    assert sign_in(page, HOSPITAL, demo_directory()["demo_password"]).status_code == 302
    response = page.post(f"/tasks/{task_id}", data={**data, "csrf_token": csrf_of(page, "/")})
    found["task page"] = (re.findall(r'<p class="error" id="error-(\w+)">', response.get_data(as_text=True))
                          if response.status_code == 422 else response.status_code)
    return found


def test_a_decline_without_reason_and_a_redirect_without_provider_are_refused_everywhere(app, api, container, referred):
    health = referred["health"]
    acknowledgement = _task_of(api, HOSPITAL, "Task_AcknowledgeReferral")
    assert api.post(HOSPITAL, f"/tasks/{acknowledgement}/complete", json={"data": {"acknowledged_by": "Dr Ngo"}}).status_code == 200
    decision = _task_of(api, HOSPITAL, "Task_ReferralDecision")
    for data, move, field in (({"decision": "declined"}, "decline", "decline_reason"),
                              ({"decision": "redirected", "redirect_to": " "}, "redirect", "redirect_to")):
        found = _verdicts(app, api, container, decision, health, data, move)
        assert found["services"] == {field: ["required"]}, found
        assert found["JSON API, task"] == {field: [{"code": "required", "params": {}}]}, found
        assert found["command line"] == [f"  {field}: required"], found
        assert found["task page"] == [field], found
        # The referral's own answer leaves the reason and the provider to the form's rule.
        assert found["JSON API, referral"] == {field: [{"code": "required", "params": {}}]}, found
    # Nothing was written: the decision is still to make, and a complete one goes through.
    assert api.post(HOSPITAL, f"/referrals/{health}/decline", json={"decline_reason": "no_capacity"}).status_code == 200
    history = api.get(CASEWORKER, f"/cases/{referred['case']}/history").json
    decided = [e for e in history["events"] if e.get("task_bpmn_id") == "Task_ReferralDecision"]
    assert decided and decided[-1]["details"]["values"] == {"decision": "declined", "decline_reason": "no_capacity"}


def test_a_ticked_need_takes_the_case_priority_and_the_vulnerability_is_carried(app, api, container):
    case_id = api.post(CASEWORKER, "/cases", json={"pathway_id": "cameroon-nrm"}).json["id"]
    identification = _task_of(api, CASEWORKER, "Task_Identification")
    assert api.post(CASEWORKER, f"/tasks/{identification}/complete", json={"data": IDENTIFICATION}).status_code == 200
    assessment = _task_of(api, CASEWORKER, "Task_NeedsAssessment")
    form = {f["id"]: f for f in api.get(CASEWORKER, f"/tasks/{assessment}").json["fields"]}
    # The form says what it will take: the vulnerability seen at identification, the case's priority.
    assert form["need_health"]["initial"] is True and form["health_urgency"]["initial"] == "urgent"
    assert form["health_urgency"]["required_when"] == "need_health"
    # The page shows them filled in, and the command line says what an empty field means.
    page = app.test_client()
    assert sign_in(page, CASEWORKER, demo_directory()["demo_password"]).status_code == 302
    shown = page.get(f"/tasks/{assessment}").get_data(as_text=True)
    selects = {m.group(1): m.group(0) for m in re.finditer(r'<select id="field-(\w+)".*?</select>', shown, re.S)}
    assert '<option value="true" selected>' in selects["need_health"]
    assert '<option value="urgent" selected>' in selects["health_urgency"]
    assert " selected>" not in selects["need_shelter"]
    listed = CliRunner().invoke(main, ["task", "form", assessment, "--user", CASEWORKER], obj=container).output
    assert re.search(r"health_urgency  enum  required when need_health  one of: .*  empty means: \"urgent\"", listed), listed
    data = {**{k: v for k, v in NO_NEEDS.items() if k != "need_health"}, "assessment_date": "2026-03-02", "need_shelter": True}
    assert api.post(CASEWORKER, f"/tasks/{assessment}/complete", json={"data": data}).status_code == 200
    with container.uow() as uow:
        stored = case_data(begin_step(uow, container.clock, case_id, None, "read").workflow)
    assert stored["needs"] == [{"sector": "health", "urgency": "urgent"}, {"sector": "shelter", "urgency": "urgent"}]
