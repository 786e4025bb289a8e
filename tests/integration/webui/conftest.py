"""A real application on a real database, with a small organisation of users to sign in as."""

from __future__ import annotations

import re

import pytest

from engine.domain import Language, OrganisationKind, Role
from engine.store.models import Organisation, User, UserRole
from engine.store.passwords import hash_password
from webui import create_app

PASSWORD = "correct horse battery staple"
TEST_SECRET = "test-secret-key-that-is-long-enough-for-the-check"


def add_user(uow, organisation, username, roles, language=Language.FR, at=None):
    """Store a user of `organisation` holding `roles`, whose password is PASSWORD."""
    user = User(
        username=username,
        display_name=username.replace("_", " ").title(),
        email=f"{username}@example.org",
        language=language,
        password_hash=hash_password(PASSWORD),
        organisation=organisation,
        created_at=at,
        role_rows=[UserRole(role=role) for role in roles],
    )
    uow.session.add(user)
    return user


@pytest.fixture
def people(container, clock):
    """Two organisations on the test database: an NGO with a caseworker and an admin, a ministry
    with its own admin."""
    with container.uow() as uow:
        now = clock.now()
        ngo = Organisation(slug="caritas", name="Caritas Douala", kind=OrganisationKind.NGO, created_at=now)
        other = Organisation(slug="minas", name="MINAS", kind=OrganisationKind.MINISTRY, created_at=now)
        uow.session.add_all([ngo, other])
        add_user(uow, ngo, "awa_caseworker", [Role.CASEWORKER], at=now)
        add_user(uow, ngo, "bello_admin", [Role.ADMIN], language=Language.EN, at=now)
        add_user(uow, other, "chantal_admin", [Role.ADMIN], at=now)
        uow.commit()


@pytest.fixture
def app(container, people):
    """The web application as served, over the test database."""
    return create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)


@pytest.fixture
def client(app):
    """A browser-like client that keeps cookies."""
    return app.test_client()


def csrf_of(client, path="/login") -> str:
    """The CSRF token the page at `path` puts in its forms."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token in {path}"
    return match.group(1)


def sign_in(client, username, password=PASSWORD, **extra):
    """Post the sign-in form the way a browser would."""
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(client), **extra},
    )
