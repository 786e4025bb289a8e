"""A provider acknowledging a referral finds their own name and the case's day already filled in (the pathway's
`${currentUser()}` and `${today()}` defaults), in French and in English, on the referral page, the task page
and the API's description of the form; what they submit, kept or changed, is what the case keeps."""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone

import pytest

from engine.runtime import case_runtime
from engine.services.accounts.actors import load_actor
from engine.services.cases.step import begin_step
from engine.services.tasks.inbox import list_inbox
from engine.store.models import ReferralRow, TaskRow
from tests.integration.api.conftest import ApiUsers
from tests.integration.webui.test_consent_withdrawal_page import _client, referred  # noqa: F401  (a fixture)
from web_forms import csrf_of

FOCAL_POINT = "demo-health-douala"
NAME = "Point focal Hôpital de Douala (démo)"  # the focal point's display name in the demo directory


@pytest.fixture
def acknowledging(referred, container):
    """(app, password, referral id, the acknowledgement's task id) at 23:30 UTC: already the 3rd of March in Douala."""
    app, case, password = referred
    container.clock.set(datetime(2026, 3, 2, 23, 30, tzinfo=timezone.utc))
    with container.uow() as uow:
        referral_id = uow.session.query(ReferralRow.id).filter(ReferralRow.case_id == case.id).scalar()
    focal_point = load_actor(container.uow(), FOCAL_POINT)
    task_id = next(task.id for task in list_inbox(container.uow(), focal_point, limit=100)
                   if task.case_id == case.id and task.bpmn_id == "Task_AcknowledgeReferral")
    return app, password, referral_id, task_id


def _input(page: str, name: str) -> str:
    return re.search(rf'<input id="field-{name}"[^>]*>', page).group(0)


def _value(page: str, name: str) -> str | None:
    found = re.search(r'\bvalue="([^"]*)"', _input(page, name))
    return html.unescape(found.group(1)) if found else None


def _kept(container, task_id: str) -> dict:
    """What the case keeps from the acknowledgement's form."""
    with container.uow() as uow:
        case_id = uow.session.get(TaskRow, task_id).case_id
        data = case_runtime.find_task(begin_step(uow, container.clock, case_id, None, "read").workflow, task_id).data
    return {name: data.get(name) for name in ("acknowledged_by", "acknowledged_on")}


def test_the_referral_page_fills_in_the_providers_name_and_the_cases_day_in_both_languages(acknowledging):
    app, password, referral_id, _ = acknowledging
    client = _client(app, FOCAL_POINT, password)
    page = html.unescape(client.get(f"/referrals/{referral_id}").get_data(as_text=True))
    assert "Accusé par" in page
    assert _value(page, "acknowledged_by") == NAME, "the display name, not the username"
    assert _value(page, "acknowledged_on") == "2026-03-03", "the day in Douala, not in UTC"
    client.post("/language", data={"language": "en", "next": "/", "csrf_token": csrf_of(client, "/")})
    page = html.unescape(client.get(f"/referrals/{referral_id}").get_data(as_text=True))
    assert "Acknowledged by" in page
    assert (_value(page, "acknowledged_by"), _value(page, "acknowledged_on")) == (NAME, "2026-03-03")


def test_the_task_page_fills_them_in_too(acknowledging):
    app, password, _, task_id = acknowledging
    page = _client(app, FOCAL_POINT, password).get(f"/tasks/{task_id}").get_data(as_text=True)
    assert (_value(page, "acknowledged_by"), _value(page, "acknowledged_on")) == (NAME, "2026-03-03")


def test_what_the_provider_submits_is_kept_whether_they_keep_the_prefill_or_change_it(acknowledging, container):
    app, password, referral_id, task_id = acknowledging
    client = _client(app, FOCAL_POINT, password)
    changed = {"acknowledged_by": "Dr Ngo", "acknowledged_on": "2026-03-02", "task_id": task_id,
               "csrf_token": csrf_of(client, f"/referrals/{referral_id}")}
    assert client.post(f"/referrals/{referral_id}", data=changed).status_code == 302
    assert _kept(container, task_id) == {"acknowledged_by": "Dr Ngo", "acknowledged_on": "2026-03-02"}


def test_a_prefill_kept_as_shown_is_stored_and_a_refused_post_shows_what_was_typed(acknowledging, container):
    app, password, referral_id, task_id = acknowledging
    client = _client(app, FOCAL_POINT, password)
    page = html.unescape(client.get(f"/referrals/{referral_id}").get_data(as_text=True))
    shown = {"acknowledged_by": _value(page, "acknowledged_by"), "acknowledged_on": _value(page, "acknowledged_on")}
    # A date after the case's day is refused; the page then shows what was typed, not the prefill again.
    refused = client.post(f"/referrals/{referral_id}", data={**shown, "acknowledged_on": "2026-03-04", "task_id": task_id,
                                                              "csrf_token": csrf_of(client, "/")})
    assert refused.status_code == 422
    assert _value(html.unescape(refused.get_data(as_text=True)), "acknowledged_on") == "2026-03-04"
    assert client.post(f"/referrals/{referral_id}", data={**shown, "task_id": task_id,
                                                           "csrf_token": csrf_of(client, "/")}).status_code == 302
    assert _kept(container, task_id) == {"acknowledged_by": NAME, "acknowledged_on": "2026-03-03"}


def test_the_api_describes_the_prefill_as_the_page_shows_it_and_does_not_apply_it(acknowledging, container):
    app, _, _, task_id = acknowledging
    api = ApiUsers(app, container)
    for language in ("fr", "en"):
        fields = {field["id"]: field for field in api.get(FOCAL_POINT, f"/tasks/{task_id}?language={language}").json["fields"]}
        assert {name: (field["prefill"], field["initial"]) for name, field in fields.items()} == {
            "acknowledged_by": (NAME, None), "acknowledged_on": ("2026-03-03", None)}, language
    # The API sends what it means: a field left empty stays empty, as the pathway's check has always said.
    response = api.post(FOCAL_POINT, f"/tasks/{task_id}/complete", json={"data": {"acknowledged_by": "Dr Ngo"}})
    assert response.status_code == 200, response.json
    assert _kept(container, task_id) == {"acknowledged_by": "Dr Ngo", "acknowledged_on": None}
