"""Cross-site request forgery protection: a per-session token every state-changing form must echo."""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, Response, abort, g, request, session
from flask_babel import gettext as _

from webui.api_paths import is_api_request
from webui.auth.resume import expired_form, sign_in_again

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
# Forms that change nothing of anyone's when nobody is signed in.
WITHOUT_AUTHORITY = frozenset({"auth.logout", "auth.switch_language"})


def csrf_token() -> str:
    """This session's token, created on first use; templates put it in every form."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def _check_csrf() -> Response | None:
    # Unknown routes and methods answer 404/405 rather than a confusing CSRF refusal.
    if request.method in SAFE_METHODS or request.routing_exception is not None:
        return
    # A bearer token is not sent by browsers on their own, so it carries no ambient authority
    # a forged cross-site request could borrow.
    if is_api_request() and request.headers.get("Authorization", "").startswith("Bearer "):
        return
    # An API call with no session and no token has no authority to borrow either: it gets the
    # API's 401 (which names the Bearer scheme), not a form-expired 400.
    if is_api_request() and g.get("user") is None:
        return
    # Signing out or switching the language once the session has ended (idle, or signed out in another tab) has
    # no authority to borrow either: it goes on rather than ending at a form-expired 400.
    if request.endpoint in WITHOUT_AUTHORITY and g.get("user") is None:
        return
    expected = session.get("csrf")
    given = request.form.get(FORM_FIELD) or request.headers.get(HEADER) or ""
    if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
        # A form whose session expired while it was being filled in: sign in, then send it.
        expired = expired_form(FORM_FIELD)
        if expired is not None:
            return sign_in_again(expired)
        abort(
            400,
            description=_(
                "This form has expired or did not come from this site. Reload the page and try again."
            ),
        )


def init_csrf(app: Flask) -> None:
    """Refuse every unsafe request that does not carry the session's token."""
    app.before_request(_check_csrf)
    app.jinja_env.globals["csrf_token"] = csrf_token
