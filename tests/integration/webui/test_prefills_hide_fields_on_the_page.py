"""A Camunda 8 form's prefills (`=today()`, `= now()`, `${currentUser()}`) on the task page, and the fields
they hide when the page is first shown: a field hidden while another has a value is left out when that
value is filled in for the person. What is sent is checked as before: a prefill emptied brings the field back."""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.pathways.folder import load_source
from engine.runtime.case_data import case_data
from engine.services.accounts.actors import load_actor
from engine.services.cases.lifecycle import open_case
from engine.services.cases.step import begin_step
from engine.services.pathways.publishing import publish_pathway
from engine.store.models import User
from engine.store.seed import load_demo_data
from tests.integration.api.conftest import ApiUsers
from web_forms import TEST_SECRET, csrf_of, sign_in
from webui import create_app

VISIT = Path(__file__).resolve().parents[2] / "fixtures" / "valid" / "camunda-form-prefills"
CASEWORKER = "demo-caseworker"  # prefers French
PREFILLED = {"visited_by", "visited_on", "visited_at"}


@pytest.fixture
def visit(container):
    """The visit task of a new case at 23:30 UTC (already 00:30 on the 3rd in Douala), the caseworker signed in,
    the API as them, and their display name."""
    seed = load_demo_data(container.uow(), container.clock)
    container.clock.set(datetime(2026, 3, 2, 23, 30, tzinfo=timezone.utc))
    publish_pathway(container.uow(), load_source(VISIT), container.clock)
    actor = load_actor(container.uow(), CASEWORKER)
    case = open_case(container.uow(), container.clock, "camunda-form-prefills", actor)
    with container.uow() as uow:
        name = uow.session.scalar(select(User.display_name).where(User.username == CASEWORKER))
    app = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)
    client = app.test_client()
    assert sign_in(client, CASEWORKER, seed.password).status_code == 302
    return client, ApiUsers(app, container), case.open_task_ids[0], case.id, name


def _named(page: str) -> set[str]:
    """What a browser posts from the task's form."""
    form = re.search(r'<form[^>]*action="/tasks/[^"]+"[^>]*>(.*?)</form>', page, re.S)
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', form.group(1))) - {"csrf_token"}


def _value(page: str, name: str) -> str | None:
    found = re.search(r'\bvalue="([^"]*)"', re.search(rf'<input id="field-{name}"[^>]*>', page).group(0))
    return html.unescape(found.group(1)) if found else None


def test_the_page_first_shown_leaves_out_the_fields_its_prefills_hide(visit):
    client, _api, task_id, _, name = visit
    for language in ("fr", "en"):
        page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
        assert _named(page) == PREFILLED, language
        assert {field: _value(page, field) for field in PREFILLED} == {
            "visited_by": name, "visited_on": "2026-03-03", "visited_at": "00:30"}, language
        client.post("/language", data={"language": "en", "csrf_token": csrf_of(client, "/")})
    assert "Date of the visit" in page and "Why the date is missing" not in page


def test_a_prefill_emptied_before_sending_brings_back_the_field_it_hid(visit, container):
    client, _api, task_id, case_id, name = visit
    sent = {"visited_by": name, "visited_on": "", "visited_at": "00:30", "csrf_token": csrf_of(client, "/")}
    refused = client.post(f"/tasks/{task_id}", data=sent)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert _named(page) == PREFILLED | {"no_date_reason"}, "what was sent decides, not the prefill"
    assert re.search(r'id="error-no_date_reason">Ce champ est obligatoire\.<', page)
    assert _value(page, "visited_on") in ("", None)
    kept = client.post(f"/tasks/{task_id}", data={**sent, "visited_on": "2026-03-03", "no_date_reason": "set aside"})
    assert kept.status_code == 302, kept.get_data(as_text=True)
    with container.uow() as uow:
        data = case_data(begin_step(uow, container.clock, case_id, None, "read").workflow)
    assert {field: data[field] for field in (*sorted(PREFILLED), "no_date_reason", "visitor_named")} == {
        "visited_at": "00:30", "visited_by": name, "visited_on": "2026-03-03", "no_date_reason": None,
        "visitor_named": None}


def test_the_api_describes_the_fields_the_prefills_hide_as_hidden(visit):
    _client, api, task_id, _, name = visit
    fields = {field["id"]: field for field in api.get(CASEWORKER, f"/tasks/{task_id}?language=en").json["fields"]}
    assert {field_id: (field["prefill"], field["hidden"]) for field_id, field in fields.items()} == {
        "visited_by": (name, False), "visited_on": ("2026-03-03", False), "visited_at": ("00:30", False),
        "no_date_reason": (None, True), "visitor_named": (None, True)}
