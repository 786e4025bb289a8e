"""A form being filled in, shown again in the other language when the page's language buttons are pressed.

The language buttons of a page holding a form (a task's, a referral's answer, a task's hand-over, an
administrator's new account, an account's roles, new organisation or training clock move, a directory
service's edit form, an expired form offered again after signing in, the sign-in page carrying one) send
that form itself to the language switch (base.html), with the language and the form's own address in the query. The switch answers
with the same form in the new language, holding what was typed: a caseworker on a phone at an airport desk
does not lose a half-filled form to a language button, nor, once their session has ended, to the sign-in page.

The values go from the page back to the person who sent them in the answer to that very request, never stored
(on the server or in the cookie): nothing is kept to drop. The switch calls the view the form posts to, so that
view's own access checks (its decorators, then those of the page `show` renders) come first: a person who may not
send the form gets a refusal, never the values. A form nobody signed in sends is carried to the sign-in page only
as an expired form is (webui.auth.resume).
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Response, current_app, g, make_response, redirect, request
from werkzeug.exceptions import HTTPException

from webui.auth.resume import (ExpiredForm, carried_form, expired_form_to, form_fields, from_this_browser,
                               not_stored, offer_to_send, sign_in_again)
from webui.csrf import FORM_FIELD

# The id of the form a page holds, which its language buttons send (a page holds one).
TYPED_FORM = "typed-form"
# Where the switch leaves the typed values for the marked view it calls, in place of sending them.
_TYPED_VALUES = "typed_values"


def shows_typed_values(show):
    """Mark the view a form posts to: `show(posted, **view_args)` answers with the form's page again, holding
    the `posted` values, in the request's language. Decorators put above this one (sign-in, role) guard `show`
    as they guard the view."""

    def mark(view):
        @wraps(view)
        def sent_or_shown_again(*args, **kwargs):
            posted = g.pop(_TYPED_VALUES, None)
            return view(*args, **kwargs) if posted is None else show(posted, *args, **kwargs)

        sent_or_shown_again.shows_typed_values = True
        return sent_or_shown_again

    return mark


def typed_form_again(action: str, safe_path) -> Response:
    """The form this request carries from its page (posting to `action`), again in the language just chosen;
    where it cannot be shown again, the page at `action` (`safe_path` vets the sign-in page's carried form)."""
    if g.user is None:
        # No session to check a token against: only a form from this site, carried to the sign-in page.
        carried = carried_form(request.form, safe_path) if from_this_browser() else None
        carried = carried or expired_form_to(action, FORM_FIELD)
        return sign_in_again(carried) if carried is not None else redirect(action)
    view_args, view = _shown_by(action)
    if view is not None:
        setattr(g, _TYPED_VALUES, request.form)
        try:
            return not_stored(make_response(view(**view_args)))
        finally:
            g.pop(_TYPED_VALUES, None)  # a check above `show` refused: nothing typed lingers for the request
    # A form whose page cannot show it again (an expired form of any other kind): offered to send, as it was.
    fields = form_fields(FORM_FIELD)
    if fields is None:
        return redirect(action)
    return offer_to_send(ExpiredForm(action=action, username=g.user.username, fields=fields))


def _shown_by(action: str):
    """(view arguments, view) of the view `action` posts to, when it is marked to show typed values again."""
    path = urlsplit(action).path.removeprefix(request.script_root)
    try:
        endpoint, view_args = current_app.url_map.bind_to_environ(request.environ).match(path, method="POST")
    except HTTPException:  # no such route (a redirect to another is one too)
        return {}, None
    view = current_app.view_functions.get(endpoint)
    return view_args, view if getattr(view, "shows_typed_values", False) else None
