"""Finding the user behind a request (session cookie or API token) and guarding views with it."""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from engine.domain import Role
from webui.api_paths import is_api_request
from webui.auth import accounts
from webui.auth.api_tokens import new_token, token_hash
from webui.auth.signed_in_user import SignedInUser
from webui.request_scope import begin_writing, clock, session_clock, uow

SESSION_KEY = "sid"
# How stale a session's "last seen" (or a token's "last used") may get before a request writes it
# again: a write per request would cost more than the minute of precision it buys.
TOUCH_INTERVAL = timedelta(minutes=1)


def start_session(user) -> None:
    """Sign `user` in: a fresh session (no fixation), recorded on the server, keeping only the language choice."""
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    session.permanent = True
    token = new_token()
    accounts.open_session(begin_writing().session, user_id=user.id, digest=token_hash(token), ip=request.remote_addr,
                          user_agent=request.user_agent.string, at=session_clock().now())
    uow().commit()
    session[SESSION_KEY] = token
    # The rest of this request is theirs too: a page it renders (the expired form offered again) has their menu.
    g.user = SignedInUser.of(user)


def current_session_hash() -> str | None:
    """The hash of the signed-in session's token (None outside a browser session)."""
    token = session.get(SESSION_KEY)
    return token_hash(token) if isinstance(token, str) else None


def end_session() -> None:
    """End the signed-in session on the server and forget every value the cookie held."""
    digest = current_session_hash()
    if digest is not None:
        accounts.close_session(begin_writing().session, digest, session_clock().now())
        uow().commit()
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language


def _unauthorized(description: str | None = None) -> Unauthorized:
    # Tells API clients which scheme to use: `Authorization: Bearer <personal token>`.
    return Unauthorized(description=description, www_authenticate=WWWAuthenticate("bearer"))


def _from_bearer_token(header: str) -> None:
    digest = token_hash(header.removeprefix("Bearer ").strip())
    now = clock().now()
    found = accounts.user_by_token_hash(uow().session, digest)
    if found is None:
        raise _unauthorized(_("The API token is not valid or has been revoked."))
    user, last_used_at = found
    g.user = SignedInUser.of(user)
    g.signed_in_with_token = True
    if last_used_at is None or now - last_used_at >= TOUCH_INTERVAL:
        accounts.touch_token(begin_writing().session, digest, now)
        uow().commit()


def _load_user() -> None:
    g.user = None
    if request.endpoint == "static":
        return
    header = request.headers.get("Authorization", "")
    if is_api_request() and header.startswith("Bearer "):
        _from_bearer_token(header)
        return
    digest = current_session_hash()
    if digest is None:
        return
    now = session_clock().now()
    record = accounts.live_session(uow().session, digest)
    config = current_app.config
    if record is None:
        end_session()
        return
    if now - record.last_seen_at > config["SESSION_IDLE_TIMEOUT"] or now - record.created_at >= config["SESSION_MAX_AGE"]:
        end_session()
        g.session_expired = True
        g.expired_user_id = record.user_id  # whose form a request of the ended session carries (webui.auth.resume)
        return
    user = accounts.user_by_id(uow().session, record.user_id)
    if user is None:
        end_session()
        return
    g.user = SignedInUser.of(user)
    if now - record.last_seen_at >= TOUCH_INTERVAL:
        accounts.touch_session(begin_writing().session, digest, now)
        uow().commit()


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


# What a user must still reach while their password is one someone else chose.
OPEN_BEFORE_PASSWORD_CHANGE = frozenset({"auth.password", "auth.change_password", "auth.logout",
                                         "auth.switch_language", "static"})


def _require_own_password():
    """Hold a user signed in with someone else's password on the password form until they choose their own."""
    user = g.user
    if user is None or not user.must_change_password or request.endpoint in OPEN_BEFORE_PASSWORD_CHANGE:
        return None
    # API tokens are made by their owner once signed in, so after choosing a password: they go through.
    if g.get("signed_in_with_token"):
        return None
    if is_api_request():
        abort(403, description="choose your own password on the account page first")
    return redirect(url_for("auth.password"))


def init_session_user(app: Flask) -> None:
    """Identify the user at the start of every request, and hold back one who must change their password."""
    app.before_request(_load_user)
    app.before_request(_require_own_password)
