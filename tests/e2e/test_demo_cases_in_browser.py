"""The demo as a newcomer starts it: each role signs in on a phone and finds work waiting from the demo's cases."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
# Who signs in, the heading of the pile of their referrals the demo left one in (in the account's
# own language), and the field of the form that referral's page opens with.
WAITING = [
    ("demo-health-douala", "Reçus : accuser réception", "#field-acknowledged_by"),
    ("demo-shelter", "À décider : accepter, refuser ou réorienter", "#field-decision"),
    ("demo-mhpss", "Accepted: waiting for the outcome", "#field-service_delivered"),
]


def _signed_in(chromium, url: str, username: str, password: str):
    context = chromium.new_context(locale="fr-FR", viewport=PHONE,
                                   extra_http_headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    context.set_default_timeout(8000)
    page = context.new_page()
    sign_in(page, url, username, password)
    return context, page


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


@pytest.mark.parametrize(("username", "pile", "field"), WAITING, ids=[w[0] for w in WAITING])
def test_each_provider_finds_a_referral_waiting_in_its_pile(demo_server_with_cases, chromium, username, pile, field):
    url, demo = demo_server_with_cases
    context, page = _signed_in(chromium, url, username, demo.password)
    try:
        page.goto(url + "/referrals/")
        _fits(page)
        heading = page.locator("h2", has_text=pile)
        assert heading.inner_text().endswith("(1)"), heading.inner_text()
        heading.locator("xpath=following-sibling::table[1]").locator("a").first.click()
        assert "MNR-" in page.locator("main").inner_text()
        assert page.locator(field).count() == 1, page.url
        _fits(page)
    finally:
        context.close()


def test_the_caseworker_finds_a_consent_to_record_and_a_case_to_identify(demo_server_with_cases, chromium):
    url, demo = demo_server_with_cases
    context, page = _signed_in(chromium, url, "demo-caseworker", demo.password)
    try:
        page.goto(url + "/tasks/")
        _fits(page)
        names = page.locator("table.tasks tbody tr").all_inner_texts()
        assert any("consentement" in name for name in names), names
        assert any("Identifier la personne" in name for name in names), names
        page.locator("table.tasks tbody tr", has_text="consentement").locator("a[href*='/tasks/']").first.click()
        assert page.locator("#field-consent_given").count() == 1
        _fits(page)
        # The demo's four cases are on the caseworker's list of cases.
        page.goto(url + "/cases/")
        assert page.locator("table.cases tbody tr").count() == 4
        _fits(page)
    finally:
        context.close()
