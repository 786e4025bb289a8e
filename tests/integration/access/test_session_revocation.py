"""A signed-in session must end for good when its owner signs out, not only in the owner's browser."""

from __future__ import annotations

from datetime import timedelta

from engine.store.seed import load_demo_data
from tests.integration.webui.web_forms import TEST_SECRET, csrf_of
from webui import create_app

COOKIE = "aiguillage_session"


def test_a_session_cookie_copied_before_sign_out_no_longer_signs_anyone_in(container):
    password = load_demo_data(container.uow(), container.clock).password
    app = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)
    browser = app.test_client()
    browser.post("/login", data={"username": "demo-caseworker", "password": password, "csrf_token": csrf_of(browser)})
    assert browser.get("/").status_code == 200
    copied = browser.get_cookie(COOKIE).value
    browser.post("/logout", data={"csrf_token": csrf_of(browser, "/account/tokens")})
    assert browser.get("/").status_code == 302

    thief = app.test_client()
    thief.set_cookie(COOKIE, copied)
    assert thief.get("/").status_code == 302


def test_changing_the_password_ends_the_other_sessions_but_keeps_this_one(container):
    password = load_demo_data(container.uow(), container.clock).password
    app = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)
    laptop, phone = app.test_client(), app.test_client()
    for browser in (laptop, phone):
        browser.post("/login", data={"username": "demo-caseworker", "password": password,
                                     "csrf_token": csrf_of(browser)})
        assert browser.get("/").status_code == 200
    laptop.post("/account/password", data={"current_password": password, "new_password": "a-new-long-passphrase",
                                           "new_password_again": "a-new-long-passphrase",
                                           "csrf_token": csrf_of(laptop, "/account/password")})
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302


def test_a_session_ends_after_its_maximum_age_however_active(container):
    password = load_demo_data(container.uow(), container.clock).password
    app = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)
    browser = app.test_client()
    browser.post("/login", data={"username": "demo-caseworker", "password": password, "csrf_token": csrf_of(browser)})
    for _ in range(app.config["SESSION_MAX_AGE"] // timedelta(minutes=20)):
        assert browser.get("/").status_code == 200
        container.clock.advance(timedelta(minutes=20))
    assert browser.get("/").status_code == 302
