"""Audit rows record where each request came from, whichever service writes them."""

from __future__ import annotations

from flask import Flask, request

from engine.store.models.audit import REQUEST_ORIGIN


def _remember_origin() -> None:
    # remote_addr is the client's address once ProxyFix has read the trusted proxies' headers.
    REQUEST_ORIGIN.set((request.remote_addr, request.user_agent.string or None))


def _forget_origin(_exc: BaseException | None) -> None:
    REQUEST_ORIGIN.set((None, None))


def init_audit_origin(app: Flask) -> None:
    """Give every audit row written while serving a request that request's address and user agent."""
    app.before_request(_remember_origin)
    app.teardown_request(_forget_origin)
