"""The SOP document of the Cameroon pathway: a page and a PDF in French and English, each stage's flowchart
on an A4 page at a readable size (measured on WeasyPrint's own layout of the printed page)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.pathways.folder import load_source
from engine.services.pathways.publishing import publish_pathway
from web_forms import csrf_of, sign_in

CAMEROON = Path(__file__).resolve().parents[3] / "pathways" / "cameroon-nrm"
MM = 96 / 25.4  # CSS px per millimetre
A4_CONTENT_MM = (170, 257)  # A4 less the 20 mm margins of print.css
SMALLEST_READABLE_PT = 7


@pytest.fixture
def author(client, container, clock):
    publish_pathway(container.uow(), load_source(CAMEROON), clock)
    sign_in(client, "diane_author")
    return client


def _in_english(client):
    client.post("/language", data={"language": "en", "next": "/", "csrf_token": csrf_of(client, "/pathways/")})


def test_the_sop_page_has_purpose_roles_consent_deadlines_and_a_flowchart_per_stage(author):
    page = author.get("/pathways/cameroon-nrm/1/sop").get_data(as_text=True)
    for heading in ("Objet", "Rôles : qui fait quoi", "Règles de consentement", "Délais et chaîne d'escalade"):
        assert heading in page
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="flowchart"') == 7
    assert "Point focal du prestataire" in page and "Recueillir le consentement éclairé" in page
    assert "<script" not in page
    # Limits and groups in words, not as the file writes them.
    assert "au plus 120 caractères" in page and "maxlength" not in page
    assert "(caseworker)" not in page and "provider_focal_point" not in page
    _in_english(author)
    english = author.get("/pathways/cameroon-nrm/1/sop").get_data(as_text=True)
    assert "Roles: who does what" in english and "Obtain informed consent" in english


def test_the_sop_pdf_prints_each_stage_flowchart_on_a4_at_a_readable_size(author):
    from flask import render_template  # noqa: F401 - the layout below is the PDF's own
    from weasyprint import HTML

    from webui.pdf import _static_only_fetcher

    response = author.get("/pathways/cameroon-nrm/1/sop.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-") and len(response.data) > 20_000
    html = author.get("/pathways/cameroon-nrm/1/sop").get_data(as_text=True)
    document = HTML(string=html, base_url="http://printable.invalid/", url_fetcher=_static_only_fetcher()).render()
    charts = [(page_number, box) for page_number, page in enumerate(document.pages)
              for box in _descendants(page._page_box) if str(getattr(box, "element_tag", "")).endswith("svg")]
    assert len(charts) == 7
    for page_number, box in charts:
        width_mm, height_mm = box.width / MM, box.height / MM
        assert width_mm <= A4_CONTENT_MM[0] + 0.5 and height_mm <= A4_CONTENT_MM[1], (page_number, width_mm, height_mm)
        # The flowchart's text is 11 units of a 600-unit-wide drawing: its printed size follows the box.
        font_pt = 11 * (box.width / 600) * 72 / 96
        assert font_pt >= SMALLEST_READABLE_PT, font_pt
    assert len({page for page, _ in charts}) == 7  # each stage's flowchart starts its own page


def _descendants(box):
    yield box
    for child in getattr(box, "children", []) or []:
        yield from _descendants(child)


def test_a_stage_code_holding_quotes_stays_inside_its_attribute(client, container, clock, tmp_path):
    folder = tmp_path / "cameroon-nrm"
    shutil.copytree(CAMEROON, folder)
    diagram = folder / "pathway.bpmn"
    diagram.write_text(diagram.read_text(encoding="utf-8").replace(
        'name="aiguillage.stage" value="consent"', 'name="aiguillage.stage" value="x&quot; data-injected=&quot;1"'),
        encoding="utf-8")
    publish_pathway(container.uow(), load_source(folder), clock)
    sign_in(client, "diane_author")
    page = client.get("/pathways/cameroon-nrm/1/sop").get_data(as_text=True)
    assert 'aria-labelledby="flowchart-x&quot; data-injected=&quot;1"' in page
    assert 'data-injected="1"' not in page
