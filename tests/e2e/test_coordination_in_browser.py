"""In a real browser: a coordinator opens the live diagram, follows the step with overdue cases to one of
them, and downloads an indicator table as XLSX that the test reads back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from engine.services.accounts.actors import load_actor
from engine.services.cases.lifecycle import open_case
from engine.store.models import TaskRow
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def overdue_case(demo_server):
    """A case whose first task was due yesterday."""
    _url, demo = demo_server
    container = demo.container
    case = open_case(container.uow(), container.clock, "cameroon-nrm", load_actor(container.uow(), "demo-caseworker"))
    with container.uow() as u:
        u.session.execute(update(TaskRow).where(TaskRow.id == case.open_task_ids[0])
                          .values(due_at=container.clock.now() - timedelta(days=1)))
        u.commit()
    return case


def test_coordinator_follows_the_overdue_step_on_the_live_diagram_to_a_case(demo_server, overdue_case, page):
    url, demo = demo_server
    sign_in(page, url, "demo-coordinator", demo.password)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url + "/coordination/diagram")
    overlay = page.locator(".live-diagram .step-overlay.overdue[data-step=Task_Identification]")
    overlay.wait_for(state="visible", timeout=15000)
    overlay.click()
    page.wait_for_url("**/coordination/diagram/step?**")
    link = page.get_by_role("link", name=overdue_case.reference)
    assert link.count() == 1
    link.click()
    page.wait_for_url(f"**/cases/{overdue_case.reference}")
    assert overdue_case.reference in page.locator("h1").inner_text()
    assert not [text for text in page.console_problems if "Content Security Policy" in text]


def test_coordinator_downloads_an_indicator_table_as_xlsx(demo_server, overdue_case, page, tmp_path):
    url, demo = demo_server
    sign_in(page, url, "demo-coordinator", demo.password)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(url + "/coordination/indicators")
    section = page.locator("section#cases_by_region")
    with page.expect_download() as download:
        section.get_by_role("link", name="XLSX").click()
    path = tmp_path / "cases_by_region.xlsx"
    download.value.save_as(path)
    rows = [[cell.value for cell in row] for row in load_workbook(path).active.iter_rows()]
    assert rows[0][0] == "Personnes identifiées, par région"
    assert rows[1][:2] == ["Région", "Personnes"]
    # The one case opened here has no region yet, and a count under five is never written as a number.
    assert ["Non renseigné", "< 5"] in [row[:2] for row in rows]
    # Nothing of the page's own content is wider than the phone's screen (wide tables scroll in their box;
    # the site header is the layout's, reworked for phones apart).
    wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => !e.closest('.indicator-table') && e.getBoundingClientRect().right > 362)
        .slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert wide == []
