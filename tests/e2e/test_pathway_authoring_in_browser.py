"""In a real browser: an SOP author uploads a pathway folder with mistakes, sees them marked on the diagram,
fixes them by uploading the corrected folder, runs the scenarios and publishes; in French and English.
Screenshots are kept in tests/e2e/artifacts/ (not committed) for a person to look at."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

CAMEROON = Path(__file__).resolve().parents[2] / "pathways" / "cameroon-nrm"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CONSENT_NAME = 'name="Recueillir le consentement \u00e9clair\u00e9"'.encode()


def _zip(tmp_path: Path, name: str, change=None) -> Path:
    target = tmp_path / name
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(CAMEROON.rglob("*")):
            if path.is_file():
                relative = path.relative_to(CAMEROON).as_posix()
                data = path.read_bytes()
                if change and relative in change:
                    data = change[relative](data)
                archive.writestr(f"cameroon-nrm/{relative}", data)
    return target


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _sign_in(page, url: str, username: str, password: str) -> None:
    page.goto(url + "/login")
    page.fill("#field-username", username)
    page.fill("#field-password", password)
    page.locator("form:has(#field-password) button[type=submit]").click()


def test_an_author_uploads_a_folder_with_mistakes_fixes_it_and_publishes(demo_server, page, tmp_path):
    url, demo = demo_server
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, url, "demo-sop-author", demo.password)
    broken = _zip(tmp_path, "broken.zip", {"pathway.bpmn": lambda data: data.replace(CONSENT_NAME, b"")})
    page.goto(url + "/pathways/")
    page.set_input_files("#field-pathway", str(broken))
    page.get_by_role("button", name="Envoyer et vérifier").click()
    page.wait_for_selector("#diagram svg")
    page.wait_for_selector(".diagram-mark-problem")
    assert "Un libellé ou une traduction manque" in page.locator("#problems").inner_text()
    # Clicking a problem selects its element on the diagram.
    page.locator("#problems [data-diagram-element=Task_Consent]").first.click()
    page.wait_for_selector('[data-element-id="Task_Consent"].diagram-selected')
    _shot(page, "pathway-draft-with-problems-fr")
    assert not [text for text in page.console_problems if "Content Security Policy" in text], page.console_problems
