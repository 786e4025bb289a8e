"""Tables read as stacked cards on a phone: every cell that shows something names its column (`data-label`).

Also what the coordination pages write for a hidden figure: "< 5" for a small count only, never for a
percentage or a median, and the downloads' content type.
"""

from __future__ import annotations

import re

import csv
import io
from datetime import timedelta

import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook
from sqlalchemy import select, update

from engine.domain import DeliveryChannel, DeliveryStatus, Priority, ReferralState, Sector
from engine.store.models import CaseRow, DeliveryRow, OutboxRow, User
from tests.integration.webui.web_forms import TEST_SECRET, csrf_of
from tests.integration.webui.web_forms import sign_in as _sign_in
from webui import create_app


@pytest.fixture
def world(container, history, clock):
    """A few days of work, recent enough for the attention page and the live diagram: every table has rows."""
    history.start = clock.now() - timedelta(days=5)
    cases = {kind: history.case(day=1) for kind in ("stalled", "declined", "unmet", "failed", "waiting")}
    # Two referrals to the hospital, both acknowledged: a count under 5, so the share and medians built on it hide.
    history.referral(cases["stalled"], "demo-hopital-douala", Sector.HEALTH, day=2, ack_escalated=True)
    history.referral(cases["waiting"], "demo-hopital-douala", Sector.HEALTH, day=2, state=ReferralState.ACKNOWLEDGED,
                     ack_hours=3)
    history.referral(cases["unmet"], "demo-hopital-douala", Sector.HEALTH, day=2, state=ReferralState.ACKNOWLEDGED,
                     ack_hours=5)
    history.escalation(cases["stalled"], level=2, day=2)
    history.escalation(cases["waiting"], level=1, day=2, resolved_hours=4)
    history.referral(cases["declined"], "demo-hopital-douala", Sector.HEALTH, day=2, state=ReferralState.DECLINED,
                     priority=Priority.EMERGENCY, decline_reason="no_capacity")
    history.unmet_need(cases["unmet"], Sector.SHELTER, "littoral", "no_provider", day=2)
    history.task(cases["waiting"], "Task_AcknowledgeReferral", "referral", day=2, due_after_hours=24)
    for hours in (1, 2):  # a median over two steps done: hidden
        history.task(cases["failed"], "Task_Identification", "identification", day=1, done_after_hours=hours)
    with container.uow() as u:
        u.session.execute(update(CaseRow).where(CaseRow.id == cases["failed"]).values(
            needs_attention=True, attention_message="the gateway found no way out", attention_at=clock.now()))
        references = dict(u.session.execute(select(CaseRow.id, CaseRow.reference)).all())
        admin = u.session.scalar(select(User).where(User.username == "demo-admin"))
        event = OutboxRow(event_type="referral_received", payload={"case_reference": references[cases["stalled"]]},
                          created_at=clock.now())
        u.session.add(event)
        u.session.flush()
        u.session.add(DeliveryRow(outbox_id=event.id, recipient_key=f"user:{admin.id}", recipient_user_id=admin.id,
                                  address=admin.email, channel=DeliveryChannel.EMAIL, status=DeliveryStatus.DEAD,
                                  attempts=5, last_error="550 5.1.1 mailbox unavailable", created_at=clock.now()))
        u.commit()
    day = clock.now().date()
    return {"unmet_case": references[cases["unmet"]], "hospital": history.orgs["demo-hopital-douala"],
            "query": f"from={(day - timedelta(days=10)).isoformat()}&to={day.isoformat()}"}


@pytest.fixture
def app(container, world):
    return create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)


@pytest.fixture
def as_user(app, demo_password):
    """A signed-in client for `username` (each its own cookies)."""
    def client_of(username: str):
        client = app.test_client()
        assert _sign_in(client, username, demo_password).status_code == 302
        return client
    return client_of


def _visible_text(cell) -> str:
    """A cell's words as a sighted reader sees them (without what is only for screen readers)."""
    copy = lxml_html.fromstring(lxml_html.tostring(cell))
    for hidden in copy.xpath('.//*[contains(concat(" ", normalize-space(@class), " "), " visually-hidden ")]'):
        hidden.drop_tree()
    return " ".join(copy.text_content().split())


def unlabelled_cells(page: str) -> tuple[list[str], int]:
    """Cells that show something under a named column but do not say that name, and how many cells do say it."""
    tree = lxml_html.fromstring(page)
    wrong, labelled = [], 0
    for table in tree.iter("table"):
        headers = [_visible_text(th) for th in table.xpath("./thead/tr[1]/th")]
        for row in table.xpath("./tbody/tr | ./tfoot/tr | ./tr"):
            for index, cell in enumerate(row.xpath("./th | ./td")):
                if cell.tag != "td":
                    continue
                empty = not (cell.text or "").strip() and len(cell) == 0  # `td:empty`: no card line at all
                header = headers[index] if index < len(headers) and not cell.get("colspan") else None
                if cell.get("data-label") is not None and cell.get("data-label") == header:
                    labelled += 1
                elif header != "" and not empty:  # an action column has no header and needs no label
                    wrong.append(f"table.{table.get('class')} column {header!r}: {_visible_text(cell)[:40]!r} "
                                 f"labelled {cell.get('data-label')!r}")
    return wrong, labelled


def _pages(world, client_of) -> dict[str, str]:
    coordinator, admin = client_of("demo-coordinator"), client_of("demo-admin")
    coordinator.post("/account/tokens", data={"name": "reporting script", "csrf_token": csrf_of(coordinator, "/")})
    query = world["query"]
    paths = {
        coordinator: ["/coordination/attention", "/coordination/escalations", "/coordination/escalations?status=all",
                      f"/coordination/indicators?{query}", f"/coordination/providers?organisation={world['hospital']}&{query}",
                      f"/coordination/diagram?{query}", "/coordination/diagram/step?step=Task_AcknowledgeReferral",
                      f"/cases/{world['unmet_case']}", "/account/tokens"],
        admin: ["/admin/users", "/admin/organisations", "/admin/deliveries"],
    }
    pages = {}
    for client, wanted in paths.items():
        for path in wanted:
            response = client.get(path)
            assert response.status_code == 200, path
            pages[path] = response.get_data(as_text=True)
    return pages


def test_every_cell_of_the_coordination_and_administration_tables_names_its_column(world, as_user):
    for path, page in _pages(world, as_user).items():
        wrong, labelled = unlabelled_cells(page)
        assert not wrong, f"{path}: " + "; ".join(wrong)
        assert labelled, f"{path}: no table cell to check"  # the page did list something


def test_the_stacked_cards_say_their_column_in_english_too(world, as_user):
    coordinator = as_user("demo-coordinator")
    coordinator.post("/language", data={"language": "en", "csrf_token": csrf_of(coordinator, "/"), "next": "/"})
    page = coordinator.get("/coordination/attention").get_data(as_text=True)
    assert 'data-label="Reason"' in page and 'data-label="Motif"' not in page
    assert unlabelled_cells(page)[0] == []


def _figures(page: str) -> list[tuple[str, str]]:
    """(column header, text) of every figure cell of the page's tables."""
    figures = []
    for table in lxml_html.fromstring(page).iter("table"):
        headers = [_visible_text(th) for th in table.xpath("./thead/tr[1]/th")]
        for row in table.xpath("./tbody/tr | ./tfoot/tr"):
            for index, cell in enumerate(row.xpath("./th | ./td")):
                if cell.tag == "td" and "figure" in (cell.get("class") or ""):
                    figures.append((headers[index], _visible_text(cell)))
    return figures


def _is_share_or_median(column: str) -> bool:
    return column.startswith("%") or "médian" in column.lower() or "median" in column.lower()


def test_a_hidden_percentage_or_median_is_never_written_as_a_small_count(world, as_user):
    coordinator = as_user("demo-coordinator")
    query = world["query"]
    for path in (f"/coordination/indicators?{query}", f"/coordination/providers?organisation={world['hospital']}&{query}",
                 f"/coordination/diagram?{query}"):
        figures = _figures(coordinator.get(path).get_data(as_text=True))
        assert not [(c, t) for c, t in figures if _is_share_or_median(c) and t.startswith("<")], path
        assert [(c, t) for c, t in figures if _is_share_or_median(c) and t == "masqué"], f"{path}: nothing hidden to check"
        assert ("Accusés", "< 5") in figures or "diagram" in path  # a small count still reads "< 5"


def test_a_hidden_percentage_or_median_is_not_a_small_count_in_the_downloads(world, as_user):
    coordinator = as_user("demo-coordinator")
    url = f"/coordination/indicators/export?table=referrals_by_provider&{world['query']}"
    rows = list(csv.reader(io.StringIO(coordinator.get(url + "&format=csv").get_data(as_text=True).lstrip("\ufeff"))))
    sheet = load_workbook(io.BytesIO(coordinator.get(url + "&format=xlsx").data)).active
    for grid in (rows[1:], [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]):
        header, body = grid[0], grid[1:]
        shown = [(header[i], row[i]) for row in body for i in range(1, len(header)) if _is_share_or_median(header[i])]
        assert ("% accusés dans le délai", "masqué") in shown
        assert not [cell for cell in shown if str(cell[1]).startswith("<")]


def test_csv_downloads_name_one_charset(world, as_user):
    response = as_user("demo-coordinator").get(
        f"/coordination/indicators/export?table=referrals_by_provider&format=csv&{world['query']}")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_the_referral_count_column_is_not_the_date_a_referral_was_sent(world, as_user):
    page = as_user("demo-coordinator").get(f"/coordination/indicators?{world['query']}").get_data(as_text=True)
    assert "Envoyé le" not in page


def test_a_service_s_capacity_period_is_in_the_reader_s_words(world, as_user):
    page = as_user("demo-health-douala").get("/coordination/providers").get_data(as_text=True)
    assert "par mois" in page or "par semaine" in page or "par jour" in page
    assert "/ month" not in page and "/ week" not in page and "/ day" not in page


def test_the_live_diagram_s_table_title_is_a_heading_not_a_caption_a_phone_squeezes(world, as_user):
    page = as_user("demo-coordinator").get(f"/coordination/diagram?{world['query']}").get_data(as_text=True)
    tree = lxml_html.fromstring(page)
    assert not tree.xpath('//table[contains(@class, "live-steps")]/caption[not(contains(@class, "visually-hidden"))]')
    assert tree.xpath('//h2[@id="live-steps-title"]') and tree.xpath('//table[@aria-labelledby="live-steps-title"]')


def test_the_live_diagram_is_drawn_with_the_step_names_of_the_readers_language(world, as_user):
    coordinator = as_user("demo-coordinator")
    french = coordinator.get(f"/coordination/diagram/bpmn?{world['query']}")
    assert "Identifier la personne".encode() in french.data
    coordinator.post("/language", data={"language": "en", "csrf_token": csrf_of(coordinator, "/"), "next": "/"})
    english = coordinator.get(f"/coordination/diagram/bpmn?{world['query']}")
    assert b'name="Approve closure"' in english.data and "Identifier la personne".encode() not in english.data
    assert "max-age" not in english.headers["Cache-Control"]  # the address does not say the language
    # The version to show is chosen by the pathway's title, not its id.
    page = coordinator.get(f"/coordination/diagram?{world['query']}").get_data(as_text=True)
    assert re.search(r'<option value="\d+" selected>[^<]*Cameroon[^<]* v1</option>', page)
    assert ">cameroon-nrm v1<" not in page
