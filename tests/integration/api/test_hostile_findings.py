"""The hostile-input probe's findings, one test each: none of them is a server error any more.

The tests that change nothing (a request refused, an id that names nothing, a page read) share one
world per database (`unchanged_app`), built once instead of once a test; a test whose failure could
change what another one sees (a password, a case) has a world of its own (`app`).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from markupsafe import escape

from engine import field_problems as problem
from engine.calendar import cameroon_calendar
from engine.errors import InvalidData
from engine.services.accounts.actors import load_actor
from engine.services.escalations.handling import resolve_escalation
from engine.store.seed import demo_directory
from tests.integration.services.conftest import ASSESSMENT, CONSENT, IDENTIFICATION
from tests.integration.webui.web_forms import TEST_SECRET, csrf_of, sign_in
from webui import create_app
from webui.coordination.filters import parse_filters
from webui.engine_messages import field_message

CASEWORKER = "demo-caseworker"
TWENTY_DIGITS = "9" * 20
# The web routes the probe answered with a 500 for a 20-digit id.
ID_ROUTES = ["/admin/users/{}/disable", "/admin/users/{}/roles", "/coordination/escalations/{}/resolve",
             "/notifications/{}/read", "/account/tokens/{}/revoke", "/admin/deliveries/{}/retry"]


def _signed_in(app, username: str):
    client = app.test_client()
    assert sign_in(client, username, demo_directory()["demo_password"]).status_code == 302
    return client


@pytest.fixture(scope="module")
def signed_in(unchanged_app):
    """A client of `unchanged_app` signed in as the username given, one per username (signing in takes time)."""
    clients = {}

    def client_of(username: str):
        if username not in clients:
            clients[username] = _signed_in(unchanged_app, username)
        return clients[username]

    return client_of


@pytest.mark.parametrize("route", ID_ROUTES)
def test_an_id_beyond_what_the_column_holds_is_a_404_on_the_web_routes(signed_in, route):
    client = signed_in("demo-admin")
    for value in (TWENTY_DIGITS, str(2**31), str(2**63)):
        if "deliveries" in route or "notifications" in route:
            value = str(2**63) if value == str(2**31) else value  # their ids are BIGINT: 2**31 is a real id
        response = client.post(route.format(value), data={"csrf_token": csrf_of(client, "/account/tokens")})
        assert response.status_code == 404, (route, value)


def test_an_id_beyond_what_the_column_holds_is_a_404_on_the_api(unchanged_api):
    for path in ("/cases/{}", "/referrals/{}", "/cases/{}/history"):
        for value in (TWENTY_DIGITS, str(2**31), "²", "-1", "0"):
            assert unchanged_api.get(CASEWORKER, path.format(value)).status_code == 404, (path, value)


def _task(api, bpmn_id: str, sector: str | None = None) -> str:
    return next(t["id"] for t in api.get(CASEWORKER, "/tasks").json["tasks"]
                if t["bpmn_id"] == bpmn_id and sector in (None, t["instance_label"]))


def test_a_provider_id_that_no_integer_column_holds_or_int_cannot_read_is_a_422_naming_the_field(api):
    case_id = api.post(CASEWORKER, "/cases", json={"pathway_id": "cameroon-nrm"}).json["id"]
    api.post(CASEWORKER, f"/tasks/{_task(api, 'Task_Identification')}/complete", json={"data": IDENTIFICATION})
    api.post(CASEWORKER, f"/tasks/{_task(api, 'Task_NeedsAssessment')}/complete", json={"data": ASSESSMENT})
    consent = {k: v for k, v in CONSENT.items() if k != "consent_given"}
    assert api.post(CASEWORKER, f"/cases/{case_id}/consents", json={"consent_given": True, "data": consent}).status_code == 200
    send = _task(api, "Task_SendReferral", "health")
    for value in ("²", TWENTY_DIGITS, str(2**31), "١٢", 2**70, "0"):
        response = api.post(CASEWORKER, f"/tasks/{send}/complete", json={"data": {"provider_id": value}})
        assert response.status_code == 422, (value, response.json)
        assert "provider_id" in response.json["error"]["fields"], value
    assert api.post(CASEWORKER, f"/tasks/{send}/complete", json={"data": {"provider_id": "demo-hopital-douala"}}).status_code == 200


@pytest.mark.parametrize("path", ["/cases", "/tasks/x/complete", "/referrals/1/acknowledge", "/escalations/1/resolve"])
def test_a_json_body_nested_50000_deep_is_a_400(unchanged_api, path):
    response = unchanged_api.call(CASEWORKER, "POST", path, data="[" * 50_000 + "]" * 50_000,
                                  content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json["error"]["message"]


def test_a_json_body_nested_as_deep_as_a_form_needs_is_read(unchanged_api):
    nested = {"data": {"a": [[[[{"b": [1]}]]]]}}
    response = unchanged_api.post(CASEWORKER, "/tasks/x/complete", json=nested)
    assert response.status_code == 404  # read, then the task is looked up


def test_nul_in_an_escalation_note_is_refused_by_the_service_the_api_and_the_page(signed_in, unchanged_api,
                                                                                    unchanged_container):
    container = unchanged_container
    coordinator = load_actor(container.uow(), "demo-coordinator")
    with pytest.raises(InvalidData) as refused:
        resolve_escalation(container.uow(), container.clock, 1, coordinator, "Called\x00")
    assert [p.code for p in refused.value.errors["note"]] == ["control_characters"]
    response = unchanged_api.post("demo-coordinator", "/escalations/1/resolve", json={"note": "Called\x00"})
    assert response.status_code == 422
    assert response.json["error"]["problems"]["note"][0]["code"] == "control_characters"
    client = signed_in("demo-coordinator")
    page = client.post("/coordination/escalations/1/resolve",
                       data={"note": "Called\x00", "csrf_token": csrf_of(client, "/account/tokens")})
    assert page.status_code == 422


def test_nul_in_a_display_name_or_a_password_is_refused(app):
    client = _signed_in(app, "demo-admin")
    csrf = csrf_of(client, "/account/tokens")
    created = client.post("/admin/users", data={"username": "nul-probe", "display_name": "Nul\x00Probe", "roles": "caseworker",
                                                "password": "a long enough password", "csrf_token": csrf})
    assert created.status_code == 422
    changed = client.post("/account/password", data={"current_password": demo_directory()["demo_password"],
                                                     "new_password": "new\x00password-long", "new_password_again": "new\x00password-long",
                                                     "csrf_token": csrf})
    assert changed.status_code == 422
    # The password did not change: the old one still signs in.
    assert sign_in(app.test_client(), "demo-admin", demo_directory()["demo_password"]).status_code == 302


def test_a_consent_dated_in_the_future_is_refused(api, container):
    case_id = api.post(CASEWORKER, "/cases", json={"pathway_id": "cameroon-nrm"}).json["id"]
    api.post(CASEWORKER, f"/tasks/{_task(api, 'Task_Identification')}/complete", json={"data": IDENTIFICATION})
    api.post(CASEWORKER, f"/tasks/{_task(api, 'Task_NeedsAssessment')}/complete", json={"data": ASSESSMENT})
    consent = {k: v for k, v in CONSENT.items() if k != "consent_given"}
    today = container.clock.now().date().isoformat()
    tomorrow = (container.clock.now() + timedelta(days=1)).date().isoformat()
    refused = api.post(CASEWORKER, f"/cases/{case_id}/consents",
                       json={"consent_given": True, "data": {**consent, "consent_date": tomorrow}})
    assert refused.status_code == 422
    assert refused.json["error"]["problems"]["consent_date"][0] == {"code": "too_late", "params": {"limit": today}}
    accepted = api.post(CASEWORKER, f"/cases/{case_id}/consents",
                        json={"consent_given": True, "data": {**consent, "consent_date": today}})
    assert accepted.status_code == 200


# ---- the query names the probe did not send before (it now sends every name a view reads) ----------------

COORDINATOR = "demo-coordinator"  # reads French


NO_MONTH = "Saisissez un mois comme 2026-03."


@pytest.mark.parametrize("period, words", [
    ("9999-12", "Saisissez une date jusqu'au 31 décembre 2999."),
    ("0001-01", "Saisissez une date à partir du 1 janvier 1900."),
    *((period, NO_MONTH) for period in ("2026-13", "2026-1", "²", "١٢-٠١", "2026-02-30", "1e309")),
])
def test_a_period_that_is_no_month_a_report_can_cover_is_refused_naming_it(signed_in, period, words):
    for path in ("/coordination/report", "/coordination/report/pdf"):
        page = signed_in(COORDINATOR).get(path, query_string={"period": period})
        assert page.status_code == 422, (path, period)
        assert f"<strong>period</strong> : {escape(words)}" in page.get_data(as_text=True)


def test_who_may_not_read_the_report_is_refused_whatever_period_they_ask(signed_in):
    for path in ("/coordination/report", "/coordination/report/pdf"):
        for period in ("2026-13", "2026-01", ""):
            assert signed_in(CASEWORKER).get(path, query_string={"period": period}).status_code == 403, (path, period)


def test_no_period_is_the_last_complete_month_and_a_month_is_that_month(signed_in):
    for asked, shown in (("", "2026-02"), (" ", "2026-02"), ("2026-01", "2026-01"), ("2999-12", "2999-12")):
        page = signed_in(COORDINATOR).get("/coordination/report", query_string={"period": asked})
        assert page.status_code == 200
        # The link to the PDF names the period shown.
        assert f"/coordination/report/pdf?period={shown}" in page.get_data(as_text=True), asked


def test_a_month_is_asked_for_in_the_readers_words():
    app = create_app({"SECRET_KEY": TEST_SECRET}, container=object())
    for language, words in (("fr", "Saisissez un mois comme 2026-03."), ("en", "Enter a month such as 2026-03.")):
        with app.test_request_context(headers={"Accept-Language": language}):
            assert field_message(problem.not_a_month()) == words


@pytest.mark.parametrize("query, named", [
    ("provider=²", "Prestataire n'est pas un nombre : ²"),
    (f"provider={TWENTY_DIGITS}", f"Prestataire est hors des limites : {TWENTY_DIGITS}"),
    (f"version={2**31}", f"Version du parcours est hors des limites : {2**31}"),
    ("to=9999-12-31", "Date de fin est hors des limites : 9999-12-31"),
    ("from=0001-01-01", "Date de début est hors des limites : 0001-01-01"),
])
def test_an_indicator_filter_no_column_or_date_holds_is_named_and_left_out(signed_in, query, named):
    page = signed_in(COORDINATOR).get(f"/coordination/indicators?{query}")
    assert page.status_code == 200
    assert str(escape(named)) in page.get_data(as_text=True)


def test_indicator_filters_are_named_in_the_readers_words():
    app = create_app({"SECRET_KEY": TEST_SECRET}, container=object())
    today = date(2026, 3, 2)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        parsed = parse_filters({"provider": "²", "version": TWENTY_DIGITS, "to": "9999-12-31"}, today, cameroon_calendar())
    assert parsed.errors == ("End date is out of range: 9999-12-31", "Provider is not a number: ²",
                             f"Pathway version is out of range: {TWENTY_DIGITS}")
    assert parsed.end_date == today and parsed.filters.provider_id is None and parsed.filters.pathway_version_id is None


@pytest.mark.parametrize("path", ["/coordination/providers", "/coordination/diagram", "/coordination/diagram/counts",
                                  "/coordination/diagram/bpmn", "/coordination/diagram/step"])
@pytest.mark.parametrize("organisation", ["²", TWENTY_DIGITS, "abc"])
def test_an_organisation_that_is_no_id_is_a_400_naming_it(signed_in, path, organisation):
    page = signed_in(COORDINATOR).get(path, query_string={"organisation": organisation})
    assert page.status_code == 400
    assert "Organisation" in page.get_data(as_text=True)


def test_an_organisation_that_is_no_id_is_named_in_english_to_an_english_reader(signed_in):
    page = signed_in("demo-mhpss").get("/coordination/providers?organisation=²")
    assert page.status_code == 400
    assert "Organisation is not a number: ²" in page.get_data(as_text=True)


def test_a_version_that_is_no_id_shows_the_newest_diagram(signed_in):
    for version in ("²", TWENTY_DIGITS):
        page = signed_in(COORDINATOR).get("/coordination/diagram/counts", query_string={"version": version})
        assert page.status_code == 200 and "steps" in page.json
