"""Administration pages: accounts, organisations and undelivered notifications, all audited; 403 for others."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.domain import DeliveryChannel, DeliveryStatus, Role
from engine.store.models import AuditEntry, DeliveryRow, Organisation, OutboxRow, User
from web_forms import add_user, csrf_of, sign_in


@pytest.fixture
def secretariat(container, people, clock):
    """MINAS is the mechanism's secretariat: its administrator (chantal_admin) is the secretariat's."""
    with container.uow() as uow:
        minas = uow.session.scalar(select(Organisation).where(Organisation.slug == "minas"))
        minas.is_secretariat = True
        add_user(uow, minas, "edith_coordinator", [Role.COORDINATOR], at=clock.now())
        uow.commit()


def _user(container, username: str) -> User:
    with container.uow() as uow:
        user = uow.session.scalar(select(User).where(User.username == username))
        user.roles, user.organisation  # loaded while the session is open
        return user


def _audit_actions(container, object_id: str) -> list[str]:
    with container.uow() as uow:
        return [action for action in uow.session.scalars(
            select(AuditEntry.action).where(AuditEntry.object_id == object_id).order_by(AuditEntry.id)
        ) if not action.startswith("sign_")]


def _post(client, path: str, data: dict | None = None):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_of(client, "/")})


def test_admin_creates_an_account_whose_generated_password_is_shown_once_and_works(client, container, app):
    sign_in(client, "bello_admin")
    response = _post(client, "/admin/users", {"username": "fatou", "display_name": "Fatou N.", "roles": "caseworker",
                                               "email": "fatou@example.org", "language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    password = re.search(r'<code id="initial-password">([^<]+)</code>', page).group(1)
    assert password not in client.get("/admin/users").get_data(as_text=True)
    created = _user(container, "fatou")
    assert created.roles == {Role.CASEWORKER} and created.organisation.slug == "caritas"
    assert created.language.value == "en" and created.email == "fatou@example.org"
    assert _audit_actions(container, "fatou") == ["account.created"]
    assert sign_in(app.test_client(), "fatou", password).status_code == 302


def test_admin_may_choose_the_initial_password(client, container, app):
    sign_in(client, "bello_admin")
    response = _post(client, "/admin/users", {"username": "gaston", "roles": ["caseworker", "supervisor"],
                                               "password": "a password chosen by the admin"})
    assert 'id="initial-password"' not in response.get_data(as_text=True)
    assert _user(container, "gaston").roles == {Role.CASEWORKER, Role.SUPERVISOR}
    assert sign_in(app.test_client(), "gaston", "a password chosen by the admin").status_code == 302


def test_a_wrong_account_form_is_refused_field_by_field_in_the_users_language(client, container):
    sign_in(client, "chantal_admin")  # prefers French
    response = _post(client, "/admin/users", {"username": "X", "email": "nope", "password": "short"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Saisissez une adresse électronique." in page and "Saisissez au moins 12 caractères." in page
    assert "Ce champ est obligatoire." in page  # no role ticked
    with container.uow() as uow:
        assert uow.session.scalar(select(User).where(User.username == "x")) is None


def test_an_existing_username_is_refused_as_a_field_problem(client):
    sign_in(client, "bello_admin")
    assert _post(client, "/admin/users", {"username": "awa_caseworker", "roles": "caseworker"}).status_code == 422


def test_admin_disables_and_enables_an_account_and_the_owner_is_signed_out(client, container, app):
    owner = app.test_client()
    sign_in(owner, "awa_caseworker")
    awa = _user(container, "awa_caseworker")
    sign_in(client, "bello_admin")
    assert _post(client, f"/admin/users/{awa.id}/disable").status_code == 302
    assert owner.get("/tasks/").headers["Location"].startswith("/login")
    assert sign_in(app.test_client(), "awa_caseworker").status_code == 200  # refused: the form again
    assert _post(client, f"/admin/users/{awa.id}/enable").status_code == 302
    assert sign_in(app.test_client(), "awa_caseworker").status_code == 302
    assert _audit_actions(container, "awa_caseworker")[-2:] == ["account.disabled", "account.enabled"]


def test_admin_cannot_disable_their_own_account_nor_drop_their_own_admin_role(client, container):
    bello = _user(container, "bello_admin")
    sign_in(client, "bello_admin")
    assert _post(client, f"/admin/users/{bello.id}/disable").status_code == 409
    assert _post(client, f"/admin/users/{bello.id}/roles", {"roles": "caseworker"}).status_code == 409
    assert _user(container, "bello_admin").active and _user(container, "bello_admin").roles == {Role.ADMIN}


def test_admin_edits_roles_and_the_change_is_audited_with_before_and_after(client, container):
    awa = _user(container, "awa_caseworker")
    sign_in(client, "bello_admin")
    assert _post(client, f"/admin/users/{awa.id}/roles", {"roles": ["caseworker", "supervisor"]}).status_code == 302
    assert _user(container, "awa_caseworker").roles == {Role.CASEWORKER, Role.SUPERVISOR}
    with container.uow() as uow:
        entry = uow.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.roles_changed"))
        assert entry.details == {"before": ["caseworker"], "after": ["caseworker", "supervisor"]}


def test_a_name_already_used_is_refused_beside_its_field_with_every_problem_at_once(client, container, secretariat):
    sign_in(client, "chantal_admin")  # prefers French; the secretariat's administrator
    # A taken username and a role the secretariat's people do not hold: both named on the first try.
    response = _post(client, "/admin/users", {"username": "bello_admin", "display_name": "Second Bello",
                                               "roles": "provider_focal_point"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="error-username">[^<]*Déjà utilisé', page)
    assert 'class="field checkboxes field-error"' in page and 'value="Second Bello"' in page
    response = _post(client, "/admin/organisations", {"slug": "caritas", "name": "Caritas bis", "kind": "ngo"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="error-slug">[^<]*Déjà utilisé', page) and 'value="Caritas bis"' in page
    with container.uow() as uow:
        assert uow.session.scalar(select(User.display_name).where(User.username == "bello_admin")) != "Second Bello"
        assert uow.session.scalar(select(Organisation.name).where(Organisation.slug == "caritas")) == "Caritas Douala"


def test_admin_of_an_organisation_cannot_touch_another_organisations_accounts(client, container):
    diane = _user(container, "diane_author")
    sign_in(client, "bello_admin")
    assert _post(client, f"/admin/users/{diane.id}/disable").status_code == 404
    assert _post(client, f"/admin/users/{diane.id}/roles", {"roles": "admin"}).status_code == 404
    minas = diane.organisation_id
    # Naming an organisation one does not manage is a mistake in the form, not a way to learn which exist.
    answer = _post(client, "/admin/users", {"username": "intruder", "roles": "admin", "organisation": str(minas)})
    assert answer.status_code == 422
    assert _user(container, "diane_author").active
    with container.uow() as uow:
        assert uow.session.scalar(select(User).where(User.username == "intruder")) is None


@pytest.mark.parametrize("path", ["/admin/users", "/admin/organisations", "/admin/deliveries"])
def test_non_administrators_are_refused_every_administration_page(client, path):
    sign_in(client, "awa_caseworker")
    assert client.get(path).status_code == 403
    assert _post(client, path if path != "/admin/deliveries" else "/admin/deliveries/1/retry").status_code == 403


def test_only_the_secretariats_administrator_manages_organisations(client, container, secretariat, app):
    sign_in(client, "bello_admin")
    assert client.get("/admin/organisations").status_code == 403
    assert _post(client, "/admin/organisations", {"slug": "nope", "name": "Nope"}).status_code == 403

    chantal = app.test_client()
    sign_in(chantal, "chantal_admin")
    assert "Caritas Douala" in chantal.get("/admin/organisations").get_data(as_text=True)
    response = _post(chantal, "/admin/organisations", {"slug": "plan-cameroun", "name": "Plan Cameroun", "kind": "ngo",
                                                        "is_provider": "on", "mou_signed": "on"})
    assert response.status_code == 302
    with container.uow() as uow:
        added = uow.session.scalar(select(Organisation).where(Organisation.slug == "plan-cameroun"))
        assert added.is_provider and added.mou_signed and not added.data_sharing_signed
    assert _audit_actions(container, "plan-cameroun") == ["organisation.created"]


def test_the_secretariats_administrator_manages_every_organisations_accounts(client, container, secretariat):
    sign_in(client, "chantal_admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "awa_caseworker" in page and "Caritas Douala" in page
    caritas = _user(container, "awa_caseworker").organisation_id
    response = _post(client, "/admin/users", {"username": "new-caritas", "roles": "supervisor",
                                               "organisation": str(caritas)})
    assert response.status_code == 200
    assert _user(container, "new-caritas").organisation_id == caritas


@pytest.fixture
def dead_letter(container, people, clock):
    """An email to awa that the mail server refused for good."""
    with container.uow() as uow:
        awa = uow.session.scalar(select(User).where(User.username == "awa_caseworker"))
        event = OutboxRow(event_type="referral_received", payload={"case_reference": "MNR-2026-000042"},
                          created_at=clock.now())
        uow.session.add(event)
        uow.flush()
        delivery = DeliveryRow(outbox_id=event.id, recipient_key=f"user:{awa.id}", recipient_user_id=awa.id,
                               address=awa.email, channel=DeliveryChannel.EMAIL, status=DeliveryStatus.DEAD,
                               attempts=5, last_error="550 5.1.1 mailbox unavailable", created_at=clock.now())
        uow.session.add(delivery)
        uow.commit()
        return delivery.id


def test_secretariat_admin_sees_dead_letters_with_their_last_error_and_sends_one_again(
        client, container, secretariat, dead_letter, clock):
    sign_in(client, "chantal_admin")
    page = client.get("/admin/deliveries").get_data(as_text=True)
    assert "550 5.1.1 mailbox unavailable" in page and "MNR-2026-000042" in page
    assert _post(client, f"/admin/deliveries/{dead_letter}/retry").status_code == 302
    with container.uow() as uow:
        delivery = uow.session.get(DeliveryRow, dead_letter)
        assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at is not None
    assert "550 5.1.1" not in client.get("/admin/deliveries").get_data(as_text=True)
    assert _post(client, f"/admin/deliveries/{dead_letter}/retry").status_code == 409


def test_an_organisations_admin_does_not_see_the_mechanisms_dead_letters(client, secretariat, dead_letter):
    sign_in(client, "bello_admin")
    assert client.get("/admin/deliveries").status_code == 403
    assert _post(client, f"/admin/deliveries/{dead_letter}/retry").status_code == 403



def test_disabling_or_resetting_an_account_asks_first_on_a_page_of_its_own(client, container):
    awa = _user(container, "awa_caseworker")
    sign_in(client, "bello_admin")
    users = client.get("/admin/users").get_data(as_text=True)
    # The list only links to the question; nothing there acts on one tap.
    assert f'href="/admin/users/{awa.id}/disable"' in users
    assert f'action="/admin/users/{awa.id}/disable"' not in users
    asked = client.get(f"/admin/users/{awa.id}/disable")
    assert asked.status_code == 200 and f'action="/admin/users/{awa.id}/disable"' in asked.get_data(as_text=True)
    assert _user(container, "awa_caseworker").active  # asking changed nothing
    assert client.get(f"/admin/users/{awa.id}/password").status_code == 200
    assert client.get("/admin/users/999999/password").status_code == 404


def test_admin_finds_a_user_by_part_of_a_name(client, container):
    sign_in(client, "bello_admin")
    found = client.get("/admin/users?q=AWA").get_data(as_text=True)
    assert "awa_caseworker" in found and "bello_admin" not in found.split('role="search"')[1]
