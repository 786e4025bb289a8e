"""Errors of the JSON API as one shape: {"error": {"code", "message", "fields"?, "problems"?}}, never a traceback.

`fields` gives each field's problems in English words; `problems` gives the same problems as
stable codes with their parameters (`engine.field_problems`), for clients that word them in
their own language. A problem without an engine code (a malformed request body) has code `invalid`.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from flask import jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from engine import errors
from webui.error_pages import ENGINE_ERROR_STATUS, KEPT_HEADERS

log = logging.getLogger(__name__)

# The `code` of each status: stable words clients can branch on.
ERROR_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "too_many_requests",
    500: "server_error",
}


def error_body(status: int, message: str, fields: dict | None = None, code: str | None = None) -> dict:
    """The JSON body of an API error."""
    error: dict = {"code": code or ERROR_CODES.get(status, "error"), "message": message}
    if fields:
        error["fields"] = {name: _messages(value) for name, value in fields.items()}
        error["problems"] = {name: _problems(value) for name, value in fields.items()}
    return {"error": error}


def _problems(value) -> list[dict]:
    if isinstance(value, dict):
        return [problem for inner in value.values() for problem in _problems(inner)]
    if isinstance(value, (list, tuple)):
        return [problem for item in value for problem in _problems(item)]
    params = getattr(value, "params", {})
    return [{"code": getattr(value, "code", "invalid"), "params": {key: _plain(param) for key, param in params.items()}}]


def _plain(value):
    # Dates (a date field's limits) as ISO text, collections as lists: JSON all clients read alike.
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(item) for item in value]
    return value


def _messages(value) -> list[str]:
    # Field errors are lists of strings for clients; nested marshmallow errors are flattened.
    if isinstance(value, dict):
        return [f"{key}: {message}" for key, inner in value.items() for message in _messages(inner)]
    if isinstance(value, (list, tuple)):
        return [message for item in value for message in _messages(item)]
    return [str(value)]


def _respond(status: int, body: dict, headers=()):
    response = jsonify(body)
    response.status_code = status
    for name, value in headers:
        if name in KEPT_HEADERS:
            response.headers[name] = value
    return response


def _http_error(exc: HTTPException):
    status = exc.code or 500
    return _respond(status, error_body(status, exc.description or exc.name), exc.get_headers())


def _invalid_input(exc: ValidationError):
    messages = exc.messages if isinstance(exc.messages, dict) else {"_body": exc.messages}
    return _respond(422, error_body(422, "some of what was sent needs correcting", messages))


def _engine_error(exc: errors.AiguillageError):
    if isinstance(exc, errors.PathwayInvalid):
        return _respond(422, error_body(422, str(exc), {"files": [str(problem) for problem in exc.problems]}))
    for kind, status in ENGINE_ERROR_STATUS.items():
        if isinstance(exc, kind):
            code = "consent_required" if isinstance(exc, errors.ConsentRequired) else None
            return _respond(status, error_body(status, str(exc), getattr(exc, "errors", None), code))
    return _unexpected_error(exc)


def _unexpected_error(exc: Exception):
    log.exception("unhandled API error", exc_info=exc)
    return _respond(500, error_body(500, "something went wrong on our side; the problem has been logged"))


def api_error(exc: Exception):
    """The API's answer to any error under /api/: raised by its routes or its sign-in, or an unknown path or method."""
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    if isinstance(exc, ValidationError):
        return _invalid_input(exc)
    if isinstance(exc, errors.AiguillageError):
        return _engine_error(exc)
    return _unexpected_error(exc)
