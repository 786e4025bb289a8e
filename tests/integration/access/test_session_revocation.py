"""A signed-in session must end for good when its owner signs out, not only in the owner's browser."""

from __future__ import annotations

import pytest

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
    answer = thief.get("/").status_code
    if answer == 200:
        # Reported, not yet fixed: the session lives in a signed cookie that signing out cannot revoke.
        pytest.xfail("known hole: a session cookie copied before sign-out keeps working while it is used")
    assert answer == 302
