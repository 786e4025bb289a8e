"""The administration forms, the directory's service forms and a task's hand-over come back from a language button
in the other language holding what was typed, never stored; to one who may not send them, a refusal and nothing
typed."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from engine.bootstrap import Settings, build
from engine.domain import Role
from engine.services.installation.training_clock import read_installation_time, start_training_mode
from engine.store.models import AuditEntry, Organisation, OrganisationService, User
from engine.store.seed import load_demo_data
from tests.integration.webui.test_tasks_and_cases import _signed_in, demo  # noqa: F401  (a fixture)
from web_forms import TEST_SECRET, csrf_of, language_buttons
from webui import create_app
from webui.auth.session_user import role_required
from webui.typed_form import shows_typed_values

NEW_ACCOUNT = {"username": "typed-newcomer", "display_name": "Typed Newcomer", "email": "typed@example.org",
               # The form's own "language" field: the button's language goes in the query, never in the form.
               "language": "en", "roles": ["caseworker", "supervisor"], "password": "a password never shown back"}
NEW_ORGANISATION = {"slug": "typed-organisation", "name": "Typed Organisation", "kind": "ngo", "is_provider": "on",
                    "data_sharing_signed": "on"}
SERVICE = {"organisation": "demo-iom-cameroon", "name": "Typed Service", "sector": "economic_reintegration",
           "regions": ["centre", "littoral"], "languages": ["french"], "priorities": ["urgent"], "hours_urgent": "36",
           "capacity": "12", "contact_name": "Typed Focal Point", "active": "1"}


def _switched(client, path: str, language: str, typed: dict):
    """The page at `path` sending its form (posting to the same path) with `typed`, by its `language` button."""
    page = client.get(path).get_data(as_text=True)
    switch = f"/language?language={language}&next={path}"
    assert switch in language_buttons(page), path
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post(switch, data={**typed, "csrf_token": token})


def _refused(client, action: str, typed: dict):
    """The same switch from someone who may not send the form (the page they might have forged)."""
    return client.post(f"/language?language=fr&next={action}", data={**typed, "csrf_token": csrf_of(client, "/")})


def _shown(response, language: str) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert f'<html lang="{language}">' in page
    return html.unescape(page)


def _saved_services(container) -> int:
    with container.uow() as uow:
        return len(uow.session.scalars(select(AuditEntry.id).where(AuditEntry.action == "directory_service_saved")).all())


def test_a_new_account_typed_comes_back_in_french_without_its_password_and_is_not_created(demo, container):
    app, _, password = demo
    admin = _signed_in(app, "demo-admin", password)
    page = _shown(_switched(admin, "/admin/users", "fr", NEW_ACCOUNT), "fr")
    assert "<h2>Nouveau compte</h2>" in page and '<label for="field-username">Nom d’utilisateur' in page
    assert 'id="field-username" name="username" type="text" value="typed-newcomer"' in page
    assert 'value="Typed Newcomer"' in page and 'value="typed@example.org"' in page
    assert re.search(r'id="field-language" name="language".*?<option value="en" selected>', page, re.S)
    typed_form = re.search(r'<form method="post" action="/admin/users" id="typed-form">(.*?)</form>', page, re.S).group(1)
    ticked = re.findall(r'<input type="checkbox" name="roles" value="([a-z_]+)"[^>]*\bchecked', typed_form)
    assert sorted(ticked) == ["caseworker", "supervisor"]
    assert "a password never shown back" not in page
    assert "/language?language=en&next=/admin/users" in language_buttons(page)
    with container.uow() as uow:
        assert uow.session.scalar(select(User).where(User.username == "typed-newcomer")) is None

    refused = _refused(_signed_in(app, "demo-caseworker", password), "/admin/users", NEW_ACCOUNT)
    assert refused.status_code == 403 and "typed-newcomer" not in refused.get_data(as_text=True)


def test_a_new_organisation_typed_comes_back_in_french_and_is_not_added(demo, container):
    app, _, password = demo
    admin = _signed_in(app, "demo-admin", password)
    page = _shown(_switched(admin, "/admin/organisations", "fr", NEW_ORGANISATION), "fr")
    assert "<h2>Nouvelle organisation</h2>" in page and "Identifiant (lettres minuscules, chiffres et tirets)" in page
    assert 'value="typed-organisation"' in page and 'value="Typed Organisation"' in page
    assert re.search(r'id="field-kind" name="kind".*?<option value="ngo" selected>', page, re.S)
    assert '<input type="checkbox" name="is_provider" checked>' in page
    assert '<input type="checkbox" name="data_sharing_signed" checked>' in page
    assert '<input type="checkbox" name="mou_signed">' in page
    with container.uow() as uow:
        assert uow.session.scalar(select(Organisation).where(Organisation.slug == "typed-organisation")) is None

    refused = _refused(_signed_in(app, "demo-caseworker", password), "/admin/organisations", NEW_ORGANISATION)
    assert refused.status_code == 403 and "Typed Organisation" not in refused.get_data(as_text=True)


def _service_form_holds_what_was_typed(page: str) -> None:
    assert "Enregistrer le service" in page and '<label for="field-name">Nom du service' in page
    assert 'id="field-name" name="name" type="text" value="Typed Service"' in page
    assert 'value="Typed Focal Point"' in page and 'id="field-hours_urgent" name="hours_urgent" type="number" value="36"' in page
    for name, code in (("regions", "centre"), ("regions", "littoral"), ("languages", "french"), ("priorities", "urgent")):
        assert re.search(rf'<input type="checkbox" name="{name}" value="{code}"[^>]*\bchecked', page), code
    assert not re.search(r'<input type="checkbox" name="priorities" value="normal"[^>]*\bchecked', page)


def test_a_new_service_typed_comes_back_in_french_and_is_not_saved(demo, container):
    app, _, password = demo
    admin = _signed_in(app, "demo-admin", password)
    saved = _saved_services(container)
    page = _shown(_switched(admin, "/directory/services/new", "fr", SERVICE), "fr")
    assert "<h1>Ajouter un service</h1>" in page
    _service_form_holds_what_was_typed(page)
    assert _saved_services(container) == saved

    refused = _refused(_signed_in(app, "demo-caseworker", password), "/directory/services/new", SERVICE)
    assert refused.status_code == 403 and "Typed Service" not in refused.get_data(as_text=True)


def test_a_service_being_edited_comes_back_in_french_with_the_changes_typed_and_is_not_saved(demo, container):
    app, _, password = demo
    with container.uow() as uow:
        service = uow.session.scalar(select(OrganisationService.hsds_id).join(Organisation)
                                     .where(Organisation.slug == "demo-iom-cameroon").order_by(OrganisationService.id))
    edit = f"/directory/services/{service}/edit"
    admin = _signed_in(app, "demo-admin", password)
    saved = _saved_services(container)
    page = _shown(_switched(admin, edit, "fr", SERVICE), "fr")
    assert "<h1>Modifier un service</h1>" in page
    _service_form_holds_what_was_typed(page)
    assert _saved_services(container) == saved

    refused = _refused(_signed_in(app, "demo-caseworker", password), edit, SERVICE)
    assert refused.status_code == 403 and "Typed Service" not in refused.get_data(as_text=True)


def test_the_colleague_chosen_to_take_a_task_over_comes_back_in_english_and_the_task_is_not_handed(demo):
    app, case, password = demo
    reassign = f"/tasks/{case.open_task_ids[0]}/reassign"
    supervisor = _signed_in(app, "demo-supervisor", password)
    page = _shown(_switched(supervisor, reassign, "en", {"username": "demo-caseworker-en"}), "en")
    assert "<h1>Hand the task over</h1>" in page and '<label for="field-username">Who takes it over' in page
    assert re.search(r'id="field-username" name="username".*?<option value="demo-caseworker-en" selected>', page, re.S)
    page = _shown(_switched(supervisor, reassign, "fr", {"username": "demo-caseworker-en"}), "fr")
    assert '<label for="field-username">Qui la reprend' in page and '<option value="demo-caseworker-en" selected>' in page
    assert "demo-caseworker-en" not in supervisor.get(f"/cases/{case.reference}").get_data(as_text=True)

    # The case's own caseworker may not hand it over; a caseworker of another organisation does not see it.
    for username, status in (("demo-caseworker", 403), ("demo-minas-caseworker", 404)):
        refused = _refused(_signed_in(app, username, password), reassign, {"username": "demo-caseworker-en"})
        assert refused.status_code == status and "demo-caseworker-en" not in refused.get_data(as_text=True), username


@pytest.fixture
def training(database_url, tmp_path):
    """A training installation on its own clock, with the demo's users."""
    built = build(Settings(database_url=database_url, instance_dir=tmp_path / "instance"))
    seed = load_demo_data(built.uow(), built.clock.real)
    start_training_mode(built.uow(), built.clock.real)
    yield create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=built), built, seed.password
    built.dispose()


def test_a_training_clock_move_typed_comes_back_in_french_and_the_clock_does_not_move(training):
    app, installation, password = training
    coordinator = _signed_in(app, "demo-coordinator", password)
    page = _shown(_switched(coordinator, "/admin/clock", "fr", {"days": "3", "hours": "5"}), "fr")
    assert "Avancer l'horloge" in page and '<label for="field-days">Jours' in page
    assert 'name="days" type="number" value="3"' in page and 'name="hours" type="number" value="5"' in page
    assert read_installation_time(installation.uow(), installation.clock.real).offset.total_seconds() == 0

    refused = _refused(_signed_in(app, "demo-caseworker", password), "/admin/clock", {"days": "3", "hours": "5"})
    assert refused.status_code == 403 and 'value="3"' not in refused.get_data(as_text=True)


def test_the_switch_runs_the_checks_of_the_view_the_form_posts_to_before_its_page_shows_anything(demo):
    app, _, password = demo

    # A page whose `show` checks nothing itself: the view's own decorators are all that guard it.
    @app.post("/typed-probe")
    @role_required(Role.ADMIN)
    @shows_typed_values(lambda posted: f"shown again: {posted['note']}")
    def typed_probe():
        return "sent"

    refused = _refused(_signed_in(app, "demo-caseworker", password), "/typed-probe", {"note": "typed words"})
    assert refused.status_code == 403 and "typed words" not in refused.get_data(as_text=True)
    admin = _signed_in(app, "demo-admin", password)
    shown = admin.post("/language?language=fr&next=/typed-probe", data={"note": "typed words", "csrf_token": csrf_of(admin, "/")})
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    assert shown.get_data(as_text=True) == "shown again: typed words"
    # The form itself, sent, reaches the view as before.
    assert admin.post("/typed-probe", data={"note": "typed words", "csrf_token": csrf_of(admin, "/")}).get_data(as_text=True) == "sent"


def test_roles_ticked_for_an_account_come_back_in_french_in_its_open_editor_and_are_not_saved(demo, container):
    app, _, password = demo
    with container.uow() as uow:
        account = uow.session.scalar(select(User).where(User.username == "demo-caseworker-en"))
        account_id, held = account.id, sorted(role.value for role in account.roles)
    typed = {"roles": ["caseworker", "supervisor"]}
    assert held != typed["roles"]
    action = f"/admin/users/{account_id}/roles"
    admin = _signed_in(app, "demo-admin", password)
    page = _shown(admin.post(f"/language?language=fr&next={action}", data={**typed, "csrf_token": csrf_of(admin, "/")}), "fr")
    editor = re.search(rf'<details class="edit-roles" open>\s*<summary>[^<]*</summary>\s*<form method="post" action="{action}"'
                       rf' id="roles-{account_id}" data-shows-typed>(.*?)</form>', page, re.S)
    assert editor is not None, page
    ticked = re.findall(r'<input type="checkbox" name="roles" value="([a-z_]+)"[^>]*\bchecked', editor.group(1))
    assert sorted(ticked) == typed["roles"] and "Enregistrer les rôles" in editor.group(1)
    assert page.count("<details class=\"edit-roles\" open>") == 1
    with container.uow() as uow:
        account = uow.session.scalar(select(User).where(User.username == "demo-caseworker-en"))
        assert sorted(role.value for role in account.roles) == held

    refused = _refused(_signed_in(app, "demo-caseworker", password), action, typed)
    assert refused.status_code == 403 and "edit-roles" not in refused.get_data(as_text=True)
