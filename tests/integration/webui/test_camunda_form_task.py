"""A Camunda Form with every supported component and conditional fields, on the task page (without
script: the server decides which fields are shown), in the API's task description and in the command
line's `task form`, with one check of its values through all three."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.pathways.folder import load_source
from engine.runtime.case_data import case_data
from engine.services.accounts.actors import load_actor
from engine.services.cases.lifecycle import open_case
from engine.services.cases.step import begin_step
from engine.services.pathways.publishing import publish_pathway
from engine.store.seed import load_demo_data
from tests.integration.api.conftest import ApiUsers
from web_forms import TEST_SECRET, csrf_of, sign_in
from webui import create_app
from webui.cli import main

HOUSEHOLD = Path(__file__).resolve().parents[2] / "fixtures" / "valid" / "camunda-form-household"
CASEWORKER = "demo-caseworker"  # prefers French
FILLED = {"full_name": "Amina", "return_modality": "assisted", "returned_on": "2026-02-01"}


@pytest.fixture
def household(container):
    """The household task of a new case, a signed-in caseworker, and the API as that caseworker."""
    seed = load_demo_data(container.uow(), container.clock)
    publish_pathway(container.uow(), load_source(HOUSEHOLD), container.clock)
    actor = load_actor(container.uow(), CASEWORKER)
    case = open_case(container.uow(), container.clock, "camunda-form-household", actor)
    app = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)
    client = app.test_client()
    assert sign_in(client, CASEWORKER, seed.password).status_code == 302
    return client, ApiUsers(app, container), case.open_task_ids[0], case.id


def _named(page: str) -> set[str]:
    """What a browser posts from the task's form."""
    form = re.search(r'<form[^>]*action="/tasks/[^"]+"[^>]*>(.*?)</form>', page, re.S)
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', form.group(1))) - {"csrf_token"}


def _data_of(container, case_id: int) -> dict:
    with container.uow() as uow:
        return case_data(begin_step(uow, container.clock, case_id, None, "read").workflow)


def test_the_page_shows_each_component_and_hides_what_its_condition_hides(household):
    client, _api, task_id, _ = household
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert _named(page) == {"full_name", "document_number", "phone", "story", "household_size", "unaccompanied_child",
                            "needs", "return_modality", "risk", "languages", "returned_on", "call_time", "appointment_at"}
    assert re.search(r'<input type="checkbox" name="needs" value="legal"> Juridique', page)
    assert re.search(r'<select id="field-languages" name="languages" multiple>', page)
    assert 'type="time"' in page and 'type="datetime-local"' in page and 'id="field-returned_on" name="returned_on" type="date"' in page
    client.post("/language", data={"language": "en", "csrf_token": csrf_of(client, "/")})
    english = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Languages spoken" in english and "> Legal</label>" in english and ">Fulfulde</option>" in english


def test_a_field_its_answer_shows_is_asked_for_on_the_page_after_the_submit(household, container):
    client, _api, task_id, case_id = household
    posted = {**FILLED, "unaccompanied_child": "true", "needs": ["health", "legal"], "languages": ["fr", "ff"],
              "csrf_token": csrf_of(client, "/")}
    response = client.post(f"/tasks/{task_id}", data=posted)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert {"guardian_name", "legal_details"} <= _named(page)
    assert re.search(r'id="error-guardian_name">Ce champ est obligatoire\.<', page)
    assert re.search(r'name="needs" value="legal" checked', page) and re.search(r'<option value="ff" selected>', page)
    response = client.post(f"/tasks/{task_id}", data={**posted, "guardian_name": "Oncle Paul", "legal_details": "Passeport perdu",
                                                      "call_time": "09:30", "appointment_at": "2026-02-03T14:00"})
    assert response.status_code == 302, response.get_data(as_text=True)
    data = _data_of(container, case_id)
    assert (data["needs"], data["languages"], data["guardian_name"], data["call_time"], data["appointment_at"]) == (
        ["health", "legal"], ["fr", "ff"], "Oncle Paul", "09:30", "2026-02-03T14:00")


def test_the_api_describes_the_form_and_checks_values_as_the_page_does(household, container):
    _client, api, task_id, case_id = household
    described = api.get(CASEWORKER, f"/tasks/{task_id}?language=en").json
    fields = {field["id"]: field for field in described["fields"]}
    assert fields["needs"]["type"] == "enum_list" and fields["needs"]["widget"] == "checklist"
    assert [option["label"] for option in fields["languages"]["options"]] == ["French", "English", "Fulfulde"]
    assert fields["document_number"]["constraints"] == {"pattern": "[A-Z]{2}[0-9]{6}"}
    assert fields["guardian_name"]["hidden"] is True and "unaccompanied_child" in fields["guardian_name"]["hidden_when"]
    assert fields["call_time"]["type"] == "time" and fields["appointment_at"]["type"] == "datetime"
    refused = api.post(CASEWORKER, f"/tasks/{task_id}/complete", json={"data": {
        **FILLED, "unaccompanied_child": True, "needs": ["legal", "food"], "document_number": "12"}})
    assert refused.status_code == 422
    assert {name: [p["code"] for p in problems] for name, problems in refused.json["error"]["problems"].items()} == {
        "guardian_name": ["required"], "needs": ["not_choices"], "document_number": ["no_pattern_match"]}
    done = api.post(CASEWORKER, f"/tasks/{task_id}/complete", json={"data": {**FILLED, "needs": ["legal"], "guardian_name": "x"}})
    assert done.status_code == 200, done.json
    assert _data_of(container, case_id)["guardian_name"] is None  # hidden: what was sent for it is set aside
    record = api.get("demo-supervisor", f"/cases/{case_id}/record", query_string={"language": "en"}).json
    assert {"id": "needs", "label": "Needs", "value": ["legal"], "value_label": "Legal"} in record["fields"]


def test_the_command_line_shows_the_form_and_completes_the_task_with_the_same_check(household, container):
    _client, _api, task_id, case_id = household
    shown = CliRunner().invoke(main, ["--lang", "fr", "task", "form", task_id, "--user", CASEWORKER], obj=container)
    assert shown.exit_code == 0, shown.output
    lines = {line.split()[0]: line for line in shown.output.splitlines()[1:]}
    assert "some of: health (Santé), shelter (Abri), legal (Juridique)" in lines["needs"]
    assert "pattern [A-Z]{2}[0-9]{6}" in lines["document_number"] and lines["call_time"].split()[1] == "time"
    assert "hidden when" in lines["guardian_name"] and "(hidden now: leave it out)" in lines["guardian_name"]
    refused = CliRunner().invoke(main, ["task", "complete", task_id, "--user", CASEWORKER, "--data",
                                        json.dumps({**FILLED, "call_time": "25:61"})], obj=container)
    assert refused.exit_code != 0 and "call_time" in refused.output
    done = CliRunner().invoke(main, ["task", "complete", task_id, "--user", CASEWORKER, "--data",
                                     json.dumps({**FILLED, "languages": ["en"], "call_time": "8:05"})], obj=container)
    assert done.exit_code != 0 and "call_time" in done.output  # a time is written with two digits for the hour
    done = CliRunner().invoke(main, ["task", "complete", task_id, "--user", CASEWORKER, "--data",
                                     json.dumps({**FILLED, "languages": ["en"], "call_time": "08:05"})], obj=container)
    assert done.exit_code == 0, done.output
    assert _data_of(container, case_id)["languages"] == ["en"]
