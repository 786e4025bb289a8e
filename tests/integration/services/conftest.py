"""Fixtures for the case services: the Cameroon pathway published, the demo directory loaded, actors."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.pathways.folder import load_source
from engine.services.accounts.actors import load_actor
from engine.services.pathways.publishing import publish_pathway
from engine.store.seed import load_demo_data

ROOT = Path(__file__).resolve().parents[3]
CAMEROON = ROOT / "pathways" / "cameroon-nrm"

IDENTIFICATION = {
    "identification_date": "2026-03-02",
    "identification_source": "airport",
    "region": "littoral",
    "site": "Aéroport international de Douala",
    "person_alias": "A. M.",
    "sex": "female",
    "age": 27,
    "language": "french",
    "phone": "+237 600 00 00 00",
    "return_modality": "assisted_voluntary",
    "vuln_medical": True,
    "risk_level": "medium",
    "priority": "urgent",
}
NO_NEEDS = {f"need_{sector}": False for sector in (
    "health", "mhpss", "shelter", "food_nfi", "legal_documentation", "family_tracing",
    "child_protection", "education_training", "economic_reintegration", "cash",
)}
ASSESSMENT = {**NO_NEEDS, "assessment_date": "2026-03-02", "need_health": True, "health_urgency": "urgent",
              "need_shelter": True, "shelter_urgency": "normal"}
CONSENT = {"consent_given": True, "consent_given_by": "person", "consent_method": "signature",
           "consent_language": "french", "consent_date": "2026-03-02", "consent_scope": "minimum_necessary"}


def publish_demo(container):
    """Load the demo directory and publish the Cameroon NRM pathway as version 1 (which it returns)."""
    load_demo_data(container.uow(), container.clock)
    return publish_pathway(container.uow(), load_source(CAMEROON), container.clock)


@pytest.fixture
def published(container):
    """The Cameroon NRM pathway published as version 1, and the demo directory loaded."""
    return publish_demo(container)


@pytest.fixture
def actor(container, published):
    """Loads a demo user's access snapshot: actor("demo-caseworker")."""
    return lambda username: load_actor(container.uow(), username)
