"""Signing in through the forms, as a browser does: shared by the web application's tests."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from engine.domain import Language
from engine.store.models import User, UserRole
from engine.store.passwords import hash_password

PASSWORD = "correct horse battery staple"
TEST_SECRET = "test-secret-key-that-is-long-enough-for-the-check"


@lru_cache(maxsize=1)
def _password_hash() -> str:
    # Argon2id is slow on purpose; every test user shares one hash of PASSWORD.
    return hash_password(PASSWORD)


def add_user(uow, organisation, username, roles, language=Language.FR, at=None):
    """Store a user of `organisation` holding `roles`, whose password is PASSWORD."""
    user = User(
        username=username,
        display_name=username.replace("_", " ").title(),
        email=f"{username}@example.org",
        language=language,
        password_hash=_password_hash(),
        organisation=organisation,
        created_at=at,
        role_rows=[UserRole(role=role) for role in roles],
    )
    uow.session.add(user)
    return user


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


def language_buttons(page: str) -> list[str]:
    """Where the page's language buttons send the form it holds (the language shown is one, disabled)."""
    return [html.unescape(action) for action in re.findall(r'form="typed-form" formnovalidate\s+formaction="([^"]+)"', page)]
