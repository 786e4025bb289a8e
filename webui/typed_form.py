"""A form being filled in, shown again in the other language when the page's language buttons are pressed.

The language buttons of a page holding a form (a task's, a referral's answer, an expired form offered again
after signing in, the sign-in page carrying one) send that form itself to the language switch (base.html),
with the language and the form's own address in the query. The switch answers with the same form in the new
language, holding what was typed: a caseworker on a phone at an airport desk does not lose a half-filled
form to a language button, nor, once their session has ended, to the sign-in page.

The values go from the page back to the person who sent them in the answer to that very request, never stored
(on the server or in the cookie): nothing is kept to drop. A form's page shows them under its own access checks;
a form nobody signed in sends is carried to the sign-in page only as an expired form is (webui.auth.resume).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, current_app, g, make_response, redirect, request
from werkzeug.exceptions import HTTPException

from webui.auth.resume import (ExpiredForm, carried_form, expired_form_to, form_fields, from_this_browser,
                               not_stored, offer_to_send, sign_in_again)
from webui.csrf import FORM_FIELD

# The id of the form a page holds, which its language buttons send (a page holds one).
TYPED_FORM = "typed-form"


def shows_typed_values(show):
    """Mark the view a form posts to: `show(posted, **view_args)` answers with the form's page again, holding
    the `posted` values, in the request's language, under the same access checks as the page itself."""

    def mark(view):
        view.shows_typed_values = show
        return view

    return mark


def typed_form_again(action: str, safe_path) -> Response:
    """The form this request carries from its page (posting to `action`), again in the language just chosen;
    where it cannot be shown again, the page at `action` (`safe_path` vets the sign-in page's carried form)."""
    if g.user is None:
        # No session to check a token against: only a form from this site, carried to the sign-in page.
        carried = carried_form(request.form, safe_path) if from_this_browser() else None
        carried = carried or expired_form_to(action, FORM_FIELD)
        return sign_in_again(carried) if carried is not None else redirect(action)
    view_args, show = _shown_by(action)
    if show is not None:
        return not_stored(make_response(show(request.form, **view_args)))
    # A form whose page cannot show it again (an expired form of any other kind): offered to send, as it was.
    fields = form_fields(FORM_FIELD)
    if fields is None:
        return redirect(action)
    return offer_to_send(ExpiredForm(action=action, username=g.user.username, fields=fields))


def _shown_by(action: str):
    """(view arguments, the `show` its view is marked with) of the view `action` posts to; None when unmarked."""
    path = urlsplit(action).path.removeprefix(request.script_root)
    try:
        endpoint, view_args = current_app.url_map.bind_to_environ(request.environ).match(path, method="POST")
    except HTTPException:  # no such route (a redirect to another is one too)
        return {}, None
    return view_args, getattr(current_app.view_functions.get(endpoint), "shows_typed_values", None)
