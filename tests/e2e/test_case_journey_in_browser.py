"""In a real browser, nothing else: a caseworker opens a case and refers two needs, each provider answers on
its referral page; the trainer moves the demo's clock and the scheduler's sweep raises the late service; a
coordinator resolves the escalation; the caseworker records the unmet need and follows up three times; the
supervisor approves the closure. Every page on the way fits a 360 px phone, has no dead link, passes
axe-core and stays light. Screenshots are kept under test-artifacts/ for a person to look at."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "journey"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1280, "height": 800}
MAX_PAGE_BYTES = 150_000
# Pages seen on the way, per user: each is checked at both widths and its links followed.
SEEN: dict[str, set[str]] = {}


@pytest.fixture(scope="module")
def journey_server(own_demo_server):
    """A demo installation of this module's own: the journey moves its cases and clock."""
    print(f"\nscreenshots in {ARTIFACTS}")
    return own_demo_server


def _tab(chromium, locale: str, javascript: bool = True, bypass_csp: bool = False):
    # bypass_csp only for axe-core, which the test injects as an inline script.
    context = chromium.new_context(locale=locale, viewport=PHONE, java_script_enabled=javascript, bypass_csp=bypass_csp,
                                   extra_http_headers={"Accept-Language": f"{locale},{locale[:2]};q=0.9"})
    context.set_default_timeout(8000)
    return context, context.new_page()


def _look(page, user: str, name: str) -> None:
    """The page as it stands: fits 360 px, screenshot at both widths, remembered for the link walk."""
    SEEN.setdefault(user, set()).add(page.url)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-360.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("() => [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 361)"
                         ".slice(0, 3).map(e => e.tagName + ' ' + (e.textContent || '').trim().slice(0, 40))")
    assert width <= PHONE["width"], f"{name} is {width} px wide at 360 px ({wide}): {page.url}"
    page.set_viewport_size(LAPTOP)
    page.screenshot(path=str(ARTIFACTS / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size(PHONE)


def _select(page, name: str, value: str) -> None:
    page.select_option(f"#field-{name}", value)


def _submit(page) -> None:
    page.locator("main form button[type=submit].primary").click()


WORDS = {
    "fr": {"language": "fr", "open": "Ouvrir un dossier", "identify": "Identifier la personne", "assess": "Évaluer les besoins",
           "consent": "Recueillir le consentement éclairé", "record_consent": "Enregistrer le consentement",
           "send": "Choisir le prestataire et envoyer", "send_button": "Envoyer le référencement",
           "referral_stage": "Référencement", "claim": "Prendre", "nothing": "Rien ne vous attend",
           "move_clock": "Avancer l'horloge", "resolve": "Résoudre", "closed": "Clôturé"},
    "en": {"language": "en", "open": "Open a case", "identify": "Identify the person", "assess": "Assess the needs",
           "consent": "Obtain informed consent", "record_consent": "Record the consent",
           "send": "Choose the provider and send", "send_button": "Send the referral",
           "referral_stage": "Referral", "claim": "Claim", "nothing": "Nothing waits for you",
           "move_clock": "Move the clock", "resolve": "Resolve", "closed": "Closed"},
}


def _in_language(page, language: str) -> None:
    """Switch the interface language with its own buttons (a form: works without JavaScript)."""
    button = page.locator(f"form.language-switch button[value={language}]")
    if button.count() and not button.is_disabled():
        button.click()


# French with JavaScript, English without: the whole journey works both ways.
@pytest.mark.parametrize("language,javascript", [("fr", True), ("en", False)])
def test_a_case_goes_from_opening_to_two_answered_referrals_in_the_browser(journey_server, chromium, language,
                                                                           javascript):
    url, demo = journey_server
    words = WORDS[language]
    tag = f"{language}{'' if javascript else '-nojs'}"
    locale = "fr-FR" if language == "fr" else "en-GB"
    context, page = _tab(chromium, locale, javascript=javascript)
    sign_in(page, url, "demo-caseworker", demo.password)
    _in_language(page, language)
    _look(page, "demo-caseworker", f"{tag}-caseworker-home")

    page.goto(url + "/cases/")
    _look(page, "demo-caseworker", f"{tag}-caseworker-cases")
    page.get_by_role("link", name=words["open"]).click()
    _look(page, "demo-caseworker", f"{tag}-caseworker-open-case")
    page.locator("main form button[type=submit]").click()

    # Straight to the first task, with its context and due date.
    assert page.locator("h1").inner_text() == words["identify"]
    _look(page, "demo-caseworker", f"{tag}-caseworker-identification")
    page.fill("#field-identification_date", "2026-03-02")
    for name, value in (("identification_source", "airport"), ("region", "littoral"), ("sex", "female"),
                        ("return_modality", "forced"), ("risk_level", "high"), ("priority", "urgent")):
        _select(page, name, value)
    page.fill("#field-person_alias", "Aïcha")
    page.fill("#field-age", "200")
    _submit(page)
    # One refused field: every other value is kept, the summary links to the field.
    assert page.locator(".error-summary a[href='#field-age']").count() == 1
    assert page.locator("#field-person_alias").input_value() == "Aïcha"
    assert page.locator("#field-region").input_value() == "littoral"
    _look(page, "demo-caseworker", f"{tag}-caseworker-identification-refused")
    page.fill("#field-age", "24")
    _submit(page)

    assert page.locator("h1").inner_text() == words["assess"]
    page.fill("#field-assessment_date", "2026-03-02")
    _select(page, "need_health", "true")
    _select(page, "health_urgency", "urgent")
    _select(page, "need_mhpss", "true")
    _select(page, "mhpss_urgency", "normal")
    _submit(page)

    assert page.locator("h1").inner_text() == words["consent"]
    assert page.locator("main button.primary").inner_text() == words["record_consent"]
    _select(page, "consent_given", "true")
    for name, value in (("consent_given_by", "person"), ("consent_method", "signature"),
                        ("consent_language", "french"), ("consent_scope", "including_health")):
        _select(page, name, value)
    page.fill("#field-consent_date", "2026-03-02")
    _submit(page)

    references = {}
    for provider in ("demo-hopital-douala", "demo-espoir-mhpss"):
        assert page.locator("h1").inner_text().startswith(words["send"])
        assert page.locator("main button.primary").inner_text() == words["send_button"]
        options = page.locator("#field-provider_id option").evaluate_all("els => els.map(e => e.value)")
        chosen = provider if provider in options else next(value for value in options if value)
        _select(page, "provider_id", chosen)
        page.fill("#field-referral_reason", f"Motif pour {provider}")
        page.fill("#field-safety_considerations", "Ne pas appeler le soir")
        _look(page, "demo-caseworker", f"{tag}-caseworker-send-{provider}")
        _submit(page)
        references[provider] = chosen
    # Nothing left for the caseworker on this case: back to their list; the case page shows both referrals.
    assert page.url.rstrip("/").endswith("/tasks")
    reference = page.locator("table.tasks a[href*='/cases/']").first.inner_text() if page.locator(
        "table.tasks a[href*='/cases/']").count() else None
    # The caseworker finds the case by the person's alias, typed without its accent.
    page.goto(url + "/cases/")
    page.fill("#field-alias", "aicha")
    page.locator("form.alias-search button[type=submit]").click()
    assert page.locator("table.cases tbody tr").count() == 1
    assert "aicha" not in page.url  # sent in the request's body: no address keeps it
    _look(page, "demo-caseworker", f"{tag}-caseworker-cases-by-alias")
    page.locator("table.cases a").first.click()
    reference = reference or page.locator("h1").inner_text().split()[-1]
    assert page.locator("table.needs tbody tr").count() == 2
    assert page.locator("ol.progress li.current").inner_text().startswith(words["referral_stage"])
    _look(page, "demo-caseworker", f"{tag}-caseworker-case")
    # Provider tasks are not the caseworker's: no link, no "Prendre".
    assert page.locator("table.tasks button", has_text=words["claim"]).count() == 0
    # The consent and its scope are on the case page; withdrawing it asks first, on a page of its own.
    page.locator("a[href$='/consents/withdraw']").click()
    _look(page, "demo-caseworker", f"{tag}-caseworker-withdraw-consent")
    assert page.locator("main form button.danger").count() == 1
    context.close()

    for username, decision in (("demo-health-douala", "accepted"), ("demo-mhpss", "declined")):
        context, page = _tab(chromium, locale, javascript=javascript)
        sign_in(page, url, username, demo.password)
        _in_language(page, language)
        _look(page, username, f"{tag}-{username}-home")
        page.goto(url + "/referrals/")
        _look(page, username, f"{tag}-{username}-referrals")
        page.locator("table.referrals a").first.click()
        _look(page, username, f"{tag}-{username}-referral-incoming")
        assert page.locator("main dl").first.inner_text().count(reference.split("-")[0]) >= 1
        # What the caseworker wrote reaches the provider, and only on its referral.
        assert "Ne pas appeler le soir" in page.locator("main").inner_text()
        page.fill("#field-acknowledged_by", "Point focal")
        _submit(page)
        # The provider stays on their referral, now waiting for the decision.
        assert "/referrals/" in page.url
        _select(page, "decision", decision)
        if decision == "declined":
            _select(page, "decline_reason", "no_capacity")
        _submit(page)
        assert "/referrals/" in page.url
        _look(page, username, f"{tag}-{username}-referral-decided")
        context.close()

    _escalation_follow_up_and_closure(url, demo, chromium, locale, javascript, words, tag, reference)


def _move_clock(page, url: str, demo, user: str, name: str, days: int) -> None:
    """The trainer moves the demo's clock forward on its page, then the scheduler's real sweep runs."""
    from engine.services.escalations.deadlines import sweep_deadlines

    page.goto(url + "/")
    page.locator(".training-banner a").click()
    _look(page, user, name)
    before = demo.container.clock.now()
    page.fill("#field-days", str(days))
    _submit(page)
    assert page.locator(".error").count() == 0
    # Every process reads the offset again within seconds; the test's sweep waits for it like a scheduler would.
    deadline = time.monotonic() + 10
    while demo.container.clock.now() - before < timedelta(days=days) - timedelta(minutes=5):
        assert time.monotonic() < deadline, "the installation's clock did not follow the move"
        time.sleep(0.5)
    sweep_deadlines(demo.container.uow, demo.container.clock, worker_id="journey")


def _open_task_of(page, url: str, reference: str) -> None:
    """From the user's task list, the open task of this case."""
    page.goto(url + "/tasks/")
    row = page.locator("table.tasks tbody tr", has=page.locator(f"a:text-is('{reference}')"))
    assert row.count() == 1, f"one open task of {reference} expected in {page.url}"
    row.locator("a[href*='/tasks/']").first.click()


def _escalation_follow_up_and_closure(url, demo, chromium, locale, javascript, words, tag, reference) -> None:
    """The declined need waits with the caseworker; the clock moves; a coordinator resolves the escalation;
    the unmet need is recorded; three follow-ups; closure proposed and approved: the case is closed."""
    trainer_context, trainer = _tab(chromium, locale, javascript=javascript)
    sign_in(trainer, url, "demo-coordinator", demo.password)
    _in_language(trainer, words["language"])
    _move_clock(trainer, url, demo, "demo-coordinator", f"{tag}-coordinator-clock", 10)

    # The hospital accepted but has not reported the service by its deadline: the coordinator sees the overdue
    # referral on the attention page and on the escalations, and resolves it there.
    trainer.goto(url + "/coordination/attention")
    assert reference in trainer.locator("main").inner_text()
    _look(trainer, "demo-coordinator", f"{tag}-coordinator-attention")
    trainer.goto(url + "/coordination/escalations")
    row = trainer.locator("table.escalations tbody tr", has=trainer.locator(f"a:text-is('{reference}')"))
    assert row.count() == 1
    _look(trainer, "demo-coordinator", f"{tag}-coordinator-escalations")
    row.locator("a[href*='/reassign']").click()
    # Handing over is choosing among those who may handle it: the case's supervisor is one of them.
    options = trainer.locator("#field-username option").evaluate_all("els => els.map(e => e.value)")
    assert "demo-supervisor" in options and "demo-caseworker" not in options
    _look(trainer, "demo-coordinator", f"{tag}-coordinator-escalation-handover")
    trainer.go_back()
    row = trainer.locator("table.escalations tbody tr", has=trainer.locator(f"a:text-is('{reference}')"))
    row.locator("input[name=note]").fill("Travailleur social joint, décision attendue aujourd'hui")
    row.locator("button", has_text=words["resolve"]).click()
    assert trainer.locator("table.escalations tbody tr", has=trainer.locator(f"a:text-is('{reference}')")).count() == 0

    # The hospital reports the service on its referral page.
    context, page = _tab(chromium, locale, javascript=javascript)
    sign_in(page, url, "demo-health-douala", demo.password)
    _in_language(page, words["language"])
    page.goto(url + "/referrals/")
    page.locator("table.referrals tbody tr", has_text=reference).locator("a").first.click()
    _look(page, "demo-health-douala", f"{tag}-demo-health-douala-referral-outcome")
    _select(page, "service_delivered", "true")
    page.fill("#field-outcome_note", "Consultation faite")
    _submit(page)
    assert page.locator("main").inner_text().count(words["nothing"]) == 1
    context.close()

    context, page = _tab(chromium, locale, javascript=javascript)
    sign_in(page, url, "demo-caseworker", demo.password)
    _in_language(page, words["language"])
    _open_task_of(page, url, reference)
    _look(page, "demo-caseworker", f"{tag}-caseworker-unmet-need")
    _select(page, "unmet_reason", "no_provider")
    _submit(page)
    trainer.goto(url + "/coordination/attention")
    assert trainer.locator("#unmet-title").count() == 1 and reference in trainer.locator("main").inner_text()

    for number, days in enumerate((31, 61, 91), start=1):
        _move_clock(trainer, url, demo, "demo-coordinator", f"{tag}-coordinator-clock", days)
        _open_task_of(page, url, reference)
        if number == 1:
            _look(page, "demo-caseworker", f"{tag}-caseworker-follow-up")
        _select(page, "contact_outcome", "reached")
        page.fill("#field-contact_attempts", "1")
        if page.locator("#field-service_received").count():
            _select(page, "service_received", "true")
        _select(page, "satisfaction", "satisfied")
        _select(page, "new_needs", "false")
        _submit(page)
    trainer_context.close()

    _open_task_of(page, url, reference)
    _look(page, "demo-caseworker", f"{tag}-caseworker-propose-closure")
    _select(page, "closure_reason", "needs_met")
    page.fill("#field-closure_note", "Suivi à 6 mois fait")
    _submit(page)
    context.close()

    context, page = _tab(chromium, locale, javascript=javascript)
    sign_in(page, url, "demo-supervisor", demo.password)
    _in_language(page, words["language"])
    _look(page, "demo-supervisor", f"{tag}-supervisor-home")
    _open_task_of(page, url, reference)
    _look(page, "demo-supervisor", f"{tag}-supervisor-approve-closure")
    _select(page, "closure_approved", "true")
    _submit(page)
    page.goto(f"{url}/cases/{reference}")
    assert words["closed"] in page.locator("main").inner_text()
    _look(page, "demo-supervisor", f"{tag}-supervisor-case-closed")
    context.close()


def test_no_link_or_button_on_the_journey_answers_403_or_404(journey_server, chromium):
    url, demo = journey_server
    assert SEEN, "the journey test runs first and records its pages"
    for username, pages in SEEN.items():
        context, page = _tab(chromium, "fr-FR")
        sign_in(page, url, username, demo.password)
        request = context.request
        for address in sorted(pages):
            page.goto(address)
            links = page.locator("a[href]").evaluate_all("els => els.map(e => e.href)")
            for link in sorted(set(links)):
                if not link.startswith(url) or link.startswith("mailto:"):
                    continue
                answer = request.get(link.split("#")[0], timeout=60_000)  # a PDF is laid out on the spot
                assert answer.status not in (403, 404), f"{username} on {address}: {link} answers {answer.status}"
            # A button only for what the user may do: each one's form posts to an address that exists.
            actions = page.locator("main form[method=post]").evaluate_all("els => els.map(e => e.action)")
            for action in actions:
                answer = request.get(action)
                assert answer.status != 404, f"{username} on {address}: form to {action} leads nowhere"
        context.close()


def test_journey_pages_pass_axe_and_stay_light(journey_server, chromium):
    url, demo = journey_server
    for username, pages in SEEN.items():
        context, page = _tab(chromium, "en-GB", bypass_csp=True)
        sign_in(page, url, username, demo.password)
        for address in sorted(pages):
            page.goto(address)
            # What the browser fetched for the page: the document and everything it loaded.
            transferred = page.evaluate(
                "() => performance.getEntries().filter(e => e.transferSize !== undefined)"
                ".reduce((sum, e) => sum + (e.transferSize || e.encodedBodySize || 0), 0)")
            assert 0 < transferred < MAX_PAGE_BYTES, f"{address} transferred {transferred} bytes"
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("async () => JSON.stringify((await axe.run(document)).violations)")
            serious = [v["id"] for v in json.loads(result) if v["impact"] in ("serious", "critical")]
            assert not serious, f"{address} for {username}: {serious}"
        context.close()
