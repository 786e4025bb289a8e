"""Changing one's own password: the current one is checked, the new one is long enough, the change is audited."""

from __future__ import annotations

import re

from sqlalchemy import select

from engine.store.models import AuditEntry
from web_forms import PASSWORD, csrf_of, sign_in

NEW = "a brand new and long password"


def _change(client, current: str, new: str, again: str | None = None):
    return client.post("/account/password", data={"current_password": current, "new_password": new,
                                                  "new_password_again": new if again is None else again,
                                                  "csrf_token": csrf_of(client, "/account/password")})


def test_user_changes_their_password_and_signs_in_with_the_new_one_only(client, app, container):
    sign_in(client, "awa_caseworker")
    assert _change(client, PASSWORD, NEW).status_code == 302
    assert sign_in(app.test_client(), "awa_caseworker", NEW).status_code == 302
    assert sign_in(app.test_client(), "awa_caseworker", PASSWORD).status_code == 200
    with container.uow() as uow:
        assert uow.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "account.password_changed"))


def test_a_wrong_current_password_a_short_or_mistyped_new_one_are_refused_in_french(client, app):
    sign_in(client, "awa_caseworker")
    wrong = _change(client, "not my password", NEW)
    assert wrong.status_code == 422 and "Ce n&#39;est pas votre mot de passe actuel." in wrong.get_data(as_text=True)
    short = _change(client, PASSWORD, "short")
    assert short.status_code == 422 and "au moins 12 caractères" in short.get_data(as_text=True)
    mistyped = _change(client, PASSWORD, NEW, again=NEW + "!")
    assert mistyped.status_code == 422 and "Les deux nouveaux mots de passe diffèrent." in mistyped.get_data(as_text=True)
    assert sign_in(app.test_client(), "awa_caseworker", PASSWORD).status_code == 302


def _session_id(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("sid")


def test_changing_the_password_rotates_the_session_id_and_the_old_cookie_opens_nothing(client, app):
    sign_in(client, "awa_caseworker")
    before = _session_id(client)
    stolen = app.test_client()
    with stolen.session_transaction() as session:
        session["sid"] = before  # a copy of the cookie as it was before the change
    assert stolen.get("/").status_code == 200
    assert _change(client, PASSWORD, NEW).status_code == 302
    after = _session_id(client)
    assert after and after != before
    assert client.get("/").status_code == 200  # the person who changed it stays signed in
    assert stolen.get("/").headers["Location"].startswith("/login")


def _new_token(client, name: str) -> str:
    created = client.post("/account/tokens", data={"name": name, "csrf_token": csrf_of(client, "/account/tokens")})
    return re.search(r'<code id="new-token">([^<]+)</code>', created.get_data(as_text=True)).group(1)


def test_changing_ones_password_revokes_ones_api_tokens_and_says_so(client, app, container):
    sign_in(client, "awa_caseworker")
    token = _new_token(client, "made with a stolen password, maybe")
    api = app.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    changed = _change(client, PASSWORD, NEW)
    assert changed.status_code == 302
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    home = client.get(changed.headers["Location"]).get_data(as_text=True)
    assert "Vos jetons d’API ont été révoqués" in home
    with container.uow() as uow:
        details = uow.session.scalar(select(AuditEntry.details).where(AuditEntry.action == "account.password_changed"))
        assert details == {"api_tokens_revoked": 1}
