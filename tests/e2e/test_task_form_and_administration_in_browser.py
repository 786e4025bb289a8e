"""In a real browser: a task's form in French and English, its field errors, and an administrator making an
account whose owner then chooses their own password."""

from __future__ import annotations

import pytest

from engine.services.accounts.actors import load_actor
from engine.services.cases.lifecycle import open_case
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def _fill_identification(page, age: str) -> None:
    page.fill("#field-identification_date", "2026-03-02")
    for name, value in (("identification_source", "airport"), ("region", "littoral"), ("sex", "female"),
                        ("return_modality", "forced"), ("risk_level", "high"), ("priority", "urgent")):
        page.select_option(f"#field-{name}", value)
    page.fill("#field-age", age)


def _on_phone_in_french(page, url: str, demo, task_id: str) -> None:
    """The task's page at 360 px, signed in as the demo caseworker, in French."""
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, url, "demo-caseworker", demo.password)
    page.goto(f"{url}/tasks/{task_id}")
    switch = page.get_by_role("button", name="Français")
    if switch.is_enabled():  # the demo's users are shared by the browser tests, which change their language
        switch.click()


def test_task_form_reads_in_each_language_and_explains_what_to_correct(demo_server, page):
    url, demo = demo_server
    container = demo.container
    case = open_case(container.uow(), container.clock, "cameroon-nrm", load_actor(container.uow(), "demo-caseworker-en"))
    sign_in(page, url, "demo-caseworker-en", demo.password)
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


def test_a_form_offered_again_after_the_session_expired_keeps_what_was_typed_across_languages_on_a_phone(
        demo_server, page):
    """At an airport desk on a phone: the session ends while the form is being filled in, and each language button
    on the way back (the sign-in page, the form offered again) keeps what was typed, until it is saved."""
    from datetime import timedelta

    from sqlalchemy import func, select

    from engine.store.models import User, UserSession

    url, demo = demo_server
    container = demo.container
    case = open_case(container.uow(), container.clock, "cameroon-nrm", load_actor(container.uow(), "demo-caseworker"))
    _on_phone_in_french(page, url, demo, case.open_task_ids[0])
    _fill_identification(page, age="27")
    page.fill("#field-person_alias", "Amina B.")

    # Called away from the desk: the session just signed in ages past its idle timeout.
    with container.uow() as unit:
        user_id = unit.session.scalar(select(User.id).where(User.username == "demo-caseworker"))
        latest = unit.session.get(UserSession, unit.session.scalar(
            select(func.max(UserSession.id)).where(UserSession.user_id == user_id)))
        latest.last_seen_at -= timedelta(minutes=31)
        unit.commit()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    assert page.locator("h1").inner_text() == "Se connecter"

    page.get_by_role("button", name="English").click()
    assert page.locator("h1").inner_text() == "Sign in"
    assert "Your session expired before this form reached us" in page.locator("main").inner_text()
    assert page.locator("#field-username").input_value() == "demo-caseworker"
    page.fill("#field-password", demo.password)
    page.get_by_role("button", name="Sign in").click()
    # Signed in again, in the person's own language: the form offered again, and its language buttons.
    assert page.locator("h1").inner_text() == "Envoyer le formulaire que vous remplissiez"
    page.get_by_role("button", name="English").click()
    assert page.locator("h1").inner_text() == "Identify the person"
    assert page.locator("#field-person_alias").input_value() == "Amina B."
    assert page.locator("#field-age").input_value() == "27"
    assert page.locator("#field-region").input_value() == "littoral"
    assert page.locator("#field-risk_level option:checked").inner_text() == "High"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_role("button", name="Save and continue").click()
    assert page.locator("h1").inner_text() == "Assess the needs"
    assert "Task completed." in page.locator("main").inner_text()
    assert not [text for text in page.console_problems if "Content Security Policy" in text]


def test_administrator_creates_an_account_whose_owner_replaces_its_one_time_password(demo_server, page, chromium):
    url, demo = demo_server
    sign_in(page, url, "demo-admin", demo.password)
    page.goto(url + "/admin/users")
    page.fill("#field-username", "browser-made")
    page.fill("#field-display_name", "Made In Browser")
    page.locator("form:has(#field-username) input[name=roles][value=caseworker]").check()
    page.locator("form:has(#field-username) button[type=submit]").click()
    password = page.locator("#initial-password").inner_text()
    assert len(password) >= 12

    other = chromium.new_context(locale="fr-FR")
    newcomer = other.new_page()
    sign_in(newcomer, url, "browser-made", password)
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


@pytest.mark.parametrize(("username", "width", "words"), [
    ("demo-caseworker", 360, {"switch": "Français", "needed_if": "Nécessaire si",
                              "summary": "Certaines informations saisies doivent être corrigées."}),
    ("demo-caseworker-en", 1280, {"switch": "English", "needed_if": "Needed if",
                                  "summary": "Some of what you entered needs correcting."}),
])
def test_an_urgency_follows_its_need_on_the_page_and_a_refused_form_opens_on_its_summary(demo_server, page, username,
                                                                                         width, words):
    from engine.services.tasks.completion import complete_task
    from engine.services.tasks.inbox import list_inbox
    from tests.integration.services.conftest import IDENTIFICATION

    url, demo = demo_server
    container = demo.container
    caseworker = load_actor(container.uow(), username)
    case = open_case(container.uow(), container.clock, "cameroon-nrm", caseworker)
    complete_task(container.uow(), container.clock, case.open_task_ids[0], caseworker, IDENTIFICATION)
    task_id = next(task.id for task in list_inbox(container.uow(), caseworker, limit=200)
                   if task.case_id == case.id and task.bpmn_id == "Task_NeedsAssessment")
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, url, username, demo.password)
    page.goto(f"{url}/tasks/{task_id}")
    # The demo's users are shared by the browser tests, which change their language: choose it here.
    switch = page.get_by_role("button", name=words["switch"])
    if switch.is_enabled():  # the language already shown is offered disabled
        switch.click()

    urgency = page.locator('[data-when-field="need_shelter"]')
    star = urgency.locator("label .required")
    assert words["needed_if"] in urgency.inner_text()
    page.select_option("#field-need_shelter", "false")
    assert not urgency.is_visible()  # not needed: hidden while the answer says so
    page.select_option("#field-need_shelter", "true")
    assert urgency.is_visible() and star.is_visible()
    page.select_option("#field-need_shelter", "")
    assert urgency.is_visible() and not star.is_visible()  # unanswered: it may be needed, not required yet

    # Refused by the server (the browser's own check taken away): the summary opens the page with the focus.
    page.select_option("#field-need_shelter", "false")
    page.fill("#field-assessment_date", "")
    page.evaluate("document.querySelector('#field-assessment_date').removeAttribute('required')")
    page.locator("form:has(#field-assessment_date) button[type=submit]").click()
    summary = page.locator(".error-summary")
    assert summary.inner_text().startswith(words["summary"])
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.evaluate("document.querySelector('main').firstElementChild.classList.contains('error-summary')")
    assert page.locator("#field-need_shelter").input_value() == "false" and not urgency.is_visible()
    assert page.locator("#field-shelter_urgency").count() == 1  # still on the page, for a changed answer
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert not [text for text in page.console_problems if "Content Security Policy" in text]


@pytest.mark.parametrize(("username", "language", "summary"), [
    ("demo-caseworker", "fr", "Certaines informations saisies doivent être corrigées."),
    ("demo-caseworker-en", "en", "Some of what you entered needs correcting."),
])
def test_without_scripts_a_keyboard_user_lands_on_the_refused_forms_summary_and_its_link_reaches_the_field(
        demo_server, chromium, username, language, summary):
    url, demo = demo_server
    container = demo.container
    case = open_case(container.uow(), container.clock, "cameroon-nrm", load_actor(container.uow(), username))
    context = chromium.new_context(locale=language, viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, url, username, demo.password)
    page.goto(f"{url}/tasks/{case.open_task_ids[0]}")
    switch = page.locator(f"form.language-switch button[value={language}]")
    if switch.is_enabled():  # the demo's users are shared by the browser tests, which change their language
        switch.click()

    # Tabbed into, a date field is ringed like every other field (its focus sits on the day, inside it).
    page.focus("#field-identification_source")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "field-identification_date"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"

    _fill_identification(page, age="200")
    page.focus("form:has(#field-age) button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The browser itself focuses the summary: a screen reader reads it first, the next Tab is its first link.
    page.wait_for_function("document.activeElement.classList.contains('error-summary')", timeout=3000)
    assert page.locator(".error-summary h2").inner_text() == summary
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#field-age"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "field-age"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def test_the_holder_of_a_task_hands_it_back_from_its_page_on_a_phone(demo_server, page):
    from engine.services.tasks.completion import claim_task
    from engine.services.tasks.inbox import task_line

    url, demo = demo_server
    container = demo.container
    caseworker = load_actor(container.uow(), "demo-caseworker")
    case = open_case(container.uow(), container.clock, "cameroon-nrm", caseworker)
    task_id = case.open_task_ids[0]
    if task_line(container.uow(), task_id).assignee_id is None:
        claim_task(container.uow(), container.clock, task_id, caseworker)
    _on_phone_in_french(page, url, demo, task_id)

    hand_back = page.get_by_role("button", name="Rendre la tâche à votre équipe")
    assert hand_back.is_visible() and hand_back.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    with page.expect_navigation():
        hand_back.click()
    assert page.url == f"{url}/tasks/"
    assert "La tâche est rendue à votre équipe." in page.locator(".flash").inner_text()
    row = page.locator("tr", has=page.locator(f'a[href="/tasks/{task_id}"]'))
    assert row.get_by_role("button", name="Prendre").is_visible()
    assert not [text for text in page.console_problems if "Content Security Policy" in text]


def _users_page_on_a_phone_in_english(demo_server, page) -> str:
    """The users page at 360 px, signed in as the demo administrator, in English; the server's address."""
    url, demo = demo_server
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, url, "demo-admin", demo.password)
    page.goto(url + "/admin/users")
    english = page.get_by_role("button", name="English")
    if english.is_enabled():  # the demo's users are shared by the browser tests, which change their language
        with page.expect_navigation():
            english.click()
    return url


def test_an_administrator_on_a_phone_keeps_the_account_and_the_service_typed_across_the_language_button(demo_server, page):
    """At 360 px: the new account's fields and a directory service's changes, half typed, come back in French."""
    url = _users_page_on_a_phone_in_english(demo_server, page)
    page.fill("#field-username", "typed-on-a-phone")
    page.fill("#field-display_name", "Typed On A Phone")
    page.fill("#field-email", "phone@example.org")
    page.select_option("#field-language", "en")
    page.locator("form:has(#field-username) input[name=roles][value=supervisor]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Français").click()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("label[for=field-username]").inner_text().startswith("Nom d’utilisateur")
    assert page.get_by_role("button", name="Créer le compte").is_visible()
    assert page.locator("#field-username").input_value() == "typed-on-a-phone"
    assert page.locator("#field-display_name").input_value() == "Typed On A Phone"
    assert page.locator("#field-email").input_value() == "phone@example.org"
    assert page.locator("#field-language").input_value() == "en"
    assert page.locator("form:has(#field-username) input[name=roles][value=supervisor]").is_checked()
    assert not page.locator("form:has(#field-username) input[name=roles][value=caseworker]").is_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    page.goto(url + "/directory/")
    with page.expect_navigation():
        page.locator("a[href$='/edit']").first.click()
    edit = page.url
    page.fill("#field-name", "Service typed on a phone")
    page.fill("#field-contact_name", "Focal point typed")
    page.locator("input[name=regions][value=littoral]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Français").click()
    assert page.locator("h1").inner_text() == "Modifier un service"
    assert page.locator("label[for=field-name]").inner_text().startswith("Nom du service")
    assert page.locator("#field-name").input_value() == "Service typed on a phone"
    assert page.locator("#field-contact_name").input_value() == "Focal point typed"
    assert page.locator("input[name=regions][value=littoral]").is_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.get_by_role("button", name="Enregistrer le service").is_visible()
    # Nothing was saved on the way (the other browser tests share this directory: it is left as it was).
    page.goto(edit)
    assert page.locator("#field-name").input_value() != "Service typed on a phone"
    assert not [text for text in page.console_problems if "Content Security Policy" in text]


def test_an_administrator_ticking_an_accounts_roles_keeps_them_across_the_language_button_on_a_phone(demo_server, page):
    """The users page holds the new account's form and a role editor per account: the language buttons send the
    form last typed in, so roles ticked for an account come back ticked, in the other language, and nothing is saved."""
    url = _users_page_on_a_phone_in_english(demo_server, page)
    row = page.locator("tr", has=page.locator("td", has_text="demo-caseworker-en")).first
    editor = row.locator("details.edit-roles")
    editor.locator("summary").click()
    boxes = editor.locator("input[name=roles]")
    held = {box.get_attribute("value"): box.is_checked() for box in boxes.all()}
    flipped = next(value for value, checked in held.items() if not checked)
    editor.locator(f"input[name=roles][value={flipped}]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Français").click()
    assert page.locator("html").get_attribute("lang") == "fr"
    row = page.locator("tr", has=page.locator("td", has_text="demo-caseworker-en")).first
    editor = row.locator("details.edit-roles")
    assert editor.get_attribute("open") is not None
    assert editor.get_by_role("button", name="Enregistrer les rôles").is_visible()
    ticked = {box.get_attribute("value"): box.is_checked() for box in editor.locator("input[name=roles]").all()}
    assert ticked == {**held, flipped: True}
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # Nothing was saved on the way: the account's roles, read afresh, are as they were.
    page.goto(url + "/admin/users")
    row = page.locator("tr", has=page.locator("td", has_text="demo-caseworker-en")).first
    assert {box.get_attribute("value"): box.is_checked() for box in row.locator("input[name=roles]").all()} == held
    assert not [text for text in page.console_problems if "Content Security Policy" in text]
