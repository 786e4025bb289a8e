"""One world of two organisations per database, shared by the tests of a module (it takes seconds to build)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engine.bootstrap import Settings, build
from engine.clock import ManualClock
from tests.conftest import empty_database_url


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def module_database_url(request, tmp_path_factory) -> str:
    """An empty, migrated database for this module: SQLite, then PostgreSQL (the session's database:
    no other module runs while this one does)."""
    return empty_database_url(request, tmp_path_factory.mktemp("access"))


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    """Both organisations' objects, the app, and every role signed in (see access_world)."""
    from access_world import build_world

    clock = ManualClock(datetime(2026, 3, 2, 7, 0, tzinfo=timezone.utc))
    container = build(Settings(database_url=module_database_url, instance_dir=tmp_path_factory.mktemp("instance")),
                      clock=clock)
    try:
        yield build_world(container)
    finally:
        container.dispose()
