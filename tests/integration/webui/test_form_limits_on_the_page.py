"""A task page tells the browser each field's limits (the longest text, the first and last date), so that a
person learns them before sending; the check on submission stays the authority, and says what is wrong in
the reader's language, naming the field and the limit."""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone

import pytest

from tests.integration.services.conftest import IDENTIFICATION
from tests.integration.webui.test_tasks_and_cases import demo  # noqa: F401  (a fixture)
from web_forms import csrf_of, sign_in


@pytest.fixture
def identification(demo, container):
    """A sign-in of the caseworker, and the identification task of the demo case."""
    app, case, password = demo

    def signed_in():
        client = app.test_client()
        assert sign_in(client, "demo-caseworker", password).status_code == 302
        return client
    return signed_in, case.open_task_ids[0]


def _input(page: str, name: str) -> str:
    return re.search(rf'<input id="field-{name}"[^>]*>', page).group(0)


def _as_form(data: dict) -> dict:
    return {key: ("true" if value is True else "false" if value is False else str(value)) for key, value in data.items()}


def test_text_inputs_carry_their_declared_length_and_date_inputs_their_first_and_last_day(identification, container):
    signed_in, task_id = identification
    # Late evening in UTC is already the next day in Douala: "today" is the case's day.
    container.clock.set(datetime(2026, 3, 2, 23, 30, tzinfo=timezone.utc))
    client = signed_in()
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'maxlength="120"' in _input(page, "person_alias") and 'maxlength="40"' in _input(page, "phone")
    assert 'min="1900-01-01"' in _input(page, "identification_date")
    assert 'max="2026-03-03"' in _input(page, "identification_date")
    # A number's range is the server's to say, in the reader's words.
    assert "max=" not in _input(page, "age")


def test_a_date_before_1900_is_refused_naming_the_field_and_the_limit_in_words(identification):
    signed_in, task_id = identification
    client = signed_in()
    data = {**_as_form(IDENTIFICATION), "identification_date": "1800-01-01", "csrf_token": csrf_of(client, "/")}
    refused = client.post(f"/tasks/{task_id}", data=data)
    page = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 422
    assert "Date d'identification : Saisissez une date à partir du 1 janvier 1900." in page
    client.post("/language", data={"language": "en", "next": "/", "csrf_token": csrf_of(client, "/")})
    page = html.unescape(client.post(f"/tasks/{task_id}", data={**data, "csrf_token": csrf_of(client, "/")}).get_data(as_text=True))
    assert "Identification date: Enter a date on or after 1 January 1900." in page
