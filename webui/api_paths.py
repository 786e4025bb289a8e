"""Which requests belong to the JSON API (they get JSON errors and accept bearer tokens)."""

from __future__ import annotations

from flask import request

API_PREFIX = "/api/"


def is_api_request() -> bool:
    """True for requests under `/api/` (and `/api` itself, which a client may try first)."""
    return request.path.startswith(API_PREFIX) or request.path == API_PREFIX.rstrip("/")
