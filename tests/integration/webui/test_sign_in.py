"""Signing in and out through the real pages, on a real database."""

from __future__ import annotations

from datetime import timedelta

from web_forms import PASSWORD, csrf_of, sign_in


def test_caseworker_signs_in_and_sees_name_organisation_and_role(client):
    response = sign_in(client, "awa_caseworker")
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "Awa Caseworker" in home
    assert "Caritas Douala" in home
    assert "Gestionnaire de cas" in home


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client):
    response = sign_in(client, "awa_caseworker", password="wrong")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nom d’utilisateur ou mot de passe incorrect." in page
    assert client.get("/").status_code == 302


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client):
    unknown = sign_in(client, "nobody_here").get_data(as_text=True)
    assert "Nom d’utilisateur ou mot de passe incorrect." in unknown


def test_fifth_failure_then_throttles_the_username_from_that_address(client):
    for _ in range(5):
        assert sign_in(client, "awa_caseworker", password="wrong").status_code == 200
    throttled = sign_in(client, "awa_caseworker")
    assert throttled.status_code == 429
    assert "Trop de tentatives" in throttled.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_throttle_is_per_address(client, app):
    for _ in range(5):
        sign_in(client, "awa_caseworker", password="wrong")
    elsewhere = app.test_client()
    response = elsewhere.post(
        "/login",
        data={"username": "awa_caseworker", "password": PASSWORD, "csrf_token": csrf_of(elsewhere)},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert response.status_code == 302


def test_one_address_trying_many_usernames_is_throttled_whatever_the_username(client, app):
    # One password against many names: no single username fails often, the address does.
    for number in range(20):
        assert sign_in(client, f"guess_{number}", password="Summer2026!").status_code == 200
    throttled = sign_in(client, "awa_caseworker")
    assert throttled.status_code == 429
    assert "depuis votre adresse" in throttled.get_data(as_text=True)
    elsewhere = app.test_client()
    response = elsewhere.post("/login", data={"username": "awa_caseworker", "password": PASSWORD,
                                              "csrf_token": csrf_of(elsewhere)}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 302


def test_signing_in_gives_a_new_session_id_each_time(client, app):
    planted = app.test_client()
    with planted.session_transaction() as session:
        session["sid"] = "planted-by-someone-else"
    sign_in(planted, "awa_caseworker")
    with planted.session_transaction() as session:
        first = session["sid"]
    assert first != "planted-by-someone-else"
    sign_in(client, "awa_caseworker")
    with client.session_transaction() as session:
        assert session["sid"] != first


def test_throttle_lifts_after_the_window(client, clock):
    for _ in range(5):
        sign_in(client, "awa_caseworker", password="wrong")
    clock.advance(timedelta(minutes=16))
    assert sign_in(client, "awa_caseworker").status_code == 302


def test_throttle_holds_across_application_instances(container, client):
    # Two web processes share only the database: failures seen by one count in the other.
    from web_forms import TEST_SECRET
    from webui import create_app

    for _ in range(5):
        sign_in(client, "awa_caseworker", password="wrong")
    second = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)
    assert sign_in(second.test_client(), "awa_caseworker").status_code == 429


def test_successful_sign_in_resets_the_failure_count(client):
    for _ in range(4):
        sign_in(client, "awa_caseworker", password="wrong")
    assert sign_in(client, "awa_caseworker").status_code == 302
    client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
    for _ in range(4):
        sign_in(client, "awa_caseworker", password="wrong")
    assert sign_in(client, "awa_caseworker").status_code == 302


def test_sign_out_forgets_the_user(client):
    sign_in(client, "awa_caseworker")
    response = client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_session_expires_after_the_idle_timeout(client, clock):
    sign_in(client, "awa_caseworker")
    clock.advance(timedelta(minutes=29))
    assert client.get("/").status_code == 200
    clock.advance(timedelta(minutes=29))
    assert client.get("/").status_code == 200, "activity keeps the session alive"
    clock.advance(timedelta(minutes=31))
    expired = client.get("/")
    assert expired.status_code == 302 and "/login" in expired.headers["Location"]
    assert "inactivité" in client.get(expired.headers["Location"]).get_data(as_text=True)


def test_switching_language_or_signing_out_after_the_session_expired_goes_on(client, clock):
    sign_in(client, "awa_caseworker")
    token = csrf_of(client, "/")
    clock.advance(timedelta(minutes=31))
    switched = client.post("/language", data={"language": "en", "next": "/tasks/", "csrf_token": token})
    assert switched.status_code == 302 and switched.headers["Location"] == "/tasks/"
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_sign_in_redirects_only_to_paths_on_this_site(client):
    response = sign_in(client, "awa_caseworker", next="https://evil.example/")
    assert response.headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
    response = sign_in(client, "awa_caseworker", next="/notifications")
    assert response.headers["Location"] == "/notifications"


def test_session_cookie_is_http_only_and_same_site_lax(client):
    response = sign_in(client, "awa_caseworker")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_session_cookie_outlives_the_idle_timeout_so_that_an_expired_session_is_recognised(client, app):
    """A browser that dropped the cookie with the idle timeout would come back a stranger: no "your session
    expired" message, and a form sent after the timeout could not be offered again after signing in."""
    import re
    from datetime import datetime, timezone
    from email.utils import parsedate_to_datetime

    cookie = sign_in(client, "awa_caseworker").headers["Set-Cookie"]
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    assert expires - datetime.now(timezone.utc) > app.config["SESSION_MAX_AGE"] - timedelta(minutes=5)


def test_session_cookie_is_secure_by_default(container):
    from web_forms import TEST_SECRET
    from webui import create_app

    secure_app = create_app({"SECRET_KEY": TEST_SECRET}, container=container)
    client = secure_app.test_client()
    response = client.post(
        "/login",
        data={"username": "awa_caseworker", "password": PASSWORD, "csrf_token": "x"},
        base_url="https://localhost",
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_sign_ins_and_sign_outs_are_recorded_in_the_audit_log(client, container):
    from sqlalchemy import select

    from engine.store.models import AuditEntry

    sign_in(client, "awa_caseworker", password="wrong")
    sign_in(client, "awa_caseworker")
    client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
    with container.uow() as uow:
        entries = uow.session.execute(select(AuditEntry.action, AuditEntry.object_id, AuditEntry.ip)
                                      .order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["sign_in.failed", "sign_in.succeeded", "sign_out"]
    assert {e.object_id for e in entries} == {"awa_caseworker"}
    assert all(e.ip == "127.0.0.1" for e in entries)


def test_sign_in_ignores_next_paths_a_browser_would_read_as_another_site(client):
    for target in ["//evil.example/", "/\t/evil.example/", "/\\evil.example", "/\n/evil.example"]:
        response = sign_in(client, "awa_caseworker", next=target)
        assert response.headers["Location"] == "/", repr(target)
        client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
