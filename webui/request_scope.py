"""The engine as seen from one request: the container, and a unit of work opened on first use."""

from __future__ import annotations

from flask import Flask, current_app, g

from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing

EXTENSION = "aiguillage"


def container():
    """The composition root the application was built with (store, clock...)."""
    return current_app.extensions[EXTENSION]


def clock():
    """The clock every time in this request comes from."""
    return container().clock


def session_clock():
    """The clock signed-in sessions age on: the real time, even where a training clock was moved forward.

    A trainer moving a demo's clock by a month must not sign every trainee out; what the
    application records about cases still runs on the installation's clock.
    """
    current = container().clock
    return getattr(current, "real", current)


def uow():
    """This request's unit of work, opened on first use and closed when the request ends."""
    if "uow" not in g:
        g.uow = container().uow()
        g.uow.__enter__()
    return g.uow


def begin_writing() -> UnitOfWork:
    """This request's unit of work, holding SQLite's write lock (waited for), for a view that writes itself.

    The request has read already (signing its user in): on SQLite such a transaction can no longer
    write once another connection has committed, and would fail as if in conflict where there is none.
    Services that write take the lock themselves.
    """
    unit = uow()
    lock_for_writing(unit)
    return unit


def _close_uow(_exc: BaseException | None) -> None:
    unit = g.pop("uow", None)
    if unit is not None:
        # Anything not committed by a service is rolled back here.
        unit.__exit__(None, None, None)


def init_request_scope(app: Flask, engine_container) -> None:
    """Attach the container to the app and close each request's unit of work."""
    app.extensions[EXTENSION] = engine_container
    app.teardown_appcontext(_close_uow)
