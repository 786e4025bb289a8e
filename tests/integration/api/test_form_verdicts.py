"""One submission, one verdict: the services, the command line, the JSON API (a task's completion and
a referral's answers), the task page and the scenario runner (in memory and on the database) accept
and refuse the same form data for the same reasons."""

from __future__ import annotations

import html
import json
import re

import yaml
from click.testing import CliRunner

from engine.clock import ManualClock
from engine.errors import InvalidData
from engine.pathways.folder import load_source
from engine.pathways.forms import load_form
from engine.pathways.scenario_driver import InMemoryCase
from engine.pathways.scenarios import parse_scenario, run_scenario
from engine.runtime.case_data import case_data
from engine.services.accounts.actors import load_actor
from engine.services.cases.step import begin_step
from engine.services.cases.lifecycle import open_case
from engine.services.pathways.scenario_cases import PersistedCase
from engine.services.tasks.completion import complete_task
from engine.store.seed import demo_directory
from tests.integration.api.test_need_to_know import HOSPITAL, referred  # noqa: F401  (a fixture)
from tests.integration.services.conftest import CAMEROON
from tests.integration.webui.web_forms import csrf_of, sign_in
from webui.cli import main
from webui.engine_messages import field_messages

CASEWORKER = "demo-caseworker"  # prefers French
TASK = "Task_Identification"

VALID = {"identification_date": "2026-03-02", "identification_source": "airport", "region": "littoral", "sex": "female",
         "return_modality": "assisted_voluntary", "risk_level": "medium", "priority": "urgent"}

# Submissions a page can post too: every value is text.
TEXT_SUBMISSIONS = {
    "valid": VALID,
    "valid, each type written as text": {**VALID, "age": " 27 ", "age_estimated": "true", "identification_date": "02/03/2026",
                                         "site": "  Douala  ", "language": "french"},
    "valid, text with tabs, line breaks and right-to-left marks": {**VALID, "site": "Douala\tport\r\n\u202eaéroport"},
    "text with control characters": {**VALID, "site": "Douala\x00", "person_alias": "\x1b[31mA"},
    "nothing": {},
    "required fields left blank": {**VALID, "region": "   ", "sex": ""},
    "wrong types": {**VALID, "age": "twenty", "age_estimated": "maybe", "identification_date": "2026-02-30", "region": "mars"},
    "beyond the limits": {**VALID, "age": "121", "site": "x" * 121, "phone": "9" * 41},
    "a number no long holds": {**VALID, "age": "9" * 30},
    "a huge text": {**VALID, "site": "x" * 200_000},
    "an unknown field": {**VALID, "colour": "red"},
}
# Submissions only JSON can carry.
JSON_SUBMISSIONS = {
    "valid, typed": {**VALID, "age": 27, "age_estimated": False, "vuln_medical": True},
    "valid, a whole number written 27.0": {**VALID, "age": 27.0},
    "wrong JSON types": {**VALID, "age": True, "age_estimated": 1, "site": 12, "region": ["littoral"], "sex": {"id": "female"}},
    "NaN and Infinity": {**VALID, "age": float("nan"), "site": float("inf"), "age_estimated": float("-inf")},
    "half a surrogate pair": {**VALID, "site": "\ud800"},
    "nested objects": {**VALID, "site": {"a": {"b": [1, None]}}, "colour": {"x": None}},
    "null for every field": {name: None for name in VALID},
}

# Scenario files are YAML, which cannot write half a surrogate pair.
NOT_IN_YAML = {"half a surrogate pair"}


def _accepted(data: dict) -> tuple:
    return ("accepted", data)


def _refused(lines: list[str]) -> tuple:
    return ("refused", sorted(lines))


class EntryPoints:
    """Completes an open identification task through each way in, opening a new case once one is accepted."""

    def __init__(self, app, api, container):
        self.app, self.api, self.container = app, api, container
        self.source = load_source(CAMEROON)
        self.fields = [f.id for f in load_form(self.source.files, TASK).fields]
        self.page = app.test_client()
        assert sign_in(self.page, CASEWORKER, demo_directory()["demo_password"]).status_code == 302
        self.open_tasks: dict[str, tuple[int, str]] = {}

    def _task(self, way: str) -> tuple[int, str]:
        if way not in self.open_tasks:
            ref = open_case(self.container.uow(), self.container.clock, "cameroon-nrm", self._actor())
            self.open_tasks[way] = (ref.id, ref.open_task_ids[0])
        return self.open_tasks[way]

    def _actor(self):
        return load_actor(self.container.uow(), CASEWORKER)

    def _stored(self, way: str) -> tuple:
        case_id, _ = self.open_tasks.pop(way)
        with self.container.uow() as uow:
            data = case_data(begin_step(uow, self.container.clock, case_id, None, "read").workflow)
        return _accepted({name: data.get(name) for name in self.fields})

    def service(self, data: dict) -> tuple:
        try:
            complete_task(self.container.uow(), self.container.clock, self._task("service")[1], self._actor(), data)
        except InvalidData as refused:
            self.refused = refused
            return _refused(refused.problem_lines())
        return self._stored("service")

    def command_line(self, data: dict) -> tuple:
        task_id = self._task("command line")[1]
        result = CliRunner().invoke(main, ["task", "complete", task_id, "--user", CASEWORKER, "--data", json.dumps(data)],
                                    obj=self.container)
        if result.exit_code == 0:
            return self._stored("command line")
        lines = result.output.splitlines()
        assert "Traceback" not in result.output and lines[0].startswith("Error: "), result.output
        return _refused([line.strip() for line in lines[1:]])

    def json_api(self, data: dict) -> tuple:
        response = self.api.post(CASEWORKER, f"/tasks/{self._task('JSON API')[1]}/complete", json={"data": data})
        if response.status_code == 200:
            return self._stored("JSON API")
        assert response.status_code == 422, response.get_data(as_text=True)
        return _refused([f"{name}: {message}" for name, messages in response.json["error"]["fields"].items()
                         for message in messages])

    def task_page(self, data: dict) -> tuple:
        task_id = self._task("task page")[1]
        response = self.page.post(f"/tasks/{task_id}", data={**data, "csrf_token": csrf_of(self.page, "/")})
        if response.status_code == 302:
            return self._stored("task page")
        assert response.status_code == 422
        shown = re.findall(r'<p class="error" id="error-(\w+)">(.*?)</p>', response.get_data(as_text=True))
        return ("refused on the page", {name: html.unescape(words) for name, words in shown})

    def scenario_in_memory(self, data: dict) -> tuple:
        driver = InMemoryCase.for_source(self.source, ManualClock(self._scenario(data).start_at))
        return self._scenario_verdict(driver, data)

    def scenario_on_the_database(self, data: dict) -> tuple:
        return self._scenario_verdict(PersistedCase(self.container, "cameroon-nrm"), data)

    def _scenario(self, data: dict):
        text = yaml.safe_dump({"name": "verdict", "start_at": "2026-03-02T08:00:00+01:00",
                               "steps": [{"complete": TASK, "data": data}]}, allow_unicode=True)
        return parse_scenario("scenarios/verdict.yaml", text.encode())

    def _scenario_verdict(self, driver, data: dict) -> tuple:
        result = run_scenario(self.source, self._scenario(data), driver=driver)
        if result.passed:
            stored = driver.case_data()
            return _accepted({name: stored.get(name) for name in self.fields})
        assert {failure.step for failure in result.failures} == {1}
        return _refused([failure.message for failure in result.failures])

    def page_words(self, verdict: tuple) -> tuple:
        """What the task page shows for the services' verdict: each form field's problems, in French."""
        if verdict[0] == "accepted":
            return verdict
        with self.app.test_request_context(headers={"Accept-Language": "fr"}):
            words = field_messages(self.refused.errors)
        return ("refused on the page", {name: " ".join(found) for name, found in words.items() if name in self.fields})


def test_every_way_in_gives_the_same_verdict(app, api, container):
    ways = EntryPoints(app, api, container)
    differences = []
    for name, data in {**TEXT_SUBMISSIONS, **JSON_SUBMISSIONS}.items():
        verdict = ways.service(data)
        assert verdict[0] == ("accepted" if name.startswith("valid") else "refused"), (name, verdict)
        others = {way: getattr(ways, way)(data) for way in ("command_line", "json_api", "scenario_in_memory",
                                                              "scenario_on_the_database")
                  if name not in NOT_IN_YAML or not way.startswith("scenario")}
        differences += [f"{name}: {way} says {found}, the services {verdict}" for way, found in others.items() if found != verdict]
        if name in TEXT_SUBMISSIONS:
            shown, expected = ways.task_page(data), ways.page_words(verdict)
            if shown != expected:
                differences.append(f"{name}: the task page shows {shown}, expected {expected}")
    assert not differences, "\n".join(differences)


def _hospital_task(api, bpmn_id: str) -> str:
    return next(t["id"] for t in api.get(HOSPITAL, "/tasks").json["tasks"] if t["bpmn_id"] == bpmn_id)


def _same_refusal(api, move: str, referral_id: int, task_id: str, body: dict) -> dict:
    """Refuse `body` through the referral's answer and its task's form alike; the problems found."""
    by_referral = api.post(HOSPITAL, f"/referrals/{referral_id}/{move}", json=body)
    data = {**body.get("data", {}), **{name: value for name, value in body.items() if name != "data"}}
    by_task = api.post(HOSPITAL, f"/tasks/{task_id}/complete", json={"data": data})
    assert (by_referral.status_code, by_task.status_code) == (422, 422), (body, by_referral.json, by_task.json)
    assert by_referral.json["error"]["fields"] == by_task.json["error"]["fields"], body
    return by_referral.json["error"]["fields"]


def test_a_referral_answer_gets_the_verdict_of_its_task_form(api, referred):
    health = referred["health"]
    acknowledgement = _hospital_task(api, "Task_AcknowledgeReferral")
    for body in ({"acknowledged_by": "   "}, {"acknowledged_by": None}, {"acknowledged_by": "x" * 121},
                 {"acknowledged_by": 12}, {"acknowledged_by": "Dr Ngo", "acknowledged_on": "2026-02-30"},
                 {"acknowledged_by": "Dr Ngo", "data": {"colour": "red"}}):
        _same_refusal(api, "acknowledge", health, acknowledgement, body)
    # The move's own rule (who acknowledges must be named) speaks the form check's word.
    assert api.post(HOSPITAL, f"/referrals/{health}/acknowledge", json={}).json["error"]["fields"] == {
        "acknowledged_by": ["required"]}
    # Camunda's day/month/year dates are taken here as through the task's form.
    ok = api.post(HOSPITAL, f"/referrals/{health}/acknowledge", json={"acknowledged_by": "Dr Ngo", "acknowledged_on": "02/03/2026"})
    assert ok.status_code == 200, ok.json
    assert api.post(HOSPITAL, f"/referrals/{health}/accept", json={"appointment_date": "2026-03-09"}).status_code == 200
    outcome = _hospital_task(api, "Task_ServiceOutcome")
    problems = _same_refusal(api, "outcome", health, outcome, {"service_delivered": "yes", "outcome_note": "\x00"})
    assert problems == {"service_delivered": ["must be true or false"], "outcome_note": ["must not contain control characters"]}
    assert api.post(HOSPITAL, f"/referrals/{health}/outcome", json={"service_delivered": "true"}).status_code == 200
