"""CSRF refusal, security headers on every response, size limits, errors without tracebacks."""

from __future__ import annotations

import re

import pytest
from flask import abort

from web_forms import PASSWORD, csrf_of, sign_in

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)


def _assert_security_headers(response):
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_sign_in_without_csrf_token_is_refused(client):
    response = client.post("/login", data={"username": "awa_caseworker", "password": PASSWORD})
    assert response.status_code == 400
    assert "Ce formulaire a expiré" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_post_with_another_sessions_csrf_token_is_refused(client, app):
    sign_in(client, "awa_caseworker")
    stolen = csrf_of(app.test_client())
    response = client.post("/account/tokens", data={"name": "x", "csrf_token": stolen})
    assert response.status_code == 400


def test_every_kind_of_response_carries_the_security_headers(client):
    responses = [
        client.get("/login"),
        client.get("/"),
        client.get("/static/app.css"),
        client.get("/no-such-page"),
        client.post("/login"),
        client.get("/api/v1/me"),
        client.delete("/login"),
    ]
    sign_in(client, "awa_caseworker")
    responses += [client.get("/"), client.get("/notifications"), client.get("/admin/users"),
                  client.get("/api/v1/me"), client.get("/account/tokens")]
    for response in responses:
        _assert_security_headers(response)
        response.close()


def test_pages_of_a_signed_in_user_are_not_cached(client):
    sign_in(client, "awa_caseworker")
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_templates_hold_no_inline_script_or_style(client):
    sign_in(client, "bello_admin")
    for path in ["/", "/tasks/", "/notifications", "/admin/users", "/account/tokens", "/nowhere"]:
        page = client.get(path).get_data(as_text=True).lower()
        # Scripts come from the site's own files (the CSP forbids inline ones), never written in the page.
        assert not re.search(r"<script(?![^>]*\ssrc=\"/static/)", page), path
        assert re.search(r'<script src="/static/dist/forms.js" defer></script>', page), path
        assert "<style" not in page and " style=" not in page, path
        assert " onclick=" not in page and " onload=" not in page, path


def test_request_larger_than_the_limit_is_refused(app):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    client = app.test_client()
    response = client.post("/login", data={"username": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "trop volumineux" in response.get_data(as_text=True)


def test_unknown_page_is_a_404_page_in_the_users_language(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "This page does not exist" in response.get_data(as_text=True)


def test_wrong_method_is_a_405_page_with_allow_header(client):
    response = client.delete("/login")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "<html" in response.get_data(as_text=True)


@pytest.fixture
def failing_app(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    @app.get("/api/v1/boom")
    def api_boom():
        raise RuntimeError("secret internal detail")

    @app.get("/api/v1/conflict")
    def api_conflict():
        abort(409)

    return app


def test_server_error_shows_a_page_without_traceback_or_detail(failing_app):
    response = failing_app.test_client().get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Traceback" not in page and "secret internal detail" not in page
    assert "Une erreur s’est produite" in page


def test_api_errors_are_json_without_traceback(failing_app):
    client = failing_app.test_client()
    response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.is_json and response.json["error"]["code"] == "server_error"
    assert "secret internal detail" not in response.get_data(as_text=True)
    conflict = client.get("/api/v1/conflict")
    assert conflict.status_code == 409 and conflict.is_json


def test_engine_errors_map_to_their_http_status(app):
    from engine import errors

    @app.get("/api/v1/invalid")
    def invalid():
        raise errors.InvalidData("the form has errors", {"risk_level": "choose a risk level"})

    @app.get("/hidden")
    def hidden():
        raise errors.NotFound("case 12 does not exist")

    client = app.test_client()
    invalid_response = client.get("/api/v1/invalid")
    assert invalid_response.status_code == 422
    assert invalid_response.json["error"]["fields"] == {"risk_level": ["choose a risk level"]}
    assert client.get("/hidden").status_code == 404


def test_application_refuses_to_start_without_a_strong_secret_key(container):
    from webui import create_app
    from webui.config import ConfigurationError

    with pytest.raises(ConfigurationError, match="AIGUILLAGE_SECRET_KEY"):
        create_app({"SECRET_KEY": None}, container=container)
    with pytest.raises(ConfigurationError, match="AIGUILLAGE_SECRET_KEY"):
        create_app({"SECRET_KEY": "short"}, container=container)


def test_https_responses_ask_browsers_to_stay_on_https(client):
    assert "max-age=" in client.get("/login", base_url="https://localhost").headers["Strict-Transport-Security"]
    assert "Strict-Transport-Security" not in client.get("/login", base_url="http://localhost").headers
