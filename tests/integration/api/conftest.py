"""The API over a real database (SQLite and PostgreSQL): demo directory, Cameroon pathway, personal tokens."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

from engine.bootstrap import Settings, build
from engine.clock import ManualClock
from engine.store.models import User
from engine.store.write_lock import lock_for_writing
from webui import create_app
from webui.auth.accounts import add_token
from webui.auth.api_tokens import new_token, token_hash

from tests.conftest import DATABASES, START, database_of_its_own
# The demo directory loaded and the Cameroon pathway published through the services.
from tests.integration.services.conftest import publish_demo, published  # noqa: F401  (a fixture)

TEST_SECRET = "test-secret-key-that-is-long-enough-for-the-api-tests"


class ApiUsers:
    """Personal API tokens for demo users, created on first use, and requests made with them."""

    def __init__(self, app, container):
        self.client = app.test_client()
        self.container = container
        self.tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        """The username's personal API token (stored hashed, as the account page does)."""
        if username not in self.tokens:
            token = new_token()
            with self.container.uow() as uow:
                # First, as the account page does: on SQLite a transaction that read before another
                # connection committed could not write after it (a test writing beside steady writes).
                lock_for_writing(uow)
                user_id = uow.session.scalar(select(User.id).where(User.username == username))
                add_token(uow.session, user_id=user_id, name=f"tests-{secrets.token_hex(2)}", digest=token_hash(token),
                          at=self.container.clock.now())
                uow.commit()
            self.tokens[username] = token
        return self.tokens[username]

    def call(self, username: str, method: str, path: str, json=None, **kwargs):
        """One request to /api/v1 as `username`."""
        headers = {"Authorization": f"Bearer {self.token(username)}"}
        return self.client.open(f"/api/v1{path}", method=method, json=json, headers=headers, **kwargs)

    def get(self, username: str, path: str, **kwargs):
        return self.call(username, "GET", path, **kwargs)

    def post(self, username: str, path: str, json=None, **kwargs):
        return self.call(username, "POST", path, json=json, **kwargs)


def _served(container):
    return create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)


@pytest.fixture
def app(container, published):
    """The web application as served, over the test database."""
    return _served(container)


# For the tests that change nothing (a request refused, an id that names nothing): one world per module and
# database, built once (seconds) instead of once a test. A test that changes something uses `app`.

@pytest.fixture(scope="module", params=DATABASES)
def unchanged_container(request, tmp_path_factory):
    """The application's parts over a database of the module's own, with the demo directory and the
    Cameroon pathway published (see `published`); its clock does not move."""
    directory = tmp_path_factory.mktemp("unchanged")
    with database_of_its_own(request, directory) as url:
        built = build(Settings(database_url=url, instance_dir=directory / "instance"), clock=ManualClock(START))
        try:
            publish_demo(built)
            yield built
        finally:
            built.dispose()


@pytest.fixture(scope="module")
def unchanged_app(unchanged_container):
    """The web application as served, over `unchanged_container`'s database."""
    return _served(unchanged_container)


@pytest.fixture(scope="module")
def unchanged_api(unchanged_app, unchanged_container) -> ApiUsers:
    """Requests to the API of `unchanged_app` as named demo users."""
    return ApiUsers(unchanged_app, unchanged_container)


@pytest.fixture
def api(app, container) -> ApiUsers:
    """Requests to the API as named demo users."""
    return ApiUsers(app, container)
