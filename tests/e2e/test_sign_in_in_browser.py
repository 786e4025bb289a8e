"""A demo caseworker signs in, in French, switches to English and signs out, in a real browser; names typed
in Arabic keep their place in the French around them."""

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


# Where two texts typed in Arabic meet with a comma between them, a browser that does not isolate them
# joins them into one right-to-left run and shows them swapped.
ORGANISATION, CASEWORKER = "منظمة الهجرة", "أمينة علي"
LEFT_OF = """([dt, first, second]) => {
  const dd = [...document.querySelectorAll('dt')].find(e => e.textContent.trim() === dt).nextElementSibling;
  const left = text => {
    const walker = document.createTreeWalker(dd, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf(text);
      if (at >= 0) { const range = document.createRange(); range.setStart(node, at); range.setEnd(node, at + text.length);
                     return range.getBoundingClientRect().left; }
    }
    throw new Error('not found: ' + text);
  };
  return left(first) < left(second);
}"""


def test_arabic_names_keep_their_order_in_a_french_sentence_on_a_phone(own_demo_server, page):
    """The provider's focal point reads who referred the person, "organisation, person", at 360 px: both in
    Arabic, the organisation still comes first."""
    from sqlalchemy import select

    from engine.services.accounts.actors import load_actor
    from engine.services.cases.lifecycle import open_case
    from engine.services.tasks.completion import complete_task
    from engine.services.tasks.inbox import list_inbox
    from engine.store.models import Organisation, ReferralRow, User
    from tests.e2e.conftest import sign_in
    from tests.integration.services.conftest import CONSENT, IDENTIFICATION, NO_NEEDS

    url, demo = own_demo_server
    uow, clock = demo.container.uow, demo.container.clock
    caseworker = load_actor(uow(), "demo-caseworker")
    case = open_case(uow(), clock, "cameroon-nrm", caseworker)
    need = {**NO_NEEDS, "assessment_date": "2026-03-02", "need_health": True, "health_urgency": "urgent"}
    for bpmn_id, data in (("Task_Identification", IDENTIFICATION), ("Task_NeedsAssessment", need),
                          ("Task_Consent", CONSENT), ("Task_SendReferral", {"provider_id": "demo-hopital-douala"})):
        task = next(t for t in list_inbox(uow(), caseworker, limit=100) if t.case_id == case.id and t.bpmn_id == bpmn_id)
        complete_task(uow(), clock, task.id, caseworker, data)
    with uow() as unit:
        user = unit.session.scalar(select(User).where(User.username == "demo-caseworker"))
        user.display_name = CASEWORKER
        unit.session.get(Organisation, user.organisation_id).name = ORGANISATION
        referral_id = unit.session.scalar(select(ReferralRow.id).where(ReferralRow.case_id == case.id))
        unit.commit()

    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, url, "demo-health-douala", demo.password)
    page.goto(f"{url}/referrals/{referral_id}")
    assert page.evaluate(LEFT_OF, ["Référé par", ORGANISATION, CASEWORKER])
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
