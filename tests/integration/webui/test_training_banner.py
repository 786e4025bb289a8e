"""Every page of a training installation says that its clock is not the real time, in both languages."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest

from engine.bootstrap import Settings, build
from engine.services.installation.training_clock import move_clock_forward, start_training_mode
from web_forms import TEST_SECRET, sign_in
from webui import create_app
from webui.security_headers import CONTENT_SECURITY_POLICY

BANNERS = {
    "fr": "Installation de formation — horloge avancée de 31 jours",
    "en": "Training installation — clock moved forward by 31 days",
}


@pytest.fixture
def installation(database_url, tmp_path):
    """An application on the installation's own clock (not a test's manual one)."""
    built = build(Settings(database_url=database_url, instance_dir=tmp_path / "instance"))
    yield built
    built.dispose()


LABELS = {"fr": "Installation de formation", "en": "Training installation"}


def _page(app, path: str, language: str):
    response = app.test_client().get(path, headers={"Accept-Language": language})
    return response, html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_pages_of_a_training_installation_show_how_far_its_clock_moved(installation, language):
    start_training_mode(installation.uow(), installation.clock.real)
    move_clock_forward(installation.uow(), installation.clock.real, timedelta(days=31))
    app = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=installation)
    for path in ("/login", "/no-such-page"):
        response, page = _page(app, path, language)
        # In a landmark of its own, after the skip link (which stays the first thing a keyboard reaches).
        assert f'<aside class="training-banner" aria-label="{LABELS[language]}">{BANNERS[language]}</aside>' in page, path
        assert page.index('class="skip-link"') < page.index('class="training-banner"'), path
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_the_banner_counts_hours_too(installation):
    start_training_mode(installation.uow(), installation.clock.real)
    move_clock_forward(installation.uow(), installation.clock.real, timedelta(days=1, hours=6))
    app = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=installation)
    assert "horloge avancée de 1 jour et 6 heures" in _page(app, "/login", "fr")[1]


def test_a_training_clock_not_moved_yet_says_it_shows_the_real_time(installation):
    start_training_mode(installation.uow(), installation.clock.real)
    app = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=installation)
    page = _page(app, "/login", "fr")[1]
    assert "Installation de formation — son horloge indique encore l’heure réelle" in page
    assert "avancée de 0" not in page


def test_an_installation_that_is_not_a_training_one_shows_no_banner(installation, client):
    app = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=installation)
    assert "training-banner" not in _page(app, "/login", "en")[1]
    # Nor does an application on a test's manual clock, signed in or not.
    assert sign_in(client, "awa_caseworker").status_code == 302
    assert "training-banner" not in client.get("/").get_data(as_text=True)


def test_moving_a_training_clock_forward_keeps_signed_in_people_signed_in(installation, database_url, tmp_path):
    from engine.store.seed import load_demo_data

    seed = load_demo_data(installation.uow(), installation.clock.real)
    start_training_mode(installation.uow(), installation.clock.real)
    config = {"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}
    before = create_app(config, container=installation).test_client()
    assert sign_in(before, "demo-caseworker", seed.password).status_code == 302
    move_clock_forward(installation.uow(), installation.clock.real, timedelta(days=31))
    # Another process of the installation (its clock reads the move at once), same browser cookie.
    moved = build(Settings(database_url=database_url, instance_dir=tmp_path / "instance"))
    try:
        after = create_app(config, container=moved).test_client()
        cookie = before.get_cookie("aiguillage_session")
        after.set_cookie("aiguillage_session", cookie.value)
        page = after.get("/tasks/")
        assert page.status_code == 200, page.headers.get("Location")
        assert BANNERS["fr"] in html.unescape(page.get_data(as_text=True))  # demo-caseworker reads French
    finally:
        moved.dispose()


def test_the_training_clock_says_it_only_moves_forward_when_asked_to_go_back_or_nowhere(installation):
    from engine.errors import InvalidData
    from engine.services.accounts.actors import load_actor
    from engine.services.installation.training_clock import move_training_clock
    from engine.store.seed import load_demo_data

    load_demo_data(installation.uow(), installation.clock.real)
    start_training_mode(installation.uow(), installation.clock.real)
    coordinator = load_actor(installation.uow(), "demo-coordinator")
    for days, hours in (("-2", ""), ("0", "0"), ("", ""), ("", "-1")):
        with pytest.raises(InvalidData) as refused:
            move_training_clock(installation.uow(), installation.clock.real, coordinator, days, hours)
        assert {name: [problem.code for problem in found] for name, found in refused.value.errors.items()} in (
            {"days": ["forward_only"]}, {"hours": ["forward_only"]}), (days, hours)
    with pytest.raises(InvalidData) as refused:
        move_training_clock(installation.uow(), installation.clock.real, coordinator, "two", "")
    assert [problem.code for problem in refused.value.errors["days"]] == ["not_whole_number"]
