"""A read-only field on the task page: shown with the case's value, never posted, still refused by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.pathways.folder import load_source
from engine.runtime.case_data import case_data
from engine.services.accounts.actors import load_actor
from engine.services.cases.step import begin_step
from engine.services.cases.lifecycle import open_case
from engine.services.pathways.publishing import publish_pathway
from engine.services.tasks.completion import complete_task
from engine.store.seed import load_demo_data
from web_forms import TEST_SECRET, csrf_of, sign_in
from webui import create_app

READONLY_REVIEW = Path(__file__).resolve().parents[2] / "fixtures" / "valid" / "readonly-review"
CASEWORKER = "demo-caseworker"  # prefers French


@pytest.fixture
def review(container):
    """A case of the read-only review pathway whose assessment is done: the review task is open."""
    seed = load_demo_data(container.uow(), container.clock)
    publish_pathway(container.uow(), load_source(READONLY_REVIEW), container.clock)
    actor = load_actor(container.uow(), CASEWORKER)
    case = open_case(container.uow(), container.clock, "readonly-review", actor)
    done = complete_task(container.uow(), container.clock, case.open_task_ids[0], actor,
                         {"risk_level": "high", "interpreter_needed": True, "site": "Aéroport de Douala"})
    app = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)
    client = app.test_client()
    assert sign_in(client, CASEWORKER, seed.password).status_code == 302
    [task_id] = done.new_task_ids
    return client, task_id, case.id


def _input_of(page: str, field_id: str) -> str:
    match = re.search(rf'<(?:input|select|textarea)[^>]*id="field-{field_id}"[^>]*>', page)
    assert match, f"no input for {field_id}"
    return match.group(0)


def _posted_names(page: str, task_id: str) -> set[str]:
    """What a browser posts from the task's form: every named input, list and text area."""
    form = re.search(rf'<form[^>]*action="/tasks/{task_id}"[^>]*>(.*?)</form>', page, re.S)
    assert form
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', form.group(1)))


def test_read_only_fields_show_the_case_value_in_words_and_are_not_posted(review):
    client, task_id, _ = review
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    for field_id, shown in (("risk_level", "Élevé"), ("interpreter_needed", "Oui"), ("site", "Aéroport de Douala")):
        tag = _input_of(page, field_id)
        assert " readonly" in tag and f'value="{shown}"' in tag and "name=" not in tag, tag
    assert "readonly" not in _input_of(page, "review_notes")
    assert _posted_names(page, task_id) == {"csrf_token", "review_notes"}


def test_read_only_fields_are_shown_in_english_for_an_english_reader(review):
    client, task_id, _ = review
    client.post("/language", data={"language": "en", "csrf_token": csrf_of(client, "/")})
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'value="High"' in _input_of(page, "risk_level")
    assert 'value="Yes"' in _input_of(page, "interpreter_needed")


def test_submitting_the_page_completes_the_task_and_keeps_the_read_only_values(review, container):
    client, task_id, case_id = review
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    posted = {name: "" for name in _posted_names(page, task_id)}
    response = client.post(f"/tasks/{task_id}", data={**posted, "review_notes": "Relu", "csrf_token": csrf_of(client, "/")})
    assert response.status_code == 302, response.get_data(as_text=True)
    with container.uow() as uow:
        step = begin_step(uow, container.clock, case_id, None, "read")
        assert step.workflow.is_completed()
        data = case_data(step.workflow)
    assert (data["risk_level"], data["interpreter_needed"], data["site"], data["review_notes"]) == (
        "high", True, "Aéroport de Douala", "Relu")


def test_a_hand_made_post_with_a_value_for_a_read_only_field_is_refused(review):
    client, task_id, _ = review
    response = client.post(f"/tasks/{task_id}",
                           data={"risk_level": "low", "review_notes": "", "csrf_token": csrf_of(client, "/")})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="error-risk_level">Ce champ ne peut pas être modifié\.<', page)
    # The page shows what the case holds, not what was posted.
    assert 'value="Élevé"' in _input_of(page, "risk_level")


def test_the_command_line_shows_read_only_fields_with_their_value(review, container):
    from click.testing import CliRunner

    from webui.cli import main

    _client, task_id, _case_id = review
    shown = CliRunner().invoke(main, ["task", "form", task_id, "--user", CASEWORKER], obj=container)
    assert shown.exit_code == 0, shown.output
    lines = {line.split()[0]: line for line in shown.output.splitlines()[1:]}
    assert 'read-only: "high"' in lines["risk_level"] and "read-only: true" in lines["interpreter_needed"]
    assert 'read-only: "Aéroport de Douala"' in lines["site"]
    assert "read-only" not in lines["review_notes"]
