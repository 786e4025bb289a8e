"""Fixtures for coordination: the Cameroon pathway published, the demo directory, and a history writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from coordination_history import START, History
from engine.pathways.folder import load_source
from engine.services.accounts.actors import load_actor
from engine.services.pathways.publishing import publish_pathway
from engine.store.seed import load_demo_data

CAMEROON = Path(__file__).resolve().parents[3] / "pathways" / "cameroon-nrm"


@pytest.fixture
def demo_password(container) -> str:
    return load_demo_data(container.uow(), container.clock).password


@pytest.fixture
def published(container, demo_password):
    return publish_pathway(container.uow(), load_source(CAMEROON), container.clock)


@pytest.fixture
def history(container, published) -> History:
    return History(container.uow, START)


@pytest.fixture
def actor(container, published):
    return lambda username: load_actor(container.uow(), username)
