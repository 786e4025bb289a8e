"""Fixtures for deadlines and escalation: the Cameroon pathway published, demo users, a case walker."""

from __future__ import annotations

import pytest

from tests.integration.services.conftest import actor, published  # noqa: F401 - shared fixtures
from tests.integration.services.walk import CaseWalker


@pytest.fixture
def walker(container, published) -> CaseWalker:  # noqa: F811 - the shared fixture, used here
    return CaseWalker(container)
