"""Cases and tasks over the API: forms in the user's language, field errors, conflicts, claiming, handing on."""

from __future__ import annotations

import pytest

from engine.services.accounts.actors import load_actor
from engine.services.accounts.administration import set_account_active
from tests.integration.services.conftest import IDENTIFICATION

CASEWORKER, OTHER_CASEWORKER = "demo-caseworker", "demo-caseworker-en"


@pytest.fixture
def case(api) -> dict:
    """A case just opened by IOM's caseworker, with its identification task."""
    opened = api.post(CASEWORKER, "/cases", json={"pathway_id": "cameroon-nrm"})
    assert opened.status_code == 201
    return {"id": opened.json["id"], "task": opened.json["open_task_ids"][0]}


def _history_length(api, case) -> int:
    return len(api.get(CASEWORKER, f"/cases/{case['id']}/history").json["events"])


def test_a_task_form_is_labelled_in_the_callers_language_with_types_options_and_limits(api, case):
    french = api.get(CASEWORKER, f"/tasks/{case['task']}").json
    english = api.get(OTHER_CASEWORKER, f"/tasks/{case['task']}").json
    assert (french["name"], english["name"]) == ("Identifier la personne", "Identify the person")
    fields = {field["id"]: field for field in english["fields"]}
    assert fields["region"]["type"] == "enum" and fields["region"]["required"]
    assert {"id": "extreme_nord", "label": "Far North"} in fields["region"]["options"]
    assert fields["age"]["constraints"] == {"min": 0, "max": 120} and not fields["age"]["required"]
    french_region = next(f for f in french["fields"] if f["id"] == "region")
    assert french_region["label"] == "Région" and {"id": "extreme_nord", "label": "Extrême-Nord"} in french_region["options"]


def test_invalid_form_data_is_refused_with_every_field_error_and_changes_nothing(api, case):
    before = _history_length(api, case)
    refused = api.post(CASEWORKER, f"/tasks/{case['task']}/complete", json={"data": {"age": "old", "colour": "red"}})
    assert refused.status_code == 422
    problems = refused.json["error"]["fields"]
    assert problems["age"] == ["must be a whole number"] and problems["colour"] == ["not a field of this form"]
    assert problems["region"] == ["required"]
    coded = refused.json["error"]["problems"]
    assert coded["age"] == [{"code": "not_whole_number", "params": {}}]
    assert coded["colour"] == [{"code": "unknown_field", "params": {}}]
    assert coded["region"] == [{"code": "required", "params": {}}]
    assert _history_length(api, case) == before


def test_a_body_that_is_not_an_object_is_a_field_error(api, case):
    refused = api.post(CASEWORKER, f"/tasks/{case['task']}/complete", data="[1, 2]", content_type="application/json")
    assert refused.status_code == 422 and refused.json["error"]["code"] == "invalid"


def test_completing_a_task_twice_is_a_conflict(api, case):
    done = api.post(CASEWORKER, f"/tasks/{case['task']}/complete", json={"data": IDENTIFICATION})
    assert done.status_code == 200 and done.json["stage"] == "assessment"
    again = api.post(CASEWORKER, f"/tasks/{case['task']}/complete", json={"data": IDENTIFICATION})
    assert again.status_code == 409 and again.json["error"]["code"] == "conflict"


def test_a_claimed_task_is_held_until_released(api, case):
    claimed = api.post(CASEWORKER, f"/tasks/{case['task']}/claim")
    assert claimed.status_code == 200 and claimed.json["id"] == case["task"]
    assert api.post(OTHER_CASEWORKER, f"/tasks/{case['task']}/claim").status_code == 409
    completing = api.post(OTHER_CASEWORKER, f"/tasks/{case['task']}/complete", json={"data": IDENTIFICATION})
    assert completing.status_code == 403
    assert api.post(CASEWORKER, f"/tasks/{case['task']}/release").json["assignee_id"] is None
    assert api.post(OTHER_CASEWORKER, f"/tasks/{case['task']}/claim").status_code == 200


def test_lists_are_paged_within_bounds(api, case):
    api.post(CASEWORKER, "/cases", json={"pathway_id": "cameroon-nrm"})
    first = api.get(CASEWORKER, "/cases?limit=1").json
    second = api.get(CASEWORKER, "/cases?limit=1&offset=1").json
    assert len(first["cases"]) == len(second["cases"]) == 1 and first["cases"][0]["id"] != second["cases"][0]["id"]
    too_many = api.get(CASEWORKER, "/tasks?limit=1000")
    assert too_many.status_code == 422 and "limit" in too_many.json["error"]["fields"]


def test_only_caseworkers_open_cases_and_only_on_published_pathways(api):
    assert api.post("demo-health-douala", "/cases", json={"pathway_id": "cameroon-nrm"}).status_code == 403
    assert api.post(CASEWORKER, "/cases", json={"pathway_id": "nowhere"}).status_code == 404
    missing = api.post(CASEWORKER, "/cases", json={}).json["error"]
    assert missing["fields"] == {"pathway_id": ["Missing data for required field."]}
    assert missing["problems"] == {"pathway_id": [{"code": "invalid", "params": {}}]}


def test_a_task_form_can_be_asked_for_in_another_language(api, case):
    assert api.get(CASEWORKER, f"/tasks/{case['task']}?language=en").json["name"] == "Identify the person"
    assert api.get(CASEWORKER, f"/tasks/{case['task']}?language=xx").status_code == 422


def test_history_is_paged_oldest_first(api, case):
    api.post(CASEWORKER, f"/tasks/{case['task']}/claim")
    api.post(CASEWORKER, f"/tasks/{case['task']}/release")
    everything = api.get(CASEWORKER, f"/cases/{case['id']}/history").json["events"]
    assert [e["action"] for e in everything] == ["case_opened", "task_claimed", "task_released"]
    second = api.get(CASEWORKER, f"/cases/{case['id']}/history?limit=1&offset=1").json["events"]
    assert [e["action"] for e in second] == ["task_claimed"]



def test_a_supervisor_hands_a_task_to_a_colleague_but_a_caseworker_cannot(api, case):
    refused = api.post(CASEWORKER, f"/tasks/{case['task']}/reassign", json={"username": OTHER_CASEWORKER})
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"
    handed = api.post("demo-supervisor", f"/tasks/{case['task']}/reassign", json={"username": OTHER_CASEWORKER})
    assert handed.status_code == 200 and handed.json == {"id": case["task"], "assignee": OTHER_CASEWORKER}
    assert [t["id"] for t in api.get(OTHER_CASEWORKER, "/tasks").json["tasks"]] == [case["task"]]
    assert api.post(CASEWORKER, f"/tasks/{case['task']}/complete", json={"data": IDENTIFICATION}).status_code == 403
    history = api.get(CASEWORKER, f"/cases/{case['id']}/history").json["events"]
    assert history[-1]["action"] == "task_reassigned" and history[-1]["actor"] == "demo-supervisor"


def test_a_coordinator_hands_any_organisations_task_on(api, case):
    handed = api.post("demo-coordinator", f"/tasks/{case['task']}/reassign", json={"username": OTHER_CASEWORKER})
    assert handed.status_code == 200 and handed.json["assignee"] == OTHER_CASEWORKER


def test_another_organisations_supervisor_does_not_learn_that_the_task_exists(api, case):
    hidden = api.post("demo-minas-supervisor", f"/tasks/{case['task']}/reassign", json={"username": "demo-minas-caseworker"})
    assert hidden.status_code == 404 and hidden.json["error"]["code"] == "not_found"


def test_a_task_is_not_handed_to_someone_of_another_organisation(api, case):
    refused = api.post("demo-supervisor", f"/tasks/{case['task']}/reassign", json={"username": "demo-minas-caseworker"})
    assert refused.status_code == 422 and list(refused.json["error"]["fields"]) == ["username"]
    assert api.get(CASEWORKER, f"/tasks/{case['task']}").json["assignee_id"] is None


def test_a_task_is_not_handed_to_a_disabled_account_nor_to_nobody(api, container, case):
    colleague = api.get(OTHER_CASEWORKER, "/me").json["id"]
    set_account_active(container.uow(), container.clock, load_actor(container.uow(), "demo-admin"), colleague, False)
    disabled = api.post("demo-supervisor", f"/tasks/{case['task']}/reassign", json={"username": OTHER_CASEWORKER})
    assert disabled.status_code == 409 and disabled.json["error"]["code"] == "conflict"
    unknown = api.post("demo-supervisor", f"/tasks/{case['task']}/reassign", json={"username": "nobody-here"})
    assert unknown.status_code == 422 and list(unknown.json["error"]["fields"]) == ["username"]
    assert "nobody-here" in unknown.json["error"]["message"]
    missing = api.post("demo-supervisor", f"/tasks/{case['task']}/reassign", json={})
    assert missing.status_code == 422 and list(missing.json["error"]["fields"]) == ["username"]


def test_a_task_already_done_is_not_handed_on(api, case):
    assert api.post(CASEWORKER, f"/tasks/{case['task']}/complete", json={"data": IDENTIFICATION}).status_code == 200
    late = api.post("demo-supervisor", f"/tasks/{case['task']}/reassign", json={"username": OTHER_CASEWORKER})
    assert late.status_code == 409 and late.json["error"]["code"] == "conflict"


def test_a_field_problem_carries_the_parameters_a_client_words_it_with(api, case):
    refused = api.post(CASEWORKER, f"/tasks/{case['task']}/complete", json={"data": {**IDENTIFICATION, "region": "atlantis"}})
    assert refused.status_code == 422
    [problem] = refused.json["error"]["problems"]["region"]
    assert problem["code"] == "not_a_choice"
    assert "littoral" in problem["params"]["choices"] and "atlantis" not in problem["params"]["choices"]
