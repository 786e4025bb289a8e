"""Errors as a page that says what went wrong, never a traceback; under /api/, the API's JSON instead."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

from engine import errors
from webui.api_paths import is_api_request
from webui.engine_messages import error_message, field_messages

log = logging.getLogger(__name__)

# Engine errors the views let through, as the HTTP status that describes them.
ENGINE_ERROR_STATUS: dict[type[errors.AiguillageError], int] = {
    errors.NotFound: 404,
    errors.AccessDenied: 403,
    errors.Conflict: 409,
    errors.ConsentRequired: 409,
    errors.InvalidData: 422,
}

KEPT_HEADERS = frozenset({"Allow", "Retry-After", "WWW-Authenticate"})


def _titles() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Please sign in."),
        403: _("You do not have access to this page."),
        404: _("This page does not exist, or you cannot see it."),
        405: _("This action is not allowed here."),
        # Said beside the reason (a change made meanwhile, a missing consent...), which the detail gives.
        409: _("This cannot be done as things stand."),
        413: _("What you sent is too large."),
        422: _("Some of what you entered needs correcting."),
        429: _("Too many attempts. Please wait a few minutes and try again."),
        500: _("Something went wrong on our side. The problem has been logged."),
    }


def error_response(status: int, detail: str | None = None, fields: dict | None = None) -> Response:
    """The error page for `status`; `detail` is shown to the user, so it must be safe."""
    title = _titles().get(status, _("The request failed."))
    page = render_template("errors/error.html", status=status, title=title, detail=detail, fields=fields)
    return Response(page, status=status, mimetype="text/html")


def _http_error(exc: HTTPException):
    detail = exc.description if exc.description != type(exc).description else None
    response = error_response(exc.code or 500, detail)
    # Keep what Werkzeug decided the client needs (Allow on 405, Retry-After on 429).
    for name, value in exc.get_headers():
        if name in KEPT_HEADERS:
            response.headers[name] = value
    return response


def _engine_error(exc: errors.AiguillageError):
    for kind, status in ENGINE_ERROR_STATUS.items():
        if isinstance(exc, kind):
            # A page speaks the reader's language: the engine's English words go to the log only.
            log.info("%s: %s", exc.code, exc)
            return error_response(status, error_message(exc), field_messages(getattr(exc, "errors", None)))
    return _unexpected_error(exc)


def _unexpected_error(exc: Exception):
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    log.exception("unhandled error", exc_info=exc)
    return error_response(InternalServerError.code)


def init_error_pages(app: Flask, api_error: Callable[[Exception], Response]) -> None:
    """Render every error through one template; anything under /api/ is answered by `api_error` instead."""
    # Registered on the app, not on the API's blueprint: an unknown path or a wrong method under /api/
    # fails before any blueprint is chosen, and must still get the API's JSON, never a page.
    for kind, page_error in ((HTTPException, _http_error), (errors.AiguillageError, _engine_error),
                             (Exception, _unexpected_error)):
        app.register_error_handler(kind, _page_or_api(page_error, api_error))


def _page_or_api(page_error, api_error):
    def handle(exc: Exception):
        return api_error(exc) if is_api_request() else page_error(exc)

    return handle
