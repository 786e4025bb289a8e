"""Finding the user behind a request (session cookie or API token) and guarding views with it."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import wraps

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from engine.domain import Role
from webui.api_paths import is_api_request
from webui.auth import accounts
from webui.auth.api_tokens import token_hash
from webui.auth.signed_in_user import SignedInUser
from webui.request_scope import clock, uow

USER_KEY = "user_id"
SEEN_KEY = "seen_at"


def start_session(user) -> None:
    """Sign `user` in: a fresh session (no fixation), keeping only the language choice."""
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    session.permanent = True
    session[USER_KEY] = user.id
    session[SEEN_KEY] = clock().now().timestamp()


def end_session() -> None:
    """Forget who is signed in, and every other value the session held."""
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language


def _unauthorized(description: str | None = None) -> Unauthorized:
    # Tells API clients which scheme to use: `Authorization: Bearer <personal token>`.
    return Unauthorized(description=description, www_authenticate=WWWAuthenticate("bearer"))


def _from_bearer_token(header: str) -> None:
    user = accounts.user_by_token_hash(uow().session, token_hash(header.removeprefix("Bearer ").strip()),
                                       clock().now())
    if user is None:
        raise _unauthorized(_("The API token is not valid or has been revoked."))
    uow().commit()
    g.user = SignedInUser.of(user)


def _load_user() -> None:
    g.user = None
    if request.endpoint == "static":
        return
    header = request.headers.get("Authorization", "")
    if is_api_request() and header.startswith("Bearer "):
        _from_bearer_token(header)
        return
    user_id = session.get(USER_KEY)
    if user_id is None:
        return
    now = clock().now()
    seen_at = session.get(SEEN_KEY)
    idle = current_app.config["SESSION_IDLE_TIMEOUT"]
    if seen_at is None or now - datetime.fromtimestamp(seen_at, timezone.utc) > idle:
        end_session()
        g.session_expired = True
        return
    user = accounts.user_by_id(uow().session, user_id)
    if user is None:
        end_session()
        return
    g.user = SignedInUser.of(user)
    session[SEEN_KEY] = now.timestamp()


def login_required(view):
    """Send visitors who are not signed in to the sign-in page (401 for the API)."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if g.user is None:
            if is_api_request():
                raise _unauthorized()
            if g.get("session_expired"):
                flash(_("Your session expired after a period of inactivity. Please sign in again."), "info")
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return guarded


def role_required(role: Role):
    """Allow the view only to signed-in users holding `role` (403 for everyone else)."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not g.user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return login_required(guarded)

    return decorate


def init_session_user(app: Flask) -> None:
    """Identify the user at the start of every request."""
    app.before_request(_load_user)
