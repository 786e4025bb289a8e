"""A demo caseworker signs in, in French, switches to English and signs out, in a real browser."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_caseworker_signs_in_in_french_switches_to_english_and_signs_out(demo_server, page):
    url, demo = demo_server
    page.goto(url + "/")
    assert page.locator("h1").inner_text() == "Se connecter"

    page.fill("#field-username", "demo-caseworker")
    page.fill("#field-password", demo.password)
    page.get_by_role("button", name="Se connecter").click()

    assert page.locator("h1").inner_text() == "Bienvenue, Gestionnaire de cas OIM (démo)"
    assert page.locator(".organisation").inner_text() == "DEMO – OIM Cameroun, bureau de Yaoundé"
    assert page.locator(".roles").inner_text() == "Gestionnaire de cas"
    assert page.locator("html").get_attribute("lang") == "fr"

    page.get_by_role("button", name="English").click()
    assert page.locator("h1").inner_text() == "Welcome, Gestionnaire de cas OIM (démo)"
    assert page.locator(".roles").inner_text() == "Caseworker"
    assert page.locator("html").get_attribute("lang") == "en"

    page.get_by_role("button", name="Sign out").click()
    assert page.locator("h1").inner_text() == "Sign in"
    assert "You are signed out." in page.content()
    page.goto(url + "/")
    assert page.url.startswith(url + "/login")

    assert not [text for text in page.console_problems if "Content Security Policy" in text]
