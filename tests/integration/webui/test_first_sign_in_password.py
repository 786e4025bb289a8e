"""A password someone else chose (an administrator creating or resetting an account) is replaced by its
owner at their first sign-in, before anything else; the demo's shared password is not."""

from __future__ import annotations

import re

from sqlalchemy import select

from engine.store.models import AuditEntry, User
from engine.store.seed import load_demo_data
from web_forms import PASSWORD, csrf_of, sign_in

OWN = "a password of my very own choosing"


def _post(client, path: str, data: dict | None = None):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_of(client, "/account/password")})


def _create(app, username: str, language: str = "fr", password: str = "") -> str:
    """The password of an account bello_admin creates (made for him when `password` is empty)."""
    admin = app.test_client()
    sign_in(admin, "bello_admin")
    page = admin.post("/admin/users", data={"username": username, "roles": "caseworker", "language": language,
                                            "password": password, "csrf_token": csrf_of(admin, "/admin/users")})
    assert page.status_code == 200
    return password or re.search(r'<code id="initial-password">([^<]+)</code>', page.get_data(as_text=True)).group(1)


def _change(client, current: str, new: str):
    return client.post("/account/password", data={"current_password": current, "new_password": new,
                                                  "new_password_again": new,
                                                  "csrf_token": csrf_of(client, "/account/password")})


def _must_change(container, username: str) -> bool:
    with container.uow() as uow:
        return uow.session.scalar(select(User.must_change_password).where(User.username == username))


def test_a_new_account_chooses_its_own_password_before_anything_else(app, container):
    given = _create(app, "fatou", language="en")
    client = app.test_client()
    signed_in = sign_in(client, "fatou", given, next="/tasks/")
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/account/password"
    for held_back in (client.get("/"), client.get("/tasks/"), client.get("/account/tokens"),
                      _post(client, "/account/tokens", {"name": "before changing"})):
        assert held_back.status_code == 302 and held_back.headers["Location"] == "/account/password"
    page = client.get("/account/password").get_data(as_text=True)
    assert "Your password was chosen by an administrator." in page
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.json["error"]["code"] == "forbidden"
    same = _change(client, given, given)
    assert same.status_code == 422 and "Choose a password other than the current one." in same.get_data(as_text=True)
    assert _change(client, given, OWN).headers["Location"] == "/"
    assert not _must_change(container, "fatou")
    assert client.get("/").status_code == 200 and client.get("/api/v1/me").json["username"] == "fatou"
    with container.uow() as uow:
        assert uow.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "account.password_changed",
                                                              AuditEntry.object_id == "fatou"))


def test_a_password_the_administrator_chose_is_replaced_too_and_the_reader_is_told_in_french(app, container):
    given = _create(app, "gaston", password="a password chosen by the admin")
    client = app.test_client()
    assert sign_in(client, "gaston", given).headers["Location"] == "/account/password"
    page = client.get("/account/password").get_data(as_text=True)
    assert "Votre mot de passe a été choisi par un administrateur." in page
    assert "Changer mon mot de passe" in page
    # Signing out and switching language stay open.
    assert _post(client, "/language", {"language": "en", "next": "/"}).status_code == 302
    assert "Your password was chosen by an administrator." in client.get("/account/password").get_data(as_text=True)
    assert _post(client, "/logout").headers["Location"] == "/login"
    assert _must_change(container, "gaston")


def test_a_reset_password_is_shown_once_ends_the_owners_sessions_and_is_replaced_at_sign_in(app, container):
    owner = app.test_client()
    sign_in(owner, "awa_caseworker")
    assert owner.get("/").status_code == 200
    admin = app.test_client()
    sign_in(admin, "bello_admin")
    awa = _user_id(container, "awa_caseworker")
    reset = _post(admin, f"/admin/users/{awa}/password")
    page = reset.get_data(as_text=True)
    assert reset.status_code == 200 and "New password of awa_caseworker." in page
    given = re.search(r'<code id="initial-password">([^<]+)</code>', page).group(1)
    listed = admin.get("/admin/users").get_data(as_text=True)
    assert given not in listed and "password to change at sign-in" in listed
    assert owner.get("/").headers["Location"].startswith("/login")
    assert sign_in(app.test_client(), "awa_caseworker", PASSWORD).status_code == 200  # the old one is gone
    again = app.test_client()
    assert sign_in(again, "awa_caseworker", given).headers["Location"] == "/account/password"
    with container.uow() as uow:
        actions = list(uow.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == "awa_caseworker")))
    assert "account.password_reset" in actions


def test_a_reset_password_also_ends_the_api_tokens_made_before_it(app, container):
    owner = app.test_client()
    sign_in(owner, "awa_caseworker")
    page = _post(owner, "/account/tokens", {"name": "made with the old password"}).get_data(as_text=True)
    token = re.search(r"<code[^>]*>([^<]+)</code>", page).group(1)
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 200
    admin = app.test_client()
    sign_in(admin, "bello_admin")
    assert _post(admin, f"/admin/users/{_user_id(container, 'awa_caseworker')}/password").status_code == 200
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401


def test_an_administrator_resets_only_the_passwords_of_accounts_they_manage_and_not_their_own(app, container):
    admin = app.test_client()
    sign_in(admin, "bello_admin")
    assert _post(admin, f"/admin/users/{_user_id(container, 'bello_admin')}/password").status_code == 409
    assert _post(admin, f"/admin/users/{_user_id(container, 'diane_author')}/password").status_code == 404
    caseworker = app.test_client()
    sign_in(caseworker, "awa_caseworker")
    assert _post(caseworker, f"/admin/users/{_user_id(container, 'bello_admin')}/password").status_code == 403
    assert not _must_change(container, "diane_author") and not _must_change(container, "bello_admin")


def test_demo_accounts_keep_the_shared_demo_password(app, container, clock):
    demo = load_demo_data(container.uow(), clock)
    client = app.test_client()
    signed_in = sign_in(client, "demo-caseworker", demo.password)
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def _user_id(container, username: str) -> int:
    with container.uow() as uow:
        return uow.session.scalar(select(User.id).where(User.username == username))
