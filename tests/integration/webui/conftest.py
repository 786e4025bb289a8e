"""A real application on a real database (SQLite and PostgreSQL), with users to sign in as."""

from __future__ import annotations

import pytest

from engine.domain import Language, OrganisationKind, Role
from engine.store.models import Organisation
from web_forms import TEST_SECRET, add_user
from webui import create_app


@pytest.fixture
def people(container, clock):
    """Two organisations on the test database: an NGO with a caseworker and an admin, a ministry
    with its own admin and an SOP author."""
    with container.uow() as uow:
        now = clock.now()
        ngo = Organisation(slug="caritas", name="Caritas Douala", kind=OrganisationKind.NGO, created_at=now)
        other = Organisation(slug="minas", name="MINAS", kind=OrganisationKind.MINISTRY, created_at=now)
        uow.session.add_all([ngo, other])
        add_user(uow, ngo, "awa_caseworker", [Role.CASEWORKER], at=now)
        add_user(uow, ngo, "bello_admin", [Role.ADMIN], language=Language.EN, at=now)
        add_user(uow, other, "diane_author", [Role.SOP_AUTHOR], at=now)
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
