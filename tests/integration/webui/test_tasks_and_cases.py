"""The inbox, claiming and releasing, and the case page, over the real case services."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.pathways.folder import load_source
from engine.services.accounts.actors import load_actor
from engine.services.cases.lifecycle import open_case
from engine.services.pathways.publishing import publish_pathway
from engine.store.models import AuditEntry
from engine.store.seed import load_demo_data
from tests.integration.services.conftest import CAMEROON
from web_forms import TEST_SECRET, csrf_of, language_buttons, sign_in
from webui import create_app


@pytest.fixture
def demo(container):
    """The demo directory, the Cameroon pathway, one case opened by the IOM demo caseworker."""
    seed = load_demo_data(container.uow(), container.clock)
    publish_pathway(container.uow(), load_source(CAMEROON), container.clock)
    case = open_case(container.uow(), container.clock, "cameroon-nrm", load_actor(container.uow(), "demo-caseworker"))
    app = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)
    return app, case, seed.password


def _signed_in(app, username, password):
    client = app.test_client()
    assert sign_in(client, username, password).status_code == 302
    return client


def test_caseworker_sees_the_new_case_task_on_home_and_in_the_inbox(demo):
    app, case, password = demo
    client = _signed_in(app, "demo-caseworker", password)
    assert case.reference in client.get("/").get_data(as_text=True)
    assert case.reference in client.get("/tasks/").get_data(as_text=True)


def test_caseworker_of_another_organisation_does_not_see_the_task(demo):
    app, case, password = demo
    client = _signed_in(app, "demo-minas-caseworker", password)
    assert case.reference not in client.get("/tasks/").get_data(as_text=True)


def test_task_is_released_and_claimed_from_the_inbox(demo):
    app, case, password = demo
    client = _signed_in(app, "demo-caseworker", password)
    task_id = case.open_task_ids[0]
    page = client.get("/tasks/").get_data(as_text=True)
    if f"/tasks/{task_id}/release" in page:
        client.post(f"/tasks/{task_id}/release", data={"csrf_token": csrf_of(client, "/")})
        page = client.get("/tasks/").get_data(as_text=True)
    assert f"/tasks/{task_id}/claim" in page
    # The button names its task and case for a screen reader, not only "Prendre" row after row.
    assert re.search(rf'action="/tasks/{task_id}/claim".*?<button type="submit">Prendre<span class="visually-hidden">: '
                     rf'[^<]+, {case.reference}</span></button>', page, re.S)
    response = client.post(f"/tasks/{task_id}/claim", data={"csrf_token": csrf_of(client, "/")})
    assert response.status_code == 302 and response.headers["Location"] == f"/tasks/{task_id}"  # to do it now
    assert f"/tasks/{task_id}/release" in client.get("/tasks/").get_data(as_text=True)
    again = client.post(f"/tasks/{task_id}/claim", data={"csrf_token": csrf_of(client, "/")})
    assert again.status_code == 409


def test_someone_without_access_cannot_claim_the_task(demo):
    app, case, password = demo
    client = _signed_in(app, "demo-health-douala", password)
    response = client.post(f"/tasks/{case.open_task_ids[0]}/claim", data={"csrf_token": csrf_of(client, "/")})
    assert response.status_code == 404


def test_case_page_is_shown_to_its_caseworker_and_audited(demo, container):
    app, case, password = demo
    client = _signed_in(app, "demo-caseworker", password)
    page = client.get(f"/cases/{case.reference}")
    assert page.status_code == 200
    assert f"Dossier {case.reference}" in page.get_data(as_text=True)
    with container.uow() as uow:
        actions = uow.session.scalars(select(AuditEntry.action).where(AuditEntry.case_id == case.id)).all()
    assert "case.viewed" in actions


def test_case_page_is_hidden_from_another_organisations_provider(demo):
    app, case, password = demo
    client = _signed_in(app, "demo-health-douala", password)
    assert client.get(f"/cases/{case.reference}").status_code == 404


def test_case_page_is_shown_to_the_coordinator(demo):
    app, case, password = demo
    client = _signed_in(app, "demo-coordinator", password)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert re.search(rf"Dossier {case.reference}", page)


def _as_form(data: dict) -> dict:
    return {key: ("true" if value is True else "false" if value is False else str(value)) for key, value in data.items()}


def test_caseworker_completes_identification_through_its_form(demo):
    from tests.integration.services.conftest import IDENTIFICATION

    app, case, password = demo
    client = _signed_in(app, "demo-caseworker", password)
    task_id = case.open_task_ids[0]
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'name="risk_level"' in page and 'name="csrf_token"' in page

    refused = client.post(f"/tasks/{task_id}", data={"csrf_token": csrf_of(client, "/")})
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.get_data(as_text=True)

    done = client.post(f"/tasks/{task_id}", data={**_as_form(IDENTIFICATION), "csrf_token": csrf_of(client, "/")})
    # The next useful page: the case's next task, which is the caseworker's to do.
    assert done.status_code == 302 and done.headers["Location"].startswith("/tasks/")
    assert done.headers["Location"] != f"/tasks/{task_id}"
    next_page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Tâche terminée." in next_page and "Évaluer les besoins" in next_page
    case_page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert f"/tasks/{task_id}" not in case_page


def test_completed_task_cannot_be_completed_twice(demo):
    from tests.integration.services.conftest import IDENTIFICATION

    app, case, password = demo
    client = _signed_in(app, "demo-caseworker", password)
    task_id = case.open_task_ids[0]
    form = {**_as_form(IDENTIFICATION), "csrf_token": csrf_of(client, "/")}
    first = client.post(f"/tasks/{task_id}", data=form)
    assert first.status_code == 302
    # The same form sent again (a second tab, the back button): refused, and the next task of the case
    # is where it leads, saying that this sending was not recorded, rather than a dead-end error page.
    again = client.post(f"/tasks/{task_id}", data=form)
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Évaluer les besoins" in page and "ce que vous avez envoyé n’a pas été enregistré" in page
    history = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert history.count("Identifier la personne") == 1


def test_an_old_link_to_a_done_task_leads_on_to_the_work_of_its_case(demo):
    from tests.integration.services.conftest import IDENTIFICATION

    app, case, password = demo
    client = _signed_in(app, "demo-caseworker", password)
    task_id = case.open_task_ids[0]
    done = client.post(f"/tasks/{task_id}", data={**_as_form(IDENTIFICATION), "csrf_token": csrf_of(client, "/")})
    old_link = client.get(f"/tasks/{task_id}")
    assert old_link.status_code == 302 and old_link.headers["Location"] == done.headers["Location"]
    assert "Cette tâche a déjà été faite ou annulée." in client.get(old_link.headers["Location"]).get_data(as_text=True)
    # Someone who may not see the task learns nothing more than before.
    stranger = _signed_in(app, "demo-minas-caseworker", password)
    assert stranger.get(f"/tasks/{task_id}").status_code == 404


def test_coordinator_has_the_attention_list_and_a_caseworker_is_refused_it(demo):
    app, case, password = demo
    coordinator = _signed_in(app, "demo-coordinator", password)
    page = coordinator.get("/coordination/attention")
    assert page.status_code == 200 and "Dossiers demandant une intervention" in page.get_data(as_text=True)
    assert 'href="/coordination/attention"' in coordinator.get("/").get_data(as_text=True)
    caseworker = _signed_in(app, "demo-caseworker", password)
    assert caseworker.get("/coordination/attention").status_code == 403
    assert 'href="/coordination/attention"' not in caseworker.get("/").get_data(as_text=True)


def test_inbox_names_the_group_a_task_is_offered_to_in_the_users_language(demo):
    app, case, password = demo
    client = _signed_in(app, "demo-caseworker", password)
    task_id = case.open_task_ids[0]
    page = client.get("/tasks/").get_data(as_text=True)
    if f"/tasks/{task_id}/release" in page:
        client.post(f"/tasks/{task_id}/release", data={"csrf_token": csrf_of(client, "/")})
    assert '<td data-label="Attribuée à">Gestionnaire de cas</td>' in client.get("/tasks/").get_data(as_text=True)


def test_directory_lists_providers_their_services_and_unsigned_agreements(demo):
    app, case, password = demo
    client = _signed_in(app, "demo-caseworker", password)
    page = client.get("/directory/").get_data(as_text=True)
    assert "DEMO – OIM Cameroun, bureau de Yaoundé" in page
    assert "Consultations et soins d&#39;urgence" in page or "Consultations et soins d'urgence" in page


def test_supervisor_hands_a_task_over_by_choosing_among_those_who_may_take_it(demo):
    app, case, password = demo
    task_id = case.open_task_ids[0]
    supervisor = _signed_in(app, "demo-supervisor", password)
    assert f'href="/tasks/{task_id}/reassign"' in supervisor.get(f"/cases/{case.reference}").get_data(as_text=True)
    page = supervisor.get(f"/tasks/{task_id}/reassign").get_data(as_text=True)
    assert 'value="demo-caseworker"' in page and 'value="demo-caseworker-en"' in page
    assert 'value="demo-supervisor"' not in page  # not in the task's group: it would never find it
    # Someone of another organisation (a crafted post): refused on the same page, nothing changed.
    refused = supervisor.post(f"/tasks/{task_id}/reassign",
                              data={"username": "demo-health-douala", "csrf_token": csrf_of(supervisor, "/")})
    assert refused.status_code == 422 and 'id="error-username"' in refused.get_data(as_text=True)
    done = supervisor.post(f"/tasks/{task_id}/reassign",
                           data={"username": "demo-caseworker-en", "csrf_token": csrf_of(supervisor, "/")})
    assert done.status_code == 302 and done.headers["Location"] == f"/cases/{case.reference}"
    caseworker = _signed_in(app, "demo-caseworker", password)
    assert f'href="/tasks/{task_id}/reassign"' not in caseworker.get(f"/cases/{case.reference}").get_data(as_text=True)


def _hidden_fields(page: str, action: str) -> dict:
    form = re.search(rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S).group(1)
    return {html.unescape(name): html.unescape(value)
            for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)}


def test_a_form_sent_after_the_session_expired_is_sent_once_its_user_signs_in_again(demo, container):
    from tests.integration.services.conftest import IDENTIFICATION

    app, case, password = demo
    client = _signed_in(app, "demo-caseworker", password)
    task_id = case.open_task_ids[0]
    form = {**_as_form(IDENTIFICATION), "person_alias": 'A. "M." <b>', "csrf_token": csrf_of(client, "/")}
    container.clock.advance(timedelta(minutes=31))  # called away from the desk: the session expires
    this_site = {"Origin": f"{app.config['PREFERRED_URL_SCHEME']}://localhost"}
    late = client.post(f"/tasks/{task_id}", data=form, headers=this_site)
    # Not a dead end: the sign-in page, which carries what was typed (and keeps it out of caches).
    page = late.get_data(as_text=True)
    assert late.status_code == 200 and late.headers["Cache-Control"] == "no-store"
    assert "Votre session a expiré avant que ce formulaire nous parvienne" in page
    carried = _hidden_fields(page, "/login")
    assert carried["resume.person_alias"] == 'A. "M." <b>' and carried["resume_to"] == f"/tasks/{task_id}"
    assert "<b>" not in page

    offered = client.post("/login", data={**carried, "username": "demo-caseworker", "password": password},
                          headers=this_site)
    assert offered.status_code == 200 and offered.headers["Cache-Control"] == "no-store"
    # A signed-in page like any other: the menu, and who is signed in with the way out.
    offer = offered.get_data(as_text=True)
    assert '<details class="menu">' in offer and 'href="/cases/"' in offer and 'action="/logout"' in offer
    resent = _hidden_fields(offer, f"/tasks/{task_id}")
    assert resent["person_alias"] == 'A. "M." <b>' and resent["csrf_token"] != form["csrf_token"]
    sent = client.post(f"/tasks/{task_id}", data=resent)
    assert sent.status_code == 302 and "Évaluer les besoins" in client.get(sent.headers["Location"]).get_data(as_text=True)


def test_an_expired_form_is_not_carried_for_another_site_nor_sent_in_someone_elses_name(demo, container):
    from tests.integration.services.conftest import IDENTIFICATION

    app, case, password = demo
    client = _signed_in(app, "demo-caseworker", password)
    task_id = case.open_task_ids[0]
    form = {**_as_form(IDENTIFICATION), "csrf_token": csrf_of(client, "/")}
    container.clock.advance(timedelta(minutes=31))
    forged = client.post(f"/tasks/{task_id}", data=form, headers={"Origin": "https://elsewhere.example"})
    assert forged.status_code == 400 and "A. M." not in forged.get_data(as_text=True)

    client = _signed_in(app, "demo-caseworker", password)
    form["csrf_token"] = csrf_of(client, "/")
    container.clock.advance(timedelta(minutes=31))
    carried = _hidden_fields(client.post(f"/tasks/{task_id}", data=form, headers={"Referer": f"{app.config['PREFERRED_URL_SCHEME']}://localhost/tasks/"})
                             .get_data(as_text=True), "/login")
    colleague = client.post("/login", data={**carried, "username": "demo-caseworker-en", "password": password})
    assert colleague.status_code == 302 and colleague.headers["Location"] == f"/tasks/{task_id}"


def _typed_form(page: str) -> dict:
    """What the page's language buttons send: the fields of the form the page holds (its id is TYPED_FORM)."""
    form = re.search(r'<form method="post" action="[^"]*" id="typed-form">(.*?)</form>', page, re.S).group(1)
    return {html.unescape(name): html.unescape(value)
            for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)}


def test_switching_language_on_a_re_offered_form_keeps_what_was_typed_until_it_is_sent(demo, container):
    from tests.integration.services.conftest import IDENTIFICATION

    app, case, password = demo
    client = _signed_in(app, "demo-caseworker", password)
    task_id = case.open_task_ids[0]
    # "language" is one of the task's own fields: the button's language goes in the query, never in the form.
    form = {**_as_form(IDENTIFICATION), "person_alias": 'A. "M." <b>', "csrf_token": csrf_of(client, "/")}
    container.clock.advance(timedelta(minutes=31))
    this_site = {"Origin": f"{app.config['PREFERRED_URL_SCHEME']}://localhost"}
    sign_in_page = client.post(f"/tasks/{task_id}", data=form, headers=this_site).get_data(as_text=True)

    # On the sign-in page carrying the form: its buttons send that form, and it comes back in English.
    assert "/language?language=en&next=/login" in language_buttons(sign_in_page)
    carried = {**_typed_form(sign_in_page), "username": "demo-caseworker"}
    assert carried["resume.person_alias"] == 'A. "M." <b>'
    elsewhere = client.post("/language?language=en&next=/login", data=carried)  # no Origin: not carried back
    assert elsewhere.status_code == 302 and elsewhere.headers["Location"] == "/login"
    english = client.post("/language?language=en&next=/login", data=carried, headers=this_site)
    page = english.get_data(as_text=True)
    assert english.status_code == 200 and english.headers["Cache-Control"] == "no-store"
    assert "Your session expired before this form reached us" in page and '<html lang="en">' in page
    assert _typed_form(page)["resume.person_alias"] == 'A. "M." <b>' and "<b>" not in page

    offered = client.post("/login", data={**_typed_form(page), "username": "demo-caseworker", "password": password},
                          headers=this_site)
    offer = offered.get_data(as_text=True)
    # Signed in, the page is in the person's own language again; its buttons send the form offered again.
    assert offered.status_code == 200 and "Envoyer le formulaire que vous remplissiez" in offer
    assert f"/language?language=en&next=/tasks/{task_id}" in language_buttons(offer)
    switched = client.post(f"/language?language=en&next=/tasks/{task_id}", data=_typed_form(offer))
    page = switched.get_data(as_text=True)
    # The task's own form, in English, holding every value typed (the person's language too, a field of its own).
    assert switched.status_code == 200 and switched.headers["Cache-Control"] == "no-store"
    assert '<html lang="en">' in page and "<h1>Identify the person" in page
    assert 'id="field-person_alias" name="person_alias" type="text" value="A. &#34;M.&#34; &lt;b&gt;"' in page
    assert re.search(r'id="field-language" name="language".*?<option value="french" selected>', page, re.S)
    assert f"/language?language=fr&next=/tasks/{task_id}" in language_buttons(page)
    # Nothing was recorded on the way: the task is still open, and the form the page holds saves it.
    assert client.get(f"/tasks/{task_id}").status_code == 200
    sent = client.post(f"/tasks/{task_id}", data={**form, "csrf_token": _typed_form(page)["csrf_token"]})
    assert sent.status_code == 302 and "Assess the needs" in client.get(sent.headers["Location"]).get_data(as_text=True)


def test_a_typed_form_comes_back_only_to_its_own_person_and_to_sign_in_once_their_session_ended(demo, container):
    from tests.integration.services.conftest import IDENTIFICATION

    app, case, password = demo
    task_id = case.open_task_ids[0]
    this_site = {"Origin": f"{app.config['PREFERRED_URL_SCHEME']}://localhost"}
    typed = {**_as_form(IDENTIFICATION), "person_alias": "Typed Alias"}
    switch = f"/language?language=en&next=/tasks/{task_id}"

    # Someone of another organisation sending the same fields sees nothing of the task.
    other = _signed_in(app, "demo-minas-caseworker", password)
    refused = other.post(switch, data={**typed, "csrf_token": csrf_of(other, "/")})
    assert refused.status_code == 404 and "Typed Alias" not in refused.get_data(as_text=True)
    # Signed in, a typed form still needs the session's token: the form of another site is not shown back.
    forged = other.post(switch, data=typed, headers={"Origin": "https://elsewhere.example"})
    assert forged.status_code == 400 and "Typed Alias" not in forged.get_data(as_text=True)

    # A form the page holds, sent by its language buttons: the task's page, typed values and all, in English.
    client = _signed_in(app, "demo-caseworker", password)
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert switch in language_buttons(page)
    shown = client.post(switch, data={**typed, "csrf_token": csrf_of(client, "/")}).get_data(as_text=True)
    assert "<h1>Identify the person" in shown and 'value="Typed Alias"' in shown

    # A form whose page cannot show it again (one's notification settings): offered to send, in the new language.
    offer = client.post("/language?language=fr&next=/notifications/settings",
                        data={"group_tasks": "immediate", "csrf_token": csrf_of(client, "/")})
    page = offer.get_data(as_text=True)
    assert offer.status_code == 200 and "Envoyer le formulaire que vous remplissiez" in page
    assert _hidden_fields(page, "/notifications/settings")["group_tasks"] == "immediate"
    # A form the person may not send (a caseworker handing a task over): refused, nothing typed shown back.
    refused = client.post(f"/language?language=en&next=/tasks/{task_id}/reassign",
                          data={"username": "demo-caseworker-en", "csrf_token": csrf_of(client, "/")})
    assert refused.status_code == 403 and "demo-caseworker-en" not in refused.get_data(as_text=True)

    # The session ended while the form was being filled in: the sign-in page, carrying it (never lost).
    token = csrf_of(client, "/")
    container.clock.advance(timedelta(minutes=31))
    late = client.post(switch, data={**typed, "csrf_token": token}, headers=this_site)
    page = late.get_data(as_text=True)
    assert late.status_code == 200 and late.headers["Cache-Control"] == "no-store"
    assert "Your session expired before this form reached us" in page
    carried = _hidden_fields(page, "/login")
    assert carried["resume_to"] == f"/tasks/{task_id}" and carried["resume.person_alias"] == "Typed Alias"
    # ... unless it came from another site: then only the page it was for, which asks to sign in.
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    stale = client.post(switch, data=typed, headers={"Origin": "https://elsewhere.example"})
    assert stale.status_code == 302 and stale.headers["Location"] == f"/tasks/{task_id}"
