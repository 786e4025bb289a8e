"""Who may see which page, the language switch, and personal API tokens."""

from __future__ import annotations

import re

from web_forms import csrf_of, sign_in


def test_caseworker_is_refused_the_admin_page(client):
    sign_in(client, "awa_caseworker")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "Vous n’avez pas accès à cette page." in response.get_data(as_text=True)


def test_visitor_is_sent_to_sign_in_from_the_admin_page(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/admin/users")


def test_admin_sees_only_the_users_of_their_own_organisation(client):
    sign_in(client, "bello_admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "awa_caseworker" in page and "bello_admin" in page
    assert "chantal_admin" not in page


def test_users_preferred_language_is_used_after_sign_in(client):
    sign_in(client, "bello_admin")  # prefers English
    page = client.get("/").get_data(as_text=True)
    assert 'lang="en"' in page and "Welcome, <bdi>Bello Admin</bdi>" in page and "Administrator" in page


def test_browser_language_is_used_before_sign_in(client):
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert "Se connecter" in client.get("/login", headers={"Accept-Language": "de"}).get_data(as_text=True)


def test_language_switch_changes_the_interface_and_is_remembered_for_the_user(client, app):
    sign_in(client, "awa_caseworker")
    assert "Bienvenue, <bdi>Awa Caseworker</bdi>" in client.get("/").get_data(as_text=True)
    response = client.post("/language", data={"language": "en", "next": "/", "csrf_token": csrf_of(client, "/")})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Welcome, <bdi>Awa Caseworker</bdi>" in client.get("/").get_data(as_text=True)
    other_browser = app.test_client()
    sign_in(other_browser, "awa_caseworker")
    assert "Welcome, <bdi>Awa Caseworker</bdi>" in other_browser.get("/").get_data(as_text=True)


def test_language_switch_refuses_an_unknown_language(client):
    response = client.post("/language", data={"language": "de", "csrf_token": csrf_of(client)})
    assert response.status_code == 400


def test_api_token_is_shown_once_then_works_until_revoked(client, app):
    sign_in(client, "awa_caseworker")
    created = client.post("/account/tokens", data={"name": "reporting script", "csrf_token": csrf_of(client, "/")})
    token = re.search(r'<code id="new-token">([^<]+)</code>', created.get_data(as_text=True)).group(1)
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert "reporting script" in listing and token not in listing

    api = app.test_client()
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json["username"] == "awa_caseworker" and me.json["roles"] == ["caseworker"]

    token_id = re.search(r'/account/tokens/(\d+)/revoke', listing).group(1)
    client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_of(client, "/")})
    refused = api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401 and refused.is_json


def test_api_token_is_stored_only_as_its_hash(client, container):
    from sqlalchemy import select

    from engine.store.models import ApiToken

    sign_in(client, "awa_caseworker")
    created = client.post("/account/tokens", data={"name": "n", "csrf_token": csrf_of(client, "/")})
    token = re.search(r'<code id="new-token">([^<]+)</code>', created.get_data(as_text=True)).group(1)
    with container.uow() as uow:
        stored = uow.session.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64


def test_user_cannot_revoke_someone_elses_token(client, app):
    owner = app.test_client()
    sign_in(owner, "bello_admin")
    owner.post("/account/tokens", data={"name": "mine", "csrf_token": csrf_of(owner, "/")})
    token_id = re.search(r'/account/tokens/(\d+)/revoke', owner.get("/account/tokens").get_data(as_text=True)).group(1)
    sign_in(client, "awa_caseworker")
    response = client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_of(client, "/")})
    assert response.status_code == 404
    assert "mine" in owner.get("/account/tokens").get_data(as_text=True)


def test_api_without_credentials_answers_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.is_json
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_home_shows_unread_notifications_count(client):
    sign_in(client, "awa_caseworker")
    assert "0 notification non lue" in client.get("/").get_data(as_text=True)
    assert "Vous n’avez aucune notification." in client.get("/notifications").get_data(as_text=True)


def test_sop_author_sees_the_pathway_list_and_a_caseworker_does_not(client, app):
    sign_in(client, "diane_author")
    page = client.get("/pathways/")
    assert page.status_code == 200 and "Parcours publiés" in page.get_data(as_text=True)
    assert 'href="/pathways/"' in client.get("/").get_data(as_text=True)
    caseworker = app.test_client()
    sign_in(caseworker, "awa_caseworker")
    assert caseworker.get("/pathways/").status_code == 403
    assert 'href="/pathways/"' not in caseworker.get("/").get_data(as_text=True)
