"""The indicator pages: filters, small cells shown as "< 5" on the page and in CSV and XLSX downloads."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from engine.domain import Sector
from tests.integration.webui.web_forms import TEST_SECRET
from tests.integration.webui.web_forms import sign_in as _sign_in
from webui import create_app

QUERY = "from=2026-01-01&to=2026-01-31"


@pytest.fixture
def sign_in(demo_password):
    return lambda client, username: _sign_in(client, username, demo_password)


@pytest.fixture
def client(container, history):
    for day in range(8):
        history.case(region="littoral", facts={"sex": "female"}, day=day + 1)
    history.case(region="centre", facts={"sex": "male"}, day=2)
    app = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)
    return app.test_client()


def test_the_coordinator_sees_small_counts_as_less_than_five_and_their_complement_hidden(client, sign_in):
    sign_in(client, "demo-coordinator")
    page = client.get(f"/coordination/indicators?{QUERY}&version=")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "&lt; 5" in html and "<svg" in html
    assert ">8<" not in html  # the Littoral's 8 is the complement of the Centre's 1
    assert "Télécharger\u00a0:" in html  # French punctuation, the colon inside the translated words


def test_a_wrong_date_is_named_and_the_page_still_answers(client, sign_in):
    sign_in(client, "demo-coordinator")
    page = client.get("/coordination/indicators?from=yesterday")
    assert page.status_code == 200 and "yesterday" in page.get_data(as_text=True)


def test_csv_and_xlsx_downloads_keep_the_protection(client, sign_in):
    sign_in(client, "demo-coordinator")
    csv = client.get(f"/coordination/indicators/export?table=cases_by_region&format=csv&{QUERY}")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.get_data(as_text=True)
    assert "< 5" in text and ",8" not in text and ",9" in text
    xlsx = client.get(f"/coordination/indicators/export?table=cases_by_sex&format=xlsx&{QUERY}")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert any("< 5" in row for row in values) and 9 in [row[1] for row in values]
    assert 8 not in [row[1] for row in values]


def test_a_label_a_spreadsheet_would_run_is_neutralised_in_csv_and_xlsx(client, sign_in, history):
    # A pathway may count a free-text field as an indicator: its values become row labels.
    for label in ("\t=1+1", "@SUM(A1)"):
        history.case(facts={"source": label}, day=3)
    sign_in(client, "demo-coordinator")
    csv = client.get(f"/coordination/indicators/export?table=cases_by_source&format=csv&{QUERY}")
    lines = csv.get_data(as_text=True).splitlines()
    assert "'\t=1+1,< 5" in lines and "'@SUM(A1),< 5" in lines
    xlsx = client.get(f"/coordination/indicators/export?table=cases_by_source&format=xlsx&{QUERY}")
    labels = [row[0].value for row in load_workbook(io.BytesIO(xlsx.data)).active.iter_rows()]
    assert "'\t=1+1" in labels and "'@SUM(A1)" in labels


def test_an_unknown_table_or_format_is_not_found(client, sign_in):
    sign_in(client, "demo-coordinator")
    assert client.get(f"/coordination/indicators/export?table=nope&format=csv&{QUERY}").status_code == 404
    assert client.get(f"/coordination/indicators/export?table=cases_by_sex&format=pdf&{QUERY}").status_code == 404


def test_a_caseworker_may_not_read_indicators(client, sign_in):
    sign_in(client, "demo-caseworker")
    assert client.get("/coordination/indicators").status_code == 403


def test_a_provider_sees_its_own_follow_up_and_not_another(client, sign_in, history):
    sign_in(client, "demo-health-douala")
    own = client.get("/coordination/providers")
    assert own.status_code == 200 and "Hôpital" in own.get_data(as_text=True)
    other = history.orgs["demo-espoir-mhpss"]
    assert client.get(f"/coordination/providers?organisation={other}").status_code == 403


def test_a_coordinator_chooses_a_provider_to_follow(client, sign_in, history):
    sign_in(client, "demo-coordinator")
    listing = client.get("/coordination/providers").get_data(as_text=True)
    assert f"organisation={history.orgs['demo-espoir-mhpss']}" in listing


def test_the_live_diagram_shows_counts_without_javascript_and_as_json(client, sign_in, history, container):
    from datetime import timedelta

    history.start = container.clock.now() - timedelta(days=3)
    case = history.case(day=0)
    history.task(case, "Task_AcknowledgeReferral", "referral", day=1, due_after_hours=2)
    sign_in(client, "demo-coordinator")
    page = client.get("/coordination/diagram").get_data(as_text=True)
    assert 'id="step-Task_AcknowledgeReferral"' in page and "data-diagram-url" in page and "overdue=1" in page
    counts = client.get("/coordination/diagram/counts").get_json()
    step = next(s for s in counts["steps"] if s["id"] == "Task_AcknowledgeReferral")
    assert (step["waiting"], step["overdue"]) == (1, 1)
    listing = client.get(step["overdue_url"]).get_data(as_text=True)
    assert "MNR-TEST-" in listing
    assert client.get("/coordination/diagram/bpmn").data.startswith(b"<?xml")
