"""In a real browser: a task's form in French and English, its field errors, and an administrator making an
account whose owner then chooses their own password."""

from __future__ import annotations

import pytest

from engine.services.accounts.actors import load_actor
from engine.services.cases.lifecycle import open_case

pytestmark = pytest.mark.e2e


def _sign_in(page, url: str, username: str, password: str) -> None:
    page.goto(url + "/login")
    page.fill("#field-username", username)
    page.fill("#field-password", password)
    page.locator("form:has(#field-password) button[type=submit]").click()


def _fill_identification(page, age: str) -> None:
    page.fill("#field-identification_date", "2026-03-02")
    for name, value in (("identification_source", "airport"), ("region", "littoral"), ("sex", "female"),
                        ("return_modality", "forced"), ("risk_level", "high"), ("priority", "urgent")):
        page.select_option(f"#field-{name}", value)
    page.fill("#field-age", age)


def test_task_form_reads_in_each_language_and_explains_what_to_correct(demo_server, page):
    url, demo = demo_server
    container = demo.container
    case = open_case(container.uow(), container.clock, "cameroon-nrm", load_actor(container.uow(), "demo-caseworker-en"))
    _sign_in(page, url, "demo-caseworker-en", demo.password)
    page.goto(f"{url}/tasks/{case.open_task_ids[0]}")

    page.get_by_role("button", name="Français").click()
    assert page.locator("h1").inner_text() == "Identifier la personne"
    assert page.locator("#field-risk_level option[value=high]").inner_text() == "Élevé"
    # The browser asks for the required fields itself; the server checks the limits it does not know.
    _fill_identification(page, age="200")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    assert page.locator("#error-age").inner_text() == "Saisissez un nombre inférieur ou égal à 120."

    page.get_by_role("button", name="English").click()
    assert page.locator("h1").inner_text() == "Identify the person"
    assert page.locator("label[for=field-risk_level]").inner_text().startswith("Risk level")
    _fill_identification(page, age="-1")
    page.get_by_role("button", name="Save and continue").click()
    assert page.locator("#error-age").inner_text() == "Enter a number of at least 0."

    assert not [text for text in page.console_problems if "Content Security Policy" in text]


def test_administrator_creates_an_account_whose_owner_replaces_its_one_time_password(demo_server, page, chromium):
    url, demo = demo_server
    _sign_in(page, url, "demo-admin", demo.password)
    page.goto(url + "/admin/users")
    page.fill("#field-username", "browser-made")
    page.fill("#field-display_name", "Made In Browser")
    page.locator("form:has(#field-username) input[name=roles][value=caseworker]").check()
    page.locator("form:has(#field-username) button[type=submit]").click()
    password = page.locator("#initial-password").inner_text()
    assert len(password) >= 12

    other = chromium.new_context(locale="fr-FR")
    newcomer = other.new_page()
    _sign_in(newcomer, url, "browser-made", password)
    # A password the administrator had made: its owner chooses their own before anything else.
    assert newcomer.locator("h1").inner_text() == "Changer mon mot de passe"
    newcomer.goto(url + "/")
    assert newcomer.locator("h1").inner_text() == "Changer mon mot de passe"
    newcomer.fill("#field-current_password", password)
    newcomer.fill("#field-new_password", "my own browser-typed password")
    newcomer.fill("#field-new_password_again", "my own browser-typed password")
    newcomer.locator("form:has(#field-new_password) button[type=submit]").click()
    assert "Made In Browser" in newcomer.locator("h1").inner_text()
    other.close()
    assert not [text for text in page.console_problems if "Content Security Policy" in text]
