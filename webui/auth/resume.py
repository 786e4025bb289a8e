"""A form sent after its session expired: sign in again, then send it, rather than lose what was typed.

A caseworker called away from a long form finds, on sending it, that the session ended: the form's own
token ended with it, so the form is refused. Instead of a dead end, the sign-in page carries the fields
back (only in the page, never stored) and, once the same person is signed in again, offers to send them.
The fields go only between the browser that typed them and this site: a form from another site (by its
Origin, else its Referer), a password form or a file upload is refused as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Response, g, render_template, request

from webui.auth import accounts
from webui.request_scope import uow

FIELD_PREFIX = "resume."
ACTION = "resume_to"
USERNAME = "resume_for"
# Forms that are not resumed: signing in and out, the language switch.
NOT_RESUMED = frozenset({"auth.login_submit", "auth.logout", "auth.switch_language"})


@dataclass(frozen=True)
class ExpiredForm:
    """A form refused because its session expired: where it was going, whose it was, and its fields."""

    action: str
    username: str
    fields: tuple[tuple[str, str], ...]


def expired_form(token_field: str) -> ExpiredForm | None:
    """The form of this request, if its session expired and it may be offered back after signing in."""
    if request.endpoint in NOT_RESUMED:
        return None
    return expired_form_to(request.full_path.rstrip("?"), token_field)


def expired_form_to(action: str, token_field: str) -> ExpiredForm | None:
    """The form this request carries for `action` (a path of this site), if its session expired and it may
    be offered back after signing in."""
    user_id = g.get("expired_user_id")
    if user_id is None or not from_this_browser():
        return None
    fields = form_fields(token_field)
    user = accounts.user_by_id(uow().session, user_id)
    if user is None or fields is None:
        return None
    return ExpiredForm(action=action, username=user.username, fields=fields)


def form_fields(token_field: str) -> tuple[tuple[str, str], ...] | None:
    """The fields this request's form posted, but its token; None for a form never carried back (a password's)."""
    fields = tuple((name, value) for name, value in request.form.items(multi=True) if name != token_field)
    return None if any("password" in name for name, _ in fields) else fields


def from_this_browser() -> bool:
    """Whether this request is a plain form (no file) posted from a page of this site."""
    return (request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded"
            and _from_this_site())


def sign_in_again(form: ExpiredForm) -> Response:
    """The sign-in page, carrying the expired form's fields."""
    page = render_template("auth/login.html", next=form.action, username=form.username, error=None, resume=form)
    return not_stored(Response(page))


def carried_form(posted, safe_path) -> ExpiredForm | None:
    """The expired form the sign-in page carried back, if any (`safe_path` vets where it goes)."""
    action = posted.get(ACTION)
    if not action or safe_path(action) != action:
        return None
    fields = tuple((name.removeprefix(FIELD_PREFIX), value) for name, value in posted.items(multi=True)
                   if name.startswith(FIELD_PREFIX))
    return ExpiredForm(action=action, username=posted.get(USERNAME, ""), fields=fields)


def offer_to_send(form: ExpiredForm) -> Response:
    """After signing in again: the expired form, ready to be sent with the new session's token."""
    return not_stored(Response(render_template("auth/resume.html", resume=form)))


def not_stored(response: Response) -> Response:
    # What the person typed is in the page: keep it out of caches and the browser's history.
    response.headers["Cache-Control"] = "no-store"
    return response


def _from_this_site() -> bool:
    here = urlsplit(request.host_url)[:2]
    origin = request.headers.get("Origin")
    if origin:
        return urlsplit(origin)[:2] == here
    referer = request.headers.get("Referer")
    return bool(referer) and urlsplit(referer)[:2] == here
