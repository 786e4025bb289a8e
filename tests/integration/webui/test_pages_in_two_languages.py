"""Pathway labels and engine errors in the reader's language: the same pages in French and English."""

from __future__ import annotations

import html

import pytest

from engine.pathways.folder import load_source
from engine.services.accounts.actors import load_actor
from engine.services.cases.lifecycle import open_case
from engine.services.pathways.publishing import publish_pathway
from engine.store.seed import load_demo_data
from tests.integration.services.conftest import CAMEROON
from web_forms import TEST_SECRET, csrf_of, sign_in
from webui import create_app

FRENCH = "demo-caseworker"  # prefers French
ENGLISH = "demo-caseworker-en"  # same organisation, prefers English


@pytest.fixture
def demo(container):
    """The demo directory, the Cameroon pathway, one case waiting for its identification."""
    seed = load_demo_data(container.uow(), container.clock)
    publish_pathway(container.uow(), load_source(CAMEROON), container.clock)
    case = open_case(container.uow(), container.clock, "cameroon-nrm", load_actor(container.uow(), FRENCH))
    app = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)
    return app, case, seed.password


def _client(app, username, password):
    client = app.test_client()
    assert sign_in(client, username, password).status_code == 302
    return client


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_task_page_shows_the_diagram_labels_in_french_and_the_i18n_labels_in_english(demo):
    app, case, password = demo
    task_id = case.open_task_ids[0]
    french = _text(_client(app, FRENCH, password).get(f"/tasks/{task_id}"))
    english = _text(_client(app, ENGLISH, password).get(f"/tasks/{task_id}"))

    assert "<h1>Identifier la personne</h1>" in french and "Niveau de risque" in french
    assert "<h1>Identify the person</h1>" in english and "Risk level" in english
    assert "Identifier la personne" not in english and "Niveau de risque" not in english
    # Lane, stage and the task's documentation follow the language too.
    assert "Chargé de cas" in french and "Record where and how the person was identified" in english
    assert "Caseworker" in english and "Needs assessment" not in english


def test_enum_fields_are_lists_whose_options_read_in_the_users_language(demo):
    app, case, password = demo
    task_id = case.open_task_ids[0]
    french = _text(_client(app, FRENCH, password).get(f"/tasks/{task_id}"))
    english = _text(_client(app, ENGLISH, password).get(f"/tasks/{task_id}"))
    assert '<select id="field-risk_level" name="risk_level"' in english
    assert '<option value="high">High</option>' in english
    assert '<option value="high">Élevé</option>' in french


def test_inbox_and_case_page_name_the_task_in_the_users_language(demo):
    app, case, password = demo
    english = _client(app, ENGLISH, password)
    assert "Identify the person" in _text(english.get("/tasks/"))
    assert "Identify the person" in _text(english.get(f"/cases/{case.reference}"))
    assert "Identification" in _text(english.get(f"/cases/{case.reference}"))  # the stage
    assert "Identifier la personne" in _text(_client(app, FRENCH, password).get("/tasks/"))


def test_case_history_says_what_happened_in_the_users_language(demo):
    app, case, password = demo
    assert "opened the case" in _text(_client(app, ENGLISH, password).get(f"/cases/{case.reference}"))
    assert "a ouvert le dossier" in _text(_client(app, FRENCH, password).get(f"/cases/{case.reference}"))


def test_field_errors_are_shown_in_the_users_language(demo):
    app, case, password = demo
    task_id = case.open_task_ids[0]
    for username, required, not_a_number in (
        (FRENCH, "Ce champ est obligatoire.", "Saisissez un nombre entier."),
        (ENGLISH, "This field is required.", "Enter a whole number."),
    ):
        client = _client(app, username, password)
        refused = client.post(f"/tasks/{task_id}", data={"age": "twelve", "csrf_token": csrf_of(client, "/")})
        page = _text(refused)
        assert refused.status_code == 422
        assert required in page and not_a_number in page
        assert "must be a whole number" not in page


def test_field_limits_are_explained_with_their_number():
    from datetime import date

    from engine import field_problems as problem
    from webui.engine_messages import field_message

    app = create_app({"SECRET_KEY": TEST_SECRET}, container=object())
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert field_message(problem.too_long(120)) == "Saisissez au plus 120 caractères."
        assert field_message(problem.too_small(0)) == "Saisissez un nombre supérieur ou égal à 0."
        assert field_message(problem.not_a_choice(["high", "medium", "low"])) == "Choisissez l'une des options proposées."
        # A date limit in the reader's words, not the ISO form the engine keeps.
        assert field_message(problem.too_early(date(2026, 1, 1))) == "Saisissez une date à partir du 1 janvier 2026."
        assert field_message(problem.too_late(date(2026, 12, 6))) == "Saisissez une date jusqu'au 6 décembre 2026."
        assert field_message("something new") == "something new"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert field_message(problem.too_short(1)) == "Enter at least 1 character."
        assert field_message(problem.too_late(date(2026, 12, 6))) == "Enter a date on or before 6 December 2026."
        # The words come from the code: English text that merely looks like a known problem is shown as it is.
        assert field_message("at least 1 characters") == "at least 1 characters"


def test_every_field_problem_the_engine_writes_has_words_in_both_languages():
    import re

    from tests.conftest import ROOT
    from webui.engine_messages import FIELD_WORDS

    written = set()
    for path in (ROOT / "engine").rglob("*.py"):
        written |= set(re.findall(r'FieldProblem\(\s*"(\w+)"', path.read_text(encoding="utf-8")))
    assert {"required", "too_long", "not_a_choice", "bad_username"} <= written
    assert written == set(FIELD_WORDS)


def test_a_conflict_is_explained_in_the_users_language(demo):
    app, case, password = demo
    task_id = case.open_task_ids[0]
    for username, words in ((FRENCH, "Quelqu'un d'autre a modifié ceci entre-temps."),
                            (ENGLISH, "This was changed by someone else in the meantime.")):
        client = _client(app, username, password)
        # The task is already someone's (claimed at opening) or just released: claiming twice conflicts once.
        client.post(f"/tasks/{task_id}/claim", data={"csrf_token": csrf_of(client, "/")})
        response = client.post(f"/tasks/{task_id}/claim", data={"csrf_token": csrf_of(client, "/")})
        assert response.status_code == 409
        assert words in _text(response)
        assert "already assigned" not in _text(response)
        # The reason and the advice once, under a heading that does not claim a reason of its own.
        assert sum(_text(response).count(advice) for advice in ("Rechargez la page", "Reload the page")) == 1


def test_a_hidden_object_is_explained_in_the_users_language(demo):
    app, case, password = demo
    for username, words in ((FRENCH, "Ce que vous demandez n'existe pas"), (ENGLISH, "What you asked for does not exist")):
        client = _client(app, username, password)
        response = client.post("/tasks/no-such-task/claim", data={"csrf_token": csrf_of(client, "/")})
        assert response.status_code == 404
        assert words in _text(response)

