"""Errors as a page (or JSON under /api/) that says what went wrong, never a traceback."""

from __future__ import annotations

import json
import logging

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
        409: _("Someone changed this in the meantime. Reload the page and try again."),
        413: _("What you sent is too large."),
        422: _("Some of what you entered needs correcting."),
        429: _("Too many attempts. Please wait a few minutes and try again."),
        500: _("Something went wrong on our side. The problem has been logged."),
    }


def error_response(status: int, detail: str | None = None, fields: dict | None = None) -> Response:
    """A page or JSON body for `status`; `detail` is shown to the user, so it must be safe."""
    title = _titles().get(status, _("The request failed."))
    if is_api_request():
        body: dict = {"status": status, "error": title}
        if detail:
            body["detail"] = detail
        if fields:
            body["fields"] = fields
        response = Response(status=status, mimetype="application/json")
        response.set_data(json.dumps(body, ensure_ascii=False))
        return response
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
            if is_api_request():
                return error_response(status, str(exc), getattr(exc, "errors", None))
            # A page speaks the reader's language: the engine's English words go to the log only.
            log.info("%s: %s", exc.code, exc)
            return error_response(status, error_message(exc), field_messages(getattr(exc, "errors", None)))
    return _unexpected_error(exc)


def _unexpected_error(exc: Exception):
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    log.exception("unhandled error", exc_info=exc)
    return error_response(InternalServerError.code)


def init_error_pages(app: Flask) -> None:
    """Render every error through one template (or JSON for the API)."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(errors.AiguillageError, _engine_error)
    app.register_error_handler(Exception, _unexpected_error)
